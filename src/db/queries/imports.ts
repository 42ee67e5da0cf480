import { and, asc, count, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { importBatches, importItems, imports, type ImportItemRecord, type ImportRowRecord } from '../schema.js';

/** Imports' storage: the file's rows and their states, so matching and applying resume after a restart. */

type Status = ImportRowRecord['status'];
type State = ImportItemRecord['state'];
type Outcome = NonNullable<ImportItemRecord['outcome']>;

const INSERT_CHUNK = 500;

export async function createImport(
  db: Db,
  input: { identityId: number; platform: ImportRowRecord['platform']; chatId: string; format: string; fileName: string; reading: unknown; rows: unknown[] },
): Promise<ImportRowRecord> {
  return db.transaction(async (tx) => {
    const [record] = await tx
      .insert(imports)
      .values({ identityId: input.identityId, platform: input.platform, chatId: input.chatId, format: input.format, fileName: input.fileName, reading: input.reading })
      .returning();
    if (record === undefined) throw new Error('import not created');
    for (let i = 0; i < input.rows.length; i += INSERT_CHUNK) {
      await tx.insert(importItems).values(input.rows.slice(i, i + INSERT_CHUNK).map((row, j) => ({ importId: record.id, position: i + j, row })));
    }
    return record;
  });
}

export async function importById(db: Db, id: number): Promise<ImportRowRecord | undefined> {
  const [row] = await db.select().from(imports).where(eq(imports.id, id)).limit(1);
  return row;
}

export async function setImportCard(db: Db, id: number, messageId: string): Promise<void> {
  await db.update(imports).set({ cardMessageId: messageId }).where(eq(imports.id, id));
}

/** Moves the import from one of `from` to `to`; false when it was in none of them. */
export async function setImportStatus(db: Db, id: number, from: Status[], to: Status): Promise<boolean> {
  const rows = await db
    .update(imports)
    .set({ status: to, updatedAt: new Date() })
    .where(and(eq(imports.id, id), inArray(imports.status, from)))
    .returning({ id: imports.id });
  return rows.length > 0;
}

export async function setImportSummary(db: Db, id: number, summary: unknown): Promise<void> {
  await db.update(imports).set({ summary, updatedAt: new Date() }).where(eq(imports.id, id));
}

export async function importItemsWhere(
  db: Db,
  id: number,
  where: { states?: State[]; batch?: number; planned?: boolean },
  limit = 100_000,
  offset = 0,
): Promise<ImportItemRecord[]> {
  const conditions = [eq(importItems.importId, id)];
  if (where.states !== undefined) conditions.push(inArray(importItems.state, where.states));
  if (where.batch !== undefined) conditions.push(eq(importItems.batch, where.batch));
  if (where.planned === false) conditions.push(isNull(importItems.batch));
  return db
    .select()
    .from(importItems)
    .where(and(...conditions))
    .orderBy(asc(importItems.position))
    .limit(limit)
    .offset(offset);
}

export async function saveImportMatch(db: Db, id: number, position: number, match: { state: State; target?: unknown; candidates?: unknown }): Promise<void> {
  await db
    .update(importItems)
    .set({ state: match.state, target: match.target ?? null, candidates: match.candidates ?? null })
    .where(and(eq(importItems.importId, id), eq(importItems.position, position)));
}

export async function importStateCounts(db: Db, id: number): Promise<Record<State, number>> {
  const rows = await db.select({ state: importItems.state, n: count() }).from(importItems).where(eq(importItems.importId, id)).groupBy(importItems.state);
  const counts: Record<State, number> = { pending: 0, matched: 0, ambiguous: 0, 'not-found': 0, skipped: 0 };
  for (const row of rows) counts[row.state] = Number(row.n);
  return counts;
}

/** Records the apply plan in one transaction: each item's batch (or why it is not applied), and the batches. */
export async function planImportBatches(db: Db, id: number, plan: Array<{ position: number; batch: number | null; outcome: Outcome | null }>): Promise<void> {
  await db.transaction(async (tx) => {
    const byKey = new Map<string, number[]>();
    for (const item of plan) {
      const key = `${item.batch ?? ''}|${item.outcome ?? ''}`;
      byKey.set(key, [...(byKey.get(key) ?? []), item.position]);
    }
    for (const [key, positions] of byKey) {
      const [batchText, outcome] = key.split('|') as [string, string];
      for (let i = 0; i < positions.length; i += INSERT_CHUNK) {
        await tx
          .update(importItems)
          .set({ batch: batchText === '' ? null : Number(batchText), outcome: outcome === '' ? null : (outcome as Outcome) })
          .where(and(eq(importItems.importId, id), inArray(importItems.position, positions.slice(i, i + INSERT_CHUNK))));
      }
    }
    const batches = [...new Set(plan.flatMap((p) => (p.batch === null ? [] : [p.batch])))];
    if (batches.length > 0) await tx.insert(importBatches).values(batches.map((batch) => ({ importId: id, batch }))).onConflictDoNothing();
  });
}

/** A batch's write is done: its journal entry and each item's outcome, in one transaction. */
export async function finishImportBatch(db: Db, id: number, batch: number, journalId: number | null, outcomes: Array<{ position: number; outcome: Outcome }>): Promise<void> {
  await db.transaction(async (tx) => {
    const grouped = new Map<Outcome, number[]>();
    for (const o of outcomes) grouped.set(o.outcome, [...(grouped.get(o.outcome) ?? []), o.position]);
    for (const [outcome, positions] of grouped) {
      await tx
        .update(importItems)
        .set({ outcome })
        .where(and(eq(importItems.importId, id), inArray(importItems.position, positions)));
    }
    await tx
      .update(importBatches)
      .set({ journalId, doneAt: sql`now()` })
      .where(and(eq(importBatches.importId, id), eq(importBatches.batch, batch)));
  });
}

export async function importBatchProgress(db: Db, id: number): Promise<{ batches: number; done: number; items: number; applied: number }> {
  const [batches] = await db
    .select({ total: count(), done: count(importBatches.doneAt) })
    .from(importBatches)
    .where(eq(importBatches.importId, id));
  const [items] = await db
    .select({ total: count(), applied: count(importItems.outcome) })
    .from(importItems)
    .where(and(eq(importItems.importId, id), isNotNull(importItems.batch)));
  return { batches: Number(batches?.total ?? 0), done: Number(batches?.done ?? 0), items: Number(items?.total ?? 0), applied: Number(items?.applied ?? 0) };
}

export async function importOutcomeCounts(db: Db, id: number): Promise<Partial<Record<Outcome, number>>> {
  const rows = await db
    .select({ outcome: importItems.outcome, n: count() })
    .from(importItems)
    .where(and(eq(importItems.importId, id), isNotNull(importItems.outcome)))
    .groupBy(importItems.outcome);
  const counts: Partial<Record<Outcome, number>> = {};
  for (const row of rows) if (row.outcome !== null) counts[row.outcome] = Number(row.n);
  return counts;
}

export async function importJournalIds(db: Db, id: number): Promise<number[]> {
  const rows = await db
    .select({ journalId: importBatches.journalId })
    .from(importBatches)
    .where(and(eq(importBatches.importId, id), isNotNull(importBatches.journalId)))
    .orderBy(asc(importBatches.batch));
  return rows.flatMap((r) => (r.journalId === null ? [] : [r.journalId]));
}
