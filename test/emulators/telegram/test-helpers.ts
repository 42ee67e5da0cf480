// Helpers for tests that run a real grammY bot against the emulator.
import { Bot, type Context } from 'grammy';
import type { TelegramEmulator } from './types.js';

export interface PollingBot<C extends Context = Context> {
  bot: Bot<C>;
  /** Errors thrown by middleware (bot.catch). */
  errors: unknown[];
  /** bot.stop() and wait for bot.start() to return. */
  stop(): Promise<void>;
}

/** A grammY Bot pointed at the emulator (not started). */
export function emulatedBot(emulator: TelegramEmulator): Bot {
  return new Bot(emulator.token, { client: { apiRoot: emulator.apiRoot } });
}

/** Starts long polling and resolves once grammY reports it is polling. */
export async function startPolling<C extends Context>(bot: Bot<C>): Promise<PollingBot<C>> {
  const errors: unknown[] = [];
  bot.catch((err) => {
    errors.push(err.error);
  });
  let onStart: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    onStart = resolve;
  });
  const running = bot.start({ onStart: () => onStart(), timeout: 30 });
  await Promise.race([
    started,
    running.then(() => {
      throw new Error('bot.start() returned before polling began');
    }),
  ]);
  return {
    bot,
    errors,
    async stop() {
      await bot.stop();
      await running;
    },
  };
}
