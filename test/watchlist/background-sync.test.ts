import { describe, expect, it } from 'vitest';
import { runBackgroundSync, syncBudget, SYNC_ACTIVE_MS, type BackgroundSyncDeps } from '../../src/watchlist/background-sync.js';
import { WatchlistCopy } from '../../src/watchlist/copy.js';
import type { WatchlistEntry } from '../../src/domain/media.js';
import type { WatchlistCopyState, WatchlistCopyStore } from '../../src/watchlist/ports.js';

const at = new Date('2026-12-01T10:00:00Z');
const now = new Date(at.getTime() + 60 * 60_000);

/** Users 1..n with a copy matching `at`; those in `moved` have a newer activity on Trakt, with `size` entries. */
function world(n: number, moved: Set<number>, size = 1) {
  const states = new Map<number, WatchlistCopyState>();
  for (let id = 1; id <= n; id += 1) states.set(id, { activityAt: at, checkedAt: at, itemCount: 0 });
  const store: WatchlistCopyStore = {
    state: async (id) => states.get(id),
    replace: async (id, entries, activityAt, when) => (states.set(id, { activityAt, checkedAt: when, itemCount: entries.length }), entries.length),
    markChecked: async () => undefined,
    applyWrite: async () => 0,
    setActivity: async () => undefined,
    present: async () => new Set(),
  };
  const requests: string[] = [];
  const sleeps: number[] = [];
  const asked: Array<{ activeSince: Date; checkedBefore: Date; limit: number }> = [];
  const deps: BackgroundSyncDeps = {
    candidates: async (input) => (asked.push(input), [...states.keys()].slice(0, input.limit)),
    traktFor: async (id) => ({
      watchlistActivity: async () => (requests.push(`${id} last_activities`), moved.has(id) ? now : at),
      watchlistAll: async () => (requests.push(`${id} watchlist`), Array.from({ length: size }, () => ({}) as WatchlistEntry)),
    }),
    copy: new WatchlistCopy({ store, now: () => now, freshMs: 30_000 }),
    now: () => now,
    everyMs: 15 * 60_000,
    perMinute: 60,
    sleep: async (ms) => void sleeps.push(ms),
    logger: { info: () => undefined, warn: () => undefined },
  };
  return { deps, requests, sleeps, asked, states };
}

describe('the background watchlist sync', () => {
  it('GIVEN active users THEN each gets last_activities, and only a moved list is read again; it asks for users seen in the last day, not checked this interval', async () => {
    const { deps, requests, asked } = world(3, new Set([2]));
    const report = await runBackgroundSync(deps);
    expect(requests).toEqual(['1 last_activities', '2 last_activities', '2 watchlist', '3 last_activities']);
    expect(report).toEqual({ checked: 3, refreshed: 1, failed: 0, requests: 4, deferred: 0 });
    expect(asked[0]).toEqual({ activeSince: new Date(now.getTime() - SYNC_ACTIVE_MS), checkedBefore: new Date(now.getTime() - 15 * 60_000), limit: 900 });
  });

  it('GIVEN a pace of 60 requests a minute THEN it waits a second per request sent, and a full read of 600 entries counts 3 pages', async () => {
    const { deps, sleeps } = world(3, new Set([1]), 600);
    const report = await runBackgroundSync(deps);
    expect(report.requests).toBe(1 + 3 + 1 + 1);
    expect(sleeps).toEqual([4000, 1000]); // none after the last user
  });

  it('GIVEN more users than a run may reach THEN it stops at the budget and leaves the rest for the next run', async () => {
    const { deps, requests } = world(10, new Set());
    const small = { ...deps, everyMs: 60_000, perMinute: 4 };
    expect(syncBudget(small.everyMs, small.perMinute)).toBe(4);
    const report = await runBackgroundSync({ ...small, candidates: async () => [1, 2, 3, 4, 5, 6] });
    expect(requests).toHaveLength(4);
    expect(report.deferred).toBe(2);
  });

  it('GIVEN a user whose Trakt call fails THEN the others are still checked', async () => {
    const { deps, requests } = world(2, new Set());
    const failing: BackgroundSyncDeps = { ...deps, traktFor: async (id) => (id === 1 ? Promise.reject(new Error('needs relink')) : deps.traktFor(id)) };
    const report = await runBackgroundSync(failing);
    expect(report.failed).toBe(1);
    expect(requests).toEqual(['2 last_activities']);
  });
});
