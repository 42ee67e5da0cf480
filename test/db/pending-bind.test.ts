import { randomInt } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { newViewId } from '../../src/bot/core/actions.js';
import type { Database } from '../../src/db/client.js';
import { upsertChatIdentity } from '../../src/db/queries/identities.js';
import { bindPendingView, findPendingAction, insertPendingActions } from '../../src/db/queries/pending-actions.js';
import { DRIVER_NAME, sharedTestDatabase } from '../helpers/db.js';

/** Binding a view's buttons to the message that carries them (bug 5), on PGlite or Postgres. */
let database: Database;
beforeAll(async () => {
  database = await sharedTestDatabase();
});

describe(`binding pending actions to their message (${DRIVER_NAME})`, () => {
  it('GIVEN two views, one id a prefix-lookalike of the other WHEN one is bound THEN exactly its buttons get the chat and message', async () => {
    const owner = (await upsertChatIdentity(database.db, { platform: 'telegram', platformUserId: String(randomInt(1, 2 ** 47)) })).id;
    const viewId = newViewId();
    const expiresAt = new Date(Date.now() + 60_000);
    const row = (id: string) => ({ id, ownerIdentityId: owner, platform: 'telegram' as const, chatId: '-100', kind: 'confirm', payload: {}, expiresAt });
    // `${viewId}AAxx` is no button of the view (ids are the view id plus two characters).
    await insertPendingActions(database.db, [row(`${viewId}AA`), row(`${viewId}AB`), row(`${viewId}AAxx`)]);
    await bindPendingView(database.db, viewId, '42', '7');
    expect(await findPendingAction(database.db, `${viewId}AA`)).toMatchObject({ chatId: '42', messageId: '7' });
    expect(await findPendingAction(database.db, `${viewId}AB`)).toMatchObject({ chatId: '42', messageId: '7' });
    expect(await findPendingAction(database.db, `${viewId}AAxx`)).toMatchObject({ chatId: '-100', messageId: null });
    // Patterns bind nothing.
    await bindPendingView(database.db, '%', '1', '1');
    expect(await findPendingAction(database.db, `${viewId}AAxx`)).toMatchObject({ chatId: '-100', messageId: null });
  });
});
