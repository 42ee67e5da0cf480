import { randomInt } from 'node:crypto';
import { startService, type RunningService } from '../../../src/main.js';
import { startTelegramEmulator, type ApiCallRecord, type ChatMessageState, type TelegramEmulator, type TelegramEmulatorOptions, type User } from '../../emulators/telegram/index.js';
import { startTraktEmulator, type TraktEmulator, type TraktEmulatorOptions } from '../../emulators/trakt/index.js';
import { captureLogs } from '../../helpers/logs.js';
import { linkChatUser, serviceStorage } from '../../helpers/service-stack.js';

/**
 * The whole service, started in-process with `startService` exactly as production starts it, between
 * a loopback Telegram Bot API emulator and a Trakt emulator, on PGlite (or TEST_DATABASE_URL).
 */
export interface Stack {
  service: RunningService;
  telegram: TelegramEmulator;
  trakt: TraktEmulator;
  logs: ReturnType<typeof captureLogs>;
  /** A Telegram user with a private chat, not linked (with `handle`, a Telegram @username). */
  newUser(name?: string, handle?: string, languageCode?: string): User;
  /** A Telegram user linked to a fresh Trakt user through emulator-issued tokens (no OAuth dance). */
  linkedUser(options?: { vip?: boolean; watchlistLimit?: number; name?: string; handle?: string; languageCode?: string }): Promise<{ user: User; username: string }>;
  /** Sends text in a chat and resolves with the next bot message there. */
  ask(user: User, chat: number, text: string, predicate?: (m: ChatMessageState) => boolean): Promise<ChatMessageState>;
  /** Presses the button whose label matches and waits for the message to reach a state. */
  press(user: User, chat: number, message: ChatMessageState, label: string | RegExp): Promise<string>;
  /** A callback query as a forger would send it: any `from`, any message, anyone's data. Resolves with the query id. */
  injectPress(from: User, message: ChatMessageState, data: string): string;
  /** The bot's answer to callback query `queryId`. */
  answerOf(queryId: string): Promise<ApiCallRecord>;
  close(): Promise<void>;
}

export interface StackOptions {
  trakt?: TraktEmulatorOptions;
  telegram?: TelegramEmulatorOptions;
  /** Webhook mode: PUBLIC_URL and TELEGRAM_WEBHOOK_SECRET are set. */
  webhook?: { secret: string };
  /** More settings for the service. */
  env?: Record<string, string>;
}

export const WAIT = { timeoutMs: 10_000 };

export async function freePort(): Promise<number> {
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

/** The environment the service is started with between the two emulators. */
export function serviceEnv(input: { telegram: TelegramEmulator; trakt: TraktEmulator; storageEnv: Record<string, string>; port?: number }): Record<string, string> {
  return {
    ENV_FILE: '',
    HOST: '127.0.0.1',
    PORT: String(input.port ?? 0),
    ...input.storageEnv,
    TELEGRAM_BOT_TOKEN: input.telegram.token,
    TELEGRAM_API_ROOT: input.telegram.apiRoot,
    TRAKT_CLIENT_ID: input.trakt.clientId,
    TRAKT_CLIENT_SECRET: input.trakt.clientSecret,
    TRAKT_API_URL: input.trakt.url,
    TRAKT_AUTH_URL: input.trakt.authUrl,
    LOG_LEVEL: 'info',
    // The emulator's webhook client keeps sockets alive; past this the service closes them.
    SHUTDOWN_GRACE_MS: '1000',
  };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const trakt = await startTraktEmulator({ deviceIntervalSeconds: 1, catalogSize: 1500, ...options.trakt });
  const telegram = await startTelegramEmulator({ defaultWaitMs: WAIT.timeoutMs, ...options.telegram });
  const storage = await serviceStorage('marquee-e2e');
  const logs = captureLogs('info');
  const port = options.webhook ? await freePort() : 0;
  const env = { ...serviceEnv({ telegram, trakt, storageEnv: storage.env, port }), ...options.env };
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
    newUser(name = 'Tester', handle, languageCode = 'en') {
      const user = telegram.user({ id: randomInt(10_000, 2 ** 40), firstName: name, languageCode, ...(handle === undefined ? {} : { username: handle }) });
      telegram.privateChat(user);
      users.push(user);
      return user;
    },
    async linkedUser(opts = {}) {
      const user = stack.newUser(opts.name, opts.handle, opts.languageCode);
      const { username } = await linkChatUser(service, trakt, { platform: 'telegram', userId: String(user.id) }, opts);
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
    injectPress(from, message, data) {
      const id = String(randomInt(1, 2 ** 40));
      telegram.injectUpdate({ callback_query: { id, from, chat_instance: '1', data, message: message.message } });
      return id;
    },
    answerOf(queryId) {
      return telegram.waitForCall((c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === queryId, WAIT);
    },
    async close() {
      await service.stop('test over');
      await Promise.allSettled([telegram.close(), trakt.close()]);
      await storage.dispose();
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
