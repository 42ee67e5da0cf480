import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../client.js';
import { actionJournal, type ActionJournalRow } from '../schema.js';

export async function insertJournalEntry(
  db: Db,
  input: { identityId: number; kind: 'add' | 'remove'; items: unknown; result: unknown },
): Promise<ActionJournalRow> {
  const [row] = await db
    .insert(actionJournal)
    .values({ identityId: input.identityId, kind: input.kind, items: input.items, result: input.result ?? null })
    .returning();
  if (row === undefined) throw new Error('journal insert returned no row');
  return row;
}

export async function lastUndoableEntry(db: Db, identityId: number, since: Date): Promise<ActionJournalRow | undefined> {
  const [row] = await db
    .select()
    .from(actionJournal)
    .where(and(eq(actionJournal.identityId, identityId), isNull(actionJournal.undoneAt), gt(actionJournal.createdAt, since)))
    .orderBy(desc(actionJournal.createdAt), desc(actionJournal.id))
    .limit(1);
  return row;
}

/** Marks the entry undone unless it already is; the row comes back for exactly one caller. */
export async function claimJournalUndo(db: Db, id: number, identityId: number, now: Date): Promise<ActionJournalRow | undefined> {
  const [row] = await db
    .update(actionJournal)
    .set({ undoneAt: now })
    .where(and(eq(actionJournal.id, id), eq(actionJournal.identityId, identityId), isNull(actionJournal.undoneAt)))
    .returning();
  return row;
}

export async function releaseJournalUndo(db: Db, id: number): Promise<void> {
  await db.update(actionJournal).set({ undoneAt: null }).where(eq(actionJournal.id, id));
}
