/**
 * The shared Trakt limit store on the database (src/db/queries/trakt-limits.ts) and the client's view
 * of the store's clock (`StoreClock`, src/trakt/limits.ts). Runs on both drivers: main.ts wires the
 * store only on Postgres, but its statements are plain Postgres and PGlite checks them just as well.
 * Every expectation is about values the store computed on its own clock, never about elapsed time.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, type Database } from '../../src/db/client.js';
import {
  acquireTraktWriteTurn,
  deleteIdleTraktLimits,
  holdTraktGets,
  holdTraktWrites,
  observeTraktGets,
  releaseTraktWriteTurn,
  renewTraktWriteTurn,
  takeTraktGet,
  takeTraktGets,
  traktLimitsNow,
} from '../../src/db/queries/trakt-limits.js';
import { StoreClock } from '../../src/trakt/limits.js';
import { sharedTestDatabase } from '../helpers/db.js';

let database: Database;
beforeAll(async () => {
  database = await sharedTestDatabase();
});

const key = (): string => `write:test-${randomUUID()}`;
const LEASE = { leaseMs: 20_000 };

describe('write turns', () => {
  it('GIVEN no turn held THEN the first ask is granted to send now, and a second ask learns the holder’s send time', async () => {
    const k = key();
    const first = await acquireTraktWriteTurn(database.db, k, { token: 'a', ...LEASE });
    expect(first).toMatchObject({ granted: true });
    if (!first.granted) return;
    expect(first.sendAt).toBe(first.now);
    const second = await acquireTraktWriteTurn(database.db, k, { token: 'b', ...LEASE });
    expect(second).toEqual({ granted: false, booked: true, retryAt: first.sendAt, now: second.now });
  });

  it('GIVEN a waiter booked the next turn THEN the release hands it the turn, and a third instance neither books nor takes it', async () => {
    const k = key();
    const first = await acquireTraktWriteTurn(database.db, k, { token: 'a', ...LEASE });
    expect(await acquireTraktWriteTurn(database.db, k, { token: 'b', ...LEASE })).toMatchObject({ granted: false, booked: true });
    expect(await acquireTraktWriteTurn(database.db, k, { token: 'c', ...LEASE })).toMatchObject({ granted: false, booked: false });
    const nextAt = first.now + 60_000;
    await releaseTraktWriteTurn(database.db, k, 'a', nextAt, LEASE.leaseMs);
    expect(await acquireTraktWriteTurn(database.db, k, { token: 'c', ...LEASE })).toMatchObject({ granted: false, booked: true, retryAt: nextAt });
    expect(await acquireTraktWriteTurn(database.db, k, { token: 'b', ...LEASE })).toMatchObject({ granted: true, sendAt: nextAt });
  });

  it('GIVEN a booked waiter gives up (its instance stopping) THEN no turn is handed to it: the next release frees the turn', async () => {
    const k = key();
    const first = await acquireTraktWriteTurn(database.db, k, { token: 'a', ...LEASE });
    expect(await acquireTraktWriteTurn(database.db, k, { token: 'b', ...LEASE })).toMatchObject({ booked: true });
    await releaseTraktWriteTurn(database.db, k, 'b', 0, LEASE.leaseMs);
    const nextAt = first.now + 60_000;
    await releaseTraktWriteTurn(database.db, k, 'a', nextAt, LEASE.leaseMs);
    expect(await acquireTraktWriteTurn(database.db, k, { token: 'c', ...LEASE })).toMatchObject({ granted: true, sendAt: nextAt });
  });

  it('GIVEN the holder ends its turn THEN the next ask is granted to send at the time it set, not before', async () => {
    const k = key();
    const first = await acquireTraktWriteTurn(database.db, k, { token: 'a', ...LEASE });
    const nextAt = first.now + 60_000;
    await releaseTraktWriteTurn(database.db, k, 'a', nextAt, LEASE.leaseMs);
    const second = await acquireTraktWriteTurn(database.db, k, { token: 'b', ...LEASE });
    expect(second).toEqual({ granted: true, sendAt: nextAt, now: second.now });
    // A third instance waits for the second's turn.
    const third = await acquireTraktWriteTurn(database.db, k, { token: 'c', ...LEASE });
    expect(third).toMatchObject({ granted: false, retryAt: nextAt });
  });

  it('GIVEN a turn never ended (its instance died) THEN it lapses after leaseMs and another instance takes it', async () => {
    const k = key();
    await acquireTraktWriteTurn(database.db, k, { token: 'dead', leaseMs: 0 });
    const next = await acquireTraktWriteTurn(database.db, k, { token: 'alive', ...LEASE });
    expect(next).toMatchObject({ granted: true });
    // The dead instance's late release cannot end the new holder's turn; its time still counts.
    const nextAt = next.now + 60_000;
    await releaseTraktWriteTurn(database.db, k, 'dead', nextAt, LEASE.leaseMs);
    expect(await acquireTraktWriteTurn(database.db, k, { token: 'other', ...LEASE })).toMatchObject({ granted: false });
    await releaseTraktWriteTurn(database.db, k, 'alive', next.now, LEASE.leaseMs);
    expect(await acquireTraktWriteTurn(database.db, k, { token: 'other', ...LEASE })).toMatchObject({ granted: true, sendAt: nextAt });
  });

  it('GIVEN the holder renews its turn (its write still on its way) THEN it does not lapse', async () => {
    const k = key();
    await acquireTraktWriteTurn(database.db, k, { token: 'slow', leaseMs: 0 });
    await renewTraktWriteTurn(database.db, k, 'slow', 60_000);
    expect(await acquireTraktWriteTurn(database.db, k, { token: 'other', ...LEASE })).toMatchObject({ granted: false });
    // Renewing a turn one no longer holds changes nothing.
    await renewTraktWriteTurn(database.db, k, 'other', 120_000);
    await releaseTraktWriteTurn(database.db, k, 'slow', 0, LEASE.leaseMs);
    expect(await acquireTraktWriteTurn(database.db, k, { token: 'other', ...LEASE })).toMatchObject({ granted: true });
  });

  it('GIVEN a 429 hold THEN the next turn is granted no sooner than the hold ends, and a release cannot shorten it', async () => {
    const k = key();
    const before = await traktLimitsNow(database.db);
    await holdTraktWrites(database.db, k, 60_000);
    const turn = await acquireTraktWriteTurn(database.db, k, { token: 'a', ...LEASE });
    expect(turn).toMatchObject({ granted: true });
    if (!turn.granted) return;
    expect(turn.sendAt).toBeGreaterThanOrEqual(before + 60_000);
    await releaseTraktWriteTurn(database.db, k, 'a', before, LEASE.leaseMs);
    const again = await acquireTraktWriteTurn(database.db, k, { token: 'b', ...LEASE });
    expect(again).toMatchObject({ granted: true, sendAt: turn.sendAt });
  });
});

describe('GET windows', () => {
  const spec = { limit: 2, periodMs: 60_000 };

  it('GIVEN a window of 2 THEN two GETs are taken and the third waits for the window’s end', async () => {
    const k = `userGet:test-${randomUUID()}`;
    expect(await takeTraktGet(database.db, k, spec.limit, spec.periodMs)).toBe(0);
    expect(await takeTraktGet(database.db, k, spec.limit, spec.periodMs)).toBe(0);
    const wait = await takeTraktGet(database.db, k, spec.limit, spec.periodMs);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(spec.periodMs);
  });

  it('GIVEN a hold THEN no GET is taken until it ends, however large the window', async () => {
    const k = `appGet:test-${randomUUID()}`;
    await holdTraktGets(database.db, k, 30_000, 1000);
    expect(await takeTraktGet(database.db, k, 1000, 300_000)).toBeGreaterThan(0);
  });

  it('GIVEN an open 5-minute window WHEN a 429 holds GETs for a second THEN GETs wait about that second, not until the window ends, and a fresh window opens after it', async () => {
    const k = `userGet:test-${randomUUID()}`;
    expect(await takeTraktGet(database.db, k, 1000, 300_000)).toBe(0);
    await holdTraktGets(database.db, k, 1_000, 1000);
    const wait = await takeTraktGet(database.db, k, 1000, 300_000);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(1_000);
    // A longer hold already in place is kept by a shorter one.
    await holdTraktGets(database.db, k, 60_000, 1000);
    await holdTraktGets(database.db, k, 1_000, 1000);
    expect(await takeTraktGet(database.db, k, 1000, 300_000)).toBeGreaterThan(1_000);
  });

  it('GIVEN a 429 hold of a second WHEN Trakt’s X-Ratelimit (plenty left, window ends in 5 minutes) is read after it THEN the hold still ends after a second', async () => {
    const k = `userGet:test-${randomUUID()}`;
    expect(await takeTraktGet(database.db, k, 1000, 300_000)).toBe(0);
    await holdTraktGets(database.db, k, 1_000, 1000);
    await observeTraktGets(database.db, k, 1000, { remaining: 990, untilInMs: 299_000 });
    const wait = await takeTraktGet(database.db, k, 1000, 300_000);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(1_000);
  });

  it('GIVEN a window of 10 WHEN GETs are taken several at a time THEN each take is all or none, and a take that does not fit says what is left', async () => {
    const k = `userGet:test-${randomUUID()}`;
    const first = await takeTraktGets(database.db, k, 10, 60_000, 4);
    expect(first).toMatchObject({ taken: 4, retryInMs: 0, remaining: 6 });
    expect(first.windowEndsInMs).toBeGreaterThan(0);
    expect(first.windowEndsInMs).toBeLessThanOrEqual(60_000);
    // 8 do not fit: none taken, and no wait: 6 would.
    expect(await takeTraktGets(database.db, k, 10, 60_000, 8)).toMatchObject({ taken: 0, retryInMs: 0, remaining: 6 });
    expect(await takeTraktGets(database.db, k, 10, 60_000, 6)).toMatchObject({ taken: 6, remaining: 0 });
    const full = await takeTraktGets(database.db, k, 10, 60_000, 1);
    expect(full).toMatchObject({ taken: 0, remaining: 0 });
    expect(full.retryInMs).toBeGreaterThan(0);
    expect(full.retryInMs).toBeLessThanOrEqual(60_000);
  });

  it('GIVEN a hold WHEN the window has room for a lease THEN none is taken until the hold ends', async () => {
    const k = `userGet:test-${randomUUID()}`;
    expect(await takeTraktGets(database.db, k, 1000, 300_000, 16)).toMatchObject({ taken: 16, remaining: 984 });
    await holdTraktGets(database.db, k, 1_000, 1000);
    const held = await takeTraktGets(database.db, k, 1000, 300_000, 16);
    expect(held).toMatchObject({ taken: 0, remaining: 984 });
    expect(held.retryInMs).toBeGreaterThan(0);
    expect(held.retryInMs).toBeLessThanOrEqual(1_000);
  });

  it('GIVEN Trakt says fewer remain than the store counted THEN the store counts Trakt’s figure, and its window ends no sooner than Trakt’s', async () => {
    const k = `userGet:test-${randomUUID()}`;
    expect(await takeTraktGet(database.db, k, 10, 1000)).toBe(0);
    // Trakt has counted 9 of 10 and its window ends in a minute (ours in a second).
    await observeTraktGets(database.db, k, 10, { remaining: 1, untilInMs: 60_000 });
    expect(await takeTraktGet(database.db, k, 10, 1000)).toBe(0);
    const wait = await takeTraktGet(database.db, k, 10, 1000);
    expect(wait).toBeGreaterThan(1000);
  });
});

it('GIVEN rows idle for an hour with nothing open THEN they are deleted, and busy ones are kept', async () => {
  const idle = key();
  const busy = key();
  await acquireTraktWriteTurn(database.db, idle, { token: 'a', leaseMs: 0 });
  await acquireTraktWriteTurn(database.db, busy, { token: 'b', ...LEASE });
  const now = await traktLimitsNow(database.db);
  await database.db.execute(sql`update trakt_limits set touched_at = ${now - 2 * 3_600_000}::bigint, lease_until = 0, lease_from = 0 where key = ${idle}`);
  await database.db.execute(sql`update trakt_limits set touched_at = ${now - 2 * 3_600_000}::bigint where key = ${busy}`);
  expect(await deleteIdleTraktLimits(database.db)).toBeGreaterThanOrEqual(1);
  const left = await database.db.execute(sql`select key from trakt_limits where key in (${idle}, ${busy})`);
  const keys = rowsOf<{ key: string }>(left).map((r) => r.key);
  expect(keys).toEqual([busy]);
});

describe('StoreClock: the store’s clock as this process knows it', () => {
  it('GIVEN a sample THEN conversions round the safe way: store times no earlier, local times no earlier', () => {
    const clock = new StoreClock();
    // Sent at 100, answered at 110, the store said 1_000_105: offset within [999_995, 1_000_005].
    clock.sample(100, 110, 1_000_105);
    expect(clock.storeTimeNotBefore(200)).toBe(1_000_205);
    expect(clock.localTimeNotBefore(1_000_300)).toBe(305);
  });

  it('GIVEN a narrower sample THEN it wins; a wider one does not, until the narrow one is a minute old', () => {
    const clock = new StoreClock();
    clock.sample(100, 110, 1_000_105);
    clock.sample(200, 202, 1_000_201); // offset within [999_999, 1_000_001]
    expect(clock.storeTimeNotBefore(300)).toBe(1_000_301);
    clock.sample(300, 400, 1_000_350);
    expect(clock.storeTimeNotBefore(300)).toBe(1_000_301);
    clock.sample(70_000, 70_100, 1_070_050); // a minute later: offset within [999_950, 1_000_050]
    expect(clock.storeTimeNotBefore(300)).toBe(1_000_350);
  });
});
