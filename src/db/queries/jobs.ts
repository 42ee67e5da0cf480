import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { PgInsertValue, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { rowsOf, type Db, type Schema } from '../client.js';
import { jobs, type JobRow } from '../schema.js';

/**
 * The `jobs` table: the store of src/jobs (durable background work). Plain functions, db first, one
 * statement each; `createJobStore` binds them into an object that structurally satisfies `JobStore` of
 * src/jobs/types.ts (src/db may not import src/jobs: the check happens where main.ts passes it).
 *
 * Times are passed in (`now`, `at`, `runAt`) or come from the store's clock, never from the database's
 * `now()`, so that leases and schedules follow one clock and tests can set it.
 *
 * Every update of a running job requires `locked_by = workerId`: a job taken over by another worker
 * after its lease expired cannot be completed, retried or failed by the old holder.
 */

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** A job as the runner sees it (the shape of `JobRecord` in src/jobs/types.ts). */
export interface JobRecordRow {
  id: number;
  kind: string;
  payload: unknown;
  lane: string | null;
  dedupeKey: string | null;
  ownerIdentityId: number | null;
  status: JobStatus;
  runAt: Date;
  attempts: number;
  maxAttempts: number;
  lockedBy: string | null;
  lockedUntil: Date | null;
  lastError: string | null;
  progress: unknown;
  completedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewJob {
  kind: string;
  payload: unknown;
  runAt?: Date;
  lane?: string;
  dedupeKey?: string;
  ownerIdentityId?: number;
  maxAttempts?: number;
  /** Claimed for this worker by the insert when nothing older is live in its lane (see EnqueueInput). */
  claimFor?: { workerId: string; leaseMs: number };
}

/** A drizzle handle or a transaction of one: `enqueueJob` inside the transaction of the state a job belongs to. */
export type DbOrTx = Db | PgTransaction<PgQueryResultHKT, Schema, never>;

const LIVE = sql.raw(`('queued', 'running')`);

function at(date: Date): SQL {
  return sql`${date.toISOString()}::timestamptz`;
}

function fromRow(row: JobRow): JobRecordRow {
  return {
    id: row.id,
    kind: row.kind,
    payload: row.payload,
    lane: row.lane,
    dedupeKey: row.dedupeKey,
    ownerIdentityId: row.ownerIdentityId,
    status: row.status,
    runAt: row.runAt,
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    lockedBy: row.lockedBy,
    lockedUntil: row.lockedUntil,
    lastError: row.lastError,
    progress: row.progress ?? null,
    completedAt: row.completedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** What raw statements return (`RETURNING_COLUMNS`): ids as text, times as epoch milliseconds, alike on both drivers. */
interface RawJobRow {
  id: string;
  kind: string;
  payload: unknown;
  lane: string | null;
  dedupe_key: string | null;
  owner: string | null;
  status: JobStatus;
  run_ms: number | string;
  attempts: number;
  max_attempts: number;
  locked_by: string | null;
  locked_ms: number | string | null;
  last_error: string | null;
  progress: unknown;
  completed_ms: number | string | null;
  created_ms: number | string;
  updated_ms: number | string;
}

const RETURNING_COLUMNS = sql.raw(
  [
    'id::text as id',
    'kind',
    'payload',
    'lane',
    'dedupe_key',
    'owner_identity_id::text as owner',
    'status',
    '(extract(epoch from run_at) * 1000)::float8 as run_ms',
    'attempts',
    'max_attempts',
    'locked_by',
    '(extract(epoch from locked_until) * 1000)::float8 as locked_ms',
    'last_error',
    'progress',
    '(extract(epoch from completed_at) * 1000)::float8 as completed_ms',
    '(extract(epoch from created_at) * 1000)::float8 as created_ms',
    '(extract(epoch from updated_at) * 1000)::float8 as updated_ms',
  ].join(', '),
);

function ms(value: number | string): Date {
  return new Date(Math.floor(Number(value)));
}

function fromRaw(r: RawJobRow): JobRecordRow {
  return {
    id: Number(r.id),
    kind: r.kind,
    payload: r.payload,
    lane: r.lane,
    dedupeKey: r.dedupe_key,
    ownerIdentityId: r.owner === null ? null : Number(r.owner),
    status: r.status,
    runAt: ms(r.run_ms),
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    lockedBy: r.locked_by,
    lockedUntil: r.locked_ms === null ? null : ms(r.locked_ms),
    lastError: r.last_error,
    progress: r.progress ?? null,
    completedAt: r.completed_ms === null ? null : ms(r.completed_ms),
    createdAt: ms(r.created_ms),
    updatedAt: ms(r.updated_ms),
  };
}

/**
 * The columns of a job claimed by its own insert (`NewJob.claimFor`): running for the worker when no
 * job is live in its lane, else queued as any other. Claimed this way, it is what `claimJobById` would
 * have taken a statement more to claim: the head of its lane (nothing older is live, and the insert
 * sees what was committed before it, as a claim does).
 */
function claimedByInsert(input: NewJob, now: Date): Partial<PgInsertValue<typeof jobs>> {
  const claim = input.claimFor;
  if (claim === undefined) return {};
  const busy = input.lane === undefined ? sql`false` : sql`exists (select 1 from jobs e where e.lane = ${input.lane} and e.status in ${LIVE})`;
  const until = new Date(now.getTime() + claim.leaseMs);
  return {
    status: sql`case when ${busy} then 'queued' else 'running' end`,
    lockedBy: sql`case when ${busy} then null else ${claim.workerId} end`,
    lockedUntil: sql`case when ${busy} then null else ${at(until)} end`,
    attempts: sql`case when ${busy} then 0 else 1 end`,
  };
}

/**
 * Inserts a queued job (or, with `claimFor`, one claimed at once when it heads its lane); undefined
 * when a live (queued or running) job with the same dedupe key exists. Takes a transaction as well, so
 * a job can be enqueued atomically with the state it belongs to.
 */
export async function enqueueJob(db: DbOrTx, input: NewJob, now: Date = new Date()): Promise<JobRecordRow | undefined> {
  const [row] = await db
    .insert(jobs)
    .values({
      ...claimedByInsert(input, now),
      kind: input.kind,
      payload: input.payload ?? null,
      runAt: input.runAt ?? now,
      lane: input.lane ?? null,
      dedupeKey: input.dedupeKey ?? null,
      ownerIdentityId: input.ownerIdentityId ?? null,
      ...(input.maxAttempts === undefined ? {} : { maxAttempts: input.maxAttempts }),
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing({ target: jobs.dedupeKey, where: sql`status in ${LIVE}` })
    .returning();
  return row === undefined ? undefined : fromRow(row);
}

/** Due, and the oldest live job of its lane (or of no lane). `j` is the candidate. */
function headOfLane(): SQL {
  return sql`(j.lane is null or not exists (
    select 1 from jobs e where e.lane = j.lane and e.id < j.id and e.status in ${LIVE}))`;
}

function claimable(now: Date, ignoreRunAt: boolean): SQL {
  const due = ignoreRunAt ? sql`true` : sql`j.run_at <= ${at(now)}`;
  return sql`((j.status = 'queued' and ${due}) or (j.status = 'running' and j.locked_until < ${at(now)}))`;
}

async function claimWhere(db: Db, filter: SQL, input: { workerId: string; now: Date; leaseMs: number; limit: number; ignoreRunAt: boolean }): Promise<JobRecordRow[]> {
  const until = new Date(input.now.getTime() + input.leaseMs);
  // MATERIALIZED: the locking select runs once, so no more than `limit` rows are taken.
  const result = await db.execute(sql`
    with due as materialized (
      select j.id from jobs j
      where ${filter} and ${claimable(input.now, input.ignoreRunAt)} and ${headOfLane()}
      order by j.run_at, j.id
      limit ${input.limit}
      for update of j skip locked)
    update jobs set status = 'running', locked_by = ${input.workerId}, locked_until = ${at(until)},
      attempts = attempts + 1, updated_at = ${at(input.now)}
    where id in (select id from due)
    returning ${RETURNING_COLUMNS}`);
  return rowsOf<RawJobRow>(result)
    .map(fromRaw)
    .sort((a, b) => a.runAt.getTime() - b.runAt.getTime() || a.id - b.id);
}

/**
 * Claims up to `limit` due jobs of these kinds in one statement: queued with run_at <= now, or running
 * with an expired lease (a dead worker's), each the oldest live job of its lane. `FOR UPDATE SKIP
 * LOCKED`: concurrent claimers take disjoint jobs.
 */
export async function claimJobs(
  db: Db,
  input: { workerId: string; kinds: readonly string[]; now: Date; leaseMs: number; limit: number },
): Promise<JobRecordRow[]> {
  if (input.kinds.length === 0 || input.limit <= 0) return [];
  const kinds = sql.join(
    input.kinds.map((k) => sql`${k}`),
    sql`, `,
  );
  return claimWhere(db, sql`j.kind in (${kinds})`, { ...input, ignoreRunAt: false });
}

/** Claims this one job when it is due (or `ignoreRunAt`) and the head of its lane. */
export async function claimJobById(
  db: Db,
  id: number,
  input: { workerId: string; now: Date; leaseMs: number; ignoreRunAt?: boolean },
): Promise<JobRecordRow | undefined> {
  const [row] = await claimWhere(db, sql`j.id = ${id}`, { ...input, limit: 1, ignoreRunAt: input.ignoreRunAt ?? false });
  return row;
}

function heldBy(id: number, workerId: string): SQL | undefined {
  return and(eq(jobs.id, id), eq(jobs.status, 'running'), eq(jobs.lockedBy, workerId));
}

/**
 * For the RETURNING of an update that takes a job out of its lane (done, failed): whether another job
 * of the lane can be claimed at `at`, so the runner knows to claim again at once; without one, nothing
 * new became claimable and the claim is saved. The updated row is spelled `jobs.` on purpose: drizzle
 * writes a column of RETURNING unqualified, and `"lane"` in the subquery would be the candidate's own.
 */
function laneDueAfter(at: Date): SQL<boolean> {
  return sql<boolean>`(jobs.lane is not null and exists (
    select 1 from jobs j where j.lane = jobs.lane and j.id <> jobs.id and ${claimable(at, false)}))`;
}

/** What ending a job's run (done, failed) tells the runner. */
export interface JobEnded {
  /** False when the job was no longer this worker's (taken over): nothing was changed. */
  held: boolean;
  /** Another job of its lane can be claimed now: it was waiting for this one. */
  laneDue: boolean;
}

function ended(rows: Array<{ laneDue: boolean | string | null }>): JobEnded {
  const [row] = rows;
  // Postgres booleans arrive as booleans on both drivers; 't' is accepted in case a driver sends text.
  return { held: row !== undefined, laneDue: row !== undefined && (row.laneDue === true || row.laneDue === 't') };
}

export async function extendJobLease(db: Db, id: number, workerId: string, until: Date, now: Date): Promise<boolean> {
  const rows = await db.update(jobs).set({ lockedUntil: until, updatedAt: now }).where(heldBy(id, workerId)).returning({ id: jobs.id });
  return rows.length > 0;
}

export async function completeJob(db: Db, id: number, workerId: string, at: Date): Promise<JobEnded> {
  const rows = await db
    .update(jobs)
    .set({ status: 'done', lockedUntil: null, completedAt: at, updatedAt: at, lastError: null })
    .where(heldBy(id, workerId))
    .returning({ laneDue: laneDueAfter(at) });
  return ended(rows);
}

export async function retryJob(db: Db, id: number, workerId: string, input: { runAt: Date; error: string }, now: Date): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({ status: 'queued', runAt: input.runAt, lastError: input.error, lockedBy: null, lockedUntil: null, updatedAt: now })
    .where(heldBy(id, workerId))
    .returning({ id: jobs.id });
  return rows.length > 0;
}

export async function failJob(db: Db, id: number, workerId: string, input: { error: string; at: Date }): Promise<JobEnded> {
  const rows = await db
    .update(jobs)
    .set({ status: 'failed', lastError: input.error, lockedUntil: null, completedAt: input.at, updatedAt: input.at })
    .where(heldBy(id, workerId))
    .returning({ laneDue: laneDueAfter(input.at) });
  return ended(rows);
}

/** A recurring job's next run: queued at `runAt` with its attempts reset; `error` (or none) as its last error. */
export async function rescheduleJob(db: Db, id: number, workerId: string, runAt: Date, error: string | undefined, now: Date): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({ status: 'queued', runAt, attempts: 0, lastError: error ?? null, lockedBy: null, lockedUntil: null, updatedAt: now })
    .where(heldBy(id, workerId))
    .returning({ id: jobs.id });
  return rows.length > 0;
}

/** A running job given back: queued, due now at the latest, unlocked, the attempt not counted. */
function givenBack(now: Date) {
  return {
    status: 'queued' as const,
    attempts: sql`greatest(${jobs.attempts} - 1, 0)`,
    runAt: sql`least(${jobs.runAt}, ${at(now)})`,
    lockedBy: null,
    lockedUntil: null,
    updatedAt: now,
  };
}

/** Gives running jobs of this worker back: queued, due now at the latest, the attempt not counted. */
export async function releaseJobs(db: Db, ids: readonly number[], workerId: string, now: Date): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await db
    .update(jobs)
    .set(givenBack(now))
    .where(and(inArray(jobs.id, [...ids]), eq(jobs.status, 'running'), eq(jobs.lockedBy, workerId)))
    .returning({ id: jobs.id });
  return rows.length;
}

/**
 * Jobs of a kind waiting for a retry (queued, attempted before, due later) become due now: what they
 * waited for is back (Trakt answered again). Returns how many.
 */
export async function hurryJobs(db: Db, kind: string, now: Date): Promise<number> {
  const rows = await db
    .update(jobs)
    .set({ runAt: now, updatedAt: now })
    .where(and(eq(jobs.kind, kind), eq(jobs.status, 'queued'), sql`${jobs.attempts} > 0`, sql`${jobs.runAt} > ${at(now)}`))
    .returning({ id: jobs.id });
  return rows.length;
}

/**
 * Deletes jobs that finished (done, failed or cancelled) before `before`: the journal keeps what a
 * write changed; a finished job is only history. Recurring jobs never finish, so they stay.
 */
export async function deleteFinishedJobs(db: Db, before: Date): Promise<number> {
  const rows = await db
    .delete(jobs)
    .where(and(inArray(jobs.status, ['done', 'failed', 'cancelled']), sql`${jobs.updatedAt} < ${at(before)}`))
    .returning({ id: jobs.id });
  return rows.length;
}

/** A queued job becomes due now (if it was due later). */
export async function makeJobDue(db: Db, id: number, now: Date): Promise<void> {
  await db
    .update(jobs)
    .set({ runAt: sql`least(${jobs.runAt}, ${at(now)})`, updatedAt: now })
    .where(and(eq(jobs.id, id), eq(jobs.status, 'queued')));
}

/** Gives back every job marked running, whoever holds it: only for a database one process owns (PGlite), at start. */
export async function releaseAllRunningJobs(db: Db, now: Date): Promise<number> {
  const rows = await db
    .update(jobs)
    .set(givenBack(now))
    .where(eq(jobs.status, 'running'))
    .returning({ id: jobs.id });
  return rows.length;
}

export async function saveJobProgress(db: Db, id: number, workerId: string, progress: unknown, now: Date): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({ progress: progress ?? null, updatedAt: now })
    .where(heldBy(id, workerId))
    .returning({ id: jobs.id });
  return rows.length > 0;
}

/** Cancels a queued job (of this owner, when given); undefined when it is not queued (or not theirs). */
export async function cancelJob(db: Db, id: number, owner: number | undefined, now: Date): Promise<JobRecordRow | undefined> {
  const [row] = await db
    .update(jobs)
    .set({ status: 'cancelled', completedAt: now, updatedAt: now })
    .where(and(eq(jobs.id, id), eq(jobs.status, 'queued'), owner === undefined ? undefined : eq(jobs.ownerIdentityId, owner)))
    .returning();
  return row === undefined ? undefined : fromRow(row);
}

export async function findJob(db: Db, id: number): Promise<JobRecordRow | undefined> {
  const [row] = await db.select().from(jobs).where(eq(jobs.id, id)).limit(1);
  return row === undefined ? undefined : fromRow(row);
}

export async function listLiveJobs(db: Db, input: { ownerIdentityId: number; kind?: string }): Promise<JobRecordRow[]> {
  const rows = await db
    .select()
    .from(jobs)
    .where(
      and(
        eq(jobs.ownerIdentityId, input.ownerIdentityId),
        sql`${jobs.status} in ${LIVE}`,
        input.kind === undefined ? undefined : eq(jobs.kind, input.kind),
      ),
    )
    .orderBy(asc(jobs.id));
  return rows.map(fromRow);
}

/**
 * Live jobs per kind and status: how many, the oldest run_at, and how many are due at `now` (queued
 * and run_at <= now; more than a few for long means the runners do not keep up).
 */
export async function jobDepth(
  db: Db,
  now: Date,
): Promise<Array<{ kind: string; status: JobStatus; count: number; due: number; oldestRunAt: Date | null }>> {
  const result = await db.execute(sql`
    select kind, status, count(*)::int as n,
      (count(*) filter (where status = 'queued' and run_at <= ${at(now)}))::int as due,
      (extract(epoch from min(run_at)) * 1000)::float8 as oldest_ms
    from jobs where status in ${LIVE}
    group by kind, status order by kind, status`);
  return rowsOf<{ kind: string; status: JobStatus; n: number | string; due: number | string; oldest_ms: number | string | null }>(result).map((r) => ({
    kind: r.kind,
    status: r.status,
    count: Number(r.n),
    due: Number(r.due),
    oldestRunAt: r.oldest_ms === null ? null : ms(r.oldest_ms),
  }));
}

/** The dedupe key of a recurring kind's one live row. */
export function recurringDedupeKey(kind: string): string {
  return `recurring:${kind}`;
}

/** Makes sure a recurring kind has its one live row; nothing when it has. */
export async function ensureRecurringJob(db: Db, kind: string, runAt: Date): Promise<void> {
  await enqueueJob(db, { kind, payload: {}, runAt, dedupeKey: recurringDedupeKey(kind) }, runAt);
}

export interface CreateJobStoreOptions {
  /** Times the store's methods take no argument for (enqueue's default run_at, release, cancel). */
  clock?: { now(): Date };
}

/** The jobs table as src/jobs' `JobStore` (structurally; see the file comment). */
export function createJobStore(db: Db, options: CreateJobStoreOptions = {}) {
  const now = () => options.clock?.now() ?? new Date();
  return {
    enqueue: (input: NewJob) => enqueueJob(db, input, now()),
    claim: (input: { workerId: string; kinds: readonly string[]; now: Date; leaseMs: number; limit: number }) => claimJobs(db, input),
    claimById: (id: number, input: { workerId: string; now: Date; leaseMs: number; ignoreRunAt?: boolean }) => claimJobById(db, id, input),
    extendLease: (id: number, workerId: string, until: Date) => extendJobLease(db, id, workerId, until, now()),
    complete: (id: number, workerId: string, at: Date) => completeJob(db, id, workerId, at),
    retry: async (id: number, workerId: string, input: { runAt: Date; error: string }): Promise<void> => {
      await retryJob(db, id, workerId, input, now());
    },
    fail: (id: number, workerId: string, input: { error: string; at: Date }) => failJob(db, id, workerId, input),
    reschedule: async (id: number, workerId: string, runAt: Date, error?: string): Promise<void> => {
      await rescheduleJob(db, id, workerId, runAt, error, now());
    },
    release: async (ids: readonly number[], workerId: string): Promise<void> => {
      await releaseJobs(db, ids, workerId, now());
    },
    releaseAllRunning: () => releaseAllRunningJobs(db, now()),
    hurry: (kind: string) => hurryJobs(db, kind, now()),
    makeDue: (id: number) => makeJobDue(db, id, now()),
    saveProgress: async (id: number, workerId: string, progress: unknown): Promise<void> => {
      await saveJobProgress(db, id, workerId, progress, now());
    },
    cancel: (id: number, owner?: number) => cancelJob(db, id, owner, now()),
    get: (id: number) => findJob(db, id),
    listLive: (input: { ownerIdentityId: number; kind?: string }) => listLiveJobs(db, input),
    depth: (at: Date) => jobDepth(db, at),
    ensureRecurring: (kind: string, runAt: Date) => ensureRecurringJob(db, kind, runAt),
  };
}

export type DbJobStore = ReturnType<typeof createJobStore>;
