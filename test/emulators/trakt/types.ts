// Public types of the Trakt emulator. CONTRACT.md is the source of truth; additions beyond it are marked
// "extension" here and listed in CONTRACT.md under "Extensions".

export interface RateLimitClass {
  limit: number;
  periodSeconds: number;
}

export interface TraktEmulatorOptions {
  clientId?: string;
  clientSecret?: string;
  accessTokenTtlSeconds?: number;
  deviceCodeTtlSeconds?: number;
  deviceIntervalSeconds?: number;
  catalogSize?: number;
  seed?: number;
  freeWatchlistLimit?: number;
  vipWatchlistLimit?: number;
  rateLimits?:
    | false
    | {
        authedGet: RateLimitClass;
        authedPost: RateLimitClass;
        unauthedGet: RateLimitClass;
      };
  port?: number;
  /**
   * extension: port of the OAuth host (Trakt's auth.trakt.tv, REFERENCE §1), a second server next to the
   * API's; default 0 (random). OAuth and the authorize/activate pages answer only there.
   */
  authPort?: number;
  /** extension: keep at most this many entries in `requests` (oldest dropped first); default 100000, 0 = keep none */
  requestLogLimit?: number;
  /**
   * extension: `GET /oauth/authorize` shows a consent page (pick an emulated user, Approve or Deny) instead of
   * deciding at once by `setAuthorizeDecision`; for people trying the bot (`npm run demo`). Default false.
   */
  consentPage?: boolean;
}

export type RefreshFailureMode = 'invalid_grant_400' | 'invalid_grant_401' | 'empty_400';

export interface FaultSpec {
  statuses?: number[];
  /**
   * The share of matching requests that get a fault (default 1). With several faults named (statuses,
   * `hang`, `loseAnswer`), a request that draws one gets one of them at random.
   */
  share?: number;
  count?: number;
  latencyMs?: number;
  hang?: boolean;
  retryAfter?: number;
  /**
   * The request is carried out (a write is applied) and then its connection is dropped before the
   * answer: the client cannot tell whether it landed.
   */
  loseAnswer?: boolean;
}

export interface UserPatch {
  vip?: boolean;
  watchlistLimit?: number;
  locked?: boolean;
  /** extension: a private profile: `/users/:id/...` of this user answers 401 `X-Private-User: true` to anyone but the user */
  private?: boolean;
}

export interface TraktEmulator {
  url: string;
  authUrl: string;
  clientId: string;
  clientSecret: string;

  addUser(input: { username: string; vip?: boolean; watchlistLimit?: number; locked?: boolean; private?: boolean }): EmulatedUser;
  setUser(username: string, patch: UserPatch): void;
  issueTokens(username: string, opts?: { expiresIn?: number }): TokenSet;
  revokeAllTokens(username: string): void;
  setRefreshFailure(username: string, mode: RefreshFailureMode | null): void;
  /** extension: every access token of the user answers 401 "expired" from now on; refresh tokens stay valid */
  expireAccessTokens(username: string): void;

  setAuthorizeDecision(decision: { username: string; approve: boolean }): void;
  approveDevice(userCode: string, username: string): void;
  denyDevice(userCode: string): void;
  expireDevice(userCode: string): void;

  watchlist(username: string): WatchlistRecord[];
  seedWatchlist(username: string, refs: CatalogRef[]): void;
  /** extension: mark items watched (like a scrobble elsewhere); Trakt then drops them from the watchlist */
  markWatched(username: string, refs: CatalogRef[]): void;
  catalog: CatalogApi;
  /**
   * extension (calendars): a movie's dates, `YYYY-MM-DD` (UTC). `released` replaces the catalog's release date
   * (the theatrical one); `digital` / `physical` exist only when set (null removes one). Merged with earlier calls.
   */
  setMovieDates(trakt: number, dates: { released?: string; digital?: string | null; physical?: string | null }): void;
  /** extension (calendars): when an episode airs (ISO timestamp), replacing the catalog's air time. */
  setEpisodeAired(show: number, season: number, episode: number, firstAired: string): void;
  /** extension (calendars): forgets every date set with the two controls above. */
  clearDates(): void;

  setFault(route: string, fault: FaultSpec | null): void;
  clearFaults(): void;

  requests: ReadonlyArray<RequestLogEntry>;
  clearRequests(): void;
  close(): Promise<void>;
}

export interface CatalogApi {
  movies(): CatalogMovie[];
  shows(): CatalogShow[];
  findByTitle(title: string): CatalogMovie | CatalogShow | undefined;
  /** extension */
  movie(trakt: number): CatalogMovie | undefined;
  /** extension */
  show(trakt: number): CatalogShow | undefined;
  /** extension: one episode of a show, with its ids (episodes are generated on demand) */
  episode(showTrakt: number, season: number, episode: number): CatalogEpisode | undefined;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
  /** 0 while the request has no answer yet (for example a hang fault) */
  status: number;
  user?: string;
  at: number;
  /** METHOD plus the route pattern, e.g. 'GET /search/:type' or 'POST /sync/watchlist' */
  route: string;
  /** extension: which emulated host received it, the API (`url`) or the OAuth host (`authUrl`) */
  host: 'api' | 'auth';
}

export type CatalogRef =
  | { type: 'movie' | 'show'; trakt: number }
  | { type: 'season'; show: number; season: number }
  | { type: 'episode'; show: number; season: number; episode: number };

export interface EmulatedUser {
  username: string;
  slug: string;
  uuid: string;
  traktId: number;
  vip: boolean;
  watchlistLimit: number;
  /** extension */
  private: boolean;
}

export interface TokenSet {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  created_at: number;
  token_type: 'bearer';
  scope: 'public';
}

export interface MovieIds {
  trakt: number;
  slug: string;
  imdb: string | null;
  tmdb: number | null;
}

export interface ShowIds extends MovieIds {
  tvdb: number | null;
}

export interface SeasonIds {
  trakt: number;
  tvdb: number | null;
  tmdb: number | null;
}

export interface EpisodeIds {
  trakt: number;
  tvdb: number | null;
  imdb: string | null;
  tmdb: number | null;
}

export interface CatalogMovie {
  type: 'movie';
  title: string;
  year: number;
  ids: MovieIds;
  released: string;
  runtime: number;
  rating: number;
  votes: number;
  genres: string[];
  overview: string;
}

export interface CatalogSeason {
  number: number;
  ids: SeasonIds;
  episode_count: number;
}

export interface CatalogShow {
  type: 'show';
  title: string;
  year: number;
  ids: ShowIds;
  status: string;
  network: string;
  aired_episodes: number;
  rating: number;
  votes: number;
  genres: string[];
  overview: string;
  seasons: CatalogSeason[];
}

export interface CatalogEpisode {
  season: number;
  number: number;
  title: string;
  ids: EpisodeIds;
  first_aired: string | null;
}

/** One watchlist entry as the emulator holds it (rank order). */
export interface WatchlistRecord {
  /** list item id (the `id` field of GET /sync/watchlist items) */
  id: number;
  rank: number;
  listed_at: string;
  notes: string | null;
  type: 'movie' | 'show' | 'season' | 'episode';
  ref: CatalogRef;
  /** human label: movie/show title, "Show S02", or "Show S02E05 Title" */
  title: string;
}
