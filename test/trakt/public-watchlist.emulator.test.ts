/**
 * A public profile's watchlist (`GET /users/:id/watchlist`, app credentials only) through the Trakt client
 * and the bot's Trakt port, against the Trakt emulator over real HTTP. For a group-pick member who joins
 * read-only with a Trakt username: private profiles and unknown names become the core's errors.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TokenManager } from '../../src/accounts/token-manager.js';
import { TraktProfilePrivateError, TraktUnavailableError, TraktUserUnknownError } from '../../src/bot/core/errors.js';
import { TitleIndex, indexingTraktPort } from '../../src/bot/core/title-index.js';
import { createTraktPort, isTraktUsername } from '../../src/bot/services/trakt-port.js';
import type { TraktClient } from '../../src/trakt/client.js';
import { TraktNotFoundError, TraktUnauthorizedError } from '../../src/trakt/errors.js';
import type { CatalogRef } from '../emulators/trakt/index.js';
import { clientFor, requestsTo, startEmulator, uniqueName, type TraktEmulator } from './helpers.js';

const ROUTE = 'GET /users/:id/watchlist';

let emulator: TraktEmulator;
const clients: TraktClient[] = [];
function client(extra: Parameters<typeof clientFor>[1] = {}): TraktClient {
  const c = clientFor(emulator, extra);
  clients.push(c);
  return c;
}

/** The port as the bot builds it; a public read never asks the token manager for anything. */
function port(trakt: TraktClient = client()) {
  const tokens = new Proxy({} as TokenManager, {
    get: () => {
      throw new Error('a public watchlist read must not touch the token manager');
    },
  });
  return createTraktPort({ trakt, tokens });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected the call to fail'),
    (error: unknown) => error,
  );
}

/** 296 movies, 2 shows, a season and an episode of Breaking Bad (1388): 300 items, more than one page of 250. */
function mixedRefs(): CatalogRef[] {
  const movies = emulator.catalog
    .movies()
    .slice(3000, 3296)
    .map((m) => ({ type: 'movie' as const, trakt: m.ids.trakt }));
  return [
    ...movies,
    { type: 'show', trakt: 1390 },
    { type: 'show', trakt: emulator.catalog.shows()[7]!.ids.trakt },
    { type: 'season', show: 1388, season: 2 },
    { type: 'episode', show: 1388, season: 1, episode: 1 },
  ];
}

function publicUser(options: { private?: boolean; refs?: CatalogRef[] } = {}): string {
  const username = uniqueName('member');
  emulator.addUser({ username, ...(options.private === undefined ? {} : { private: options.private }) });
  if (options.refs) emulator.seedWatchlist(username, options.refs);
  return username;
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

describe('TraktClient.publicWatchlistAll: GET /users/:id/watchlist with app credentials', () => {
  it('GIVEN a public profile with 300 items THEN every page is read at limit=250 without a token, and every type is mapped', async () => {
    const username = publicUser({ refs: mixedRefs() });
    const all = await client().publicWatchlistAll(username);

    expect(all).toMatchObject({ itemCount: 300, pageCount: 2, consistent: true, skipped: 0 });
    expect(all.entries).toHaveLength(300);
    expect(all.entries.map((e) => e.rank)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    const byType = (type: string) => all.entries.filter((e) => e.type === type);
    expect(byType('movie')).toHaveLength(296);
    expect(new Set(byType('movie').map((e) => e.title.ids.trakt)).size).toBe(296);
    expect(byType('show').map((e) => e.title.ids.trakt)).toContain(1390);
    expect(byType('season')).toEqual([expect.objectContaining({ season: 2, title: expect.objectContaining({ type: 'show', ids: expect.objectContaining({ trakt: 1388 }) }) })]);
    expect(byType('episode')).toEqual([
      expect.objectContaining({
        title: expect.objectContaining({ ids: expect.objectContaining({ trakt: 1388 }) }),
        episode: expect.objectContaining({ season: 1, number: 1, ids: expect.objectContaining({ trakt: emulator.catalog.episode(1388, 1, 1)!.ids.trakt }) }),
      }),
    ]);
    // extended=full(,images): summaries and posters, as for the user's own watchlist.
    expect(byType('movie')[0]!.title.posterUrl).toMatch(/^https?:\/\//);

    const gets = requestsTo(emulator, ROUTE);
    expect(emulator.requests.map((r) => r.route)).toEqual([ROUTE, ROUTE]);
    expect(gets.map((r) => r.path)).toEqual([`/users/${username}/watchlist`, `/users/${username}/watchlist`]);
    expect(gets.map((r) => r.query['page']).sort()).toEqual(['1', '2']);
    expect(gets.map((r) => r.query['limit'])).toEqual(['250', '250']);
    expect(gets.every((r) => r.query['extended']?.split(',').includes('full'))).toBe(true);
    expect(gets.map((r) => r.headers['authorization'])).toEqual([undefined, undefined]);
    expect(gets.map((r) => r.headers['trakt-api-key'])).toEqual([emulator.clientId, emulator.clientId]);
  });

  it('GIVEN Trakt pages by a smaller size than asked THEN the page count of the first answer is followed, not a fixed page size', async () => {
    const username = publicUser({ refs: mixedRefs() });
    // Stands for Trakt clamping the page size (REFERENCE §5): every request arrives with limit=100.
    const clamp: typeof fetch = (input, init) => fetch(String(input).replace('limit=250', 'limit=100'), init);
    const all = await client({ fetch: clamp }).publicWatchlistAll(username);
    expect(all).toMatchObject({ itemCount: 300, pageCount: 3, consistent: true });
    expect(new Set(all.entries.map((e) => `${e.type}:${e.title.ids.trakt}:${e.season ?? ''}:${e.episode?.number ?? ''}`)).size).toBe(300);
    expect(requestsTo(emulator, ROUTE).map((r) => r.query['page']).sort()).toEqual(['1', '2', '3']);
  });

  it('GIVEN an empty public watchlist THEN one request and no entries', async () => {
    const all = await client().publicWatchlistAll(publicUser());
    expect(all.entries).toEqual([]);
    expect(requestsTo(emulator, ROUTE)).toHaveLength(1);
  });

  it('GIVEN a private profile THEN TraktUnauthorizedError with privateUser set, not retried', async () => {
    const username = publicUser({ private: true, refs: mixedRefs().slice(0, 3) });
    const error = await failure(client().publicWatchlistAll(username));
    expect(error).toBeInstanceOf(TraktUnauthorizedError);
    expect((error as TraktUnauthorizedError).privateUser).toBe(true);
    expect(requestsTo(emulator, ROUTE).map((r) => r.status)).toEqual([401]);
  });

  it('GIVEN an unknown user THEN TraktNotFoundError', async () => {
    const error = await failure(client().publicWatchlistAll(uniqueName('nobody')));
    expect(error).toBeInstanceOf(TraktNotFoundError);
  });

  it('puts the username into the path as one encoded segment, and refuses dot segments', async () => {
    await expect(client().publicWatchlistAll('a b/c?d')).rejects.toBeInstanceOf(TraktNotFoundError);
    expect(requestsTo(emulator, ROUTE).map((r) => r.path)).toEqual(['/users/a%20b%2Fc%3Fd/watchlist']);
    for (const name of ['', '.', '..']) await expect(client().publicWatchlistAll(name)).rejects.toThrow(/only dots/);
    expect(requestsTo(emulator, ROUTE)).toHaveLength(1);
  });
});

describe('TraktPort.publicWatchlist', () => {
  it('GIVEN a public profile THEN all its entries', async () => {
    const username = publicUser({ refs: mixedRefs() });
    const entries = await port().publicWatchlist(username);
    expect(entries).toHaveLength(300);
    expect(new Set(entries.map((e) => e.type))).toEqual(new Set(['movie', 'show', 'season', 'episode']));
  });

  it('GIVEN a private profile THEN TraktProfilePrivateError naming the user', async () => {
    const username = publicUser({ private: true });
    const error = await failure(port().publicWatchlist(username));
    expect(error).toBeInstanceOf(TraktProfilePrivateError);
    expect((error as TraktProfilePrivateError).username).toBe(username);
    expect((error as TraktProfilePrivateError).code).toBe('trakt-profile-private');
    expect(requestsTo(emulator, ROUTE).map((r) => r.status)).toEqual([401]);
  });

  it('GIVEN a profile made private later THEN TraktProfilePrivateError; public again THEN entries', async () => {
    const username = publicUser({ refs: mixedRefs().slice(0, 5) });
    const trakt = port();
    expect(await trakt.publicWatchlist(username)).toHaveLength(5);
    emulator.setUser(username, { private: true });
    await expect(trakt.publicWatchlist(username)).rejects.toBeInstanceOf(TraktProfilePrivateError);
    emulator.setUser(username, { private: false });
    expect(await trakt.publicWatchlist(username)).toHaveLength(5);
  });

  it('GIVEN a name Trakt does not know THEN TraktUserUnknownError naming it', async () => {
    const name = uniqueName('nobody');
    const error = await failure(port().publicWatchlist(name));
    expect(error).toBeInstanceOf(TraktUserUnknownError);
    expect((error as TraktUserUnknownError).username).toBe(name);
    expect(requestsTo(emulator, ROUTE).map((r) => r.status)).toEqual([404]);
  });

  it('GIVEN a name no Trakt user can have THEN TraktUserUnknownError and no request at all', async () => {
    const bad = ['', ' ', 'two words', 'a/b', '../settings', '..', '.', 'ünïcode', 'x'.repeat(101), 'me', 'ME', 'name\n', '%2e%2e', '@alice'];
    const trakt = port();
    for (const name of bad) {
      expect(isTraktUsername(name), JSON.stringify(name)).toBe(false);
      const error = await failure(trakt.publicWatchlist(name));
      expect(error, JSON.stringify(name)).toBeInstanceOf(TraktUserUnknownError);
      expect((error as TraktUserUnknownError).username).toBe(name);
    }
    expect(emulator.requests).toEqual([]);
    for (const good of ['sean', 'Sean_Rudford', 'a.b-c_d', '1', 'x'.repeat(100)]) expect(isTraktUsername(good), good).toBe(true);
  });

  it('GIVEN Trakt is down THEN the core outage error, after the usual retries', async () => {
    emulator.setFault(ROUTE, { statuses: [503] });
    const error = await failure(port().publicWatchlist(publicUser()));
    expect(error).toBeInstanceOf(TraktUnavailableError);
    expect((error as TraktUnavailableError).kind).toBe('outage');
    expect(requestsTo(emulator, ROUTE).length).toBeGreaterThan(1);
  });

  it('GIVEN Trakt answers 429 throughout THEN the core rate-limited error', async () => {
    emulator.setFault(ROUTE, { statuses: [429], retryAfter: 0 });
    const error = await failure(port().publicWatchlist(publicUser()));
    expect(error).toBeInstanceOf(TraktUnavailableError);
    expect((error as TraktUnavailableError).kind).toBe('rate-limited');
  });

  it('GIVEN a slow Trakt THEN the core "slow" error', async () => {
    emulator.setFault(ROUTE, { latencyMs: 1000 });
    const trakt = client({ timeoutMs: 100, retry: { retries: 1, maxRetryTimeMs: 2000 } });
    const error = await failure(port(trakt).publicWatchlist(publicUser()));
    expect(error).toBeInstanceOf(TraktUnavailableError);
    expect((error as TraktUnavailableError).kind).toBe('slow');
  });

  it('GIVEN the title index decorates the port THEN a public watchlist read adds its titles', async () => {
    const username = publicUser({ refs: [{ type: 'movie', trakt: 14701 }, { type: 'show', trakt: 1388 }] });
    const index = new TitleIndex();
    const entries = await indexingTraktPort(port(), index).publicWatchlist(username);
    expect(entries).toHaveLength(2);
    expect(index.size).toBe(2);
    expect(index.match('avengers', 5).map((t) => t.ids.trakt)).toEqual([14701]);
    expect(index.match('breaking bad', 5).map((t) => t.ids.trakt)).toEqual([1388]);
  });
});
