import { randomInt } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTokenManager } from '../../src/accounts/token-manager.js';
import type { LinkService } from '../../src/accounts/linking.js';
import { createAccountPort } from '../../src/bot/services/accounts-port.js';
import type { Database } from '../../src/db/client.js';
import { createKeyRing, generateKeyBase64 } from '../../src/db/crypto.js';
import { upsertChatIdentity } from '../../src/db/queries/identities.js';
import { deleteTraktLink, saveTraktLink } from '../../src/db/queries/trakt-links.js';
import { DRIVER_NAME, sharedTestDatabase } from '../helpers/db.js';
import { captureLogs } from '../helpers/logs.js';

/** The reads of one update that ask for a user's Trakt link share one round trip; a write is seen at once. */
let database: Database;
beforeAll(async () => {
  database = await sharedTestDatabase();
});

const ring = createKeyRing([generateKeyBase64()]);
const account = { username: 'Ada', slug: 'ada', uuid: null, vip: false, watchlistLimit: 250 };
function tokensFor(name: string) {
  const createdAt = new Date();
  return { accessToken: `access-${name}-${randomInt(1e9)}`, refreshToken: `refresh-${name}-${randomInt(1e9)}`, createdAt, expiresAt: new Date(createdAt.getTime() + 604800 * 1000) };
}

describe(`one link read per update (${DRIVER_NAME})`, () => {
  it('GIVEN a linked user WHEN the account port and the token provider both ask THEN one statement runs; a re-link and an unlink are seen by the next read', async () => {
    const identityId = (await upsertChatIdentity(database.db, { platform: 'telegram', platformUserId: String(randomInt(1, 2 ** 47)) })).id;
    const tokens = createTokenManager({
      database,
      ring,
      oauth: { refreshToken: () => Promise.reject(new Error('no refresh expected')) },
      redirectUri: 'urn:ietf:wg:oauth:2.0:oob',
      logger: captureLogs().logger,
      onRelinkRequired: () => Promise.resolve(),
    });
    const accounts = createAccountPort({ db: database.db, links: {} as LinkService });
    const first = tokensFor('ada');
    await saveTraktLink(database.db, ring, identityId, account, first);

    database.queryStats.reset();
    database.queryStats.enable();
    const [linked, provider] = await Promise.all([accounts.linkedAccount(identityId), tokens.providerFor(identityId)]);
    const token = await provider.getAccessToken();
    database.queryStats.disable();
    expect(database.queryStats.queries).toBe(1);
    expect(linked).toEqual({ username: 'Ada', vip: false, watchlistLimit: 250 });
    expect(token).toBe(first.accessToken);

    const second = tokensFor('ada');
    await saveTraktLink(database.db, ring, identityId, { ...account, username: 'Ada L' }, second);
    expect(await tokens.accessToken(identityId)).toBe(second.accessToken);
    expect((await accounts.linkedAccount(identityId))?.username).toBe('Ada L');

    await deleteTraktLink(database.db, identityId);
    expect(await accounts.linkedAccount(identityId)).toBeNull();
    await expect(tokens.accessToken(identityId)).rejects.toThrow(/not linked/);
  });
});
