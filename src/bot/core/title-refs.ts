import { episodeFacts, type PartFacts } from './cards.js';
import type { AddQuery } from './parse.js';
import type { Target, TraktCatalogPort } from './ports.js';
import { titleTarget } from './targets.js';
import type { Translator } from './i18n/index.js';
import type { Reply } from './types.js';

/** What a user may name a title by besides its words: an IMDb id (or IMDb URL) or a Trakt link. */
export type TitleReference = Exclude<AddQuery, { kind: 'text' }>;

export interface ReferenceLookup {
  target?: Target;
  /** How the reference is named to the user when Trakt does not know it. */
  asked: string;
  /** For an episode: its own facts, from the episode list looked up. */
  part?: PartFacts;
}

/**
 * Looks a reference up on Trakt: the movie or show, or for a Trakt link to a season or an episode,
 * that season or episode. Used by `/add` and `/search` (and so a plain message in the private chat).
 */
export async function lookUpReference(
  catalog: TraktCatalogPort,
  query: TitleReference,
  patiently: <T>(work: Promise<T>) => Promise<T>,
): Promise<ReferenceLookup> {
  if (query.kind === 'imdb') {
    const title = await patiently(catalog.lookupImdb(query.imdbId));
    return { ...(title ? { target: titleTarget(title) } : {}), asked: query.imdbId };
  }
  const title = await patiently(catalog.lookupSlug(query.type, query.slug));
  if (title === undefined) return { asked: query.slug };
  if (query.season === undefined) return { target: titleTarget(title), asked: query.slug };
  if (query.episode === undefined) return { target: { kind: 'season', show: title, season: query.season }, asked: query.slug };
  const episodes = await patiently(catalog.episodes(title.ids.trakt, query.season));
  const episode = episodes.find((e) => e.number === query.episode);
  if (episode === undefined) return { asked: `${query.slug} S${query.season}E${query.episode}` };
  return {
    target: { kind: 'episode', show: title, season: query.season, episode: episode.number, ...(episode.title ? { episodeTitle: episode.title } : {}) },
    asked: query.slug,
    part: episodeFacts(episode),
  };
}

/** The answer when Trakt knows no title by that id or link (no point in trying fewer words). */
export function unknownReferenceReply(asked: string, i18n: Translator): Reply {
  return { text: i18n.t('search:unknownReference', { asked }) };
}
