import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramEmulator, type ChatMessageState, type TelegramEmulator, type User } from '../emulators/telegram/index.js';
import { startTraktEmulator, type TraktEmulator } from '../emulators/trakt/index.js';
import { buttonsOf, serviceEnv } from '../e2e/telegram/harness.js';
import { spawnService, stopProcess, waitForListening, type ServiceProcess } from '../helpers/process.js';
import { serviceStorage } from '../helpers/service-stack.js';

/**
 * Nothing the user confirmed is lost by a crash (issue 10): the service process is killed with
 * SIGKILL while one write hangs at Trakt, two more wait behind it, and another user's write was
 * applied by Trakt but its answer never came back. After a restart every confirmed change is applied
 * once, every card says what is true, and Undo reaches the change whose answer was lost.
 */
let trakt: TraktEmulator;
let telegram: TelegramEmulator;
let storage: Awaited<ReturnType<typeof serviceStorage>>;
const running: ServiceProcess[] = [];
const WAIT = { timeoutMs: 20_000 };
const RECOVERY = { timeoutMs: 45_000 };

beforeAll(async () => {
  trakt = await startTraktEmulator({ deviceIntervalSeconds: 1, catalogSize: 500 });
  telegram = await startTelegramEmulator({ defaultWaitMs: WAIT.timeoutMs });
  storage = await serviceStorage('marquee-kill');
});
afterAll(async () => {
  await Promise.all(running.splice(0).map(stopProcess));
  await Promise.allSettled([telegram?.close(), trakt?.close()]);
  await storage?.dispose();
});

async function start(): Promise<ServiceProcess> {
  const env = { ...serviceEnv({ telegram, trakt, storageEnv: storage.env }), TRAKT_RETRY_MS: '60000', TRAKT_TIMEOUT_MS: '60000' };
  const service = spawnService('src/main.ts', env);
  running.push(service);
  await waitForListening(service);
  return service;
}

async function link(user: User): Promise<string> {
  const username = `k${randomInt(1, 2 ** 30)}`;
  trakt.addUser({ username });
  telegram.sendText(user, user.id, '/link');
  const reply = await telegram.waitForBotMessage(user.id, (m) => m.text.includes('enter the code'), WAIT);
  const code = /enter the code ([0-9A-F]{8})/i.exec(reply.text)?.[1] ?? '';
  trakt.approveDevice(code, username);
  await telegram.waitForBotMessage(user.id, (m) => m.text.includes('Linked to Trakt'), WAIT);
  return username;
}

async function card(user: User, imdb: string): Promise<ChatMessageState> {
  telegram.sendText(user, user.id, `/add ${imdb}`);
  return telegram.waitForBotMessage(user.id, (m) => /Add (this show )?to your watchlist\?/.test(m.text), WAIT);
}

function confirm(user: User, message: ChatMessageState): void {
  const data = buttonsOf(message).find((b) => b.label.includes('Confirm'))?.data;
  if (data === undefined) throw new Error('no Confirm button');
  telegram.pressButton(user, user.id, message.messageId, data);
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT.timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function movieId(imdb: string): number {
  const movie = trakt.catalog.movies().find((m) => m.ids.imdb === imdb);
  if (movie === undefined) throw new Error(`no catalog movie ${imdb}`);
  return movie.ids.trakt;
}

function listed(username: string): Array<number | undefined> {
  return trakt.watchlist(username).map((r) => ('trakt' in r.ref ? r.ref.trakt : undefined));
}

describe('kill -9 between Confirm and Trakt’s answer', () => {
  it('GIVEN a write hanging at Trakt, two queued behind it and a write whose answer was lost WHEN the process is killed and restarted THEN each is applied once and its card edited, with Undo', { timeout: 180_000 }, async () => {
    const first = await start();
    await telegram.waitForPoll(WAIT);
    const ana = telegram.user({ id: randomInt(10_000, 2 ** 40), firstName: 'Ana', languageCode: 'en' });
    const ben = telegram.user({ id: randomInt(10_000, 2 ** 40), firstName: 'Ben', languageCode: 'en' });
    telegram.privateChat(ana);
    telegram.privateChat(ben);
    const anaName = await link(ana);
    const benName = await link(ben);
    const imdb = ['tt0848228', 'tt0118661', 'tt0458339'];
    const anaCards = [];
    for (const id of imdb) anaCards.push(await card(ana, id));
    const benCard = await card(ben, 'tt0903747');

    // Ben's write is applied by Trakt, its answer lost; the resend then hangs.
    trakt.setFault('POST /sync/watchlist', { loseAnswer: true, count: 1 });
    confirm(ben, benCard);
    await until(() => trakt.watchlist(benName).length === 1, "Ben's write to land");
    trakt.setFault('POST /sync/watchlist', { hang: true });
    // A hung request is logged before Trakt knows its user: count them by route.
    const hung = () => trakt.requests.filter((r) => r.route === 'POST /sync/watchlist' && r.status === 0).length;
    await until(() => hung() >= 1, "Ben's resend");

    // Ana's first write hangs at Trakt; her next two wait behind it.
    for (const message of anaCards) confirm(ana, message);
    await until(() => hung() >= 2, "Ana's write to reach Trakt");
    for (const message of anaCards.slice(1)) {
      await telegram.waitForMessageState(ana.id, message.messageId, (m) => /queued/i.test(m.text), WAIT);
    }

    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    trakt.clearFaults();
    expect(trakt.watchlist(anaName)).toEqual([]);

    await start();
    for (const message of anaCards) {
      const done = await telegram.waitForMessageState(ana.id, message.messageId, (m) => m.text.includes('Added to your watchlist'), RECOVERY);
      expect(buttonsOf(done).map((b) => b.label)).toEqual(['↩ Undo', '🌐 Open on Trakt']);
    }
    expect(listed(anaName)).toEqual(imdb.map(movieId));
    expect(trakt.requests.filter((r) => r.route === 'POST /sync/watchlist' && r.user === anaName && r.status === 201)).toHaveLength(3);

    // Ben's write had landed before the crash: it is reported as his change, and Undo takes it back.
    const benDone = await telegram.waitForMessageState(ben.id, benCard.messageId, (m) => m.text.includes('Added to your watchlist'), RECOVERY);
    expect(benDone.text).not.toContain('Already');
    const undo = buttonsOf(benDone).find((b) => b.label.includes('Undo'))?.data;
    expect(undo).toBeDefined();
    telegram.pressButton(ben, ben.id, benCard.messageId, undo ?? '');
    await telegram.waitForMessageState(ben.id, benCard.messageId, (m) => m.text.includes('Undone'), WAIT);
    expect(trakt.watchlist(benName)).toEqual([]);
  });
});
