import type { CoreContext } from './context.js';
import type { Target, TraktUserPort, WatchlistCopyState, WatchlistWriteResult } from './ports.js';

/**
 * Keeps the local watchlist copy current at the lowest cost in Trakt calls (REFERENCE §10): the copy is
 * trusted for a short while after a check; after that, one `last_activities` call says whether the
 * watchlist moved, and only then is it read again in full. Our own writes are applied to the copy
 * directly, and trusted only when Trakt's item count after the write agrees with ours.
 */
export class WatchlistCopy {
  private readonly syncing = new Map<number, Promise<WatchlistCopyState>>();

  /**
   * The copy's state after making sure it is current. Single-flight per user. `recheck` asks Trakt's
   * last_activities even within the freshness window (commands do; button presses rely on the window).
   */
  current(ctx: CoreContext, trakt: TraktUserPort, options: { recheck?: boolean } = {}): Promise<WatchlistCopyState> {
    const running = this.syncing.get(ctx.identityId);
    if (running !== undefined) return ctx.patiently(running);
    const work = this.sync(ctx, trakt, options.recheck === true).finally(() => this.syncing.delete(ctx.identityId));
    this.syncing.set(ctx.identityId, work);
    // Past the user's patience the sync keeps going, so the next command finds it done.
    return ctx.patiently(work);
  }

  private async sync(ctx: CoreContext, trakt: TraktUserPort, recheck: boolean): Promise<WatchlistCopyState> {
    const store = ctx.deps.watchlists;
    const state = await store.state(ctx.identityId);
    const now = ctx.now();
    if (!recheck && state !== undefined && state.activityAt !== null && now.getTime() - state.checkedAt.getTime() < ctx.options.watchlistFreshMs) {
      return state;
    }
    const activity = await trakt.watchlistActivity();
    if (state !== undefined && state.activityAt !== null && activity !== null && activity.getTime() === state.activityAt.getTime()) {
      await store.markChecked(ctx.identityId, now);
      return { ...state, checkedAt: now };
    }
    const entries = await trakt.watchlistAll();
    const itemCount = await store.replace(ctx.identityId, entries, activity, now);
    return { activityAt: activity, checkedAt: now, itemCount };
  }

  /** After our own write: apply it locally, and keep trusting the copy only if Trakt's count agrees. */
  async applyOwnWrite(
    ctx: CoreContext,
    change: { added?: Target[]; removed?: Target[] },
    result: WatchlistWriteResult,
  ): Promise<number | undefined> {
    const store = ctx.deps.watchlists;
    const state = await store.state(ctx.identityId);
    if (state === undefined || state.activityAt === null) return result.itemCount;
    const count = await store.applyWrite(ctx.identityId, { ...change, listedAt: ctx.now() });
    const trusted = result.itemCount !== undefined && result.updatedAt !== undefined && count === result.itemCount;
    await store.setActivity(ctx.identityId, trusted ? (result.updatedAt ?? null) : null);
    return result.itemCount ?? count;
  }
}
