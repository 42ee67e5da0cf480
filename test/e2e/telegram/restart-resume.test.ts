import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../../../src/main.js';
import { startTelegramEmulator, type TelegramEmulator } from '../../emulators/telegram/index.js';
import { startTraktEmulator, type TraktEmulator } from '../../emulators/trakt/index.js';
import { captureLogs } from '../../helpers/logs.js';
import { linkChatUser, serviceStorage } from '../../helpers/service-stack.js';
import { buttonData, serviceEnv, WAIT } from './harness.js';

/**
 * Nothing the user confirmed is lost at shutdown: a Confirm whose Trakt write hangs does not hold the
 * shutdown past its grace period, and the write (a queued job) is applied at the next start, which
 * edits the Confirm card to the outcome with Undo.
 */
let trakt: TraktEmulator;
let telegram: TelegramEmulator;
let storage: Awaited<ReturnType<typeof serviceStorage>>;
const logs = captureLogs('info');

beforeAll(async () => {
  trakt = await startTraktEmulator({ deviceIntervalSeconds: 1, catalogSize: 500 });
  telegram = await startTelegramEmulator({ defaultWaitMs: WAIT.timeoutMs });
  storage = await serviceStorage('marquee-resume');
});
afterAll(async () => {
  await Promise.allSettled([telegram?.close(), trakt?.close()]);
  await storage?.dispose();
});

async function start(): Promise<RunningService> {
  const service = await startService({ env: serviceEnv({ telegram, trakt, storageEnv: storage.env }), logger: logs.logger });
  await telegram.waitForPoll(WAIT);
  return service;
}

describe('a write cut off by a shutdown', () => {
  it('GIVEN Confirm pressed while Trakt hangs on the write WHEN the service stops THEN it stops within its grace period, and the next start applies the write and edits its card', async () => {
    const first = await start();
    const user = telegram.user({ id: randomInt(10_000, 2 ** 40), firstName: 'Resa', languageCode: 'en' });
    telegram.privateChat(user);
    const { username } = await linkChatUser(first, trakt, { platform: 'telegram', userId: String(user.id) });

    telegram.sendText(user, user.id, '/add tt0848228');
    const card = await telegram.waitForBotMessage(user.id, (m) => m.text.includes('Add to your watchlist?'), WAIT);
    trakt.setFault('POST /sync/watchlist', { hang: true });
    telegram.pressButton(user, user.id, card.messageId, buttonData(card, 'Confirm'));
    // The write reached Trakt and hangs there.
    const deadline = Date.now() + WAIT.timeoutMs;
    while (!trakt.requests.some((r) => r.route === 'POST /sync/watchlist' && r.status === 0)) {
      if (Date.now() > deadline) throw new Error('the write never reached Trakt');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    await first.stop('test: restart');
    expect(logs.text()).toContain('were cut off');
    expect(logs.text()).toContain('given back for the next start');
    expect(trakt.watchlist(username)).toEqual([]);

    trakt.clearFaults();
    const second = await start();
    try {
      // The confirmed write was a queued job: the next start applies it and edits the Confirm card.
      const told = await telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Added to your watchlist'), WAIT);
      expect(told.text).toContain('The Avengers');
      expect(buttonData(told, 'Undo')).toBeDefined();
      expect(trakt.watchlist(username).map((r) => r.ref)).toEqual([{ type: 'movie', trakt: 14701 }]);
      // /undo takes it back: the resumed write was journaled from Trakt's answer.
      telegram.sendText(user, user.id, '/undo');
      const undone = await telegram.waitForBotMessage(user.id, (m) => m.text.includes('Undone'), WAIT);
      expect(undone.text).toContain('The Avengers (2012) is off your watchlist again');
      expect(trakt.watchlist(username)).toEqual([]);
    } finally {
      await second.stop('test over');
    }
  });
});
