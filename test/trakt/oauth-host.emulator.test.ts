/**
 * OAuth goes to the OAuth host, never to the API host (REFERENCE §1: "Do not use the API hostname for
 * these requests"). The emulator serves OAuth on a second server, like auth.trakt.tv, and its API host
 * answers OAuth paths with 404, so these tests fail if the client sends OAuth to `apiUrl`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TraktClient } from '../../src/trakt/client.js';
import { createPkcePair } from '../../src/trakt/oauth.js';
import { clientFor, startEmulator, uniqueName, type TraktEmulator } from './helpers.js';

const REDIRECT = 'http://127.0.0.1:1/callback';
const OAUTH_POSTS = ['/oauth/token', '/oauth/revoke', '/oauth/device/code', '/oauth/device/token'];

let emulator: TraktEmulator;
let trakt: TraktClient;

beforeAll(async () => {
  emulator = await startEmulator({ deviceIntervalSeconds: 1 });
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

const traktHeaders = (): Record<string, string> => ({
  'Content-Type': 'application/json',
  'User-Agent': 'Marquee/oauth-host-test',
  'trakt-api-key': emulator.clientId,
  'trakt-api-version': '2',
});

describe('the emulator has two hosts', () => {
  it('serves the API and the OAuth host on different ports', () => {
    expect(new URL(emulator.authUrl).origin).not.toBe(new URL(emulator.url).origin);
  });

  it('GIVEN OAuth paths on the API host THEN 404; the same requests on the OAuth host are answered', async () => {
    for (const path of OAUTH_POSTS) {
      const body = JSON.stringify({ client_id: emulator.clientId, client_secret: emulator.clientSecret });
      const onApi = await fetch(`${emulator.url}${path}`, { method: 'POST', headers: traktHeaders(), body });
      expect({ path, status: onApi.status }).toEqual({ path, status: 404 });
      const onAuth = await fetch(`${emulator.authUrl}${path}`, { method: 'POST', headers: traktHeaders(), body });
      expect({ path, notFound: onAuth.status === 404 && path !== '/oauth/device/token' }).toEqual({ path, notFound: false });
    }
    const query = `response_type=code&client_id=${emulator.clientId}&redirect_uri=${encodeURIComponent(REDIRECT)}`;
    for (const path of [`/oauth/authorize?${query}`, '/activate', '/activate/ABCD1234']) {
      const onApi = await fetch(`${emulator.url}${path}`, { redirect: 'manual', headers: traktHeaders() });
      expect({ path, status: onApi.status }).toEqual({ path, status: 404 });
    }
  });

  it('GIVEN API paths on the OAuth host THEN 404', async () => {
    const token = emulator.issueTokens(emulator.addUser({ username: uniqueName() }).username).access_token;
    for (const path of ['/sync/watchlist', '/sync/last_activities', '/users/settings', '/search/movie?query=dune']) {
      const res = await fetch(`${emulator.authUrl}${path}`, { headers: { ...traktHeaders(), Authorization: `Bearer ${token}` } });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
  });
});

describe('the client sends every OAuth call to the OAuth host', () => {
  it('authorize page, code exchange, refresh, revoke, device code and device poll reach the auth host only', async () => {
    const username = uniqueName();
    emulator.addUser({ username });
    emulator.setAuthorizeDecision({ username, approve: true });

    // The authorize page the user's browser opens.
    const pkce = createPkcePair();
    const authorize = trakt.oauth.authorizeUrl({ redirectUri: REDIRECT, state: 'st-host', codeChallenge: pkce.challenge });
    expect(new URL(authorize).origin).toBe(new URL(emulator.authUrl).origin);
    const page = await fetch(authorize, { redirect: 'manual', headers: { 'User-Agent': 'browser' } });
    expect(page.status).toBe(302);
    const code = new URL(page.headers.get('location') ?? '').searchParams.get('code') ?? '';

    const tokens = await trakt.oauth.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: pkce.verifier });
    const refreshed = await trakt.oauth.refreshToken({ refreshToken: tokens.refreshToken, redirectUri: REDIRECT });
    await trakt.oauth.revokeToken(refreshed.accessToken);
    const device = await trakt.oauth.requestDeviceCode();
    expect(device.verificationUrl.startsWith(emulator.authUrl)).toBe(true);
    await expect(trakt.oauth.pollDeviceToken(device.deviceCode)).resolves.toMatchObject({ status: 'pending' });

    const oauthRequests = emulator.requests.filter((r) => r.path.startsWith('/oauth/'));
    expect(oauthRequests.map((r) => `${r.host} ${r.route} ${r.status}`)).toEqual([
      'auth GET /oauth/authorize 302',
      'auth POST /oauth/token 200',
      'auth POST /oauth/token 200',
      'auth POST /oauth/revoke 200',
      'auth POST /oauth/device/code 200',
      'auth POST /oauth/device/token 400',
    ]);
    expect(emulator.requests.filter((r) => r.host === 'api')).toEqual([]);
  });

  it('GIVEN a client that sends OAuth to the API host THEN every call fails with 404 there', async () => {
    const username = uniqueName();
    emulator.addUser({ username });
    const tokens = emulator.issueTokens(username);
    const wrong = clientFor(emulator, { authUrl: emulator.url, retry: { retries: 0 } });
    try {
      await expect(wrong.oauth.exchangeCode({ code: 'nope', redirectUri: REDIRECT })).rejects.toThrow();
      await expect(wrong.oauth.refreshToken({ refreshToken: tokens.refresh_token, redirectUri: REDIRECT })).rejects.toThrow();
      await expect(wrong.oauth.revokeToken(tokens.access_token)).rejects.toThrow();
      await expect(wrong.oauth.requestDeviceCode()).rejects.toThrow();
      await expect(wrong.oauth.pollDeviceToken('nope')).resolves.not.toMatchObject({ status: 'pending' });
    } finally {
      wrong.close();
    }
    expect(emulator.requests.map((r) => `${r.host} ${r.method} ${r.path} ${r.status}`)).toEqual([
      'api POST /oauth/token 404',
      'api POST /oauth/token 404',
      'api POST /oauth/revoke 404',
      'api POST /oauth/device/code 404',
      'api POST /oauth/device/token 404',
    ]);
  });
});
