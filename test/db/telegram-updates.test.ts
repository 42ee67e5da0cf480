import { randomInt } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, type Database } from '../../src/db/client.js';
import {
  botIdOfToken,
  claimTelegramUpdate,
  deleteOldTelegramUpdates,
  finishTelegramUpdate,
  holdTelegramPoller,
  releaseTelegramPoller,
  releaseUnfinishedTelegramUpdates,
  renewTelegramUpdates,
  takeOverTelegramUpdates,
} from '../../src/db/queries/telegram-updates.js';
import { DRIVER_NAME, sharedTestDatabase } from '../helpers/db.js';

/**
 * The claims that make several instances handle each Telegram update once, and the poller lease, on the
 * real database (the multi-instance behaviour itself: test/e2e/telegram/multi-instance.test.ts).
 */
let database: Database;
beforeAll(async () => {
  database = await sharedTestDatabase();
});

/** Each test its own bot, so that tests sharing the database never see each other's rows. */
const newBot = () => randomInt(1, 2 ** 40);
const LEASE = 60_000;

/** Time passes: every lease of this bot has run out. */
async function expire(botId: number): Promise<void> {
  await database.db.execute(sql`update telegram_updates set lease_until = now() - interval '1 second' where bot_id = ${botId}`);
  await database.db.execute(sql`update telegram_pollers set lease_until = now() - interval '1 second' where bot_id = ${botId}`);
}

async function leaseOf(botId: number, updateId: number): Promise<Date> {
  const result = await database.db.execute(sql`select lease_until from telegram_updates where bot_id = ${botId} and update_id = ${updateId}`);
  const rows = rowsOf<{ lease_until: string | Date }>(result);
  return new Date(rows[0]?.lease_until ?? 0);
}

describe(`Telegram update claims (${DRIVER_NAME})`, () => {
  it('GIVEN an update WHEN instances claim it THEN the first gets it, the others are told busy until it is done, then done', async () => {
    const botId = newBot();
    const claim = (owner: string) => claimTelegramUpdate(database.db, { botId, updateId: 7, owner, leaseMs: LEASE, payload: { update_id: 7 } });
    expect(await claim('a')).toBe('claimed');
    expect(await claim('b')).toBe('busy');
    expect(await claim('a')).toBe('busy');
    await finishTelegramUpdate(database.db, { botId, updateId: 7 });
    expect(await claim('b')).toBe('done');
    // Done is done, however old its lease.
    await expire(botId);
    expect(await claim('c')).toBe('done');
    // Another bot's update 7 is another update.
    expect(await claimTelegramUpdate(database.db, { botId: newBot(), updateId: 7, owner: 'b', leaseMs: LEASE, payload: {} })).toBe('claimed');
  });

  it('GIVEN the same update claimed by many at once THEN exactly one claims it', async () => {
    const botId = newBot();
    const states = await Promise.all(Array.from({ length: 8 }, (_, n) => claimTelegramUpdate(database.db, { botId, updateId: 1, owner: `i${n}`, leaseMs: LEASE, payload: {} })));
    expect(states.filter((s) => s === 'claimed')).toHaveLength(1);
    expect(states.filter((s) => s === 'busy')).toHaveLength(7);
  });

  it('GIVEN a claim left unfinished WHEN its lease ran out THEN a redelivery takes it over, or the takeover returns it with its update; a renewed claim is not taken', async () => {
    const botId = newBot();
    const update = { update_id: 5, message: { text: '/help' } };
    for (const updateId of [5, 6, 8]) {
      expect(await claimTelegramUpdate(database.db, { botId, updateId, owner: 'dead', leaseMs: LEASE, payload: { ...update, update_id: updateId } })).toBe('claimed');
    }
    expect(await takeOverTelegramUpdates(database.db, { botId, owner: 'live', leaseMs: LEASE, limit: 10 })).toEqual([]);
    await expire(botId);
    // The owner renews update 8 (it is still handling it); another owner's renewal changes nothing.
    const before = await leaseOf(botId, 6);
    await renewTelegramUpdates(database.db, { botId, updateIds: [8], owner: 'dead', leaseMs: LEASE });
    await renewTelegramUpdates(database.db, { botId, updateIds: [6], owner: 'someone-else', leaseMs: LEASE });
    expect((await leaseOf(botId, 6)).getTime()).toBe(before.getTime());

    expect(await claimTelegramUpdate(database.db, { botId, updateId: 5, owner: 'live', leaseMs: LEASE, payload: update })).toBe('claimed');
    const taken = await takeOverTelegramUpdates(database.db, { botId, owner: 'live', leaseMs: LEASE, limit: 10 });
    expect(taken).toEqual([{ updateId: 6, payload: { update_id: 6, message: { text: '/help' } } }]);
    // Taken over means claimed anew: not taken twice.
    expect(await takeOverTelegramUpdates(database.db, { botId, owner: 'other', leaseMs: LEASE, limit: 10 })).toEqual([]);
    expect(await claimTelegramUpdate(database.db, { botId, updateId: 8, owner: 'live', leaseMs: LEASE, payload: {} })).toBe('busy');
    // Done drops the update kept with the claim.
    await finishTelegramUpdate(database.db, { botId, updateId: 6 });
    await expire(botId);
    expect((await takeOverTelegramUpdates(database.db, { botId, owner: 'other', leaseMs: LEASE, limit: 10 })).map((t) => t.updateId)).toEqual([5, 8]);
  });

  it('GIVEN unfinished claims at the start of the embedded database THEN they are let go at once; old rows are pruned', async () => {
    const botId = newBot();
    await claimTelegramUpdate(database.db, { botId, updateId: 1, owner: 'previous-run', leaseMs: LEASE, payload: { update_id: 1 } });
    await claimTelegramUpdate(database.db, { botId, updateId: 2, owner: 'previous-run', leaseMs: LEASE, payload: { update_id: 2 } });
    await finishTelegramUpdate(database.db, { botId, updateId: 2 });
    expect(await releaseUnfinishedTelegramUpdates(database.db, botId)).toBe(1);
    expect(await claimTelegramUpdate(database.db, { botId, updateId: 1, owner: 'this-run', leaseMs: LEASE, payload: {} })).toBe('claimed');

    await database.db.execute(sql`update telegram_updates set received_at = now() - interval '26 hours' where bot_id = ${botId} and update_id = 2`);
    expect(await deleteOldTelegramUpdates(database.db, new Date(Date.now() - 25 * 60 * 60_000))).toBeGreaterThanOrEqual(1);
    // Forgotten: a delivery now would be new (Telegram no longer sends one that old).
    expect(await claimTelegramUpdate(database.db, { botId, updateId: 2, owner: 'this-run', leaseMs: LEASE, payload: {} })).toBe('claimed');
    expect(await claimTelegramUpdate(database.db, { botId, updateId: 1, owner: 'x', leaseMs: LEASE, payload: {} })).toBe('busy');
  });
});

describe(`Telegram poller lease (${DRIVER_NAME})`, () => {
  it('GIVEN one holder WHEN another asks THEN it is told who holds it; it takes over after a release or once the lease ran out', async () => {
    const botId = newBot();
    expect(await holdTelegramPoller(database.db, { botId, holder: 'a', leaseMs: LEASE })).toEqual({ held: true });
    expect(await holdTelegramPoller(database.db, { botId, holder: 'a', leaseMs: LEASE })).toEqual({ held: true });
    expect(await holdTelegramPoller(database.db, { botId, holder: 'b', leaseMs: LEASE })).toEqual({ held: false, holder: 'a' });
    // Only the holder can let go.
    await releaseTelegramPoller(database.db, { botId, holder: 'b' });
    expect(await holdTelegramPoller(database.db, { botId, holder: 'b', leaseMs: LEASE })).toEqual({ held: false, holder: 'a' });
    await releaseTelegramPoller(database.db, { botId, holder: 'a' });
    expect(await holdTelegramPoller(database.db, { botId, holder: 'b', leaseMs: LEASE })).toEqual({ held: true });
    await expire(botId);
    expect(await holdTelegramPoller(database.db, { botId, holder: 'c', leaseMs: LEASE })).toEqual({ held: true });
    expect(await holdTelegramPoller(database.db, { botId, holder: 'b', leaseMs: LEASE })).toEqual({ held: false, holder: 'c' });
  });

  it('GIVEN a bot token THEN its bot id is the part before the colon', () => {
    expect(botIdOfToken('7000000001:AAEmulatorTokenForMarqueeTests0000000')).toBe(7_000_000_001);
    expect(() => botIdOfToken('nonsense')).toThrow('not a Telegram bot token');
  });
});
