import type { CoreLogger } from './ports.js';

/**
 * Edits of one shared card, coalesced: a card many people act on at once (a group pick's tally) is
 * edited at most once per interval, and the edit renders the state as it is when it is made, so a
 * burst of changes ends in one edit that shows all of them (none is lost to the coalescing). Chat
 * platforms limit edits of one message (Telegram about one a second; Discord 5 in 5 s per channel).
 */
export interface CardUpdater {
  /** Makes `edit` run soon for `key`: now if the card was not edited within the interval, else once the interval is over. */
  touch(key: string, edit: () => Promise<void>): void;
  /** Resolves when no edit is pending or running (tests, shutdown). */
  idle(): Promise<void>;
}

interface KeyState {
  lastAt: number;
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
  /** A change came in while an edit ran: edit again after it. */
  dirty: boolean;
  edit: () => Promise<void>;
}

export function createCardUpdater(options: { intervalMs?: number; logger: CoreLogger; now?: () => number }): CardUpdater {
  const intervalMs = options.intervalMs ?? 1000;
  const now = options.now ?? Date.now;
  const keys = new Map<string, KeyState>();
  const waiting = new Set<() => void>();

  function settleIdle(): void {
    if ([...keys.values()].some((state) => state.timer !== undefined || state.running !== undefined)) return;
    for (const resolve of waiting) resolve();
    waiting.clear();
  }

  function run(key: string, state: KeyState): void {
    state.timer = undefined;
    state.lastAt = now();
    let edited: Promise<void>;
    try {
      edited = state.edit();
    } catch (error) {
      // An edit that throws before returning its promise is a failed edit like any other (not an
      // exception out of touch() or, worse, out of a timer).
      edited = Promise.reject(error as Error);
    }
    state.running = edited
      .catch((error: unknown) => options.logger.warn({ err: error, card: key }, 'a shared card could not be updated'))
      .finally(() => {
        state.running = undefined;
        if (state.dirty) {
          state.dirty = false;
          schedule(key, state);
        } else {
          settleIdle();
        }
      });
  }

  function schedule(key: string, state: KeyState): void {
    if (state.running !== undefined) {
      state.dirty = true;
      return;
    }
    if (state.timer !== undefined) return;
    const wait = state.lastAt + intervalMs - now();
    if (wait <= 0) {
      run(key, state);
      return;
    }
    state.timer = setTimeout(() => run(key, state), wait);
    state.timer.unref();
  }

  return {
    touch(key, edit) {
      if (keys.size > 256) {
        // Cards not edited for a while need no memory of their last edit.
        for (const [k, s] of keys) if (s.timer === undefined && s.running === undefined && now() - s.lastAt > 60_000) keys.delete(k);
      }
      let state = keys.get(key);
      if (state === undefined) {
        // Never edited: the first touch edits at once, whatever the clock's origin.
        state = { lastAt: Number.NEGATIVE_INFINITY, timer: undefined, running: undefined, dirty: false, edit };
        keys.set(key, state);
      }
      state.edit = edit;
      schedule(key, state);
    },
    idle() {
      if ([...keys.values()].every((state) => state.timer === undefined && state.running === undefined)) return Promise.resolve();
      return new Promise((resolve) => waiting.add(resolve));
    },
  };
}
