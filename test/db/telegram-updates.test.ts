import { randomInt } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, type Database } from '../../src/db/client.js';
import {
  botIdOfToken,
  claimTelegramUpdate,
  claimTelegramUpdates,
  deleteOldTelegramUpdates,
  finishTelegramUpdate,
  finishTelegramUpdates,
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

  it('GIVEN updates new, done, held by another and run out WHEN claimed in one batch THEN each gets the state a claim of its own would, in one statement; finished in one statement', async () => {
    const botId = newBot();
    const claimAs = (owner: string, updateId: number) => claimTelegramUpdate(database.db, { botId, updateId, owner, leaseMs: LEASE, payload: { update_id: updateId } });
    expect(await claimAs('other', 2)).toBe('claimed');
    await finishTelegramUpdate(database.db, { botId, updateId: 2 });
    expect(await claimAs('other', 3)).toBe('claimed');
    expect(await claimAs('dead', 4)).toBe('claimed');
    await database.db.execute(sql`update telegram_updates set lease_until = now() - interval '1 second' where bot_id = ${botId} and update_id = 4`);

    // Out of order, and update 1 given twice (its second copy finds the first's claim).
    const updates = [5, 4, 3, 2, 1, 1].map((updateId) => ({ updateId, payload: { update_id: updateId, message: { text: `/help ${updateId}` } } }));
    database.queryStats.reset();
    database.queryStats.enable();
    try {
      expect(await claimTelegramUpdates(database.db, { botId, owner: 'me', leaseMs: LEASE, updates })).toEqual(['claimed', 'claimed', 'busy', 'done', 'claimed', 'busy']);
      expect(database.queryStats.queries).toBe(1);
      expect(await claimTelegramUpdates(database.db, { botId, owner: 'me', leaseMs: LEASE, updates: [] })).toEqual([]);
      expect(database.queryStats.queries).toBe(1);
      await finishTelegramUpdates(database.db, { botId, updateIds: [5, 4, 1] });
      expect(database.queryStats.queries).toBe(2);
    } finally {
      database.queryStats.disable();
    }
    // Each kept its update with its claim: the one taken over holds this delivery's.
    expect(await takeOverTelegramUpdates(database.db, { botId, owner: 'x', leaseMs: LEASE, limit: 10 })).toEqual([]);
    await expire(botId);
    expect(await takeOverTelegramUpdates(database.db, { botId, owner: 'x', leaseMs: LEASE, limit: 10 })).toEqual([{ updateId: 3, payload: { update_id: 3 } }]);
    for (const updateId of [1, 2, 4, 5]) expect(await claimAs('late', updateId), `update ${updateId}`).toBe('done');
  });

  it('GIVEN an update whose text holds the character NUL (jsonb refuses it) WHEN claimed with others THEN every one is claimed, and the kept copy has U+FFFD for it', async () => {
    const botId = newBot();
    const updates = [1, 2, 3].map((updateId) => ({ updateId, payload: { update_id: updateId, message: { text: updateId === 2 ? 'a\u0000b \\u0000' : 'plain' } } }));
    expect(await claimTelegramUpdates(database.db, { botId, owner: 'dead', leaseMs: LEASE, updates })).toEqual(['claimed', 'claimed', 'claimed']);
    await expire(botId);
    const taken = await takeOverTelegramUpdates(database.db, { botId, owner: 'live', leaseMs: LEASE, limit: 10 });
    expect(taken.map((t) => t.payload)).toEqual([
      { update_id: 1, message: { text: 'plain' } },
      { update_id: 2, message: { text: 'a\uFFFDb \\u0000' } },
      { update_id: 3, message: { text: 'plain' } },
    ]);
  });

  it('GIVEN overlapping batches claimed by many at once, in any order THEN each update is claimed exactly once', async () => {
    const botId = newBot();
    const ids = Array.from({ length: 20 }, (_, n) => n + 1);
    const batches = Array.from({ length: 6 }, (_, n) => (n % 2 === 0 ? ids : [...ids].reverse()).map((updateId) => ({ updateId, payload: { update_id: updateId } })));
    const answers = await Promise.all(batches.map((updates, n) => claimTelegramUpdates(database.db, { botId, owner: `i${n}`, leaseMs: LEASE, updates })));
    for (const [index, updateId] of ids.entries()) {
      const states = answers.map((states, n) => states[n % 2 === 0 ? index : ids.length - 1 - index]);
      expect(states.filter((s) => s === 'claimed'), `update ${updateId}`).toHaveLength(1);
      expect(states.filter((s) => s === 'busy'), `update ${updateId}`).toHaveLength(5);
    }
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
