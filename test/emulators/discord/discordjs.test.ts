// A real discord.js Client against the emulator: login, commands, interactions, attachments,
// gateway resumes. Proves the emulator speaks the protocols discord.js uses.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ActionRowBuilder,
  ApplicationCommandOptionType,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  Client,
  DiscordAPIError,
  EmbedBuilder,
  Events,
  GatewayIntentBits,
  MessageFlags,
  ModalBuilder,
  REST,
  Routes,
  StringSelectMenuBuilder,
  TextInputStyle,
  type ApplicationCommandDataResolvable,
  type Interaction,
} from 'discord.js';
import { startDiscordEmulator, type DiscordEmulator } from './index.js';
import { makePng } from './test-helpers.js';

const GUILD = '210000000000000001';
const CHANNEL = '310000000000000001';
const OTHER_CHANNEL = '310000000000000002';
const ALICE = '410000000000000001';
const BOB = '410000000000000002';

const COMMANDS: ApplicationCommandDataResolvable[] = [
  {
    name: 'watchlist',
    description: 'Manage your watchlist',
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'add',
        description: 'Add a title',
        options: [
          { type: ApplicationCommandOptionType.String, name: 'title', description: 'Title', required: true, autocomplete: true },
          { type: ApplicationCommandOptionType.Integer, name: 'year', description: 'Year', min_value: 1870 },
        ],
      },
      { type: ApplicationCommandOptionType.Subcommand, name: 'show', description: 'Show it' },
    ],
  },
  { name: 'ping', description: 'Ping' },
];

/** discord.js waits 5 s between identifies; tests that force a re-identify skip that wait. */
const noIdentifyThrottle = { buildIdentifyThrottler: () => ({ waitForIdentify: async (): Promise<void> => undefined }) };

/** Routes each INTERACTION_CREATE to the next handler a test queued and reports its outcome. */
class BotHarness {
  private readonly queue: Array<(i: Interaction) => void> = [];
  readonly unexpected: Interaction[] = [];

  constructor(readonly client: Client) {
    client.on(Events.InteractionCreate, (interaction) => {
      const next = this.queue.shift();
      if (next) next(interaction);
      else this.unexpected.push(interaction);
    });
  }

  /** The next interaction is handled by `fn`; resolves/rejects with what `fn` did. */
  next<T>(fn: (interaction: Interaction) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push((i) => {
        fn(i).then(resolve, reject);
      });
    });
  }
}

async function startClient(emu: DiscordEmulator): Promise<{ client: Client; bot: BotHarness }> {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { api: emu.apiUrl },
    ws: noIdentifyThrottle,
  });
  const bot = new BotHarness(client);
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(emu.token);
  await ready;
  return { client, bot };
}

function apiError(error: unknown): DiscordAPIError {
  expect(error).toBeInstanceOf(DiscordAPIError);
  return error as DiscordAPIError;
}

describe('discord.js Client against the Discord emulator', () => {
  let emu: DiscordEmulator;
  let client: Client;
  let bot: BotHarness;

  beforeAll(async () => {
    emu = await startDiscordEmulator({ heartbeatIntervalMs: 1000 });
    emu.addGuild({
      id: GUILD,
      name: 'Movie Night',
      channels: [
        { id: CHANNEL, name: 'watchlist' },
        { id: OTHER_CHANNEL, name: 'general' },
      ],
    });
    emu.addUser({ id: ALICE, username: 'alice', globalName: 'Alice' });
    emu.addUser({ id: BOB, username: 'bob' });
    ({ client, bot } = await startClient(emu));
    await client.application?.commands.set(COMMANDS);
  });

  afterAll(async () => {
    await client?.destroy();
    await emu?.close();
  });

  it('logs in: READY, GUILD_CREATE, heartbeats', async () => {
    expect(client.user?.id).toBe(emu.botUserId);
    expect(client.application?.id).toBe(emu.applicationId);
    const guild = client.guilds.cache.get(GUILD);
    expect(guild?.name).toBe('Movie Night');
    expect(guild?.channels.cache.get(CHANNEL)?.name).toBe('watchlist');
    expect(emu.identifyCount).toBe(1);
    const first = emu.gatewayConnections[0];
    expect(first?.query).toEqual({ v: '10', encoding: 'json' }); // no zlib-sync → no compress param
    expect(first?.auth).toBe('identify');
    expect(emu.calls.some((c) => c.method === 'GET' && c.path === '/gateway/bot' && c.authorized)).toBe(true);
    const beats = emu.heartbeatCount;
    expect(emu.requestHeartbeat()).toBe(1); // op 1 from the server: discord.js heartbeats at once
    await vi.waitFor(() => expect(emu.heartbeatCount).toBeGreaterThan(beats));
    expect(client.ws.ping).toBeGreaterThanOrEqual(0);
  });

  it('registers global commands (application.commands.set) and guild commands (REST)', async () => {
    const global = emu.commands();
    expect(global.map((c) => c.name).sort()).toEqual(['ping', 'watchlist']);
    expect(global.every((c) => c.application_id === emu.applicationId && typeof c.id === 'string')).toBe(true);

    const rest = new REST({ api: emu.apiUrl }).setToken(emu.token);
    const result = (await rest.put(Routes.applicationGuildCommands(emu.applicationId, GUILD), {
      body: [{ name: 'admin', description: 'Guild only' }],
    })) as Array<{ id: string; guild_id: string }>;
    expect(result[0]?.guild_id).toBe(GUILD);
    expect(emu.commands(GUILD).map((c) => c.name)).toEqual(['admin']);
    const fetched = await client.application?.commands.fetch({ guildId: GUILD });
    expect(fetched?.map((c) => c.name)).toEqual(['admin']);

    // Overwriting keeps the id of a command with the same name.
    const pingId = global.find((c) => c.name === 'ping')?.id;
    await client.application?.commands.set([...COMMANDS.slice(0, 1), { name: 'ping', description: 'Ping again' }]);
    expect(emu.commands().find((c) => c.name === 'ping')?.id).toBe(pingId);
  });

  it('delivers a slash command with subcommand options and records a public reply', async () => {
    const handled = bot.next(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('expected a chat input command');
      const title = i.options.getString('title', true);
      const year = i.options.getInteger('year');
      await i.reply(`${i.options.getSubcommand()}: ${title} (${year ?? '?'}) for ${i.user.username}`);
      return { guildId: i.guildId, channelId: i.channelId, member: i.member?.user.id };
    });
    const h = emu.slashCommand({
      user: ALICE,
      channelId: CHANNEL,
      name: 'watchlist',
      options: [{ name: 'add', options: [{ name: 'title', value: 'Dune' }, { name: 'year', value: 2021 }] }],
    });
    expect(await handled).toEqual({ guildId: GUILD, channelId: CHANNEL, member: ALICE });
    const response = await h.response();
    expect(response.type).toBe(4);
    expect(response.withinDeadline).toBe(true);
    const final = await h.waitForFinal();
    expect(final.content).toBe('add: Dune (2021) for alice');
    expect(final.ephemeral).toBe(false);
    expect(final.message.type).toBe(20);
    expect(final.message.interactionId).toBe(h.id);
    expect(emu.messages(CHANNEL).map((m) => m.id)).toContain(final.message.id);
    expect(h.attempts).toEqual([expect.objectContaining({ accepted: true, status: 204 })]);
  });

  it('records an ephemeral reply with flag 64', async () => {
    const handled = bot.next(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('expected a command');
      await i.reply({ content: 'only you', flags: MessageFlags.Ephemeral });
    });
    const h = emu.slashCommand({ user: BOB, channelId: CHANNEL, name: 'ping' });
    await handled;
    const final = await h.waitForFinal();
    expect(final.ephemeral).toBe(true);
    expect(final.flags & 64).toBe(64);
    expect(final.content).toBe('only you');
  });

  it('deferReply + editReply: the final message is the edit, the history shows the deferral', async () => {
    const handled = bot.next(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('expected a command');
      await i.deferReply({ flags: MessageFlags.Ephemeral });
      await new Promise((r) => setTimeout(r, 20));
      await i.editReply({ content: 'found 3 titles', embeds: [new EmbedBuilder().setTitle('Dune').setDescription('2021')] });
    });
    const h = emu.slashCommand({ user: ALICE, channelId: CHANNEL, name: 'watchlist', options: [{ name: 'show' }] });
    await handled;
    expect((await h.response()).type).toBe(5);
    const final = await h.waitForFinal();
    expect(final.content).toBe('found 3 titles');
    expect(final.embeds[0]).toMatchObject({ type: 'rich', title: 'Dune', description: '2021' });
    expect(final.ephemeral).toBe(true);
    expect(final.flags & 128).toBe(0); // no longer loading
    expect(final.message.history.map((r) => r.cause)).toEqual(['callback 5', 'PATCH @original']);
    expect(final.message.history[0]?.flags).toBe(64 | 128);
  });

  it('first follow-up after a deferral edits the loading message, the next one is a new message', async () => {
    const handled = bot.next(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('expected a command');
      await i.deferReply();
      const first = await i.followUp('first');
      const second = await i.followUp({ content: 'second', flags: MessageFlags.Ephemeral });
      return { first: first.id, second: second.id };
    });
    const h = emu.slashCommand({ user: ALICE, channelId: CHANNEL, name: 'ping' });
    const ids = await handled;
    const final = await h.waitForFinal();
    expect(final.content).toBe('first');
    expect(ids.first).toBe(final.message.id);
    expect(h.followUps.map((m) => [m.id, m.content, m.flags & 64])).toEqual([[ids.second, 'second', 64]]);
  });

  it('button click answered with update() edits the message the button is on', async () => {
    const replied = bot.next(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('expected a command');
      const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder().setCustomId('wl:add:dune').setLabel('Add').setStyle(ButtonStyle.Primary),
        new ButtonBuilder().setCustomId('wl:skip').setLabel('Skip').setStyle(ButtonStyle.Secondary),
      );
      const res = await i.reply({ content: 'Dune (2021)?', components: [row], withResponse: true });
      return res.resource?.message?.id;
    });
    const cmd = emu.slashCommand({ user: ALICE, channelId: CHANNEL, name: 'ping' });
    const messageId = await replied;
    const original = await cmd.waitForFinal();
    expect(messageId).toBe(original.message.id);

    const clicked = bot.next(async (i) => {
      if (!i.isButton()) throw new Error('expected a button');
      await i.update({ content: `added by ${i.user.username}`, components: [] });
      return { customId: i.customId, messageId: i.message.id };
    });
    const click = emu.clickButton({ user: ALICE, message: original.message, customId: 'wl:add:dune' });
    expect(await clicked).toEqual({ customId: 'wl:add:dune', messageId });
    expect(click.payload.type).toBe(3);
    expect(click.payload.data).toEqual({ custom_id: 'wl:add:dune', component_type: 2 });
    const final = await click.waitForFinal();
    expect(final.message.id).toBe(messageId);
    expect(final.content).toBe('added by alice');
    expect(final.components).toEqual([]);
    expect(final.message.history.map((r) => r.cause)).toEqual(['callback 4', 'callback 7']);

    // The driver refuses custom ids the message does not carry (any more).
    expect(() => emu.clickButton({ user: ALICE, message: messageId ?? '', customId: 'wl:skip' })).toThrow(/no component/);
  });

  it('select menu values reach the bot', async () => {
    const replied = bot.next(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('expected a command');
      const menu = new StringSelectMenuBuilder()
        .setCustomId('wl:pick')
        .setMinValues(1)
        .setMaxValues(2)
        .addOptions(
          { label: 'Dune (2021)', value: 'tt1160419' },
          { label: 'Dune: Part Two (2024)', value: 'tt15239678' },
          { label: 'Dune (1984)', value: 'tt0087182' },
        );
      await i.reply({ content: 'Which one?', components: [new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(menu)] });
    });
    const cmd = emu.slashCommand({ user: BOB, channelId: CHANNEL, name: 'ping' });
    await replied;
    const message = (await cmd.waitForFinal()).message;

    const picked = bot.next(async (i) => {
      if (!i.isStringSelectMenu()) throw new Error('expected a string select');
      await i.update({ content: `picked ${i.values.join(', ')}`, components: [] });
      return i.values;
    });
    const select = emu.selectMenu({ user: BOB, message, customId: 'wl:pick', values: ['tt1160419', 'tt0087182'] });
    expect(await picked).toEqual(['tt1160419', 'tt0087182']);
    expect(select.payload.data).toMatchObject({ component_type: 3, values: ['tt1160419', 'tt0087182'] });
    expect((await select.waitForFinal()).content).toBe('picked tt1160419, tt0087182');
    expect(() => emu.selectMenu({ user: BOB, message, customId: 'wl:pick', values: ['nope'] })).toThrow();
  });

  it('deferUpdate() + editReply() edits the component message; showModal() → submission', async () => {
    const replied = bot.next(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('expected a command');
      const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder().setCustomId('wl:refresh').setLabel('Refresh').setStyle(ButtonStyle.Secondary),
        new ButtonBuilder().setCustomId('wl:rate').setLabel('Rate').setStyle(ButtonStyle.Primary),
      );
      await i.reply({ content: 'Watchlist (3)', components: [row] });
    });
    const cmd = emu.slashCommand({ user: ALICE, channelId: CHANNEL, name: 'ping' });
    await replied;
    const message = (await cmd.waitForFinal()).message;

    const refreshed = bot.next(async (i) => {
      if (!i.isButton()) throw new Error('expected a button');
      await i.deferUpdate();
      await i.editReply({ content: 'Watchlist (4)' });
    });
    const refresh = emu.clickButton({ user: ALICE, message, customId: 'wl:refresh' });
    await refreshed;
    expect((await refresh.response()).type).toBe(6);
    const final = await refresh.waitForFinal();
    expect([final.message.id, final.content, final.components.length]).toEqual([message.id, 'Watchlist (4)', 1]);

    const shown = bot.next(async (i) => {
      if (!i.isButton()) throw new Error('expected a button');
      await i.showModal(
        new ModalBuilder()
          .setCustomId('rate:dune')
          .setTitle('Rate Dune')
          .addLabelComponents((label) =>
            label.setLabel('Stars (1-10)').setTextInputComponent((input) => input.setCustomId('stars').setStyle(TextInputStyle.Short)),
          ),
      );
    });
    const rate = emu.clickButton({ user: ALICE, message, customId: 'wl:rate' });
    await shown;
    expect((await rate.response()).type).toBe(9);
    const submitted = bot.next(async (i) => {
      if (!i.isModalSubmit()) throw new Error('expected a modal submission');
      await i.reply({ content: `rated ${i.fields.getTextInputValue('stars')}`, flags: MessageFlags.Ephemeral });
      return i.customId;
    });
    const submit = emu.submitModal({ user: ALICE, interaction: rate, values: { stars: '9' } });
    expect(await submitted).toBe('rate:dune');
    expect((await submit.waitForFinal()).content).toBe('rated 9');
  });

  it('autocomplete: respond() within the deadline delivers the choices', async () => {
    const handled = bot.next(async (i) => {
      if (!i.isAutocomplete()) throw new Error('expected autocomplete');
      const focused = i.options.getFocused(true);
      await i.respond([
        { name: `${focused.value} (2021)`, value: 'tt1160419' },
        { name: `${focused.value}: Part Two`, value: 'tt15239678' },
      ]);
      return focused;
    });
    const h = emu.autocomplete({
      user: ALICE,
      channelId: CHANNEL,
      name: 'watchlist',
      options: [{ name: 'add', options: [{ name: 'title', value: 'Dun', focused: true }] }],
    });
    expect(await handled).toMatchObject({ name: 'title', value: 'Dun' });
    const result = await h.result();
    expect(result.withinDeadline).toBe(true);
    expect(result.choices).toEqual([
      { name: 'Dun (2021)', value: 'tt1160419' },
      { name: 'Dun: Part Two', value: 'tt15239678' },
    ]);
  });

  it('a second acknowledgement is refused with 40060', async () => {
    const handled = bot.next(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('expected a command');
      await i.reply('once');
      // discord.js refuses locally; go around it to see what Discord answers.
      return client.rest
        .post(Routes.interactionCallback(i.id, i.token), { body: { type: 4, data: { content: 'twice' } }, auth: false })
        .then(
          () => null,
          (error: unknown) => error,
        );
    });
    const h = emu.slashCommand({ user: ALICE, channelId: CHANNEL, name: 'ping' });
    const error = apiError(await handled);
    expect(error.status).toBe(400);
    expect(error.code).toBe(40060);
    expect(error.message).toBe('Interaction has already been acknowledged.');
    expect(h.attempts.map((a) => [a.accepted, a.code])).toEqual([
      [true, null],
      [false, 40060],
    ]);
    expect((await h.waitForFinal()).content).toBe('once');
  });

  it('a custom_id over 100 characters is refused with 50035 naming the field; the interaction stays open', async () => {
    const handled = bot.next(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('expected a command');
      const error = await i
        .reply({
          content: 'pick',
          // Raw JSON: the builders would refuse this before it reaches "Discord".
          components: [{ type: 1, components: [{ type: 2, style: 1, label: 'Add', custom_id: 'x'.repeat(101) }] }],
        })
        .then(
          () => null,
          (e: unknown) => e,
        );
      await i.reply({ content: 'fallback', components: [] });
      return error;
    });
    const h = emu.slashCommand({ user: ALICE, channelId: CHANNEL, name: 'ping' });
    const error = apiError(await handled);
    expect(error.status).toBe(400);
    expect(error.code).toBe(50035);
    expect(error.message).toContain('Invalid Form Body');
    expect(error.rawError).toMatchObject({
      code: 50035,
      message: 'Invalid Form Body',
      errors: { data: { components: { 0: { components: { 0: { custom_id: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH' }] } } } } } } },
    });
    expect((await h.waitForFinal()).content).toBe('fallback');
    expect(h.attempts.map((a) => a.code)).toEqual([50035, null]);
  });

  it('embeds with an image attachment go as multipart (payload_json + files[0])', async () => {
    const png = makePng(3, 2);
    const handled = bot.next(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('expected a command');
      const res = await i.reply({
        embeds: [new EmbedBuilder().setTitle('Dune').setImage('attachment://poster.png').setFooter({ text: 'Trakt' })],
        files: [new AttachmentBuilder(png, { name: 'poster.png', description: 'Poster' })],
        withResponse: true,
      });
      return res.resource?.message;
    });
    const h = emu.slashCommand({ user: ALICE, channelId: CHANNEL, name: 'ping' });
    const message = await handled;
    const final = await h.waitForFinal();
    const att = final.message.attachments[0];
    expect(att).toMatchObject({ filename: 'poster.png', description: 'Poster', contentType: 'image/png', width: 3, height: 2, size: png.length });
    expect(final.embeds[0]).toMatchObject({ title: 'Dune', image: { url: att?.url, width: 3, height: 2 }, footer: { text: 'Trakt' } });
    // discord.js parsed the same message from the with_response resource
    expect(message?.attachments.first()?.name).toBe('poster.png');
    expect(message?.embeds[0]?.image?.url).toBe(att?.url);
    const call = emu.calls.find((c) => c.route === '/interactions/:interactionId/:token/callback' && c.path.includes(h.id));
    expect(call?.files).toEqual([{ field: 'files[0]', filename: 'poster.png', contentType: 'image/png' }]);
    expect(call?.body).toMatchObject({ type: 4, data: { attachments: [{ id: '0', description: 'Poster' }] } });
    expect(call?.query).toEqual({ with_response: 'true' });
    // The attachment URL serves the bytes.
    const download = await fetch(att?.url ?? '');
    expect(Buffer.from(await download.arrayBuffer()).equals(png)).toBe(true);
  });

  it('delivers slash commands from DMs (user instead of member)', async () => {
    const handled = bot.next(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('expected a command');
      await i.reply('hi in DM');
      return { guildId: i.guildId, inGuild: i.inGuild(), channelId: i.channelId, user: i.user.id, member: i.member };
    });
    const dm = emu.user(ALICE)?.dmChannelId ?? '';
    const h = emu.slashCommand({ user: ALICE, channelId: dm, name: 'ping' });
    expect(await handled).toEqual({ guildId: null, inGuild: false, channelId: dm, user: ALICE, member: null });
    expect(h.payload).toMatchObject({ context: 1, user: { id: ALICE }, channel: { id: dm, type: 1 } });
    expect((await h.waitForFinal()).message.guildId).toBeNull();
  });

  it('sends and edits channel messages with the bot token', async () => {
    const channel = await client.channels.fetch(OTHER_CHANNEL);
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    const sent = await channel.send({ content: 'Tonight: Dune', embeds: [new EmbedBuilder().setTitle('Dune')] });
    await sent.edit({ content: 'Tonight: Dune (moved to 9pm)' });
    const record = emu.message(sent.id);
    expect(record?.content).toBe('Tonight: Dune (moved to 9pm)');
    expect(record?.history.map((r) => r.content)).toEqual(['Tonight: Dune', 'Tonight: Dune (moved to 9pm)']);
    expect(record?.authorId).toBe(emu.botUserId);
    const tooLong = await channel.send('x'.repeat(2001)).catch((e: unknown) => e);
    expect(apiError(tooLong).code).toBe(50035);
  });

  it('resumes (op 6) after a dropped connection; interactions sent meanwhile are replayed', async () => {
    const identifies = emu.identifyCount;
    const resumed = emu.waitForResume();
    expect(emu.dropConnection()).toBe(1);
    // An interaction created while the bot is offline is buffered and replayed on RESUME.
    const during = bot.next(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('expected a command');
      await i.reply('caught up');
    });
    const h1 = emu.slashCommand({ user: ALICE, channelId: CHANNEL, name: 'ping' });
    await resumed;
    await during;
    expect((await h1.response()).withinDeadline).toBe(true);
    expect(emu.identifyCount).toBe(identifies);
    const last = emu.gatewayConnections[emu.gatewayConnections.length - 1];
    expect(last).toMatchObject({ auth: 'resume', path: '/gateway/resume' });

    // ... and a later interaction arrives on the resumed connection.
    const later = bot.next(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('expected a command');
      await i.reply('still here');
    });
    const h2 = emu.slashCommand({ user: BOB, channelId: CHANNEL, name: 'ping' });
    await later;
    expect((await h2.waitForFinal()).content).toBe('still here');
  });

  it('resumes after a close frame, op 7 RECONNECT and a resumable INVALID_SESSION', async () => {
    const identifies = emu.identifyCount;
    let resumed = emu.waitForResume();
    emu.dropConnection({ code: 4000 });
    await resumed;
    resumed = emu.waitForResume();
    emu.sendReconnect();
    await resumed;
    resumed = emu.waitForResume();
    emu.invalidateSession(true);
    await resumed;
    expect(emu.identifyCount).toBe(identifies);
    const handled = bot.next(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('expected a command');
      await i.reply('ok');
    });
    const h = emu.slashCommand({ user: ALICE, channelId: CHANNEL, name: 'ping' });
    await handled;
    expect((await h.response()).type).toBe(4);
  });

  it('re-identifies when the session cannot be resumed', async () => {
    let identified = emu.waitForIdentify();
    emu.dropConnection({ resumable: false });
    await identified;
    identified = emu.waitForIdentify();
    emu.invalidateSession(false);
    await identified;
    await emu.waitForReady();
    const handled = bot.next(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('expected a command');
      await i.reply('fresh session');
    });
    const h = emu.slashCommand({ user: ALICE, channelId: CHANNEL, name: 'ping' });
    await handled;
    expect((await h.waitForFinal()).content).toBe('fresh session');
  });

  it('client.destroy() closes cleanly and ends the session', async () => {
    expect(bot.unexpected).toEqual([]);
    expect(emu.internalErrors).toEqual([]);
    await client.destroy();
    await vi.waitFor(() => expect(emu.liveConnections).toBe(0));
    const last = emu.gatewayConnections[emu.gatewayConnections.length - 1];
    expect(last).toMatchObject({ closedBy: 'client', closeCode: 1000 });
    expect(() => emu.slashCommand({ user: ALICE, channelId: CHANNEL, name: 'ping' })).toThrow(/no gateway session/);
  });
});

describe('interaction deadlines', () => {
  let emu: DiscordEmulator;
  let client: Client;
  let bot: BotHarness;

  beforeAll(async () => {
    // A short deadline keeps the suite fast; Discord's is 3 s (the default).
    emu = await startDiscordEmulator({ heartbeatIntervalMs: 1000, interactionDeadlineMs: 250 });
    emu.addGuild({ id: GUILD, name: 'G', channels: [{ id: CHANNEL, name: 'c' }] });
    emu.addUser({ id: ALICE, username: 'alice' });
    ({ client, bot } = await startClient(emu));
    await client.application?.commands.set([
      {
        name: 'search',
        description: 'Search',
        options: [{ type: ApplicationCommandOptionType.String, name: 'query', description: 'q', autocomplete: true }],
      },
    ]);
  });

  afterAll(async () => {
    await client?.destroy();
    await emu?.close();
  });

  it('a late autocomplete answer is rejected with 10062 and reported as not within the deadline', async () => {
    const handled = bot.next(async (i) => {
      if (!i.isAutocomplete()) throw new Error('expected autocomplete');
      await emu.interaction(i.id).deadline();
      return i.respond([{ name: 'Too late', value: 'x' }]).then(
        () => null,
        (e: unknown) => e,
      );
    });
    const h = emu.autocomplete({ user: ALICE, channelId: CHANNEL, name: 'search', options: [{ name: 'query', value: 'du', focused: true }] });
    const result = await h.result();
    expect(result).toEqual({ choices: null, withinDeadline: false, elapsedMs: null });
    const error = apiError(await handled);
    expect(error.status).toBe(404);
    expect(error.code).toBe(10062);
    expect(error.message).toBe('Unknown interaction');
    expect(h.attempts).toEqual([expect.objectContaining({ accepted: false, status: 404, code: 10062 })]);
  });

  it('a deferred interaction can be edited after the deadline; editing an unanswered one is 10015', async () => {
    const handled = bot.next(async (i) => {
      if (!i.isAutocomplete()) throw new Error('expected autocomplete');
      // Editing @original before any callback: Discord answers Unknown Webhook.
      const error = await client.rest
        .patch(Routes.webhookMessage(emu.applicationId, i.token), { body: { content: 'x' }, auth: false })
        .then(
          () => null,
          (e: unknown) => e,
        );
      await i.respond([{ name: 'Dune', value: 'dune' }]);
      return error;
    });
    const h = emu.autocomplete({ user: ALICE, channelId: CHANNEL, name: 'search', options: [{ name: 'query', value: 'du', focused: true }] });
    const error = apiError(await handled);
    expect([error.status, error.code, error.message]).toEqual([404, 10015, 'Unknown Webhook']);
    expect((await h.result()).choices).toEqual([{ name: 'Dune', value: 'dune' }]);
  });
});
