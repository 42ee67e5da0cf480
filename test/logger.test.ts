import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { LinkService } from '../src/accounts/linking.js';
import { redactUrl, serializeRequest } from '../src/logger.js';
import { buildServer } from '../src/server/build-server.js';
import { registerOAuthCallback } from '../src/server/routes/oauth-callback.js';
import { captureLogs } from './helpers/logs.js';

/** Every secret below contains this marker, so one check finds any that leaked. */
const LEAK = /SECRET[A-Z0-9_]*/g;

function leaks(text: string): string[] {
  return text.match(LEAK) ?? [];
}

describe('logger redaction keeps error codes (bug 2)', () => {
  it('GIVEN an error with a Node error code THEN err.code reaches the log line', () => {
    const logs = captureLogs();
    logs.logger.error({ err: Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' }) }, 'failed');
    const line = JSON.parse(logs.lines[0] ?? '{}') as { err?: { code?: unknown; message?: unknown } };
    expect(line.err?.code).toBe('ECONNREFUSED');
    expect(line.err?.message).toBe('connect failed');
  });

  it('GIVEN context with a numeric code, a state or a chat error code THEN they survive', () => {
    const logs = captureLogs();
    logs.logger.warn({ code: 429 }, 'rate limited');
    logs.logger.warn({ err: { type: 'GrammyError', method: 'sendMessage', code: 403 }, state: 'open' }, 'telegram');
    logs.logger.warn({ err: Object.assign(new Error('Unknown interaction'), { code: 10062, status: 404 }) }, 'discord');
    const [first, second, third] = logs.lines.map((l) => JSON.parse(l) as Record<string, { code?: unknown } & Record<string, unknown>>);
    expect(first?.code).toBe(429);
    expect(second?.err?.code).toBe(403);
    expect(second?.state).toBe('open');
    expect(third?.err?.code).toBe(10062);
  });

  it('GIVEN secrets at their known paths THEN none reaches the log', () => {
    const logs = captureLogs();
    logs.logger.info(
      {
        headers: { authorization: 'Bearer SECRET_H1', 'x-telegram-bot-api-secret-token': 'SECRET_H2', cookie: 'sid=SECRET_H3' },
        accessToken: 'SECRET_T1',
        tokens: { refresh_token: 'SECRET_T2', access_token: 'SECRET_T3' },
        client_secret: 'SECRET_T4',
        clientSecret: 'SECRET_T5',
        url: 'https://marquee.example/oauth/callback?code=SECRET_C1&state=SECRET_S1&lang=en',
        req: { query: { code: 'SECRET_C2', state: 'SECRET_S2' } },
        query: { code: 'SECRET_C3', state: 'SECRET_S3', secret_token: 'SECRET_Q1' },
        body: { code: 'SECRET_C4', refresh_token: 'SECRET_T6', client_secret: 'SECRET_T7', token: 'SECRET_T8' },
      },
      'context',
    );
    expect(leaks(logs.text())).toEqual([]);
    expect(logs.text()).toContain('lang=en');
  });
});

describe('secret query parameters and headers (bug 7)', () => {
  it.each([
    'secret_token',
    'token',
    'access_token',
    'refresh_token',
    'code',
    'state',
    'client_secret',
    'code_verifier',
    'device_code',
    'key',
    'api_key',
    'apiKey',
    'password',
    'X-Api-Key',
    'session_token',
    'new_password',
    'hub.secret',
    'signature',
    'auth',
  ])('redactUrl hides ?%s=', (name) => {
    const out = redactUrl(`/path?${encodeURIComponent(name)}=SECRET_V&page=2`);
    expect(leaks(out)).toEqual([]);
    expect(out).toContain('page=2');
  });

  it('keeps harmless parameters and plain paths readable', () => {
    expect(redactUrl('/search/movie?query=blade%20runner&limit=10')).toBe('/search/movie?query=blade%20runner&limit=10');
    expect(redactUrl('/plain/path')).toBe('/plain/path');
    expect(redactUrl('https://api.telegram.org/bot123:SECRET_BOT/getMe')).not.toContain('SECRET_BOT');
  });

  it('the request serializer hides ?secret_token= and keeps no secret header', () => {
    const out = serializeRequest({
      method: 'POST',
      url: '/telegram/webhook?secret_token=SECRET_W&x=1',
      headers: { 'x-telegram-bot-api-secret-token': 'SECRET_H', authorization: 'Basic SECRET_B', 'user-agent': 'ua' },
    });
    expect(leaks(JSON.stringify(out))).toEqual([]);
    expect(out.url).toContain('x=1');
  });

  describe('through the real buildServer and app.inject', () => {
    const logs = captureLogs('info');
    const callbacks: Array<{ state?: string; code?: string }> = [];
    const notUsed = (): never => {
      throw new Error('not used by the callback route');
    };
    // A double of our own LinkService: the real callback route hands it the query.
    const links: LinkService = {
      supportsOAuth: true,
      start: notUsed,
      pollDueDevices: notUsed,
      unlink: notUsed,
      completeCallback: async (query) => {
        callbacks.push(query);
        return { ok: false, reason: 'unknown' };
      },
    };
    let app: FastifyInstance;
    beforeAll(async () => {
      app = await buildServer({
        logger: logs.logger,
        checkReady: async () => ({ ok: true as const }),
        routes: [(instance) => registerOAuthCallback(instance, { links })],
      });
    });
    afterAll(async () => {
      await app.close();
    });

    it('GIVEN GET /oauth/callback?code=X&state=Y THEN the request log lines show neither', async () => {
      const response = await app.inject({ method: 'GET', url: '/oauth/callback?code=SECRET_CODE&state=SECRET_STATE' });
      expect(response.statusCode).toBe(400);
      expect(callbacks.at(-1)).toMatchObject({ code: 'SECRET_CODE', state: 'SECRET_STATE' });
      const text = logs.text();
      expect(text).toContain('/oauth/callback');
      expect(text).toContain('incoming request');
      expect(leaks(text)).toEqual([]);
    });

    it('GIVEN a URL with ?secret_token= on a known and an unknown route THEN no log line shows it', async () => {
      await app.inject({ method: 'GET', url: '/oauth/callback?secret_token=SECRET_TOKEN1' });
      const missing = await app.inject({
        method: 'POST',
        url: '/nowhere?secret_token=SECRET_TOKEN2&api_key=SECRET_KEY',
        headers: { 'x-telegram-bot-api-secret-token': 'SECRET_HOOK', authorization: 'Bearer SECRET_BEARER' },
      });
      expect(missing.statusCode).toBe(404);
      const text = logs.text();
      expect(text).toContain('/nowhere');
      expect(leaks(text)).toEqual([]);
    });
  });
});

describe('redaction through errors and nesting', () => {
  it('GIVEN secrets inside an error, its cause and nested context THEN they are hidden and codes kept', () => {
    const logs = captureLogs();
    const cause = Object.assign(new Error('GET https://api.example/x?access_token=SECRET_E1 failed'), { code: 'ETIMEDOUT', refreshToken: 'SECRET_E2' });
    const error = Object.assign(new Error('wrapped', { cause }), {
      code: 'E_WRAP',
      config: { headers: { Authorization: 'Bearer SECRET_E3', accept: 'application/json' } },
    });
    const context = { err: error, nested: { deeper: { client_secret: 'SECRET_E4' } }, items: [{ token: 'SECRET_E5' }] };
    logs.logger.error(context, 'failed');
    const text = logs.text();
    expect(leaks(text)).toEqual([]);
    const line = JSON.parse(text) as { err: { code: string; message: string; config: { headers: { accept: string } } } };
    expect(line.err.code).toBe('E_WRAP');
    // pino folds the cause into the message and stack ("wrapped: GET …"): its URL is redacted there
    expect(line.err.message).toContain('access_token=%5BREDACTED%5D');
    expect(line.err.config.headers.accept).toBe('application/json');
    // the caller's objects are not changed by logging
    expect(context.nested.deeper.client_secret).toBe('SECRET_E4');
  });
});
