// Resolves the body of POST /sync/watchlist, /sync/watchlist/remove and /sync/history into catalog items
// (REFERENCE §9):
// - arrays `movies[]`, `shows[]`, `seasons[]`, `episodes[]`;
// - a show alone means the show; with `seasons:[{number}]` those seasons; with
//   `seasons:[{number, episodes:[{number}]}]` those episodes;
// - "matched by ID first, then fall back to title and year. IDs will be matched in this order trakt, imdb,
//   tmdb, tvdb, and slug. If nothing is found, it will match on the title and year. If still nothing, it would
//   use just the title … and find the most current object";
// - what cannot be found is echoed back in `not_found` as it was sent.

import type { Catalog, IdKind } from './catalog.js';
import type { EpisodeRecord, MovieRecord, SeasonRecord, ShowRecord } from './catalog-types.js';

export type Target =
  | { type: 'movie'; movie: MovieRecord }
  | { type: 'show'; show: ShowRecord }
  | { type: 'season'; show: ShowRecord; season: SeasonRecord }
  | { type: 'episode'; show: ShowRecord; episode: EpisodeRecord };

export interface ResolvedItem {
  target: Target;
  notes: string | undefined;
}

export interface NotFound {
  movies: unknown[];
  shows: unknown[];
  seasons: unknown[];
  episodes: unknown[];
}

export interface ResolvedBody {
  items: ResolvedItem[];
  notFound: NotFound;
}

export type Category = 'movies' | 'shows' | 'seasons' | 'episodes';

export function categoryOf(target: Target): Category {
  return `${target.type}s` as Category;
}

export function targetKey(target: Target): string {
  switch (target.type) {
    case 'movie':
      return `movie:${target.movie.ids.trakt}`;
    case 'show':
      return `show:${target.show.ids.trakt}`;
    case 'season':
      return `season:${target.season.ids.trakt}`;
    case 'episode':
      return `episode:${target.episode.ids.trakt}`;
  }
}

const MEDIA_ID_ORDER: IdKind[] = ['trakt', 'imdb', 'tmdb', 'tvdb', 'slug'];

export function resolveSyncBody(catalog: Catalog, body: unknown): ResolvedBody {
  const notFound: NotFound = { movies: [], shows: [], seasons: [], episodes: [] };
  const items: ResolvedItem[] = [];
  const record = isObject(body) ? body : {};

  for (const item of arrayOf(record.movies)) {
    const movie = isObject(item) ? findMedia(catalog, item, 'movie') : undefined;
    if (movie) items.push({ target: { type: 'movie', movie }, notes: notesOf(item) });
    else notFound.movies.push(item);
  }

  for (const item of arrayOf(record.shows)) {
    const show = isObject(item) ? findMedia(catalog, item, 'show') : undefined;
    if (!show || !isObject(item)) {
      notFound.shows.push(item);
      continue;
    }
    const seasons = arrayOf(item.seasons);
    if (seasons.length === 0) {
      items.push({ target: { type: 'show', show }, notes: notesOf(item) });
      continue;
    }
    const missing: unknown[] = [];
    for (const seasonItem of seasons) {
      const season = isObject(seasonItem) ? catalog.season(show, Number(seasonItem.number)) : undefined;
      if (!season || !isObject(seasonItem)) {
        missing.push(seasonItem);
        continue;
      }
      const episodes = arrayOf(seasonItem.episodes);
      if (episodes.length === 0) {
        items.push({ target: { type: 'season', show, season }, notes: notesOf(seasonItem) });
        continue;
      }
      const missingEpisodes: unknown[] = [];
      for (const episodeItem of episodes) {
        const episode = isObject(episodeItem) ? catalog.episode(season, Number(episodeItem.number)) : undefined;
        if (episode) items.push({ target: { type: 'episode', show, episode }, notes: notesOf(episodeItem) });
        else missingEpisodes.push(episodeItem);
      }
      if (missingEpisodes.length > 0) missing.push({ ...seasonItem, episodes: missingEpisodes });
    }
    // Emulator choice: a found show whose seasons/episodes are missing is echoed in not_found.shows with only
    // the missing parts (Trakt does not document this case).
    if (missing.length > 0) notFound.shows.push({ ...item, seasons: missing });
  }

  for (const item of arrayOf(record.seasons)) {
    const ids = isObject(item) && isObject(item.ids) ? item.ids : undefined;
    let season: SeasonRecord | undefined;
    for (const kind of ['trakt', 'tvdb', 'tmdb'] as const) {
      const value = ids?.[kind];
      if (season || !isIdValue(value)) continue;
      season = catalog.seasonById(kind, value);
    }
    if (season) items.push({ target: { type: 'season', show: season.show, season }, notes: notesOf(item) });
    else notFound.seasons.push(item);
  }

  for (const item of arrayOf(record.episodes)) {
    const ids = isObject(item) && isObject(item.ids) ? item.ids : undefined;
    let episode: EpisodeRecord | undefined;
    for (const kind of ['trakt', 'tvdb', 'imdb', 'tmdb'] as const) {
      const value = ids?.[kind];
      if (episode || !isIdValue(value)) continue;
      episode = catalog.episodeById(kind, value);
    }
    if (episode) items.push({ target: { type: 'episode', show: episode.show, episode }, notes: notesOf(item) });
    else notFound.episodes.push(item);
  }

  return { items, notFound };
}

function findMedia(catalog: Catalog, item: Record<string, unknown>, type: 'movie'): MovieRecord | undefined;
function findMedia(catalog: Catalog, item: Record<string, unknown>, type: 'show'): ShowRecord | undefined;
function findMedia(
  catalog: Catalog,
  item: Record<string, unknown>,
  type: 'movie' | 'show',
): MovieRecord | ShowRecord | undefined {
  if (isObject(item.ids)) {
    for (const kind of MEDIA_ID_ORDER) {
      const value = item.ids[kind];
      if (!isIdValue(value)) continue;
      const found = type === 'movie' ? catalog.movieById(kind, value) : catalog.showById(kind, value);
      if (found) return found;
    }
  }
  if (typeof item.title !== 'string') return undefined;
  const sameTitle = catalog.withTitle(item.title).filter((m) => m.type === type);
  const year = Number(item.year);
  const withYear = sameTitle.find((m) => m.year === year);
  if (withYear) return withYear;
  let mostCurrent: MovieRecord | ShowRecord | undefined;
  for (const media of sameTitle) if (!mostCurrent || media.year > mostCurrent.year) mostCurrent = media;
  return mostCurrent;
}

function notesOf(item: unknown): string | undefined {
  return isObject(item) && typeof item.notes === 'string' ? item.notes : undefined;
}

function isIdValue(value: unknown): value is string | number {
  return (typeof value === 'string' && value.length > 0) || (typeof value === 'number' && Number.isFinite(value));
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
