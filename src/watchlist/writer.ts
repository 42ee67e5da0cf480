import type { WatchlistEntry, WatchlistWriteResult } from '../domain/media.js';
import type { Target } from '../domain/target.js';
import { attributeFromAnswer, countKeyOf, creditEarlierAttempt, distinctTargets, resolveFromList, type Attribution } from './attribute.js';
import { WatchlistCopy } from './copy.js';
import type { JournalEntry, WatchlistCopyStore, WriteJournal, WriteOp, WriterLogger, WriterTrakt, WriterTraktSource } from './ports.js';
import { targetKey } from '../domain/target.js';

/**
 * The one watchlist writer: every change to a user's Trakt watchlist (Confirm, Undo, batch adds, and
 * later imports, the offline queue, group-pick results) goes through it. It journals the intent before
 * calling Trakt, attributes Trakt's answer to the targets (see attribute.ts), completes the journal
 * with exactly what changed and brings the local copy up to date. It knows nothing of chat: it takes
 * an identity and targets and says what changed; errors from Trakt reach the caller as they came.
 */
export interface WatchlistWriterDeps {
  trakt: WriterTraktSource;
  journal: WriteJournal;
  watchlists: WatchlistCopyStore;
  logger: WriterLogger;
  clock?: { now(): Date };
  /** The local copy is trusted without asking Trakt for this long after a check. Default 30 s. */
  watchlistFreshMs?: number;
  /** When this process started: `resumeInterrupted` takes up intents journaled before it. Default: now. */
  startedAt?: Date;
  /** Allowed difference between our clock and Trakt's `listed_at`, when a re-read decides. Default 60 s. */
  clockSkewMs?: number;
}

export interface WriteRequest {
  identityId: number;
  op: WriteOp;
  targets: Target[];
  /** For an undo's write: the entry it takes back. */
  undoes?: number;
  /**
   * The job carrying this write (the offline queue). Its journal entry is tied to the job: a rerun of
   * the job takes the entry up again (an earlier attempt may have reached Trakt) or, when the entry is
   * already done, returns its outcome without calling Trakt again.
   */
  jobId?: number;
  /** Keys of the targets that were on the local copy when the user confirmed (see creditEarlierAttempt). */
  listedAtConfirm?: string[];
  /** The job's first attempt, run right after it was queued: it has no journal entry yet to look up. */
  firstAttempt?: boolean;
}

export interface WriteOutcome {
  op: WriteOp;
  /** The targets asked for (without repeats). */
  requested: Target[];
  /** What this write changed: added (add) or removed (remove). */
  changed: Target[];
  /** Already listed (add) or not listed (remove). */
  unchanged: Target[];
  notFound: Target[];
  /** Trakt's counts could not be matched to these: they are not in the journal's changed list. */
  uncertain: Target[];
  /** Items on the watchlist after the write, when known. */
  itemCount: number | undefined;
  result: WatchlistWriteResult;
  /** The journal entry; `entry.targets` is what an undo inverts (empty: nothing to undo). */
  entry: JournalEntry;
}

export type UndoOutcome =
  | { kind: 'not-undoable' }
  | { kind: 'too-late'; entry: JournalEntry }
  | { kind: 'undone'; entry: JournalEntry; write: WriteOutcome }
  | { kind: 'failed'; entry: JournalEntry; error: unknown };

/** A write a stopped process left pending, taken up at this start. */
export interface ResumedWrite {
  identityId: number;
  op: WriteOp;
  targets: Target[];
  undoes: number | null;
  outcome: { ok: true; write: WriteOutcome } | { ok: false; error: unknown };
}

export interface WatchlistWriter {
  write(request: WriteRequest): Promise<WriteOutcome>;
  /** Undoes a journal entry (claimed once; given back when the write fails). */
  undo(request: { identityId: number; journalId: number; windowMs: number }): Promise<UndoOutcome>;
  lastUndoable(identityId: number, since: Date): Promise<JournalEntry | undefined>;
  /**
   * Re-applies intents left pending (adds and removes are idempotent on Trakt): those journaled before
   * `before` (default: this process's start), and those a stopping process abandoned, that nobody took
   * up since. With several instances, pass a
   * time older than the longest write, so another instance's write in flight is left alone.
   */
  resumeInterrupted(options?: { before?: Date }): Promise<ResumedWrite[]>;
  /**
   * Marks the writes still waiting for Trakt as abandoned by this process (it is stopping), so the next
   * start, or another instance, resumes them at once. Returns how many there were.
   */
  abandonInFlight(): Promise<number>;
  /** The local watchlist copy the writer keeps (readers use it too). */
  readonly copy: WatchlistCopy;
}

function emptyAttribution(): Attribution {
  return { changed: [], unchanged: [], notFound: [], uncertain: [] };
}

function merge(a: Attribution, b: Attribution): Attribution {
  return {
    changed: [...a.changed, ...b.changed],
    unchanged: [...a.unchanged, ...b.unchanged],
    notFound: [...a.notFound, ...b.notFound],
    uncertain: [...a.uncertain, ...b.uncertain],
  };
}

function severalOfOneKind(targets: readonly Target[]): boolean {
  const kinds = new Set(targets.map(countKeyOf));
  return kinds.size < targets.length;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

export function createWatchlistWriter(deps: WatchlistWriterDeps): WatchlistWriter {
  const now = () => deps.clock?.now() ?? new Date();
  const startedAt = deps.startedAt ?? now();
  const skewMs = deps.clockSkewMs ?? 60_000;
  const copy = new WatchlistCopy({ store: deps.watchlists, now, freshMs: deps.watchlistFreshMs ?? 30_000 });
  const { journal, logger } = deps;
  /** Journal ids of writes waiting for Trakt's answer in this process. */
  const inFlight = new Set<number>();

  /** Which targets are listed, from the copy brought up to date first (one last_activities call). */
  async function listedBefore(identityId: number, trakt: WriterTrakt, targets: Target[]): Promise<Set<string> | undefined> {
    try {
      return await copy.presentAfterRecheck(identityId, trakt, targets.map(targetKey));
    } catch (error) {
      // The write itself still tells most of it; what it cannot tell is re-read or left uncertain.
      logger.warn({ err: error, identityId }, 'watchlist copy unavailable before a write');
      return undefined;
    }
  }

  async function reread(identityId: number, trakt: WriterTrakt): Promise<WatchlistEntry[] | undefined> {
    try {
      return await trakt.watchlistAll();
    } catch (error) {
      logger.warn({ err: error, identityId }, 'watchlist re-read after a write failed; uncertain items stay out of the undo');
      return undefined;
    }
  }

  /** Calls Trakt for a journaled intent and completes the journal from the answer. */
  async function apply(
    intent: JournalEntry,
    trakt: WriterTrakt,
    before: Set<string> | undefined,
    earlier: { attempted: boolean; listedAtConfirm: Set<string> | undefined } = { attempted: false, listedAtConfirm: undefined },
  ): Promise<WriteOutcome> {
    const { identityId, kind: op } = intent;
    const targets = intent.requested;
    const began = now();
    let result: WatchlistWriteResult;
    try {
      result = op === 'add' ? await trakt.add(targets) : await trakt.remove(targets);
    } catch (error) {
      await journal
        .complete(intent.id, { status: 'failed', changed: [], result: { error: errorName(error) }, at: now() })
        .catch((e: unknown) => logger.error({ err: e, identityId, journalId: intent.id }, 'could not mark a failed write in the journal'));
      throw error;
    }

    const first = attributeFromAnswer(op, targets, result, before);
    let attribution = first.attribution;
    if (earlier.attempted || result.retried === true) {
      // An attempt before this answer may have landed: what Trakt calls unchanged may be our own doing.
      let atConfirm = earlier.listedAtConfirm;
      if (atConfirm === undefined && before === undefined) {
        // The copy is not updated by a write until it is attributed: it still shows the list before it.
        atConfirm = await deps.watchlists.present(identityId, targets.map(targetKey)).catch(() => undefined);
      }
      attribution = creditEarlierAttempt(op, attribution, atConfirm ?? before);
    }
    let after: WatchlistEntry[] | undefined;
    if (first.unresolved.length > 0) {
      after = await reread(identityId, trakt);
      if (after === undefined) {
        attribution = merge(attribution, { ...emptyAttribution(), uncertain: first.unresolved.flatMap((g) => g.candidates) });
      } else {
        attribution = merge(attribution, resolveFromList(op, first.unresolved, after, new Date(began.getTime() - skewMs), before));
      }
      if (attribution.uncertain.length > 0) {
        logger.warn({ identityId, journalId: intent.id, uncertain: attribution.uncertain.length }, "Trakt's counts do not match the items; those are left out of the undo");
      }
    }

    // The journal and the local copy are separate rows, brought up to date together: the write is on
    // Trakt either way, and a journal left pending is applied again (idempotently) at the next start.
    const completing = journal.complete(intent.id, { status: 'done', changed: attribution.changed, result, at: now() });
    const updating = (async (): Promise<number | undefined> => {
      try {
        if (after !== undefined) return await copy.replaceWith(identityId, after);
        // After an add every found target is listed; after a remove none is.
        const found = targets.filter((t) => !attribution.notFound.includes(t));
        return await copy.applyOwnWrite(identityId, op === 'add' ? { added: found } : { removed: found }, result);
      } catch (error) {
        logger.warn({ err: error, identityId }, 'local watchlist copy not updated after a write');
        await copy.distrust(identityId).catch(() => undefined);
        return result.itemCount;
      }
    })();
    const [entry, itemCount] = await Promise.all([completing, updating]);

    return { op, requested: targets, ...attribution, itemCount, result, entry };
  }

  /** The outcome of a write already journaled as done (a job rerun after its write was applied). */
  function outcomeOf(entry: JournalEntry): WriteOutcome {
    const changedKeys = new Set(entry.targets.map(targetKey));
    const stored = entry.result as Partial<WatchlistWriteResult> | null | undefined;
    const zero = { movies: 0, shows: 0, seasons: 0, episodes: 0 };
    const result: WatchlistWriteResult = {
      changed: stored?.changed ?? zero,
      existing: stored?.existing ?? zero,
      notFound: stored?.notFound ?? [],
      requests: 0,
      items: 0,
      ...(typeof stored?.itemCount === 'number' ? { itemCount: stored.itemCount } : {}),
    };
    return {
      op: entry.kind,
      requested: entry.requested,
      changed: entry.targets,
      unchanged: entry.requested.filter((t) => !changedKeys.has(targetKey(t))),
      notFound: [],
      uncertain: [],
      itemCount: result.itemCount,
      result,
      entry,
    };
  }

  const writer: WatchlistWriter = {
    copy,

    async write(request) {
      const targets = distinctTargets(request.targets);
      // The user's Trakt client (their token) is read while the intent is journaled: two round trips at once.
      const traktFor = deps.trakt.forIdentity(request.identityId);
      // Awaited below; until then its failure must not count as unhandled.
      traktFor.catch(() => undefined);
      let intent: JournalEntry | undefined;
      let attempted = false;
      if (request.jobId !== undefined && request.firstAttempt !== true && journal.forJob !== undefined) {
        const earlier = await journal.forJob(request.jobId);
        if (earlier?.status === 'done') return outcomeOf(earlier);
        if (earlier !== undefined) {
          intent = await journal.reopen?.(earlier.id);
          if (intent?.status === 'done') return outcomeOf(intent);
          attempted = intent !== undefined;
        }
      }
      // Journaled first: a process stopped from here on leaves the intent for the next start.
      intent ??= await journal.begin({
        identityId: request.identityId,
        kind: request.op,
        targets,
        ...(request.undoes === undefined ? {} : { undoes: request.undoes }),
        ...(request.jobId === undefined ? {} : { jobId: request.jobId }),
      });
      let trakt: WriterTrakt;
      try {
        trakt = await traktFor;
      } catch (error) {
        // No client (not linked, the token unreadable): nothing was sent, and the intent says so.
        await journal
          .complete(intent.id, { status: 'failed', changed: [], result: { error: errorName(error) }, at: now() })
          .catch((e: unknown) => logger.error({ err: e, identityId: request.identityId, journalId: intent?.id }, 'could not mark a failed write in the journal'));
        throw error;
      }
      inFlight.add(intent.id);
      try {
        // Trakt answers with counts per kind: with one target of each kind they name it exactly, so
        // only a batch with several of one kind needs to know what was listed before (one Trakt read).
        const before = severalOfOneKind(targets) ? await listedBefore(request.identityId, trakt, targets) : undefined;
        const listedAtConfirm = request.listedAtConfirm === undefined ? undefined : new Set(request.listedAtConfirm);
        return await apply(intent, trakt, before, { attempted, listedAtConfirm });
      } finally {
        inFlight.delete(intent.id);
      }
    },

    async abandonInFlight() {
      const ids = [...inFlight];
      if (ids.length > 0) await journal.abandon(ids, now());
      return ids.length;
    },

    async undo({ identityId, journalId, windowMs }) {
      const at = now();
      const entry = await journal.claimUndo(journalId, identityId, at);
      if (entry === undefined) return { kind: 'not-undoable' };
      if (at.getTime() - entry.createdAt.getTime() > windowMs) {
        await journal.releaseUndo(entry.id);
        return { kind: 'too-late', entry };
      }
      try {
        const write = await writer.write({ identityId, op: entry.kind === 'add' ? 'remove' : 'add', targets: entry.targets, undoes: entry.id });
        return { kind: 'undone', entry, write };
      } catch (error) {
        await journal.releaseUndo(entry.id).catch((e: unknown) => logger.error({ err: e, identityId, journalId }, 'could not give back a failed undo'));
        return { kind: 'failed', entry, error };
      }
    },

    lastUndoable: (identityId, since) => journal.lastUndoable(identityId, since),

    async resumeInterrupted(options) {
      const resumed: ResumedWrite[] = [];
      const before = options?.before ?? startedAt;
      for (const pending of await journal.pendingBefore(before)) {
        const intent = await journal.claimResume(pending.id, now(), before);
        if (intent === undefined) continue;
        const base = { identityId: intent.identityId, op: intent.kind, targets: intent.requested, undoes: intent.undoes };
        try {
          let trakt: WriterTrakt;
          try {
            trakt = await deps.trakt.forIdentity(intent.identityId);
          } catch (error) {
            await journal.complete(intent.id, { status: 'failed', changed: [], result: { error: errorName(error) }, at: now() });
            throw error;
          }
          const before = await listedBefore(intent.identityId, trakt, intent.requested);
          const write = await apply(intent, trakt, before);
          resumed.push({ ...base, outcome: { ok: true, write } });
          logger.info({ identityId: intent.identityId, journalId: intent.id, changed: write.changed.length }, 'interrupted watchlist write applied');
        } catch (error) {
          // An undo that could not be finished gives its entry back, so it can be undone again.
          if (intent.undoes !== null) await journal.releaseUndo(intent.undoes).catch(() => undefined);
          resumed.push({ ...base, outcome: { ok: false, error } });
          logger.warn({ err: error, identityId: intent.identityId, journalId: intent.id }, 'interrupted watchlist write could not be applied');
        }
      }
      return resumed;
    },
  };
  return writer;
}
