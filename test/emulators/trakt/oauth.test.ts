import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTraktEmulator } from './index.js';
import type { TokenSet, TraktEmulator } from './index.js';
import { call } from './test-client.js';

const REDIRECT = 'https://bot.example/oauth/callback';

describe('Trakt emulator: OAuth (REFERENCE §3)', () => {
  let trakt: TraktEmulator;

  const post = async (path: string, body: Record<string, unknown>): Promise<{ status: number; text: string; json: unknown }> => {
    const res = await fetch(`${trakt.authUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'marquee-tests/1.0' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json };
  };

  const authorize = async (extra: Record<string, string> = {}): Promise<URL> => {
    const url = new URL(`${trakt.authUrl}/oauth/authorize`);
    for (const [key, value] of Object.entries({ response_type: 'code', client_id: trakt.clientId, redirect_uri: REDIRECT, state: 'csrf-123', ...extra })) {
      url.searchParams.set(key, value);
    }
    const res = await fetch(url, { redirect: 'manual', headers: { 'user-agent': 'Mozilla/5.0' } });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location') ?? '');
  };

  const exchange = (code: string, extra: Record<string, unknown> = { client_secret: trakt.clientSecret }) =>
    post('/oauth/token', { code, client_id: trakt.clientId, redirect_uri: REDIRECT, grant_type: 'authorization_code', ...extra });

  const refresh = (refreshToken: string) =>
    post('/oauth/token', {
      refresh_token: refreshToken,
      client_id: trakt.clientId,
      client_secret: trakt.clientSecret,
      redirect_uri: REDIRECT,
      grant_type: 'refresh_token',
    });

  beforeAll(async () => {
    trakt = await startTraktEmulator({ rateLimits: false, deviceIntervalSeconds: 5, accessTokenTtlSeconds: 3600 });
    trakt.addUser({ username: 'oauth-alice' });
    trakt.addUser({ username: 'oauth-bob' });
  });
  afterAll(async () => {
    await trakt.close();
  });

  describe('authorization code', () => {
    it('GIVEN the user approves THEN it redirects with a code and the state, and the code buys working tokens', async () => {
      trakt.setAuthorizeDecision({ username: 'oauth-alice', approve: true });
      const back = await authorize();
      expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
      expect(back.searchParams.get('state')).toBe('csrf-123');
      const code = back.searchParams.get('code') ?? '';
      expect(code).not.toBe('');

      const res = await exchange(code);
      expect(res.status).toBe(200);
      const tokens = res.json as TokenSet;
      expect(tokens).toMatchObject({ token_type: 'bearer', scope: 'public', expires_in: 3600 });
      expect(typeof tokens.created_at).toBe('number');
      const settings = await call<{ user: { username: string } }>(trakt, '/users/settings', { token: tokens.access_token });
      expect(settings.json.user.username).toBe('oauth-alice');

      const reused = await exchange(code);
      expect(reused.status).toBe(400);
      expect(reused.json).toMatchObject({ error: 'invalid_grant' });
    });

    it('GIVEN the user denies THEN it redirects with error=access_denied', async () => {
      trakt.setAuthorizeDecision({ username: 'oauth-bob', approve: false });
      const back = await authorize();
      expect(back.searchParams.get('error')).toBe('access_denied');
      expect(back.searchParams.get('state')).toBe('csrf-123');
      expect(back.searchParams.has('code')).toBe(false);
      trakt.setAuthorizeDecision({ username: 'oauth-alice', approve: true });
    });

    it('GIVEN an unknown client_id THEN a 400 page, no redirect', async () => {
      const res = await fetch(`${trakt.authUrl}/oauth/authorize?response_type=code&client_id=nope&redirect_uri=${encodeURIComponent(REDIRECT)}`, {
        redirect: 'manual',
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('text/html');
    });

    it('GIVEN a wrong redirect_uri or client_secret THEN the exchange fails', async () => {
      const code = (await authorize()).searchParams.get('code') ?? '';
      expect((await exchange(code, { client_secret: trakt.clientSecret, redirect_uri: 'https://evil.example/' })).status).toBe(400);
      const other = (await authorize()).searchParams.get('code') ?? '';
      const res = await exchange(other, { client_secret: 'wrong' });
      expect(res.status).toBe(401);
      expect(res.json).toMatchObject({ error: 'invalid_client' });
    });

    it('accepts PKCE (S256) in place of the client secret and checks the verifier', async () => {
      const verifier = 'a-long-random-verifier-string-of-at-least-43-characters-0123456789';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const code = (await authorize({ code_challenge: challenge, code_challenge_method: 'S256' })).searchParams.get('code') ?? '';
      const wrong = await exchange(code, { code_verifier: 'not-the-verifier' });
      expect(wrong.status).toBe(400);
      expect(wrong.json).toMatchObject({ error: 'invalid_grant' });

      const code2 = (await authorize({ code_challenge: challenge, code_challenge_method: 'S256' })).searchParams.get('code') ?? '';
      const noVerifier = await exchange(code2, { client_secret: trakt.clientSecret });
      expect(noVerifier.status).toBe(400);

      const code3 = (await authorize({ code_challenge: challenge, code_challenge_method: 'S256' })).searchParams.get('code') ?? '';
      const right = await exchange(code3, { code_verifier: verifier });
      expect(right.status).toBe(200);
      expect((right.json as TokenSet).access_token).toBeTruthy();
    });
  });

  describe('refresh tokens', () => {
    it('are single-use: a refresh kills the old pair, reusing it answers 400 invalid_grant', async () => {
      const first = trakt.issueTokens('oauth-alice');
      const res = await refresh(first.refresh_token);
      expect(res.status).toBe(200);
      const second = res.json as TokenSet;
      expect(second.refresh_token).not.toBe(first.refresh_token);
      expect(second.access_token).not.toBe(first.access_token);

      expect((await call(trakt, '/sync/watchlist', { token: first.access_token })).status).toBe(401);
      expect((await call(trakt, '/sync/watchlist', { token: second.access_token })).status).toBe(200);

      const reuse = await refresh(first.refresh_token);
      expect(reuse.status).toBe(400);
      expect(reuse.json).toMatchObject({ error: 'invalid_grant' });
      expect((reuse.json as { error_description: string }).error_description).toBeTruthy();
    });

    it('fail as configured: 400 invalid_grant, 401 invalid_grant, or 400 with an empty body', async () => {
      const tokens = trakt.issueTokens('oauth-bob');
      trakt.setRefreshFailure('oauth-bob', 'invalid_grant_400');
      expect(await refresh(tokens.refresh_token)).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
      trakt.setRefreshFailure('oauth-bob', 'invalid_grant_401');
      expect(await refresh(tokens.refresh_token)).toMatchObject({ status: 401, json: { error: 'invalid_grant' } });
      trakt.setRefreshFailure('oauth-bob', 'empty_400');
      expect(await refresh(tokens.refresh_token)).toMatchObject({ status: 400, text: '' });
      trakt.setRefreshFailure('oauth-bob', null);
      expect((await refresh(tokens.refresh_token)).status).toBe(200);
    });

    it('stop working after revokeAllTokens and after POST /oauth/revoke', async () => {
      const tokens = trakt.issueTokens('oauth-bob');
      trakt.revokeAllTokens('oauth-bob');
      expect((await refresh(tokens.refresh_token)).status).toBe(400);

      const other = trakt.issueTokens('oauth-bob');
      const revoked = await post('/oauth/revoke', { token: other.access_token, client_id: trakt.clientId, client_secret: trakt.clientSecret });
      expect(revoked).toMatchObject({ status: 200, text: '' });
      expect((await call(trakt, '/sync/watchlist', { token: other.access_token })).status).toBe(401);
      expect((await refresh(other.refresh_token)).status).toBe(400);
    });
  });

  describe('device flow (REFERENCE §3.7)', () => {
    const newCode = async (): Promise<{ device_code: string; user_code: string; verification_url: string; interval: number; expires_in: number }> => {
      const res = await post('/oauth/device/code', { client_id: trakt.clientId });
      expect(res.status).toBe(200);
      return res.json as { device_code: string; user_code: string; verification_url: string; interval: number; expires_in: number };
    };
    const poll = (code: string) => post('/oauth/device/token', { code, client_id: trakt.clientId, client_secret: trakt.clientSecret });

    it('issues an 8-character user code, a verification URL and the interval', async () => {
      const code = await newCode();
      expect(code.user_code).toMatch(/^[0-9A-F]{8}$/);
      expect(code.verification_url).toBe(`${trakt.authUrl}/activate`);
      expect(code).toMatchObject({ interval: 5, expires_in: 600 });
    });

    it('answers 400 (not JSON) while pending, 429 when polled too fast, 200 once approved, then 409', async () => {
      const code = await newCode();
      const pending = await poll(code.device_code);
      expect(pending.status).toBe(400);
      expect(() => JSON.parse(pending.text) as unknown).toThrow();
      expect((await poll(code.device_code)).status).toBe(429);

      trakt.approveDevice(code.user_code, 'oauth-alice');
      const approved = await poll(code.device_code);
      expect(approved.status).toBe(200);
      const tokens = approved.json as TokenSet;
      const settings = await call<{ user: { username: string } }>(trakt, '/users/settings', { token: tokens.access_token });
      expect(settings.json.user.username).toBe('oauth-alice');
      expect((await poll(code.device_code)).status).toBe(409);
    });

    it('answers 404 for an unknown code, 410 once expired and 418 when denied', async () => {
      expect((await poll('no-such-code')).status).toBe(404);
      const expiring = await newCode();
      trakt.expireDevice(expiring.user_code);
      expect((await poll(expiring.device_code)).status).toBe(410);
      const denied = await newCode();
      trakt.denyDevice(denied.user_code);
      expect((await poll(denied.device_code)).status).toBe(418);
    });
  });
});
