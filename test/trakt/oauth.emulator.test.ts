/**
 * OAuth against the emulator's auth host: PKCE code flow, single-use refresh tokens, revoke, and every
 * answer of the device-token endpoint (REFERENCE §3).
 */
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TraktClient } from '../../src/trakt/client.js';
import {
  TraktForbiddenError,
  TraktRefreshRejectedError,
  TraktUnauthorizedError,
  TraktUnavailableError,
  TraktValidationError,
} from '../../src/trakt/errors.js';
import { createPkcePair } from '../../src/trakt/oauth.js';
import { clientFor, emulatedUser, requestsTo, startEmulator, uniqueName, type TraktEmulator } from './helpers.js';

const TTL = 4321; // an odd lifetime: the client must take it from the answer, never assume one
const REDIRECT = 'http://127.0.0.1:1/callback';

let emulator: TraktEmulator;
let trakt: TraktClient;
const extraClients: TraktClient[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ accessTokenTtlSeconds: TTL, deviceIntervalSeconds: 1 });
  trakt = clientFor(emulator);
});
afterAll(async () => {
  trakt.close();
  await emulator.close();
});
beforeEach(() => {
  emulator.clearFaults();
  emulator.clearRequests();
});
afterEach(() => {
  for (const c of extraClients.splice(0)) c.close();
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected the call to fail'),
    (error: unknown) => error,
  );
}

/** The refresh-token values the auth host received. */
function refreshTokensSent(): string[] {
  return requestsTo(emulator, 'POST /oauth/token')
    .map((r) => (r.body as { refresh_token?: string } | undefined)?.refresh_token)
    .filter((t): t is string => t !== undefined);
}

describe('PKCE authorization code flow', () => {
  it('createPkcePair makes a 43–128 character verifier and its S256 challenge', () => {
    const pair = createPkcePair();
    expect(pair.verifier.length).toBeGreaterThanOrEqual(43);
    expect(pair.verifier.length).toBeLessThanOrEqual(128);
    expect(pair.verifier).toMatch(/^[A-Za-z0-9\-._~]+$/);
    expect(pair.challenge).toBe(createHash('sha256').update(pair.verifier).digest('base64url'));
    expect(createPkcePair().verifier).not.toBe(pair.verifier);
  });

  it('authorize on the auth host, then exchange the code with the verifier', async () => {
    const username = uniqueName();
    emulator.addUser({ username });
    emulator.setAuthorizeDecision({ username, approve: true });
    const pkce = createPkcePair();
    const url = new URL(trakt.oauth.authorizeUrl({ redirectUri: REDIRECT, state: 'st-1', codeChallenge: pkce.challenge }));
    expect(url.origin).toBe(new URL(emulator.authUrl).origin);
    expect(url.pathname).toBe('/oauth/authorize');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: emulator.clientId,
      redirect_uri: REDIRECT,
      state: 'st-1',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    });

    // The browser's part: Trakt redirects back with ?code&state.
    const res = await fetch(url, { redirect: 'manual', headers: { 'User-Agent': 'browser' } });
    const back = new URL(res.headers.get('location') ?? '');
    expect(back.searchParams.get('state')).toBe('st-1');
    const code = back.searchParams.get('code') ?? '';

    const tokens = await trakt.oauth.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: pkce.verifier });
    expect(tokens.expiresAt.getTime() - tokens.createdAt.getTime()).toBe(TTL * 1000);
    const me = trakt.forUser({ key: username, getAccessToken: () => Promise.resolve(tokens.accessToken) });
    await expect(me.settings()).resolves.toMatchObject({ username });

    // Codes are single-use.
    await expect(trakt.oauth.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: pkce.verifier })).rejects.toBeInstanceOf(
      TraktValidationError,
    );
  });

  it('a wrong verifier is refused', async () => {
    const username = uniqueName();
    emulator.addUser({ username });
    emulator.setAuthorizeDecision({ username, approve: true });
    const url = trakt.oauth.authorizeUrl({ redirectUri: REDIRECT, state: 's', codeChallenge: createPkcePair().challenge });
    const res = await fetch(url, { redirect: 'manual', headers: { 'User-Agent': 'browser' } });
    const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const error = await failure(trakt.oauth.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: createPkcePair().verifier }));
    expect(error).toBeInstanceOf(TraktValidationError);
  });
});

describe('refresh tokens are single-use', () => {
  it('a refresh returns new tokens with expiry from created_at + expires_in', async () => {
    const user = emulatedUser(emulator, undefined);
    const tokens = await trakt.oauth.refreshToken({ refreshToken: user.tokens.refreshToken, redirectUri: REDIRECT });
    expect(tokens.refreshToken).not.toBe(user.tokens.refreshToken);
    expect(tokens.expiresAt.getTime() - tokens.createdAt.getTime()).toBe(TTL * 1000);
    expect(tokens.scope).toBe('public');
  });

  it('the same refresh token is never sent twice, even after a success', async () => {
    const user = emulatedUser(emulator, undefined);
    await trakt.oauth.refreshToken({ refreshToken: user.tokens.refreshToken, redirectUri: REDIRECT });
    const error = await failure(trakt.oauth.refreshToken({ refreshToken: user.tokens.refreshToken, redirectUri: REDIRECT }));
    expect(error).toBeInstanceOf(TraktRefreshRejectedError);
    expect((error as TraktRefreshRejectedError).reason).toBe('already_sent');
    expect(refreshTokensSent()).toEqual([user.tokens.refreshToken]);
  });

  it('GIVEN the answer is lost (timeout) THEN it is not re-sent, now or on a later call', async () => {
    // The emulator logs no body for a request it never answered, so our own fetch records what left.
    const bodies: string[] = [];
    const recording: typeof fetch = (input, init) => {
      if (typeof init?.body === 'string') bodies.push(init.body);
      return fetch(input, init);
    };
    const c = clientFor(emulator, { timeoutMs: 200, retry: { retries: 4 }, fetch: recording });
    extraClients.push(c);
    const user = emulatedUser(emulator, undefined);
    emulator.setFault('POST /oauth/token', { hang: true, count: 1 });
    const first = await failure(c.oauth.refreshToken({ refreshToken: user.tokens.refreshToken, redirectUri: REDIRECT }));
    expect(first).toBeInstanceOf(TraktUnavailableError);
    expect((first as TraktUnavailableError).kind).toBe('timeout');
    const second = await failure(c.oauth.refreshToken({ refreshToken: user.tokens.refreshToken, redirectUri: REDIRECT }));
    expect((second as TraktRefreshRejectedError).reason).toBe('already_sent');
    expect(requestsTo(emulator, 'POST /oauth/token')).toHaveLength(1);
    expect(bodies.filter((b) => b.includes(user.tokens.refreshToken))).toHaveLength(1);
  });

  it('GIVEN a 5xx THEN it is not retried; after a 503 (auth server not reached) a later call may send it', async () => {
    const user = emulatedUser(emulator, undefined);
    emulator.setFault('POST /oauth/token', { statuses: [503], count: 1 });
    const error = await failure(trakt.oauth.refreshToken({ refreshToken: user.tokens.refreshToken, redirectUri: REDIRECT }));
    expect(error).toBeInstanceOf(TraktUnavailableError);
    expect(requestsTo(emulator, 'POST /oauth/token')).toHaveLength(1);
    await expect(trakt.oauth.refreshToken({ refreshToken: user.tokens.refreshToken, redirectUri: REDIRECT })).resolves.toMatchObject({
      accessToken: expect.any(String) as string,
    });
    expect(requestsTo(emulator, 'POST /oauth/token').map((r) => r.status)).toEqual([503, 200]);
  });

  it('GIVEN a 524 (the auth server may have acted) THEN the token is never sent again', async () => {
    const user = emulatedUser(emulator, undefined);
    emulator.setFault('POST /oauth/token', { statuses: [524], count: 1 });
    await expect(trakt.oauth.refreshToken({ refreshToken: user.tokens.refreshToken, redirectUri: REDIRECT })).rejects.toBeInstanceOf(
      TraktUnavailableError,
    );
    const again = await failure(trakt.oauth.refreshToken({ refreshToken: user.tokens.refreshToken, redirectUri: REDIRECT }));
    expect((again as TraktRefreshRejectedError).reason).toBe('already_sent');
    expect(requestsTo(emulator, 'POST /oauth/token')).toHaveLength(1);
  });

  it('concurrent refreshes with one token share one request', async () => {
    const user = emulatedUser(emulator, undefined);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => trakt.oauth.refreshToken({ refreshToken: user.tokens.refreshToken, redirectUri: REDIRECT })),
    );
    expect(new Set(results.map((t) => t.accessToken)).size).toBe(1);
    expect(refreshTokensSent()).toHaveLength(1);
  });

  it.each([
    ['invalid_grant_400', 400, 'invalid_grant'],
    ['invalid_grant_401', 401, 'invalid_grant'],
    ['empty_400', 400, 'empty_body'],
  ] as const)('refresh failure %s → TraktRefreshRejectedError (%i, %s), sent once', async (mode, status, reason) => {
    const user = emulatedUser(emulator, undefined);
    emulator.setRefreshFailure(user.key, mode);
    const error = await failure(trakt.oauth.refreshToken({ refreshToken: user.tokens.refreshToken, redirectUri: REDIRECT }));
    expect(error).toBeInstanceOf(TraktRefreshRejectedError);
    expect(error).toMatchObject({ status, reason });
    expect(refreshTokensSent()).toHaveLength(1);
    expect(JSON.stringify({ ...(error as object), message: (error as Error).message })).not.toContain(user.tokens.refreshToken);
  });

  it('a token rotated elsewhere is rejected as invalid_grant', async () => {
    const user = emulatedUser(emulator, undefined);
    emulator.revokeAllTokens(user.key);
    const error = await failure(trakt.oauth.refreshToken({ refreshToken: user.tokens.refreshToken, redirectUri: REDIRECT }));
    expect(error).toMatchObject({ reason: 'invalid_grant', oauthError: 'invalid_grant' });
  });

  it('a wrong client secret is the app’s problem (TraktForbiddenError), not the user’s', async () => {
    const c = clientFor(emulator, { clientSecret: 'wrong' });
    extraClients.push(c);
    const user = emulatedUser(emulator, undefined);
    const error = await failure(c.oauth.refreshToken({ refreshToken: user.tokens.refreshToken, redirectUri: REDIRECT }));
    expect(error).toBeInstanceOf(TraktForbiddenError);
    expect((error as TraktForbiddenError).reason).toBe('app');
  });
});

describe('revoke', () => {
  it('revokes the access token: API calls then get 401', async () => {
    const user = emulatedUser(emulator, undefined);
    await trakt.oauth.revokeToken(user.tokens.accessToken);
    await expect(trakt.forUser(user).settings()).rejects.toBeInstanceOf(TraktUnauthorizedError);
  });
});

describe('device flow', () => {
  it('answers every status of the device-token endpoint', async () => {
    const username = uniqueName();
    emulator.addUser({ username });
    const code = await trakt.oauth.requestDeviceCode();
    expect(code).toMatchObject({ userCode: expect.any(String) as string, intervalSeconds: 1 });
    expect(code.verificationUrl).toMatch(/\/activate$/);

    // 400 pending: the body is not valid JSON and is not read.
    await expect(trakt.oauth.pollDeviceToken(code.deviceCode)).resolves.toEqual({ status: 'pending' });
    // 429 slow down: polled again within the interval.
    await expect(trakt.oauth.pollDeviceToken(code.deviceCode)).resolves.toMatchObject({ status: 'slow_down' });
    // 200 once approved, then 409 for the used code.
    emulator.approveDevice(code.userCode, username);
    const done = await trakt.oauth.pollDeviceToken(code.deviceCode);
    expect(done.status).toBe('authorized');
    if (done.status === 'authorized') {
      expect(done.tokens.expiresAt.getTime() - done.tokens.createdAt.getTime()).toBe(TTL * 1000);
      const me = trakt.forUser({ key: username, getAccessToken: () => Promise.resolve(done.tokens.accessToken) });
      await expect(me.settings()).resolves.toMatchObject({ username });
    }
    await expect(trakt.oauth.pollDeviceToken(code.deviceCode)).resolves.toEqual({ status: 'already_used' });
    // 404 for a code Trakt never issued.
    await expect(trakt.oauth.pollDeviceToken('no-such-code')).resolves.toEqual({ status: 'invalid_code' });

    const expiring = await trakt.oauth.requestDeviceCode();
    emulator.expireDevice(expiring.userCode);
    await expect(trakt.oauth.pollDeviceToken(expiring.deviceCode)).resolves.toEqual({ status: 'expired' });

    const denied = await trakt.oauth.requestDeviceCode();
    emulator.denyDevice(denied.userCode);
    await expect(trakt.oauth.pollDeviceToken(denied.deviceCode)).resolves.toEqual({ status: 'denied' });

    const statuses = requestsTo(emulator, 'POST /oauth/device/token').map((r) => r.status);
    expect(statuses).toEqual([400, 429, 200, 409, 404, 410, 418]);
    // The field is `code` (REFERENCE §3.7).
    expect(requestsTo(emulator, 'POST /oauth/device/token')[0]?.body).toMatchObject({ code: code.deviceCode });
  });

  it('waitForDeviceToken keeps polling through pending and slow_down, slowing down by 5 s', async () => {
    const username = uniqueName();
    emulator.addUser({ username });
    const code = await trakt.oauth.requestDeviceCode();
    const sleeps: number[] = [];
    // Our own clock: it does not wait, so the second poll comes too fast and earns a slow_down.
    const sleep = (ms: number): Promise<void> => {
      sleeps.push(ms);
      if (sleeps.length === 3) emulator.approveDevice(code.userCode, username);
      return Promise.resolve();
    };
    const result = await trakt.oauth.waitForDeviceToken(code, { sleep });
    expect(result.status).toBe('authorized');
    expect(sleeps).toEqual([1000, 1000, 6000]);
    expect(requestsTo(emulator, 'POST /oauth/device/token').map((r) => r.status)).toEqual([400, 429, 200]);
  });

  it('waitForDeviceToken returns denied and stops', async () => {
    const code = await trakt.oauth.requestDeviceCode();
    emulator.denyDevice(code.userCode);
    const result = await trakt.oauth.waitForDeviceToken(code, { sleep: () => Promise.resolve() });
    expect(result).toEqual({ status: 'denied' });
    expect(requestsTo(emulator, 'POST /oauth/device/token')).toHaveLength(1);
  });

  it('OAuth calls are not held by the API rate limiters', async () => {
    const c = clientFor(emulator, { limits: { authedWrite: { limit: 1, periodSeconds: 60 } } });
    extraClients.push(c);
    const codes = await Promise.all([c.oauth.requestDeviceCode(), c.oauth.requestDeviceCode(), c.oauth.requestDeviceCode()]);
    expect(new Set(codes.map((x) => x.deviceCode)).size).toBe(3);
    expect(c.stats().requestsSent.oauth).toBe(3);
    expect(c.stats().requestsSent.write).toBe(0);
  });
});
