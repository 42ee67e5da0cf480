import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelegramEmulator } from '../emulators/telegram/index.js';
import type { TraktEmulator } from '../emulators/trakt/index.js';
import { buttonsOf } from '../e2e/telegram/harness.js';
import type { ServiceProcess } from '../helpers/process.js';
import { startProcessStack, type ProcessStack } from '../helpers/process-stack.js';

/**
 * Issue 12: an import killed with SIGKILL in the middle (one batch hanging at Trakt, the others
 * waiting) and restarted ends with each title added once, and the import's card says it is done.
 */
let stack: ProcessStack;
let trakt: TraktEmulator;
let telegram: TelegramEmulator;
const WAIT = { timeoutMs: 20_000 };
const RECOVERY = { timeoutMs: 60_000 };

beforeAll(async () => {
  stack = await startProcessStack('marquee-kill-import', { catalogSize: 1500, waitMs: WAIT.timeoutMs });
  ({ trakt, telegram } = stack);
});
afterAll(async () => {
  await stack?.close();
});

const until = (check: () => boolean, what: string) => stack.until(check, what);

const HEADER = 'Position,Const,Created,Modified,Description,Title,Original Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,Genres,Num Votes,Release Date,Directors,Your Rating,Date Rated';

describe('kill -9 in the middle of an import', () => {
  it('GIVEN an import of 250 titles with a batch hanging at Trakt WHEN the process is killed and restarted THEN every title is added exactly once and the card says done', { timeout: 240_000 }, async () => {
    await stack.start();
    await telegram.waitForPoll(WAIT);
    const { user, username } = await stack.linkedUser('Kim');
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
    const first = stack.running[0] as ServiceProcess;
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    trakt.clearFaults();
    expect(trakt.watchlist(username).length).toBeLessThan(250);

    await stack.start();
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
