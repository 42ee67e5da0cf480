import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { ConfigError, metricsExposure, parseConfig } from '../../src/config.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { buildServer } from '../../src/server/build-server.js';
import { buildMetricsServer } from '../../src/server/routes/metrics.js';
import { captureLogs } from '../helpers/logs.js';

/** How /metrics is protected: the route on the main port with a token, on its own server, and the config that picks one. */
const TOKEN = 'route-test-token-9c8b7a6f5e4d';
const BASE_ENV = { TELEGRAM_BOT_TOKEN: '123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', TRAKT_CLIENT_ID: 'id', TRAKT_CLIENT_SECRET: 'secret' };

describe('/metrics on the main port with a token (METRICS_TOKEN alone)', () => {
  const logs = captureLogs('debug');
  const metrics = createMetrics({ version: '1.2.3' });
  let app: FastifyInstance;

  beforeAll(async () => {
    app = await buildServer({
      logger: logs.logger,
      checkReady: () => Promise.resolve({ ok: true }),
      metrics: { render: () => metrics.render(), contentType: metrics.contentType, token: TOKEN },
    });
  });
  afterAll(async () => {
    await app.close();
  });

  it('GIVEN the right bearer token THEN the exposition text, which parses', async () => {
    metrics.core.onCommand({ platform: 'discord', command: 'add', outcome: 'ok', ms: 12 });
    const response = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(metrics.contentType);
    const families = parsePrometheusTextFormat(response.body);
    expect(families.find((f) => f.name === 'marquee_commands_total')?.metrics).toEqual([{ value: '1', labels: { platform: 'discord', command: 'add', outcome: 'ok' } }]);
    expect(families.find((f) => f.name === 'marquee_build_info')?.metrics[0]?.labels).toEqual({ version: '1.2.3' });
  });

  it('GIVEN no token, a wrong one, or the token in another scheme or the query THEN 401', async () => {
    const attempts: Array<{ headers?: Record<string, string>; url?: string }> = [
      {},
      { headers: { authorization: 'Bearer wrong-token-but-long-enough' } },
      { headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}` } },
      { headers: { authorization: `Basic ${TOKEN}` } },
      { headers: { authorization: TOKEN } },
      { url: `/metrics?token=${TOKEN}` },
    ];
    for (const attempt of attempts) {
      const response = await app.inject({ method: 'GET', url: attempt.url ?? '/metrics', ...(attempt.headers ? { headers: attempt.headers } : {}) });
      expect(response.statusCode).toBe(401);
      expect(response.body).not.toContain('marquee_');
    }
  });

  it('GIVEN requests with and without the token, and a logged config THEN no log line holds the token', async () => {
    await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    await app.inject({ method: 'GET', url: `/metrics?token=${TOKEN}` });
    const config = parseConfig({ ...BASE_ENV, METRICS_TOKEN: TOKEN });
    logs.logger.info({ metrics: config.metrics, metricsToken: TOKEN }, 'config');
    expect(logs.text()).toContain('"msg":"config"');
    expect(logs.text()).not.toContain(TOKEN);
  });
});

describe('/metrics on a server of its own (METRICS_PORT)', () => {
  it('GIVEN no token configured THEN it answers without one; with a token THEN it asks for it', async () => {
    const logs = captureLogs('info');
    const metrics = createMetrics({ version: '0.0.0' });
    const open = await buildMetricsServer({ render: () => metrics.render(), contentType: metrics.contentType, token: null, logger: logs.logger });
    const guarded = await buildMetricsServer({ render: () => metrics.render(), contentType: metrics.contentType, token: TOKEN, logger: logs.logger });
    try {
      expect((await open.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
      // Nothing else is served there.
      expect((await open.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(404);
      expect((await guarded.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
      expect((await guarded.inject({ method: 'GET', url: '/metrics', headers: { authorization: `bearer ${TOKEN}` } })).statusCode).toBe(200);
    } finally {
      await Promise.all([open.close(), guarded.close()]);
    }
  });
});

describe('how /metrics is exposed (config)', () => {
  it('GIVEN neither METRICS_PORT nor METRICS_TOKEN THEN it is off: the main port serves no /metrics', async () => {
    const config = parseConfig(BASE_ENV);
    expect(metricsExposure(config)).toBe('off');
    const app = await buildServer({ logger: captureLogs('info').logger, checkReady: () => Promise.resolve({ ok: true }) });
    try {
      expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('GIVEN METRICS_PORT THEN its own port, on loopback unless METRICS_HOST; GIVEN METRICS_TOKEN alone THEN the main port', () => {
    expect(parseConfig({ ...BASE_ENV, METRICS_PORT: '9464' }).metrics).toEqual({ port: 9464, host: '127.0.0.1', token: null });
    expect(metricsExposure(parseConfig({ ...BASE_ENV, METRICS_PORT: '9464' }))).toBe('own-port');
    expect(parseConfig({ ...BASE_ENV, METRICS_PORT: '0', METRICS_HOST: '0.0.0.0' }).metrics).toMatchObject({ port: 0, host: '0.0.0.0' });
    expect(metricsExposure(parseConfig({ ...BASE_ENV, METRICS_TOKEN: TOKEN }))).toBe('main-port-with-token');
    expect(metricsExposure(parseConfig({ ...BASE_ENV, METRICS_TOKEN: TOKEN, METRICS_PORT: '9464' }))).toBe('own-port');
  });

  it('GIVEN a short METRICS_TOKEN THEN a readable error that does not echo it', () => {
    let error: unknown;
    try {
      parseConfig({ ...BASE_ENV, METRICS_TOKEN: 'short-Secret' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('METRICS_TOKEN is not 16 to 256 visible characters');
    expect((error as ConfigError).message).not.toContain('short-Secret');
  });
});
