/**
 * Unit-level behaviour of the request pipeline with an injected `fetch` (our own function, no library
 * mocks). Everything that needs a real Trakt-like server lives in client.emulator.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildWriteBody, createTraktClient, type TraktClient, type TraktClientOptions } from '../../src/trakt/client.js';
import {
  TraktForbiddenError,
  TraktRateLimitedError,
  TraktUnavailableError,
  parseRateLimitHeader,
  parseRetryAfter,
} from '../../src/trakt/errors.js';
import { LimiterPool } from '../../src/trakt/limits.js';
import { formatIssuePath } from '../../src/trakt/request.js';
import type { AccessTokenProvider } from '../../src/trakt/types.js';

interface Call {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

type Handler = (call: Call, signal: AbortSignal | undefined) => Response | Promise<Response>;

function recordingFetch(handler: Handler): { fetch: TraktClientOptions['fetch'] & object; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    fetch: async (input, init) => {
      const call: Call = {
        url: new URL(String(input)),
        method: init?.method ?? 'GET',
        headers: Object.fromEntries(new Headers(init?.headers).entries()),
        body: typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
      };
      calls.push(call);
      return handler(call, init?.signal ?? undefined);
    },
  };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const user = (key: string, token = `token-${key}`): AccessTokenProvider => ({ key, getAccessToken: () => Promise.resolve(token) });

const clients: TraktClient[] = [];
function client(fetchFn: TraktClientOptions['fetch'], extra: Partial<TraktClientOptions> = {}): TraktClient {
  const c = createTraktClient({
    apiUrl: 'http://trakt.test',
    authUrl: 'http://auth.trakt.test',
    clientId: 'cid',
    clientSecret: 'secret',
    userAgent: 'Marquee/test',
    ...(fetchFn ? { fetch: fetchFn } : {}),
    retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 20, maxRetryTimeMs: 5000 },
    timeoutMs: 2000,
    ...extra,
  });
  clients.push(c);
  return c;
}
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

describe('request headers', () => {
  it('GIVEN an app call THEN it sends the required headers and no Authorization', async () => {
    const { fetch, calls } = recordingFetch(() => json([]));
    await client(fetch).search({ query: 'dune', types: ['movie', 'show'] });
    expect(calls[0]?.headers).toMatchObject({
      'content-type': 'application/json',
      'trakt-api-key': 'cid',
      'trakt-api-version': '2',
      'user-agent': 'Marquee/test',
    });
    expect(calls[0]?.headers).not.toHaveProperty('authorization');
    expect(calls[0]?.url.pathname).toBe('/search/movie,show');
    expect(Object.fromEntries(calls[0]!.url.searchParams)).toMatchObject({ query: 'dune', extended: 'full,images', limit: '10' });
  });

  it('GIVEN a user call THEN it sends the bearer token', async () => {
    const { fetch, calls } = recordingFetch(() => json({ all: '2024-01-01T00:00:00.000Z' }));
    await client(fetch).forUser(user('u1', 'tok-1')).lastActivities();
    expect(calls[0]?.headers['authorization']).toBe('Bearer tok-1');
  });

  it('refuses to build a client without a User-Agent', () => {
    expect(() => client(undefined, { userAgent: ' ' })).toThrow(/User-Agent/);
  });
});

describe('errors', () => {
  it('GIVEN an HTML 403 from the firewall THEN TraktForbiddenError says cloudflare', async () => {
    const { fetch } = recordingFetch(() => new Response('<html>blocked</html>', { status: 403, headers: { 'content-type': 'text/html' } }));
    const error = await client(fetch).search({ query: 'x', types: ['movie'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TraktForbiddenError);
    expect((error as TraktForbiddenError).reason).toBe('cloudflare');
  });

  it('GIVEN a connection failure THEN TraktUnavailableError(network), retried for GETs', async () => {
    const { fetch, calls } = recordingFetch(() => Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } })));
    const error = await client(fetch).search({ query: 'x', types: ['movie'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TraktUnavailableError);
    expect((error as TraktUnavailableError).kind).toBe('network');
    expect(calls).toHaveLength(3);
  });

  it('GIVEN a server that never answers THEN each attempt times out and the call fails within its bounds', async () => {
    const { fetch, calls } = recordingFetch(
      (_call, signal) =>
        new Promise<Response>((_resolve, reject) => {
          signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
        }),
    );
    const error = await client(fetch, { timeoutMs: 50, retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 2 } })
      .search({ query: 'x', types: ['movie'] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TraktUnavailableError);
    expect((error as TraktUnavailableError).kind).toBe('timeout');
    expect(calls).toHaveLength(2);
  });

  it('never puts the token or secret into an error', async () => {
    const { fetch } = recordingFetch(() => json({ error: 'nope' }, 401));
    const error = await client(fetch).forUser(user('u1', 'super-secret-token')).settings().catch((e: unknown) => e);
    const text = JSON.stringify({ ...(error as object), message: (error as Error).message, stack: (error as Error).stack });
    expect(text).not.toContain('super-secret-token');
    expect(text).not.toContain('secret');
  });
});

describe('X-Ratelimit', () => {
  it('GIVEN a server with a lower limit than configured THEN the client follows its X-Ratelimit and gets no 429', async () => {
    // A tiny Trakt: 4 GETs per 1 s window per user; it says so in X-Ratelimit and enforces it.
    let windowStart = 0;
    let used = 0;
    let rejected = 0;
    const { fetch, calls } = recordingFetch(() => {
      const now = Date.now();
      if (now - windowStart >= 1000) {
        windowStart = now;
        used = 0;
      }
      const until = new Date(windowStart + 1000).toISOString();
      if (used >= 4) {
        rejected += 1;
        return json({}, 429, { 'retry-after': '1', 'x-ratelimit': JSON.stringify({ name: 'AUTHED_API_GET_LIMIT', period: 1, limit: 4, remaining: 0, until }) });
      }
      used += 1;
      return json({ all: null }, 200, {
        'x-ratelimit': JSON.stringify({ name: 'AUTHED_API_GET_LIMIT', period: 1, limit: 4, remaining: 4 - used, until }),
      });
    });
    const me = client(fetch).forUser(user('u1'));
    for (let i = 0; i < 10; i += 1) await me.lastActivities();
    expect(rejected).toBe(0);
    expect(calls).toHaveLength(10);
  });

  it('parses Retry-After seconds and dates, and X-Ratelimit JSON', () => {
    expect(parseRetryAfter('3')).toBe(3);
    expect(parseRetryAfter(new Date(Date.now() + 10_000).toUTCString())).toBeGreaterThan(8);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRateLimitHeader('{"name":"UNAUTHED_API_GET_LIMIT","period":300,"limit":1000,"remaining":0,"until":"2020-10-10T00:24:00Z"}')).toEqual({
      name: 'UNAUTHED_API_GET_LIMIT',
      period: 300,
      limit: 1000,
      remaining: 0,
      until: '2020-10-10T00:24:00Z',
    });
    expect(parseRateLimitHeader('not json')).toBeUndefined();
  });

  it('GIVEN a 429 without Retry-After or X-Ratelimit THEN it backs off and retries', async () => {
    let n = 0;
    const { fetch, calls } = recordingFetch(() => (++n === 1 ? new Response('slow down', { status: 429 }) : json([])));
    await client(fetch).search({ query: 'x', types: ['movie'] });
    expect(calls).toHaveLength(2);
  });

  it('GIVEN 429s until the retries are used up THEN TraktRateLimitedError', async () => {
    const { fetch, calls } = recordingFetch(() => new Response('', { status: 429, headers: { 'retry-after': '0' } }));
    const error = await client(fetch).search({ query: 'x', types: ['movie'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TraktRateLimitedError);
    expect(calls).toHaveLength(3);
  });
});

describe('dedupe', () => {
  it('shares identical GETs of one user but not across users', async () => {
    const { fetch, calls } = recordingFetch(async () => {
      await new Promise((r) => setTimeout(r, 30));
      return json({ all: null });
    });
    const c = client(fetch);
    const a = c.forUser(user('a'));
    const b = c.forUser(user('b'));
    await Promise.all([a.lastActivities(), a.lastActivities(), a.lastActivities(), b.lastActivities()]);
    expect(calls).toHaveLength(2);
    expect(c.stats().savedByDedupe).toBe(2);
  });
});

describe('write bodies', () => {
  it('groups seasons and episodes under their show, keeping whole seasons and single episodes apart', () => {
    const body = buildWriteBody([
      { type: 'movie', ids: { trakt: 1 } },
      { type: 'show', ids: { trakt: 2, slug: 'x' } },
      { type: 'season', showIds: { trakt: 3 }, season: 1 },
      { type: 'season', showIds: { trakt: 3 }, season: 2 },
      { type: 'episode', showIds: { trakt: 3 }, season: 1, episode: 4 },
      { type: 'episode', showIds: { trakt: 3 }, season: 1, episode: 5 },
      { type: 'episode', ids: { trakt: 99 } },
      { type: 'season', ids: { tmdb: 7 } },
    ]);
    expect(body).toEqual({
      movies: [{ ids: { trakt: 1 } }],
      shows: [
        { ids: { trakt: 2, slug: 'x' } },
        { ids: { trakt: 3 }, seasons: [{ number: 1 }, { number: 2 }] },
        { ids: { trakt: 3 }, seasons: [{ number: 1, episodes: [{ number: 4 }, { number: 5 }] }] },
      ],
      seasons: [{ ids: { tmdb: 7 } }],
      episodes: [{ ids: { trakt: 99 } }],
    });
  });
});

describe('limiter pool', () => {
  it('drops idle limiters but keeps one whose window is still open', async () => {
    const pool = new LimiterPool({ idleMs: 1000 });
    try {
      await pool.schedule('write', 'u1', () => Promise.resolve(1));
      await pool.schedule('userGet', 'u1', () => Promise.resolve(1));
      expect(pool.size).toBe(2);
      pool.sweep(Date.now() + 5000);
      // The GET window (300 s) is still open: forgetting it would allow a second full budget.
      expect(pool.size).toBe(1);
    } finally {
      pool.close();
    }
  });
});

describe('issue paths', () => {
  it('formats zod paths like items[3].movie.ids.trakt', () => {
    expect(formatIssuePath([3, 'movie', 'ids', 'trakt'])).toBe('items[3].movie.ids.trakt');
    expect(formatIssuePath(['user', 'ids', 'slug'])).toBe('user.ids.slug');
    expect(formatIssuePath([])).toBe('(root)');
  });
});
