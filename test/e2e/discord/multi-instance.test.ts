import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../../src/db/client.js';
import { viewShardTable, type ShardTableView } from '../../../src/db/queries/discord-shards.js';
import { startDiscordEmulator, type DiscordEmulator, type InteractionHandle, type UserRecord } from '../../emulators/discord/index.js';
import { startTraktEmulator, type TraktEmulator } from '../../emulators/trakt/index.js';
import { TEST_DATABASE_URL } from '../../helpers/db.js';
import { spawnService, waitForListening, type ServiceProcess } from '../../helpers/process.js';
import { serviceStorage } from '../../helpers/service-stack.js';

/**
 * Three instances of the service, each its own process (so one can really be killed with SIGKILL or
 * paused with SIGSTOP), with one configuration and one Postgres database, against one Discord
 * emulator that recommends 4 shards. They divide the shards through leases; a guild on each shard
 * runs /help, and every interaction must be answered exactly once: one accepted callback, no second
 * attempt (a second session on the shard would make its instance answer too, and the emulator would
 * record that attempt refused with 40060).
 *
 * Postgres only: PGlite is one process, so instances sharing one database cannot be run on it (and
 * the service on PGlite runs every shard itself, without leases).
 */
const SHARDS = 4;
/** Short leases, so a takeover takes seconds (production default: 30 s). */
const LEASE_MS = 3000;
const WAIT_MS = 30_000;

/** A guild id on shard `shard` of SHARDS: Discord routes by (guild_id >> 22) % num_shards. */
function guildOnShard(shard: number): string {
  return String((BigInt(1000 * SHARDS + shard) << 22n) + 7n);
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(TEST_DATABASE_URL === null)('Discord: three instances on one Postgres divide the gateway shards', () => {
  let discord: DiscordEmulator;
  let trakt: TraktEmulator;
  let storage: Awaited<ReturnType<typeof serviceStorage>>;
  let database: Database;
  let env: Record<string, string>;
  const instances: ServiceProcess[] = [];
  const guilds = Array.from({ length: SHARDS }, (_, shard) => ({ shard, id: guildOnShard(shard), channelId: String(BigInt(guildOnShard(shard)) + 1n) }));
  let user: UserRecord;
  /** Most sessions seen connected at once on each shard, sampled while `sampling` (see the kill test). */
  const mostConnected = Array.from({ length: SHARDS }, () => 0);
  let sampler: NodeJS.Timeout | undefined;

  const pidOf = (owner: string | null): number | null => (owner === null ? null : Number(owner.split(':').at(-2)));
  const alive = () => instances.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
  const view = (): Promise<ShardTableView> => viewShardTable(database.db);

  /** Every shard held by one of `holders`, the share of each at most ceil(4 / holders), one connected session per shard. */
  async function settled(holders: ServiceProcess[]): Promise<boolean> {
    const table = await view();
    const pids = holders.map((p) => p.child.pid);
    const owners = table.shards.map((s) => (s.free ? null : pidOf(s.owner)));
    if (owners.some((pid) => pid === null || !pids.includes(pid))) return false;
    const perHolder = pids.map((pid) => owners.filter((o) => o === pid).length);
    if (Math.max(...perHolder) > Math.ceil(SHARDS / holders.length) || perHolder.some((n) => n === 0)) return false;
    return discord.connectedSessionsByShard(SHARDS).every((n) => n === 1);
  }

  function help(guild: (typeof guilds)[number]): InteractionHandle {
    return discord.slashCommand({ user, channelId: guild.channelId, guildId: guild.id, name: 'help' });
  }

  /** /help in the given guilds; each answered, and answered once. */
  async function answeredOnce(inGuilds: typeof guilds): Promise<InteractionHandle[]> {
    const handles = inGuilds.map(help);
    for (const handle of handles) {
      const final = await handle.waitForFinal({ timeoutMs: WAIT_MS, settleMs: 300 });
      expect(final.embeds.length + final.content.length).toBeGreaterThan(0);
    }
    for (const handle of handles) expect(handle.attempts.map((a) => ({ accepted: a.accepted, code: a.code }))).toEqual([{ accepted: true, code: null }]);
    return handles;
  }

  beforeAll(async () => {
    trakt = await startTraktEmulator({ deviceIntervalSeconds: 1, catalogSize: 200 });
    // A paused process keeps its TCP connections: a long heartbeat timeout keeps its sessions
    // "connected" in the emulator while it is stopped, as Discord would for a while.
    discord = await startDiscordEmulator({ heartbeatIntervalMs: 1000, heartbeatTimeoutMs: 120_000, recommendedShards: SHARDS, maxConcurrency: 16 });
    for (const guild of guilds) discord.addGuild({ id: guild.id, name: `Guild on shard ${guild.shard}`, channels: [{ id: guild.channelId, name: 'watchlist' }] });
    user = discord.addUser({ id: `4${String(randomInt(2 ** 47)).padStart(17, '0')}`, username: 'multi' });
    for (const guild of guilds) discord.addMember(guild.id, user.id);
    storage = await serviceStorage('marquee-discord-multi');
    env = {
      ENV_FILE: '',
      HOST: '127.0.0.1',
      PORT: '0',
      ...storage.env,
      DISCORD_TOKEN: discord.token,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_SHARD_LEASE_MS: String(LEASE_MS),
      TRAKT_CLIENT_ID: trakt.clientId,
      TRAKT_CLIENT_SECRET: trakt.clientSecret,
      TRAKT_API_URL: trakt.url,
      TRAKT_AUTH_URL: trakt.authUrl,
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: '2000',
    };
    for (let i = 0; i < 3; i++) instances.push(spawnService('src/main.ts', env));
    await Promise.all(instances.map((p) => waitForListening(p)));
    database = await createDatabase({ databaseUrl: env.DATABASE_URL ?? null, poolSize: 2 });
  }, 120_000);

  afterAll(async () => {
    if (sampler !== undefined) clearInterval(sampler);
    for (const p of instances) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    }
    await Promise.all(instances.map((p) => p.exited));
    await database?.close();
    await Promise.allSettled([discord?.close(), trakt?.close()]);
    await storage?.dispose();
  }, 60_000);

  it('GIVEN three instances THEN the 4 shards are split among all three, one gateway session each, AND every guild is answered once', async () => {
    await until(() => settled(instances), 'the shards divided among the three instances');
    const table = await view();
    expect(table.shardCount).toBe(SHARDS);
    expect(new Set(table.shards.map((s) => pidOf(s.owner))).size).toBe(3);
    // Sessions are sampled from here on: a shard must never have two connected at once.
    sampler = setInterval(() => {
      discord.connectedSessionsByShard(SHARDS).forEach((n, shard) => {
        mostConnected[shard] = Math.max(mostConnected[shard] ?? 0, n);
      });
    }, 10);
    await answeredOnce(guilds);
    // Every instance registered the same commands (a bulk overwrite: idempotent).
    expect(discord.commands().map((c) => c.name)).toContain('help');
  }, 90_000);

  it('GIVEN an instance killed (SIGKILL, leases not given back) THEN the others take its shards after the lease AND its guilds are answered once again', async () => {
    const table = await view();
    const counts = new Map<number, number>();
    for (const s of table.shards) counts.set(pidOf(s.owner) ?? 0, (counts.get(pidOf(s.owner) ?? 0) ?? 0) + 1);
    const victimPid = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
    const victim = instances.find((p) => p.child.pid === victimPid);
    if (victim === undefined) throw new Error('no instance holds a shard');
    const victimShards = table.shards.filter((s) => pidOf(s.owner) === victimPid).map((s) => s.shardId);
    victim.child.kill('SIGKILL');
    await victim.exited;

    // The leases were not given back: they still name the dead instance until they end.
    expect((await view()).shards.filter((s) => victimShards.includes(s.shardId)).map((s) => pidOf(s.owner))).toEqual(victimShards.map(() => victimPid));
    await until(() => settled(alive()), 'the killed instance\'s shards taken over by the two others');
    await answeredOnce(guilds);
    clearInterval(sampler);
    sampler = undefined;
    expect(mostConnected).toEqual(Array.from({ length: SHARDS }, () => 1));
  }, 90_000);

  it('GIVEN an instance paused past its lease (SIGSTOP) THEN another takes its shards AND after SIGCONT it answers nothing and closes its old sessions itself', async () => {
    const table = await view();
    const [paused, other] = alive();
    if (paused === undefined || other === undefined) throw new Error('two instances expected');
    const pausedShards = table.shards.filter((s) => pidOf(s.owner) === paused.child.pid).map((s) => s.shardId);
    expect(pausedShards.length).toBeGreaterThan(0);
    const pausedSessions = new Set(discord.gatewaySessions.filter((s) => s.connected && pausedShards.includes(s.shard[0])).map((s) => s.id));
    paused.child.kill('SIGSTOP');

    // The other instance takes the shards once the leases end, while the paused process's sessions
    // still look connected (its sockets are open): two sessions on each of these shards for now.
    await until(async () => {
      const now = await view();
      return pausedShards.every((shard) => pidOf(now.shards[shard]?.owner ?? null) === other.child.pid && discord.connectedSessionsByShard(SHARDS)[shard] === 2);
    }, 'the paused instance\'s shards taken over');
    // Both sessions receive these; the paused process cannot answer, the new holder does.
    const during = await answeredOnce(guilds.filter((g) => pausedShards.includes(g.shard)));

    paused.child.kill('SIGCONT');
    // Awake, it finds its holds ended (its own clock): it closes those sessions itself and handles
    // none of the interactions that queued up on its sockets.
    await until(
      () => discord.gatewaySessions.filter((s) => pausedSessions.has(s.id)).every((s) => !s.connected && s.closedBy === 'client'),
      'the woken instance closing its old sessions',
    );
    await until(() => settled(alive()), 'the shards divided between the two instances again');
    await answeredOnce(guilds);
    for (const handle of during) expect(handle.attempts).toHaveLength(1);
    expect(paused.logs.some((l) => l.msg === 'Discord shard lease lost (it ended and another instance took the shard); its connection is closed' || String(l.msg).startsWith('Discord shard lease not renewed in time'))).toBe(true);
  }, 120_000);

  it('GIVEN the instances stopped with SIGTERM THEN every shard is free at once for the next start', async () => {
    const running = alive();
    for (const p of running) p.child.kill('SIGTERM');
    const exits = await Promise.all(running.map((p) => p.exited));
    expect(exits.map((e) => e.code)).toEqual(running.map(() => 0));
    const table = await view();
    expect(table.shards.every((s) => s.free && s.owner === null)).toBe(true);
    expect(table.liveInstances).toEqual([]);
  }, 60_000);
});
