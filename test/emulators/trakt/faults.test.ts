import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTraktEmulator } from './index.js';
import type { TokenSet, TraktEmulator, WatchlistRecord } from './index.js';
import { call } from './test-client.js';

describe('Trakt emulator: faults, request log, HTTP controls', () => {
  let trakt: TraktEmulator;

  beforeAll(async () => {
    trakt = await startTraktEmulator({ rateLimits: false });
    trakt.addUser({ username: 'faulty' });
  });
  afterAll(async () => {
    await trakt.close();
  });

  it('answers the given statuses to about `share` of the matching requests', async () => {
    trakt.setFault('GET /movies/*', { statuses: [503], share: 0.5 });
    const statuses = await Promise.all(Array.from({ length: 200 }, async () => (await call(trakt, '/movies/14701')).status));
    trakt.setFault('GET /movies/*', null);
    const failed = statuses.filter((s) => s === 503).length;
    expect(failed).toBeGreaterThan(60);
    expect(failed).toBeLessThan(140);
    expect(statuses.filter((s) => s !== 503 && s !== 200)).toEqual([]);
    // other routes were not affected
    expect((await call(trakt, '/shows/1388')).status).toBe(200);
  });

  it('stops after `count` matching requests', async () => {
    trakt.setFault('POST /sync/watchlist', { statuses: [502], count: 2 });
    const token = trakt.issueTokens('faulty').access_token;
    const body = { movies: [{ ids: { trakt: 14701 } }] };
    const first = await call(trakt, '/sync/watchlist', { token, body });
    expect(first.status).toBe(502);
    expect((await call(trakt, '/sync/watchlist', { token, body })).status).toBe(502);
    expect((await call(trakt, '/sync/watchlist', { token, body })).status).toBe(201);
  });

  it('looks like Cloudflare on 520 (HTML) and sends 429 with or without Retry-After but never X-Ratelimit', async () => {
    trakt.setFault('*', { statuses: [520], count: 1 });
    const cloudflare = await call(trakt, '/movies/14701');
    expect(cloudflare.status).toBe(520);
    expect(cloudflare.headers.get('content-type')).toContain('text/html');
    expect(cloudflare.text).toContain('520');

    trakt.setFault('GET /search/*', { statuses: [429], retryAfter: 7, count: 1 });
    const withRetry = await call(trakt, '/search/movie?query=tron');
    expect(withRetry.status).toBe(429);
    expect(withRetry.headers.get('retry-after')).toBe('7');
    expect(withRetry.headers.get('x-ratelimit')).toBeNull();

    trakt.setFault('GET /search/*', { statuses: [429], count: 1 });
    const bare = await call(trakt, '/search/movie?query=tron');
    expect(bare.status).toBe(429);
    expect(bare.headers.get('retry-after')).toBeNull();
    expect(bare.headers.get('x-ratelimit')).toBeNull();
  });

  it('can add latency and then answer normally', async () => {
    trakt.setFault('GET /shows/:id', { latencyMs: 50, count: 1 });
    const res = await call<{ title: string }>(trakt, '/shows/1390');
    expect(res.status).toBe(200);
    expect(res.json.title).toBe('Game of Thrones');
  });

  it('GIVEN a hang THEN the client times out, and close() ends hung requests', async () => {
    trakt.setFault('GET /movies/:id', { hang: true, count: 1 });
    await expect(call(trakt, '/movies/14701', { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect((await call(trakt, '/movies/14701')).status).toBe(200);

    const other = await startTraktEmulator({ rateLimits: false });
    other.setFault('*', { hang: true });
    const hung = call(other, '/movies/14701');
    const outcome = hung.then(
      () => 'answered',
      () => 'failed',
    );
    await other.close();
    expect(await outcome).toBe('failed');
  });

  it('GIVEN loseAnswer THEN the write is applied but its answer never arrives, and a resend finds it existing', async () => {
    trakt.addUser({ username: 'lossy' });
    const token = trakt.issueTokens('lossy').access_token;
    const body = { movies: [{ ids: { trakt: 14701 } }] };
    trakt.setFault('POST /sync/watchlist', { loseAnswer: true, count: 1 });
    await expect(call(trakt, '/sync/watchlist', { token, body })).rejects.toThrow();
    expect(trakt.watchlist('lossy').map((r) => r.ref)).toEqual([{ type: 'movie', trakt: 14701 }]);
    const again = await call<{ added: { movies: number }; existing: { movies: number } }>(trakt, '/sync/watchlist', { token, body });
    expect(again.json.added.movies).toBe(0);
    expect(again.json.existing.movies).toBe(1);
  });

  it('GIVEN several faults with a share THEN a drawn request gets one of them, the rest pass', async () => {
    trakt.setFault('GET /movies/*', { statuses: [503], hang: true, share: 0.5 });
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, () =>
        call(trakt, '/movies/14701', { signal: AbortSignal.timeout(1000) }).then(
          (res) => String(res.status),
          () => 'hung',
        ),
      ),
    );
    trakt.setFault('GET /movies/*', null);
    const count = (what: string) => outcomes.filter((o) => o === what).length;
    expect(count('503')).toBeGreaterThan(5);
    expect(count('hung')).toBeGreaterThan(5);
    expect(count('200')).toBeGreaterThan(25);
    expect(count('200') + count('503') + count('hung')).toBe(100);
  });

  it('logs every request with its route, user, status and body', async () => {
    trakt.clearRequests();
    const token = trakt.issueTokens('faulty').access_token;
    await call(trakt, '/search/show?query=severance&limit=5');
    await call(trakt, '/sync/watchlist/remove', { token, body: { movies: [{ ids: { trakt: 14701 } }] } });
    await call(trakt, '/sync/watchlist', { token: 'bogus' });
    expect(trakt.requests.map((r) => [r.method, r.route, r.status, r.user])).toEqual([
      ['GET', 'GET /search/:type', 200, undefined],
      ['POST', 'POST /sync/watchlist/remove', 200, 'faulty'],
      ['GET', 'GET /sync/watchlist', 401, undefined],
    ]);
    const [search, remove] = trakt.requests;
    expect(search).toMatchObject({ path: '/search/show', query: { query: 'severance', limit: '5' } });
    expect(search?.headers['user-agent']).toBe('marquee-emulator-tests/1.0');
    expect(remove?.body).toEqual({ movies: [{ ids: { trakt: 14701 } }] });
    trakt.clearRequests();
    expect(trakt.requests).toHaveLength(0);
  });

  it('offers the same controls over HTTP under /_emulator', async () => {
    const control = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> => {
      const res = await fetch(`${trakt.url}/_emulator${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: (text ? JSON.parse(text) : undefined) as T };
    };

    const created = await control<{ username: string; watchlistLimit: number }>('POST', '/users', { username: 'remote', vip: true });
    expect(created).toMatchObject({ status: 201, json: { username: 'remote', watchlistLimit: 5000 } });
    expect((await control('POST', '/users', { username: 'remote' })).status).toBe(400);
    expect((await control('POST', '/users', { vip: true })).status).toBe(400);

    const tokens = await control<TokenSet>('POST', '/tokens', { username: 'remote' });
    expect(tokens.status).toBe(200);
    expect((await control('POST', '/watchlist/remote', { refs: [{ type: 'show', trakt: 1390 }] })).status).toBe(204);
    const add = await call(trakt, '/sync/watchlist', { token: tokens.json.access_token, body: { movies: [{ ids: { trakt: 12601 } }] } });
    expect(add.status).toBe(201);
    const list = await control<WatchlistRecord[]>('GET', '/watchlist/remote');
    expect(list.json.map((r) => r.ref)).toEqual([{ type: 'show', trakt: 1390 }, { type: 'movie', trakt: 12601 }]);

    expect((await control('POST', '/faults', { route: 'GET /users/settings', fault: { statuses: [500], count: 1 } })).status).toBe(204);
    expect((await call(trakt, '/users/settings', { token: tokens.json.access_token })).status).toBe(500);
    const logged = await control<Array<{ route: string; status: number }>>('GET', `/requests?route=${encodeURIComponent('GET /users/settings')}`);
    expect(logged.json.map((r) => r.status)).toEqual([500]);

    expect((await control('PATCH', '/users/remote', { locked: true })).status).toBe(200);
    expect((await call(trakt, '/users/settings', { token: tokens.json.access_token })).status).toBe(423);
    expect((await control('GET', '/watchlist/nobody')).status).toBe(404);

    const found = await control<{ ids: { trakt: number } }>('GET', '/catalog/find?title=breaking%20bad');
    expect(found.json.ids.trakt).toBe(1388);
  });
});
