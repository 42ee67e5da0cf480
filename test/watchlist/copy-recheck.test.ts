import { describe, expect, it } from 'vitest';
import { WatchlistCopy } from '../../src/watchlist/copy.js';
import type { WatchlistCopyState, WatchlistCopyStore } from '../../src/watchlist/ports.js';
import type { WatchlistEntry } from '../../src/domain/media.js';
import { title } from '../bot/fakes.js';

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
/** The event loop's next turn: a check's mark is sent then. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the pre-write recheck', () => {
  it('GIVEN a copy whose activity Trakt confirms THEN state and keys come from one read, then the check is marked', async () => {
    const { store, calls } = recordingStore({ activityAt: at, checkedAt: at, itemCount: 1 }, new Set(['movie:1']));
    const copy = new WatchlistCopy({ store, now: () => new Date(at.getTime() + 1000), freshMs: 30_000 });
    const trakt = { watchlistActivity: async () => new Date(at), watchlistAll: async () => [] };
    expect(await copy.presentAfterRecheck(7, trakt, ['movie:1', 'movie:2'])).toEqual(new Set(['movie:1']));
    // The mark goes on the loop's next turn, behind what the answer needs now.
    expect(calls).toEqual(['stateWithPresent']);
    await nextTurn();
    expect(calls).toEqual(['stateWithPresent', 'markChecked']);
  });

  it('GIVEN a copy Trakt says moved THEN it is replaced by the list read, and the keys are looked up in that list without another read', async () => {
    // The old copy lists movie:1; Trakt's list now holds movie:2 and season 1 of show 9.
    const { store, calls } = recordingStore({ activityAt: at, checkedAt: at, itemCount: 1 }, new Set(['movie:1']));
    const copy = new WatchlistCopy({ store, now: () => new Date(at.getTime() + 1000), freshMs: 30_000 });
    const listed: WatchlistEntry[] = [
      { rank: 1, listedAt: at, type: 'movie', title: title(2, 'Two') },
      { rank: 2, listedAt: at, type: 'season', title: title(9, 'Nine', 'show'), season: 1 },
    ];
    const trakt = { watchlistActivity: async () => new Date(at.getTime() + 5000), watchlistAll: async () => listed };
    expect(await copy.presentAfterRecheck(7, trakt, ['movie:1', 'movie:2', 'season:9:1', 'season:9:2'])).toEqual(new Set(['movie:2', 'season:9:1']));
    expect(calls).toEqual(['stateWithPresent', 'replace']);
  });

  it('GIVEN a copy within its freshness window WHEN a card asks which titles are on it THEN state and keys come from one read and Trakt is not asked', async () => {
    const { store, calls } = recordingStore({ activityAt: at, checkedAt: at, itemCount: 1 }, new Set(['movie:1']));
    const copy = new WatchlistCopy({ store, now: () => new Date(at.getTime() + 1000), freshMs: 30_000 });
    let asked = 0;
    const trakt = { watchlistActivity: async () => (asked++, new Date(at)), watchlistAll: async () => [] };
    const { state, present } = await copy.currentWithPresent(7, trakt, ['movie:1', 'movie:2']);
    expect(present).toEqual(new Set(['movie:1']));
    expect(state).toMatchObject({ itemCount: 1 });
    expect(calls).toEqual(['stateWithPresent']);
    expect(asked).toBe(0);
  });

  it('GIVEN a sync of the user already running WHEN a card asks which titles are on the copy THEN it waits for that sync and reads the keys after it', async () => {
    const { store, calls } = recordingStore(undefined, new Set(['movie:3']));
    const copy = new WatchlistCopy({ store, now: () => at, freshMs: 30_000 });
    const trakt = { watchlistActivity: async () => new Date(at), watchlistAll: async () => [] };
    const running = copy.current(7, trakt);
    const { present } = await copy.currentWithPresent(7, trakt, ['movie:3']);
    await running;
    expect(present).toEqual(new Set(['movie:3']));
    expect(calls.at(-1)).toBe('present');
    expect(calls).not.toContain('stateWithPresent');
  });
});

describe('a read of the copy made alongside its check', () => {
  const read = (calls: string[]) => async () => (calls.push('read'), calls.length);

  it('GIVEN a copy Trakt says is unchanged THEN the read made alongside the check is the answer: asked after the state, made once', async () => {
    const { store, calls } = recordingStore({ activityAt: at, checkedAt: at, itemCount: 1 }, new Set());
    const copy = new WatchlistCopy({ store, now: () => new Date(at.getTime() + 60_000), freshMs: 30_000 });
    let asked = 0;
    const trakt = { watchlistActivity: async () => (asked++, new Date(at)), watchlistAll: async () => [] };
    const { state, value } = await copy.currentWith(7, trakt, read(calls));
    expect(asked).toBe(1);
    expect(calls).toEqual(['state', 'read']);
    await nextTurn();
    expect(calls).toEqual(['state', 'read', 'markChecked']);
    expect(value).toBe(2);
    expect(state).toMatchObject({ itemCount: 1, checkedAt: new Date(at.getTime() + 60_000) });
  });

  it('GIVEN a copy Trakt says moved THEN the copy is replaced and the read is made again after it', async () => {
    const { store, calls } = recordingStore({ activityAt: at, checkedAt: at, itemCount: 1 }, new Set());
    const copy = new WatchlistCopy({ store, now: () => new Date(at.getTime() + 60_000), freshMs: 30_000 });
    const trakt = { watchlistActivity: async () => new Date(at.getTime() + 5000), watchlistAll: async () => [] };
    const { value } = await copy.currentWith(7, trakt, read(calls));
    expect(calls).toEqual(['state', 'read', 'replace', 'read']);
    expect(value).toBe(4);
  });

  it('GIVEN a sync of the user already running THEN the read waits for it', async () => {
    const { store, calls } = recordingStore(undefined, new Set());
    const copy = new WatchlistCopy({ store, now: () => at, freshMs: 30_000 });
    const trakt = { watchlistActivity: async () => new Date(at), watchlistAll: async () => [] };
    const running = copy.current(7, trakt);
    const { value } = await copy.currentWith(7, trakt, read(calls));
    await running;
    expect(calls).toEqual(['state', 'replace', 'read']);
    expect(value).toBe(3);
  });
});
