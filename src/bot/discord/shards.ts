import type { Logger } from '../../logger.js';

/**
 * Which Discord gateway shards this instance runs. Alone (the embedded database: one process) it
 * runs every shard. Next to other instances of the same bot on one Postgres it holds some shards
 * through leases (`ShardLeases`, implemented on the database and handed in by main.ts), renews them,
 * takes free or expired ones up to its fair share, gives one back when another is short, and stops
 * a shard's connection before its lease can end, so two instances never answer one shard's
 * interactions.
 *
 * Safety of a lost lease: a lease is renewed by the database's clock (`now() + leaseMs`); this
 * instance counts its own hold from *before* it sent the renewal, minus a margin, on its monotonic
 * clock. So its hold ends, in real time, at least `margin` before the lease ends in the database,
 * where another instance first sees it free: interactions are no longer handled from then on
 * (`holds` is checked for every one), and the connection is closed within a watchdog period. A
 * process paused past its lease (SIGSTOP, a long GC pause, a suspended VM) wakes up holding nothing.
 */

/** The database side of the leases (src/bot/services/discord-shard-leases.ts implements it). */
export interface ShardLeases {
  /** The shard count everyone uses: the stored one, or `proposed` when this is the first instance. */
  fixShardCount(proposed: number): Promise<number>;
  /** This instance is alive for `ttlMs` more (it counts towards everyone's share). */
  beat(instanceId: string, ttlMs: number): Promise<void>;
  view(): Promise<ShardTableView>;
  /** Takes up to `max` free or expired shards; returns those taken. */
  claim(instanceId: string, max: number, leaseMs: number): Promise<number[]>;
  /** Extends the instance's leases; returns the shards it still holds. */
  renew(instanceId: string, leaseMs: number): Promise<number[]>;
  release(instanceId: string, shardIds: readonly number[]): Promise<number[]>;
  /** Frees every shard of the instance and forgets its heartbeat. */
  leave(instanceId: string): Promise<void>;
}

export interface ShardTableView {
  shardCount: number;
  /** Instances whose heartbeat is recent, sorted by id. */
  liveInstances: string[];
  shards: Array<{ shardId: number; owner: string | null; free: boolean }>;
}

/**
 * What `instanceId` does with the shards this round, from the table as the database shows it and the
 * shards it holds (`mine`). With `live` instances, each should hold between floor(count / live) and
 * ceil(count / live), the fair share:
 *
 * - above the fair share: give back the extra (highest ids first);
 * - another live instance below floor (it just joined) and no shard free: the instance holding the
 *   most (the lowest id among equals) gives back one, one per round, so the newcomer gets it and no
 *   two instances give back for one newcomer;
 * - otherwise take free shards up to the fair share, or only up to floor while another instance is
 *   below floor (the free shard is for it; this keeps a giver from taking its own shard back).
 *
 * An instance that holds between floor and ceil stays as it is: a newcomer costs no handover unless
 * it would otherwise stay below floor (one shard and three instances: the holder keeps it).
 */
export function planShards(view: Pick<ShardTableView, 'liveInstances' | 'shards'>, instanceId: string, mine: readonly number[], count: number): { claim: number; release: number[] } {
  const live = view.liveInstances.includes(instanceId) ? view.liveInstances : [...view.liveInstances, instanceId].sort();
  const floor = Math.floor(count / live.length);
  const ceil = Math.ceil(count / live.length);
  const held = new Map<string, number>(live.map((id) => [id, 0]));
  for (const shard of view.shards) {
    if (!shard.free && shard.owner !== null && held.has(shard.owner)) held.set(shard.owner, (held.get(shard.owner) ?? 0) + 1);
  }
  held.set(instanceId, mine.length);
  const sorted = [...mine].sort((a, b) => a - b);
  if (sorted.length > ceil) return { claim: 0, release: sorted.slice(ceil) };
  const someoneShort = live.some((id) => id !== instanceId && (held.get(id) ?? 0) < floor);
  const free = view.shards.filter((s) => s.free).length;
  if (someoneShort && free === 0 && sorted.length > floor) {
    const giver = [...held].filter(([, n]) => n > floor).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))[0]?.[0];
    return { claim: 0, release: giver === instanceId ? sorted.slice(-1) : [] };
  }
  const target = someoneShort ? floor : ceil;
  return { claim: Math.min(free, Math.max(0, target - sorted.length)), release: [] };
}

/** Shard of a guild (Discord's formula); DMs are on shard 0. */
export function shardOfGuild(guildId: string | null, count: number): number {
  if (guildId === null) return 0;
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

export interface ShardSupervisorOptions {
  instanceId: string;
  shardCount: number;
  /** null: this instance is alone and runs every shard. */
  leases: ShardLeases | null;
  /** How long a lease lasts unrenewed (DISCORD_SHARD_LEASE_MS); renewed every third of it. */
  leaseMs: number;
  /** Starts a shard's gateway connection (keeps retrying on its own until `halt`). */
  run(shardId: number): void;
  /** Closes a shard's gateway connection. */
  halt(shardId: number): Promise<void>;
  logger: Logger;
  /** Monotonic milliseconds (performance.now); tests may set it. */
  now?: () => number;
}

export interface ShardSupervisor {
  start(): Promise<void>;
  /** Stops every shard, then gives the leases back (unless `release: false`). */
  stop(): Promise<void>;
  /** True while this instance may act on the shard's events. */
  holds(shardId: number): boolean;
  /** Shards held now, sorted. */
  held(): number[];
}

export function createShardSupervisor(options: ShardSupervisorOptions): ShardSupervisor {
  const { instanceId, shardCount, leases, leaseMs, logger } = options;
  const now = options.now ?? (() => performance.now());
  /** Shard → the monotonic time its hold ends (Infinity alone). */
  const holding = new Map<number, number>();
  const running = new Set<number>();
  const margin = Math.max(100, Math.floor(leaseMs / 5));
  const tickMs = Math.max(100, Math.floor(leaseMs / 3));
  const watchMs = Math.max(50, Math.floor(leaseMs / 10));
  let stopped = false;
  let tickTimer: NodeJS.Timeout | undefined;
  let watchTimer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  let failures = 0;

  const holds = (shardId: number): boolean => {
    const until = holding.get(shardId);
    return !stopped && until !== undefined && now() < until;
  };

  /** Starts connections for shards held and not running; closes those running and not held. */
  async function sync(): Promise<void> {
    const halts: Array<Promise<void>> = [];
    for (const shardId of [...running]) {
      if (holds(shardId)) continue;
      running.delete(shardId);
      halts.push(options.halt(shardId));
    }
    await Promise.allSettled(halts);
    if (stopped) return;
    for (const shardId of [...holding.keys()].sort((a, b) => a - b)) {
      if (running.has(shardId) || !holds(shardId)) continue;
      running.add(shardId);
      options.run(shardId);
    }
  }

  function drop(shardIds: readonly number[], why: string): void {
    if (shardIds.length === 0) return;
    for (const shardId of shardIds) holding.delete(shardId);
    logger.warn({ shards: shardIds, instance: instanceId }, why);
  }

  /** Ends holds whose time is up (renewals failing or late): their connections close now. */
  function watch(): void {
    const lapsed = [...holding].filter(([, until]) => now() >= until).map(([shardId]) => shardId);
    drop(lapsed, 'Discord shard lease not renewed in time; its connection is closed so another instance can take it');
    if (lapsed.length > 0 || [...running].some((shardId) => !holds(shardId))) void sync();
  }

  async function tick(store: ShardLeases): Promise<void> {
    const sent = now();
    await store.beat(instanceId, leaseMs);
    const renewed = new Set(await store.renew(instanceId, leaseMs));
    drop(
      [...holding.keys()].filter((shardId) => !renewed.has(shardId)),
      'Discord shard lease lost (it ended and another instance took the shard); its connection is closed',
    );
    for (const shardId of renewed) holding.set(shardId, sent + leaseMs - margin);
    const view = await store.view();
    const plan = planShards(view, instanceId, [...holding.keys()], shardCount);
    const live = view.liveInstances.length;
    if (plan.release.length > 0) {
      // Each connection is closed before its lease is freed.
      for (const shardId of plan.release) holding.delete(shardId);
      await sync();
      const released = await store.release(instanceId, plan.release);
      logger.info({ shards: released, instance: instanceId, live }, 'Discord shards given back for another instance');
    } else if (plan.claim > 0) {
      const claimSent = now();
      const claimed = await store.claim(instanceId, plan.claim, leaseMs);
      for (const shardId of claimed) holding.set(shardId, claimSent + leaseMs - margin);
      if (claimed.length > 0) logger.info({ shards: claimed, instance: instanceId, live }, 'Discord shards taken');
    }
    await sync();
  }

  function schedule(store: ShardLeases): void {
    if (stopped) return;
    // After failures (the database unreachable), ticks keep their pace: holds lapse on their own.
    tickTimer = setTimeout(() => {
      ticking = tick(store)
        .then(() => {
          failures = 0;
        })
        .catch((error: unknown) => {
          failures += 1;
          logger.warn({ err: error, failures, instance: instanceId }, 'Discord shard leases could not be renewed; retrying');
        })
        .finally(() => schedule(store));
    }, tickMs);
  }

  return {
    async start() {
      if (leases === null) {
        for (let shardId = 0; shardId < shardCount; shardId++) holding.set(shardId, Number.POSITIVE_INFINITY);
        await sync();
        return;
      }
      ticking = tick(leases).catch((error: unknown) => {
        logger.warn({ err: error, instance: instanceId }, 'Discord shard leases could not be read; retrying');
      });
      await ticking;
      schedule(leases);
      watchTimer = setInterval(watch, watchMs);
    },

    async stop() {
      stopped = true;
      clearTimeout(tickTimer);
      clearInterval(watchTimer);
      await ticking?.catch(() => undefined);
      await sync();
      holding.clear();
      if (leases !== null) await leases.leave(instanceId);
    },

    holds,

    held() {
      return [...holding.keys()].filter(holds).sort((a, b) => a - b);
    },
  };
}
