import { describe, expect, it } from 'vitest';
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { TraktReachability } from '../../src/metrics/dependencies.js';
import { createMetrics, type JobDepthRow } from '../../src/metrics/metrics.js';
import { endpointClassOf } from '../../src/trakt/endpoint-class.js';

/** The metric families on sources of our own (src/metrics' interfaces), and the route templates their labels use. */
function samples(families: PrometheusFamily[], name: string) {
  return families.find((f) => f.name === name)?.metrics ?? [];
}

describe('metrics read at scrape time', () => {
  it('GIVEN two scrapes within the cache time THEN the job queue is read once; past it THEN again', async () => {
    let reads = 0;
    const at = new Date('2026-03-01T12:00:00Z');
    const rows: JobDepthRow[] = [
      { kind: 'watchlist-write', status: 'queued', count: 3, due: 2, oldestRunAt: new Date(at.getTime() - 90_000) },
      { kind: 'watchlist-write', status: 'running', count: 1, due: 0, oldestRunAt: new Date(at.getTime() - 5_000) },
      { kind: 'jobs-prune', status: 'queued', count: 1, due: 0, oldestRunAt: new Date(at.getTime() + 60_000) },
    ];
    const cached = createMetrics({ version: '0.0.0', now: () => at, jobDepthCacheMs: 60 * 60_000 });
    cached.watch({ offlineQueueKind: 'watchlist-write', jobDepth: () => Promise.resolve(rows.map((row) => ({ ...row }))).finally(() => (reads += 1)) });
    const first = parsePrometheusTextFormat(await cached.render());
    await cached.render();
    expect(reads).toBe(1);

    expect(samples(first, 'marquee_jobs')).toEqual(
      expect.arrayContaining([
        { value: '3', labels: { kind: 'watchlist-write', status: 'queued' } },
        { value: '1', labels: { kind: 'watchlist-write', status: 'running' } },
        { value: '1', labels: { kind: 'jobs-prune', status: 'queued' } },
      ]),
    );
    expect(samples(first, 'marquee_jobs_due')).toEqual(expect.arrayContaining([{ value: '2', labels: { kind: 'watchlist-write' } }]));
    // Due for 90 s; a recurring job whose time has not come is 0, never negative.
    expect(samples(first, 'marquee_jobs_oldest_due_age_seconds')).toEqual(
      expect.arrayContaining([
        { value: '90', labels: { kind: 'watchlist-write' } },
        { value: '0', labels: { kind: 'jobs-prune' } },
      ]),
    );
    expect(samples(first, 'marquee_offline_queue_writes')).toEqual([{ value: '4' }]);

    // The cache's time is the metrics' clock: an hour later the queue is read again, once for all its gauges.
    at.setTime(at.getTime() + 60 * 60_000);
    await cached.render();
    expect(reads).toBe(2);
  });

  it('GIVEN the job queue cannot be read THEN the scrape still answers, without job series, and the next one tries again', async () => {
    let calls = 0;
    const metrics = createMetrics({ version: '0.0.0', jobDepthCacheMs: 60 * 60_000 });
    metrics.watch({
      offlineQueueKind: 'watchlist-write',
      jobDepth: () => ((calls += 1) === 1 ? Promise.reject(new Error('database unreachable')) : Promise.resolve([{ kind: 'k', status: 'queued', count: 1, due: 1, oldestRunAt: null }])),
    });
    const failed = parsePrometheusTextFormat(await metrics.render());
    expect(samples(failed, 'marquee_jobs')).toEqual([]);
    // Unknown, not empty.
    const unknown = samples(failed, 'marquee_offline_queue_writes');
    expect(unknown).toHaveLength(1);
    expect(Number.isNaN(Number(unknown[0]?.value))).toBe(true);
    const next = parsePrometheusTextFormat(await metrics.render());
    expect(samples(next, 'marquee_jobs')).toEqual([{ value: '1', labels: { kind: 'k', status: 'queued' } }]);
  });

  it('GIVEN a Postgres pool and adapters THEN their gauges; GIVEN PGlite THEN no pool series', async () => {
    const pg = createMetrics({ version: '0.0.0' });
    pg.watch({
      database: { driver: 'pg', poolUse: () => ({ total: 4, idle: 1, waiting: 2, max: 10 }) },
      adapters: () => [
        { platform: 'telegram', connected: true },
        { platform: 'discord', connected: false },
      ],
    });
    const families = parsePrometheusTextFormat(await pg.render());
    expect(samples(families, 'marquee_db_pool_connections')).toEqual([
      { value: '4', labels: { state: 'total' } },
      { value: '1', labels: { state: 'idle' } },
      { value: '2', labels: { state: 'waiting' } },
      { value: '10', labels: { state: 'max' } },
    ]);
    expect(samples(families, 'marquee_chat_adapter_connected')).toEqual([
      { value: '1', labels: { platform: 'telegram' } },
      { value: '0', labels: { platform: 'discord' } },
    ]);
    const pglite = createMetrics({ version: '0.0.0' });
    pglite.watch({ database: { driver: 'pglite', poolUse: () => null } });
    const embedded = parsePrometheusTextFormat(await pglite.render());
    expect(samples(embedded, 'marquee_db_pool_connections')).toEqual([]);
    expect(samples(embedded, 'marquee_db_info')).toEqual([{ value: '1', labels: { driver: 'pglite' } }]);
  });
});

describe('Trakt requests as metrics', () => {
  it("GIVEN 429s, a 420 and the device poll's 429 THEN rate limits and account limits are counted, the device poll's slow-down is not", async () => {
    const metrics = createMetrics({ version: '0.0.0' });
    const send = (cls: string, endpoint: string, status: number | 'timeout', queuedMs = 0) =>
      metrics.traktRequest({ cls, endpoint, method: cls === 'write' || cls === 'oauth' ? 'POST' : 'GET', status, ms: 20, queuedMs });
    send('userGet', '/search/:type', 429);
    send('userGet', '/search/:type', 200, 1000);
    send('write', '/sync/watchlist', 420);
    send('oauth', '/oauth/device/token', 429);
    send('appGet', '/shows/:id/seasons', 'timeout');
    const families = parsePrometheusTextFormat(await metrics.render());
    expect(samples(families, 'marquee_trakt_rate_limited_total')).toEqual([{ value: '1', labels: { class: 'userGet', endpoint: '/search/:type' } }]);
    expect(samples(families, 'marquee_trakt_account_limit_total')).toEqual([{ value: '1', labels: { endpoint: '/sync/watchlist' } }]);
    expect(samples(families, 'marquee_trakt_requests_total')).toEqual(
      expect.arrayContaining([
        { value: '1', labels: { class: 'appGet', endpoint: '/shows/:id/seasons', method: 'GET', status: 'timeout' } },
        { value: '1', labels: { class: 'oauth', endpoint: '/oauth/device/token', method: 'POST', status: '429' } },
      ]),
    );
    expect(samples(families, 'marquee_trakt_requests_total')).toHaveLength(5);
  });

  it('GIVEN answers and failures THEN Trakt is up or down as last seen, and a 429 changes nothing', () => {
    const clock = new Date('2026-03-01T12:00:00Z');
    const minuteLater = () => clock.setTime(clock.getTime() + 60_000);
    const reachability = new TraktReachability(() => new Date(clock));
    expect(reachability.state()).toEqual({ status: 'unknown' });
    reachability.observe({ status: 404 });
    expect(reachability.state()).toEqual({ status: 'up', since: '2026-03-01T12:00:00.000Z' });
    minuteLater();
    reachability.observe({ status: 429 });
    reachability.observe({ status: 200 });
    // Up since the first answer, not the latest.
    expect(reachability.state()).toEqual({ status: 'up', since: '2026-03-01T12:00:00.000Z' });
    minuteLater();
    reachability.observe({ status: 522 });
    expect(reachability.state()).toEqual({ status: 'down', since: '2026-03-01T12:02:00.000Z', lastError: 'HTTP 522' });
    minuteLater();
    reachability.observe({ status: 'network' });
    expect(reachability.state()).toEqual({ status: 'down', since: '2026-03-01T12:02:00.000Z', lastError: 'network' });
    reachability.observe({ status: 200 });
    expect(reachability.state()).toEqual({ status: 'up', since: '2026-03-01T12:03:00.000Z' });
  });

  it('GIVEN the paths the client sends THEN route templates without ids, users, dates or search types', () => {
    const cases: Array<[string, string]> = [
      ['/search/movie,show', '/search/:type'],
      ['/search/imdb/tt0848228', '/search/:id_type/:id'],
      ['/sync/watchlist', '/sync/watchlist'],
      ['/sync/watchlist/remove', '/sync/watchlist/remove'],
      ['/sync/watchlist/movies/added/desc', '/sync/watchlist/:type/:sort_by/:sort_how'],
      ['/sync/last_activities', '/sync/last_activities'],
      ['/users/settings', '/users/settings'],
      ['/users/sean%20b/watchlist', '/users/:id/watchlist'],
      ['/calendars/my/movies/2026-03-01/33', '/calendars/my/movies/:start_date/:days'],
      ['/calendars/my/dvd/2026-03-01/33', '/calendars/my/dvd/:start_date/:days'],
      ['/calendars/my/shows/2026-03-01/7', '/calendars/my/shows/:start_date/:days'],
      ['/calendars/my/shows/premieres/2026-03-01/7', '/calendars/my/shows/premieres/:start_date/:days'],
      ['/shows/dune-prophecy/progress/watched', '/shows/:id/progress/watched'],
      ['/shows/1390/seasons', '/shows/:id/seasons'],
      ['/shows/1390/seasons/2', '/shows/:id/seasons/:season'],
      ['/movies/tron-legacy-2010/releases', '/movies/:id/releases'],
      ['/movies/tron-legacy-2010/releases/us', '/movies/:id/releases/:country'],
      ['/oauth/device/token', '/oauth/device/token'],
      ['/oauth/token', '/oauth/token'],
      ['/movies/123/people?x=1', 'other'],
      ['/users/someone/lists/42/items', 'other'],
    ];
    for (const [path, template] of cases) expect(endpointClassOf(path), path).toBe(template);
  });
});
