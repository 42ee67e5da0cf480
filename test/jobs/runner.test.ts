import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDatabase, rowsOf, type Database } from '../../src/db/client.js';
import { createJobStore } from '../../src/db/queries/jobs.js';
import { createJobRunner, type JobRunnerDeps } from '../../src/jobs/runner.js';
import { defineJobKind, PermanentJobError, RetryJobLater, type JobContext, type JobRunner, type JobStore, type RecurringKind } from '../../src/jobs/types.js';
import { DRIVER_NAME, sharedTestDatabase, TEST_DATABASE_URL } from '../helpers/db.js';

/**
 * The job runner over the real jobs table (both drivers). Every test uses kinds of its own (the
 * database is shared), polls for outcomes instead of timing them, and stops its runners.
 */
let database: Database;
let store: JobStore;
const extraDatabases: Database[] = [];
beforeAll(async () => {
  database = await sharedTestDatabase();
  store = createJobStore(database.db);
});
afterAll(async () => {
  await Promise.all(extraDatabases.map((d) => d.close()));
});

const runners: JobRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop(new Date())));
});

interface LogLine {
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg: string | undefined;
}

function testLogger(): JobRunnerDeps['logger'] & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (obj, msg) => void lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => void lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => void lines.push({ level: 'error', obj, msg }),
  };
}

function runner(deps: Partial<JobRunnerDeps> & Pick<JobRunnerDeps, 'kinds'>): JobRunner & { logs: LogLine[] } {
  const logger = testLogger();
  const r = createJobRunner({ store, logger, pollMs: 25, ...deps });
  runners.push(r);
  return Object.assign(r, { logs: logger.lines });
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const kindName = () => `test-${randomUUID()}`;
const status = async (id: number) => (await store.get(id))?.status;

describe(`job runner (${DRIVER_NAME})`, () => {
  async function manyJobsTwoRunners(storeA: JobStore, storeB: JobStore): Promise<void> {
    const runs = new Map<number, number>();
    const active = new Set<number>();
    let overlaps = 0;
    const kind = defineJobKind({
      kind: kindName(),
      schema: z.object({ i: z.number() }),
      async run(_payload, job) {
        if (active.has(job.id)) overlaps += 1;
        active.add(job.id);
        runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
        await sleep(1);
        active.delete(job.id);
      },
    });
    const a = runner({ store: storeA, kinds: [kind], concurrency: 4, workerId: 'runner-a' });
    const b = runner({ store: storeB, kinds: [kind], concurrency: 4, workerId: 'runner-b' });
    const ids: number[] = [];
    for (let i = 0; i < 200; i += 1) ids.push((await store.enqueue({ kind: kind.kind, payload: { i } }))!.id);
    a.start();
    b.start();
    await waitFor(() => ids.every((id) => runs.has(id)), 'all 200 jobs to run', 25_000);
    await waitFor(async () => (await Promise.all(ids.map(status))).every((s) => s === 'done'), 'all 200 jobs to be done');
    expect(overlaps).toBe(0);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(runs.size).toBe(200);
    expect((await Promise.all(ids.map((id) => store.get(id)))).every((j) => j?.attempts === 1)).toBe(true);
  }

  it('GIVEN 200 jobs and two runners sharing one database handle WHEN both claim concurrently THEN every job runs exactly once and never twice at once', async () => {
    await manyJobsTwoRunners(store, store);
  });

  it.skipIf(TEST_DATABASE_URL === null)(
    'GIVEN 200 jobs and two runners on two connection pools WHEN both claim concurrently THEN every job runs exactly once and never twice at once',
    async () => {
      const second = await createDatabase({ databaseUrl: TEST_DATABASE_URL, poolSize: 4 });
      extraDatabases.push(second);
      await manyJobsTwoRunners(store, createJobStore(second.db));
    },
  );

  it("GIVEN a job claimed by a runner that died (short lease, never renewed) WHEN the lease expires THEN another runner takes it over and completes it, and the dead holder's late complete does nothing", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const attempts: number[] = [];
    const kind = defineJobKind({
      kind: kindName(),
      schema: z.object({}),
      async run(_p, job) {
        attempts.push(job.attempt);
        await gate;
      },
    });
    const job = await store.enqueue({ kind: kind.kind, payload: {} });
    const [dead] = await store.claim({ workerId: 'dead', kinds: [kind.kind], now: new Date(), leaseMs: 300, limit: 1 });
    expect(dead?.id).toBe(job!.id);

    const alive = runner({ kinds: [kind], workerId: 'alive' });
    alive.start();
    await waitFor(() => attempts.length === 1, 'the takeover');
    expect(attempts).toEqual([2]);
    await store.complete(job!.id, 'dead', new Date());
    expect(await store.get(job!.id)).toMatchObject({ status: 'running', lockedBy: 'alive' });
    release();
    await waitFor(async () => (await status(job!.id)) === 'done', 'the job to be done');
    expect(await store.get(job!.id)).toMatchObject({ lockedBy: 'alive', attempts: 2 });
  });

  it('GIVEN a running job WHEN its lease comes due THEN the runner renews it; WHEN the job is taken over anyway THEN its signal is aborted and the old run records nothing', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const signals: AbortSignal[] = [];
    const kind = defineJobKind({
      kind: kindName(),
      schema: z.object({}),
      leaseMs: 600,
      async run(_p, job) {
        signals.push(job.signal);
        await gate;
      },
    });
    const r = runner({ kinds: [kind] });
    const job = await r.enqueue(kind, {});
    r.start();
    await waitFor(() => signals.length === 1, 'the job to start');
    const leases = new Set<number>();
    await waitFor(async () => {
      const until = (await store.get(job!.id))?.lockedUntil?.getTime();
      if (until !== undefined) leases.add(until);
      return leases.size >= 3;
    }, 'two renewals');
    expect(await store.claim({ workerId: 'probe', kinds: [kind.kind], now: new Date(), leaseMs: 1000, limit: 1 })).toEqual([]);

    // Another worker whose clock is far ahead sees the lease expired and takes the job.
    const [stolen] = await store.claim({ workerId: 'thief', kinds: [kind.kind], now: new Date(Date.now() + 3_600_000), leaseMs: 3_600_000, limit: 1 });
    expect(stolen?.id).toBe(job!.id);
    await waitFor(() => signals[0]?.aborted === true, 'the abort');
    expect(r.logs.some((l) => l.msg?.includes('lease lost') && (l.obj as { jobId?: number }).jobId === job!.id)).toBe(true);
    release();
    await sleep(50);
    expect(await store.get(job!.id)).toMatchObject({ status: 'running', lockedBy: 'thief' });
  });

  it('GIVEN a store that fails to claim WHEN the runner polls THEN it logs and keeps polling, and runs the job once the store answers', async () => {
    let failures = 2;
    const flaky: JobStore = {
      ...store,
      claim: (input) => (failures-- > 0 ? Promise.reject(new Error('connection reset')) : store.claim(input)),
    };
    const ran: number[] = [];
    const kind = defineJobKind({ kind: kindName(), schema: z.object({}), run: async (_p, job) => void ran.push(job.id) });
    const r = runner({ store: flaky, kinds: [kind] });
    const job = await r.enqueue(kind, {});
    r.start();
    await waitFor(() => ran.length === 1, 'the job to run');
    expect(ran).toEqual([job!.id]);
    expect(r.logs.filter((l) => l.level === 'error' && (l.obj as { err?: string }).err === 'connection reset')).toHaveLength(2);
  });

  it('GIVEN releaseRunningAtStart (embedded database) WHEN started THEN every running job is given back before the first claim', async () => {
    const calls: string[] = [];
    const recording: JobStore = {
      ...store,
      // Not the real releaseAllRunning: on a shared Postgres it would give back other tests' jobs.
      releaseAllRunning: async () => {
        calls.push('releaseAllRunning');
        return 0;
      },
      claim: (input) => {
        calls.push('claim');
        return store.claim(input);
      },
    };
    const kind = defineJobKind({ kind: kindName(), schema: z.object({}), run: async () => undefined });
    const r = runner({ store: recording, kinds: [kind], releaseRunningAtStart: true });
    r.start();
    await waitFor(() => calls.filter((c) => c === 'claim').length >= 2, 'two polls');
    expect(calls.slice(0, 2)).toEqual(['releaseAllRunning', 'claim']);
    expect(calls.filter((c) => c === 'releaseAllRunning')).toHaveLength(1);
  });

  it('GIVEN a job whose payload does not match its schema WHEN claimed THEN it is failed with a clear error, onFailed gets no payload, the payload is not logged, and the next job runs', async () => {
    const failed: Array<{ payload: unknown; error: unknown }> = [];
    const ran: number[] = [];
    const kind = defineJobKind({
      kind: kindName(),
      schema: z.object({ n: z.number() }),
      async run(payload) {
        ran.push(payload.n);
      },
      async onFailed(payload, error) {
        failed.push({ payload, error });
      },
    });
    const poisoned = await store.enqueue({ kind: kind.kind, payload: { n: 'secret-user-text' } });
    const r = runner({ kinds: [kind], concurrency: 1 });
    const good = await r.enqueue(kind, { n: 7 });
    r.start();
    await waitFor(() => ran.length === 1 && failed.length === 1, 'the poisoned job to fail and the next to run');
    const record = await store.get(poisoned!.id);
    expect(record?.status).toBe('failed');
    expect(record?.lastError).toMatch(new RegExp(`^payload of ${kind.kind} does not match its schema: n: `));
    expect(failed[0]?.payload).toBeUndefined();
    expect(failed[0]?.error).toBeInstanceOf(PermanentJobError);
    expect(ran).toEqual([7]);
    await waitFor(async () => (await status(good!.id)) === 'done', 'the good job to be done');
    expect(JSON.stringify(r.logs)).not.toContain('secret-user-text');
    const failure = r.logs.find((l) => l.level === 'error');
    expect(failure?.obj).toMatchObject({ kind: kind.kind, jobId: poisoned!.id, attempt: 1 });
    await expect(r.enqueue(kind, { n: 'x' } as unknown as { n: number })).rejects.toThrow(`payload of ${kind.kind} does not match its schema`);
  });

  it('GIVEN five jobs in one lane and one in another WHEN run with room for four THEN the lane runs strictly in order one at a time while the other lane runs beside it', async () => {
    const events: string[] = [];
    let inLaneA = 0;
    let maxInLaneA = 0;
    const kind = defineJobKind({
      kind: kindName(),
      schema: z.object({ lane: z.string(), i: z.number() }),
      async run({ lane, i }) {
        if (lane === 'a') {
          inLaneA += 1;
          maxInLaneA = Math.max(maxInLaneA, inLaneA);
          events.push(`start a${i}`);
          await sleep(5);
          events.push(`end a${i}`);
          inLaneA -= 1;
        } else {
          // Runs beside lane a: it finishes only once lane a has moved on.
          events.push('start b');
          await waitFor(() => events.includes('end a1'), 'lane a to move on');
          events.push('end b');
        }
      },
    });
    const laneA = `a:${randomUUID()}`;
    const r = runner({ kinds: [kind], concurrency: 4 });
    const first = await r.enqueue(kind, { lane: 'a', i: 0 }, { lane: laneA });
    await r.enqueue(kind, { lane: 'b', i: 0 }, { lane: `b:${randomUUID()}` });
    const ids = [first!.id];
    for (let i = 1; i < 5; i += 1) ids.push((await r.enqueue(kind, { lane: 'a', i }, { lane: laneA }))!.id);
    r.start();
    await waitFor(() => events.includes('end a4') && events.includes('end b'), 'both lanes to finish');
    expect(events.filter((e) => e.includes(' a'))).toEqual([0, 1, 2, 3, 4].flatMap((i) => [`start a${i}`, `end a${i}`]));
    expect(maxInLaneA).toBe(1);
    expect(events.indexOf('start b')).toBeLessThan(events.indexOf('end a1'));
  });

  it('GIVEN a lane whose head is backing off WHEN the runner polls THEN the later jobs wait behind it; runNow says behind-lane; once the head runs the rest follow', async () => {
    const ran: string[] = [];
    const kind = defineJobKind({
      kind: kindName(),
      schema: z.object({ name: z.string() }),
      async run({ name }, job) {
        if (name === 'head' && job.attempt === 1) throw new RetryJobLater(3_600_000, 'not yet');
        ran.push(name);
      },
    });
    const lane = `lane:${randomUUID()}`;
    const r = runner({ kinds: [kind] });
    const head = await r.enqueue(kind, { name: 'head' }, { lane });
    const next = await r.enqueue(kind, { name: 'next' }, { lane });
    r.start();
    await waitFor(async () => (await store.get(head!.id))?.lastError === 'not yet', 'the head to back off');
    expect(await store.get(head!.id)).toMatchObject({ status: 'queued', attempts: 1 });
    // A claim right now (as the loop does) finds nothing of this lane.
    expect(await store.claim({ workerId: 'probe', kinds: [kind.kind], now: new Date(), leaseMs: 1000, limit: 5 })).toEqual([]);
    expect(await r.runNow(next!.id)).toEqual({ ran: false, reason: 'behind-lane' });
    expect(await status(next!.id)).toBe('queued');
    expect(ran).toEqual([]);

    expect(await r.runNow(head!.id)).toEqual({ ran: true, result: undefined });
    await waitFor(() => ran.includes('next'), 'the next job of the lane');
    expect(ran).toEqual(['head', 'next']);
  });

  it('GIVEN a job that always throws WHEN maxAttempts is 3 THEN it is failed after 3 attempts with last_error set and onFailed called once', async () => {
    const attempts: number[] = [];
    let onFailed = 0;
    const kind = defineJobKind({
      kind: kindName(),
      schema: z.object({}),
      maxAttempts: 3,
      backoffMs: () => 10,
      async run(_p, job) {
        attempts.push(job.attempt);
        throw new Error(`boom ${job.attempt}`);
      },
      async onFailed() {
        onFailed += 1;
      },
    });
    const r = runner({ kinds: [kind] });
    const job = await r.enqueue(kind, {});
    expect(job?.maxAttempts).toBe(3);
    r.start();
    await waitFor(() => onFailed === 1, 'onFailed');
    expect(await store.get(job!.id)).toMatchObject({ status: 'failed', attempts: 3, lastError: 'boom 3' });
    expect(attempts).toEqual([1, 2, 3]);
    const lines = r.logs.filter((l) => 'jobId' in l.obj && l.obj.jobId === job!.id);
    expect(lines.map((l) => [l.level, (l.obj as { attempt: number }).attempt])).toEqual([
      ['warn', 1],
      ['warn', 2],
      ['error', 3],
    ]);
    expect(JSON.stringify(lines)).not.toMatch(/\bat .*runner\.test/);
  });

  it('GIVEN RetryJobLater THEN the job is queued again after its delay; GIVEN PermanentJobError THEN it fails at once', async () => {
    let onFailed = 0;
    const kind = defineJobKind({
      kind: kindName(),
      schema: z.object({ mode: z.enum(['later', 'never']) }),
      async run({ mode }) {
        if (mode === 'later') throw new RetryJobLater(60_000, 'rate limited');
        throw new PermanentJobError('cannot ever work');
      },
      async onFailed() {
        onFailed += 1;
      },
    });
    const r = runner({ kinds: [kind] });
    const before = Date.now();
    const later = await r.enqueue(kind, { mode: 'later' });
    const never = await r.enqueue(kind, { mode: 'never' });
    r.start();
    await waitFor(async () => (await store.get(later!.id))?.lastError === 'rate limited' && (await status(never!.id)) === 'failed', 'both outcomes');
    const retried = await store.get(later!.id);
    expect(retried).toMatchObject({ status: 'queued', attempts: 1, lockedBy: null });
    expect(retried!.runAt.getTime()).toBeGreaterThanOrEqual(before + 60_000);
    expect(await store.get(never!.id)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'cannot ever work' });
    expect(onFailed).toBe(1);
  });

  it('GIVEN a job running past the shutdown deadline and one queued WHEN stopped THEN the running one is aborted and given back uncounted, the queued one stays queued, and a later runner runs both', async () => {
    let aborted = 0;
    const done: string[] = [];
    const kind = defineJobKind({
      kind: kindName(),
      schema: z.object({ name: z.string() }),
      async run({ name }, job) {
        // The first run (only) outlives the deadline; the given-back run is attempt 1 again.
        if (name === 'slow' && aborted === 0) {
          await new Promise<void>((resolve) => {
            if (job.signal.aborted) resolve();
            else job.signal.addEventListener('abort', () => resolve(), { once: true });
          });
          aborted += 1;
          return;
        }
        done.push(name);
      },
    });
    const first = runner({ kinds: [kind], concurrency: 1 });
    const slow = await first.enqueue(kind, { name: 'slow' });
    const queued = await first.enqueue(kind, { name: 'queued' });
    first.start();
    await waitFor(async () => (await status(slow!.id)) === 'running', 'the slow job to start');
    expect(await first.stop(new Date(Date.now() + 50))).toEqual({ finished: 0, released: 1 });
    expect(aborted).toBe(1);
    expect(await store.get(slow!.id)).toMatchObject({ status: 'queued', attempts: 0, lockedBy: null });
    expect(await store.get(queued!.id)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(await first.runNow(queued!.id)).toEqual({ ran: false, reason: 'not-runnable' });

    const second = runner({ kinds: [kind] });
    second.start();
    await waitFor(() => done.length === 2, 'the later runner to run both');
    expect(done.sort()).toEqual(['queued', 'slow']);
    await waitFor(async () => (await status(slow!.id)) === 'done', 'the slow job to be done');
    expect(await store.get(slow!.id)).toMatchObject({ attempts: 1, lockedBy: second.workerId });
  });

  it('GIVEN a job that finishes within the grace period WHEN stopped THEN stop waits for it and counts it finished', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const kind = defineJobKind({ kind: kindName(), schema: z.object({}), run: () => gate });
    const r = runner({ kinds: [kind] });
    const job = await r.enqueue(kind, {});
    r.start();
    await waitFor(async () => (await status(job!.id)) === 'running', 'the job to start');
    const stopping = r.stop(new Date(Date.now() + 10_000));
    release();
    expect(await stopping).toEqual({ finished: 1, released: 0 });
    expect(await status(job!.id)).toBe('done');
  });

  it('GIVEN runNow THEN a future job runs inline and returns its result; a job behind its lane is not run; a failing one rejects after its failure is recorded', async () => {
    const contexts: JobContext[] = [];
    const kind = defineJobKind<{ x: number; fail?: boolean }, number>({
      kind: kindName(),
      schema: z.object({ x: z.number(), fail: z.boolean().optional() }),
      async run({ x, fail }, job) {
        contexts.push(job);
        if (fail === true) throw new PermanentJobError(`no ${x}`);
        return x * 2;
      },
    });
    const r = runner({ kinds: [kind] });
    r.start();
    const inAnHour = new Date(Date.now() + 3_600_000);
    const job = await r.enqueue(kind, { x: 21 }, { runAt: inAnHour });
    expect(await r.runNow<number>(job!.id)).toEqual({ ran: true, result: 42 });
    expect(contexts[0]).toMatchObject({ id: job!.id, inline: true, attempt: 1 });
    // The result comes as the run returns; the record of it follows.
    await waitFor(async () => (await status(job!.id)) === 'done', 'the inline job recorded done');
    expect(await r.runNow(job!.id)).toEqual({ ran: false, reason: 'not-runnable' });
    expect(await r.runNow(-1)).toEqual({ ran: false, reason: 'not-found' });

    const lane = `lane:${randomUUID()}`;
    await r.enqueue(kind, { x: 1 }, { lane, runAt: inAnHour });
    const behind = await r.enqueue(kind, { x: 2 }, { lane, runAt: inAnHour });
    expect(await r.runNow(behind!.id)).toEqual({ ran: false, reason: 'behind-lane' });

    const failing = await r.enqueue(kind, { x: 3, fail: true }, { runAt: inAnHour });
    await expect(r.runNow(failing!.id)).rejects.toThrow('no 3');
    expect(await store.get(failing!.id)).toMatchObject({ status: 'failed', lastError: 'no 3' });
  });

  it('GIVEN jobs enqueued for runNow THEN the head of a lane is claimed by its insert and run without a claim; one behind it stays queued; an unrun one is given back at stop', async () => {
    const ran: number[] = [];
    const kind = defineJobKind<{ x: number }, number>({
      kind: kindName(),
      schema: z.object({ x: z.number() }),
      run: async ({ x }, job) => (ran.push(job.attempt), x * 3),
    });
    let claims = 0;
    const countingStore: JobStore = {
      ...store,
      claimById: (...args) => {
        claims += 1;
        return store.claimById(...args);
      },
    };
    const r = runner({ kinds: [kind], store: countingStore });
    const lane = `lane:${randomUUID()}`;
    const later = new Date(Date.now() + 3_600_000);
    const head = await r.enqueue(kind, { x: 1 }, { lane, runAt: later, forRunNow: true });
    expect(head).toMatchObject({ status: 'running', attempts: 1 });
    expect(await store.get(head!.id)).toMatchObject({ status: 'running', attempts: 1, lockedBy: expect.any(String) });
    const behind = await r.enqueue(kind, { x: 2 }, { lane, runAt: later, forRunNow: true });
    expect(behind).toMatchObject({ status: 'queued', attempts: 0, lockedBy: null });

    expect(await r.runNow<number>(head!.id)).toEqual({ ran: true, result: 3 });
    expect(claims).toBe(0);
    expect(ran).toEqual([1]);
    await waitFor(async () => (await status(head!.id)) === 'done', 'the head recorded done');
    // Behind its lane when enqueued: claimed as any other job, once the head is done.
    expect(await r.runNow<number>(behind!.id)).toEqual({ ran: true, result: 6 });
    expect(claims).toBe(1);

    // Claimed by its insert, never run (the process stops first): given back, due for the next start.
    const unrun = await r.enqueue(kind, { x: 3 }, { lane: `lane:${randomUUID()}`, runAt: later, forRunNow: true });
    expect(unrun?.status).toBe('running');
    await r.stop(new Date());
    expect(await store.get(unrun!.id)).toMatchObject({ status: 'queued', lockedBy: null });
  });

  it('GIVEN runNow WHEN recording the job done is slow THEN the result comes as the run returns, and the record still follows', async () => {
    const kind = defineJobKind<{ x: number }, number>({ kind: kindName(), schema: z.object({ x: z.number() }), run: async ({ x }) => x + 1 });
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let completing = 0;
    // The real store, with its `complete` held at a gate.
    const slowStore: JobStore = {
      ...store,
      complete: async (...args) => {
        completing += 1;
        await gate;
        return store.complete(...args);
      },
    };
    const r = runner({ kinds: [kind], store: slowStore });
    const job = await r.enqueue(kind, { x: 1 }, { runAt: new Date(Date.now() + 3_600_000) });
    expect(await r.runNow<number>(job!.id)).toEqual({ ran: true, result: 2 });
    expect(completing).toBe(1);
    expect(await status(job!.id)).toBe('running');
    open();
    await waitFor(async () => (await status(job!.id)) === 'done', 'the job recorded done once the store answers');
  });

  it('GIVEN two runners with the same recurring kind WHEN it is due every 200 ms THEN it runs, never concurrently, and each scheduled run happens once', async () => {
    const name = kindName();
    const scheduled: number[] = [];
    let active = 0;
    let overlaps = 0;
    const make = (): RecurringKind => ({
      kind: name,
      everyMs: 200,
      async run(job) {
        active += 1;
        if (active > 1) overlaps += 1;
        scheduled.push((await store.get(job.id))!.runAt.getTime());
        await sleep(20);
        active -= 1;
        if (scheduled.length === 2) throw new Error('a failing run is rescheduled too');
      },
    });
    const a = runner({ kinds: [], recurring: [make()] });
    const b = runner({ kinds: [], recurring: [make()] });
    a.start();
    b.start();
    await waitFor(() => scheduled.length >= 4, 'four runs', 20_000);
    await Promise.all([a.stop(new Date()), b.stop(new Date())]);
    expect(overlaps).toBe(0);
    expect(new Set(scheduled).size).toBe(scheduled.length);
    const rows = rowsOf<{ status: string }>(await database.db.execute(sql`select status from jobs where kind = ${name}`));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.status).toBe('queued');
    expect([...a.logs, ...b.logs].filter((l) => l.msg === 'jobs: recurring run failed')).toHaveLength(1);
  });
});

/**
 * What the runner costs the database: every statement takes CPU on the embedded PGlite (bench/telegram
 * is bound by it). Counted with `Database.queryStats`, never timed; the poll is an hour away, so only
 * the runner's own wakes can claim anything.
 */
describe(`job runner statements (${DRIVER_NAME})`, () => {
  const HOUR = 3_600_000;
  // Only the runner under test may be counted: on Postgres it gets a pool of its own (the shared pool
  // is the other tests' too); on PGlite the worker's database is this file's alone while a test runs.
  let counted: Database;
  let countedStore: JobStore;
  beforeAll(async () => {
    counted = TEST_DATABASE_URL === null ? database : await createDatabase({ databaseUrl: TEST_DATABASE_URL, poolSize: 4 });
    if (counted !== database) extraDatabases.push(counted);
    countedStore = createJobStore(counted.db);
  });

  /**
   * The counted store, with the background loop's claims counted as well (once answered, and while
   * asked) and the jobs completed: once every job is completed and no claim is asked, the loop is idle.
   */
  function claimCounting(): JobStore & { claims: number; asking: number; completed: number } {
    const wrapped: JobStore & { claims: number; asking: number; completed: number } = {
      ...countedStore,
      claims: 0,
      asking: 0,
      completed: 0,
      async claim(input) {
        wrapped.asking += 1;
        try {
          return await countedStore.claim(input);
        } finally {
          wrapped.asking -= 1;
          wrapped.claims += 1;
        }
      },
      async complete(id, workerId, at) {
        const ended = await countedStore.complete(id, workerId, at);
        wrapped.completed += 1;
        return ended;
      },
    };
    return wrapped;
  }

  async function statementsOf(work: () => Promise<void>): Promise<number> {
    counted.queryStats.reset();
    counted.queryStats.enable();
    try {
      await work();
    } finally {
      counted.queryStats.disable();
    }
    return counted.queryStats.queries;
  }

  it('GIVEN confirmed writes as a press makes them (own lane, due after a head start, claimed by their enqueue, then run now) WHEN run one after another and all at once THEN each costs two statements: the enqueue that claims it, and complete', async () => {
    const N = 12;
    const kind = defineJobKind<{ i: number }, number>({
      kind: kindName(),
      schema: z.object({ i: z.number() }),
      async run({ i }) {
        await sleep(1);
        return i;
      },
    });
    const counting = claimCounting();
    const r = runner({ store: counting, kinds: [kind], concurrency: 4, pollMs: HOUR });
    r.start();
    await waitFor(() => counting.claims === 1, 'the first poll');
    const confirm = async (i: number) => {
      const job = await r.enqueue(kind, { i }, { lane: `watchlist:${randomUUID()}`, runAt: new Date(Date.now() + 15_000), forRunNow: true });
      expect(await r.runNow<number>(job!.id)).toEqual({ ran: true, result: i });
    };

    // The result comes before the job is recorded done: counted once every record is written.
    const oneByOne = await statementsOf(async () => {
      for (let i = 0; i < N; i += 1) await confirm(i);
      await waitFor(() => counting.completed === N, 'every run recorded done');
    });
    expect(oneByOne).toBe(2 * N);
    const allAtOnce = await statementsOf(async () => {
      await Promise.all(Array.from({ length: N }, (_, i) => confirm(i)));
      await waitFor(() => counting.completed === 2 * N, 'every run recorded done');
    });
    expect(allAtOnce).toBe(2 * N);
    // No claim since the first poll, none under way either (a run now has decided on one as it returns).
    expect({ claims: counting.claims, asking: counting.asking }).toEqual({ claims: 1, asking: 0 });
  });

  it('GIVEN more due jobs than the runner has room for WHEN started with its poll an hour away THEN the jobs finishing claim the rest: all run, with at most one claim per job', async () => {
    const N = 13;
    const ran: number[] = [];
    const kind = defineJobKind({
      kind: kindName(),
      schema: z.object({ i: z.number() }),
      async run({ i }) {
        await sleep(1);
        ran.push(i);
      },
    });
    // Enqueued past the runner: nothing wakes it but its start.
    const ids: number[] = [];
    for (let i = 0; i < N; i += 1) ids.push((await countedStore.enqueue({ kind: kind.kind, payload: { i } }))!.id);
    const counting = claimCounting();
    const r = runner({ store: counting, kinds: [kind], concurrency: 3, pollMs: HOUR });
    r.start();
    // What a job's end sets off (a claim) starts as its complete is answered: then, no claim asked, the loop is idle.
    await waitFor(() => counting.completed === N && counting.asking === 0, 'every job to be done and the loop idle');
    expect(ran.sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect((await Promise.all(ids.map((id) => countedStore.get(id)))).every((j) => j?.status === 'done')).toBe(true);
    // At least one claim per three jobs (the free slots); the last one finds nothing.
    expect(counting.claims).toBeGreaterThanOrEqual(Math.ceil(N / 3));
    expect(counting.claims).toBeLessThanOrEqual(N + 1);

    // Drained: jobs run now from here on claim nothing in the background.
    const before = counting.claims;
    const later = await r.enqueue(kind, { i: N }, { runAt: new Date(Date.now() + HOUR) });
    expect(await r.runNow(later!.id)).toEqual({ ran: true, result: undefined });
    expect({ claims: counting.claims, asking: counting.asking }).toEqual({ claims: before, asking: 0 });
  });

  it('GIVEN lanes with due jobs behind their heads WHEN a head completes, fails for good, or is put back due at once THEN what it held up runs without waiting for the poll', async () => {
    const ran: string[] = [];
    const kind = defineJobKind({
      kind: kindName(),
      schema: z.object({ name: z.string() }),
      maxAttempts: 3,
      async run({ name }, job) {
        if (name === 'b0') throw new PermanentJobError('never');
        if (name === 'c' && job.attempt === 1) throw new RetryJobLater(0, 'again at once');
        ran.push(name);
      },
    });
    const laneA = `a:${randomUUID()}`;
    const laneB = `b:${randomUUID()}`;
    const ids: number[] = [];
    const put = async (name: string, lane?: string) => ids.push((await countedStore.enqueue({ kind: kind.kind, payload: { name }, ...(lane === undefined ? {} : { lane }) }))!.id);
    for (const name of ['a0', 'a1', 'a2']) await put(name, laneA);
    for (const name of ['b0', 'b1']) await put(name, laneB);
    await put('c');
    const r = runner({ store: claimCounting(), kinds: [kind], concurrency: 4, pollMs: HOUR });
    r.start();
    await waitFor(() => ['a2', 'b1', 'c'].every((n) => ran.includes(n)), 'the lanes and the retry to run');
    expect(ran.filter((n) => n.startsWith('a'))).toEqual(['a0', 'a1', 'a2']);
    expect(await countedStore.get(ids[3]!)).toMatchObject({ status: 'failed' });
    expect(await countedStore.get(ids[5]!)).toMatchObject({ attempts: 2 });
  });
});
