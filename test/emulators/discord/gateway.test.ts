// The gateway at the protocol level, with a bare WebSocket client: opcodes, sequence numbers,
// resume with replay, close codes and compression.

import { afterEach, describe, expect, it } from 'vitest';
import { startDiscordEmulator, type DiscordEmulator, type DiscordEmulatorOptions } from './index.js';
import { RawGatewayClient, type GatewayPayload } from './test-helpers.js';

const GUILD = '220000000000000001';
const CHANNEL = '320000000000000001';
const USER = '420000000000000001';

const emulators: DiscordEmulator[] = [];
const clients: RawGatewayClient[] = [];

async function setup(options: DiscordEmulatorOptions = {}): Promise<DiscordEmulator> {
  const emu = await startDiscordEmulator({ requireRegisteredCommands: false, ...options });
  emulators.push(emu);
  emu.addGuild({ id: GUILD, name: 'G', channels: [{ id: CHANNEL, name: 'general' }] });
  emu.addUser({ id: USER, username: 'alice' });
  return emu;
}

async function connect(url: string): Promise<RawGatewayClient> {
  const client = await RawGatewayClient.connect(url);
  clients.push(client);
  await client.waitFor((p) => p.op === 10);
  return client;
}

async function identified(emu: DiscordEmulator, query = '?v=10&encoding=json'): Promise<{ client: RawGatewayClient; ready: GatewayPayload }> {
  const client = await connect(`${emu.gatewayUrl}${query}`);
  client.identify(emu.token);
  const ready = await client.dispatch('READY');
  return { client, ready };
}

function readyData(p: GatewayPayload): { session_id: string; resume_gateway_url: string } {
  return p.d as { session_id: string; resume_gateway_url: string };
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const e of emulators.splice(0)) await e.close();
});

describe('gateway handshake', () => {
  it('sends HELLO, acks heartbeats, dispatches READY then GUILD_CREATE with sequence numbers', async () => {
    const emu = await setup({ heartbeatIntervalMs: 5000 });
    const client = await connect(`${emu.gatewayUrl}?v=10&encoding=json`);
    expect(client.received[0]).toMatchObject({ op: 10, s: null, t: null, d: { heartbeat_interval: 5000 } });

    client.send({ op: 1, d: null });
    expect(await client.waitFor((p) => p.op === 11)).toEqual({ op: 11, d: null, s: null, t: null });

    client.identify(emu.token, { intents: 1, shard: [0, 1] });
    const ready = await client.dispatch('READY');
    expect(ready.s).toBe(1);
    expect(ready.d).toMatchObject({
      v: 10,
      user: { id: emu.botUserId, bot: true },
      guilds: [{ id: GUILD, unavailable: true }],
      resume_gateway_url: emu.resumeGatewayUrl,
      shard: [0, 1],
      application: { id: emu.applicationId, flags: expect.any(Number) as number },
    });
    expect(typeof readyData(ready).session_id).toBe('string');
    const guild = await client.dispatch('GUILD_CREATE');
    expect(guild.s).toBe(2);
    expect(guild.d).toMatchObject({ id: GUILD, name: 'G', unavailable: false, channels: [{ id: CHANNEL, name: 'general', type: 0 }] });
    expect(emu.identifyCount).toBe(1);
  });

  it('does not send GUILD_CREATE without the GUILDS intent', async () => {
    const emu = await setup();
    const client = await connect(emu.gatewayUrl);
    client.identify(emu.token, { intents: 0 });
    await client.dispatch('READY');
    client.send({ op: 1, d: 1 });
    await client.waitFor((p) => p.op === 11);
    expect(client.received.filter((p) => p.t === 'GUILD_CREATE')).toEqual([]);
  });

  it('asks for a heartbeat with op 1', async () => {
    const emu = await setup();
    const { client } = await identified(emu);
    const from = client.received.length;
    expect(emu.requestHeartbeat()).toBe(1);
    expect(await client.waitFor((p) => p.op === 1, { from })).toMatchObject({ op: 1, d: null });
  });
});

describe('gateway close codes', () => {
  it.each([
    ['bad token', 4004, 'Authentication failed.', (c: RawGatewayClient) => c.identify('not-the-token')],
    ['payload before identify', 4003, 'Not authenticated.', (c: RawGatewayClient) => c.send({ op: 3, d: { status: 'online', afk: false, since: null, activities: [] } })],
    ['unknown opcode', 4001, 'Unknown opcode.', (c: RawGatewayClient) => c.send({ op: 99, d: null })],
    ['invalid JSON', 4002, 'Error while decoding payload.', (c: RawGatewayClient) => c.send('{nope')],
  ])('%s → %i', async (_name, code, reason, act) => {
    const emu = await setup();
    const client = await connect(emu.gatewayUrl);
    act(client);
    expect(await client.closed()).toBe(code);
    expect(client.closeReason).toBe(reason);
  });

  it('invalid shard → 4010, invalid intents → 4013, disallowed intents → 4014', async () => {
    const emu = await setup({ privilegedIntents: 0 });
    const a = await connect(emu.gatewayUrl);
    a.identify(emu.token, { shard: [1, 1] });
    expect(await a.closed()).toBe(4010);
    const b = await connect(emu.gatewayUrl);
    b.identify(emu.token, { intents: 1 << 30 });
    expect(await b.closed()).toBe(4013);
    const c = await connect(emu.gatewayUrl);
    c.identify(emu.token, { intents: 1 | (1 << 15) }); // MESSAGE_CONTENT not enabled for this app
    expect(await c.closed()).toBe(4014);
  });

  it('identifying twice → 4005', async () => {
    const emu = await setup();
    const { client } = await identified(emu);
    client.identify(emu.token);
    expect(await client.closed()).toBe(4005);
  });

  it('unsupported API version → 4012, ETF encoding refused', async () => {
    const emu = await setup();
    const a = await RawGatewayClient.connect(`${emu.gatewayUrl}?v=8&encoding=json`);
    clients.push(a);
    expect(await a.closed()).toBe(4012);
    const b = await RawGatewayClient.connect(`${emu.gatewayUrl}?v=10&encoding=etf`);
    clients.push(b);
    expect(await b.closed()).toBe(4002);
  });

  it('a client that stops heartbeating is closed with 4009 and its session ends', async () => {
    const emu = await setup({ heartbeatIntervalMs: 100, heartbeatTimeoutMs: 250 });
    const { client, ready } = await identified(emu);
    expect(await client.closed()).toBe(4009);
    const again = await connect(emu.resumeGatewayUrl);
    again.send({ op: 6, d: { token: emu.token, session_id: readyData(ready).session_id, seq: ready.s } });
    expect(await again.waitFor((p) => p.op === 9)).toMatchObject({ op: 9, d: false });
  });

  it('more than 120 payloads a minute → 4008', async () => {
    const emu = await setup();
    const client = await connect(emu.gatewayUrl);
    for (let i = 0; i < 121; i++) client.send({ op: 1, d: null });
    expect(await client.closed()).toBe(4008);
  });
});

describe('gateway resume', () => {
  it('replays the dispatches missed while disconnected, then RESUMED', async () => {
    const emu = await setup({ heartbeatIntervalMs: 30_000 });
    const { client, ready } = await identified(emu);
    await client.dispatch('GUILD_CREATE');
    const first = emu.slashCommand({ user: USER, channelId: CHANNEL, name: 'ping', options: [] });
    const seen = await client.dispatch('INTERACTION_CREATE');
    expect(seen.s).toBe(3);
    expect((seen.d as { id: string }).id).toBe(first.id);

    expect(emu.dropConnection()).toBe(1);
    await client.closed();
    const missed = emu.slashCommand({ user: USER, channelId: CHANNEL, name: 'ping' });
    expect(missed.record.deliveredAt).toBeNull();

    const resumed = await connect(`${readyData(ready).resume_gateway_url}?v=10&encoding=json`);
    resumed.send({ op: 6, d: { token: emu.token, session_id: readyData(ready).session_id, seq: 3 } });
    const replay = await resumed.dispatch('INTERACTION_CREATE');
    expect(replay.s).toBe(4);
    expect((replay.d as { id: string }).id).toBe(missed.id);
    const done = await resumed.dispatch('RESUMED');
    expect(done.s).toBe(5);
    expect(missed.record.deliveredAt).not.toBeNull();
    expect(emu.resumeCount).toBe(1);
    expect(emu.identifyCount).toBe(1);
  });

  it('RESUME with a sequence from the future → 4007; with an unknown session → INVALID_SESSION(false)', async () => {
    const emu = await setup();
    const { client, ready } = await identified(emu);
    client.close();
    const a = await connect(emu.resumeGatewayUrl);
    a.send({ op: 6, d: { token: emu.token, session_id: readyData(ready).session_id, seq: 999 } });
    expect(await a.closed()).toBe(4007);
    const b = await connect(emu.resumeGatewayUrl);
    b.send({ op: 6, d: { token: emu.token, session_id: 'nope', seq: 1 } });
    expect(await b.waitFor((p) => p.op === 9)).toMatchObject({ d: false });
  });

  it('a client closing with 1000 ends its session', async () => {
    const emu = await setup();
    const { client, ready } = await identified(emu);
    client.ws.close(1000);
    await client.closed();
    const again = await connect(emu.resumeGatewayUrl);
    again.send({ op: 6, d: { token: emu.token, session_id: readyData(ready).session_id, seq: ready.s } });
    expect(await again.waitFor((p) => p.op === 9)).toMatchObject({ d: false });
  });

  it('op 7 RECONNECT and INVALID_SESSION(true) let the client resume, even on the same connection', async () => {
    const emu = await setup();
    const { client, ready } = await identified(emu);
    const from = client.received.length;
    expect(emu.sendReconnect()).toBe(1);
    expect(await client.waitFor((p) => p.op === 7, { from })).toMatchObject({ op: 7, d: null });

    emu.invalidateSession(true);
    expect(await client.waitFor((p) => p.op === 9, { from })).toMatchObject({ op: 9, d: true });
    client.send({ op: 6, d: { token: emu.token, session_id: readyData(ready).session_id, seq: 2 } });
    await client.dispatch('RESUMED', { from });
    expect(emu.resumeCount).toBe(1);
  });

  it('routes guild events by shard: (guild_id >> 22) % num_shards', async () => {
    const emu = await setup();
    const shard = Number((BigInt(GUILD) >> 22n) % 2n);
    const a = await connect(emu.gatewayUrl);
    a.identify(emu.token, { shard: [shard, 2] });
    expect((await a.dispatch('READY')).d).toMatchObject({ guilds: [{ id: GUILD }] });
    const b = await connect(emu.gatewayUrl);
    b.identify(emu.token, { shard: [1 - shard, 2] });
    expect((await b.dispatch('READY')).d).toMatchObject({ guilds: [] });
    emu.slashCommand({ user: USER, channelId: CHANNEL, name: 'ping' });
    await a.dispatch('INTERACTION_CREATE');
    expect(b.received.some((p) => p.t === 'INTERACTION_CREATE')).toBe(false);
  });
});

describe('gateway compression and extras', () => {
  it('compress=zlib-stream: every payload is a Z_SYNC_FLUSH-terminated chunk of one zlib stream', async () => {
    const emu = await setup();
    const { client, ready } = await identified(emu, '?v=10&encoding=json&compress=zlib-stream');
    expect(client.received[0]?.op).toBe(10);
    expect(client.frames.length).toBeGreaterThanOrEqual(2);
    expect(client.frames.every((f) => f.binary && f.syncFlushed)).toBe(true);
    expect(ready.s).toBe(1);
    await client.dispatch('GUILD_CREATE');
    client.send({ op: 1, d: 2 });
    await client.waitFor((p) => p.op === 11);
  });

  it('identify compress: true → payloads after READY are zlib-deflated binary frames', async () => {
    const emu = await setup();
    const client = await connect(emu.gatewayUrl);
    const binary: boolean[] = [];
    client.ws.on('message', (_data, isBinary) => binary.push(isBinary));
    client.identify(emu.token, { compress: true });
    await client.dispatch('GUILD_CREATE');
    expect(binary.length).toBeGreaterThanOrEqual(2);
    expect(binary.every(Boolean)).toBe(true);
  });

  it('answers REQUEST_GUILD_MEMBERS with GUILD_MEMBERS_CHUNK', async () => {
    const emu = await setup();
    emu.addMember(GUILD, USER, { nick: 'Al' });
    const { client } = await identified(emu);
    client.send({ op: 8, d: { guild_id: GUILD, query: '', limit: 0, nonce: 'n1' } });
    const chunk = await client.dispatch('GUILD_MEMBERS_CHUNK');
    expect(chunk.d).toMatchObject({ guild_id: GUILD, nonce: 'n1', chunk_index: 0, chunk_count: 1 });
    expect((chunk.d as { members: Array<{ user: { id: string } }> }).members.map((m) => m.user.id).sort()).toEqual([emu.botUserId, USER].sort());
  });

  it('MESSAGE_CREATE / MESSAGE_UPDATE go to sessions with GUILD_MESSAGES, never for ephemeral messages', async () => {
    const emu = await setup();
    const withIntent = await connect(emu.gatewayUrl);
    withIntent.identify(emu.token, { intents: 1 | (1 << 9) });
    await withIntent.dispatch('GUILD_CREATE');
    const without = await connect(emu.gatewayUrl);
    without.identify(emu.token, { intents: 1 });
    await without.dispatch('GUILD_CREATE');

    const h = emu.slashCommand({ user: USER, channelId: CHANNEL, name: 'ping' });
    const headers = { 'content-type': 'application/json' };
    await fetch(`${emu.apiUrl}/v10/interactions/${h.id}/${h.token}/callback`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ type: 4, data: { content: 'secret', flags: 64 } }),
    });
    const res = await fetch(`${emu.apiUrl}/v10/channels/${CHANNEL}/messages`, {
      method: 'POST',
      headers: { ...headers, authorization: `Bot ${emu.token}` },
      body: JSON.stringify({ content: 'public' }),
    });
    const { id } = (await res.json()) as { id: string };
    const created = await withIntent.dispatch('MESSAGE_CREATE');
    expect(created.d).toMatchObject({ id, content: 'public', guild_id: GUILD, author: { id: emu.botUserId } });
    await fetch(`${emu.apiUrl}/v10/channels/${CHANNEL}/messages/${id}`, {
      method: 'PATCH',
      headers: { ...headers, authorization: `Bot ${emu.token}` },
      body: JSON.stringify({ content: 'public!' }),
    });
    expect((await withIntent.dispatch('MESSAGE_UPDATE')).d).toMatchObject({ id, content: 'public!' });
    expect(withIntent.received.filter((p) => p.t === 'MESSAGE_CREATE')).toHaveLength(1);
    expect(without.received.some((p) => p.t?.startsWith('MESSAGE_'))).toBe(false);
  });

  it('a guild added while connected arrives as GUILD_CREATE', async () => {
    const emu = await setup();
    const { client } = await identified(emu);
    await client.dispatch('GUILD_CREATE');
    const from = client.received.length;
    emu.addGuild({ id: '220000000000000009', name: 'New', channels: [] });
    expect((await client.dispatch('GUILD_CREATE', { from })).d).toMatchObject({ id: '220000000000000009', name: 'New' });
  });
});
