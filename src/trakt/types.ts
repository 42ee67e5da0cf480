/**
 * Types of the Trakt client: camelCase, no wire quirks. The media model itself lives in
 * `src/domain/media.ts` (re-exported here); the zod-inferred wire types never leave `src/trakt`.
 */

import type {
  CalendarEpisode,
  CalendarMovie,
  TitleIds,
  Title,
  EpisodeIds,
  Episode,
  MovieRelease,
  SeasonIds,
  Season,
  WatchlistEntryType,
  WatchlistEntry,
  MediaCounts,
  NotFoundEntry,
  WatchlistWriteResult,
  ShowProgress,
} from '../domain/media.js';

export type { CalendarEpisode, CalendarMovie, MovieRelease, TitleIds, Title, EpisodeIds, Episode, SeasonIds, Season, WatchlistEntryType, WatchlistEntry, MediaCounts, NotFoundEntry, WatchlistWriteResult, ShowProgress };

/** A search or lookup hit that is an episode, with its show. */
export interface EpisodeHit {
  type: 'episode';
  show: Title;
  episode: Episode;
}

export interface SearchHit {
  /** Relevance: a float on text search, null on ID lookups (REFERENCE §7). */
  score: number | null;
  title: Title | EpisodeHit;
}

export interface Pagination {
  page: number;
  limit: number;
  pageCount: number;
  itemCount: number;
}

export interface Page<T> {
  items: T[];
  /** Undefined when Trakt sent no pagination headers. */
  pagination: Pagination | undefined;
}

/** The `:type` of `GET /sync/watchlist/:type/...`: the only values Trakt documents (REFERENCE §8). */
export type WatchlistType = 'movies' | 'shows' | 'seasons' | 'episodes';
/**
 * What a watchlist read covers: one type, or `'all'` = every type, read through the plain, documented
 * `GET /sync/watchlist` (never `/sync/watchlist/all/...`, which Trakt does not document).
 */
export type WatchlistScope = WatchlistType | 'all';
/** Sorts Trakt accepts (REFERENCE §8). VIP-only ones fall back to `rank` for free users. */
export type WatchlistSortBy =
  | 'rank'
  | 'added'
  | 'title'
  | 'released'
  | 'runtime'
  | 'popularity'
  | 'random'
  | 'percentage'
  | 'imdb_rating'
  | 'tmdb_rating'
  | 'rt_tomatometer'
  | 'rt_audience'
  | 'metascore'
  | 'votes'
  | 'imdb_votes'
  | 'tmdb_votes'
  | 'my_rating'
  | 'watched'
  | 'collected';
export type SortHow = 'asc' | 'desc';

export interface WatchlistPage extends Page<WatchlistEntry> {
  /** `X-Applied-Sort-By` / `-How`: what Trakt actually applied (a VIP sort falls back to rank). */
  appliedSort?: { by?: string; how?: string };
  /** Items of kinds the bot does not handle (e.g. people on lists), skipped. */
  skipped: number;
}

export interface WatchlistAll {
  entries: WatchlistEntry[];
  /** `X-Pagination-Item-Count` of the first page. */
  itemCount: number;
  pageCount: number;
  /** False when the item count changed while the pages were read (a concurrent edit). */
  consistent: boolean;
  skipped: number;
}

/** Ids accepted in write bodies (REFERENCE §9): send the trakt id when you have it. */
export interface RefIds {
  trakt?: number;
  slug?: string;
  imdb?: string;
  tmdb?: number;
  tvdb?: number;
}

/** One thing to add to or remove from the watchlist. */
export type WatchlistRef =
  | { type: 'movie' | 'show'; ids: RefIds }
  | { type: 'season'; showIds: RefIds; season: number }
  | { type: 'episode'; showIds: RefIds; season: number; episode: number }
  /** A season or episode by its own ids. */
  | { type: 'season' | 'episode'; ids: RefIds };

export interface UserLimits {
  watchlist?: number;
  lists?: number;
  listItems?: number;
  favorites?: number;
  collection?: number;
  notes?: number;
}

export interface UserSettings {
  username: string;
  slug: string;
  uuid?: string;
  traktId?: number;
  name?: string;
  vip: boolean;
  private?: boolean;
  timezone?: string;
  /** Read these instead of hard-coding Trakt's numbers (REFERENCE §14). */
  limits: UserLimits;
}

export interface LastActivities {
  all?: Date;
  /** Re-read the watchlist only when this moves (REFERENCE §10). */
  watchlistUpdatedAt?: Date;
  moviesWatchlistedAt?: Date;
  showsWatchlistedAt?: Date;
  seasonsWatchlistedAt?: Date;
  episodesWatchlistedAt?: Date;
  /** Moves when the user watched (or un-watched) an episode: cached show progress is stale then. */
  episodesWatchedAt?: Date;
  settingsAt?: Date;
}


export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  /** `created_at + expires_in` from the answer; never a constant lifetime (REFERENCE §3.4). */
  expiresAt: Date;
  createdAt: Date;
  scope: string;
}

export interface DeviceCode {
  deviceCode: string;
  userCode: string;
  verificationUrl: string;
  expiresAt: Date;
  intervalSeconds: number;
}

export type DevicePollResult =
  | { status: 'authorized'; tokens: TokenSet }
  /** 400: the user has not acted yet; poll again after the interval. */
  | { status: 'pending' }
  /** 404: unknown device code; restart the flow. */
  | { status: 'invalid_code' }
  /** 409: already approved and its tokens already issued. */
  | { status: 'already_used' }
  /** 410: the code expired; restart the flow. */
  | { status: 'expired' }
  /** 418: the user denied access. */
  | { status: 'denied' }
  /** 429: polling too fast; keep polling, more slowly (REFERENCE §3.7). */
  | { status: 'slow_down'; retryAfterSeconds?: number };

/**
 * How user-scoped calls get a token. Token storage and single-flight refresh belong to the caller
 * (DB-backed); the client only asks.
 */
export interface AccessTokenProvider {
  /** Stable key of the Trakt user (e.g. the Trakt user id or slug): the rate limiters are keyed by it. */
  readonly key: string;
  getAccessToken(): Promise<string>;
  /**
   * Called once when Trakt answered 401 to `rejectedToken`. Return a fresh access token (the caller
   * refreshes, or notices another refresh already happened) or null when the account must be re-linked
   * (the call then fails with `TraktUnauthorizedError`). Whatever it throws (for example
   * `TraktRefreshRejectedError` from `oauth.refreshToken`) is passed through to the API caller.
   */
  refreshAfterUnauthorized?(rejectedToken: string): Promise<string | null>;
}

/** Structured logger shape (pino-compatible). The client never passes tokens or bodies to it. */
export interface TraktLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
