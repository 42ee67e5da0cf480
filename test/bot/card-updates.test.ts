import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCardUpdater, type CardUpdater } from '../../src/bot/core/card-updates.js';
import type { CoreLogger } from '../../src/bot/core/ports.js';

/**
 * Coalesced edits of one shared card, on a fake clock: what is asserted is how many edits ran, in
 * what order, and what state each one saw, never how long anything took.
 */

const INTERVAL = 1000;

interface Logged {
  level: 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string | undefined;
}

function recordingLogger(): CoreLogger & { lines: Logged[] } {
  const lines: Logged[] = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets queued promise callbacks run (no timers move). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
}

let logger: ReturnType<typeof recordingLogger>;
let updater: CardUpdater;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(1_700_000_000_000);
  logger = recordingLogger();
  updater = createCardUpdater({ intervalMs: INTERVAL, logger, now: () => Date.now() });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('createCardUpdater', () => {
  it('GIVEN a burst of touches THEN one edit at once and one trailing edit that renders the last state', async () => {
    let state = 0;
    const seen: number[] = [];
    const edit = async (): Promise<void> => {
      seen.push(state);
    };
    for (let i = 1; i <= 25; i += 1) {
      state = i;
      updater.touch('card', edit);
      await settle();
    }
    expect(seen).toEqual([1]);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    await updater.idle();
    expect(seen).toEqual([1, 25]);
    // Nothing else was pending.
    await vi.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(seen).toEqual([1, 25]);
  });

  it('GIVEN each touch brings its own edit THEN the trailing edit is the last one given', async () => {
    const ran: string[] = [];
    for (const name of ['a', 'b', 'c', 'd']) updater.touch('card', async () => void ran.push(name));
    await vi.advanceTimersByTimeAsync(INTERVAL);
    await updater.idle();
    expect(ran).toEqual(['a', 'd']);
  });

  it('GIVEN a touch while an edit runs THEN another edit after it (never two at once), seeing the later state', async () => {
    let state = 'first';
    const events: string[] = [];
    let running = 0;
    let overlap = 0;
    const gates: Array<ReturnType<typeof deferred>> = [];
    const edit = async (): Promise<void> => {
      running += 1;
      overlap = Math.max(overlap, running);
      events.push(`start ${state}`);
      const gate = deferred();
      gates.push(gate);
      await gate.promise;
      events.push('end');
      running -= 1;
    };
    updater.touch('card', edit);
    expect(events).toEqual(['start first']);
    // The edit is still running (slow platform) when the next change comes in, long after the interval.
    await vi.advanceTimersByTimeAsync(5 * INTERVAL);
    state = 'second';
    updater.touch('card', edit);
    await vi.advanceTimersByTimeAsync(5 * INTERVAL);
    expect(events).toEqual(['start first']);
    gates[0]?.resolve();
    await settle();
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(events).toEqual(['start first', 'end', 'start second']);
    gates[1]?.resolve();
    await updater.idle();
    expect(events).toEqual(['start first', 'end', 'start second', 'end']);
    expect(overlap).toBe(1);
    expect(gates).toHaveLength(2);
  });

  it('GIVEN an edit that ran just now THEN a touch waits for the rest of the interval, then edits once', async () => {
    const seen: number[] = [];
    let state = 1;
    const edit = async (): Promise<void> => void seen.push(state);
    updater.touch('card', edit);
    await settle();
    await vi.advanceTimersByTimeAsync(INTERVAL / 2);
    state = 2;
    updater.touch('card', edit);
    await vi.advanceTimersByTimeAsync(INTERVAL / 2 - 1);
    expect(seen).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual([1, 2]);
    // Once the interval has passed since the last edit, a touch edits at once again.
    await vi.advanceTimersByTimeAsync(INTERVAL);
    state = 3;
    updater.touch('card', edit);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('GIVEN changes spread over many intervals, with slow edits THEN the last edit renders the last change and edits stay far fewer than changes', async () => {
    let state = 0;
    const seen: number[] = [];
    let running = 0;
    let overlap = 0;
    const edit = async (): Promise<void> => {
      running += 1;
      overlap = Math.max(overlap, running);
      const at = state;
      await new Promise<void>((resolve) => setTimeout(resolve, 300));
      seen.push(at);
      running -= 1;
    };
    for (let i = 1; i <= 200; i += 1) {
      state = i;
      updater.touch('card', edit);
      await vi.advanceTimersByTimeAsync(37);
    }
    await vi.advanceTimersByTimeAsync(5 * INTERVAL);
    await updater.idle();
    expect(seen.at(-1)).toBe(200);
    expect(seen.length).toBeLessThan(20);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(overlap).toBe(1);
  });

  it('GIVEN two cards THEN each is edited on its own schedule', async () => {
    const ran: string[] = [];
    updater.touch('a', async () => void ran.push('a1'));
    updater.touch('b', async () => void ran.push('b1'));
    updater.touch('a', async () => void ran.push('a2'));
    expect(ran).toEqual(['a1', 'b1']);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    await updater.idle();
    expect(ran).toEqual(['a1', 'b1', 'a2']);
  });

  it('GIVEN nothing pending THEN idle() resolves; GIVEN a pending trailing edit THEN only after that edit has finished', async () => {
    await expect(updater.idle()).resolves.toBeUndefined();
    const events: string[] = [];
    const gate = deferred();
    updater.touch('card', async () => void events.push('edit 1'));
    updater.touch('card', async () => {
      events.push('edit 2 start');
      await gate.promise;
      events.push('edit 2 end');
    });
    const idle = updater.idle().then(() => events.push('idle'));
    const idleToo = updater.idle().then(() => events.push('idle too'));
    await settle();
    expect(events).toEqual(['edit 1']);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(events).toEqual(['edit 1', 'edit 2 start']);
    gate.resolve();
    await Promise.all([idle, idleToo]);
    expect(events).toEqual(['edit 1', 'edit 2 start', 'edit 2 end', 'idle', 'idle too']);
    await expect(updater.idle()).resolves.toBeUndefined();
  });

  it('GIVEN idle() while two cards are busy THEN it resolves once both are done', async () => {
    const gateA = deferred();
    const gateB = deferred();
    const events: string[] = [];
    updater.touch('a', async () => {
      await gateA.promise;
      events.push('a');
    });
    updater.touch('b', async () => {
      await gateB.promise;
      events.push('b');
    });
    const idle = updater.idle().then(() => events.push('idle'));
    gateA.resolve();
    await settle();
    expect(events).toEqual(['a']);
    gateB.resolve();
    await idle;
    expect(events).toEqual(['a', 'b', 'idle']);
  });

  it('GIVEN an edit that fails THEN it is logged with the card, and later edits still run', async () => {
    const ran: string[] = [];
    updater.touch('card', async () => {
      ran.push('fails');
      throw new Error('message to edit not found');
    });
    updater.touch('card', async () => void ran.push('after'));
    await vi.advanceTimersByTimeAsync(INTERVAL);
    await updater.idle();
    expect(ran).toEqual(['fails', 'after']);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatchObject({ level: 'warn', obj: { card: 'card', err: expect.objectContaining({ message: 'message to edit not found' }) } });

    await vi.advanceTimersByTimeAsync(INTERVAL);
    updater.touch('card', async () => {
      throw new Error('again');
    });
    await updater.idle();
    updater.touch('card', async () => void ran.push('later'));
    await vi.advanceTimersByTimeAsync(INTERVAL);
    await updater.idle();
    expect(ran).toEqual(['fails', 'after', 'later']);
    expect(logger.lines.map((l) => (l.obj.err as Error).message)).toEqual(['message to edit not found', 'again']);
  });

  it('GIVEN an edit that throws before returning its promise THEN it is logged like a rejection and later edits still run', async () => {
    const ran: string[] = [];
    const throwsAtOnce = (): Promise<void> => {
      throw new Error('synchronous');
    };
    expect(() => updater.touch('card', throwsAtOnce)).not.toThrow();
    updater.touch('card', throwsAtOnce);
    // The trailing edit (run from a timer) throws too: it must not escape as an uncaught exception.
    await vi.advanceTimersByTimeAsync(INTERVAL);
    await updater.idle();
    await vi.advanceTimersByTimeAsync(INTERVAL);
    updater.touch('card', async () => void ran.push('later'));
    await updater.idle();
    expect(ran).toEqual(['later']);
    expect(logger.lines.map((l) => [l.level, l.obj.card, (l.obj.err as Error).message])).toEqual([
      ['warn', 'card', 'synchronous'],
      ['warn', 'card', 'synchronous'],
    ]);
  });

  it('GIVEN a clock that starts at zero THEN a card never edited before is edited at once', async () => {
    let clock = 0;
    const fresh = createCardUpdater({ intervalMs: INTERVAL, logger, now: () => clock });
    const ran: string[] = [];
    fresh.touch('card', async () => void ran.push('first'));
    expect(ran).toEqual(['first']);
    await fresh.idle();
    clock = 10;
    fresh.touch('card', async () => void ran.push('second'));
    expect(ran).toEqual(['first']);
    clock = INTERVAL;
    await vi.advanceTimersByTimeAsync(INTERVAL);
    await fresh.idle();
    expect(ran).toEqual(['first', 'second']);
  });
});
