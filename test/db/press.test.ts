import { beforeAll, describe, expect, it } from 'vitest';
import { newViewId } from '../../src/bot/core/actions.js';
import { createPendingActionStore } from '../../src/bot/services/stores.js';
import type { Database } from '../../src/db/client.js';
import { DRIVER_NAME, sharedTestDatabase, newTestIdentity } from '../helpers/db.js';
import { rowsOf } from '../../src/db/client.js';
import { escapeLike } from '../../src/db/queries/like.js';
import { sql } from 'drizzle-orm';

/** A button press read and claimed in one statement (`press`), on the real database. */
let database: Database;
beforeAll(async () => {
  database = await sharedTestDatabase();
});

const identity = (): Promise<number> => newTestIdentity(database.db);

describe(`press in one statement (${DRIVER_NAME})`, () => {
  it('GIVEN a bound view WHEN pressed by a stranger, on another message, or under another action THEN nothing is consumed; WHEN its owner presses twice at once THEN one claim wins in one round trip each', async () => {
    const owner = await identity();
    const store = createPendingActionStore(database.db);
    const press = store.press!;
    const viewId = newViewId();
    const expiresAt = new Date(Date.now() + 60_000);
    await store.create(['AA', 'AB'].map((s) => ({ id: `${viewId}${s}`, ownerIdentityId: owner, platform: 'telegram', chatId: '7', action: 'confirm', payload: { n: s }, expiresAt })));
    await store.bindMessage(viewId, { chatId: '7', messageId: '70' });
    const check = { action: 'confirm', ownerIdentityId: owner, platform: 'telegram' as const, chatId: '7', messageId: '70' };

    const foreign = await press(`${viewId}AB`, viewId, { ...check, ownerIdentityId: owner + 1 }, new Date());
    expect(foreign).toMatchObject({ claimed: false, pending: { ownerIdentityId: owner, action: 'confirm', payload: { n: 'AB' }, messageId: '70', consumedAt: null } });
    expect(await press(`${viewId}AB`, viewId, { ...check, messageId: '71' }, new Date())).toMatchObject({ claimed: false });
    expect(await press(`${viewId}AB`, viewId, { ...check, messageId: null }, new Date())).toMatchObject({ claimed: false });
    expect(await press(`${viewId}AB`, viewId, { ...check, chatId: '8' }, new Date())).toMatchObject({ claimed: false });
    expect(await press(`${viewId}AB`, viewId, { ...check, action: 'undo' }, new Date())).toMatchObject({ claimed: false });
    expect(await press(`${viewId}ZZ`, viewId, check, new Date())).toBeUndefined();
    expect(await press('%', '%', check, new Date())).toBeUndefined();
    expect((await store.find(`${viewId}AA`))?.consumedAt).toBeNull();

    database.queryStats.reset();
    database.queryStats.enable();
    const at = new Date();
    const both = await Promise.all([press(`${viewId}AB`, viewId, check, at), press(`${viewId}AA`, viewId, check, at)]);
    database.queryStats.disable();
    expect(database.queryStats.queries).toBe(2);
    expect(both.filter((p) => p?.claimed)).toHaveLength(1);
    expect((await store.find(`${viewId}AA`))?.consumedAt).toEqual(at);
    const again = await press(`${viewId}AB`, viewId, check, new Date());
    expect(again).toMatchObject({ claimed: false, pending: { consumedAt: at } });
  });

  it('GIVEN an expired unbound view WHEN its owner presses it THEN it is not claimed and its expiry is reported as stored', async () => {
    const owner = await identity();
    const store = createPendingActionStore(database.db);
    const viewId = newViewId();
    const expiresAt = new Date(Date.now() - 1);
    await store.create([{ id: `${viewId}AA`, ownerIdentityId: owner, platform: 'telegram', chatId: '7', action: 'page', payload: {}, expiresAt }]);
    const pressed = await store.press!(`${viewId}AA`, viewId, { action: 'page', ownerIdentityId: owner, platform: 'telegram', chatId: '7', messageId: '1' }, new Date());
    expect(pressed).toEqual({ claimed: false, pending: expect.objectContaining({ expiresAt, messageId: null, consumedAt: null }) });
  });

  it('GIVEN two views whose ids differ only where one has "_" WHEN the one with "_" is bound and pressed THEN the other view\'s buttons are neither bound nor consumed', async () => {
    // View ids are base64url, which has "_": LIKE reads it as any one character unless it is escaped.
    const owner = await identity();
    const store = createPendingActionStore(database.db);
    const rest = newViewId().slice(1);
    const [wild, other] = [`_${rest}`, `X${rest}`];
    const expiresAt = new Date(Date.now() + 60_000);
    for (const viewId of [wild, other]) {
      await store.create([{ id: `${viewId}AA`, ownerIdentityId: owner, platform: 'telegram', chatId: '7', action: 'confirm', payload: {}, expiresAt }]);
    }
    await store.bindMessage(other, { chatId: '7', messageId: '71' });
    await store.bindMessage(wild, { chatId: '7', messageId: '70' });
    expect((await store.find(`${other}AA`))?.messageId).toBe('71');
    const check = { action: 'confirm', ownerIdentityId: owner, platform: 'telegram' as const, chatId: '7', messageId: '70' };
    expect(await store.press!(`${wild}AA`, wild, check, new Date())).toMatchObject({ claimed: true });
    expect((await store.find(`${other}AA`))?.consumedAt).toBeNull();
    expect(await store.press!(`${other}AA`, other, { ...check, messageId: '71' }, new Date())).toMatchObject({ claimed: true });
  });

  it('GIVEN the server collation WHEN a view is claimed or bound by the prefix of its button ids THEN Postgres finds the rows through the primary key, not by reading the whole table', async () => {
    // An id with "_" (base64url) at its start: escaped, the whole id is the prefix the index is searched by.
    const viewId = escapeLike(`_${newViewId().slice(1)}`);
    const plan = async (statement: ReturnType<typeof sql>) =>
      database.db.transaction(async (tx) => {
        // With sequential scans priced out, a plan that still scans means the index cannot serve the LIKE.
        await tx.execute(sql`set local enable_seqscan = off`);
        return rowsOf<Record<string, string>>(await tx.execute(sql`explain ${statement}`))
          .map((row) => Object.values(row).join(' '))
          .join('\n');
      });
    const claim = await plan(sql`update pending_actions set consumed_at = now() where id like ${`${viewId}%`} and consumed_at is null`);
    const bind = await plan(sql`update pending_actions set message_id = '1' where id like ${`${viewId}__`}`);
    for (const text of [claim, bind]) {
      expect(text).toContain('pending_actions_pkey');
      expect(text).not.toMatch(/Seq Scan/);
    }
  });

  it('GIVEN a view pressed WHEN its buttons are consumed THEN the table leaves room on its pages for the new row versions (in-place updates, no new index entries)', async () => {
    const [row] = rowsOf<{ options: string[] | string | null }>(
      await database.db.execute(sql`select reloptions as options from pg_class where relname = 'pending_actions' and relkind = 'r'`),
    );
    expect(String(row?.options ?? '')).toContain('fillfactor=50');
  });
});
