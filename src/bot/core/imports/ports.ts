/**
 * What imports need from storage (implemented in src/bot/services/import-store.ts over
 * src/db/queries/imports.ts). Rows are kept with their state, so each step resumes where it stopped.
 */
import type { ImportRow, SkippedCounts } from '../../../imports/rows.js';
import type { Target } from '../ports.js';
import type { Platform } from '../types.js';

export type ImportStatus = 'matching' | 'preview' | 'applying' | 'done' | 'cancelled' | 'undoing' | 'undone';
export type ItemState = 'pending' | 'matched' | 'ambiguous' | 'not-found' | 'skipped';
export type ItemOutcome = 'added' | 'existing' | 'not-found' | 'listed' | 'over-limit' | 'duplicate';

/** What reading the file found, for the cards. */
export interface ReadingInfo {
  rows: number;
  skipped: SkippedCounts;
  /** The first few problems the reader noted (with line numbers). */
  problems: string[];
  problemCount: number;
}

export interface ImportSummary {
  added: number;
  existing: number;
  overLimit: number;
  listed: number;
  notFound: number;
  cancelledAfter?: number;
  undone?: number;
}

export interface ImportRecord {
  id: number;
  identityId: number;
  platform: Platform;
  chatId: string;
  cardMessageId: string | null;
  status: ImportStatus;
  format: string;
  fileName: string;
  reading: ReadingInfo;
  summary: ImportSummary | null;
  createdAt: Date;
}

export interface ImportItem {
  position: number;
  row: ImportRow;
  state: ItemState;
  target: Target | null;
  candidates: Target[] | null;
  batch: number | null;
  outcome: ItemOutcome | null;
}

export interface ImportStore {
  create(input: { identityId: number; platform: Platform; chatId: string; format: string; fileName: string; reading: ReadingInfo; rows: ImportRow[] }): Promise<ImportRecord>;
  byId(id: number): Promise<ImportRecord | undefined>;
  setCard(id: number, messageId: string): Promise<void>;
  setStatus(id: number, from: ImportStatus[], to: ImportStatus): Promise<boolean>;
  setSummary(id: number, summary: ImportSummary): Promise<void>;
  items(id: number, where: { states?: ItemState[]; batch?: number; planned?: boolean }, limit?: number, offset?: number): Promise<ImportItem[]>;
  saveMatch(id: number, position: number, match: { state: ItemState; target?: Target; candidates?: Target[] }): Promise<void>;
  stateCounts(id: number): Promise<Record<ItemState, number>>;
  plan(id: number, plan: Array<{ position: number; batch: number | null; outcome: ItemOutcome | null }>): Promise<void>;
  finishBatch(id: number, batch: number, journalId: number | null, outcomes: Array<{ position: number; outcome: ItemOutcome }>): Promise<void>;
  progress(id: number): Promise<{ batches: number; done: number; items: number; applied: number }>;
  outcomeCounts(id: number): Promise<Partial<Record<ItemOutcome, number>>>;
  journalIds(id: number): Promise<number[]>;
}
