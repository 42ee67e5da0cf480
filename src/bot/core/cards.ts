import { GENRES } from './commands/watchlist-args.js';
import { EN, type Translator } from './i18n/index.js';
import type { Episode, LinkedAccount, Season, Target } from './ports.js';
import { kindWord, targetLabel, titleOf, traktUrl } from './targets.js';
import { rich, type Button, type ChatRef, type ChatUserRef, type Reply, type Rich } from './types.js';

/** Overviews are cut here so a card fits a photo caption (Telegram: 1,024 characters). */
const OVERVIEW_CHARS = 280;
/** Episode buttons sit five to a row (Telegram) or in a menu (Discord): a title longer than this is cut. */
const EPISODE_LABEL_CHARS = 22;

export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

function runtimeText(minutes: number, i18n: Translator): string {
  if (minutes < 60) return i18n.t('cards:runtime.minutes', { minutes });
  const hours = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? i18n.t('cards:runtime.hours', { hours }) : i18n.t('cards:runtime.hoursMinutes', { hours, minutes: m });
}

/** A rating with one decimal, with the language's decimal mark (`7.5`, `7,5`). */
function ratingText(rating: number, i18n: Translator): string {
  const fixed = rating.toFixed(1);
  return i18n.locale === 'en' ? fixed : fixed.replace('.', ',');
}

/**
 * What is known of the season or episode a card shows, from the season or episode list Trakt already
 * gave: the card shows these instead of the whole show's numbers.
 */
export interface PartFacts {
  /** Episodes of the season. */
  episodes?: number;
  /** ISO timestamp of the (first) airing. */
  firstAired?: string;
  /** Episode runtime in minutes. */
  runtime?: number;
  overview?: string;
}

export function episodeFacts(episode: Episode): PartFacts {
  return {
    ...(episode.firstAired ? { firstAired: episode.firstAired } : {}),
    ...(episode.runtime ? { runtime: episode.runtime } : {}),
    ...(episode.overview ? { overview: episode.overview } : {}),
  };
}

export function seasonFacts(season: Season): PartFacts {
  const episodes = season.episodeCount ?? season.airedEpisodes;
  return { ...(episodes === undefined ? {} : { episodes }), ...(season.firstAired ? { firstAired: season.firstAired } : {}) };
}

/** An episode picker's button: the number, and the title where it fits. */
export function episodeLabel(episode: Episode): string {
  return episode.title ? shorten(`E${episode.number} ${episode.title}`, EPISODE_LABEL_CHARS) : `E${episode.number}`;
}

export interface CardOptions {
  /** For a season or an episode: its own facts. */
  part?: PartFacts;
  /** Number of seasons of a show, when known. */
  seasons?: number;
  onWatchlist?: boolean;
  /** Lines after the details (status, position in results ...). */
  footer?: Rich[];
  /** Leading line (an outcome such as "Added"). */
  header?: Rich;
}

/** A title card: what the user needs to recognise the title. */
export function titleCard(target: Target, options: CardOptions = {}, i18n: Translator): Rich[] {
  const title = titleOf(target);
  const parts: Rich[] = [];
  if (options.header !== undefined) parts.push(options.header, rich.line, rich.line);
  parts.push(rich.bold(title.title));
  if (title.year !== null) parts.push(` (${title.year})`);
  if (target.kind === 'season') parts.push(' · ', rich.bold(i18n.t('cards:season', { season: target.season })));
  if (target.kind === 'episode') {
    parts.push(' · ', rich.bold(`S${String(target.season).padStart(2, '0')}E${String(target.episode).padStart(2, '0')}`));
    if (target.episodeTitle) parts.push(' ', rich.italic(target.episodeTitle));
  }
  const facts: string[] = [kindWord(target, i18n)];
  // A season or an episode: its own numbers, never the whole show's (rating, episode count, runtime).
  const part = target.kind === 'season' || target.kind === 'episode' ? (options.part ?? {}) : undefined;
  if (part !== undefined) {
    if (part.episodes !== undefined && part.episodes > 0) facts.push(i18n.t('cards:episodes', { count: part.episodes }));
    if (part.firstAired && !Number.isNaN(Date.parse(part.firstAired))) facts.push(`📅 ${new Date(part.firstAired).toISOString().slice(0, 10)}`);
    if (part.runtime) facts.push(runtimeText(part.runtime, i18n));
  }
  if (part === undefined && title.rating !== undefined && title.rating > 0) facts.push(`★ ${ratingText(title.rating, i18n)}`);
  if (title.type === 'movie' && title.runtime) facts.push(runtimeText(title.runtime, i18n));
  if (part === undefined && title.type === 'show') {
    if (options.seasons !== undefined) facts.push(i18n.t('cards:seasons', { count: options.seasons }));
    else if (title.airedEpisodes) facts.push(i18n.t('cards:episodes', { count: title.airedEpisodes }));
    if (title.runtime) facts.push(i18n.t('cards:episodeRuntime', { minutes: title.runtime }));
  }
  if (title.certification) facts.push(title.certification);
  parts.push(rich.line, facts.join(' · '));
  if (title.genres && title.genres.length > 0) parts.push(rich.line, rich.italic(title.genres.slice(0, 4).map((slug) => genreWord(slug, i18n)).join(', ')));
  const overview = part?.overview ?? title.overview;
  if (overview) parts.push(rich.line, rich.line, shorten(overview, OVERVIEW_CHARS));
  if (options.onWatchlist) parts.push(rich.line, rich.line, i18n.t('cards:onWatchlist'));
  for (const line of options.footer ?? []) parts.push(rich.line, line);
  return parts;
}

/** A genre's name: Trakt's genres we know are translated (the same names as the commands' genre choices); others from the slug. */
function genreWord(slug: string, i18n: Translator): string {
  if ((GENRES as readonly string[]).includes(slug)) return i18n.t(`commands:choices.genre.${slug}`);
  const word = slug.replace(/-/g, ' ');
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** The link button's label in English (tests); cards use `openOnTrakt(i18n)`. */
export const OPEN_ON_TRAKT = EN.t('cards:openOnTraktButton');

/**
 * Where the card's link to trakt.tv goes: beside a lone last button (Cancel, Undo), so a card keeps
 * its rows (Discord: at most 5, and a picker's last rows stay buttons), else on a row of its own.
 */
function withTraktLink(target: Target, buttons: Button[][] = [], i18n: Translator): Button[][] {
  const link: Button = { label: i18n.t('cards:openOnTraktButton'), url: traktUrl(target) };
  const rows = buttons.filter((row) => row.length > 0);
  const last = rows.at(-1);
  if (last !== undefined && last.length === 1) return [...rows.slice(0, -1), [...last, link]];
  return [...rows, [link]];
}

/**
 * In a group, whose a card is (its buttons act for that user alone): `for @alice`, by the user's
 * handle where the platform has one, else by their display name. Nothing in a private chat.
 */
export function ownerLine(user: ChatUserRef, chat: ChatRef, i18n: Translator): Rich | undefined {
  if (chat.kind !== 'group') return undefined;
  const name = user.handle ?? user.displayName;
  return name === undefined || name === '' ? undefined : rich.italic(i18n.t('cards:owner', { name }));
}

/**
 * A title card as a reply: its poster, its buttons and always a link to the title's page on Trakt;
 * with `owner` (see ownerLine), a last line saying whose it is.
 */
export function cardReply(target: Target, text: Rich, buttons: Reply['buttons'] | undefined, owner: Rich | undefined, i18n: Translator): Reply {
  const poster = titleOf(target).posterUrl;
  return {
    text: owner === undefined ? text : [text, rich.line, owner],
    buttons: withTraktLink(target, buttons, i18n),
    ...(poster ? { image: { sourceUrl: poster } } : {}),
  };
}

/** `37 / 250 used`, or `37 items` when Trakt did not say the limit. */
export function usageText(used: number, account: Pick<LinkedAccount, 'watchlistLimit'>, i18n: Translator): string {
  return account.watchlistLimit === null ? i18n.t('cards:usage.items', { count: used }) : i18n.t('cards:usage.used', { used, limit: account.watchlistLimit });
}

/** What the user typed, in the language's quotation marks: `“dune”`, `„dune“`, `«dune»`. */
export function quote(text: string, i18n: Translator): string {
  return i18n.t('cards:quote', { text });
}

export { targetLabel };
