/**
 * Durable background work: the contract between job kinds, the runner and the store.
 *
 * A job is a row in the `jobs` table. A kind declares its payload schema (zod) and what running one
 * does; the runner claims due jobs (`FOR UPDATE SKIP LOCKED`, so several instances on one Postgres
 * share the work and a job runs once at a time), holds a lease while it runs (renewed while it runs; a
 * killed process's job is taken over once the lease expires), retries with backoff up to a bound, and
 * on shutdown stops claiming, lets running jobs finish within the grace period and gives the rest back.
 *
 * Jobs of one `lane` (e.g. one user's watchlist writes) run one at a time, in the order they were
 * enqueued: only the oldest live job of a lane can be claimed.
 *
 * src/jobs knows nothing of chat, Trakt or the database driver: kinds are defined by the rooms that own
 * their logic, and the store is implemented over the database in src/db/queries/jobs.ts.
 */
import type { z } from 'zod';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobRecord {
  id: number;
  kind: string;
  payload: unknown;
  /** Jobs of one lane run one at a time, oldest first. */
  lane: string | null;
  /** At most one live (queued or running) job per key. */
  dedupeKey: string | null;
  ownerIdentityId: number | null;
  status: JobStatus;
  runAt: Date;
  attempts: number;
  maxAttempts: number;
  lockedBy: string | null;
  lockedUntil: Date | null;
  lastError: string | null;
  /** What a run recorded so that a rerun does not repeat work (kind-specific). */
  progress: unknown;
  createdAt: Date;
  updatedAt: Date;
}

export interface EnqueueInput {
  kind: string;
  payload: unknown;
  runAt?: Date;
  lane?: string;
  dedupeKey?: string;
  ownerIdentityId?: number;
  maxAttempts?: number;
  /**
   * Claimed for this worker by the insert itself when nothing older is live in its lane (status
   * running, attempts 1, locked until now + leaseMs); otherwise queued as usual. A job that the caller
   * runs at once then needs no claim of its own.
   */
  claimFor?: { workerId: string; leaseMs: number };
}

/** How a caller of the runner enqueues. */
export type EnqueueOptions = Omit<EnqueueInput, 'kind' | 'payload' | 'claimFor'> & {
  /**
   * The caller runs the job at once with `runNow`: the enqueue's own statement claims it when it heads
   * its lane, and `runNow` then starts it without a claim.
   */
  forRunNow?: boolean;
};

/** The jobs table, as the runner uses it. Every method is one statement unless it says otherwise. */
export interface JobStore {
  /** Inserts a queued job; undefined when a live job with the same dedupe key exists. */
  enqueue(input: EnqueueInput): Promise<JobRecord | undefined>;
  /**
   * Claims up to `limit` due jobs of these kinds (queued with run_at <= now, or running with an expired
   * lease), each the oldest live job of its lane: status running, locked by `workerId` until
   * now + leaseMs, attempts + 1.
   */
  claim(input: { workerId: string; kinds: readonly string[]; now: Date; leaseMs: number; limit: number }): Promise<JobRecord[]>;
  /** Claims this one job if it is due (or its run_at is ignored with `ignoreRunAt`) and the head of its lane. */
  claimById(id: number, input: { workerId: string; now: Date; leaseMs: number; ignoreRunAt?: boolean }): Promise<JobRecord | undefined>;
  /** Renews the lease while the job runs; false when the job is no longer ours (taken over). */
  extendLease(id: number, workerId: string, until: Date): Promise<boolean>;
  /**
   * Done. `laneDue`: another job of its lane can be claimed at `at` (it waited for this one); the runner
   * claims again at once only when something may have become claimable.
   */
  complete(id: number, workerId: string, at: Date): Promise<{ laneDue: boolean }>;
  /** Back to queued for another attempt at `runAt`. */
  retry(id: number, workerId: string, input: { runAt: Date; error: string }): Promise<void>;
  /** Failed for good; `laneDue` as for `complete`. */
  fail(id: number, workerId: string, input: { error: string; at: Date }): Promise<{ laneDue: boolean }>;
  /** A recurring job's next run: back to queued at `runAt`, attempts reset. */
  reschedule(id: number, workerId: string, runAt: Date, error?: string): Promise<void>;
  /** Gives running jobs back (shutdown): queued, run now, their attempt not counted. */
  release(ids: readonly number[], workerId: string): Promise<void>;
  /** Jobs of this kind waiting for a retry become due now (what they waited for is back); returns how many. */
  hurry(kind: string): Promise<number>;
  /** A queued job becomes due now, if it was due later. */
  makeDue(id: number): Promise<void>;
  /** Gives back every job still marked running (the embedded database's single process at start). */
  releaseAllRunning(): Promise<number>;
  saveProgress(id: number, workerId: string, progress: unknown): Promise<void>;
  /** Cancels a queued job (of this owner, when given); undefined when it is not queued any more. */
  cancel(id: number, owner?: number): Promise<JobRecord | undefined>;
  get(id: number): Promise<JobRecord | undefined>;
  /** Live jobs (queued or running) of an owner, optionally of one kind, oldest first. */
  listLive(input: { ownerIdentityId: number; kind?: string }): Promise<JobRecord[]>;
  /** Live jobs per kind and status, with the oldest run_at: how background work is seen. */
  depth(now: Date): Promise<Array<{ kind: string; status: JobStatus; count: number; oldestRunAt: Date | null }>>;
  /** Makes sure a recurring kind has its one live row (dedupe key `recurring:<kind>`). */
  ensureRecurring(kind: string, runAt: Date): Promise<void>;
}

/** What a running job can do besides its work. */
export interface JobContext {
  readonly id: number;
  readonly kind: string;
  /** 1 on the first attempt. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** What an earlier run saved with `saveProgress` (null at first). */
  readonly progress: unknown;
  /** True when the job runs because a caller asked for it now (`runNow`), not from the background loop. */
  readonly inline: boolean;
  /** Aborted when the grace period of a shutdown is over. */
  readonly signal: AbortSignal;
  saveProgress(progress: unknown): Promise<void>;
}

/** Thrown by a job: try again after `delayMs` (the attempt counts toward the bound). */
export class RetryJobLater extends Error {
  constructor(
    readonly delayMs: number,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
    this.name = 'RetryJobLater';
  }
}

/** Thrown by a job: retrying cannot help; the job is failed now (`onFailed` runs). */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

export interface JobKind<P = unknown, R = unknown> {
  readonly kind: string;
  readonly schema: z.ZodType<P>;
  run(payload: P, job: JobContext): Promise<R>;
  /** Attempts before the job is failed. Default 5. */
  readonly maxAttempts?: number;
  /** Delay before attempt `attempt + 1` after attempt `attempt` failed. Default: 5 s doubling, with jitter, at most 5 min. */
  backoffMs?(attempt: number): number;
  /** Lease length; renewed every third of it while the job runs. Default 60 s. */
  readonly leaseMs?: number;
  /** Called once when the job is failed for good (bound reached, PermanentJobError, unreadable payload: then with payload undefined). */
  onFailed?(payload: P | undefined, error: unknown, job: JobContext): Promise<void>;
}

/** What enqueueing needs of a kind: its name, payload schema and bound (not how it runs). */
export type JobKindRef<P> = Pick<JobKind<P, unknown>, 'kind' | 'schema' | 'maxAttempts'>;

export function defineJobKind<P, R = void>(kind: JobKind<P, R>): JobKind<P, R> {
  return kind;
}

/** Periodic work kept as one job row, so with several instances each run happens once. */
export interface RecurringKind {
  readonly kind: string;
  readonly everyMs: number;
  run(job: JobContext): Promise<unknown>;
}

export type RunNowResult<R> = { ran: true; result: R } | { ran: false; reason: 'not-found' | 'not-runnable' | 'behind-lane' };

export interface JobRunner {
  /**
   * Starts the background loop: claims due jobs every `pollMs`, and at once after an enqueue of a job due
   * now and when a finishing job may have left claimable work (see src/jobs/runner.ts).
   */
  start(): void;
  /** Validates the payload against the kind's schema, then enqueues; undefined on a dedupe conflict. */
  enqueue<P>(kind: JobKindRef<P>, payload: P, options?: EnqueueOptions): Promise<JobRecord | undefined>;
  /**
   * Claims this job now (if it is the head of its lane; its run_at is ignored) and runs it in this
   * process; the runner records the outcome as for any run, and the kind's result or error reaches the caller.
   * Behind older jobs of its lane, it is made due now instead: it runs as soon as they are done.
   */
  runNow<R>(id: number): Promise<RunNowResult<R>>;
  /** Jobs of this kind waiting for a retry are run now (what they waited for is back); returns how many. */
  hurry(kind: string): Promise<number>;
  /** Stops claiming; waits for running jobs until `deadline`, then aborts them and gives them back. */
  stop(deadline: Date): Promise<{ finished: number; released: number }>;
  readonly workerId: string;
}
