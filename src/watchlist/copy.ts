import type { WatchlistEntry, WatchlistWriteResult } from '../domain/media.js';
import { entryKey, type Target } from '../domain/target.js';
import type { WatchlistCopyState, WatchlistCopyStore, WriterTrakt } from './ports.js';

/**
 * Keeps the local watchlist copy current at the lowest cost in Trakt calls (REFERENCE §10): the copy is
 * trusted for a short while after a check; after that, one `last_activities` call says whether the
 * watchlist moved, and only then is it read again in full. Our own writes are applied to the copy
 * directly, and trusted only when Trakt's item count after the write agrees with ours.
 */
export interface WatchlistCopyDeps {
  store: WatchlistCopyStore;
  now(): Date;
  /** The copy is trusted without asking Trakt for this long after a check. */
  freshMs: number;
}

/** Which of `keys` a list read from Trakt holds (what the copy holds once it is replaced by that list). */
function listedAmong(entries: readonly WatchlistEntry[], keys: readonly string[]): Set<string> {
  const asked = new Set(keys);
  const present = new Set<string>();
  for (const entry of entries) {
    const key = entryKey(entry);
    if (key !== undefined && asked.has(key)) present.add(key);
  }
  return present;
}

export class WatchlistCopy {
  private readonly syncing = new Map<number, Promise<WatchlistCopyState>>();

  constructor(private readonly deps: WatchlistCopyDeps) {}

  /**
   * The copy's state after making sure it is current. Single-flight per user; the sync keeps going
   * when a caller stops waiting, so the next one finds it done. `recheck` asks Trakt's
   * last_activities even within the freshness window.
   */
  current(identityId: number, trakt: Pick<WriterTrakt, 'watchlistActivity' | 'watchlistAll'>, options: { recheck?: boolean } = {}): Promise<WatchlistCopyState> {
    const running = this.syncing.get(identityId);
    if (running !== undefined) return running;
    const work = this.sync(identityId, trakt, options.recheck === true).finally(() => this.syncing.delete(identityId));
    this.syncing.set(identityId, work);
    return work;
  }

  /**
   * `current` with `recheck`, then which of `keys` are on the copy. The state and the keys are read in
   * one round trip when the store can; the keys are read again only when the copy was replaced.
   */
  async presentAfterRecheck(identityId: number, trakt: Pick<WriterTrakt, 'watchlistActivity' | 'watchlistAll'>, keys: string[]): Promise<Set<string>> {
    return (await this.currentWithPresent(identityId, trakt, keys, { recheck: true })).present;
  }

  /**
   * `current`, and which of `keys` are on the copy it leaves: when no sync of this user is running,
   * the copy's state and the keys are read in one round trip (when the store can), and the keys are
   * read again only if the copy was replaced.
   */
  async currentWithPresent(
    identityId: number,
    trakt: Pick<WriterTrakt, 'watchlistActivity' | 'watchlistAll'>,
    keys: string[],
    options: { recheck?: boolean } = {},
  ): Promise<{ state: WatchlistCopyState; present: Set<string> }> {
    const { store } = this.deps;
    const recheck = options.recheck === true;
    const read = store.stateWithPresent;
    if (read === undefined || this.syncing.has(identityId)) {
      const state = await this.current(identityId, trakt, { recheck });
      return { state, present: await store.present(identityId, keys) };
    }
    let present: Set<string> | undefined;
    const work = (async () => {
      const before = await read.call(store, identityId, keys);
      const outcome = await this.syncFrom(before.state, identityId, trakt, recheck);
      // A replaced copy is the list just read from Trakt: the keys are looked up there, not read again.
      present = outcome.entries === undefined ? before.present : listedAmong(outcome.entries, keys);
      return outcome.state;
    })().finally(() => this.syncing.delete(identityId));
    this.syncing.set(identityId, work);
    const state = await work;
    return { state, present: present ?? (await store.present(identityId, keys)) };
  }

  /**
   * `current`, with a read of the copy (`read`) made alongside the check instead of after it: the
   * read's answer is kept when the check left the copy as it was, and the read is made again when the
   * check replaced the copy (or another sync of this user was running and may have).
   */
  async currentWith<T>(
    identityId: number,
    trakt: Pick<WriterTrakt, 'watchlistActivity' | 'watchlistAll'>,
    read: () => Promise<T>,
    options: { recheck?: boolean } = {},
  ): Promise<{ state: WatchlistCopyState; value: T }> {
    if (this.syncing.has(identityId)) {
      const state = await this.current(identityId, trakt, options);
      return { state, value: await read() };
    }
    // The state is asked first: the check (and its Trakt call) waits on it, the read does not.
    const before = this.deps.store.state(identityId);
    const early = read();
    // Settled either way: a read the check makes stale may fail unobserved.
    early.catch(() => undefined);
    let replaced = false;
    const work = (async () => {
      const outcome = await this.syncFrom(await before, identityId, trakt, options.recheck === true);
      replaced = outcome.entries !== undefined;
      return outcome.state;
    })().finally(() => this.syncing.delete(identityId));
    this.syncing.set(identityId, work);
    const state = await work;
    return { state, value: replaced ? await read() : await early };
  }

  private async sync(identityId: number, trakt: Pick<WriterTrakt, 'watchlistActivity' | 'watchlistAll'>, recheck: boolean): Promise<WatchlistCopyState> {
    const state = await this.deps.store.state(identityId);
    return (await this.syncFrom(state, identityId, trakt, recheck)).state;
  }

  private async syncFrom(
    state: WatchlistCopyState | undefined,
    identityId: number,
    trakt: Pick<WriterTrakt, 'watchlistActivity' | 'watchlistAll'>,
    recheck: boolean,
  ): Promise<{ state: WatchlistCopyState; entries?: WatchlistEntry[] }> {
    const { store } = this.deps;
    const now = this.deps.now();
    if (!recheck && state !== undefined && state.activityAt !== null && now.getTime() - state.checkedAt.getTime() < this.deps.freshMs) {
      return { state };
    }
    const activity = await trakt.watchlistActivity();
    if (state !== undefined && state.activityAt !== null && activity !== null && activity.getTime() === state.activityAt.getTime()) {
      // Not waited for: the answer does not depend on it, and a mark that fails only makes the next
      // command ask Trakt again sooner. Sent on the loop's next turn, behind the statements the answer
      // needs now (its buttons), which the embedded database would otherwise run after it.
      setImmediate(() => {
        store.markChecked(identityId, now).catch(() => undefined);
      });
      return { state: { ...state, checkedAt: now } };
    }
    const entries = await trakt.watchlistAll();
    const itemCount = await store.replace(identityId, entries, activity, now);
    return { state: { activityAt: activity, checkedAt: now, itemCount }, entries };
  }

  /** After our own write: apply it locally, and keep trusting the copy only if Trakt's count agrees. */
  async applyOwnWrite(identityId: number, change: { added?: Target[]; removed?: Target[] }, result: WatchlistWriteResult): Promise<number | undefined> {
    const { store } = this.deps;
    const both = (change.added?.length ?? 0) > 0 && (change.removed?.length ?? 0) > 0;
    if (store.applyOwnWrite !== undefined && !both) {
      // One round trip: applied only to a trusted copy, which stays trusted when the counts agree.
      const trust = result.itemCount !== undefined && result.updatedAt !== undefined ? { itemCount: result.itemCount, updatedAt: result.updatedAt } : null;
      const count = await store.applyOwnWrite(identityId, { ...change, listedAt: this.deps.now() }, trust);
      return result.itemCount ?? count;
    }
    const state = await store.state(identityId);
    if (state === undefined || state.activityAt === null) return result.itemCount;
    const count = await store.applyWrite(identityId, { ...change, listedAt: this.deps.now() });
    const trusted = result.itemCount !== undefined && result.updatedAt !== undefined && count === result.itemCount;
    await store.setActivity(identityId, trusted ? (result.updatedAt ?? null) : null);
    return result.itemCount ?? count;
  }

  /** After a full read made for another reason: the copy is that list; the next check re-reads activity. */
  async replaceWith(identityId: number, entries: WatchlistEntry[]): Promise<number> {
    return this.deps.store.replace(identityId, entries, null, this.deps.now());
  }

  /** The copy can no longer be trusted: the next check reads the whole watchlist again. */
  async distrust(identityId: number): Promise<void> {
    await this.deps.store.setActivity(identityId, null);
  }
}
