import type { Db } from '../../db/client.js';
import {
  createImport,
  finishImportBatch,
  importBatchProgress,
  importById,
  importItemsWhere,
  importJournalIds,
  importOutcomeCounts,
  importStateCounts,
  planImportBatches,
  saveImportMatch,
  setImportCard,
  setImportStatus,
  setImportSummary,
} from '../../db/queries/imports.js';
import type { ImportItemRecord, ImportRowRecord } from '../../db/schema.js';
import type { ImportRow } from '../../imports/rows.js';
import type { ImportItem, ImportRecord, ImportStore, ImportSummary, ReadingInfo } from '../core/imports/ports.js';
import type { Target } from '../core/ports.js';

/** Rows come back from JSON: dates as strings. */
function rowOf(value: unknown): ImportRow {
  const row = value as ImportRow & { listedAt?: string | Date };
  return row.listedAt === undefined ? row : { ...row, listedAt: new Date(row.listedAt) };
}

function record(row: ImportRowRecord): ImportRecord {
  return {
    id: row.id,
    identityId: row.identityId,
    platform: row.platform,
    chatId: row.chatId,
    cardMessageId: row.cardMessageId,
    status: row.status,
    format: row.format,
    fileName: row.fileName,
    reading: row.reading as ReadingInfo,
    summary: row.summary as ImportSummary | null,
    createdAt: row.createdAt,
  };
}

function item(row: ImportItemRecord): ImportItem {
  return {
    position: row.position,
    row: rowOf(row.row),
    state: row.state,
    target: row.target as Target | null,
    candidates: row.candidates as Target[] | null,
    batch: row.batch,
    outcome: row.outcome,
  };
}

/** Imports' storage (src/db/queries/imports.ts) as the core's ImportStore. */
export function createImportStore(db: Db): ImportStore {
  return {
    create: async (input) => record(await createImport(db, input)),
    byId: async (id) => {
      const row = await importById(db, id);
      return row && record(row);
    },
    setCard: (id, messageId) => setImportCard(db, id, messageId),
    setStatus: (id, from, to) => setImportStatus(db, id, from, to),
    setSummary: (id, summary) => setImportSummary(db, id, summary),
    items: async (id, where, limit, offset) => (await importItemsWhere(db, id, where, limit, offset)).map(item),
    saveMatch: (id, position, match) => saveImportMatch(db, id, position, match),
    stateCounts: (id) => importStateCounts(db, id),
    plan: (id, plan) => planImportBatches(db, id, plan),
    finishBatch: (id, batch, journalId, outcomes) => finishImportBatch(db, id, batch, journalId, outcomes),
    progress: (id) => importBatchProgress(db, id),
    outcomeCounts: (id) => importOutcomeCounts(db, id),
    journalIds: (id) => importJournalIds(db, id),
  };
}
