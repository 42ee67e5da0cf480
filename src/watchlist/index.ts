export { createWatchlistWriter, type ResumedWrite, type UndoOutcome, type WatchlistWriter, type WatchlistWriterDeps, type WriteOutcome, type WriteRequest } from './writer.js';
export { WatchlistCopy } from './copy.js';
export type { JournalEntry, WatchlistCopyState, WatchlistCopyStore, WriteJournal, WriteOp, WriterTrakt, WriterTraktSource } from './ports.js';
export { targetKey } from '../domain/target.js';
