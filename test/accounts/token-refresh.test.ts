import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTokenManager,
  RelinkRequiredError,
  type RelinkNotice,
  type TokenManager,
} from '../../src/accounts/token-manager.js';
import { createDatabase, type Database } from '../../src/db/client.js';
import { decryptTokens, findTraktLink, saveTraktLink } from '../../src/db/queries/trakt-links.js';
import type { TraktClient } from '../../src/trakt/client.js';
import { TraktUnauthorizedError } from '../../src/trakt/errors.js';
import { startTraktEmulator, type TraktEmulator } from '../emulators/trakt/index.js';
import { DRIVER_NAME, sharedTestDatabase, TEST_DATABASE_URL, throwAwayDatabase } from '../helpers/db.js';
import { captureLogs } from '../helpers/logs.js';
import { linkedIdentity, testKeyRing, traktClientFor } from '../helpers/trakt-stack.js';

const WEEK = 604800;

describe(`keeping Trakt tokens alive on ${DRIVER_NAME}`, () => {
  let emulator: TraktEmulator;
  let database: Database;
  let trakt: TraktClient;
  const ring = testKeyRing();
  const logs = captureLogs('debug');
  const relinkNotices: RelinkNotice[] = [];
  const secrets: string[] = [];

  function manager(options: { db?: Database; client?: TraktClient; now?: () => Date } = {}): TokenManager {
    return createTokenManager({
      database: options.db ?? database,
      ring,
      oauth: (options.client ?? trakt).oauth,
      redirectUri: 'urn:ietf:wg:oauth:2.0:oob',
      logger: logs.logger,
      now: options.now,
      onRelinkRequired: async (notice) => {
        relinkNotices.push(notice);
      },
    });
  }

  const refreshesFor = (refreshToken: string) =>
    emulator.requests.filter(
      (r) => r.route === 'POST /oauth/token' && (r.body as { grant_type?: string; refresh_token?: string }).refresh_token === refreshToken,
    );

  beforeAll(async () => {
    emulator = await startTraktEmulator({ rateLimits: false, catalogSize: 200 });
    database = await sharedTestDatabase();
    trakt = traktClientFor(emulator, logs.logger);
  });
  afterAll(async () => {
    trakt.close();
    await emulator.close();
    const text = logs.text();
    for (const secret of [...secrets, emulator.clientSecret]) expect(text).not.toContain(secret);
  });

  it('GIVEN a fresh token THEN it is used as is, without a refresh', async () => {
    const { identity, issued } = await linkedIdentity(database, ring, emulator);
    secrets.push(issued.access_token, issued.refresh_token);
    expect(await manager().accessToken(identity.id)).toBe(issued.access_token);
    expect(refreshesFor(issued.refresh_token)).toHaveLength(0);
  });

  it('GIVEN an expired token WHEN 20 Trakt calls start at once THEN exactly one refresh reaches Trakt and all calls succeed', async () => {
    // Token created 8 days ago with a 7-day lifetime, as Trakt stated it: expired.
    const createdAt = new Date(Date.now() - 8 * 86400 * 1000);
    const { identity, issued } = await linkedIdentity(database, ring, emulator, { createdAt, expiresIn: WEEK });
    secrets.push(issued.access_token, issued.refresh_token);
    const tokens = manager();
    const user = trakt.forUser(await tokens.providerFor(identity.id));
    const results = await Promise.all(Array.from({ length: 20 }, () => user.settings()));
    expect(results.every((s) => s.slug.length > 0)).toBe(true);
    expect(refreshesFor(issued.refresh_token)).toHaveLength(1);
    const row = await findTraktLink(database.db, identity.id);
    if (row === undefined) throw new Error('no link');
    const stored = decryptTokens(ring, row);
    secrets.push(stored.accessToken, stored.refreshToken);
    expect(stored.refreshToken).not.toBe(issued.refresh_token);
    // The new expiry is the answer's created_at + expires_in, not a constant.
    expect(row.expiresAt.getTime() - row.tokenCreatedAt.getTime()).toBe(WEEK * 1000);
  });

  it('GIVEN a token three quarters through its lifetime THEN it is refreshed ahead of expiry', async () => {
    const createdAt = new Date(Date.now() - 0.8 * 3600 * 1000);
    const { identity, issued } = await linkedIdentity(database, ring, emulator, { createdAt, expiresIn: 3600 });
    secrets.push(issued.access_token, issued.refresh_token);
    const token = await manager().accessToken(identity.id);
    expect(token).not.toBe(issued.access_token);
    expect(refreshesFor(issued.refresh_token)).toHaveLength(1);
  });

  it('GIVEN an idle user whose token is due THEN the background refresh renews it before it expires, once', async () => {
    // A database of its own: a background pass touches every due link, and other tests' links must not be.
    const scratch = await throwAwayDatabase();
    try {
      const own = await scratch.open();
      await own.migrate();
      const createdAt = new Date(Date.now() - 0.9 * WEEK * 1000);
      const { identity, issued } = await linkedIdentity(own, ring, emulator, { createdAt, expiresIn: WEEK });
      const fresh = await linkedIdentity(own, ring, emulator, { expiresIn: WEEK });
      secrets.push(issued.access_token, issued.refresh_token, fresh.issued.access_token, fresh.issued.refresh_token);
      const tokens = manager({ db: own });
      expect(await tokens.refreshDue()).toBe(1);
      expect(refreshesFor(issued.refresh_token)).toHaveLength(1);
      expect(refreshesFor(fresh.issued.refresh_token)).toHaveLength(0);
      const row = await findTraktLink(own.db, identity.id);
      expect(row?.tokenCreatedAt.getTime()).toBeGreaterThan(createdAt.getTime());
      expect(await tokens.refreshDue()).toBe(0);
    } finally {
      await scratch.drop();
    }
  });

  it('GIVEN Trakt answers 401 to a token that looked valid THEN one refresh and one retry succeed', async () => {
    const { identity, user, issued } = await linkedIdentity(database, ring, emulator);
    secrets.push(issued.access_token, issued.refresh_token);
    // The stored access token is one Trakt no longer accepts; the refresh token still works.
    const row = await findTraktLink(database.db, identity.id);
    if (row === undefined) throw new Error('no link');
    await saveTraktLink(
      database.db,
      ring,
      identity.id,
      { username: row.traktUsername, slug: row.traktSlug, uuid: row.traktUuid, vip: row.vip, watchlistLimit: row.watchlistLimit },
      { ...decryptTokens(ring, row), accessToken: 'no-longer-accepted' },
    );
    const client = trakt.forUser(await manager().providerFor(identity.id));
    const settings = await client.settings();
    expect(settings.username).toBe(user.username);
    expect(refreshesFor(issued.refresh_token)).toHaveLength(1);
    const statuses = emulator.requests.filter((r) => r.route === 'GET /users/settings' && r.user === user.username).map((r) => r.status);
    expect(statuses.at(-1)).toBe(200);
  });

  it('GIVEN the account was revoked on Trakt THEN a 401 leads to one refused refresh, one message, and no loop', async () => {
    const { identity, user, issued } = await linkedIdentity(database, ring, emulator);
    secrets.push(issued.access_token, issued.refresh_token);
    const client = trakt.forUser(await manager().providerFor(identity.id));
    emulator.revokeAllTokens(user.username);
    await expect(client.settings()).rejects.toBeInstanceOf(TraktUnauthorizedError);
    await expect(client.settings()).rejects.toThrow();
    expect(refreshesFor(issued.refresh_token)).toHaveLength(1);
    expect(relinkNotices.filter((n) => n.identityId === identity.id)).toHaveLength(1);
  });

  it.each(['invalid_grant_400', 'invalid_grant_401', 'empty_400'] as const)(
    'GIVEN the refresh is refused (%s) THEN the user gets one message and Trakt gets no further calls for them',
    async (mode) => {
      const createdAt = new Date(Date.now() - 8 * 86400 * 1000);
      const { identity, user, issued } = await linkedIdentity(database, ring, emulator, { createdAt, expiresIn: WEEK });
      secrets.push(issued.access_token, issued.refresh_token);
      emulator.setRefreshFailure(user.username, mode);
      const tokens = manager();
      const provider = await tokens.providerFor(identity.id).catch(() => null);
      await expect(tokens.accessToken(identity.id)).rejects.toBeInstanceOf(RelinkRequiredError);
      const before = emulator.requests.length;
      // Many later attempts, through the manager and through the client: no Trakt request, no loop.
      for (let i = 0; i < 5; i += 1) {
        await expect(tokens.accessToken(identity.id)).rejects.toBeInstanceOf(RelinkRequiredError);
        if (provider !== null) await expect(trakt.forUser(provider).settings()).rejects.toThrow();
      }
      expect(emulator.requests.length).toBe(before);
      expect(refreshesFor(issued.refresh_token)).toHaveLength(1);
      expect(relinkNotices.filter((n) => n.identityId === identity.id)).toEqual([
        { identityId: identity.id, traktUsername: user.username },
      ]);
      expect((await findTraktLink(database.db, identity.id))?.status).toBe('needs_relink');
    },
  );

  it.skipIf(TEST_DATABASE_URL === null)(
    'GIVEN two service instances on one Postgres WHEN both call Trakt for an expired user at once THEN still exactly one refresh',
    async () => {
      const createdAt = new Date(Date.now() - 8 * 86400 * 1000);
      const { identity, issued } = await linkedIdentity(database, ring, emulator, { createdAt, expiresIn: WEEK });
      secrets.push(issued.access_token, issued.refresh_token);
      // Each instance has its own pool, its own Trakt client and its own in-process state.
      const other = await createDatabase({ databaseUrl: TEST_DATABASE_URL, poolSize: 5 });
      const otherClient = traktClientFor(emulator, logs.logger);
      try {
        const a = manager();
        const b = manager({ db: other, client: otherClient });
        const userA = trakt.forUser(await a.providerFor(identity.id));
        const userB = otherClient.forUser(await b.providerFor(identity.id));
        const calls = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? userA : userB).settings());
        const results = await Promise.all(calls);
        expect(results).toHaveLength(20);
        expect(refreshesFor(issued.refresh_token)).toHaveLength(1);
      } finally {
        otherClient.close();
        await other.close();
      }
    },
  );
});
