// The adapters' chatAdmin (is this user a moderator of this chat?) and keyed options, with the real
// adapters against the emulators and a stand-in core that asks what the group-pick feature will ask.
import { afterEach, describe, expect, it } from 'vitest';
import type { BotCore } from '../../src/bot/core/bot-core.js';
import type { CommandOption } from '../../src/bot/core/handlers.js';
import type { ActionInput, CommandInput, Reply } from '../../src/bot/core/types.js';
import type { PosterSource } from '../../src/bot/core/ports.js';
import { createDiscordAdapter, type DiscordAdapter } from '../../src/bot/discord/discord-bot.js';
import { createTelegramAdapter, type TelegramAdapter } from '../../src/bot/telegram/telegram-bot.js';
import { startDiscordEmulator, type DiscordEmulator } from '../emulators/discord/index.js';
import { startTelegramEmulator, type TelegramEmulator } from '../emulators/telegram/index.js';
import { captureLogs } from '../helpers/logs.js';

const WAIT = { timeoutMs: 10_000 };

/** A core that answers /who with what chatAdmin said (asked twice: the adapter must ask the platform once). */
function standInCore(options: readonly CommandOption[] = []) {
  const commands: CommandInput[] = [];
  const presses: ActionInput[] = [];
  const verdict = async (input: { chatAdmin?: () => Promise<boolean> }): Promise<string> => {
    if (input.chatAdmin === undefined) return 'no chatAdmin';
    const first = await input.chatAdmin();
    const second = await input.chatAdmin();
    return `moderator: ${String(first)}/${String(second)}`;
  };
  const core = {
    commands: [{ name: 'who', description: 'Who moderates here', options }],
    jobKinds: [],
    knows: (name: string) => name === 'who',
    async handleCommand(input: CommandInput): Promise<Reply[]> {
      commands.push(input);
      return [{ text: `${await verdict(input)} args=[${input.args}]`, buttons: [[{ label: 'Check', action: 'v1:check:1' }]] }];
    },
    async pressButton(input: ActionInput) {
      presses.push(input);
      const text = await verdict(input);
      return { ack: { text } };
    },
    async bindMessage() {},
    async autocomplete() {
      return [];
    },
    close() {},
    traktAnswered() {},
  };
  return { core: core as unknown as BotCore, commands, presses };
}

const noPosters = {} as PosterSource;

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT.timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('Telegram: chatAdmin', () => {
  let emu: TelegramEmulator;
  let adapter: TelegramAdapter;
  afterEach(async () => {
    await adapter?.stop();
    await emu?.close();
  });

  it('GIVEN a group with a creator, an administrator and a member WHEN each runs a command or presses THEN getChatMember decides, once per input', async () => {
    emu = await startTelegramEmulator({ defaultWaitMs: WAIT.timeoutMs });
    const logs = captureLogs('info');
    const { core, commands, presses } = standInCore();
    adapter = createTelegramAdapter({ token: emu.token, apiRoot: emu.apiRoot, core, posters: noPosters, logger: logs.logger, pollTimeoutSeconds: 1 });
    await adapter.start();

    const alice = emu.user({ id: 2001, firstName: 'Alice' });
    const bob = emu.user({ id: 2002, firstName: 'Bob' });
    const carol = emu.user({ id: 2003, firstName: 'Carol' });
    const group = emu.group({ id: -1002000000001, title: 'Movie Night', type: 'supergroup', creator: alice });
    emu.addMembers(group, [bob, carol]);
    emu.makeAdmin(group, bob);

    const answers: string[] = [];
    for (const user of [alice, bob, carol]) {
      emu.sendText(user, group, '/who');
      answers.push((await emu.waitForBotMessage(group)).text);
    }
    expect(answers).toEqual(['moderator: true/true args=[]', 'moderator: true/true args=[]', 'moderator: false/false args=[]']);
    // One getChatMember per command, for the one who wrote, though the core asked twice.
    expect(emu.callsOf('getChatMember').map((c) => c.params)).toEqual([alice, bob, carol].map((u) => ({ chat_id: group.id, user_id: u.id })));

    // A press carries it too: Carol presses a button on the card Alice got.
    const card = emu.botMessages(group)[0];
    if (card === undefined) throw new Error('no card');
    const pressed = emu.pressButtonLabeled(carol, group, card.messageId, 'Check');
    expect((await emu.callbackAnswer(pressed)).text).toBe('moderator: false/false');
    expect(presses.at(-1)?.chatAdmin).toBeTypeOf('function');

    // In a private chat there is no such question (and no call).
    emu.privateChat(alice);
    emu.sendText(alice, alice.id, '/who');
    expect((await emu.waitForBotMessage(alice.id)).text).toBe('no chatAdmin args=[]');
    expect(commands.at(-1)?.chatAdmin).toBeUndefined();
    expect(emu.callsOf('getChatMember')).toHaveLength(4);
  });

  it('GIVEN getChatMember fails WHEN asked THEN not a moderator, and a warning without the token', async () => {
    emu = await startTelegramEmulator({ defaultWaitMs: WAIT.timeoutMs });
    const logs = captureLogs('info');
    const { core } = standInCore();
    adapter = createTelegramAdapter({ token: emu.token, apiRoot: emu.apiRoot, core, posters: noPosters, logger: logs.logger, pollTimeoutSeconds: 1 });
    await adapter.start();
    const alice = emu.user({ id: 2001, firstName: 'Alice' });
    const group = emu.group({ id: -1002000000002, title: 'Movie Night', type: 'group', creator: alice });
    emu.failNext('getChatMember', { error_code: 400, description: 'Bad Request: user not found' });
    emu.sendText(alice, group, '/who');
    expect((await emu.waitForBotMessage(group)).text).toBe('moderator: false/false args=[]');
    expect(emu.callsOf('getChatMember')).toHaveLength(1);
    expect(logs.text()).toContain('could not ask Telegram whether the user moderates the chat');
    expect(logs.text()).toContain('user not found');
    expect(logs.text()).not.toContain(emu.token.split(':')[1]);
  });
});

describe('Discord: chatAdmin and keyed options', () => {
  const GUILD = '230000000000000001';
  const CHANNEL = '330000000000000001';
  let emu: DiscordEmulator;
  let adapter: DiscordAdapter;
  afterEach(async () => {
    await adapter?.stop();
    await emu?.close();
  });

  it('GIVEN members with and without Manage Messages WHEN they run a command or press THEN chatAdmin follows their permissions; keyed options arrive as name=value', async () => {
    emu = await startDiscordEmulator({ heartbeatIntervalMs: 1000 });
    emu.addUser({ id: '430000000000000009', username: 'owner' });
    emu.addGuild({ id: GUILD, name: 'Movie Night', ownerId: '430000000000000009', channels: [{ id: CHANNEL, name: 'watchlist' }] });
    const [plain, mod, admin] = emu.addMembers(GUILD, [
      { id: '430000000000000001', username: 'plain' },
      { id: '430000000000000002', username: 'mod' },
      { id: '430000000000000003', username: 'admin' },
    ]).map((m) => m.userId) as [string, string, string];
    emu.grantPermissions(GUILD, mod, ['ManageMessages']);
    emu.grantPermissions(GUILD, admin, ['Administrator']);

    const logs = captureLogs('info');
    const { core, commands } = standInCore([
      { name: 'genre', description: 'A genre', keyed: true },
      { name: 'words', description: 'Words' },
    ]);
    adapter = createDiscordAdapter({ token: emu.token, applicationId: emu.applicationId, apiUrl: emu.apiUrl, guildId: null, core, posters: noPosters, logger: logs.logger });
    await adapter.start();
    await emu.waitForReady(WAIT);
    await until(() => emu.commands().length > 0 && logs.text().includes('Discord bot connected'), 'the bot ready');
    // Registration needs nothing new: keyed options are plain string options.
    expect(emu.commands()[0]).toMatchObject({ name: 'who', options: [{ name: 'genre', type: 3 }, { name: 'words', type: 3 }] });

    const answers: string[] = [];
    for (const user of [plain, mod, admin, '430000000000000009']) {
      const final = await emu
        .slashCommand({ user, channelId: CHANNEL, name: 'who', options: [{ name: 'genre', value: 'science fiction' }, { name: 'words', value: 'dune' }] })
        .waitForFinal(WAIT);
      // The embed's markdown escapes ':' and '['; what the user reads is without the backslashes.
      answers.push(String(final.embeds[0]?.description ?? final.content).replace(/\\/g, ''));
    }
    expect(answers).toEqual(['false', 'true', 'true', 'true'].map((v) => `moderator: ${v}/${v} args=[genre=science fiction dune]`));
    expect(commands.map((c) => c.args)).toEqual(Array(4).fill('genre=science fiction dune'));

    // A press carries it too.
    const card = emu.messages(CHANNEL)[0];
    if (card === undefined) throw new Error('no card');
    const customId = String((card.components[0] as { components: Array<{ custom_id: string }> }).components[0]?.custom_id);
    const click = emu.clickButton({ user: plain, message: card, customId });
    // The core refused with a text: the presser alone sees it (ephemeral), the card stays.
    expect((await click.response()).data).toMatchObject({ content: 'moderator: false/false', flags: 64 });

    // In a DM: no chatAdmin.
    const dm = emu.user(plain)?.dmChannelId ?? '';
    await emu.slashCommand({ user: plain, channelId: dm, name: 'who' }).waitForFinal(WAIT);
    expect(commands.at(-1)?.chatAdmin).toBeUndefined();
  });
});
