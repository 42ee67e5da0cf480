import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { generateKeyBase64 } from '../../../src/db/crypto.js';
import { upsertChatIdentity } from '../../../src/db/queries/identities.js';
import { saveTraktLink } from '../../../src/db/queries/trakt-links.js';
import { startService, type RunningService } from '../../../src/main.js';
import { startTelegramEmulator, type ChatMessageState, type TelegramEmulator, type TelegramEmulatorOptions, type User } from '../../emulators/telegram/index.js';
import { startTraktEmulator, type TraktEmulator, type TraktEmulatorOptions } from '../../emulators/trakt/index.js';
import { TEST_DATABASE_URL, throwAwayDatabase, type ThrowAwayDatabase } from '../../helpers/db.js';
import { captureLogs } from '../../helpers/logs.js';

/**
 * The whole service, started in-process with `startService` exactly as production starts it, between
 * a loopback Telegram Bot API emulator and a Trakt emulator, on PGlite (or TEST_DATABASE_URL).
 */
export interface Stack {
  service: RunningService;
  telegram: TelegramEmulator;
  trakt: TraktEmulator;
  logs: ReturnType<typeof captureLogs>;
  /** A Telegram user with a private chat, not linked. */
  newUser(name?: string): User;
  /** A Telegram user linked to a fresh Trakt user through emulator-issued tokens (no OAuth dance). */
  linkedUser(options?: { vip?: boolean; watchlistLimit?: number; name?: string }): Promise<{ user: User; username: string }>;
  /** Sends text in a chat and resolves with the next bot message there. */
  ask(user: User, chat: number, text: string, predicate?: (m: ChatMessageState) => boolean): Promise<ChatMessageState>;
  /** Presses the button whose label matches and waits for the message to reach a state. */
  press(user: User, chat: number, message: ChatMessageState, label: string | RegExp): Promise<string>;
  close(): Promise<void>;
}

export interface StackOptions {
  trakt?: TraktEmulatorOptions;
  telegram?: TelegramEmulatorOptions;
  /** Webhook mode: PUBLIC_URL and TELEGRAM_WEBHOOK_SECRET are set. */
  webhook?: { secret: string };
}

export const WAIT = { timeoutMs: 10_000 };

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const trakt = await startTraktEmulator({ deviceIntervalSeconds: 1, catalogSize: 1500, ...options.trakt });
  const telegram = await startTelegramEmulator({ defaultWaitMs: WAIT.timeoutMs, ...options.telegram });
  // PGlite on a memory-backed directory when there is one: migrations write many small files.
  const dataDir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'marquee-e2e-'));
  const logs = captureLogs('info');
  const port = options.webhook ? await freePort() : 0;
  const env: Record<string, string> = {
    ENV_FILE: '',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    TRAKT_CLIENT_ID: trakt.clientId,
    TRAKT_CLIENT_SECRET: trakt.clientSecret,
    TRAKT_API_URL: trakt.url,
    TRAKT_AUTH_URL: trakt.authUrl,
    LOG_LEVEL: 'info',
    // The emulator's webhook client keeps sockets alive; past this the service closes them.
    SHUTDOWN_GRACE_MS: '1000',
  };
  // On Postgres each stack gets a database of its own: device-code links are polled from the database,
  // and a neighbour's service (another emulator, another key) must not poll this stack's attempts.
  let ownDatabase: ThrowAwayDatabase | undefined;
  if (TEST_DATABASE_URL !== null) {
    ownDatabase = await throwAwayDatabase();
    env.DATABASE_URL = ownDatabase.url ?? TEST_DATABASE_URL;
    env.TOKEN_ENCRYPTION_KEY = generateKeyBase64();
  }
  if (options.webhook) {
    env.PUBLIC_URL = `http://127.0.0.1:${port}`;
    env.TELEGRAM_WEBHOOK_SECRET = options.webhook.secret;
  }
  const service = await startService({ env, logger: logs.logger });
  // The adapter connects in the background: wait until it polls (or has set its webhook).
  if (options.webhook) await telegram.waitForCall('setWebhook', WAIT);
  else await telegram.waitForPoll(WAIT);

  const users: User[] = [];
  const stack: Stack = {
    service,
    telegram,
    trakt,
    logs,
    newUser(name = 'Tester') {
      const user = telegram.user({ id: randomInt(10_000, 2 ** 40), firstName: name, languageCode: 'en' });
      telegram.privateChat(user);
      users.push(user);
      return user;
    },
    async linkedUser(opts = {}) {
      const user = stack.newUser(opts.name);
      const username = `u${randomInt(1, 2 ** 40).toString(36)}`;
      const traktUser = trakt.addUser({ username, vip: opts.vip ?? false, ...(opts.watchlistLimit === undefined ? {} : { watchlistLimit: opts.watchlistLimit }) });
      const identity = await upsertChatIdentity(service.database.db, { platform: 'telegram', platformUserId: String(user.id) });
      const issued = trakt.issueTokens(username);
      const createdAt = new Date(issued.created_at * 1000);
      await saveTraktLink(
        service.database.db,
        service.keyRing,
        identity.id,
        { username: traktUser.username, slug: traktUser.slug, uuid: traktUser.uuid, vip: traktUser.vip, watchlistLimit: traktUser.watchlistLimit },
        { accessToken: issued.access_token, refreshToken: issued.refresh_token, createdAt, expiresAt: new Date(createdAt.getTime() + issued.expires_in * 1000) },
      );
      return { user, username };
    },
    async ask(user, chat, text, predicate) {
      telegram.sendText(user, chat, text);
      return telegram.waitForBotMessage(chat, predicate, WAIT);
    },
    async press(user, chat, message, label) {
      const current = telegram.message(chat, message.messageId) ?? message;
      const data = buttonData(current, label);
      return telegram.pressButton(user, chat, message.messageId, data);
    },
    async close() {
      await service.stop('test over');
      await Promise.allSettled([telegram.close(), trakt.close()]);
      await ownDatabase?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Every button of a message as `label → callback_data` (URL buttons map to their URL). */
export function buttonsOf(message: ChatMessageState): Array<{ label: string; data?: string; url?: string }> {
  const markup = message.replyMarkup as { inline_keyboard?: Array<Array<{ text: string; callback_data?: string; url?: string }>> } | undefined;
  return (markup?.inline_keyboard ?? []).flat().map((b) => ({ label: b.text, ...(b.callback_data ? { data: b.callback_data } : {}), ...(b.url ? { url: b.url } : {}) }));
}

export function buttonData(message: ChatMessageState, label: string | RegExp): string {
  const found = buttonsOf(message).find((b) => (typeof label === 'string' ? b.label.includes(label) : label.test(b.label)));
  if (found?.data === undefined) {
    throw new Error(`no button ${String(label)} on message ${message.messageId}: ${buttonsOf(message).map((b) => b.label).join(' | ')}`);
  }
  return found.data;
}
