import { describe, expect, it } from 'vitest';
import { WatchlistCopy } from '../../src/watchlist/copy.js';
import type { WatchlistCopyState, WatchlistCopyStore } from '../../src/watchlist/ports.js';

/** A copy store that records its calls (a double of our own port). */
function recordingStore(state: WatchlistCopyState | undefined, keys: Set<string>) {
  const calls: string[] = [];
  const store: WatchlistCopyStore = {
    state: async () => (calls.push('state'), state),
    replace: async (_id, entries) => (calls.push('replace'), entries.length),
    markChecked: async () => void calls.push('markChecked'),
    applyWrite: async () => (calls.push('applyWrite'), 0),
    setActivity: async () => void calls.push('setActivity'),
    present: async (_id, asked) => (calls.push('present'), new Set(asked.filter((k) => keys.has(k)))),
    stateWithPresent: async (_id, asked) => (calls.push('stateWithPresent'), { state, present: new Set(asked.filter((k) => keys.has(k))) }),
  };
  return { store, calls };
}

const at = new Date('2026-12-01T10:00:00Z');

describe('the pre-write recheck', () => {
  it('GIVEN a copy whose activity Trakt confirms THEN state and keys come from one read, then the check is marked', async () => {
    const { store, calls } = recordingStore({ activityAt: at, checkedAt: at, itemCount: 1 }, new Set(['movie:1']));
    const copy = new WatchlistCopy({ store, now: () => new Date(at.getTime() + 1000), freshMs: 30_000 });
    const trakt = { watchlistActivity: async () => new Date(at), watchlistAll: async () => [] };
    expect(await copy.presentAfterRecheck(7, trakt, ['movie:1', 'movie:2'])).toEqual(new Set(['movie:1']));
    expect(calls).toEqual(['stateWithPresent', 'markChecked']);
  });

  it('GIVEN a copy Trakt says moved THEN it is replaced and the keys are read again from the new copy', async () => {
    const { store, calls } = recordingStore({ activityAt: at, checkedAt: at, itemCount: 1 }, new Set(['movie:2']));
    const copy = new WatchlistCopy({ store, now: () => new Date(at.getTime() + 1000), freshMs: 30_000 });
    const trakt = { watchlistActivity: async () => new Date(at.getTime() + 5000), watchlistAll: async () => [] };
    expect(await copy.presentAfterRecheck(7, trakt, ['movie:2'])).toEqual(new Set(['movie:2']));
    expect(calls).toEqual(['stateWithPresent', 'replace', 'present']);
  });
});
