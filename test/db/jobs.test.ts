import { randomInt, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, type Database } from '../../src/db/client.js';
import { upsertChatIdentity } from '../../src/db/queries/identities.js';
import { claimJobs, createJobStore, deleteFinishedJobs, enqueueJob } from '../../src/db/queries/jobs.js';
import type { JobStore } from '../../src/jobs/types.js';
import { DRIVER_NAME, sharedTestDatabase } from '../helpers/db.js';

/** The jobs table as the runner's store, on the real database (both drivers). */
let database: Database;
let store: JobStore;
beforeAll(async () => {
  database = await sharedTestDatabase();
  // The structural check main.ts relies on: the db store is a JobStore without src/db importing src/jobs.
  store = createJobStore(database.db);
});

const kindName = () => `test-${randomUUID()}`;
const ago = (ms: number) => new Date(Date.now() - ms);

describe(`job store (${DRIVER_NAME})`, () => {
  it('GIVEN a live job with a dedupe key WHEN the same key is enqueued again THEN nothing is inserted until the first is done', async () => {
    const kind = kindName();
    const dedupeKey = `sync:${randomUUID()}`;
    const first = await store.enqueue({ kind, payload: { a: 1 }, dedupeKey, runAt: ago(1000) });
    expect(first).toMatchObject({ kind, payload: { a: 1 }, dedupeKey, status: 'queued', attempts: 0, maxAttempts: 5, lane: null, progress: null });
    expect(await store.enqueue({ kind, payload: { a: 2 }, dedupeKey })).toBeUndefined();

    const [claimed] = await store.claim({ workerId: 'w1', kinds: [kind], now: new Date(), leaseMs: 60_000, limit: 5 });
    expect(claimed?.id).toBe(first?.id);
    expect(await store.enqueue({ kind, payload: { a: 3 }, dedupeKey })).toBeUndefined();
    await store.complete(first!.id, 'w1', new Date());
    expect(await store.enqueue({ kind, payload: { a: 4 }, dedupeKey })).toMatchObject({ payload: { a: 4 }, status: 'queued' });
  });

  it('GIVEN jobs of a kind backing off, one never tried and one of another kind WHEN hurried THEN only those backing off become due now', async () => {
    const kind = kindName();
    const other = kindName();
    const backingOff = await store.enqueue({ kind, payload: {}, runAt: ago(1000) });
    const [claimed] = await store.claim({ workerId: 'w', kinds: [kind], now: new Date(), leaseMs: 60_000, limit: 1 });
    expect(claimed?.id).toBe(backingOff?.id);
    await store.retry(backingOff!.id, 'w', { runAt: new Date(Date.now() + 600_000), error: 'Trakt unavailable' });
    const future = await store.enqueue({ kind, payload: {}, runAt: new Date(Date.now() + 600_000) });
    const otherKind = await store.enqueue({ kind: other, payload: {}, runAt: ago(1000) });
    await store.claim({ workerId: 'w', kinds: [other], now: new Date(), leaseMs: 60_000, limit: 1 });
    await store.retry(otherKind!.id, 'w', { runAt: new Date(Date.now() + 600_000), error: 'x' });

    expect(await store.hurry(kind)).toBe(1);
    expect((await store.get(backingOff!.id))!.runAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect((await store.get(future!.id))!.runAt.getTime()).toBeGreaterThan(Date.now());
    expect((await store.get(otherKind!.id))!.runAt.getTime()).toBeGreaterThan(Date.now());
  });

  it('GIVEN finished jobs old and new and a queued one WHEN finished jobs before a time are deleted THEN only the old finished ones go', async () => {
    const kind = kindName();
    const old = await store.enqueue({ kind, payload: {}, runAt: ago(1000) });
    const recent = await store.enqueue({ kind, payload: {}, runAt: ago(1000) });
    const queued = await store.enqueue({ kind, payload: {}, runAt: new Date(Date.now() + 600_000) });
    const claimed = await store.claim({ workerId: 'w', kinds: [kind], now: new Date(), leaseMs: 60_000, limit: 5 });
    expect(claimed.map((j) => j.id).sort()).toEqual([old!.id, recent!.id].sort());
    await database.db.execute(sql`update jobs set status = 'done', updated_at = now() - interval '8 days' where id = ${old!.id}`);
    await store.complete(recent!.id, 'w', new Date());
    await deleteFinishedJobs(database.db, ago(7 * 24 * 60 * 60_000));
    expect(await store.get(old!.id)).toBeUndefined();
    expect((await store.get(recent!.id))?.status).toBe('done');
    expect((await store.get(queued!.id))?.status).toBe('queued');
  });

  it('GIVEN enqueueJob inside a transaction WHEN the transaction rolls back THEN no job exists; WHEN it commits THEN the job exists', async () => {
    const kind = kindName();
    await expect(
      database.db.transaction(async (tx) => {
        await enqueueJob(tx, { kind, payload: {} });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await claimJobs(database.db, { workerId: 'w', kinds: [kind], now: new Date(), leaseMs: 1000, limit: 5 })).toEqual([]);

    const id = await database.db.transaction(async (tx) => (await enqueueJob(tx, { kind, payload: { x: 1 } }))?.id);
    expect((await store.get(id!))?.payload).toEqual({ x: 1 });
  });

  it('GIVEN jobs of two lanes, a laneless one, a future one and another kind WHEN claimed THEN only each lane head, the laneless and due ones of the asked kinds are taken, attempts counted', async () => {
    const kind = kindName();
    const other = kindName();
    const laneA = `lane:${randomUUID()}`;
    const laneB = `lane:${randomUUID()}`;
    const a1 = await store.enqueue({ kind, payload: { n: 'a1' }, lane: laneA, runAt: ago(500) });
    await store.enqueue({ kind, payload: { n: 'a2' }, lane: laneA, runAt: ago(2000) });
    const b1 = await store.enqueue({ kind, payload: { n: 'b1' }, lane: laneB, runAt: ago(400) });
    const free = await store.enqueue({ kind, payload: { n: 'free' }, runAt: ago(300) });
    await store.enqueue({ kind, payload: { n: 'later' }, runAt: new Date(Date.now() + 60_000) });
    await store.enqueue({ kind: other, payload: { n: 'other' }, runAt: ago(100) });

    const now = new Date();
    const claimed = await store.claim({ workerId: 'w1', kinds: [kind], now, leaseMs: 30_000, limit: 10 });
    expect(claimed.map((j) => j.id)).toEqual([a1!.id, b1!.id, free!.id]);
    for (const job of claimed) {
      expect(job).toMatchObject({ status: 'running', lockedBy: 'w1', attempts: 1, lockedUntil: new Date(now.getTime() + 30_000) });
    }
    // The lane's second job waits for its head even though it is due earlier.
    expect(await store.claim({ workerId: 'w2', kinds: [kind], now, leaseMs: 30_000, limit: 10 })).toEqual([]);
  });

  it('GIVEN lanes WHEN a job is done or failed THEN the store says whether another job of its lane can be claimed now (what the runner claims again for)', async () => {
    const kind = kindName();
    const dbStore = createJobStore(database.db);
    const now = new Date();
    const claimOne = async () => (await dbStore.claim({ workerId: 'w', kinds: [kind], now, leaseMs: 60_000, limit: 1 }))[0]!;
    const lane = `lane:${randomUUID()}`;
    await dbStore.enqueue({ kind, payload: {}, lane, runAt: ago(3000) });
    await dbStore.enqueue({ kind, payload: {}, lane, runAt: ago(2000) });
    const head = await claimOne();
    expect(await dbStore.complete(head.id, 'someone-else', now)).toEqual({ held: false, laneDue: false });
    expect(await dbStore.complete(head.id, 'w', now)).toEqual({ held: true, laneDue: true });
    const next = await claimOne();
    expect(await dbStore.fail(next.id, 'w', { error: 'x', at: now })).toEqual({ held: true, laneDue: false });

    // Behind it only a job due later, or none at all (no lane): nothing new to claim.
    const other = `lane:${randomUUID()}`;
    await dbStore.enqueue({ kind, payload: {}, lane: other, runAt: ago(1000) });
    await dbStore.enqueue({ kind, payload: {}, lane: other, runAt: new Date(now.getTime() + 600_000) });
    expect(await dbStore.complete((await claimOne()).id, 'w', now)).toEqual({ held: true, laneDue: false });
    await dbStore.enqueue({ kind, payload: {}, runAt: ago(1000) });
    await dbStore.enqueue({ kind, payload: {}, runAt: ago(500) });
    expect(await dbStore.complete((await claimOne()).id, 'w', now)).toEqual({ held: true, laneDue: false });
  });

  it('GIVEN a job claimed by a worker that died WHEN its lease expires THEN another worker takes it over and the dead holder can no longer complete, retry, fail or extend it', async () => {
    const kind = kindName();
    const job = await store.enqueue({ kind, payload: {}, runAt: ago(1000) });
    const t0 = new Date();
    await store.claim({ workerId: 'dead', kinds: [kind], now: t0, leaseMs: 1000, limit: 1 });
    expect(await store.claim({ workerId: 'alive', kinds: [kind], now: new Date(t0.getTime() + 500), leaseMs: 1000, limit: 1 })).toEqual([]);

    const [taken] = await store.claim({ workerId: 'alive', kinds: [kind], now: new Date(t0.getTime() + 1500), leaseMs: 1000, limit: 1 });
    expect(taken).toMatchObject({ id: job!.id, lockedBy: 'alive', attempts: 2 });

    await store.complete(job!.id, 'dead', new Date());
    await store.retry(job!.id, 'dead', { runAt: new Date(), error: 'late' });
    await store.fail(job!.id, 'dead', { error: 'late', at: new Date() });
    expect(await store.extendLease(job!.id, 'dead', new Date(Date.now() + 60_000))).toBe(false);
    expect(await store.get(job!.id)).toMatchObject({ status: 'running', lockedBy: 'alive', lastError: null });

    expect(await store.extendLease(job!.id, 'alive', new Date(Date.now() + 60_000))).toBe(true);
    await store.saveProgress(job!.id, 'alive', { step: 2 });
    await store.complete(job!.id, 'alive', new Date());
    expect(await store.get(job!.id)).toMatchObject({ status: 'done', progress: { step: 2 } });
  });

  it('GIVEN running jobs WHEN released THEN they are queued again, due, with the attempt not counted; releaseAllRunning (PGlite only) gives back every running job', async () => {
    const kind = kindName();
    const one = await store.enqueue({ kind, payload: {}, runAt: ago(1000) });
    const two = await store.enqueue({ kind, payload: {}, runAt: ago(900) });
    await store.claim({ workerId: 'w1', kinds: [kind], now: new Date(), leaseMs: 60_000, limit: 2 });
    await store.release([one!.id], 'someone-else');
    expect((await store.get(one!.id))?.status).toBe('running');
    await store.release([one!.id], 'w1');
    expect(await store.get(one!.id)).toMatchObject({ status: 'queued', attempts: 0, lockedBy: null, lockedUntil: null });

    // Only for a database one process owns: on the shared Postgres it would give back other workers' jobs.
    if (DRIVER_NAME === 'pglite') {
      expect(await store.releaseAllRunning()).toBeGreaterThanOrEqual(1);
      expect(await store.get(two!.id)).toMatchObject({ status: 'queued', attempts: 0, lockedBy: null });
    }
  });

  it('GIVEN a future job and a lane WHEN claimed by id THEN run_at counts unless ignored, and a job behind its lane head is never claimed', async () => {
    const kind = kindName();
    const lane = `lane:${randomUUID()}`;
    const head = await store.enqueue({ kind, payload: {}, lane, runAt: new Date(Date.now() + 60_000) });
    const next = await store.enqueue({ kind, payload: {}, lane, runAt: ago(1000) });
    const input = { workerId: 'w1', now: new Date(), leaseMs: 60_000 };
    expect(await store.claimById(next!.id, { ...input, ignoreRunAt: true })).toBeUndefined();
    expect(await store.claimById(head!.id, input)).toBeUndefined();
    expect(await store.claimById(head!.id, { ...input, ignoreRunAt: true })).toMatchObject({ id: head!.id, status: 'running', attempts: 1 });
    expect(await store.claimById(head!.id, { ...input, ignoreRunAt: true })).toBeUndefined();
    await store.fail(head!.id, 'w1', { error: 'gone', at: new Date() });
    // A failed head no longer holds the lane.
    expect(await store.claimById(next!.id, input)).toMatchObject({ id: next!.id, status: 'running' });
  });

  it('GIVEN a recurring kind WHEN ensured twice and rescheduled THEN it has one live row, attempts reset and its last error kept', async () => {
    const kind = kindName();
    const now = new Date();
    await store.ensureRecurring(kind, now);
    await store.ensureRecurring(kind, now);
    const count = async () =>
      Number(
        rowsOf<{ n: string | number }>(
          await database.db.execute(sql`select count(*) as n from jobs where dedupe_key = ${`recurring:${kind}`} and status in ('queued', 'running')`),
        )[0]?.n,
      );
    expect(await count()).toBe(1);
    const [claimed] = await store.claim({ workerId: 'w1', kinds: [kind], now, leaseMs: 1000, limit: 5 });
    await store.ensureRecurring(kind, now);
    expect(await count()).toBe(1);
    const next = new Date(now.getTime() + 5000);
    await store.reschedule(claimed!.id, 'w1', next, 'it broke');
    expect(await store.get(claimed!.id)).toMatchObject({ status: 'queued', runAt: next, attempts: 0, lastError: 'it broke', lockedBy: null });
  });

  it("GIVEN an owner's jobs WHEN listed, cancelled and counted THEN live ones show oldest first, only the owner's queued job is cancelled, and depth counts them per kind and status", async () => {
    const owner = (await upsertChatIdentity(database.db, { platform: 'telegram', platformUserId: String(randomInt(1, 2 ** 47)) })).id;
    const kind = kindName();
    const one = await store.enqueue({ kind, payload: {}, ownerIdentityId: owner, runAt: ago(5000) });
    const two = await store.enqueue({ kind, payload: {}, ownerIdentityId: owner, runAt: ago(4000) });
    await store.enqueue({ kind: kindName(), payload: {}, ownerIdentityId: owner });
    expect((await store.listLive({ ownerIdentityId: owner, kind })).map((j) => j.id)).toEqual([one!.id, two!.id]);
    expect(await store.listLive({ ownerIdentityId: owner })).toHaveLength(3);

    expect(await store.cancel(one!.id, owner + 1)).toBeUndefined();
    expect(await store.cancel(one!.id, owner)).toMatchObject({ id: one!.id, status: 'cancelled' });
    expect(await store.cancel(one!.id)).toBeUndefined();
    await store.claim({ workerId: 'w1', kinds: [kind], now: new Date(), leaseMs: 60_000, limit: 1 });
    expect(await store.cancel(two!.id)).toBeUndefined();

    const depth = (await store.depth(new Date())).filter((d) => d.kind === kind);
    expect(depth).toEqual([{ kind, status: 'running', count: 1, due: 0, oldestRunAt: two!.runAt }]);
  });
});
