// GET /sync/watchlist and /users/:id/watchlist: type filter, sorting and the item shape (REFERENCE §8).
//
// Sorting: `X-Sort-By`/`X-Sort-How` carry the user's saved preference and `X-Applied-Sort-By`/
// `X-Applied-Sort-How` what was applied. Without a sort in the path items come by `rank asc`. VIP-only sorts
// fall back to `rank` for free users (S4 "Get watchlist").

import type { MovieRecord, ShowRecord } from './catalog-types.js';
import type { Extended, MediaJson } from './media-json.js';
import type { Target } from './sync-body.js';
import type { UserState, WatchlistItem } from './user-store.js';

/**
 * The `:type` values Trakt documents for `/sync/watchlist/:type` and `/users/:id/watchlist/:type`
 * (REFERENCE §8). `all` is not one of them (it appears only in third-party clients): it answers 404, and
 * every type is read through the plain `/sync/watchlist`.
 */
export const WATCHLIST_TYPES = { movies: 'movie', shows: 'show', seasons: 'season', episodes: 'episode' } as const;

const VIP_ONLY_SORTS = new Set(['imdb_rating', 'tmdb_rating', 'rt_tomatometer', 'rt_audience', 'metascore', 'votes', 'imdb_votes', 'tmdb_votes']);
const SORTS = new Set(['rank', 'added', 'title', 'released', 'runtime', 'popularity', 'random', 'percentage', 'my_rating', 'watched', 'collected', ...VIP_ONLY_SORTS]);

export interface AppliedSort {
  sortBy: string;
  sortHow: 'asc' | 'desc';
}

export function chooseSort(user: UserState, sortBy: string | undefined, sortHow: string | undefined): AppliedSort {
  if (sortBy === undefined || !SORTS.has(sortBy)) return { sortBy: 'rank', sortHow: 'asc' };
  if (VIP_ONLY_SORTS.has(sortBy) && !user.vip) return { sortBy: 'rank', sortHow: 'asc' };
  return { sortBy, sortHow: sortHow === 'desc' ? 'desc' : 'asc' };
}

/** Items of one type (or all), ranked, then sorted. The rank stays the item's position in the list. */
export function viewWatchlist(
  user: UserState,
  type: (typeof WATCHLIST_TYPES)[keyof typeof WATCHLIST_TYPES] | undefined,
  sort: AppliedSort,
): Array<{ rank: number; item: WatchlistItem }> {
  const ranked: Array<{ rank: number; item: WatchlistItem }> = [];
  user.watchlist.forEach((item, i) => {
    if (type === undefined || item.target.type === type) ranked.push({ rank: i + 1, item });
  });
  if (sort.sortBy === 'rank') {
    if (sort.sortHow === 'desc') ranked.reverse();
    return ranked;
  }
  if (sort.sortBy === 'random') {
    for (let i = ranked.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      const a = ranked[i];
      const b = ranked[j];
      if (a && b) {
        ranked[i] = b;
        ranked[j] = a;
      }
    }
    return ranked;
  }
  const direction = sort.sortHow === 'desc' ? -1 : 1;
  const keyed = ranked.map((entry) => ({ entry, key: sortKey(user, entry.item, sort.sortBy) }));
  keyed.sort((a, b) => {
    if (a.key < b.key) return -direction;
    if (a.key > b.key) return direction;
    return a.entry.rank - b.entry.rank;
  });
  return keyed.map((k) => k.entry);
}

/** `{rank, id, listed_at, notes, type, movie|show|season+show|episode+show}` as JSON text */
export function watchlistItemJson(json: MediaJson, rank: number, item: WatchlistItem, ext: Extended): string {
  const head = `{"rank":${rank},"id":${item.id},"listed_at":"${item.listedAtIso}","notes":${JSON.stringify(item.notes)},"type":"${item.target.type}"`;
  const target = item.target;
  switch (target.type) {
    case 'movie':
      return `${head},"movie":${json.movie(target.movie, ext)}}`;
    case 'show':
      return `${head},"show":${json.show(target.show, ext)}}`;
    case 'season':
      return `${head},"season":${json.season(target.season, { ...ext, episodes: false })},"show":${json.show(target.show, ext)}}`;
    case 'episode':
      return `${head},"episode":${json.episode(target.episode, ext)},"show":${json.show(target.show, ext)}}`;
  }
}

function media(target: Target): MovieRecord | ShowRecord {
  return target.type === 'movie' ? target.movie : target.show;
}

function sortKey(user: UserState, item: WatchlistItem, sortBy: string): number | string {
  const target = item.target;
  const base = media(target);
  const rating =
    target.type === 'season' ? target.season.rating : target.type === 'episode' ? target.episode.rating : base.rating;
  const votes =
    target.type === 'season' ? target.season.votes : target.type === 'episode' ? target.episode.votes : base.votes;
  const trakt = base.ids.trakt;
  switch (sortBy) {
    case 'added':
      return item.listedAt;
    case 'title':
      if (target.type === 'season') return `${base.sortTitle}\u0000${pad(target.season.number)}`;
      if (target.type === 'episode') return `${base.sortTitle}\u0000${pad(target.episode.season)}${pad(target.episode.number)}`;
      return base.sortTitle;
    case 'released':
      if (target.type === 'movie') return target.movie.releasedMs;
      if (target.type === 'season') return target.season.firstAiredMs;
      if (target.type === 'episode') return target.episode.firstAiredMs;
      return target.show.firstAiredMs;
    case 'runtime':
      return target.type === 'movie' ? target.movie.runtime : target.type === 'episode' ? target.episode.runtime : target.show.runtime;
    case 'popularity':
      return votes * rating;
    case 'percentage':
      return rating;
    case 'votes':
      return votes;
    // Third-party ratings are not in the emulated catalog; derive stable values from Trakt's own.
    case 'imdb_rating':
      return rating + ((trakt % 7) - 3) / 10;
    case 'tmdb_rating':
      return rating + ((trakt % 5) - 2) / 10;
    case 'rt_tomatometer':
      return Math.min(100, Math.max(0, Math.round(rating * 10 + ((trakt % 21) - 10))));
    case 'rt_audience':
      return Math.min(100, Math.max(0, Math.round(rating * 10 + ((trakt % 11) - 5))));
    case 'metascore':
      return Math.min(100, Math.max(0, Math.round(rating * 10 - 5 + ((trakt % 13) - 6))));
    case 'imdb_votes':
      return votes * 3 + (trakt % 100);
    case 'tmdb_votes':
      return Math.floor(votes / 2);
    case 'watched':
      if (target.type === 'movie') return user.watchedMovies.get(trakt) ?? 0;
      if (target.type === 'episode') return user.watchedEpisodes.get(target.episode.ids.trakt) ?? 0;
      return 0;
    default:
      // my_rating, collected: the emulator keeps no ratings or collection, every item ties
      return 0;
  }
}

function pad(n: number): string {
  return String(n).padStart(4, '0');
}
