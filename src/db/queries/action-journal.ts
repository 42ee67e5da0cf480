import { and, desc, eq, gt, inArray, isNotNull, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { actionJournal, type ActionJournalRow } from '../schema.js';

/** Journals a write before Trakt is called: the row is `pending` until completeJournalEntry. */
export async function insertJournalIntent(
  db: Db,
  input: { identityId: number; kind: 'add' | 'remove'; items: unknown; undoes?: number; createdAt?: Date; jobId?: number },
): Promise<ActionJournalRow> {
  const [row] = await db
    .insert(actionJournal)
    .values({
      identityId: input.identityId,
      kind: input.kind,
      items: input.items,
      status: 'pending',
      undoes: input.undoes ?? null,
      jobId: input.jobId ?? null,
      ...(input.createdAt === undefined ? {} : { createdAt: input.createdAt }),
    })
    .returning();
  if (row === undefined) throw new Error('journal insert returned no row');
  return row;
}

/** Completes a pending intent with Trakt's answer (`done`) or its refusal (`failed`, nothing changed). */
export async function completeJournalEntry(
  db: Db,
  id: number,
  input: { status: 'done' | 'failed'; changed: unknown; result: unknown; completedAt: Date },
): Promise<ActionJournalRow | undefined> {
  const [row] = await db
    .update(actionJournal)
    .set({ status: input.status, changed: input.changed ?? null, result: input.result ?? null, completedAt: input.completedAt })
    // A failure never overwrites a success: a run that lost its job's lease (another run took the job
    // over and completed the write) may fail late, and the write it reports on is done all the same.
    .where(input.status === 'failed' ? and(eq(actionJournal.id, id), ne(actionJournal.status, 'done')) : eq(actionJournal.id, id))
    .returning();
  if (row === undefined && input.status === 'failed') {
    const [current] = await db.select().from(actionJournal).where(eq(actionJournal.id, id)).limit(1);
    return current;
  }
  return row;
}

/** Intents journaled before `before` that never heard from Trakt (their process stopped). Oldest first. */
export async function pendingJournalEntries(db: Db, before: Date, limit = 500): Promise<ActionJournalRow[]> {
  return db
    .select()
    .from(actionJournal)
    .where(
      and(
        eq(actionJournal.status, 'pending'),
        isNull(actionJournal.jobId),
        or(lt(actionJournal.createdAt, before), isNotNull(actionJournal.abandonedAt)),
      ),
    )
    .orderBy(actionJournal.createdAt, actionJournal.id)
    .limit(limit);
}

/** Marks pending intents as abandoned by a stopping process, so the next start resumes them at once. */
export async function abandonJournalIntents(db: Db, ids: number[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(actionJournal)
    .set({ abandonedAt: at })
    .where(and(inArray(actionJournal.id, ids), eq(actionJournal.status, 'pending')));
}

/**
 * Takes a pending intent up at `at`, unless it was taken up since `staleBefore`: the row comes back for
 * exactly one caller (a resume that itself stopped mid-way leaves it for a later one).
 */
export async function claimJournalResume(db: Db, id: number, at: Date, staleBefore: Date): Promise<ActionJournalRow | undefined> {
  const [row] = await db
    .update(actionJournal)
    .set({ resumedAt: at })
    .where(
      and(
        eq(actionJournal.id, id),
        eq(actionJournal.status, 'pending'),
        or(isNull(actionJournal.resumedAt), lt(actionJournal.resumedAt, staleBefore)),
      ),
    )
    .returning();
  return row;
}

/** What an undo may take back: completed, not itself an undo, not undone, and something changed. */
const undoable = and(
  eq(actionJournal.status, 'done'),
  isNull(actionJournal.undoes),
  isNull(actionJournal.undoneAt),
  sql`jsonb_array_length(coalesce(${actionJournal.changed}, ${actionJournal.items})) > 0`,
);

export async function lastUndoableEntry(db: Db, identityId: number, since: Date): Promise<ActionJournalRow | undefined> {
  const [row] = await db
    .select()
    .from(actionJournal)
    .where(and(eq(actionJournal.identityId, identityId), undoable, gt(actionJournal.createdAt, since)))
    .orderBy(desc(actionJournal.createdAt), desc(actionJournal.id))
    .limit(1);
  return row;
}

/** Marks the entry undone unless it already is; the row comes back for exactly one caller. */
export async function claimJournalUndo(db: Db, id: number, identityId: number, now: Date): Promise<ActionJournalRow | undefined> {
  const [row] = await db
    .update(actionJournal)
    .set({ undoneAt: now })
    .where(and(eq(actionJournal.id, id), eq(actionJournal.identityId, identityId), undoable))
    .returning();
  return row;
}

export async function releaseJournalUndo(db: Db, id: number): Promise<void> {
  await db.update(actionJournal).set({ undoneAt: null }).where(eq(actionJournal.id, id));
}

/** The newest journal entry of a job's write. */
export async function journalEntryForJob(db: Db, jobId: number): Promise<ActionJournalRow | undefined> {
  const [row] = await db.select().from(actionJournal).where(eq(actionJournal.jobId, jobId)).orderBy(desc(actionJournal.id)).limit(1);
  return row;
}

/** A pending or failed entry made pending again for another attempt of its job; undefined when done. */
export async function reopenJournalEntry(db: Db, id: number): Promise<ActionJournalRow | undefined> {
  const [row] = await db
    .update(actionJournal)
    .set({ status: 'pending', completedAt: null, abandonedAt: null })
    .where(and(eq(actionJournal.id, id), inArray(actionJournal.status, ['pending', 'failed'])))
    .returning();
  return row;
}
