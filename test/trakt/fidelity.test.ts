/**
 * Fidelity: every kind of answer the client reads from the emulator must parse with the client's own
 * schemas. The schemas are checked against real Trakt samples in fixtures.test.ts, so if the emulator
 * drifts from real Trakt, one of these two files fails.
 *
 * Raw fetch on purpose: this checks the emulator's wire format, not the client's handling of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { parseRateLimitHeader } from '../../src/trakt/errors.js';
import { parsePagination, parseWire } from '../../src/trakt/request.js';
import {
  deviceCodeResponseSchema,
  episodeSchema,
  lastActivitiesSchema,
  movieSchema,
  oauthErrorSchema,
  searchResultsSchema,
  seasonEpisodesSchema,
  seasonsSchema,
  showProgressSchema,
  showSchema,
  tokenResponseSchema,
  userSettingsSchema,
  watchlistAddResponseSchema,
  watchlistItemsSchema,
  watchlistRemoveResponseSchema,
} from '../../src/trakt/schemas/index.js';
import { startEmulator, uniqueName, type TraktEmulator } from './helpers.js';

let emulator: TraktEmulator;
let token: string;
let refreshToken: string;
let username: string;

beforeAll(async () => {
  emulator = await startEmulator({ rateLimits: false });
  username = uniqueName();
  emulator.addUser({ username, vip: true });
  const t = emulator.issueTokens(username);
  token = t.access_token;
  refreshToken = t.refresh_token;
  const show = emulator.catalog.shows()[0]!;
  emulator.seedWatchlist(username, [
    { type: 'movie', trakt: emulator.catalog.movies()[0]!.ids.trakt },
    { type: 'show', trakt: show.ids.trakt },
    { type: 'season', show: show.ids.trakt, season: 1 },
    { type: 'episode', show: show.ids.trakt, season: 1, episode: 1 },
  ]);
});
afterAll(async () => {
  await emulator.close();
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

async function call(method: string, path: string, options: { auth?: boolean; body?: unknown; host?: 'api' | 'auth' } = {}): Promise<Answer> {
  const base = options.host === 'auth' ? emulator.authUrl : emulator.url;
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': 'Marquee/fidelity',
    'trakt-api-key': emulator.clientId,
    'trakt-api-version': '2',
  };
  if (options.auth) headers['Authorization'] = `Bearer ${token}`;
  const res = await fetch(base + path, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function parsed<T>(schema: z.ZodType<T>, answer: Answer, path: string): T {
  return parseWire(schema, JSON.parse(answer.text) as unknown, { method: 'GET', path });
}

const show1390 = 1390;

describe('emulator answers parse with the client schemas', () => {
  it.each([
    ['/search/movie?query=avengers&extended=full,images'],
    ['/search/show?query=breaking%20bad&extended=full,images&limit=5'],
    ['/search/episode?query=pilot&extended=full,images'],
    ['/search/movie,show,episode?query=the&page=2&limit=20&extended=full,images'],
    ['/search/movie,show?query=avengers'],
    ['/search/imdb/tt0848228?extended=full,images'],
    ['/search/imdb/tt0903747?type=show&extended=full,images'],
    ['/search/imdb/tt0959621?extended=full'],
    ['/search/tmdb/1396'],
    ['/search/tvdb/81189?extended=full,images'],
    ['/search/trakt/1?extended=full,images'],
  ])('search %s', async (path) => {
    const answer = await call('GET', path);
    expect(answer.status).toBe(200);
    parsed(searchResultsSchema, answer, path);
    expect(parsePagination(answer.headers)).toBeDefined();
  });

  it.each(['movies', 'shows', 'seasons', 'episodes', 'all'])('watchlist pages of type %s', async (type) => {
    for (const query of ['?page=1&limit=250&extended=full,images', '?limit=2', '']) {
      // Every type: the plain route; `all` is not a documented `:type` (REFERENCE §8).
      const path = type === 'all' ? `/sync/watchlist${query}` : `/sync/watchlist/${type}/rank/asc${query}`;
      const answer = await call('GET', path, { auth: true });
      expect(answer.status).toBe(200);
      const items = parsed(watchlistItemsSchema, answer, path);
      if (type === 'all' && query === '') expect(items.map((i) => i.type).sort()).toEqual(['episode', 'movie', 'season', 'show']);
      expect(parsePagination(answer.headers)).toBeDefined();
    }
  });

  it('add and remove answers, with not_found entries', async () => {
    const movie = emulator.catalog.movies()[3]!;
    const body = {
      movies: [{ ids: { trakt: movie.ids.trakt } }, { ids: { imdb: 'tt0000000001' } }],
      shows: [{ ids: { trakt: show1390 }, seasons: [{ number: 2 }, { number: 3, episodes: [{ number: 1 }] }] }],
      episodes: [{ ids: { trakt: 999_999_999 } }],
    };
    const add = await call('POST', '/sync/watchlist', { auth: true, body });
    expect(add.status).toBe(201);
    const added = parsed(watchlistAddResponseSchema, add, '/sync/watchlist');
    expect(Object.values(added.not_found ?? {}).flat().length).toBeGreaterThan(0);
    const remove = await call('POST', '/sync/watchlist/remove', { auth: true, body });
    expect(remove.status).toBe(200);
    parsed(watchlistRemoveResponseSchema, remove, '/sync/watchlist/remove');
  });

  it('420 carries the account-limit headers the error class reads', async () => {
    const name = uniqueName();
    emulator.addUser({ username: name, watchlistLimit: 1 });
    const t = emulator.issueTokens(name).access_token;
    const movies = emulator.catalog.movies().slice(0, 2).map((m) => ({ ids: { trakt: m.ids.trakt } }));
    const res = await fetch(`${emulator.url}/sync/watchlist`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'x',
        'trakt-api-key': emulator.clientId,
        'trakt-api-version': '2',
        Authorization: `Bearer ${t}`,
      },
      body: JSON.stringify({ movies }),
    });
    expect(res.status).toBe(420);
    expect(res.headers.get('x-account-limit')).toBe('1');
    expect(res.headers.get('x-vip-user')).toBe('false');
    expect(res.headers.get('x-upgrade-url')).toMatch(/^https:\/\//);
  });

  it('last_activities and settings', async () => {
    parsed(lastActivitiesSchema, await call('GET', '/sync/last_activities', { auth: true }), '/sync/last_activities');
    parsed(userSettingsSchema, await call('GET', '/users/settings', { auth: true }), '/users/settings');
    parsed(userSettingsSchema, await call('GET', '/users/settings?extended=browsing', { auth: true }), '/users/settings');
  });

  it('seasons, season episodes, summaries and progress', async () => {
    for (const path of [`/shows/${show1390}/seasons`, `/shows/${show1390}/seasons?extended=full`, `/shows/${show1390}/seasons?extended=full,episodes`]) {
      parsed(seasonsSchema, await call('GET', path), path);
    }
    for (const path of [`/shows/${show1390}/seasons/1`, `/shows/${show1390}/seasons/1?extended=full`]) {
      parsed(seasonEpisodesSchema, await call('GET', path), path);
    }
    parsed(episodeSchema, await call('GET', `/shows/${show1390}/seasons/1/episodes/1?extended=full`), 'episode');
    parsed(showSchema, await call('GET', `/shows/${show1390}?extended=full,images`), 'show');
    parsed(movieSchema, await call('GET', '/movies/tron-legacy-2010?extended=full'), 'movie');
    const generated = emulator.catalog.shows().at(-1)!;
    for (const id of [show1390, generated.ids.trakt]) {
      const path = `/shows/${id}/progress/watched`;
      parsed(showProgressSchema, await call('GET', path, { auth: true }), path);
    }
  });

  it('token, device code, device token, revoke and OAuth errors', async () => {
    const refreshed = await call('POST', '/oauth/token', {
      host: 'auth',
      body: { refresh_token: refreshToken, client_id: emulator.clientId, client_secret: emulator.clientSecret, redirect_uri: 'urn:ietf:wg:oauth:2.0:oob', grant_type: 'refresh_token' },
    });
    expect(refreshed.status).toBe(200);
    const tokens = parsed(tokenResponseSchema, refreshed, '/oauth/token');
    expect(tokens.created_at).toEqual(expect.any(Number));

    const reused = await call('POST', '/oauth/token', {
      host: 'auth',
      body: { refresh_token: refreshToken, client_id: emulator.clientId, client_secret: emulator.clientSecret, redirect_uri: 'urn:ietf:wg:oauth:2.0:oob', grant_type: 'refresh_token' },
    });
    expect([400, 401]).toContain(reused.status);
    expect(parsed(oauthErrorSchema, reused, '/oauth/token').error).toBe('invalid_grant');

    const code = await call('POST', '/oauth/device/code', { host: 'auth', body: { client_id: emulator.clientId } });
    const device = parsed(deviceCodeResponseSchema, code, '/oauth/device/code');
    const pending = await call('POST', '/oauth/device/token', {
      host: 'auth',
      body: { code: device.device_code, client_id: emulator.clientId, client_secret: emulator.clientSecret },
    });
    expect(pending.status).toBe(400);
    // Like Trakt, the pending answer has no readable JSON body (REFERENCE §3.7).
    expect(() => JSON.parse(pending.text) as unknown).toThrow();
    emulator.approveDevice(device.user_code, username);
    const ok = await call('POST', '/oauth/device/token', {
      host: 'auth',
      body: { code: device.device_code, client_id: emulator.clientId, client_secret: emulator.clientSecret },
    });
    parsed(tokenResponseSchema, ok, '/oauth/device/token');

    const revoke = await call('POST', '/oauth/revoke', {
      host: 'auth',
      body: { token: tokens.access_token, client_id: emulator.clientId, client_secret: emulator.clientSecret },
    });
    expect(revoke.status).toBe(200);
    expect(revoke.text.trim() === '' || revoke.text.trim() === '{}').toBe(true);
  });

  it('rate-limit answers carry Retry-After and a readable X-Ratelimit', async () => {
    const limited = await startEmulator({
      rateLimits: {
        authedGet: { limit: 1, periodSeconds: 60 },
        authedPost: { limit: 1, periodSeconds: 1 },
        unauthedGet: { limit: 1, periodSeconds: 60 },
      },
    });
    try {
      const headers = { 'User-Agent': 'x', 'trakt-api-key': limited.clientId, 'trakt-api-version': '2' };
      const first = await fetch(`${limited.url}/search/movie?query=a`, { headers });
      expect(parseRateLimitHeader(first.headers.get('x-ratelimit'))).toMatchObject({ limit: 1, period: 60, remaining: 0 });
      const second = await fetch(`${limited.url}/search/movie?query=a`, { headers });
      expect(second.status).toBe(429);
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
      const info = parseRateLimitHeader(second.headers.get('x-ratelimit'));
      expect(info).toMatchObject({ name: 'UNAUTHED_API_GET_LIMIT', limit: 1, period: 60, remaining: 0 });
      expect(Number.isNaN(Date.parse(info?.until ?? ''))).toBe(false);
    } finally {
      await limited.close();
    }
  });
});
