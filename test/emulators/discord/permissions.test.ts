// Member permissions: @everyone's for plain members, everything for the owner and administrators,
// granted sets through roles; carried by interactions as discord.js reads them (memberPermissions,
// appPermissions), and driven over the HTTP control routes too.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Events, GatewayIntentBits, PermissionFlagsBits, PermissionsBitField, type Interaction } from 'discord.js';
import { isModerator } from '../../../src/bot/discord/to-core.js';
import { startDiscordEmulator, type DiscordEmulator } from './index.js';
import { ALL_PERMISSION_BITS, EVERYONE_PERMISSION_BITS, Permission, permissionBits } from './permissions.js';

const GUILD = '220000000000000001';
const CHANNEL = '320000000000000001';
const OWNER = '420000000000000001';
const ALICE = '420000000000000002';
const MOD = '420000000000000003';
const ADMIN = '420000000000000004';

const noIdentifyThrottle = { buildIdentifyThrottler: () => ({ waitForIdentify: async (): Promise<void> => undefined }) };

describe('member permissions', () => {
  let emu: DiscordEmulator;
  let client: Client;
  const waiting: Array<(i: Interaction) => void> = [];

  /** Runs /ping as `user` and resolves with the interaction discord.js handed the bot (answered at once). */
  async function ping(user: string): Promise<Interaction> {
    const seen = new Promise<Interaction>((resolve) => waiting.push(resolve));
    const handle = emu.slashCommand({ user, channelId: CHANNEL, name: 'ping' });
    const interaction = await seen;
    if (interaction.isChatInputCommand()) await interaction.reply('pong');
    await handle.response();
    return interaction;
  }

  beforeAll(async () => {
    emu = await startDiscordEmulator({ heartbeatIntervalMs: 1000 });
    emu.addUser({ id: OWNER, username: 'owner' });
    emu.addGuild({ id: GUILD, name: 'Movie Night', ownerId: OWNER, channels: [{ id: CHANNEL, name: 'watchlist' }] });
    for (const [id, username] of [[ALICE, 'alice'], [MOD, 'mod'], [ADMIN, 'admin']] as const) emu.addUser({ id, username });
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: emu.apiUrl }, ws: noIdentifyThrottle });
    client.on(Events.InteractionCreate, (i) => waiting.shift()?.(i));
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    await client.login(emu.token);
    await ready;
    await client.application?.commands.set([{ name: 'ping', description: 'Ping' }], GUILD);
  });

  afterAll(async () => {
    await client?.destroy();
    await emu?.close();
  });

  it('names its bits as discord.js does', () => {
    for (const [name, bit] of Object.entries(Permission)) expect([name, bit]).toEqual([name, PermissionFlagsBits[name as keyof typeof PermissionFlagsBits]]);
    // Owners and administrators get every bit discord.js knows (it compares against its own "All").
    expect(ALL_PERMISSION_BITS).toBe(PermissionsBitField.All);
    expect(permissionBits(['ManageMessages', 'ViewChannel'])).toBe(PermissionFlagsBits.ManageMessages | PermissionFlagsBits.ViewChannel);
    expect(() => permissionBits(['ManageEverything' as 'ManageMessages'])).toThrow(/unknown permission/);
  });

  it("GIVEN a plain member WHEN they run a command THEN the interaction carries @everyone's permissions, no moderation", async () => {
    const interaction = await ping(ALICE);
    const perms = interaction.memberPermissions;
    expect(perms?.bitfield).toBe(EVERYONE_PERMISSION_BITS);
    expect(perms?.has(PermissionFlagsBits.SendMessages)).toBe(true);
    expect(perms?.has(PermissionFlagsBits.UseApplicationCommands)).toBe(true);
    expect(perms?.has(PermissionFlagsBits.ManageMessages)).toBe(false);
    expect(perms?.has(PermissionFlagsBits.Administrator)).toBe(false);
    expect(isModerator(perms)).toBe(false);
    // As Discord sends them: decimal strings of the bitfield.
    const raw = emu.interactions.at(-1)?.payload as { member: { permissions: unknown }; app_permissions: unknown; channel: { permissions: unknown } };
    expect(raw.member.permissions).toBe(EVERYONE_PERMISSION_BITS.toString());
    expect(raw.channel.permissions).toBe(EVERYONE_PERMISSION_BITS.toString());
    expect(typeof raw.app_permissions).toBe('string');
    // The bot's managed role allows everything by default.
    expect(interaction.appPermissions?.has(PermissionFlagsBits.Administrator)).toBe(true);
  });

  it('GIVEN Manage Messages granted WHEN the member runs a command THEN discord.js sees it, and the role reached its cache', async () => {
    const role = emu.grantPermissions(GUILD, MOD, ['ManageMessages']);
    expect(role.name).toBe('Granted: ManageMessages');
    expect(emu.grantPermissions(GUILD, ALICE, ['ManageMessages']).id).toBe(role.id); // one role per set
    emu.addMember(GUILD, ALICE, { roles: [] }); // and taken away again
    const interaction = await ping(MOD);
    expect(interaction.memberPermissions?.has(PermissionFlagsBits.ManageMessages)).toBe(true);
    expect(interaction.memberPermissions?.has(PermissionFlagsBits.Administrator)).toBe(false);
    expect(isModerator(interaction.memberPermissions)).toBe(true);
    expect(client.guilds.cache.get(GUILD)?.roles.cache.get(role.id)?.permissions.has(PermissionFlagsBits.ManageMessages)).toBe(true);
    expect(isModerator((await ping(ALICE)).memberPermissions)).toBe(false);
  });

  it('GIVEN the owner or an Administrator role WHEN they run a command THEN every permission', async () => {
    emu.addRole(GUILD, { id: '520000000000000001', name: 'Admins', permissions: ['Administrator'] });
    emu.addMember(GUILD, ADMIN, { roles: ['520000000000000001'] });
    for (const user of [OWNER, ADMIN]) {
      const perms = (await ping(user)).memberPermissions;
      expect(perms?.bitfield).toBe(PermissionsBitField.All);
      expect(isModerator(perms)).toBe(true);
    }
    expect(emu.memberPermissions(GUILD, ALICE)).toBe(EVERYONE_PERMISSION_BITS.toString());
    expect(emu.memberPermissions(GUILD, '429999999999999999')).toBe('0');
  });

  it('GIVEN a guild whose bot role is limited WHEN a command runs THEN app_permissions are the bot role’s', async () => {
    emu.addGuild({ id: '220000000000000002', name: 'Small', ownerId: OWNER, botPermissions: ['ViewChannel', 'SendMessages', 'EmbedLinks'] });
    emu.addChannel('220000000000000002', { id: '320000000000000002', name: 'general' });
    await client.application?.commands.set([{ name: 'ping', description: 'Ping' }], '220000000000000002');
    const seen = new Promise<Interaction>((resolve) => waiting.push(resolve));
    const handle = emu.slashCommand({ user: ALICE, channelId: '320000000000000002', name: 'ping' });
    const interaction = await seen;
    if (interaction.isChatInputCommand()) await interaction.reply('pong');
    await handle.response();
    expect(interaction.appPermissions?.toArray().sort()).toEqual(
      new PermissionsBitField(EVERYONE_PERMISSION_BITS | PermissionFlagsBits.EmbedLinks).toArray().sort(),
    );
  });

  it('adds many members at once, in process and over HTTP', async () => {
    const many = emu.addMembers(
      GUILD,
      Array.from({ length: 300 }, (_, i) => ({ id: String(430000000000000000n + BigInt(i)), username: `viewer${i}` })),
    );
    expect(many).toHaveLength(300);
    expect(emu.memberPermissions(GUILD, '430000000000000299')).toBe(EVERYONE_PERMISSION_BITS.toString());

    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${emu.baseUrl}/_emulator${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as unknown };
    };
    const added = await post(`/guilds/${GUILD}/members`, { users: [{ id: '440000000000000001', username: 'carol' }, { id: '440000000000000002', username: 'dave' }], userIds: [ALICE] });
    expect(added.status).toBe(201);
    expect((added.body as Array<{ userId: string }>).map((m) => m.userId).sort()).toEqual([ALICE, '440000000000000001', '440000000000000002'].sort());
    const granted = await post(`/guilds/${GUILD}/members/440000000000000001/permissions`, { permissions: ['ManageMessages'] });
    expect(granted).toMatchObject({ status: 201, body: { name: 'Granted: ManageMessages' } });
    const read = await fetch(`${emu.baseUrl}/_emulator/guilds/${GUILD}/members/440000000000000001/permissions`);
    const bits = BigInt(((await read.json()) as { permissions: string }).permissions);
    expect(bits & PermissionFlagsBits.ManageMessages).toBe(PermissionFlagsBits.ManageMessages);
    expect((await post(`/guilds/${GUILD}/members/440000000000000002/permissions`, { permissions: ['Nope'] })).status).toBe(400);
  });
});
