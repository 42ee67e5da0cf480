import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramEmulator, type TelegramEmulator, type User } from '../emulators/telegram/index.js';
import { startTraktEmulator, type TraktEmulator } from '../emulators/trakt/index.js';
import { buttonsOf, serviceEnv } from '../e2e/telegram/harness.js';
import { spawnService, stopProcess, waitForListening, type ServiceProcess } from '../helpers/process.js';
import { serviceStorage } from '../helpers/service-stack.js';

/**
 * Issue 12: an import killed with SIGKILL in the middle (one batch hanging at Trakt, the others
 * waiting) and restarted ends with each title added once, and the import's card says it is done.
 */
let trakt: TraktEmulator;
let telegram: TelegramEmulator;
let storage: Awaited<ReturnType<typeof serviceStorage>>;
const running: ServiceProcess[] = [];
const WAIT = { timeoutMs: 20_000 };
const RECOVERY = { timeoutMs: 60_000 };

beforeAll(async () => {
  trakt = await startTraktEmulator({ deviceIntervalSeconds: 1, catalogSize: 1500 });
  telegram = await startTelegramEmulator({ defaultWaitMs: WAIT.timeoutMs });
  storage = await serviceStorage('marquee-kill-import');
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
  const username = `ki${randomInt(1, 2 ** 30)}`;
  trakt.addUser({ username });
  telegram.sendText(user, user.id, '/link');
  const reply = await telegram.waitForBotMessage(user.id, (m) => m.text.includes('enter the code'), WAIT);
  const code = /enter the code ([0-9A-F]{8})/i.exec(reply.text)?.[1] ?? '';
  trakt.approveDevice(code, username);
  await telegram.waitForBotMessage(user.id, (m) => m.text.includes('Linked to Trakt'), WAIT);
  return username;
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT.timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const HEADER = 'Position,Const,Created,Modified,Description,Title,Original Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,Genres,Num Votes,Release Date,Directors,Your Rating,Date Rated';

describe('kill -9 in the middle of an import', () => {
  it('GIVEN an import of 250 titles with a batch hanging at Trakt WHEN the process is killed and restarted THEN every title is added exactly once and the card says done', { timeout: 240_000 }, async () => {
    await start();
    await telegram.waitForPoll(WAIT);
    const user = telegram.user({ id: randomInt(10_000, 2 ** 40), firstName: 'Kim', languageCode: 'en' });
    telegram.privateChat(user);
    const username = await link(user);
    const all = trakt.catalog.movies();
    const movies = all.filter((m) => typeof m.ids.imdb === 'string' && all.filter((o) => o.ids.imdb === m.ids.imdb).length === 1).slice(0, 250);
    expect(movies).toHaveLength(250);
    const rows = movies.map((m, i) => `${i + 1},${m.ids.imdb},2024-01-01,2024-01-01,,"${m.title.replace(/"/g, '""')}","",https://www.imdb.com/title/${m.ids.imdb}/,Movie,7.0,100,${m.year},"Drama",1000,,,,`);
    telegram.sendDocument(user, user.id, { data: Buffer.from(`${HEADER}\n${rows.join('\n')}\n`), fileName: 'WATCHLIST.csv', caption: '/import' });
    const card = await telegram.waitForBotMessage(user.id, (m) => m.text.includes('Import:'), WAIT);
    const preview = await telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Before anything is written'), RECOVERY);
    expect(preview.text).toContain('✓ 250 matched');

    // The first batch lands; the second hangs at Trakt; then the process dies.
    const writes = () => trakt.requests.filter((r) => r.route === 'POST /sync/watchlist');
    const data = buttonsOf(preview).find((b) => b.label.startsWith('✅ Import'))?.data;
    expect(data).toBeDefined();
    telegram.pressButton(user, user.id, card.messageId, data ?? '');
    await until(() => writes().some((r) => r.status === 201), 'the first batch');
    trakt.setFault('POST /sync/watchlist', { hang: true });
    await until(() => writes().some((r) => r.status === 0), 'a batch hanging at Trakt');
    const first = running[0] as ServiceProcess;
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    trakt.clearFaults();
    expect(trakt.watchlist(username).length).toBeLessThan(250);

    await start();
    await telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Import done'), RECOVERY);
    const listed = trakt.watchlist(username).map((r) => ('trakt' in r.ref ? r.ref.trakt : -1));
    expect(listed.sort((a, b) => a - b)).toEqual(movies.map((m) => m.ids.trakt).sort((a, b) => a - b));
    // No title was sent again after a write that carried it succeeded.
    const sentOk = new Map<string, number>();
    for (const request of writes().filter((r) => r.status === 201)) {
      const body = request.body as { movies?: Array<{ ids?: { trakt?: number; imdb?: string } }> };
      for (const movie of body.movies ?? []) {
        const key = String(movie.ids?.trakt ?? movie.ids?.imdb);
        sentOk.set(key, (sentOk.get(key) ?? 0) + 1);
      }
    }
    expect([...sentOk.values()].filter((n) => n > 1)).toEqual([]);
    expect(sentOk.size).toBe(250);
  });
});
