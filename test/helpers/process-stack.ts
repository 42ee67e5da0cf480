import { randomInt } from 'node:crypto';
import { startTelegramEmulator, type TelegramEmulator, type User } from '../emulators/telegram/index.js';
import { startTraktEmulator, type TraktEmulator } from '../emulators/trakt/index.js';
import { serviceEnv } from '../e2e/telegram/harness.js';
import { spawnService, stopProcess, waitForListening, type ServiceProcess } from './process.js';
import { serviceStorage } from './service-stack.js';

/**
 * The service as a child process (so a test can kill it with SIGKILL) between the Telegram and Trakt
 * emulators, on one storage that outlives each process: restart it with `start()` again.
 */
export interface ProcessStack {
  trakt: TraktEmulator;
  telegram: TelegramEmulator;
  /** Every process started, oldest first. */
  running: ServiceProcess[];
  start(): Promise<ServiceProcess>;
  /** A new Telegram user with a private chat, linked through Trakt's device code. */
  linkedUser(name: string): Promise<{ user: User; username: string }>;
  until(check: () => boolean, what: string): Promise<void>;
  close(): Promise<void>;
}

export async function startProcessStack(name: string, options: { catalogSize: number; waitMs: number }): Promise<ProcessStack> {
  const trakt = await startTraktEmulator({ deviceIntervalSeconds: 1, catalogSize: options.catalogSize });
  const telegram = await startTelegramEmulator({ defaultWaitMs: options.waitMs });
  const storage = await serviceStorage(name);
  const wait = { timeoutMs: options.waitMs };
  const running: ServiceProcess[] = [];
  const stack: ProcessStack = {
    trakt,
    telegram,
    running,
    async start() {
      // On Postgres a killed process's Telegram poller lease holds the bot until it runs out: short here,
      // so that the restarted process polls within two seconds (production default: 30 s).
      const env = { ...serviceEnv({ telegram, trakt, storageEnv: storage.env }), TRAKT_RETRY_MS: '60000', TRAKT_TIMEOUT_MS: '60000', TELEGRAM_LEASE_MS: '2000' };
      const service = spawnService('src/main.ts', env);
      running.push(service);
      await waitForListening(service);
      return service;
    },
    async linkedUser(firstName) {
      const user = telegram.user({ id: randomInt(10_000, 2 ** 40), firstName, languageCode: 'en' });
      telegram.privateChat(user);
      const username = `k${randomInt(1, 2 ** 30)}`;
      trakt.addUser({ username });
      telegram.sendText(user, user.id, '/link');
      const reply = await telegram.waitForBotMessage(user.id, (m) => m.text.includes('enter the code'), wait);
      const code = /enter the code ([0-9A-F]{8})/i.exec(reply.text)?.[1] ?? '';
      trakt.approveDevice(code, username);
      await telegram.waitForBotMessage(user.id, (m) => m.text.includes('Linked to Trakt'), wait);
      return { user, username };
    },
    async until(check, what) {
      const deadline = Date.now() + options.waitMs;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async close() {
      await Promise.all(running.splice(0).map(stopProcess));
      await Promise.allSettled([telegram.close(), trakt.close()]);
      await storage.dispose();
    },
  };
  return stack;
}
