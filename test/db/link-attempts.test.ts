import { randomBytes, randomInt } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { upsertChatIdentity } from '../../src/db/queries/identities.js';
import { deleteExpiredLinkAttempts } from '../../src/db/queries/link-attempts.js';
import { linkAttempts } from '../../src/db/schema.js';
import { DRIVER_NAME, sharedTestDatabase } from '../helpers/db.js';

describe(`pruning link attempts on ${DRIVER_NAME}`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await sharedTestDatabase();
  });

  it('GIVEN attempts that expired long ago, pending or finished, and one still live THEN pruning deletes the expired ones only', async () => {
    const identity = await upsertChatIdentity(database.db, { platform: 'telegram', platformUserId: String(randomInt(1, 2 ** 47)) });
    const id = () => randomBytes(12).toString('base64url');
    const rows = [
      { id: id(), status: 'pending' as const, expiresAt: new Date('1990-01-01T00:00:00Z') },
      { id: id(), status: 'linked' as const, expiresAt: new Date('1990-06-01T00:00:00Z') },
      { id: id(), status: 'pending' as const, expiresAt: new Date('2999-01-01T00:00:00Z') },
    ];
    await database.db.insert(linkAttempts).values(rows.map((r) => ({ ...r, identityId: identity.id, kind: 'device' as const })));

    const deleted = await deleteExpiredLinkAttempts(database.db, new Date('1995-01-01T00:00:00Z'));
    expect(deleted).toBeGreaterThanOrEqual(2);
    const left = await database.db.select({ id: linkAttempts.id }).from(linkAttempts).where(inArray(linkAttempts.id, rows.map((r) => r.id)));
    expect(left.map((r) => r.id)).toEqual([rows[2]?.id]);
  });
});
