import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createDatabase, type Database } from '../../src/db/client.js';
import { redactUrl } from '../../src/logger.js';
import { buildServer } from '../../src/server/build-server.js';
import { DRIVER_NAME, sharedTestDatabase } from '../helpers/db.js';
import { captureLogs } from '../helpers/logs.js';

describe(`health endpoints on ${DRIVER_NAME}`, () => {
  let app: FastifyInstance;
  const logs = captureLogs('info');

  beforeAll(async () => {
    const database = await sharedTestDatabase();
    app = await buildServer({
      logger: logs.logger,
      checkReady: () => database.checkReady(),
      routes: [
        (instance) => {
          instance.get('/echo', (request) => ({ ok: true, id: request.id }));
        },
      ],
    });
  });
  afterAll(async () => {
    await app.close();
  });

  it('GIVEN a running process THEN /healthz answers 200', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('GIVEN a reachable, migrated database THEN /readyz answers 200 and reports it', async () => {
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready', checks: { database: { status: 'up' } } });
  });

  it('GIVEN Trakt and a chat platform down THEN /readyz stays ready and reports each, with safe error texts', async () => {
    const database = await sharedTestDatabase();
    const other = await buildServer({
      logger: logs.logger,
      checkReady: () => database.checkReady(),
      dependencies: () => ({
        trakt: { status: 'down', since: '2026-01-01T00:00:00.000Z', lastError: 'timeout' },
        telegram: { status: 'down', lastError: `HttpError: fetch https://api.telegram.org/bot123456:AAsecretTOKENsecretTOKEN/getUpdates?secret_token=hush failed ${'x'.repeat(400)}` },
        discord: { status: 'unknown' },
      }),
    });
    try {
      const response = await other.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(200);
      const body = response.json<{ status: string; checks: Record<string, { status: string; lastError?: string }> }>();
      expect(body).toMatchObject({
        status: 'ready',
        checks: { database: { status: 'up' }, trakt: { status: 'down', since: '2026-01-01T00:00:00.000Z', lastError: 'timeout' }, telegram: { status: 'down' }, discord: { status: 'unknown' } },
      });
      expect(response.body).not.toContain('AAsecretTOKEN');
      expect(response.body).not.toContain('hush');
      expect(body.checks['telegram']?.lastError?.length).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('GIVEN a database without migrations THEN /readyz answers 503 with the reason', async () => {
    const empty: Database = await createDatabase({ databaseUrl: null });
    // Trakt being up does not make a process without its database ready.
    const other = await buildServer({ logger: logs.logger, checkReady: () => empty.checkReady(), dependencies: () => ({ trakt: { status: 'up' } }) });
    try {
      const response = await other.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({
        status: 'unavailable',
        reason: expect.stringContaining('migrations pending'),
        checks: { database: { status: 'down', lastError: expect.stringContaining('migrations pending') }, trakt: { status: 'up' } },
      });
      await empty.close();
      const closed = await other.inject({ method: 'GET', url: '/readyz' });
      expect(closed.statusCode).toBe(503);
      expect(closed.json()).toMatchObject({ reason: 'database unreachable', checks: { database: { status: 'down', lastError: 'database unreachable' } } });
    } finally {
      await other.close();
    }
  });

  it('GIVEN a request THEN it gets a request id, and an incoming x-request-id is kept', async () => {
    const generated = await app.inject({ method: 'GET', url: '/echo' });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await app.inject({ method: 'GET', url: '/echo', headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers['x-request-id']).toBe('abc-123');
    expect(kept.json()).toEqual({ ok: true, id: 'abc-123' });
  });

  it('GIVEN OAuth parameters and an Authorization header THEN no log line contains them', async () => {
    await app.inject({
      method: 'GET',
      url: '/echo?code=SECRETCODE123&state=SECRETSTATE456&other=visible',
      headers: { authorization: 'Bearer SECRETBEARER789', 'x-telegram-bot-api-secret-token': 'SECRETHOOK' },
    });
    logs.logger.info({ accessToken: 'SECRETACCESS', nested: { refresh_token: 'SECRETREFRESH' } }, 'context');
    const text = logs.text();
    expect(text).toContain('other=visible');
    for (const secret of ['SECRETCODE123', 'SECRETSTATE456', 'SECRETBEARER789', 'SECRETHOOK', 'SECRETACCESS', 'SECRETREFRESH']) {
      expect(text).not.toContain(secret);
    }
  });

  it('redacts secret query parameters and keeps the rest', () => {
    expect(redactUrl('/oauth/callback?code=abc&state=def&x=1')).toBe('/oauth/callback?code=%5BREDACTED%5D&state=%5BREDACTED%5D&x=1');
    expect(redactUrl('/plain/path')).toBe('/plain/path');
  });
});
