import type { Translator } from './i18n/index.js';
import type { Target, Title } from './ports.js';

export { targetKey, titleOf } from '../../domain/target.js';
import { titleOf } from '../../domain/target.js';

export function titleTarget(title: Title): Target {
  return { kind: title.type, title };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `Dune (2021)`, `Severance (2022), season 2`, `Severance (2022) S02E05 “Trojan's Horse”`. */
export function targetLabel(target: Target, i18n: Translator): string {
  const title = titleOf(target);
  const base = title.year === null ? title.title : `${title.title} (${title.year})`;
  switch (target.kind) {
    case 'movie':
    case 'show':
      return base;
    case 'season':
      return i18n.t('parse:label.season', { title: base, season: target.season });
    case 'episode': {
      const code = `S${pad(target.season)}E${pad(target.episode)}`;
      return target.episodeTitle
        ? i18n.t('parse:label.episodeTitled', { title: base, code, episodeTitle: target.episodeTitle })
        : i18n.t('parse:label.episode', { title: base, code });
    }
  }
}

/** The target's page on trakt.tv (by slug, or by Trakt id when the title has no slug). */
export function traktUrl(target: Target): string {
  const title = titleOf(target);
  const base = `https://trakt.tv/${title.type === 'movie' ? 'movies' : 'shows'}/${encodeURIComponent(title.ids.slug ?? String(title.ids.trakt))}`;
  switch (target.kind) {
    case 'movie':
    case 'show':
      return base;
    case 'season':
      return `${base}/seasons/${target.season}`;
    case 'episode':
      return `${base}/seasons/${target.season}/episodes/${target.episode}`;
  }
}

/** Kind word for cards. */
export function kindWord(target: Target, i18n: Translator): string {
  return i18n.t(`parse:kind.${target.kind}`);
}

/** Lower-cased title without a leading English article, for sorting and matching. */
export function sortTitleOf(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/^(the|a|an)\s+/, '')
    .trim();
}
