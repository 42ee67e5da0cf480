/**
 * Benchmark: show progress on /watchlist (issue 13). Loopback only; bounded in count and time.
 *
 *   node --import tsx bench/show-progress/run.ts                                   # PGlite
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --import tsx bench/show-progress/run.ts
 *
 * The real service runs in this process between the Telegram and Trakt emulators (as the end-to-end
 * tests start it). One VIP user has a BENCH_ITEMS-item (10,000) watchlist whose newest 10 entries are
 * shows with aired episodes (three of them partly watched, one finished), so page 1 of `/watchlist` is
 * a page of 10 shows. The copy is synced first with `/watchlist movies` (no show on that page, so no
 * progress is read). Then, counting the requests the Trakt emulator receives for the user:
 *
 *   cold   `/watchlist`: page 1, no progress cached;
 *   warm   `/watchlist` again (a command: the copy's last_activities recheck runs, as always);
 *   press  Next ▶ then ◀ Previous (within the copy's freshness window);
 *   moved  an episode is watched on Trakt (last_activities.episodes.watched_at moves), `/watchlist`;
 *   filter `/watchlist progress` (the "in progress" filter): reads at most 10 per view.
 *
 * Progress reads and last_activities reads are printed apart; "copy" is the copy's own check, which
 * the watchlist view made before this feature too. Exit code 1 when cold > 10 or warm > 0 progress
 * reads, or when progress needed a last_activities read of its own.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { CatalogRef } from '../../test/emulators/trakt/types.js';

const ITEMS = clamp(Number(process.env.BENCH_ITEMS ?? 10_000), 20, 10_000);
const PAGE = 10;
const WAIT = { timeoutMs: 60_000 };
const DATABASE_URL = (process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? '').trim();

function clamp(n: number, lo: number, hi: number): number {
  return Number.isFinite(n) ? Math.min(hi, Math.max(lo, Math.round(n))) : lo;
}
const load = () => loadavg().map((n) => n.toFixed(2)).join(' / ');

if (DATABASE_URL !== '') process.env.TEST_DATABASE_URL = DATABASE_URL;
const { startStack } = await import('../../test/e2e/telegram/harness.js');

const started = performance.now();
console.log(`show progress benchmark: a ${ITEMS}-item watchlist, page 1 = ${PAGE} shows; ${DATABASE_URL === '' ? 'embedded PGlite' : 'Postgres (DATABASE_URL)'}`);
console.log(`  load average at start (1/5/15 min): ${load()}`);
const stack = await startStack({ trakt: { catalogSize: 12_000 }, env: { LOG_LEVEL: 'warn' } });
try {
  const { user, username } = await stack.linkedUser({ vip: true });
  const now = Date.now();
  const shows = stack.trakt.catalog
    .shows()
    .filter((s) => {
      const e4 = stack.trakt.catalog.episode(s.ids.trakt, 1, 4);
      return e4?.first_aired != null && Date.parse(e4.first_aired) < now;
    })
    .slice(0, PAGE);
  if (shows.length < PAGE) throw new Error('catalog has too few aired shows');
  const ep = (show: number, e: number): CatalogRef => ({ type: 'episode', show, season: 1, episode: e });
  const [s0, s1, s2, s3] = shows.map((s) => s.ids.trakt) as [number, number, number, number];
  stack.trakt.markWatched(username, [ep(s0, 1), ep(s0, 2), ep(s1, 1), ep(s2, 1), ep(s2, 2), ep(s2, 3), { type: 'show', trakt: s3 }]);
  // The rest of the list: movies, then other shows and their seasons (older than the page's shows).
  const onPage = new Set(shows.map((s) => s.ids.trakt));
  const rest: CatalogRef[] = stack.trakt.catalog.movies().map((m) => ({ type: 'movie', trakt: m.ids.trakt }));
  for (const show of stack.trakt.catalog.shows()) {
    if (rest.length >= ITEMS - PAGE) break;
    if (onPage.has(show.ids.trakt)) continue;
    rest.push({ type: 'show', trakt: show.ids.trakt });
    for (const season of show.seasons) if (season.number > 0) rest.push({ type: 'season', show: show.ids.trakt, season: season.number });
  }
  if (rest.length < ITEMS - PAGE) throw new Error(`catalog too small for ${ITEMS} items`);
  stack.trakt.seedWatchlist(username, rest.slice(0, ITEMS - PAGE));
  // Listed last: the newest, so page 1 newest-first is these 10 shows.
  stack.trakt.seedWatchlist(username, shows.map((s): CatalogRef => ({ type: 'show', trakt: s.ids.trakt })));

  let mark = 0;
  const counts = () => {
    const log = stack.trakt.requests.slice(mark).filter((r) => r.user === username);
    mark = stack.trakt.requests.length;
    return {
      progress: log.filter((r) => r.route === 'GET /shows/:id/progress/watched').length,
      lastActivities: log.filter((r) => r.path === '/sync/last_activities').length,
      other: log.filter((r) => r.route !== 'GET /shows/:id/progress/watched' && r.path !== '/sync/last_activities').length,
    };
  };
  const rows: Array<{ step: string; ms: number; progress: number; lastActivities: number; other: number; line: string }> = [];
  const step = async <T extends { text: string }>(name: string, run: () => Promise<T>, copyChecks: number): Promise<T> => {
    counts();
    const t0 = performance.now();
    const shown = await run();
    const ms = performance.now() - t0;
    const c = counts();
    const line = shown.text.split('\n').find((l) => l.includes('watched ')) ?? '(no progress line)';
    rows.push({ step: name, ms, ...c, lastActivities: c.lastActivities - copyChecks, line });
    return shown;
  };

  const syncStart = performance.now();
  await stack.ask(user, user.id, '/watchlist movies');
  const sync = counts();
  console.log(`  copy synced through /watchlist movies in ${((performance.now() - syncStart) / 1000).toFixed(1)} s: ${sync.other} watchlist reads, ${sync.lastActivities} last_activities, ${sync.progress} progress reads`);

  await step('cold  /watchlist', () => stack.ask(user, user.id, '/watchlist'), 1);
  const warm = await step('warm  /watchlist', () => stack.ask(user, user.id, '/watchlist'), 1);
  await step('press Next ▶', async () => {
    await stack.press(user, user.id, warm, 'Next ▶');
    return stack.telegram.waitForMessageState(user.id, warm.messageId, (m) => m.text.includes('page 2 of'), WAIT);
  }, 0);
  await step('press ◀ Previous', async () => {
    const now2 = stack.telegram.message(user.id, warm.messageId);
    if (now2 === undefined) throw new Error('view gone');
    await stack.press(user, user.id, now2, '◀ Previous');
    return stack.telegram.waitForMessageState(user.id, warm.messageId, (m) => m.text.includes('page 1 of'), WAIT);
  }, 0);
  stack.trakt.markWatched(username, [ep(s1, 2)]);
  stack.trakt.seedWatchlist(username, [{ type: 'show', trakt: s1 }]);
  // The watchlist moved too (Trakt drops a show when one of its episodes is watched): the copy re-reads it.
  await step('moved /watchlist (episode watched)', () => stack.ask(user, user.id, '/watchlist'), 1);
  await step('warm  /watchlist after moved', () => stack.ask(user, user.id, '/watchlist'), 1);
  await step('filter /watchlist progress', () => stack.ask(user, user.id, '/watchlist progress'), 1);

  console.log('  step                                  ms   progress reads   extra last_activities   other requests   first progress line');
  for (const r of rows) {
    console.log(`  ${r.step.padEnd(34)} ${r.ms.toFixed(0).padStart(6)} ${String(r.progress).padStart(12)} ${String(r.lastActivities).padStart(20)} ${String(r.other).padStart(16)}   ${r.line.slice(0, 70)}`);
  }
  const cold = rows[0];
  const warmRow = rows[1];
  const presses = rows.slice(2, 4).reduce((n, r) => n + r.progress + r.lastActivities + r.other, 0);
  const extra = rows.reduce((n, r) => n + Math.max(0, r.lastActivities), 0);
  console.log(
    `summary: page of ${PAGE} shows: Trakt progress requests cold ${cold?.progress} (goal ≤ ${PAGE}), warm ${warmRow?.progress} (goal 0); ` +
      `presses within the copy's window ${presses} requests in all; last_activities reads made for progress itself: ${extra}`,
  );
  console.log(`  load average at end: ${load()}; whole run ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if ((cold?.progress ?? 99) > PAGE || (warmRow?.progress ?? 99) > 0 || extra > 0) process.exitCode = 1;
} finally {
  await stack.close();
}
