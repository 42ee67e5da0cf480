import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import {
  beatInstance,
  claimShards,
  fixShardCount,
  leaveShardTable,
  releaseShards,
  renewShards,
  viewShardTable,
} from '../../src/db/queries/discord-shards.js';
import { planShards } from '../../src/bot/discord/shards.js';
import { DRIVER_NAME, throwAwayDatabase, type ThrowAwayDatabase } from '../helpers/db.js';

/**
 * The lease queries behind dividing Discord shards among instances, on a database of their own (the
 * lease table is one per bot). Lease ends are the database's clock; a test lets one pass by waiting
 * for a lease of a few milliseconds rather than by asserting on time.
 */
describe(`Discord shard leases on ${DRIVER_NAME}`, () => {
  let own: ThrowAwayDatabase;
  let database: Database;
  const LONG = 60_000;

  beforeAll(async () => {
    own = await throwAwayDatabase();
    database = await own.open();
    await database.migrate();
  });

  afterAll(async () => {
    await own.drop();
  });

  it('GIVEN no stored count THEN the first proposal fixes it AND a later different one gets the stored count', async () => {
    await database.db.execute(sql`delete from discord_shard_leases`);
    expect(await fixShardCount(database.db, 4)).toBe(4);
    expect(await fixShardCount(database.db, 7)).toBe(4);
    const view = await viewShardTable(database.db);
    expect(view.shardCount).toBe(4);
    expect(view.shards.map((s) => s.shardId)).toEqual([0, 1, 2, 3]);
    expect(view.shards.every((s) => s.free && s.owner === null)).toBe(true);
  });

  it('GIVEN free shards THEN claims take up to the number asked, never a held one, AND renewal keeps only what the instance holds', async () => {
    await database.db.execute(sql`delete from discord_shard_leases`);
    await fixShardCount(database.db, 4);
    expect(await claimShards(database.db, 'a', 2, LONG)).toEqual([0, 1]);
    expect(await claimShards(database.db, 'b', 5, LONG)).toEqual([2, 3]);
    expect(await claimShards(database.db, 'c', 1, LONG)).toEqual([]);
    expect(await renewShards(database.db, 'a', LONG)).toEqual([0, 1]);
    expect(await renewShards(database.db, 'c', LONG)).toEqual([]);
    const view = await viewShardTable(database.db);
    expect(view.shards.map((s) => s.owner)).toEqual(['a', 'a', 'b', 'b']);
    expect(view.shards.some((s) => s.free)).toBe(false);
  });

  it('GIVEN a lease that ended THEN another instance takes the shard AND the old holder learns it at its renewal', async () => {
    await database.db.execute(sql`delete from discord_shard_leases`);
    await fixShardCount(database.db, 2);
    expect(await claimShards(database.db, 'b', 1, LONG)).toEqual([0]);
    expect(await claimShards(database.db, 'a', 1, 5)).toEqual([1]);
    // Shard 1's lease of 5 ms ends; shard 0's does not.
    await sleep(50);
    const view = await viewShardTable(database.db);
    expect(view.shards.map((s) => s.free)).toEqual([false, true]);
    expect(await claimShards(database.db, 'c', 2, LONG)).toEqual([1]);
    expect(await renewShards(database.db, 'a', LONG)).toEqual([]);
    expect(await renewShards(database.db, 'c', LONG)).toEqual([1]);
  });

  it('GIVEN concurrent claims for the same free shards THEN each shard goes to exactly one instance', async () => {
    await database.db.execute(sql`delete from discord_shard_leases`);
    await fixShardCount(database.db, 8);
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((id) => claimShards(database.db, id, 3, LONG)));
    const all = results.flat().sort((x, y) => x - y);
    expect(all).toEqual([...new Set(all)]);
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('GIVEN release and leave THEN the shards are free at once AND only the holder can release', async () => {
    await database.db.execute(sql`delete from discord_shard_leases`);
    await fixShardCount(database.db, 3);
    await claimShards(database.db, 'a', 2, LONG);
    await claimShards(database.db, 'b', 1, LONG);
    expect(await releaseShards(database.db, 'b', [0, 1])).toEqual([]);
    expect(await releaseShards(database.db, 'a', [1])).toEqual([1]);
    await beatInstance(database.db, 'a', LONG);
    await leaveShardTable(database.db, 'a');
    const view = await viewShardTable(database.db);
    expect(view.shards.map((s) => s.free)).toEqual([true, true, false]);
    expect(view.liveInstances).not.toContain('a');
  });

  it('GIVEN heartbeats THEN live instances are those beating AND a newcomer is planned its fair share of what is free', async () => {
    await database.db.execute(sql`delete from discord_gateway_instances`);
    await database.db.execute(sql`delete from discord_shard_leases`);
    await fixShardCount(database.db, 3);
    await beatInstance(database.db, 'i-1', LONG);
    await beatInstance(database.db, 'i-2', LONG);
    await beatInstance(database.db, 'i-3', 5);
    await sleep(50);
    // i-3's heartbeat ended: it no longer counts, and the next beat forgets it.
    await beatInstance(database.db, 'i-1', LONG);
    const view = await viewShardTable(database.db);
    expect(view.liveInstances).toEqual(['i-1', 'i-2']);
    // 3 shards, 2 instances, all free: i-1 takes floor(3 / 2) = 1 while i-2 has none yet, then i-2
    // may take up to ceil(3 / 2) = 2.
    expect(planShards(view, 'i-1', [], 3)).toEqual({ claim: 1, release: [] });
    expect(await claimShards(database.db, 'i-1', 1, LONG)).toEqual([0]);
    const after = await viewShardTable(database.db);
    expect(planShards(after, 'i-2', [], 3)).toEqual({ claim: 2, release: [] });
    expect(await claimShards(database.db, 'i-2', 2, LONG)).toEqual([1, 2]);
    expect(planShards(await viewShardTable(database.db), 'i-1', [0], 3)).toEqual({ claim: 0, release: [] });
  });
});
