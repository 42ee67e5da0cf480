import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../client.js';

/**
 * Leases on Discord gateway shards (`discord_shard_leases`) and the heartbeats of the instances that
 * share them (`discord_gateway_instances`): how N instances on one Postgres divide one bot's shards.
 * One statement each (the first call of `fixShardCount` excepted), every lease time from the
 * database's clock (`now()`), so instances on machines whose clocks differ still agree on who holds
 * what; callers pass durations only.
 *
 * A shard is free when `owner` is null or its lease ended (`expires_at <= now()`); claiming it is one
 * conditional update, so two instances racing for one shard cannot both get it. Renewing needs
 * `owner = me`: a holder whose shard was taken after its lease ended learns it at its next renewal.
 */

export interface ShardLeaseView {
  shardId: number;
  owner: string | null;
  /** True when the shard can be claimed (no owner, or the lease ended). */
  free: boolean;
}

export interface ShardTableView {
  shardCount: number;
  /** Instances whose heartbeat is recent, sorted by id (this one included once it beat). */
  liveInstances: string[];
  shards: ShardLeaseView[];
}

function interval(ms: number) {
  return sql`make_interval(secs => ${Math.max(0, ms) / 1000}::float8)`;
}

/**
 * The shard count all instances use: the one stored, or `proposed` when there is none yet (this is
 * the first instance). Rows for every shard exist afterwards. Shard 0's row holds the count; its
 * insert is the one that decides, so two first instances proposing different counts agree on one.
 */
export async function fixShardCount(db: Db, proposed: number): Promise<number> {
  if (!Number.isInteger(proposed) || proposed < 1) throw new Error(`a shard count must be a whole number from 1: ${proposed}`);
  await db.execute(sql`insert into discord_shard_leases (shard_id, shard_count) values (0, ${proposed}) on conflict (shard_id) do nothing`);
  const stored = rowsOf<{ shard_count: number }>(await db.execute(sql`select shard_count from discord_shard_leases where shard_id = 0`))[0];
  const count = Number(stored?.shard_count ?? proposed);
  await db.execute(sql`
    insert into discord_shard_leases (shard_id, shard_count)
    select g, ${count}::int from generate_series(1, ${count}::int - 1) as g
    on conflict (shard_id) do nothing`);
  return count;
}

/** Records that `instanceId` is alive for `ttlMs` more; forgets instances whose heartbeat ended. */
export async function beatInstance(db: Db, instanceId: string, ttlMs: number): Promise<void> {
  await db.execute(sql`
    insert into discord_gateway_instances (instance_id, expires_at) values (${instanceId}, now() + ${interval(ttlMs)})
    on conflict (instance_id) do update set expires_at = excluded.expires_at`);
  await db.execute(sql`delete from discord_gateway_instances where expires_at <= now() and instance_id <> ${instanceId}`);
}

/** The live instances and every shard's holder, as the database sees them now. */
export async function viewShardTable(db: Db): Promise<ShardTableView> {
  const live = rowsOf<{ instance_id: string }>(
    await db.execute(sql`select instance_id from discord_gateway_instances where expires_at > now() order by instance_id`),
  );
  const shards = rowsOf<{ shard_id: number; shard_count: number; owner: string | null; free: boolean }>(
    await db.execute(sql`
      select shard_id, shard_count, owner, (owner is null or expires_at is null or expires_at <= now()) as free
      from discord_shard_leases order by shard_id`),
  );
  return {
    shardCount: Number(shards[0]?.shard_count ?? 0),
    liveInstances: live.map((r) => r.instance_id),
    shards: shards.map((r) => ({ shardId: Number(r.shard_id), owner: r.owner, free: r.free === true || String(r.free) === 't' })),
  };
}

/**
 * Takes up to `max` free shards (lowest ids first) for `leaseMs`; returns those taken. Rows another
 * transaction is taking at the same moment are skipped rather than waited for.
 */
export async function claimShards(db: Db, instanceId: string, max: number, leaseMs: number): Promise<number[]> {
  if (max <= 0) return [];
  const rows = rowsOf<{ shard_id: number }>(
    await db.execute(sql`
      update discord_shard_leases set owner = ${instanceId}, expires_at = now() + ${interval(leaseMs)},
        generation = generation + 1, updated_at = now()
      where shard_id in (
        select shard_id from discord_shard_leases
        where owner is null or expires_at is null or expires_at <= now()
        order by shard_id limit ${max}
        for update skip locked)
      and (owner is null or expires_at is null or expires_at <= now())
      returning shard_id`),
  );
  return rows.map((r) => Number(r.shard_id)).sort((a, b) => a - b);
}

/** Extends every lease `instanceId` still holds by `leaseMs` from now; returns the shards still held. */
export async function renewShards(db: Db, instanceId: string, leaseMs: number): Promise<number[]> {
  const rows = rowsOf<{ shard_id: number }>(
    await db.execute(sql`
      update discord_shard_leases set expires_at = now() + ${interval(leaseMs)}, updated_at = now()
      where owner = ${instanceId}
      returning shard_id`),
  );
  return rows.map((r) => Number(r.shard_id)).sort((a, b) => a - b);
}

/** Gives shards back (all of the instance's when `shardIds` is left out); only those it holds. */
export async function releaseShards(db: Db, instanceId: string, shardIds?: readonly number[]): Promise<number[]> {
  if (shardIds !== undefined && shardIds.length === 0) return [];
  const only = shardIds === undefined ? sql`` : sql` and shard_id in (${sql.join(shardIds.map((id) => sql`${id}::int`), sql`, `)})`;
  const rows = rowsOf<{ shard_id: number }>(
    await db.execute(sql`
      update discord_shard_leases set owner = null, expires_at = null, updated_at = now()
      where owner = ${instanceId}${only}
      returning shard_id`),
  );
  return rows.map((r) => Number(r.shard_id)).sort((a, b) => a - b);
}

/** The instance leaves: its shards are free at once and it no longer counts among the live instances. */
export async function leaveShardTable(db: Db, instanceId: string): Promise<void> {
  await releaseShards(db, instanceId);
  await db.execute(sql`delete from discord_gateway_instances where instance_id = ${instanceId}`);
}
