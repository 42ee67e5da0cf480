/**
 * The job runner: claims due jobs from a `JobStore`, runs them with their kind, records the outcome.
 *
 * Why a small runner of our own rather than pg-boss or graphile-worker:
 * - graphile-worker wants a node-postgres pool and installs its own schema; it does not run on the
 *   embedded PGlite that a single-process deployment uses.
 * - pg-boss does run on PGlite since 12.20 (`backend: 'pglite'`, `fromPglite`; LISTEN/NOTIFY is an
 *   opt-in there, polling is its default) and has a drizzle transaction adapter. It still brings a
 *   schema of its own (`pgboss.*`) with its own migrations beside drizzle's, its own maintenance
 *   loops, and its per-key FIFO (`key_strict_fifo`) keeps a key blocked while a job of it is *failed*,
 *   where a lane here moves on once its head is failed or cancelled. Our needs (one table, lanes,
 *   leases, bounded retries, recurring rows, enqueue in our own drizzle transaction) fit in the code
 *   below and the one-statement claim of src/db/queries/jobs.ts, tested on both drivers.
 *
 * How it runs: a loop claims up to `concurrency - running` jobs every `pollMs`, and at once when there
 * may be something to claim: after an enqueue in this process of a job due now, or when a job finishes
 * and either the last claim filled every free slot (a backlog drains without waiting for the poll) or
 * the job's end made work claimable (the next job of its lane, or itself due again). A finish that can
 * have left nothing new costs no claim: every claim is a statement, and on the embedded database each
 * takes CPU from everything else. Claims never overlap. Each running job holds a lease
 * that is renewed every third of its length; a job whose lease was taken over is aborted. Payloads are
 * parsed with the kind's schema before `run`. Nothing here throws into the event loop: store errors are
 * logged and the loop goes on. Log lines name kind, id and attempt, never the payload (user data).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { z } from 'zod';
import {
  PermanentJobError,
  RetryJobLater,
  type EnqueueOptions,
  type JobContext,
  type JobKind,
  type JobKindRef,
  type JobRecord,
  type JobRunner,
  type JobStore,
  type RecurringKind,
  type RunNowResult,
} from './types.js';

export interface JobRunnerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

export interface JobRunnerDeps {
  store: JobStore;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- kinds of any payload and result live in one list
  kinds: readonly JobKind<any, any>[];
  recurring?: readonly RecurringKind[];
  logger: JobRunnerLogger;
  /** Default `hostname:pid:random`. */
  workerId?: string;
  /** Default 1000. */
  pollMs?: number;
  /** Jobs run at once by the background loop. Default 4. */
  concurrency?: number;
  clock?: { now(): Date };
  /** Embedded database (one process): every job marked running at start is an orphan; give it back first. */
  releaseRunningAtStart?: boolean;
}

export const DEFAULT_LEASE_MS = 60_000;
export const DEFAULT_MAX_ATTEMPTS = 5;
const MAX_ERROR_LENGTH = 500;

/** 5 s doubling per attempt, at most 5 min, with ±20 % jitter (never above 5 min). */
export function defaultBackoffMs(attempt: number): number {
  const base = Math.min(300_000, 5_000 * 2 ** Math.max(0, attempt - 1));
  return Math.min(300_000, Math.round(base * (0.8 + Math.random() * 0.4)));
}

/** The error's message (never its stack), at most ~500 characters. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

function issuesSummary(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

type Outcome = { ok: true; result: unknown } | { ok: false; error: unknown };

interface Running {
  record: JobRecord;
  controller: AbortController;
  /** Set when the job was given back (shutdown) or taken over: its outcome is not recorded. */
  detached: boolean;
  /**
   * Whether the job's end may have made work claimable, so the loop claims again as it finishes. True
   * unless its recorded outcome says otherwise (done or failed with no job of its lane due, put back
   * due later): what is not known to be nothing is looked for.
   */
  wakeAfter: boolean;
  done: Promise<Outcome>;
  /**
   * Told a successful run's result as soon as `run` returns, before the job is recorded done: `runNow`
   * hands it to its caller then, and the record is written meanwhile. Should that record fail, the
   * job's lease lapses and it runs again, which a kind whose runs are idempotent (a journaled write
   * returns its journaled outcome) tolerates.
   */
  onResult?: (result: unknown) => void;
}

export function createJobRunner(deps: JobRunnerDeps): JobRunner {
  const { store, logger } = deps;
  const clock = deps.clock ?? { now: () => new Date() };
  const pollMs = deps.pollMs ?? 1000;
  const concurrency = Math.max(1, deps.concurrency ?? 4);
  const workerId = deps.workerId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const kinds = new Map<string, JobKind<any, any>>();
  const recurring = new Map<string, RecurringKind>();
  for (const kind of deps.kinds) {
    if (kinds.has(kind.kind)) throw new Error(`job kind ${kind.kind} is registered twice`);
    kinds.set(kind.kind, kind);
  }
  for (const kind of deps.recurring ?? []) {
    if (kinds.has(kind.kind) || recurring.has(kind.kind)) throw new Error(`job kind ${kind.kind} is registered twice`);
    recurring.set(kind.kind, kind);
  }
  const kindNames = [...kinds.keys(), ...recurring.keys()];
  const leaseOf = (kind: string) => kinds.get(kind)?.leaseMs ?? DEFAULT_LEASE_MS;
  // Claims take the shortest lease of all kinds; a kind with a longer one extends it as it starts.
  const claimLeaseMs = Math.min(DEFAULT_LEASE_MS, ...deps.kinds.map((k) => k.leaseMs ?? DEFAULT_LEASE_MS));

  const running = new Map<number, Running>();
  /** Jobs this runner claimed as it enqueued them (`forRunNow`), until their runNow takes them. */
  const claimedAtEnqueue = new Map<number, JobRecord>();
  let started = false;
  let ready = false;
  let stopping = false;
  let stopped: Promise<{ finished: number; released: number }> | undefined;
  let claiming: Promise<void> | undefined;
  let again = false;
  /**
   * The last claim may have left due jobs unclaimed: it filled every free slot, there was no free slot
   * to claim into, or it failed. While set, every job that finishes claims again.
   */
  let backlog = false;
  let timer: NodeJS.Timeout | undefined;

  function schedule(): void {
    if (!started || stopping) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      wake();
    }, pollMs);
    timer.unref();
  }

  function wake(): void {
    if (!started || stopping) return;
    if (claiming !== undefined) {
      again = true;
      return;
    }
    claiming = tick().finally(() => {
      claiming = undefined;
      // A wake that came in as the claim was ending (a job finished) claims again now, not at the next poll.
      if (again && !stopping) {
        again = false;
        wake();
      } else schedule();
    });
  }

  async function prepare(): Promise<void> {
    if (deps.releaseRunningAtStart === true) {
      const released = await store.releaseAllRunning();
      if (released > 0) logger.info({ released }, 'jobs: gave back jobs left running by the last process');
    }
    const now = clock.now();
    for (const kind of recurring.keys()) await store.ensureRecurring(kind, now);
    ready = true;
  }

  async function tick(): Promise<void> {
    try {
      if (!ready) await prepare();
      do {
        again = false;
        const free = concurrency - running.size;
        if (stopping || kindNames.length === 0) return;
        if (free <= 0) {
          // Full (jobs run now count too): what is due was not looked at; the next slot that frees does.
          backlog = true;
          return;
        }
        const claimed = await store.claim({ workerId, kinds: kindNames, now: clock.now(), leaseMs: claimLeaseMs, limit: free });
        for (const record of claimed) {
          if (stopping) {
            // Claimed while stop() began: give it straight back.
            await store.release([record.id], workerId);
            continue;
          }
          void launch(record, false);
        }
        // Fewer than the free slots: everything due (and not another worker's) was taken.
        backlog = claimed.length === free;
        if (backlog) again = true;
      } while (again && !stopping);
    } catch (error) {
      backlog = true;
      logger.error({ err: errorText(error), workerId }, 'jobs: claiming failed; trying again at the next poll');
    }
  }

  /** Runs a claimed job and records its outcome; never rejects. */
  function launch(record: JobRecord, inline: boolean, onResult?: (result: unknown) => void): Promise<Outcome> {
    const controller = new AbortController();
    const entry: Running = { record, controller, detached: false, wakeAfter: true, done: Promise.resolve({ ok: true, result: undefined }), ...(onResult ? { onResult } : {}) };
    running.set(record.id, entry);
    entry.done = execute(entry, inline)
      .catch((error: unknown): Outcome => {
        logger.error({ kind: record.kind, jobId: record.id, attempt: record.attempts, err: errorText(error) }, 'jobs: recording an outcome failed');
        return { ok: false, error };
      })
      .finally(() => {
        running.delete(record.id);
        if (entry.wakeAfter || backlog) wake();
      });
    return entry.done;
  }

  function context(entry: Running, inline: boolean): JobContext {
    const { record } = entry;
    return {
      id: record.id,
      kind: record.kind,
      attempt: record.attempts,
      maxAttempts: record.maxAttempts,
      progress: record.progress ?? null,
      inline,
      signal: entry.controller.signal,
      saveProgress: (progress: unknown) => store.saveProgress(record.id, workerId, progress),
    };
  }

  function holdLease(entry: Running, leaseMs: number): () => void {
    const { record } = entry;
    const every = Math.max(10, Math.floor(leaseMs / 3));
    let renewing = false;
    const renew = async (): Promise<void> => {
      if (renewing || entry.detached) return;
      renewing = true;
      try {
        const ours = await store.extendLease(record.id, workerId, new Date(clock.now().getTime() + leaseMs));
        if (!ours && !entry.detached) {
          entry.detached = true;
          logger.warn({ kind: record.kind, jobId: record.id, attempt: record.attempts }, 'jobs: lease lost (the job was taken over); aborting this run');
          entry.controller.abort(new Error('job lease lost'));
        }
      } catch (error) {
        logger.warn({ kind: record.kind, jobId: record.id, err: errorText(error) }, 'jobs: renewing a lease failed');
      } finally {
        renewing = false;
      }
    };
    const interval = setInterval(() => void renew(), every);
    interval.unref();
    if (leaseMs > claimLeaseMs) void renew();
    return () => clearInterval(interval);
  }

  async function execute(entry: Running, inline: boolean): Promise<Outcome> {
    const { record } = entry;
    const rec = recurring.get(record.kind);
    const kind = kinds.get(record.kind);
    const ctx = context(entry, inline);
    if (rec !== undefined) {
      const stopLease = holdLease(entry, DEFAULT_LEASE_MS);
      let outcome: Outcome;
      try {
        outcome = { ok: true, result: await rec.run(ctx) };
      } catch (error) {
        outcome = { ok: false, error };
      } finally {
        stopLease();
      }
      if (entry.detached) return outcome;
      const error = outcome.ok ? undefined : errorText(outcome.error);
      if (error !== undefined) logger.warn({ kind: record.kind, jobId: record.id, attempt: record.attempts, err: error }, 'jobs: recurring run failed');
      await store.reschedule(record.id, workerId, new Date(clock.now().getTime() + rec.everyMs), error);
      // Recurring rows have no lane: only a next run due at once is new claimable work.
      entry.wakeAfter = rec.everyMs <= 0;
      return outcome;
    }
    if (kind === undefined) {
      // Only runNow can get here (claims are restricted to our kinds); give it back untouched.
      await store.release([record.id], workerId);
      return { ok: false, error: new Error(`job kind ${record.kind} is not registered in this runner`) };
    }

    const parsed = kind.schema.safeParse(record.payload);
    if (!parsed.success) {
      const error = new PermanentJobError(`payload of ${record.kind} does not match its schema: ${issuesSummary(parsed.error)}`);
      await failForGood(entry, kind, undefined, error, ctx);
      return { ok: false, error };
    }

    const stopLease = holdLease(entry, leaseOf(record.kind));
    let outcome: Outcome;
    try {
      outcome = { ok: true, result: await kind.run(parsed.data, ctx) };
    } catch (error) {
      outcome = { ok: false, error };
    } finally {
      stopLease();
    }
    if (entry.detached) return outcome;
    if (outcome.ok) {
      entry.onResult?.(outcome.result);
      entry.wakeAfter = (await store.complete(record.id, workerId, clock.now())).laneDue;
      return outcome;
    }
    const error = outcome.error;
    const canRetry = record.attempts < record.maxAttempts;
    if (error instanceof PermanentJobError || !canRetry) {
      await failForGood(entry, kind, parsed.data, error, ctx);
      return outcome;
    }
    const delayMs = error instanceof RetryJobLater ? error.delayMs : (kind.backoffMs ?? defaultBackoffMs)(record.attempts);
    const runAt = new Date(clock.now().getTime() + Math.max(0, delayMs));
    logger.warn(
      { kind: record.kind, jobId: record.id, attempt: record.attempts, maxAttempts: record.maxAttempts, retryInMs: delayMs, err: errorText(error) },
      'jobs: attempt failed; retrying later',
    );
    await store.retry(record.id, workerId, { runAt, error: errorText(error) });
    // Still the head of its lane (nothing behind it moves): only a retry due at once is new claimable work.
    entry.wakeAfter = delayMs <= 0;
    return outcome;
  }

  async function failForGood(
    entry: Running,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    kind: JobKind<any, any>,
    payload: unknown,
    error: unknown,
    ctx: JobContext,
  ): Promise<void> {
    const { record } = entry;
    logger.error(
      { kind: record.kind, jobId: record.id, attempt: record.attempts, maxAttempts: record.maxAttempts, err: errorText(error) },
      'jobs: job failed for good',
    );
    entry.wakeAfter = (await store.fail(record.id, workerId, { error: errorText(error), at: clock.now() })).laneDue;
    if (kind.onFailed === undefined) return;
    try {
      await kind.onFailed(payload, error, ctx);
    } catch (hookError) {
      logger.error({ kind: record.kind, jobId: record.id, err: errorText(hookError) }, 'jobs: onFailed threw');
    }
  }

  async function blockedReason(id: number): Promise<'not-found' | 'not-runnable' | 'behind-lane'> {
    const now = await store.get(id);
    if (now === undefined) return 'not-found';
    const live = now.status === 'queued' || (now.status === 'running' && (now.lockedUntil?.getTime() ?? 0) < clock.now().getTime());
    // A live job that could not be claimed with its run_at ignored is behind an older job of its lane
    // (or, rarely, being claimed by another worker this very moment).
    return live && now.lane !== null ? 'behind-lane' : 'not-runnable';
  }

  return {
    workerId,

    start() {
      if (started) return;
      started = true;
      wake();
    },

    async enqueue<P>(kind: JobKindRef<P>, payload: P, options: EnqueueOptions = {}) {
      const parsed = kind.schema.safeParse(payload);
      if (!parsed.success) throw new Error(`payload of ${kind.kind} does not match its schema: ${issuesSummary(parsed.error)}`);
      const { forRunNow, ...input } = options;
      const claim = forRunNow === true && !stopping;
      const record = await store.enqueue({
        ...input,
        kind: kind.kind,
        payload,
        maxAttempts: options.maxAttempts ?? kind.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        ...(claim ? { claimFor: { workerId, leaseMs: claimLeaseMs } } : {}),
      });
      if (record?.status === 'running') {
        // Claimed by its insert, for the runNow that follows; unused within its lease, it is left to
        // the poll, which takes it over when that lease has lapsed.
        claimedAtEnqueue.set(record.id, record);
        setTimeout(() => claimedAtEnqueue.delete(record.id), claimLeaseMs).unref();
        return record;
      }
      // A job due later cannot be claimed now: the poll finds it when it is due (a job to run at once,
      // such as a confirmed write, is run by `runNow`).
      if (record !== undefined && record.runAt.getTime() <= clock.now().getTime()) wake();
      return record;
    },

    async runNow<R>(id: number): Promise<RunNowResult<R>> {
      if (stopping) return { ran: false, reason: 'not-runnable' };
      // Claimed by its enqueue, with most of its lease left: no claim needed. Otherwise claimed
      // straight away (one statement on the common path); a job of a kind this runner does not know is
      // given back untouched by `execute`.
      const held = claimedAtEnqueue.get(id);
      claimedAtEnqueue.delete(id);
      const fresh = held !== undefined && held.lockedUntil !== null && held.lockedUntil.getTime() - clock.now().getTime() > claimLeaseMs / 2;
      const record = fresh ? held : await store.claimById(id, { workerId, now: clock.now(), leaseMs: claimLeaseMs, ignoreRunAt: true });
      if (record === undefined) {
        const reason = await blockedReason(id);
        // Asked to run now but behind its lane: due at once, so it follows the older jobs without delay.
        if (reason === 'behind-lane') {
          await store.makeDue(id);
          wake();
        }
        return { ran: false, reason };
      }
      if (stopping) {
        await store.release([record.id], workerId);
        return { ran: false, reason: 'not-runnable' };
      }
      // The caller has the result as soon as the run returns; recording the job done follows on its own.
      const outcome = await new Promise<Outcome>((resolve) => {
        void launch(record, true, (value) => resolve({ ok: true, result: value })).then(resolve);
      });
      if (!outcome.ok) throw outcome.error;
      return { ran: true, result: outcome.result as R };
    },

    async hurry(kind: string) {
      const count = await store.hurry(kind);
      if (count > 0) wake();
      return count;
    },

    stop(deadline: Date) {
      stopped ??= (async () => {
        stopping = true;
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        await claiming;
        // Claimed by their enqueue and never started: the next start (or another instance) takes them now.
        const unstarted = [...claimedAtEnqueue.keys()];
        claimedAtEnqueue.clear();
        if (unstarted.length > 0) await store.release(unstarted, workerId).catch((error: unknown) => logger.error({ err: errorText(error), jobs: unstarted.length }, 'jobs: giving back unstarted jobs failed; their leases will expire'));
        const atStop = [...running.values()];
        const wait = Math.max(0, deadline.getTime() - clock.now().getTime());
        let deadlineTimer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.allSettled(atStop.map((e) => e.done)),
          new Promise<void>((resolve) => {
            deadlineTimer = setTimeout(resolve, wait);
          }),
        ]);
        clearTimeout(deadlineTimer);
        const left = [...running.values()];
        for (const entry of left) {
          entry.detached = true;
          entry.controller.abort(new Error('shutting down'));
        }
        if (left.length > 0) {
          try {
            await store.release(
              left.map((e) => e.record.id),
              workerId,
            );
          } catch (error) {
            logger.error({ err: errorText(error), jobs: left.length }, 'jobs: giving running jobs back failed; their leases will expire');
          }
          for (const entry of left) logger.warn({ kind: entry.record.kind, jobId: entry.record.id, attempt: entry.record.attempts }, 'jobs: still running at the deadline; given back');
        }
        return { finished: atStop.length - left.filter((e) => atStop.includes(e)).length, released: left.length };
      })();
      return stopped;
    },
  };
}
