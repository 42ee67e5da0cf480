/**
 * The Trakt client against the Trakt emulator over real HTTP, with Trakt's real rate limits
 * (1 write/s and 1000 GETs / 5 min per user). Every assertion is about behaviour: error classes,
 * statuses, and what the emulator received (its request log), never about elapsed time.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TraktClient } from '../../src/trakt/client.js';
import {
  TraktAccountLimitError,
  TraktConflictError,
  type TraktError,
  TraktForbiddenError,
  TraktLockedError,
  TraktNotFoundError,
  TraktRateLimitedError,
  TraktSchemaError,
  TraktUnauthorizedError,
  TraktUnavailableError,
  TraktValidationError,
  TraktVipOnlyError,
} from '../../src/trakt/errors.js';
import type { WatchlistRef } from '../../src/trakt/types.js';
import { clientFor, emulatedUser, requestsTo, startEmulator, type TraktEmulator } from './helpers.js';

let emulator: TraktEmulator;
const clients: TraktClient[] = [];
function client(extra: Parameters<typeof clientFor>[1] = {}): TraktClient {
  const c = clientFor(emulator, extra);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.clearFaults();
  emulator.clearRequests();
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

const LAST_ACTIVITIES = 'GET /sync/last_activities';

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected the call to fail'),
    (error: unknown) => error,
  );
}

function movieRefs(count: number, offset = 0): WatchlistRef[] {
  return emulator.catalog
    .movies()
    .slice(offset, offset + count)
    .map((m) => ({ type: 'movie' as const, ids: { trakt: m.ids.trakt } }));
}

describe('GIVEN Trakt answers with an error status THEN the client throws its class and does not retry', () => {
  it('401: TraktUnauthorizedError when no refresh is possible', async () => {
    const user = emulatedUser(emulator, undefined);
    user.tokens.accessToken = 'not-a-token';
    const error = await failure(client().forUser(user).lastActivities());
    expect(error).toBeInstanceOf(TraktUnauthorizedError);
    expect((error as TraktError).status).toBe(401);
    expect(requestsTo(emulator, LAST_ACTIVITIES)).toHaveLength(1);
  });

  it('403 without a User-Agent: the firewall page becomes TraktForbiddenError(cloudflare)', async () => {
    // Our own fetch wrapper stands for a proxy that drops the header; undici would otherwise add one.
    const stripUa: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('User-Agent', '');
      return fetch(input, { ...init, headers });
    };
    const error = await failure(client({ fetch: stripUa }).search({ query: 'avengers', types: ['movie'] }));
    expect(error).toBeInstanceOf(TraktForbiddenError);
    expect((error as TraktForbiddenError).reason).toBe('cloudflare');
    expect(requestsTo(emulator, 'GET /search/:type')).toHaveLength(1);
  });

  it('403 with an unknown client id: TraktForbiddenError(app)', async () => {
    const error = await failure(client({ clientId: 'deleted-app' }).search({ query: 'avengers', types: ['movie'] }));
    expect(error).toBeInstanceOf(TraktForbiddenError);
    expect((error as TraktForbiddenError).reason).toBe('app');
  });

  it('404: TraktNotFoundError', async () => {
    const error = await failure(client().showSeasons(987654321));
    expect(error).toBeInstanceOf(TraktNotFoundError);
    expect(requestsTo(emulator, 'GET /shows/:id/seasons')).toHaveLength(1);
  });

  it.each([
    [409, TraktConflictError],
    [400, TraktValidationError],
    [422, TraktValidationError],
    [423, TraktLockedError],
    [426, TraktVipOnlyError],
  ] as const)('%i: its own class, sent once', async (status, ErrorClass) => {
    const user = emulatedUser(emulator, undefined);
    emulator.setFault(LAST_ACTIVITIES, { statuses: [status] });
    const error = await failure(client().forUser(user).lastActivities());
    expect(error).toBeInstanceOf(ErrorClass);
    expect((error as TraktError).status).toBe(status);
    expect(requestsTo(emulator, LAST_ACTIVITIES)).toHaveLength(1);
  });

  it('423 on a locked account carries its header flags', async () => {
    const user = emulatedUser(emulator, undefined, { locked: true });
    const error = await failure(client().forUser(user).settings());
    expect(error).toBeInstanceOf(TraktLockedError);
    expect(error).toMatchObject({ locked: true, deactivated: false });
  });

  it('426 carries the upgrade URL', async () => {
    const user = emulatedUser(emulator, undefined);
    emulator.setFault(LAST_ACTIVITIES, { statuses: [426] });
    const error = await failure(client().forUser(user).lastActivities());
    expect((error as TraktVipOnlyError).upgradeUrl).toMatch(/^https:\/\//);
  });

  it('420 mid-import: TraktAccountLimitError with the three headers, what was written before it, no retry', async () => {
    const user = emulatedUser(emulator, undefined, { watchlistLimit: 250 });
    const error = await failure(client().forUser(user).addToWatchlist(movieRefs(400)));
    expect(error).toBeInstanceOf(TraktAccountLimitError);
    expect(error).toMatchObject({ status: 420, limit: 250, vip: false, upgradeUrl: expect.stringMatching(/vip/) as string });
    // Batches of 100: two went in, the third would pass 250 and is refused whole, the fourth is never sent.
    expect((error as TraktError).written).toMatchObject({ changed: { movies: 200 }, requests: 2, items: 200, itemCount: 200 });
    expect(requestsTo(emulator, 'POST /sync/watchlist').map((r) => r.status)).toEqual([201, 201, 420]);
    expect(emulator.watchlist(user.key)).toHaveLength(200);
  });

  it('5xx / 520 that persist: TraktUnavailableError after a bounded number of attempts', async () => {
    emulator.setFault('GET /search/*', { statuses: [520] });
    const error = await failure(client({ retry: { retries: 2 } }).search({ query: 'avengers', types: ['movie'] }));
    expect(error).toBeInstanceOf(TraktUnavailableError);
    expect(error).toMatchObject({ status: 520, kind: 'cloudflare' });
    expect(requestsTo(emulator, 'GET /search/:type')).toHaveLength(3);
  });

  it('a request that never answers: TraktUnavailableError(timeout) after a bounded number of attempts', async () => {
    emulator.setFault('GET /search/*', { hang: true });
    const error = await failure(client({ timeoutMs: 200, retry: { retries: 1 } }).search({ query: 'avengers', types: ['movie'] }));
    expect(error).toBeInstanceOf(TraktUnavailableError);
    expect((error as TraktUnavailableError).kind).toBe('timeout');
    expect(requestsTo(emulator, 'GET /search/:type')).toHaveLength(2);
  });

  it('an answer that does not fit the schema: TraktSchemaError naming the field', async () => {
    // A drifted Trakt: our own fetch wrapper breaks one id in a real emulator answer.
    const drift: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const body = (await res.json()) as Array<{ movie: { ids: { trakt: unknown } } }>;
      if (body[2]) body[2].movie.ids.trakt = 'abc';
      return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
    };
    const error = await failure(client({ fetch: drift }).search({ query: 'avengers', types: ['movie'] }));
    expect(error).toBeInstanceOf(TraktSchemaError);
    expect((error as TraktSchemaError).fieldPath).toBe('items[2].movie.ids.trakt');
    expect(requestsTo(emulator, 'GET /search/:type')).toHaveLength(1);
  });

  it('an empty 200 is a schema error too, never retried', async () => {
    emulator.setFault('GET /search/*', { statuses: [200] });
    const error = await failure(client().search({ query: 'avengers', types: ['movie'] }));
    expect(error).toBeInstanceOf(TraktSchemaError);
    expect(requestsTo(emulator, 'GET /search/:type')).toHaveLength(1);
  });
});

describe('retries', () => {
  it('429 with Retry-After: waits, retries, succeeds', async () => {
    const user = emulatedUser(emulator, undefined);
    emulator.setFault(LAST_ACTIVITIES, { statuses: [429], retryAfter: 1, count: 1 });
    const c = client();
    await expect(c.forUser(user).lastActivities()).resolves.toBeDefined();
    expect(requestsTo(emulator, LAST_ACTIVITIES).map((r) => r.status)).toEqual([429, 200]);
    expect(c.stats().rateLimited).toBe(1);
  });

  it('429 without Retry-After (edge, not the limiter): backs off, retries, succeeds', async () => {
    const user = emulatedUser(emulator, undefined);
    emulator.setFault(LAST_ACTIVITIES, { statuses: [429], count: 2 });
    await expect(client().forUser(user).lastActivities()).resolves.toBeDefined();
    expect(requestsTo(emulator, LAST_ACTIVITIES).map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('429 that keeps coming: TraktRateLimitedError after the retries', async () => {
    const user = emulatedUser(emulator, undefined);
    emulator.setFault(LAST_ACTIVITIES, { statuses: [429], retryAfter: 0 });
    const error = await failure(client({ retry: { retries: 2 } }).forUser(user).lastActivities());
    expect(error).toBeInstanceOf(TraktRateLimitedError);
    expect(requestsTo(emulator, LAST_ACTIVITIES)).toHaveLength(3);
  });

  it('503 then success', async () => {
    emulator.setFault('GET /search/*', { statuses: [503], count: 1 });
    const page = await client().search({ query: 'avengers', types: ['movie'] });
    expect(page.items.length).toBeGreaterThan(0);
    expect(requestsTo(emulator, 'GET /search/:type').map((r) => r.status)).toEqual([503, 200]);
  });

  it('a hung request times out, then the retry succeeds', async () => {
    emulator.setFault('GET /search/*', { hang: true, count: 1 });
    const page = await client({ timeoutMs: 200 }).search({ query: 'avengers', types: ['movie'] });
    expect(page.items.length).toBeGreaterThan(0);
    expect(requestsTo(emulator, 'GET /search/:type')).toHaveLength(2);
  });

  it('a watchlist add is retried after a 5xx: add is idempotent on Trakt', async () => {
    const user = emulatedUser(emulator, undefined);
    emulator.setFault('POST /sync/watchlist', { statuses: [502], count: 1 });
    const result = await client().forUser(user).addToWatchlist(movieRefs(1));
    expect(result.changed.movies).toBe(1);
    expect(requestsTo(emulator, 'POST /sync/watchlist').map((r) => r.status)).toEqual([502, 201]);
  });

  it('an add whose answer was lost is re-sent, and the title ends up listed once', async () => {
    const user = emulatedUser(emulator, undefined);
    // The first attempt reaches Trakt but no answer comes back before our timeout; whether Trakt
    // applied it or not, re-sending is safe.
    emulator.setFault('POST /sync/watchlist', { latencyMs: 600, count: 1 });
    const c = client({ timeoutMs: 300 });
    const result = await c.forUser(user).addToWatchlist(movieRefs(1, 5));
    // Trakt counted the first attempt late, so the re-send may first meet a 429; it ends with a 201.
    expect(requestsTo(emulator, 'POST /sync/watchlist').length).toBeGreaterThanOrEqual(2);
    expect(requestsTo(emulator, 'POST /sync/watchlist').at(-1)?.status).toBe(201);
    expect(result.changed.movies + result.existing.movies).toBe(1);
    expect(emulator.watchlist(user.key)).toHaveLength(1);
  });

  it('420 is never retried', async () => {
    const user = emulatedUser(emulator, undefined, { watchlistLimit: 1 });
    const error = await failure(client().forUser(user).addToWatchlist(movieRefs(2)));
    expect(error).toBeInstanceOf(TraktAccountLimitError);
    expect(requestsTo(emulator, 'POST /sync/watchlist')).toHaveLength(1);
  });
});

describe('401 → one refresh → one retry', () => {
  it('GIVEN an expired access token THEN the provider refreshes once and the call succeeds', async () => {
    const c = client();
    const user = emulatedUser(emulator, c, { refresh: true });
    const oldRefresh = user.tokens.refreshToken;
    emulator.expireAccessTokens(user.key);
    await expect(c.forUser(user).settings()).resolves.toMatchObject({ username: user.key });
    expect(user.refreshCalls).toBe(1);
    expect(requestsTo(emulator, 'GET /users/settings').map((r) => r.status)).toEqual([401, 200]);
    const refreshes = requestsTo(emulator, 'POST /oauth/token');
    expect(refreshes).toHaveLength(1);
    expect((refreshes[0]?.body as { refresh_token: string }).refresh_token).toBe(oldRefresh);
  });

  it('GIVEN the provider cannot refresh THEN TraktUnauthorizedError after one request', async () => {
    const user = emulatedUser(emulator, undefined);
    emulator.expireAccessTokens(user.key);
    const error = await failure(client().forUser(user).settings());
    expect(error).toBeInstanceOf(TraktUnauthorizedError);
    expect(user.refreshCalls).toBe(1);
    expect(requestsTo(emulator, 'GET /users/settings')).toHaveLength(1);
  });

  it('GIVEN the refreshed token is refused as well THEN it stops after one retry', async () => {
    const user = emulatedUser(emulator, undefined);
    emulator.revokeAllTokens(user.key);
    // A provider that "refreshes" to another dead token.
    user.refreshAfterUnauthorized = (): Promise<string | null> => {
      user.refreshCalls += 1;
      return Promise.resolve('also-dead');
    };
    const error = await failure(client().forUser(user).settings());
    expect(error).toBeInstanceOf(TraktUnauthorizedError);
    expect(user.refreshCalls).toBe(1);
    expect(requestsTo(emulator, 'GET /users/settings')).toHaveLength(2);
  });
});

describe('rate limits, batching and sharing', () => {
  it('adding 1,000 items sends at most 10 write requests', async () => {
    const user = emulatedUser(emulator, undefined, { vip: true });
    const movies = movieRefs(600);
    const shows = emulator.catalog
      .shows()
      .slice(0, 400)
      .map((s) => ({ type: 'show' as const, ids: { trakt: s.ids.trakt } }));
    const c = client();
    const result = await c.forUser(user).addToWatchlist([...movies, ...shows]);
    expect(result).toMatchObject({ changed: { movies: 600, shows: 400 }, items: 1000, notFound: [] });
    expect(result.requests).toBeLessThanOrEqual(10);
    const posts = requestsTo(emulator, 'POST /sync/watchlist');
    expect(posts.length).toBeLessThanOrEqual(10);
    expect(posts.every((r) => r.status === 201)).toBe(true);
    expect(emulator.watchlist(user.key)).toHaveLength(1000);
    expect(c.stats()).toMatchObject({ itemsBatched: 1000, batchRequests: posts.length, rateLimited: 0 });
  }, 30_000);

  it('10 concurrent identical searches send 1 request', async () => {
    const c = client();
    const pages = await Promise.all(Array.from({ length: 10 }, () => c.search({ query: 'avengers', types: ['movie'] })));
    expect(new Set(pages.map((p) => JSON.stringify(p.items))).size).toBe(1);
    expect(requestsTo(emulator, 'GET /search/:type')).toHaveLength(1);
    expect(c.stats().savedByDedupe).toBe(9);
  });

  it('writes of one user are spaced ≥1 s apart and get no 429; another user is not held up', async () => {
    const c = client();
    const alice = emulatedUser(emulator, undefined);
    const bob = emulatedUser(emulator, undefined);
    const refs = movieRefs(4, 20);
    await Promise.all([
      ...refs.map((ref) => c.forUser(alice).addToWatchlist([ref])),
      ...refs.map((ref) => c.forUser(bob).removeFromWatchlist([ref])),
    ]);
    const writes = emulator.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/sync/watchlist'));
    expect(writes.map((r) => r.status).filter((s) => s === 429)).toEqual([]);
    for (const name of [alice.key, bob.key]) {
      const at = writes.filter((r) => r.user === name).map((r) => r.at);
      expect(at).toHaveLength(4);
      for (let i = 1; i < at.length; i += 1) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(1000);
    }
    // Per-user queues: Bob's first write did not wait for Alice's last one.
    const bobFirst = Math.min(...writes.filter((r) => r.user === bob.key).map((r) => r.at));
    const aliceLast = Math.max(...writes.filter((r) => r.user === alice.key).map((r) => r.at));
    expect(bobFirst).toBeLessThan(aliceLast);
    expect(c.stats().rateLimited).toBe(0);
  }, 20_000);

  it('a write that Trakt counts late (slow answer) does not cost the next write a 429', async () => {
    // Trakt counts a write when it gets to it: here the first one 600 ms after arrival, the next at once.
    // Spacing sends by 1 s would put the two counts 0.4 s apart; spacing from the answer cannot.
    const c = client();
    const user = emulatedUser(emulator, undefined);
    emulator.setFault('POST /sync/watchlist', { latencyMs: 600, count: 1 });
    for (const ref of movieRefs(2, 60)) await c.forUser(user).addToWatchlist([ref]);
    expect(requestsTo(emulator, 'POST /sync/watchlist').map((r) => r.status)).toEqual([201, 201]);
    expect(c.stats().rateLimited).toBe(0);
  });

  it('watchlistAll reads every page of a 600-item watchlist at limit=250', async () => {
    const user = emulatedUser(emulator, undefined, { vip: true });
    emulator.seedWatchlist(
      user.key,
      emulator.catalog
        .movies()
        .slice(1000, 1600)
        .map((m) => ({ type: 'movie' as const, trakt: m.ids.trakt })),
    );
    for (const read of [() => client().forUser(user).watchlistAll(), () => client().forUser(user).watchlistAll({ type: 'all' })]) {
      emulator.clearRequests();
      const all = await read();
      expect(all).toMatchObject({ itemCount: 600, pageCount: 3, consistent: true, skipped: 0 });
      expect(all.entries).toHaveLength(600);
      expect(new Set(all.entries.map((e) => e.title.ids.trakt)).size).toBe(600);
      // The plain, documented route (REFERENCE §8), three pages of 250 and nothing else.
      expect(emulator.requests.map((r) => r.route)).toEqual(['GET /sync/watchlist', 'GET /sync/watchlist', 'GET /sync/watchlist']);
      const gets = requestsTo(emulator, 'GET /sync/watchlist');
      expect(gets.map((r) => r.path)).toEqual(['/sync/watchlist', '/sync/watchlist', '/sync/watchlist']);
      expect(gets.map((r) => r.query['limit'])).toEqual(['250', '250', '250']);
      expect(gets.map((r) => r.query['page']).sort()).toEqual(['1', '2', '3']);
    }
  });

  it('watchlistAll reports an inconsistent read when the item count changes while paging', async () => {
    const user = emulatedUser(emulator, undefined, { vip: true });
    const movies = emulator.catalog.movies().slice(1700, 2300);
    emulator.seedWatchlist(user.key, movies.map((m) => ({ type: 'movie' as const, trakt: m.ids.trakt })));
    // Right after page 1 is answered, an item is added on trakt.tv: the later pages count 601.
    let answered = 0;
    const fetchThenEdit: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (++answered === 1) emulator.seedWatchlist(user.key, [{ type: 'movie', trakt: emulator.catalog.movies()[2400]!.ids.trakt }]);
      return response;
    };
    const all = await client({ fetch: fetchThenEdit }).forUser(user).watchlistAll();
    expect(answered).toBe(3);
    expect(all).toMatchObject({ itemCount: 600, pageCount: 3, consistent: false });
  });

  it('watchlistAll of one type reads the typed, sorted route', async () => {
    const user = emulatedUser(emulator, undefined);
    const show = emulator.catalog.shows()[1]!;
    emulator.seedWatchlist(user.key, [
      { type: 'movie', trakt: emulator.catalog.movies()[5]!.ids.trakt },
      { type: 'show', trakt: show.ids.trakt },
    ]);
    const shows = await client().forUser(user).watchlistAll({ type: 'shows', sortBy: 'title', sortHow: 'desc' });
    expect(shows.entries.map((e) => e.title.ids.trakt)).toEqual([show.ids.trakt]);
    expect(requestsTo(emulator, 'GET /sync/watchlist/:type/:sort_by/:sort_how').map((r) => r.path)).toEqual(['/sync/watchlist/shows/title/desc']);
    await expect(client().forUser(user).watchlistAll({ sortBy: 'title' })).rejects.toThrow(/needs a type/);
  });

  it('a watchlist page maps entries and exposes pagination and the applied sort', async () => {
    const user = emulatedUser(emulator, undefined);
    const show = emulator.catalog.shows()[0]!;
    emulator.seedWatchlist(user.key, [
      { type: 'movie', trakt: emulator.catalog.movies()[0]!.ids.trakt },
      { type: 'show', trakt: show.ids.trakt },
      { type: 'season', show: show.ids.trakt, season: 1 },
      { type: 'episode', show: show.ids.trakt, season: 1, episode: 2 },
    ]);
    const page = await client().forUser(user).watchlistPage({ type: 'all', sortBy: 'rank', sortHow: 'asc', page: 1, limit: 2 });
    expect(page.pagination).toEqual({ page: 1, limit: 2, pageCount: 2, itemCount: 4 });
    expect(page.appliedSort).toEqual({ by: 'rank', how: 'asc' });
    expect(page.items.map((e) => e.type)).toEqual(['movie', 'show']);
    const rest = await client().forUser(user).watchlistPage({ type: 'all', page: 2, limit: 2 });
    expect(rest.items).toMatchObject([
      { type: 'season', season: 1, title: { ids: { trakt: show.ids.trakt } } },
      { type: 'episode', episode: { season: 1, number: 2 } },
    ]);
  });
});

describe('reads', () => {
  it('search maps hits with scores, posters and pagination', async () => {
    const page = await client().search({ query: 'The Avengers', types: ['movie', 'show'], limit: 5 });
    expect(page.pagination).toMatchObject({ page: 1, limit: 5 });
    const first = page.items[0];
    expect(first?.score).toEqual(expect.any(Number));
    expect(first?.title).toMatchObject({ type: 'movie', title: 'The Avengers', year: 2012 });
    expect((first?.title as { posterUrl: string | null }).posterUrl).toMatch(/^http:\/\/127\.0\.0\.1/);
  });

  it('search escapes query syntax and still finds the title', async () => {
    const page = await client().search({ query: 'Avengers: Age of Ultron', types: ['movie'] });
    expect(page.items.map((h) => (h.title as { title: string }).title)).toContain('Avengers: Age of Ultron');
    expect(requestsTo(emulator, 'GET /search/:type')[0]?.query['query']).toBe('Avengers\\: Age of Ultron');
  });

  it('lookupId finds a title by IMDb id with a null score', async () => {
    const hits = await client().lookupId({ idType: 'imdb', id: 'tt0848228', type: 'movie' });
    expect(hits).toMatchObject([{ score: null, title: { type: 'movie', ids: { trakt: 14701 } } }]);
  });

  it('settings, last activities, seasons, episodes and progress map to domain types', async () => {
    const c = client();
    const user = emulatedUser(emulator, undefined, { vip: true });
    const me = c.forUser(user);
    await expect(me.settings()).resolves.toMatchObject({ username: user.key, vip: true, limits: { watchlist: 5000 } });
    const before = await me.lastActivities();
    await me.addToWatchlist(movieRefs(1, 40));
    const after = await me.lastActivities();
    expect(after.watchlistUpdatedAt!.getTime()).toBeGreaterThanOrEqual(before.watchlistUpdatedAt!.getTime());
    const seasons = await c.showSeasons(1390, { withEpisodes: true });
    expect(seasons.find((s) => s.number === 1)?.episodes?.length).toBeGreaterThan(0);
    const episodes = await c.seasonEpisodes(1390, 1);
    expect(episodes[0]).toMatchObject({ season: 1, number: 1, ids: { trakt: expect.any(Number) as number } });
    const progress = await me.showProgress(1390);
    expect(progress.aired).toBeGreaterThan(0);
    expect(progress).toMatchObject({ completed: 0, nextEpisode: { season: 1, number: 1 } });
    // Watching an episode moves last_activities.episodes.watched_at, and the progress with it.
    emulator.markWatched(user.key, [{ type: 'episode', show: 1390, season: 1, episode: 1 }]);
    const watched = await me.lastActivities();
    expect(watched.episodesWatchedAt!.getTime()).toBeGreaterThan(after.episodesWatchedAt!.getTime());
    await expect(me.showProgress(1390)).resolves.toMatchObject({ completed: 1, nextEpisode: { season: 1, number: 2 }, lastEpisode: { season: 1, number: 1 } });
  });

  it('a user-scoped search counts against the user, not the app', async () => {
    const user = emulatedUser(emulator, undefined);
    const c = client();
    await c.forUser(user).search({ query: 'dune', types: ['movie'] });
    expect(requestsTo(emulator, 'GET /search/:type')[0]?.headers['authorization']).toMatch(/^Bearer /);
    expect(c.stats().requestsSent).toMatchObject({ userGet: 1, appGet: 0 });
  });
});
