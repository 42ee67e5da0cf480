import type { Db } from '../../db/client.js';
import {
  beatInstance,
  claimShards,
  fixShardCount,
  leaveShardTable,
  releaseShards,
  renewShards,
  viewShardTable,
  type ShardTableView,
} from '../../db/queries/discord-shards.js';

/**
 * The Discord adapter's shard leases (`ShardLeases` of src/bot/discord/shards.ts) over
 * src/db/queries/discord-shards.ts. Nothing is imported from the adapter: the object satisfies its
 * interface structurally, checked where main.ts hands it over.
 */
export function createDiscordShardLeases(db: Db) {
  return {
    fixShardCount: (proposed: number): Promise<number> => fixShardCount(db, proposed),
    beat: (instanceId: string, ttlMs: number): Promise<void> => beatInstance(db, instanceId, ttlMs),
    view: (): Promise<ShardTableView> => viewShardTable(db),
    claim: (instanceId: string, max: number, leaseMs: number): Promise<number[]> => claimShards(db, instanceId, max, leaseMs),
    renew: (instanceId: string, leaseMs: number): Promise<number[]> => renewShards(db, instanceId, leaseMs),
    release: (instanceId: string, shardIds: readonly number[]): Promise<number[]> => releaseShards(db, instanceId, shardIds),
    leave: (instanceId: string): Promise<void> => leaveShardTable(db, instanceId),
  };
}
