import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { setTimeout as delay } from 'node:timers/promises';
import { startStack, WAIT, type Stack } from '../e2e/telegram/harness.js';
import { DRIVER_NAME } from '../helpers/db.js';

/**
 * `/metrics` and `/readyz` of the running service (started as production starts it, between the
 * Telegram and Trakt emulators; one service for the whole file, as each start migrates a database):
 * metrics scraped over HTTP from their own port after a few commands and parsed with a Prometheus
 * text-format parser, then readiness with Trakt gone.
 *
 * The parser (parse-prometheus-text-format) throws on any line that is not valid text format, and
 * reads counters and gauges with their labels; it merges the label sets of a labelled histogram into
 * one (its open issue #13), so histograms are checked for their family, type and buckets here, and
 * their per-label counts through the counters recorded alongside.
 */
const TOKEN = 'metrics-test-token-4f1c2a9e7b3d';

function family(families: PrometheusFamily[], name: string): PrometheusFamily {
  const found = families.find((f) => f.name === name);
  if (found === undefined) throw new Error(`no metric family ${name}; have: ${families.map((f) => f.name).join(', ')}`);
  return found;
}

/** The sum of a family's samples whose labels include `labels`. */
function total(families: PrometheusFamily[], name: string, labels: Record<string, string> = {}): number {
  return family(families, name)
    .metrics.filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels?.[key] === value))
    .reduce((sum, sample) => sum + Number(sample.value), 0);
}

async function scrape(url: string, token: string | undefined): Promise<{ status: number; text: string; contentType: string | null }> {
  const response = await fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, text: await response.text(), contentType: response.headers.get('content-type') };
}

describe(`/metrics and /readyz of a running service, on ${DRIVER_NAME}`, () => {
  let stack: Stack;
  let metricsUrl: string;
  let families: PrometheusFamily[];

  beforeAll(async () => {
    // Its own port and a token: the main port then serves no /metrics at all. (METRICS_TOKEN alone, on
    // the main port, is test/server/metrics-route.test.ts.) Trakt calls give up after 2 s of retrying.
    stack = await startStack({ env: { METRICS_PORT: '0', METRICS_TOKEN: TOKEN, TRAKT_RETRY_MS: '2000' } });
    metricsUrl = stack.service.metricsUrl ?? '';
    const stranger = stack.newUser('Stranger');
    await stack.ask(stranger, stranger.id, '/help');
    await stack.ask(stranger, stranger.id, '/help');
    await stack.ask(stranger, stranger.id, '/nonsense');
    // One 429 from Trakt, with a Retry-After of a second: the client waits it out and the search is answered.
    const { user } = await stack.linkedUser();
    stack.trakt.setFault('GET /search/*', { statuses: [429], retryAfter: 1, count: 1 });
    const found = await stack.ask(user, user.id, '/search dune');
    expect(found.text).not.toContain('slow down');
    const scraped = await scrape(metricsUrl, TOKEN);
    expect(scraped.status).toBe(200);
    expect(scraped.contentType).toContain('text/plain');
    families = parsePrometheusTextFormat(scraped.text);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('GIVEN four commands sent THEN the command counters count exactly them, by command and outcome', () => {
    expect(total(families, 'marquee_commands_total')).toBe(4);
    expect(total(families, 'marquee_commands_total', { platform: 'telegram', command: 'help', outcome: 'ok' })).toBe(2);
    expect(total(families, 'marquee_commands_total', { platform: 'telegram', command: 'search', outcome: 'ok' })).toBe(1);
    // The typed name of an unknown command never becomes a label value.
    expect(total(families, 'marquee_commands_total', { command: 'unknown', outcome: 'unknown' })).toBe(1);
    expect(family(families, 'marquee_commands_total').metrics.some((s) => s.labels?.['command'] === 'nonsense')).toBe(false);
    expect(total(families, 'marquee_chat_updates_total', { platform: 'telegram', kind: 'command' })).toBe(4);

    const latency = family(families, 'marquee_command_duration_seconds');
    expect(latency.type).toBe('HISTOGRAM');
    const buckets = latency.metrics[0]?.buckets ?? {};
    expect(Object.keys(buckets)).toEqual(expect.arrayContaining(['0.1', '1', '+Inf']));
    expect(Number(buckets['+Inf'])).toBeGreaterThanOrEqual(1);
  });

  it("GIVEN Trakt answered one search with 429 THEN the 429 is counted by route template, and the retry's 200 too", () => {
    expect(total(families, 'marquee_trakt_rate_limited_total', { endpoint: '/search/:type' })).toBe(1);
    expect(total(families, 'marquee_trakt_requests_total', { endpoint: '/search/:type', method: 'GET', status: '429' })).toBe(1);
    expect(total(families, 'marquee_trakt_requests_total', { endpoint: '/search/:type', method: 'GET', status: '200' })).toBeGreaterThanOrEqual(1);
    // Route templates only: no label value carries a search text, an id or a username.
    for (const sample of family(families, 'marquee_trakt_requests_total').metrics) {
      expect(sample.labels?.['endpoint']).toMatch(/^(\/[a-z_]+|\/:[a-z_]+)+$|^other$/);
    }
    expect(total(families, 'marquee_trakt_reachable')).toBe(1);
    const queue = family(families, 'marquee_trakt_limiter_queue_seconds');
    expect(queue.type).toBe('HISTOGRAM');
    expect(Number(queue.metrics[0]?.buckets?.['+Inf'])).toBeGreaterThanOrEqual(2);
  });

  it('GIVEN the job runner THEN queue depth and age are exported by kind, and the offline queue is empty', () => {
    // Recurring kinds always have their one live row.
    expect(total(families, 'marquee_jobs', { kind: 'jobs-prune' })).toBe(1);
    expect(family(families, 'marquee_jobs_oldest_due_age_seconds').type).toBe('GAUGE');
    for (const sample of family(families, 'marquee_jobs_oldest_due_age_seconds').metrics) expect(Number(sample.value)).toBeGreaterThanOrEqual(0);
    expect(total(families, 'marquee_offline_queue_writes')).toBe(0);
  });

  it('GIVEN the database driver THEN pool use is exported on Postgres and absent on PGlite', () => {
    const driver = DRIVER_NAME;
    expect(total(families, 'marquee_db_info', { driver })).toBe(1);
    if (driver === 'pg') {
      expect(total(families, 'marquee_db_pool_connections', { state: 'max' })).toBe(10);
      expect(total(families, 'marquee_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
    } else {
      expect(family(families, 'marquee_db_pool_connections').metrics).toEqual([]);
    }
  });

  it('GIVEN the process THEN prom-client default metrics, the version and the adapter state are exported', () => {
    expect(family(families, 'process_cpu_user_seconds_total').type).toBe('COUNTER');
    expect(total(families, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(family(families, 'marquee_build_info').metrics[0]?.labels?.['version']).toMatch(/^\d+\.\d+\.\d+/);
    expect(total(families, 'marquee_chat_adapter_connected', { platform: 'telegram' })).toBe(1);
  });

  it('GIVEN METRICS_PORT THEN metrics are served on loopback there and not on the main port', async () => {
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(metricsUrl).not.toBe(`${stack.service.url}/metrics`);
    expect((await fetch(`${stack.service.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });

  it('GIVEN no token or a wrong one THEN 401, and the token never reaches a log line', async () => {
    const url = metricsUrl;
    expect((await scrape(url, undefined)).status).toBe(401);
    expect((await scrape(url, 'not-the-token-at-all-0000')).status).toBe(401);
    expect((await scrape(url, `${TOKEN}x`)).status).toBe(401);
    const basic = await fetch(url, { headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` } });
    expect(basic.status).toBe(401);
    expect(stack.logs.text()).toContain('"metrics":"own-port"');
    expect(stack.logs.text()).not.toContain(TOKEN);
  });

  it('GIVEN every dependency up THEN /readyz is ready and reports each one', async () => {
    const response = await fetch(`${stack.service.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ready',
      checks: { database: { status: 'up' }, trakt: { status: 'up' }, telegram: { status: 'up' } },
    });
  });

  it('GIVEN Telegram fails a getUpdates THEN /readyz says telegram is down and stays ready; the next answer brings it up', async () => {
    type Ready = { status: string; checks: Record<string, { status: string; lastError?: string }> };
    const readyz = async (): Promise<Ready> => {
      const response = await fetch(`${stack.service.url}/readyz`);
      expect(response.status).toBe(200);
      return (await response.json()) as Ready;
    };
    stack.telegram.failNext('getUpdates', { error_code: 502, description: 'Bad Gateway' });
    // The long poll under way returns with the next update; the one after it gets the 502.
    const first = stack.newUser();
    await stack.ask(first, first.id, '/help');
    await stack.telegram.waitForCall((c) => c.method === 'getUpdates' && !c.ok, WAIT);
    let report = await readyz();
    for (let i = 0; i < 200 && report.checks['telegram']?.status !== 'down'; i++) {
      await delay(25);
      report = await readyz();
    }
    expect(report).toMatchObject({ status: 'ready', checks: { database: { status: 'up' }, telegram: { status: 'down', lastError: 'Error: 502 Bad Gateway' } } });
    const next = stack.newUser();
    await stack.ask(next, next.id, '/help');
    expect((await readyz()).checks['telegram']).toMatchObject({ status: 'up', lastError: 'Error: 502 Bad Gateway' });
    expect(JSON.stringify(await readyz())).not.toContain(stack.telegram.token);
  });

  it('GIVEN Trakt unreachable THEN /readyz stays ready and says trakt is down; the metrics say so too', async () => {
    const { user } = await stack.linkedUser();
    await stack.trakt.close();
    // Not searched before in this file, so it goes to Trakt (and meets a closed port until the client gives up).
    const reply = await stack.ask(user, user.id, '/search blade runner');
    expect(reply.text).toMatch(/^Trakt is (taking too long to answer|not answering) right now/);
    const response = await fetch(`${stack.service.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ready',
      checks: { database: { status: 'up' }, telegram: { status: 'up' }, trakt: { status: 'down', lastError: 'network' } },
    });
    const families = parsePrometheusTextFormat((await scrape(metricsUrl, TOKEN)).text);
    expect(total(families, 'marquee_trakt_reachable')).toBe(0);
    expect(total(families, 'marquee_trakt_requests_total', { endpoint: '/search/:type', status: 'network' })).toBeGreaterThanOrEqual(1);
  });
});
