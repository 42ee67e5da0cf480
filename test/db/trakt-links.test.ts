import { randomInt } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { rowsOf } from '../../src/db/client.js';
import { createKeyRing, generateKeyBase64, keyIdOfCiphertext, TokenDecryptionError } from '../../src/db/crypto.js';
import { upsertChatIdentity } from '../../src/db/queries/identities.js';
import {
  decryptTokens,
  findTraktLink,
  reencryptTraktLinks,
  saveTraktLink,
} from '../../src/db/queries/trakt-links.js';
import { traktLinks } from '../../src/db/schema.js';
import { DRIVER_NAME, sharedTestDatabase } from '../helpers/db.js';

const account = { username: 'Ada', slug: 'ada', uuid: null, vip: false, watchlistLimit: 250 };

function tokensFor(name: string) {
  const createdAt = new Date('2026-11-20T10:00:00Z');
  return {
    accessToken: `access-${name}-${randomInt(1e9)}`,
    refreshToken: `refresh-${name}-${randomInt(1e9)}`,
    createdAt,
    expiresAt: new Date(createdAt.getTime() + 604800 * 1000),
  };
}

async function newIdentity(database: Database, platform: 'telegram' | 'discord' = 'telegram') {
  return upsertChatIdentity(database.db, { platform, platformUserId: String(randomInt(1, 2 ** 47)) });
}

describe(`stored Trakt tokens on ${DRIVER_NAME}`, () => {
  let database: Database;
  const ring = createKeyRing([generateKeyBase64()]);

  beforeAll(async () => {
    database = await sharedTestDatabase();
  });

  it('GIVEN a saved link THEN the raw row holds neither token in clear text, and it decrypts', async () => {
    const alice = await newIdentity(database);
    const tokens = tokensFor('alice');
    await saveTraktLink(database.db, ring, alice.id, account, tokens);

    const raw = rowsOf<Record<string, unknown>>(
      await database.db.execute(sql`select * from trakt_links where identity_id = ${alice.id}`),
    );
    const text = JSON.stringify(raw);
    expect(raw).toHaveLength(1);
    expect(text).not.toContain(tokens.accessToken);
    expect(text).not.toContain(tokens.refreshToken);

    const row = await findTraktLink(database.db, alice.id);
    expect(row && decryptTokens(ring, row)).toEqual(tokens);
  });

  it("GIVEN Alice's ciphertext copied into Bob's row THEN decrypting Bob's row fails", async () => {
    const alice = await newIdentity(database);
    const bob = await newIdentity(database, 'discord');
    await saveTraktLink(database.db, ring, alice.id, account, tokensFor('alice'));
    await saveTraktLink(database.db, ring, bob.id, { ...account, username: 'Bob', slug: 'bob' }, tokensFor('bob'));
    const aliceRow = await findTraktLink(database.db, alice.id);
    if (aliceRow === undefined) throw new Error('no row');
    await database.db
      .update(traktLinks)
      .set({ accessTokenEnc: aliceRow.accessTokenEnc, refreshTokenEnc: aliceRow.refreshTokenEnc })
      .where(eq(traktLinks.identityId, bob.id));
    const bobRow = await findTraktLink(database.db, bob.id);
    if (bobRow === undefined) throw new Error('no row');
    expect(() => decryptTokens(ring, bobRow)).toThrow(TokenDecryptionError);
  });

  it('GIVEN a new key put first THEN rotation re-encrypts every link under it and tokens survive', async () => {
    const oldKey = generateKeyBase64();
    const oldRing = createKeyRing([oldKey]);
    const carol = await newIdentity(database);
    const tokens = tokensFor('carol');
    await saveTraktLink(database.db, oldRing, carol.id, account, tokens);

    const newRing = createKeyRing([generateKeyBase64(), oldKey, ...[...ring.keys.values()].map((k) => k.key.toString('base64'))]);
    const result = await reencryptTraktLinks(database.db, newRing);
    expect(result.reencrypted).toBeGreaterThanOrEqual(1);
    const row = await findTraktLink(database.db, carol.id);
    if (row === undefined) throw new Error('no row');
    expect(keyIdOfCiphertext(row.accessTokenEnc)).toBe(newRing.current.id);
    expect(keyIdOfCiphertext(row.refreshTokenEnc)).toBe(newRing.current.id);
    expect(decryptTokens(createKeyRing([newRing.current.key.toString('base64')]), row)).toEqual(tokens);
    expect((await reencryptTraktLinks(database.db, newRing)).reencrypted).toBe(0);
  });
});
