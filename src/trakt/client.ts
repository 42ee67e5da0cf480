/**
 * The Trakt client: every Trakt call of Marquee goes through here. It knows nothing about chat.
 *
 *   const trakt = createTraktClient({ apiUrl, authUrl, clientId, clientSecret, userAgent: 'Marquee/0.1.0' });
 *   const hits = await trakt.search({ query: 'dune', types: ['movie', 'show'] });
 *   const me = trakt.forUser(tokenProvider);
 *   await me.addToWatchlist([{ type: 'movie', ids: { trakt: 12601 } }]);
 */
import { TraktError } from './errors.js';
import { LimiterPool, type LimitsOptions } from './limits.js';
import {
  mapToCalendarEpisode,
  mapToCalendarMovie,
  mapToMovieRelease,
  mapToEpisode,
  mapToLastActivities,
  mapToMediaCounts,
  mapToNotFound,
  mapToSearchHit,
  mapToSeason,
  mapToShowProgress,
  mapToUserSettings,
  mapToWatchlistEntry,
} from './map.js';
import { createOAuth, type TraktOAuth } from './oauth.js';
import { Requester, type FetchFunction, type RetryOptions, type TraktAnswerInfo, type TraktRequestInfo } from './request.js';
import {
  calendarMoviesSchema,
  calendarShowsSchema,
  movieReleasesSchema,
  lastActivitiesSchema,
  searchResultsSchema,
  seasonEpisodesSchema,
  seasonsSchema,
  showProgressSchema,
  userSettingsSchema,
  watchlistAddResponseSchema,
  watchlistItemsSchema,
  watchlistRemoveResponseSchema,
} from './schemas/index.js';
import { StatsRecorder, type TraktClientStats } from './stats.js';
import type {
  AccessTokenProvider,
  CalendarEpisode,
  CalendarMovie,
  MovieRelease,
  Episode,
  LastActivities,
  MediaCounts,
  Page,
  RefIds,
  SearchHit,
  Season,
  ShowProgress,
  SortHow,
  TraktLogger,
  UserSettings,
  WatchlistAll,
  WatchlistEntry,
  WatchlistPage,
  WatchlistRef,
  WatchlistSortBy,
  WatchlistScope,
  WatchlistWriteResult,
} from './types.js';

export interface TraktClientOptions {
  /** `https://api.trakt.tv` in production. */
  apiUrl: string;
  /** `https://auth.trakt.tv` in production (REFERENCE §1). */
  authUrl: string;
  clientId: string;
  clientSecret: string;
  /** Sent on every request, e.g. `Marquee/0.1.0`; Cloudflare blocks requests without one (REFERENCE §2). */
  userAgent: string;
  fetch?: FetchFunction;
  /** Per attempt, headers and body included. Default 15 s. */
  timeoutMs?: number;
  retry?: RetryOptions;
  limits?: LimitsOptions;
  /** Items per watchlist write request, 1–100 (default 100; see `MAX_BATCH_SIZE`). */
  batchSize?: number;
  logger?: TraktLogger;
  /** Told of every HTTP answer Trakt gives (e.g. that Trakt answers again after an outage). */
  onAnswer?: (answer: TraktAnswerInfo) => void;
  /** Told of every attempt sent (API and OAuth), with its route template, status and limiter wait: metrics. */
  onRequest?: (request: TraktRequestInfo) => void;
}

/**
 * Watchlist writes carry at most 100 items per request. Writes are limited to one per second per user
 * (REFERENCE §4), so batching is what makes an import fast: 1,000 items take 10 requests (~10 s), not
 * 1,000 (~17 min). Larger batches would save little more, but they make each request slower and
 * heavier (more likely to hit the timeout), make a retry after a lost answer re-send more, and blur
 * where a 420 struck: a limit hit inside a batch loses at most 100 items of precision about what was
 * written (REFERENCE §9, §14).
 */
export const MAX_BATCH_SIZE = 100;

const EXTENDED_MEDIA = 'full,images';
/** Trakt's largest page since 2026-06 (REFERENCE §5); larger limits are clamped. */
export const WATCHLIST_PAGE_LIMIT = 250;

export type SearchType = 'movie' | 'show' | 'episode';

/** Trakt documents at most 33 days per calendar request. */
export const MAX_CALENDAR_DAYS = 33;

/**
 * The user's movie calendars: `movies` is the release date Trakt shows on the movie (theatrical),
 * `streaming` digital releases, `dvd` physical ones (DVD and Blu-ray).
 */
export type MovieCalendarKind = 'movies' | 'streaming' | 'dvd';
/** The user's show calendars: every episode, season premieres (episode 1 of any season), or new shows (S01E01). */
export type ShowCalendarKind = 'shows' | 'premieres' | 'new';

export interface CalendarInput {
  /** UTC calendar date `YYYY-MM-DD`. */
  startDate: string;
  /** 1–33. */
  days: number;
}
export type IdType = 'imdb' | 'tmdb' | 'tvdb' | 'trakt';

export interface SearchInput {
  /** What the user typed. Query-syntax characters are escaped unless `rawQuery` is set. */
  query: string;
  rawQuery?: boolean;
  types: SearchType[];
  /** Sent as Trakt's `years` filter (REFERENCE §7; ⚠ filter support on /search is not confirmed for 2026). */
  year?: number;
  page?: number;
  /** Always sent: the default page size changed silently before (REFERENCE §5). Default 10. */
  limit?: number;
}

export interface LookupInput {
  idType: IdType;
  id: string | number;
  /** Narrows ids that are not globally unique (tmdb/tvdb are shared by movies, shows, episodes). */
  type?: SearchType;
}

export interface WatchlistPageInput {
  /**
   * Default `'all'`: every type through the plain `GET /sync/watchlist`, in rank order (that route takes
   * no sort; a sort other than rank asc needs a type). A type reads `/sync/watchlist/:type/:sort_by/:sort_how`.
   */
  type?: WatchlistScope;
  sortBy?: WatchlistSortBy;
  sortHow?: SortHow;
  page: number;
  /** 1–250. */
  limit: number;
}

export type WatchlistAllInput = Omit<WatchlistPageInput, 'page' | 'limit'>;

export interface TraktUserClient {
  readonly key: string;
  /** Like `TraktClient.search`, but counted against this user's GET limit instead of the app's (REFERENCE §4). */
  search(input: SearchInput): Promise<Page<SearchHit>>;
  lookupId(input: LookupInput): Promise<SearchHit[]>;
  watchlistPage(input: WatchlistPageInput): Promise<WatchlistPage>;
  /**
   * Every entry: all pages at limit=250, page count read from the first answer at that same limit.
   * Without input (or with `type: 'all'`) it reads the whole watchlist through `GET /sync/watchlist`.
   */
  watchlistAll(input?: WatchlistAllInput): Promise<WatchlistAll>;
  /**
   * Adds in batches of ≤100 items, one request per batch, results summed. When a batch fails (a 420
   * account limit, say), the error is thrown with `error.written` = what earlier batches wrote.
   */
  addToWatchlist(refs: WatchlistRef[]): Promise<WatchlistWriteResult>;
  removeFromWatchlist(refs: WatchlistRef[]): Promise<WatchlistWriteResult>;
  lastActivities(): Promise<LastActivities>;
  settings(): Promise<UserSettings>;
  showProgress(showId: string | number): Promise<ShowProgress>;
  /** `GET /calendars/my/{movies,streaming,dvd}/:start_date/:days` (the user's watchlisted, collected or watched movies). */
  myMovieCalendar(kind: MovieCalendarKind, input: CalendarInput): Promise<CalendarMovie[]>;
  /** `GET /calendars/my/shows[/premieres|/new]/:start_date/:days`. */
  myShowCalendar(kind: ShowCalendarKind, input: CalendarInput): Promise<CalendarEpisode[]>;
}

export interface TraktClient {
  /** Unauthenticated search; shares the application-wide GET limit. Prefer `forUser(...).search` when a user is known. */
  search(input: SearchInput): Promise<Page<SearchHit>>;
  lookupId(input: LookupInput): Promise<SearchHit[]>;
  /**
   * Another user's whole watchlist through `GET /users/:id/watchlist` (REFERENCE §8), app credentials only
   * (no token; the application-wide GET limit), every page read like `TraktUserClient.watchlistAll`.
   * A private profile answers 401 with `X-Private-User: true`: `TraktUnauthorizedError` with
   * `privateUser` set (REFERENCE §13). An unknown user: `TraktNotFoundError`.
   */
  publicWatchlistAll(username: string): Promise<WatchlistAll>;
  showSeasons(showId: string | number, options?: { withEpisodes?: boolean }): Promise<Season[]>;
  seasonEpisodes(showId: string | number, season: number): Promise<Episode[]>;
  /** `GET /movies/:id/releases[/:country]`: every release Trakt knows, with its type (theatrical, digital, physical …). */
  movieReleases(movieId: string | number, country?: string): Promise<MovieRelease[]>;
  readonly oauth: TraktOAuth;
  forUser(provider: AccessTokenProvider): TraktUserClient;
  /** Counters for metrics and the benchmark. */
  stats(): TraktClientStats;
  resetStats(): void;
  /** Stops the limiters; queued requests are rejected. */
  close(): void;
}

/**
 * Trakt's search gives `+ - && || ! ( ) { } [ ] ^ " ~ * ? : /` a meaning; a title like
 * "Mission: Impossible" must have them escaped with `\\` (REFERENCE §7).
 */
export function escapeSearchQuery(query: string): string {
  return query.replace(/[+\-&|!(){}[\]^"~*?:/\\]/g, (c) => `\\${c}`);
}

function seg(value: string | number): string {
  return encodeURIComponent(String(value));
}

function mapHits(wire: Parameters<typeof mapToSearchHit>[0][]): SearchHit[] {
  return wire.map(mapToSearchHit).filter((hit): hit is SearchHit => hit !== null);
}

/** Removes keys whose value is undefined, so ids objects stay minimal on the wire. */
function wireIds(ids: RefIds): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(ids)) if (v !== undefined) out[k] = v as string | number;
  return out;
}

interface WriteBody {
  movies?: unknown[];
  shows?: unknown[];
  seasons?: unknown[];
  episodes?: unknown[];
}

/**
 * Builds one `POST /sync/watchlist(/remove)` body (REFERENCE §9). Seasons and episodes given by show
 * become `shows: [{ids, seasons: [{number, episodes?}]}]`; whole seasons and single episodes of one
 * show go in separate show entries, since a season with `episodes` means only those episodes.
 */
export function buildWriteBody(refs: WatchlistRef[]): WriteBody {
  const movies: unknown[] = [];
  const shows: unknown[] = [];
  const seasons: unknown[] = [];
  const episodes: unknown[] = [];
  const wholeSeasons = new Map<string, { ids: RefIds; seasons: Set<number> }>();
  const singleEpisodes = new Map<string, { ids: RefIds; seasons: Map<number, Set<number>> }>();

  for (const ref of refs) {
    if ('ids' in ref) {
      const entry = { ids: wireIds(ref.ids) };
      if (ref.type === 'movie') movies.push(entry);
      else if (ref.type === 'show') shows.push(entry);
      else if (ref.type === 'season') seasons.push(entry);
      else episodes.push(entry);
    } else if (ref.type === 'season') {
      const key = JSON.stringify(wireIds(ref.showIds));
      const entry = wholeSeasons.get(key) ?? { ids: ref.showIds, seasons: new Set<number>() };
      entry.seasons.add(ref.season);
      wholeSeasons.set(key, entry);
    } else {
      const key = JSON.stringify(wireIds(ref.showIds));
      const entry = singleEpisodes.get(key) ?? { ids: ref.showIds, seasons: new Map<number, Set<number>>() };
      const eps = entry.seasons.get(ref.season) ?? new Set<number>();
      eps.add(ref.episode);
      entry.seasons.set(ref.season, eps);
      singleEpisodes.set(key, entry);
    }
  }
  for (const { ids, seasons: nums } of wholeSeasons.values()) {
    shows.push({ ids: wireIds(ids), seasons: [...nums].map((number) => ({ number })) });
  }
  for (const { ids, seasons: bySeason } of singleEpisodes.values()) {
    shows.push({
      ids: wireIds(ids),
      seasons: [...bySeason].map(([number, eps]) => ({ number, episodes: [...eps].map((n) => ({ number: n })) })),
    });
  }
  const body: WriteBody = {};
  if (movies.length) body.movies = movies;
  if (shows.length) body.shows = shows;
  if (seasons.length) body.seasons = seasons;
  if (episodes.length) body.episodes = episodes;
  return body;
}

/**
 * The documented watchlist routes (REFERENCE §8): the plain `/sync/watchlist` for every type (rank
 * order), `/sync/watchlist/:type/:sort_by/:sort_how` for one type. `all` as a `:type` is not documented.
 */
export function watchlistPath(input: Pick<WatchlistPageInput, 'type' | 'sortBy' | 'sortHow'>): string {
  const sortBy = input.sortBy ?? 'rank';
  const sortHow = input.sortHow ?? 'asc';
  if (input.type === undefined || input.type === 'all') {
    if (sortBy !== 'rank' || sortHow !== 'asc') {
      throw new Error('a watchlist sort other than rank asc needs a type: the plain /sync/watchlist takes no sort');
    }
    return '/sync/watchlist';
  }
  return `/sync/watchlist/${seg(input.type)}/${seg(sortBy)}/${seg(sortHow)}`;
}

/**
 * `/users/:id/watchlist` for a username or slug (REFERENCE §8). The name is one encoded path segment; a
 * name of dots only would be a dot segment that URL parsing resolves away, so it is refused here.
 */
export function userWatchlistPath(username: string): string {
  if (/^\.*$/.test(username)) throw new Error('a Trakt username must not be empty or only dots');
  return `/users/${seg(username)}/watchlist`;
}

/** `:start_date/:days` of a calendar route, checked before any request is sent. */
function calendarPath(input: CalendarInput): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.startDate)) throw new Error('calendar startDate must be YYYY-MM-DD');
  if (!Number.isInteger(input.days) || input.days < 1 || input.days > MAX_CALENDAR_DAYS) throw new Error(`calendar days must be 1–${MAX_CALENDAR_DAYS}`);
  return `${input.startDate}/${input.days}`;
}

function refKey(ref: WatchlistRef): string {
  return 'ids' in ref
    ? JSON.stringify([ref.type, wireIds(ref.ids)])
    : JSON.stringify([ref.type, wireIds(ref.showIds), ref.season, ref.type === 'episode' ? ref.episode : null]);
}

function addCounts(a: MediaCounts, b: MediaCounts): MediaCounts {
  return { movies: a.movies + b.movies, shows: a.shows + b.shows, seasons: a.seasons + b.seasons, episodes: a.episodes + b.episodes };
}

function emptyWriteResult(): WatchlistWriteResult {
  const zero = { movies: 0, shows: 0, seasons: 0, episodes: 0 };
  return { changed: { ...zero }, existing: { ...zero }, notFound: [], requests: 0, items: 0 };
}

/** Logs a failing shared limit store at most once a minute (it fails for every request while down). */
function sharedLimitsFailed(logger: TraktLogger | undefined): (error: unknown) => void {
  let loggedAt = -Infinity;
  return (error) => {
    const now = performance.now();
    if (now - loggedAt < 60_000) return;
    loggedAt = now;
    logger?.warn(
      { error: error instanceof Error ? error.message : String(error) },
      'shared Trakt limits unavailable: going by this instance\'s own limits until it answers again',
    );
  };
}

export function createTraktClient(options: TraktClientOptions): TraktClient {
  if (options.userAgent.trim() === '') throw new Error('Trakt client needs a User-Agent (Cloudflare blocks requests without one)');
  const batchSize = options.batchSize ?? MAX_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new Error(`Trakt batchSize must be an integer from 1 to ${MAX_BATCH_SIZE}`);
  }
  const fetchFn: FetchFunction = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 15_000;
  const stats = new StatsRecorder();
  const limiters = new LimiterPool({ onSharedError: sharedLimitsFailed(options.logger), ...options.limits });
  const requester = new Requester({
    apiUrl: options.apiUrl,
    clientId: options.clientId,
    userAgent: options.userAgent,
    fetch: fetchFn,
    timeoutMs,
    retry: {
      retries: options.retry?.retries ?? 4,
      maxRetryTimeMs: options.retry?.maxRetryTimeMs ?? 60_000,
      baseDelayMs: options.retry?.baseDelayMs ?? 1000,
      maxDelayMs: options.retry?.maxDelayMs ?? 30_000,
    },
    limiters,
    stats,
    onAnswer: options.onAnswer,
    onRequest: options.onRequest,
    logger: options.logger,
  });
  const oauth = createOAuth({
    authUrl: options.authUrl,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    userAgent: options.userAgent,
    fetch: fetchFn,
    timeoutMs,
    stats,
    logger: options.logger,
    onRequest: options.onRequest,
  });

  async function search(input: SearchInput, auth?: AccessTokenProvider): Promise<Page<SearchHit>> {
    if (input.types.length === 0) throw new Error('search needs at least one type');
    const result = await requester.send({
      method: 'GET',
      path: `/search/${[...new Set(input.types)].join(',')}`,
      query: {
        query: input.rawQuery ? input.query : escapeSearchQuery(input.query),
        extended: EXTENDED_MEDIA,
        years: input.year,
        page: input.page ?? 1,
        limit: input.limit ?? 10,
      },
      schema: searchResultsSchema,
      ...(auth ? { auth } : {}),
    });
    return { items: mapHits(result.data), pagination: result.pagination };
  }

  async function lookupId(input: LookupInput, auth?: AccessTokenProvider): Promise<SearchHit[]> {
    const result = await requester.send({
      method: 'GET',
      path: `/search/${seg(input.idType)}/${seg(input.id)}`,
      query: { type: input.type, extended: EXTENDED_MEDIA },
      schema: searchResultsSchema,
      ...(auth ? { auth } : {}),
    });
    return mapHits(result.data);
  }

  /** One page of a watchlist route (`/sync/watchlist…` with a token, `/users/:id/watchlist` without), mapped. */
  async function readWatchlistPage(
    path: string,
    page: { page: number; limit: number },
    auth: AccessTokenProvider | undefined,
  ): Promise<WatchlistPage> {
    if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > WATCHLIST_PAGE_LIMIT) {
      // Trakt clamps larger limits without saying so (REFERENCE §5): a caller would miss items.
      throw new Error(`watchlist page limit must be 1–${WATCHLIST_PAGE_LIMIT}`);
    }
    const result = await requester.send({
      method: 'GET',
      path,
      query: { page: page.page, limit: page.limit, extended: EXTENDED_MEDIA },
      schema: watchlistItemsSchema,
      ...(auth ? { auth } : {}),
    });
    const items: WatchlistEntry[] = [];
    for (const wire of result.data) {
      const entry = mapToWatchlistEntry(wire);
      if (entry) items.push(entry);
    }
    return {
      items,
      pagination: result.pagination,
      skipped: result.data.length - items.length,
      ...(result.appliedSort ? { appliedSort: result.appliedSort } : {}),
    };
  }

  /** Every page of a watchlist: page 1 at limit=250, then the page count that answer gives, at that same limit. */
  async function readAllWatchlistPages(readPage: (page: number) => Promise<WatchlistPage>): Promise<WatchlistAll> {
    const first = await readPage(1);
    // Page count from the first answer at the same limit we keep using (the trakt/trakt-api#924 bug
    // was mixing a count computed at one limit with another limit, REFERENCE §5).
    const pageCount = first.pagination?.pageCount ?? 1;
    const itemCount = first.pagination?.itemCount ?? first.items.length;
    const rest = await Promise.all(Array.from({ length: Math.max(0, pageCount - 1) }, (_, i) => readPage(i + 2)));
    const pages = [first, ...rest];
    const consistent = pages.every((p) => p.pagination === undefined || p.pagination.itemCount === itemCount);
    return {
      entries: pages.flatMap((p) => p.items),
      itemCount,
      pageCount,
      consistent,
      skipped: pages.reduce((n, p) => n + p.skipped, 0),
    };
  }

  function forUser(auth: AccessTokenProvider): TraktUserClient {
    // async: a sort the route cannot take rejects the promise rather than throwing at the call.
    const watchlistPage = async (input: WatchlistPageInput): Promise<WatchlistPage> =>
      readWatchlistPage(watchlistPath(input), input, auth);

    async function write(kind: 'add' | 'remove', refs: WatchlistRef[]): Promise<WatchlistWriteResult> {
      const unique = [...new Map(refs.map((r) => [refKey(r), r])).values()];
      const batches: WatchlistRef[][] = [];
      for (let i = 0; i < unique.length; i += batchSize) batches.push(unique.slice(i, i + batchSize));
      stats.batched(unique.length, batches.length);

      const total = emptyWriteResult();
      for (const batch of batches) {
        try {
          const body = buildWriteBody(batch);
          // Retrying add/remove after a 5xx or timeout is safe: both are idempotent on Trakt (REFERENCE §9).
          if (kind === 'add') {
            const { data, attempts } = await requester.send({
              method: 'POST',
              path: '/sync/watchlist',
              body,
              schema: watchlistAddResponseSchema,
              auth,
              idempotent: true,
            });
            if (attempts > 1) total.retried = true;
            total.changed = addCounts(total.changed, mapToMediaCounts(data.added));
            total.existing = addCounts(total.existing, mapToMediaCounts(data.existing));
            total.notFound.push(...mapToNotFound(data.not_found));
            if (data.list?.item_count != null) total.itemCount = data.list.item_count;
            if (data.list?.updated_at != null) total.updatedAt = new Date(data.list.updated_at);
          } else {
            const { data, attempts } = await requester.send({
              method: 'POST',
              path: '/sync/watchlist/remove',
              body,
              schema: watchlistRemoveResponseSchema,
              auth,
              idempotent: true,
            });
            if (attempts > 1) total.retried = true;
            total.changed = addCounts(total.changed, mapToMediaCounts(data.deleted));
            total.notFound.push(...mapToNotFound(data.not_found));
            if (data.list?.item_count != null) total.itemCount = data.list.item_count;
            if (data.list?.updated_at != null) total.updatedAt = new Date(data.list.updated_at);
          }
          total.requests += 1;
          total.items += batch.length;
        } catch (error) {
          if (error instanceof TraktError) error.written = total;
          throw error;
        }
      }
      return total;
    }

    return {
      key: auth.key,
      search: (input) => search(input, auth),
      lookupId: (input) => lookupId(input, auth),
      watchlistPage,

      async watchlistAll({ type, sortBy, sortHow } = {}) {
        const base: WatchlistPageInput = {
          page: 1,
          limit: WATCHLIST_PAGE_LIMIT,
          ...(type ? { type } : {}),
          ...(sortBy ? { sortBy } : {}),
          ...(sortHow ? { sortHow } : {}),
        };
        // Checked before any request: a sort the plain route cannot take throws here, as before.
        const path = watchlistPath(base);
        return readAllWatchlistPages((page) => readWatchlistPage(path, { page, limit: WATCHLIST_PAGE_LIMIT }, auth));
      },

      addToWatchlist: (refs) => write('add', refs),
      removeFromWatchlist: (refs) => write('remove', refs),

      async lastActivities() {
        const { data } = await requester.send({ method: 'GET', path: '/sync/last_activities', schema: lastActivitiesSchema, auth });
        return mapToLastActivities(data);
      },

      async settings() {
        const { data } = await requester.send({ method: 'GET', path: '/users/settings', schema: userSettingsSchema, auth });
        return mapToUserSettings(data);
      },

      async myMovieCalendar(kind, input) {
        const { data } = await requester.send({ method: 'GET', path: `/calendars/my/${kind}/${calendarPath(input)}`, schema: calendarMoviesSchema, auth });
        return data.map(mapToCalendarMovie);
      },

      async myShowCalendar(kind, input) {
        const base = kind === 'shows' ? '/calendars/my/shows' : `/calendars/my/shows/${kind}`;
        const { data } = await requester.send({ method: 'GET', path: `${base}/${calendarPath(input)}`, schema: calendarShowsSchema, auth });
        return data.map(mapToCalendarEpisode);
      },

      async showProgress(showId) {
        const { data } = await requester.send({
          method: 'GET',
          path: `/shows/${seg(showId)}/progress/watched`,
          schema: showProgressSchema,
          auth,
        });
        return mapToShowProgress(data);
      },
    };
  }

  return {
    search: (input) => search(input),
    lookupId: (input) => lookupId(input),

    async publicWatchlistAll(username) {
      const path = userWatchlistPath(username);
      // No `auth`: app credentials only, so the read counts against the application-wide GET limit.
      return readAllWatchlistPages((page) => readWatchlistPage(path, { page, limit: WATCHLIST_PAGE_LIMIT }, undefined));
    },

    async showSeasons(showId, opts = {}) {
      const { data } = await requester.send({
        method: 'GET',
        path: `/shows/${seg(showId)}/seasons`,
        query: { extended: opts.withEpisodes ? 'full,episodes' : 'full' },
        schema: seasonsSchema,
      });
      return data.map(mapToSeason);
    },

    async seasonEpisodes(showId, season) {
      const { data } = await requester.send({
        method: 'GET',
        path: `/shows/${seg(showId)}/seasons/${seg(season)}`,
        query: { extended: 'full' },
        schema: seasonEpisodesSchema,
      });
      return data.map(mapToEpisode);
    },

    async movieReleases(movieId, country) {
      const { data } = await requester.send({
        method: 'GET',
        path: `/movies/${seg(movieId)}/releases${country === undefined ? '' : `/${seg(country)}`}`,
        schema: movieReleasesSchema,
      });
      return data.map(mapToMovieRelease);
    },

    oauth,
    forUser,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    close: () => limiters.close(),
  };
}
