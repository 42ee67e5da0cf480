import { LRUCache } from 'lru-cache';
import type { TokenManager } from '../../accounts/token-manager.js';
import type { TraktClient, TraktUserClient } from '../../trakt/client.js';
import { TraktNotFoundError, TraktUnauthorizedError } from '../../trakt/errors.js';
import type { AccessTokenProvider, Page, SearchHit, Season, Title, WatchlistEntry, WatchlistRef } from '../../trakt/types.js';
import { TraktProfilePrivateError, TraktUserUnknownError } from '../core/errors.js';
import type { IdLookupHit, LinkedAccount, SearchPage, SearchRequest, Target, TraktCatalogPort, TraktPort, TraktUserPort } from '../core/ports.js';
import { lookupKey, ReadCache, searchKey, type ReadCacheStats } from './read-cache.js';
import { translated } from './trakt-errors.js';

/**
 * An access token is read from the database (and decrypted) once per this interval per user instead of
 * once per Trakt request. Safe: a token replaced meanwhile (a refresh elsewhere) gets a 401, and the
 * token manager then hands over the stored one.
 */
const TOKEN_MEMO_MS = 30_000;
const PROVIDERS_MAX = 10_000;

/** Season lists change rarely; a card for a show asks for them, so they are kept a while. */
const SEASONS_TTL_MS = 10 * 60_000;
const SEASONS_MAX = 2000;

/**
 * The product's caching rules for app-level catalog reads, shared by every user (issue 13): a search
 * answer is served for an hour, a title's metadata (an id lookup) for a day. Bounds on memory: a cached
 * search page (10 results with full metadata) is about 15 KB of objects, a lookup about 2 KB, so at
 * most ~30 MB + ~20 MB. An id Trakt does not know is remembered for an hour only (it may be added).
 */
export const CATALOG_CACHE = {
  searchTtlMs: 60 * 60_000,
  searchMax: 2000,
  metadataTtlMs: 24 * 60 * 60_000,
  metadataMax: 10_000,
  notFoundTtlMs: 60 * 60_000,
} as const;

export interface CatalogCacheStats {
  search: ReadCacheStats;
  metadata: ReadCacheStats;
}
/** Each user's last `last_activities` answer (episodes.watched_at), for show progress to reuse. */
const ACTIVITIES_MAX = 10_000;
const ACTIVITIES_TTL_MS = 10 * 60_000;

export function toWatchlistRef(target: Target): WatchlistRef {
  switch (target.kind) {
    case 'movie':
    case 'show':
      return { type: target.kind, ids: { trakt: target.title.ids.trakt } };
    case 'season':
      return { type: 'season', showIds: { trakt: target.show.ids.trakt }, season: target.season };
    case 'episode':
      return { type: 'episode', showIds: { trakt: target.show.ids.trakt }, season: target.season, episode: target.episode };
  }
}

/**
 * What can be a Trakt username or slug: letters, digits, `-`, `_` and `.`, 1–100 characters. Names of dots
 * only (a dot path segment) and `me` (Trakt's alias for the token's own user, meaningless without a token)
 * are refused too.
 */
export function isTraktUsername(username: string): boolean {
  return /^[A-Za-z0-9._-]{1,100}$/.test(username) && !/^\.+$/.test(username) && username.toLowerCase() !== 'me';
}

function titlesOf(hits: SearchHit[]): Title[] {
  const titles: Title[] = [];
  for (const hit of hits) if ('ids' in hit.title) titles.push(hit.title);
  return titles;
}

/** The Trakt client as the core's ports: app-level catalog reads, and user-level calls through the token manager. */
export type TraktPortWithCache = TraktPort & {
  /** Drops what is remembered about an identity's link (after an unlink or a re-link). */
  forget(identityId: number): void;
  /** Hits and misses of the shared search and metadata caches since start. */
  cacheStats(): CatalogCacheStats;
};

export interface TraktPortOptions {
  /** Overrides of `CATALOG_CACHE` (tests, benchmarks). */
  cache?: Partial<typeof CATALOG_CACHE>;
  /** The caches' clock (benchmarks simulating hours); `performance` by default. */
  perf?: { now(): number };
}

export function createTraktPort(deps: { trakt: TraktClient; tokens: TokenManager }, options: TraktPortOptions = {}): TraktPortWithCache {
  const providers = new LRUCache<number, AccessTokenProvider>({ max: PROVIDERS_MAX, ttl: TOKEN_MEMO_MS });

  /** The token manager's provider, with the token remembered for a short while. */
  async function providerFor(identityId: number): Promise<AccessTokenProvider> {
    const known = providers.get(identityId);
    if (known !== undefined) return known;
    const inner = await deps.tokens.providerFor(identityId);
    let memo: { token: Promise<string>; at: number } | undefined;
    const provider: AccessTokenProvider = {
      key: inner.key,
      getAccessToken() {
        if (memo === undefined || Date.now() - memo.at >= TOKEN_MEMO_MS) {
          const token = inner.getAccessToken();
          memo = { token, at: Date.now() };
          token.catch(() => {
            memo = undefined;
          });
        }
        return memo.token;
      },
      ...(inner.refreshAfterUnauthorized
        ? {
            refreshAfterUnauthorized: async (rejected: string) => {
              memo = undefined;
              const fresh = await inner.refreshAfterUnauthorized?.(rejected);
              if (fresh == null) providers.delete(identityId);
              return fresh ?? null;
            },
          }
        : {}),
    };
    providers.set(identityId, provider);
    return provider;
  }

  const seasonsCache = new LRUCache<number, Promise<Season[]>>({ max: SEASONS_MAX, ttl: SEASONS_TTL_MS });

  function cachedSeasons(showId: number): Promise<Season[]> {
    const hit = seasonsCache.get(showId);
    if (hit !== undefined) return hit;
    const seasons = translated(() => deps.trakt.showSeasons(showId));
    seasonsCache.set(showId, seasons);
    // A failure is not remembered: the next card asks again.
    void seasons.catch(() => {
      if (seasonsCache.peek(showId) === seasons) seasonsCache.delete(showId);
    });
    return seasons;
  }

  // Searches and id lookups are the same for every user, whoever's token they are sent with: one cache
  // serves the app-level catalog and every user's.
  const rules = { ...CATALOG_CACHE, ...options.cache };
  const perf = options.perf === undefined ? {} : { perf: options.perf };
  const searches = new ReadCache<Page<SearchHit>>({ max: rules.searchMax, ttlMs: rules.searchTtlMs, ...perf });
  const lookups = new ReadCache<SearchHit[]>({ max: rules.metadataMax, ttlMs: rules.metadataTtlMs, ...perf });

  function catalogOf(source: Pick<TraktClient, 'search' | 'lookupId'>): TraktCatalogPort {
    const cachedLookup = (input: Parameters<TraktClient['lookupId']>[0]): Promise<SearchHit[]> =>
      lookups.get(
        lookupKey(input),
        async () => {
          try {
            return await source.lookupId(input);
          } catch (error) {
            if (error instanceof TraktNotFoundError) return [];
            throw error;
          }
        },
        (hits) => (hits.length === 0 ? rules.notFoundTtlMs : undefined),
      );
    const search = (request: SearchRequest): Promise<SearchPage> =>
      translated(async () => {
        const input = {
          query: request.query,
          types: request.types,
          page: request.page,
          limit: request.limit,
          ...(request.year === undefined ? {} : { year: request.year }),
        };
        const page = await searches.get(searchKey(input), () => source.search(input));
        const hits = titlesOf(page.items);
        const skipped = page.items.length - hits.length;
        return { hits, total: Math.max(0, (page.pagination?.itemCount ?? page.items.length) - skipped) };
      });
    return {
      search,
      lookupIds: (input) =>
        translated(async () => {
          const hits = await cachedLookup({ idType: input.idType, id: input.id, ...(input.type === undefined ? {} : { type: input.type }) });
          return hits.map((hit): IdLookupHit =>
            'ids' in hit.title
              ? { type: hit.title.type, title: hit.title }
              : {
                  type: 'episode',
                  show: hit.title.show,
                  season: hit.title.episode.season,
                  episode: hit.title.episode.number,
                  ...(hit.title.episode.title ? { episodeTitle: hit.title.episode.title } : {}),
                },
          );
        }),
      lookupImdb: (imdbId) =>
        translated(async () => titlesOf(await cachedLookup({ idType: 'imdb', id: imdbId }))[0]),
      async lookupSlug(type, slug) {
        // The client has no summary call; a search on the slug's words finds the title with that slug.
        const year = /-((?:19|20)\d{2})$/.exec(slug)?.[1];
        const words = (year === undefined ? slug : slug.slice(0, -5)).replace(/-/g, ' ').trim() || slug;
        for (const request of [
          { query: words, types: [type], page: 1, limit: 50, ...(year === undefined ? {} : { year: Number(year) }) },
          { query: words, types: [type], page: 1, limit: 50 },
        ]) {
          const page = await search(request);
          const found = page.hits.find((t) => t.ids.slug === slug);
          if (found !== undefined) return found;
        }
        return undefined;
      },
      seasons: (showId) => cachedSeasons(showId),
      episodes: (showId, season) => translated(() => deps.trakt.seasonEpisodes(showId, season)),
      // Release dates are the application's reads (no user's data): counted against the app's limit.
      movieReleases: (movieId) => translated(() => deps.trakt.movieReleases(movieId)),
    };
  }

  const appCatalog = catalogOf(deps.trakt);

  const episodesWatched = new LRUCache<number, { at: Date | null; readAt: number }>({ max: ACTIVITIES_MAX, ttl: ACTIVITIES_TTL_MS });

  /** Reads last_activities and remembers its episodes.watched_at for the identity. */
  async function lastActivitiesOf(identityId: number, user: TraktUserClient) {
    const activities = await user.lastActivities();
    episodesWatched.set(identityId, { at: activities.episodesWatchedAt ?? null, readAt: Date.now() });
    return activities;
  }

  function userPort(user: TraktUserClient, identityId: number): TraktUserPort {
    return {
      ...catalogOf(user),
      add: (targets) => translated(() => user.addToWatchlist(targets.map(toWatchlistRef))),
      remove: (targets) => translated(() => user.removeFromWatchlist(targets.map(toWatchlistRef))),
      watchlistActivity: () =>
        translated(async () => {
          const activities = await lastActivitiesOf(identityId, user);
          return activities.watchlistUpdatedAt ?? null;
        }),
      showProgress: (showTraktId) => translated(() => user.showProgress(showTraktId)),
      episodesWatchedActivity: (maxAgeMs) =>
        translated(async () => {
          const known = episodesWatched.get(identityId);
          if (known !== undefined && Date.now() - known.readAt < maxAgeMs) return known.at;
          return (await lastActivitiesOf(identityId, user)).episodesWatchedAt ?? null;
        }),
      watchlistAll: () => translated(async () => (await user.watchlistAll({ type: 'all' })).entries),
      movieCalendar: (kind, startDate, days) =>
        translated(() => user.myMovieCalendar(kind === 'released' ? 'movies' : kind === 'digital' ? 'streaming' : 'dvd', { startDate, days })),
      episodeCalendar: (startDate, days) => translated(() => user.myShowCalendar('shows', { startDate, days })),
      settings: () =>
        translated(async (): Promise<LinkedAccount> => {
          const settings = await user.settings();
          return { username: settings.username, vip: settings.vip, watchlistLimit: settings.limits.watchlist ?? null };
        }),
    };
  }

  async function publicWatchlist(username: string): Promise<WatchlistEntry[]> {
    // A name Trakt cannot have is answered without a request (and cannot reach the URL path).
    if (!isTraktUsername(username)) throw new TraktUserUnknownError(username);
    return translated(async () => {
      try {
        return (await deps.trakt.publicWatchlistAll(username)).entries;
      } catch (error) {
        // Sent without a token, so any 401 means the profile is not public: Trakt marks it with
        // `X-Private-User: true` (REFERENCE §13); one without the header cannot mean "link again" here.
        if (error instanceof TraktUnauthorizedError) throw new TraktProfilePrivateError(username, { cause: error });
        if (error instanceof TraktNotFoundError) throw new TraktUserUnknownError(username, { cause: error });
        throw error;
      }
    });
  }

  return {
    catalog: () => appCatalog,
    forIdentity: (identityId) => translated(async () => userPort(deps.trakt.forUser(await providerFor(identityId)), identityId)),
    publicWatchlist,
    forget: (identityId) => {
      providers.delete(identityId);
      episodesWatched.delete(identityId);
    },
    cacheStats: () => ({ search: searches.stats(), metadata: lookups.stats() }),
  };
}
