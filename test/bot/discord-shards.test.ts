import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createShardSupervisor, planShards, type ShardLeases, type ShardSupervisor, type ShardTableView } from '../../src/bot/discord/shards.js';
import { captureLogs } from '../helpers/logs.js';

/**
 * The shard supervisor of the Discord adapter on a lease store kept in memory (a double of our own
 * `ShardLeases`, with the semantics of src/db/queries/discord-shards.ts: lease ends by the store's
 * clock). Timers and the clock are vitest's fake ones, so lease ends are reached by moving the clock.
 */
function memoryLeases(count: number): ShardLeases & { failing: Set<string>; owners(): Array<string | null>; steal(shardId: number, owner: string): void } {
  const shards = Array.from({ length: count }, () => ({ owner: null as string | null, until: 0 }));
  const instances = new Map<string, number>();
  const failing = new Set<string>();
  const check = (id: string) => {
    if (failing.has(id)) throw new Error('database unreachable');
  };
  const free = (s: { owner: string | null; until: number }) => s.owner === null || s.until <= Date.now();
  return {
    failing,
    owners: () => shards.map((s) => (free(s) ? null : s.owner)),
    steal(shardId, owner) {
      const shard = shards[shardId];
      if (shard !== undefined) Object.assign(shard, { owner, until: Date.now() + 60_000 });
    },
    fixShardCount: () => Promise.resolve(count),
    async beat(id, ttlMs) {
      check(id);
      instances.set(id, Date.now() + ttlMs);
    },
    async view(): Promise<ShardTableView> {
      return {
        shardCount: count,
        liveInstances: [...instances].filter(([, until]) => until > Date.now()).map(([id]) => id).sort(),
        shards: shards.map((s, shardId) => ({ shardId, owner: s.owner, free: free(s) })),
      };
    },
    async claim(id, max, leaseMs) {
      check(id);
      const taken: number[] = [];
      shards.forEach((s, shardId) => {
        if (taken.length < max && free(s)) {
          Object.assign(s, { owner: id, until: Date.now() + leaseMs });
          taken.push(shardId);
        }
      });
      return taken;
    },
    async renew(id, leaseMs) {
      check(id);
      return shards.flatMap((s, shardId) => (s.owner === id ? [Object.assign(s, { until: Date.now() + leaseMs }) && shardId] : []));
    },
    async release(id, shardIds) {
      check(id);
      return shards.flatMap((s, shardId) => (s.owner === id && shardIds.includes(shardId) ? [Object.assign(s, { owner: null, until: 0 }) && shardId] : []));
    },
    async leave(id) {
      shards.forEach((s) => {
        if (s.owner === id) Object.assign(s, { owner: null, until: 0 });
      });
      instances.delete(id);
    },
  };
}

const LEASE_MS = 3000;
/** What the supervisor derives from LEASE_MS: renew every third, stop a fifth early, watch every tenth. */
const TICK_MS = 1000;
const MARGIN_MS = 600;

/** A table where `owners[i]` holds shard i (null: free). */
function table(live: string[], owners: Array<string | null>): Pick<ShardTableView, 'liveInstances' | 'shards'> {
  return { liveInstances: [...live].sort(), shards: owners.map((owner, shardId) => ({ shardId, owner, free: owner === null })) };
}
const mineIn = (owners: Array<string | null>, id: string) => owners.flatMap((o, i) => (o === id ? [i] : []));

describe('Discord shard plan (who takes and who gives back)', () => {
  it('GIVEN 4 shards held 2/2 WHEN a third instance joins THEN only one holder gives back one shard, and it goes to the newcomer', () => {
    const owners = ['a', 'a', 'b', 'b'];
    const view = table(['a', 'b', 'c'], owners);
    expect(['a', 'b', 'c'].map((id) => planShards(view, id, mineIn(owners, id), 4))).toEqual([
      { claim: 0, release: [1] },
      { claim: 0, release: [] },
      { claim: 0, release: [] },
    ]);
    const given = ['a', null, 'b', 'b'];
    const next = table(['a', 'b', 'c'], given);
    // The giver does not take its shard back while the newcomer is short; the newcomer takes it.
    expect(['a', 'b', 'c'].map((id) => planShards(next, id, mineIn(given, id), 4))).toEqual([
      { claim: 0, release: [] },
      { claim: 0, release: [] },
      { claim: 1, release: [] },
    ]);
  });

  it('GIVEN shares between floor and ceil (1/2/1, or one shard among three) THEN nobody moves', () => {
    const split = ['a', 'b', 'b', 'c'];
    for (const id of ['a', 'b', 'c']) expect(planShards(table(['a', 'b', 'c'], split), id, mineIn(split, id), 4)).toEqual({ claim: 0, release: [] });
    const one = ['c'];
    for (const id of ['a', 'b', 'c']) expect(planShards(table(['a', 'b', 'c'], one), id, mineIn(one, id), 1)).toEqual({ claim: 0, release: [] });
  });

  it('GIVEN an instance above its fair share THEN it gives back the extra, highest ids first', () => {
    const owners = ['a', 'a', 'a', 'a'];
    expect(planShards(table(['a', 'b'], owners), 'a', [0, 1, 2, 3], 4)).toEqual({ claim: 0, release: [2, 3] });
  });

  it('GIVEN the shards of an instance that died THEN the others take them up to ceil(count / live)', () => {
    const owners = ['a', null, null, 'b'];
    expect(planShards(table(['a', 'b'], owners), 'a', [0], 4)).toEqual({ claim: 1, release: [] });
    expect(planShards(table(['a', 'b'], owners), 'b', [3], 4)).toEqual({ claim: 1, release: [] });
  });
});

describe('Discord shard supervisor', () => {
  const logs = captureLogs('info');
  const events: string[] = [];
  const supervisors: ShardSupervisor[] = [];

  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z'), toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
    events.length = 0;
  });
  afterEach(async () => {
    for (const s of supervisors.splice(0)) await s.stop();
    vi.useRealTimers();
  });

  function supervisor(instanceId: string, leases: ShardLeases | null, shardCount = 4): ShardSupervisor {
    const created = createShardSupervisor({
      instanceId,
      shardCount,
      leases,
      leaseMs: LEASE_MS,
      run: (shardId) => events.push(`${instanceId} run ${shardId}`),
      halt: async (shardId) => {
        events.push(`${instanceId} halt ${shardId}`);
      },
      logger: logs.logger,
      now: () => Date.now(),
    });
    supervisors.push(created);
    return created;
  }

  it('GIVEN no leases (one process) THEN it runs every shard for good AND stops them all at stop', async () => {
    const alone = supervisor('solo', null, 3);
    await alone.start();
    expect(alone.held()).toEqual([0, 1, 2]);
    await vi.advanceTimersByTimeAsync(10 * LEASE_MS);
    expect(alone.holds(2)).toBe(true);
    await alone.stop();
    expect(events).toEqual(['solo run 0', 'solo run 1', 'solo run 2', 'solo halt 0', 'solo halt 1', 'solo halt 2']);
  });

  it('GIVEN one instance holding every shard WHEN a second joins THEN the first closes two connections before giving their leases back AND the second takes them', async () => {
    const leases = memoryLeases(4);
    const a = supervisor('a', leases);
    await a.start();
    expect(a.held()).toEqual([0, 1, 2, 3]);
    const b = supervisor('b', leases);
    await b.start();
    // No shard is free yet: b waits for a to see it.
    expect(b.held()).toEqual([]);
    await vi.advanceTimersByTimeAsync(TICK_MS);
    await vi.advanceTimersByTimeAsync(TICK_MS);
    expect(a.held()).toEqual([0, 1]);
    expect(b.held()).toEqual([2, 3]);
    expect(leases.owners()).toEqual(['a', 'a', 'b', 'b']);
    // Each of shards 2 and 3 was closed by a before b started it.
    for (const shard of [2, 3]) expect(events.indexOf(`a halt ${shard}`)).toBeLessThan(events.indexOf(`b run ${shard}`));
  });

  it('GIVEN renewals failing (database unreachable) THEN its holds end before the leases do, so no one else can have taken the shards yet', async () => {
    const leases = memoryLeases(2);
    const a = supervisor('a', leases, 2);
    await a.start();
    const renewedAt = Date.now();
    leases.failing.add('a');
    // The clock moves without timers firing (a process paused, or its ticks late): past its own
    // margin, the hold is over at once, while the lease in the store still runs.
    vi.setSystemTime(renewedAt + LEASE_MS - MARGIN_MS);
    expect([a.holds(0), a.holds(1)]).toEqual([false, false]);
    expect(leases.owners()).toEqual(['a', 'a']);
    expect(await leases.claim('b', 2, LEASE_MS)).toEqual([]);
    // The watchdog closes the connections; after that the leases end and another instance may take them.
    await vi.advanceTimersByTimeAsync(LEASE_MS / 10);
    expect(events.filter((e) => e.startsWith('a halt')).sort()).toEqual(['a halt 0', 'a halt 1']);
    vi.setSystemTime(renewedAt + LEASE_MS);
    expect(await leases.claim('b', 2, LEASE_MS)).toEqual([0, 1]);
  });

  it('GIVEN a shard taken by another instance THEN the holder closes it at its next renewal', async () => {
    const leases = memoryLeases(2);
    const a = supervisor('a', leases, 2);
    await a.start();
    leases.steal(1, 'intruder');
    await vi.advanceTimersByTimeAsync(TICK_MS);
    expect(a.held()).toEqual([0]);
    expect(events).toContain('a halt 1');
    expect(logs.text()).toContain('Discord shard lease lost');
  });
});
