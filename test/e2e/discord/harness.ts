import { randomInt } from 'node:crypto';
import { startService, type RunningService } from '../../../src/main.js';
import {
  startDiscordEmulator,
  type DiscordEmulator,
  type DiscordEmulatorOptions,
  type FinalMessage,
  type InteractionHandle,
  type MessageRecord,
  type UserRecord,
} from '../../emulators/discord/index.js';
import { startTraktEmulator, type TraktEmulator, type TraktEmulatorOptions } from '../../emulators/trakt/index.js';
import { captureLogs } from '../../helpers/logs.js';
import { linkChatUser, serviceStorage } from '../../helpers/service-stack.js';

/**
 * The whole service, started in-process with `startService` exactly as production starts it, between
 * the loopback Discord emulator (REST + gateway, driven as users would) and the Trakt emulator, on
 * PGlite (or TEST_DATABASE_URL). Commands are registered to one guild (DISCORD_GUILD_ID).
 */
export const GUILD_ID = '210000000000000001';
export const CHANNEL_ID = '310000000000000001';
export const WAIT = { timeoutMs: 10_000 };
export const EPHEMERAL = 64;

type JsonObject = Record<string, unknown>;

export interface DiscordStack {
  service: RunningService;
  discord: DiscordEmulator;
  trakt: TraktEmulator;
  logs: ReturnType<typeof captureLogs>;
  /** A Discord user (member of the guild), not linked. */
  newUser(name?: string): UserRecord;
  /** A Discord user linked to a fresh Trakt user through emulator-issued tokens (no OAuth dance). */
  linkedUser(options?: { vip?: boolean; watchlistLimit?: number; name?: string }): Promise<{ user: UserRecord; username: string }>;
  /** Runs a slash command in the guild channel (or `channelId`); options by name (a Boolean option's value is true or false). */
  command(user: UserRecord, name: string, options?: Record<string, string | boolean>, channelId?: string): InteractionHandle;
  /** Runs a slash command and waits for its final answer. */
  ask(user: UserRecord, name: string, options?: Record<string, string | boolean>, channelId?: string): Promise<FinalMessage>;
  /** Clicks the button whose label matches, on the message as it is now. */
  click(user: UserRecord, message: MessageRecord, label: string | RegExp): InteractionHandle;
  close(): Promise<void>;
}

export interface DiscordStackOptions {
  trakt?: TraktEmulatorOptions;
  discord?: DiscordEmulatorOptions;
  /** Extra environment (e.g. a DISCORD_API_URL nobody listens on). */
  env?: Record<string, string>;
}

export async function startDiscordStack(options: DiscordStackOptions = {}): Promise<DiscordStack> {
  const trakt = await startTraktEmulator({ deviceIntervalSeconds: 1, catalogSize: 1500, ...options.trakt });
  const discord = await startDiscordEmulator({ heartbeatIntervalMs: 1000, ...options.discord });
  discord.addGuild({ id: GUILD_ID, name: 'Movie Night', channels: [{ id: CHANNEL_ID, name: 'watchlist' }] });
  const storage = await serviceStorage('marquee-discord-e2e');
  const logs = captureLogs('info');
  const env: Record<string, string> = {
    ENV_FILE: '',
    HOST: '127.0.0.1',
    PORT: '0',
    ...storage.env,
    DISCORD_TOKEN: discord.token,
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_API_URL: discord.apiUrl,
    DISCORD_GUILD_ID: GUILD_ID,
    TRAKT_CLIENT_ID: trakt.clientId,
    TRAKT_CLIENT_SECRET: trakt.clientSecret,
    TRAKT_API_URL: trakt.url,
    TRAKT_AUTH_URL: trakt.authUrl,
    LOG_LEVEL: 'info',
    ...options.env,
  };
  const service = await startService({ env, logger: logs.logger });
  const stack: DiscordStack = {
    service,
    discord,
    trakt,
    logs,
    newUser(name = 'tester') {
      const user = discord.addUser({ id: `4${String(randomInt(2 ** 47)).padStart(17, '0')}`, username: `${name}${randomInt(1000)}` });
      discord.addMember(GUILD_ID, user.id);
      return user;
    },
    async linkedUser(opts = {}) {
      const user = stack.newUser(opts.name);
      const { username } = await linkChatUser(service, trakt, { platform: 'discord', userId: user.id }, opts);
      return { user, username };
    },
    command(user, name, opts = {}, channelId = CHANNEL_ID) {
      const inGuild = channelId === CHANNEL_ID;
      return discord.slashCommand({
        user,
        channelId,
        ...(inGuild ? { guildId: GUILD_ID } : {}),
        name,
        options: Object.entries(opts).map(([n, value]) => ({ name: n, value })),
      });
    },
    ask(user, name, opts, channelId) {
      return stack.command(user, name, opts, channelId).waitForFinal(WAIT);
    },
    click(user, message, label) {
      const current = discord.message(message.id) ?? message;
      return discord.clickButton({ user, message: current, customId: buttonId(current, label) });
    },
    async close() {
      // The service (and its discord.js client) goes first, so nothing reconnects to closed emulators.
      await service.stop('test over');
      await Promise.allSettled([discord.close(), trakt.close()]);
      await storage.dispose();
    },
  };
  // The adapter connects in the background: wait for the gateway session and the registered commands.
  await discord.waitForReady(WAIT);
  await until(() => discord.commands(GUILD_ID).length > 0, 'slash commands registered');
  // discord.js is ready once the guilds arrived after READY; the outbox needs that.
  await until(() => logs.text().includes('Discord bot connected'), 'the Discord client ready');
  return stack;
}

export async function until(check: () => boolean, what: string, timeoutMs = WAIT.timeoutMs): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Every component of a message, flattened: buttons and selects. */
export function componentsOf(message: { components: JsonObject[] } | MessageRecord): JsonObject[] {
  return (message.components as JsonObject[]).flatMap((row) => (row.components as JsonObject[] | undefined) ?? []);
}

export function buttonLabels(message: { components: JsonObject[] } | MessageRecord): string[] {
  return componentsOf(message)
    .filter((c) => c.type === 2)
    .map((c) => String(c.label));
}

export function buttonId(message: { components: JsonObject[] } | MessageRecord, label: string | RegExp): string {
  const found = componentsOf(message).find(
    (c) => c.type === 2 && typeof c.custom_id === 'string' && (typeof label === 'string' ? String(c.label).includes(label) : label.test(String(c.label))),
  );
  if (found === undefined) throw new Error(`no button ${String(label)}: ${buttonLabels(message).join(' | ')}`);
  return String(found.custom_id);
}

/**
 * The text of the first embed as a Discord client shows it: escapes undone, bold, italic and code
 * markers gone (a small reading of Discord markdown, enough for what the bot writes).
 */
export function shownText(message: { embeds: JsonObject[] } | MessageRecord): string {
  const embed = message.embeds[0];
  const raw = typeof embed?.description === 'string' ? embed.description : '';
  let shown = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] ?? '';
    const next = raw[i + 1] ?? '';
    if (c === '\\' && /[!-/:-@[-`{-~]/.test(next)) {
      shown += next;
      i += 1;
    } else if (c === '*' && next === '*') {
      i += 1;
    } else if (c !== '_' && c !== '`') {
      shown += c;
    }
  }
  return shown;
}

/** The last revision of a message, once it changed after `since` revisions and settled. */
export async function nextRevision(discord: DiscordEmulator, message: MessageRecord, predicate: (m: MessageRecord) => boolean): Promise<MessageRecord> {
  await until(() => predicate(discord.message(message.id) ?? message), `message ${message.id} to change`);
  return discord.message(message.id) ?? message;
}

export function traktSearches(trakt: TraktEmulator, since = 0): number {
  return trakt.requests.slice(since).filter((r) => r.route.startsWith('GET /search/')).length;
}

export function traktWrites(trakt: TraktEmulator, since = 0): number {
  return trakt.requests.slice(since).filter((r) => r.method === 'POST' && r.path.startsWith('/sync/watchlist')).length;
}
