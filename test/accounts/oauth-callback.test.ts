import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createLinkService, hashState, type LinkNotice, type LinkService } from '../../src/accounts/linking.js';
import type { Database } from '../../src/db/client.js';
import { upsertChatIdentity } from '../../src/db/queries/identities.js';
import { decryptTokens, findTraktLink } from '../../src/db/queries/trakt-links.js';
import { buildServer } from '../../src/server/build-server.js';
import { registerOAuthCallback } from '../../src/server/routes/oauth-callback.js';
import type { TraktClient } from '../../src/trakt/client.js';
import { startTraktEmulator, type TraktEmulator } from '../emulators/trakt/index.js';
import { DRIVER_NAME, sharedTestDatabase } from '../helpers/db.js';
import { captureLogs } from '../helpers/logs.js';
import { testKeyRing, traktClientFor, uniqueName } from '../helpers/trakt-stack.js';

const PUBLIC_URL = 'https://marquee.example.test';
const REDIRECT = `${PUBLIC_URL}/oauth/callback`;

describe(`linking through the OAuth callback on ${DRIVER_NAME}`, () => {
  let emulator: TraktEmulator;
  let database: Database;
  let trakt: TraktClient;
  let app: FastifyInstance;
  let links: LinkService;
  const ring = testKeyRing();
  const logs = captureLogs('debug');
  const notices: LinkNotice[] = [];
  const secretsSeen: string[] = [];
  let clock = Date.now();

  beforeAll(async () => {
    emulator = await startTraktEmulator({ rateLimits: false, catalogSize: 200 });
    database = await sharedTestDatabase();
    trakt = traktClientFor(emulator, logs.logger);
    links = createLinkService({
      database,
      ring,
      trakt,
      redirectUri: REDIRECT,
      logger: logs.logger,
      notify: async (notice) => {
        notices.push(notice);
      },
      now: () => new Date(clock),
    });
    app = await buildServer({
      logger: logs.logger,
      checkReady: () => database.checkReady(),
      routes: [(instance) => registerOAuthCallback(instance, { links })],
    });
  });
  afterAll(async () => {
    await app.close();
    trakt.close();
    await emulator.close();
    // Nothing secret may have reached a log line during the whole file.
    const text = logs.text();
    expect(logs.lines.length).toBeGreaterThan(0);
    for (const secret of [...secretsSeen, emulator.clientSecret]) expect(text).not.toContain(secret);
  });
  beforeEach(() => {
    notices.length = 0;
    clock = Date.now();
  });

  async function newUser() {
    const username = uniqueName('oauth');
    emulator.addUser({ username });
    const identity = await upsertChatIdentity(database.db, { platform: 'telegram', platformUserId: uniqueName('') });
    return { username, identity };
  }

  /** Starts linking and lets the emulated Trakt approve or deny; returns the callback query Trakt sent back. */
  async function authorize(identityId: number, username: string, approve = true) {
    const start = await links.start({ identityId, notify: { platform: 'telegram', chatId: '1' } });
    expect(start.kind).toBe('oauth');
    const url = new URL(start.url);
    expect(url.origin).toBe(emulator.authUrl);
    expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    const state = url.searchParams.get('state') ?? '';
    // At least 128 random bits: 32 bytes in base64url.
    expect(state.length).toBeGreaterThanOrEqual(43);
    emulator.setAuthorizeDecision({ username, approve });
    const redirect = await fetch(start.url, { redirect: 'manual', headers: { 'user-agent': 'browser' } });
    expect(redirect.status).toBe(302);
    const back = new URL(redirect.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    secretsSeen.push(state, back.searchParams.get('code') ?? state);
    return back.search;
  }

  it('GIVEN an approved authorization THEN the callback links the account, stores tokens encrypted and tells the chat', async () => {
    const { username, identity } = await newUser();
    const query = await authorize(identity.id, username);
    const page = await app.inject({ method: 'GET', url: `/oauth/callback${query}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain(username);
    expect(page.body).toContain('go back to the chat');

    const row = await findTraktLink(database.db, identity.id);
    expect(row).toMatchObject({ traktUsername: username, status: 'active' });
    if (row === undefined) throw new Error('no link');
    const tokens = decryptTokens(ring, row);
    secretsSeen.push(tokens.accessToken, tokens.refreshToken);
    expect(row.accessTokenEnc).not.toContain(tokens.accessToken);
    expect(row.expiresAt.getTime() - row.tokenCreatedAt.getTime()).toBe(604800 * 1000);
    expect(notices).toEqual([expect.objectContaining({ kind: 'linked', identityId: identity.id, traktUsername: username })]);
    // PKCE: the code exchange carried a verifier.
    const exchange = emulator.requests.filter((r) => r.route === 'POST /oauth/token').at(-1);
    expect(exchange?.status).toBe(200);
    expect((exchange?.body as { code_verifier?: string }).code_verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
  });

  it('GIVEN a tampered state THEN a clear page, and nothing is linked', async () => {
    const { username, identity } = await newUser();
    const query = new URLSearchParams(await authorize(identity.id, username));
    const state = query.get('state') ?? '';
    query.set('state', `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`);
    const page = await app.inject({ method: 'GET', url: `/oauth/callback?${query.toString()}` });
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('not known');
    expect(await findTraktLink(database.db, identity.id)).toBeUndefined();
    expect(notices).toEqual([]);
  });

  it('GIVEN an expired state THEN a clear page, and nothing is linked', async () => {
    const { username, identity } = await newUser();
    const query = await authorize(identity.id, username);
    clock += 11 * 60 * 1000;
    const page = await app.inject({ method: 'GET', url: `/oauth/callback${query}` });
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('expired');
    expect(await findTraktLink(database.db, identity.id)).toBeUndefined();
  });

  it('GIVEN a state used once THEN its reuse is refused and links nothing more', async () => {
    const { username, identity } = await newUser();
    const query = await authorize(identity.id, username);
    const first = await app.inject({ method: 'GET', url: `/oauth/callback${query}` });
    expect(first.statusCode).toBe(200);
    const exchanges = emulator.requests.filter((r) => r.route === 'POST /oauth/token').length;
    const again = await app.inject({ method: 'GET', url: `/oauth/callback${query}` });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('already used');
    expect(emulator.requests.filter((r) => r.route === 'POST /oauth/token').length).toBe(exchanges);
    expect(notices).toHaveLength(1);
  });

  it('GIVEN the user denies on Trakt THEN a clear page, and nothing is linked', async () => {
    const { username, identity } = await newUser();
    const query = await authorize(identity.id, username, false);
    expect(new URLSearchParams(query).get('error')).toBe('access_denied');
    const page = await app.inject({ method: 'GET', url: `/oauth/callback${query}` });
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('did not allow access');
    expect(await findTraktLink(database.db, identity.id)).toBeUndefined();
  });

  it('GIVEN a callback without parameters THEN a clear page', async () => {
    for (const url of ['/oauth/callback', '/oauth/callback?code=abc', '/oauth/callback?state=&code=', '/oauth/callback?state=a&state=b']) {
      const page = await app.inject({ method: 'GET', url });
      expect(page.statusCode).toBe(400);
      expect(page.body).toMatch(/without a link request|not known/);
    }
  });

  it('stores only a hash of the state', async () => {
    const { username, identity } = await newUser();
    const query = new URLSearchParams(await authorize(identity.id, username));
    const state = query.get('state') ?? '';
    const { linkAttempts } = await import('../../src/db/schema.js');
    const { eq } = await import('drizzle-orm');
    const rows = await database.db.select().from(linkAttempts).where(eq(linkAttempts.identityId, identity.id));
    expect(rows.map((r) => r.stateHash)).toContain(hashState(state));
    expect(JSON.stringify(rows)).not.toContain(state);
  });
});
