import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTraktEmulator } from './index.js';
import type { CatalogRef, TraktEmulator } from './index.js';
import { call } from './test-client.js';

interface SyncResult {
  added?: Record<string, number>;
  deleted?: Record<string, number>;
  existing?: Record<string, number>;
  not_found: Record<string, unknown[]>;
  list: { updated_at: string; item_count: number };
}

interface Item {
  rank: number;
  id: number;
  listed_at: string;
  notes: string | null;
  type: string;
  movie?: { title: string; ids: { trakt: number } };
  show?: { title: string; ids: { trakt: number } };
  season?: { number: number };
  episode?: { season: number; number: number };
}

describe('Trakt emulator: watchlists', () => {
  let trakt: TraktEmulator;
  let user = 0;

  /** a fresh user and its access token */
  const newUser = (opts: { vip?: boolean; watchlistLimit?: number } = {}): { name: string; token: string } => {
    const name = `watcher-${++user}`;
    trakt.addUser({ username: name, ...opts });
    return { name, token: trakt.issueTokens(name).access_token };
  };
  const movieRefs = (count: number, skip = 0): CatalogRef[] =>
    trakt.catalog
      .movies()
      .slice(skip, skip + count)
      .map((m) => ({ type: 'movie' as const, trakt: m.ids.trakt }));

  beforeAll(async () => {
    trakt = await startTraktEmulator({ rateLimits: false });
  });
  afterAll(async () => {
    await trakt.close();
  });

  it('adds movies, shows, seasons and episodes and reports each count (201)', async () => {
    const { name, token } = newUser();
    const res = await call<SyncResult>(trakt, '/sync/watchlist', {
      token,
      body: {
        movies: [{ ids: { trakt: 14701 } }, { title: 'TRON: Legacy', year: 2010 }, { ids: { imdb: 'tt0000111' } }],
        shows: [
          { ids: { tvdb: 81189 } },
          { ids: { slug: 'game-of-thrones' }, seasons: [{ number: 1 }, { number: 2, episodes: [{ number: 1 }, { number: 2 }] }] },
        ],
        seasons: [{ ids: { trakt: 3964 } }],
        episodes: [{ ids: { imdb: 'tt0959621' } }, { ids: { trakt: 1 } }],
      },
    });
    expect(res.status).toBe(201);
    expect(res.json.added).toEqual({ movies: 2, shows: 1, seasons: 2, episodes: 3 });
    expect(res.json.existing).toEqual({ movies: 0, shows: 0, seasons: 0, episodes: 0 });
    expect(res.json.not_found).toEqual({ movies: [{ ids: { imdb: 'tt0000111' } }], shows: [], seasons: [], episodes: [{ ids: { trakt: 1 } }] });
    expect(res.json.list.item_count).toBe(8);
    expect(trakt.watchlist(name).map((r) => r.title)).toEqual([
      'The Avengers',
      'TRON: Legacy',
      'Breaking Bad',
      'Game of Thrones S01',
      'Game of Thrones S02E01 The North Remembers',
      'Game of Thrones S02E02 The Night Lands',
      'Game of Thrones S02',
      'Breaking Bad S01E01 Pilot',
    ]);
  });

  it('counts duplicates as existing and removes with deleted counts (200)', async () => {
    const { name, token } = newUser();
    await call(trakt, '/sync/watchlist', { token, body: { movies: [{ ids: { trakt: 14701 } }] } });
    const again = await call<SyncResult>(trakt, '/sync/watchlist', {
      token,
      body: { movies: [{ ids: { trakt: 14701 } }, { ids: { slug: 'tron-legacy-2010' } }, { ids: { trakt: 12601 } }] },
    });
    expect(again.json.added?.movies).toBe(1);
    expect(again.json.existing?.movies).toBe(2);

    const removed = await call<SyncResult>(trakt, '/sync/watchlist/remove', {
      token,
      body: { movies: [{ ids: { trakt: 14701 } }, { ids: { trakt: 71938 } }, { ids: { imdb: 'tt0000111' } }] },
    });
    expect(removed.status).toBe(200);
    expect(removed.json.deleted).toEqual({ movies: 1, shows: 0, seasons: 0, episodes: 0 });
    expect(removed.json.not_found.movies).toEqual([{ ids: { imdb: 'tt0000111' } }]);
    expect(removed.json.list.item_count).toBe(1);
    expect(trakt.watchlist(name).map((r) => r.ref)).toEqual([{ type: 'movie', trakt: 12601 }]);
  });

  it('GIVEN an add that would pass the limit THEN 420 with the limit headers and nothing is added', async () => {
    const { name, token } = newUser({ watchlistLimit: 3 });
    trakt.seedWatchlist(name, movieRefs(2, 100));
    const res = await call(trakt, '/sync/watchlist', { token, body: { movies: movieRefs(2, 200).map((r) => ({ ids: { trakt: 'trakt' in r ? r.trakt : 0 } })) } });
    expect(res.status).toBe(420);
    expect(res.headers.get('x-account-limit')).toBe('3');
    expect(res.headers.get('x-vip-user')).toBe('false');
    expect(res.headers.get('x-upgrade-url')).toBe('https://app.trakt.tv/vip');
    expect(trakt.watchlist(name)).toHaveLength(2);

    const fits = await call<SyncResult>(trakt, '/sync/watchlist', { token, body: { movies: [{ ids: { trakt: 14701 } }] } });
    expect(fits.status).toBe(201);
    expect(fits.json.list.item_count).toBe(3);
  });

  it('uses 250 for free users and 5000 for VIP unless overridden, and says so in /users/settings', async () => {
    const free = newUser();
    const vip = newUser({ vip: true });
    const freeSettings = await call<{ user: { vip: boolean }; limits: { watchlist: { item_count: number } } }>(trakt, '/users/settings', { token: free.token });
    expect(freeSettings.json.user.vip).toBe(false);
    expect(freeSettings.json.limits.watchlist.item_count).toBe(250);
    const vipSettings = await call<{ user: { vip: boolean }; limits: { watchlist: { item_count: number } } }>(trakt, '/users/settings', { token: vip.token });
    expect(vipSettings.json).toMatchObject({ user: { vip: true }, limits: { watchlist: { item_count: 5000 } } });

    trakt.seedWatchlist(free.name, movieRefs(250, 100));
    const over = await call(trakt, '/sync/watchlist', { token: free.token, body: { movies: [{ ids: { trakt: 14701 } }] } });
    expect(over.status).toBe(420);
    trakt.setUser(free.name, { vip: true });
    const afterUpgrade = await call(trakt, '/sync/watchlist', { token: free.token, body: { movies: [{ ids: { trakt: 14701 } }] } });
    expect(afterUpgrade.status).toBe(201);
  });

  it('returns 100 items without a limit, clamps limit to 250 and sends pagination headers', async () => {
    const { name, token } = newUser({ vip: true });
    trakt.seedWatchlist(name, movieRefs(320));
    const byDefault = await call<Item[]>(trakt, '/sync/watchlist', { token });
    expect(byDefault.json).toHaveLength(100);
    expect(byDefault.headers.get('x-pagination-limit')).toBe('100');
    expect(byDefault.headers.get('x-pagination-item-count')).toBe('320');
    expect(byDefault.headers.get('x-pagination-page-count')).toBe('4');

    const clamped = await call<Item[]>(trakt, '/sync/watchlist/movies?limit=1000&page=2', { token });
    expect(clamped.headers.get('x-pagination-limit')).toBe('250');
    expect(clamped.headers.get('x-pagination-page-count')).toBe('2');
    expect(clamped.json).toHaveLength(70);
    expect(clamped.json[0]?.rank).toBe(251);
  });

  it('returns items in the current shape, filters by type and sorts', async () => {
    const { name, token } = newUser();
    trakt.seedWatchlist(name, [
      { type: 'movie', trakt: 12601 },
      { type: 'show', trakt: 1390 },
      { type: 'season', show: 1388, season: 2 },
      { type: 'episode', show: 1388, season: 5, episode: 14 },
      { type: 'movie', trakt: 14701 },
    ]);
    const all = await call<Item[]>(trakt, '/sync/watchlist', { token });
    expect(Object.keys(all.json[0] ?? {})).toEqual(['rank', 'id', 'listed_at', 'notes', 'type', 'movie']);
    expect(all.json[2]).toMatchObject({ type: 'season', season: { number: 2 }, show: { ids: { trakt: 1388 } } });
    expect(all.json[3]).toMatchObject({ type: 'episode', episode: { season: 5, number: 14, title: 'Ozymandias' }, show: { title: 'Breaking Bad' } });
    expect(all.headers.get('x-applied-sort-by')).toBe('rank');
    expect(all.headers.get('x-sort-by')).toBe('rank');

    const movies = await call<Item[]>(trakt, '/sync/watchlist/movies/title/asc', { token });
    expect(movies.json.map((i) => i.movie?.title)).toEqual(['The Avengers', 'TRON: Legacy']);
    expect(movies.json.map((i) => i.rank)).toEqual([5, 1]);
    expect(movies.headers.get('x-applied-sort-by')).toBe('title');

    const added = await call<Item[]>(trakt, '/sync/watchlist/movies/rank/desc', { token });
    expect(added.json.map((i) => i.rank)).toEqual([5, 1]);

    // S4: VIP-only sorts fall back to rank for free users
    const vipSort = await call<Item[]>(trakt, '/sync/watchlist/movies/imdb_rating/desc', { token });
    expect(vipSort.headers.get('x-applied-sort-by')).toBe('rank');
    expect(vipSort.headers.get('x-applied-sort-how')).toBe('asc');
    expect(vipSort.json.map((i) => i.rank)).toEqual([1, 5]);
  });

  it('answers 404 to the undocumented type `all`, on /sync and /users alike (REFERENCE §8)', async () => {
    const { token } = newUser();
    for (const path of ['/sync/watchlist/all', '/sync/watchlist/all/rank/asc', '/sync/watchlist/all/rank/desc?limit=250', '/users/me/watchlist/all/rank/asc', '/sync/watchlist/movie']) {
      const res = await call<unknown>(trakt, path, { token });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    for (const path of ['/sync/watchlist', '/sync/watchlist?page=1&limit=250', '/sync/watchlist/movies', '/users/me/watchlist/shows/rank/asc']) {
      const res = await call<unknown>(trakt, path, { token });
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
    }
  });

  it('moves last_activities on every effective add and remove, and only then', async () => {
    const { token } = newUser();
    const activities = async (): Promise<{ all: string; watchlist: { updated_at: string }; movies: { watchlisted_at: string }; shows: { watchlisted_at: string } }> =>
      (await call<{ all: string; watchlist: { updated_at: string }; movies: { watchlisted_at: string }; shows: { watchlisted_at: string } }>(trakt, '/sync/last_activities', { token })).json;
    const before = await activities();
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['all', 'movies', 'episodes', 'shows', 'seasons', 'watchlist', 'favorites', 'account', 'notes']));

    const add = await call<SyncResult>(trakt, '/sync/watchlist', { token, body: { movies: [{ ids: { trakt: 14701 } }] } });
    const afterAdd = await activities();
    expect(afterAdd.watchlist.updated_at > before.watchlist.updated_at).toBe(true);
    expect(afterAdd.movies.watchlisted_at).toBe(afterAdd.watchlist.updated_at);
    expect(afterAdd.shows.watchlisted_at).toBe(before.shows.watchlisted_at);
    expect(add.json.list.updated_at).toBe(afterAdd.watchlist.updated_at);

    await call(trakt, '/sync/watchlist', { token, body: { movies: [{ ids: { trakt: 14701 } }] } });
    expect((await activities()).watchlist.updated_at).toBe(afterAdd.watchlist.updated_at);

    await call(trakt, '/sync/watchlist/remove', { token, body: { movies: [{ ids: { trakt: 14701 } }] } });
    const afterRemove = await activities();
    expect(afterRemove.watchlist.updated_at > afterAdd.watchlist.updated_at).toBe(true);
    expect(afterRemove.all).toBe(afterRemove.watchlist.updated_at);
  });

  it('drops watched items from the watchlist (REFERENCE §8)', async () => {
    const { name, token } = newUser();
    trakt.seedWatchlist(name, [{ type: 'show', trakt: 1388 }, { type: 'movie', trakt: 14701 }]);
    const res = await call<{ added: { episodes: number } }>(trakt, '/sync/history', {
      token,
      body: { episodes: [{ ids: { trakt: 73482 } }] },
    });
    expect(res.status).toBe(201);
    expect(res.json.added.episodes).toBe(1);
    expect(trakt.watchlist(name).map((r) => r.ref)).toEqual([{ type: 'movie', trakt: 14701 }]);
  });

  it('GIVEN a private profile THEN /users/:id data answers 401 X-Private-User to all but its user; unknown users 404 (REFERENCE §13)', async () => {
    const owner = newUser();
    const other = newUser();
    trakt.seedWatchlist(owner.name, movieRefs(3));
    const privateAnswer = async (path: string, token?: string): Promise<void> => {
      const res = await call<{ error: string }>(trakt, path, token === undefined ? {} : { token });
      expect(res.status, path).toBe(401);
      expect(res.headers.get('x-private-user'), path).toBe('true');
    };

    expect((await call<Item[]>(trakt, `/users/${owner.name}/watchlist`)).json).toHaveLength(3);
    trakt.setUser(owner.name, { private: true });
    for (const path of [`/users/${owner.name}/watchlist`, `/users/${owner.name}/watchlist/movies/rank/asc`, `/users/${owner.name}`]) {
      await privateAnswer(path);
      await privateAnswer(path, other.token);
      await privateAnswer(path, 'not-a-token');
    }
    const own = await call<Item[]>(trakt, `/users/${owner.name}/watchlist`, { token: owner.token });
    expect(own.status).toBe(200);
    expect(own.json).toHaveLength(3);
    expect((await call<Item[]>(trakt, '/users/me/watchlist', { token: owner.token })).json).toHaveLength(3);
    expect((await call<{ private: boolean }>(trakt, `/users/${owner.name}`, { token: owner.token })).json.private).toBe(true);

    trakt.setUser(owner.name, { private: false });
    expect((await call(trakt, `/users/${owner.name}/watchlist`)).status).toBe(200);

    const unknown = await call(trakt, '/users/nobody-by-this-name/watchlist');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-private-user')).toBeNull();
  });

  it('makes a profile private through the HTTP controls (PATCH /_emulator/users/:username, POST /_emulator/users)', async () => {
    const { name } = newUser();
    const control = (path: string, method: string, body: unknown): Promise<Response> =>
      fetch(`${trakt.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const patched = await control(`/_emulator/users/${name}`, 'PATCH', { private: true });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ username: name, private: true });
    expect((await call(trakt, `/users/${name}/watchlist`)).status).toBe(401);

    const created = await control('/_emulator/users', 'POST', { username: `${name}-hidden`, private: true });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ private: true });
    expect((await call(trakt, `/users/${name}-hidden/watchlist`)).headers.get('x-private-user')).toBe('true');
    expect((await control(`/_emulator/users/${name}`, 'PATCH', { private: 'yes' })).status).toBe(400);
  });
});

describe('Trakt emulator: rate limits (REFERENCE §4)', () => {
  let trakt: TraktEmulator;

  beforeAll(async () => {
    trakt = await startTraktEmulator({
      rateLimits: {
        authedGet: { limit: 3, periodSeconds: 60 },
        authedPost: { limit: 2, periodSeconds: 1 },
        unauthedGet: { limit: 2, periodSeconds: 60 },
      },
    });
    trakt.addUser({ username: 'limited' });
  });
  afterAll(async () => {
    await trakt.close();
  });

  it('GIVEN too many writes THEN 429 with Retry-After and X-Ratelimit, and the window reopens', async () => {
    const token = trakt.issueTokens('limited').access_token;
    const body = { movies: [{ ids: { trakt: 14701 } }] };
    // sent together so that all three fall into the window the first one opens
    const results = await Promise.all([1, 2, 3].map(() => call(trakt, '/sync/watchlist', { token, body })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 429]);
    const passed = results.filter((r) => r.status === 201).map((r) => JSON.parse(r.headers.get('x-ratelimit') ?? '{}') as { remaining: number });
    expect(passed.map((r) => r.remaining).sort()).toEqual([0, 1]);
    expect(passed[0]).toMatchObject({ name: 'AUTHED_API_POST_LIMIT', limit: 2, period: 1 });

    const limited = results.find((r) => r.status === 429);
    const retryAfter = Number(limited?.headers.get('retry-after'));
    expect(retryAfter).toBe(1);
    const info = JSON.parse(limited?.headers.get('x-ratelimit') ?? '{}') as { name: string; remaining: number; until: string };
    expect(info).toMatchObject({ name: 'AUTHED_API_POST_LIMIT', period: 1, limit: 2, remaining: 0 });
    expect(Number.isNaN(Date.parse(info.until))).toBe(false);
    expect(limited?.text).toBe('AUTHED_API_POST_LIMIT rate limit exceeded. Please wait 1 seconds then retry your request.');

    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    expect((await call(trakt, '/sync/watchlist/remove', { token, body })).status).toBe(200);
  });

  it('limits authed GETs per user and unauthenticated GETs per application', async () => {
    trakt.addUser({ username: 'reader-a' });
    trakt.addUser({ username: 'reader-b' });
    const a = trakt.issueTokens('reader-a').access_token;
    const b = trakt.issueTokens('reader-b').access_token;
    for (let i = 0; i < 3; i++) expect((await call(trakt, '/sync/watchlist', { token: a })).status).toBe(200);
    const limited = await call(trakt, '/sync/watchlist', { token: a });
    expect(limited.status).toBe(429);
    expect(JSON.parse(limited.headers.get('x-ratelimit') ?? '{}')).toMatchObject({ name: 'AUTHED_API_GET_LIMIT' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(50);
    expect((await call(trakt, '/sync/watchlist', { token: b })).status).toBe(200);

    expect((await call(trakt, '/movies/14701')).status).toBe(200);
    expect((await call(trakt, '/shows/1388')).status).toBe(200);
    const anonymous = await call(trakt, '/movies/12601');
    expect(anonymous.status).toBe(429);
    expect(JSON.parse(anonymous.headers.get('x-ratelimit') ?? '{}')).toMatchObject({ name: 'UNAUTHED_API_GET_LIMIT' });
  });

  it('does not rate limit OAuth', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${trakt.authUrl}/oauth/device/code`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'tests/1.0' },
        body: JSON.stringify({ client_id: trakt.clientId }),
      });
      expect(res.status).toBe(200);
    }
  });
});
