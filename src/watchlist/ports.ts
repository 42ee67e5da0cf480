/**
 * What the watchlist writer needs from outside: Trakt on behalf of a user, the journal of writes and
 * the local watchlist copy. `main.ts` (or the chat core, which holds these ports already) hands in
 * implementations; the writer imports neither Trakt's client nor the database nor any chat code.
 * The core's ports satisfy these structurally.
 */
import type { WatchlistEntry, WatchlistWriteResult } from '../domain/media.js';
import type { Target } from '../domain/target.js';

export type WriteOp = 'add' | 'remove';

/** Trakt calls on behalf of one user. Failures arrive as the caller's errors (the writer passes them on). */
export interface WriterTrakt {
  add(targets: Target[]): Promise<WatchlistWriteResult>;
  remove(targets: Target[]): Promise<WatchlistWriteResult>;
  /** `last_activities.watchlist.updated_at` (REFERENCE §10). */
  watchlistActivity(): Promise<Date | null>;
  watchlistAll(): Promise<WatchlistEntry[]>;
}

export interface WriterTraktSource {
  forIdentity(identityId: number): Promise<WriterTrakt>;
}

/** One journaled write. */
export interface JournalEntry {
  id: number;
  identityId: number;
  kind: WriteOp;
  /**
   * What this write changed on Trakt, attributed from Trakt's answer: exactly what an undo inverts.
   * (For a pending intent: the targets asked for.)
   */
  targets: Target[];
  /** The targets asked for. */
  requested: Target[];
  status: 'pending' | 'done' | 'failed';
  /** Trakt's answer as journaled (counts, not_found), once there is one. */
  result?: unknown;
  /** The job that carries this write (the offline queue), if any. */
  jobId?: number | null;
  /** The entry this write undid, for an undo's own write. */
  undoes: number | null;
  createdAt: Date;
  undoneAt: Date | null;
}

export interface WriteJournal {
  /** Journals the intent before Trakt is called (status `pending`). */
  begin(input: { identityId: number; kind: WriteOp; targets: Target[]; undoes?: number; jobId?: number }): Promise<JournalEntry>;
  /** The newest entry of a job's write: a rerun of the job takes it up instead of journaling again. */
  forJob?(jobId: number): Promise<JournalEntry | undefined>;
  /** Makes a pending or failed entry pending again for another attempt; undefined when it is done. */
  reopen?(id: number): Promise<JournalEntry | undefined>;
  /** Completes an intent: `done` with what changed, or `failed` (Trakt refused, nothing changed). */
  complete(id: number, input: { status: 'done' | 'failed'; changed: Target[]; result: unknown; at: Date }): Promise<JournalEntry>;
  /**
   * Pending intents journaled before `before`, or abandoned by a stopping process, oldest first; not
   * those of a job (the job runner takes those up).
   */
  pendingBefore(before: Date): Promise<JournalEntry[]>;
  /** Marks pending intents as abandoned by their (stopping) process: resumable at once. */
  abandon(ids: number[], at: Date): Promise<void>;
  /**
   * Takes a pending intent up at `at`, unless someone took it up since `staleBefore` (a resume in
   * progress elsewhere); returns it for exactly one caller.
   */
  claimResume(id: number, at: Date, staleBefore: Date): Promise<JournalEntry | undefined>;
  /** The newest undoable entry created after `since`. */
  lastUndoable(identityId: number, since: Date): Promise<JournalEntry | undefined>;
  /** Marks the entry undone if it was undoable; returns it for exactly one caller. */
  claimUndo(id: number, identityId: number, now: Date): Promise<JournalEntry | undefined>;
  /** Gives a claimed entry back after the undo failed. */
  releaseUndo(id: number): Promise<void>;
}

export interface WatchlistCopyState {
  /** The activity time the copy matches; null = must be re-read. */
  activityAt: Date | null;
  checkedAt: Date;
  itemCount: number;
}

/** The local copy of users' watchlists, as far as the writer uses it. */
export interface WatchlistCopyStore {
  state(identityId: number): Promise<WatchlistCopyState | undefined>;
  /** Replaces the whole copy (after a full read). */
  replace(identityId: number, entries: WatchlistEntry[], activityAt: Date | null, now: Date): Promise<number>;
  markChecked(identityId: number, now: Date): Promise<void>;
  /** Applies our own write to the copy (when there is one); returns the item count after it. */
  applyWrite(identityId: number, change: { added?: Target[]; removed?: Target[]; listedAt: Date }): Promise<number>;
  /** Records which activity time the copy matches (null: re-read it next time). */
  setActivity(identityId: number, activityAt: Date | null): Promise<void>;
  /**
   * Optional, one round trip: applies our own write to the copy only when it is trusted, and keeps it
   * trusted (at `trust.updatedAt`) only when the new count equals `trust.itemCount`. Returns the new
   * count, or undefined when there is no trusted copy (nothing written).
   */
  applyOwnWrite?(
    identityId: number,
    change: { added?: Target[]; removed?: Target[]; listedAt: Date },
    trust: { itemCount: number; updatedAt: Date } | null,
  ): Promise<number | undefined>;
  /** Which of these keys are on the copy. */
  present(identityId: number, keys: string[]): Promise<Set<string>>;
  /**
   * Optional, one round trip: the copy's state together with which of these keys are on it (the
   * state alone when there is no copy: then nothing is on it).
   */
  stateWithPresent?(identityId: number, keys: string[]): Promise<{ state: WatchlistCopyState | undefined; present: Set<string> }>;
}

export interface WriterLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
