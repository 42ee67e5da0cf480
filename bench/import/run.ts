/**
 * Benchmark: import and export (issue 12). Loopback only; bounded in count and time.
 *
 *   node --import tsx bench/import/run.ts                                  # PGlite
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --import tsx bench/import/run.ts
 *
 * The real service runs in this process between the Telegram and Trakt emulators (as the end-to-end
 * tests start it; Trakt answers at once, with Trakt's real rate limits). A BENCH_ROWS-row (2,000) IMDb
 * watchlist CSV of catalog movies, each with its IMDb id, is sent as a document with the caption
 * /import by a linked user. Then:
 *
 * (a) reading and matching: `readImport` alone on the same bytes (median of 5 after a warm-up); the
 *     file sent → preview card, with the time spent on Trakt taken out: every Trakt call of the service
 *     is timed (the client's `lookupId` / `search`, which include the wait in its rate limiter, and every
 *     HTTP request to the emulator), and what is left of the wall time is ours (the job, the database,
 *     the cards). Lookups (GET /search/...) per row are printed on their own.
 * (b) applying: Import pressed → the done card; POST /sync/watchlist requests and the items they carry;
 *     write requests per imported title against the goal of 0.02 (batches of 100); apply time against the
 *     ideal, write requests × 1 s (Trakt's AUTHED_API_POST_LIMIT, 1 call per second per user, REFERENCE §4).
 * (c) export: a second user with a BENCH_EXPORT_ITEMS-item (10,000) Trakt watchlist; the copy is synced
 *     by the service (/watchlist), then /export json is timed to the document arriving in the Telegram
 *     emulator, with the process RSS sampled every 5 ms during it (peak, and above the level before) and
 *     the file's size.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { readImport } from '../../src/imports/detect.js';
import { upsertChatIdentity } from '../../src/db/queries/identities.js';
import { pageWatchlistItems } from '../../src/db/queries/watchlist-copy.js';
import type { ChatMessageState } from '../../test/emulators/telegram/index.js';
import type { CatalogMovie, CatalogRef } from '../../test/emulators/trakt/types.js';

const ROWS = clamp(Number(process.env.BENCH_ROWS ?? 2000), 10, 6000);
const EXPORT_ITEMS = clamp(Number(process.env.BENCH_EXPORT_ITEMS ?? 10_000), 0, 12_000);
const GOAL_WRITES_PER_TITLE = 0.02;
const WRITE_SPACING_MS = 1000;
const GOAL_EXPORT_MS = 1000;
const DATABASE_URL = (process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? '').trim();

function clamp(n: number, lo: number, hi: number): number {
  return Number.isFinite(n) ? Math.min(hi, Math.max(lo, Math.round(n))) : lo;
}

function rowsOf<T>(result: unknown): T[] {
  return ((result as { rows?: T[] }).rows ?? (result as T[])) as T[];
}

const ms = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${n.toFixed(1)} ms`);
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const load = () => loadavg().map((n) => n.toFixed(2)).join(' / ');

/** Requests counted by route, e.g. "GET /sync/watchlist 2, POST /sync/watchlist 20". */
function routes(requests: ReadonlyArray<{ route: string }>): string {
  const byRoute = new Map<string, number>();
  for (const r of requests) byRoute.set(r.route, (byRoute.get(r.route) ?? 0) + 1);
  return [...byRoute].map(([route, n]) => `${route} ${n}`).join(', ') || 'none';
}

/** Total length of the union of [start, end) intervals. */
function unionMs(intervals: Array<[number, number]>, from: number, to: number): number {
  const sorted = intervals.map(([a, b]): [number, number] => [Math.max(a, from), Math.min(b, to)]).filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of sorted) {
    if (a >= end) {
      total += b - a;
      end = b;
    } else if (b > end) {
      total += b - end;
      end = b;
    }
  }
  return total;
}

// Every HTTP request the process makes to the Trakt emulator, timed (the client calls the global fetch).
let traktUrl = '\u0000';
const httpCalls: Array<[number, number]> = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (!url.startsWith(traktUrl)) return realFetch(input, init);
  const t0 = performance.now();
  try {
    const response = await realFetch(input, init);
    const body = await response.arrayBuffer();
    httpCalls.push([t0, performance.now()]);
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  } catch (error) {
    httpCalls.push([t0, performance.now()]);
    throw error;
  }
};

// On Postgres, the test helpers give the service a database of its own and drop it afterwards.
if (DATABASE_URL !== '') process.env.TEST_DATABASE_URL = DATABASE_URL;
const { buttonData, buttonsOf, startStack } = await import('../../test/e2e/telegram/harness.js');

const HEADER = 'Position,Const,Created,Modified,Description,Title,Original Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,Genres,Num Votes,Release Date,Directors,Your Rating,Date Rated';
const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
function imdbRow(i: number, movie: CatalogMovie): string {
  const id = movie.ids.imdb ?? '';
  return `${i},${id},2024-01-0${(i % 9) + 1},2024-01-01,,${quote(movie.title)},${quote(movie.title)},https://www.imdb.com/title/${id}/,Movie,7.0,${movie.runtime},${movie.year},"Drama",${movie.votes},${movie.released},,,`;
}

const started = performance.now();
console.log(`import/export benchmark: a ${ROWS}-row IMDb CSV, an export of ${EXPORT_ITEMS} items; ${DATABASE_URL === '' ? 'embedded PGlite' : 'Postgres (DATABASE_URL)'}`);
console.log(`  load average at start (1/5/15 min): ${load()}`);
const stack = await startStack({ trakt: { catalogSize: 12_000, requestLogLimit: 200_000 }, env: { LOG_LEVEL: 'warn' } });
traktUrl = stack.trakt.url;
let failed = false;
try {
  const db = stack.service.database.db;
  const client = stack.service.trakt;

  // The client's catalog calls (the matching job's lookups), timed from the call to the answer: the
  // rate limiter's queue and the request. The service's catalog port calls these on the client object.
  const portCalls: Array<[number, number]> = [];
  for (const name of ['lookupId', 'search'] as const) {
    const original = client[name].bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      const t0 = performance.now();
      try {
        return await original(...args);
      } finally {
        portCalls.push([t0, performance.now()]);
      }
    };
  }

  const movies = stack.trakt.catalog.movies().filter((m) => typeof m.ids.imdb === 'string' && m.ids.imdb.startsWith('tt'));
  if (movies.length < ROWS) throw new Error(`the catalog has ${movies.length} movies with IMDb ids, fewer than ${ROWS}`);
  const csv = Buffer.from(`${HEADER}\n${movies.slice(0, ROWS).map((m, i) => imdbRow(i + 1, m)).join('\n')}\n`, 'utf8');

  // (a) Reading: readImport alone.
  await readImport(csv);
  const reads: number[] = [];
  let read = 0;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    const result = await readImport(csv);
    reads.push(performance.now() - t0);
    read = result.rows.length;
  }
  reads.sort((x, y) => x - y);
  const readMs = reads[2] ?? NaN;
  console.log(`(a) reading: readImport of ${ROWS} rows (${(csv.length / 1024).toFixed(0)} KB): median ${ms(readMs)} of 5 (min ${ms(reads[0] ?? NaN)}, max ${ms(reads[4] ?? NaN)}), ${read} rows read; ${((readMs * 1000) / ROWS).toFixed(1)} µs per row`);

  // (a) Matching, through the service: the file sent → the preview card.
  const { user, username } = await stack.linkedUser({ name: 'Importer', vip: true, watchlistLimit: 20_000 });
  await stack.ask(user, user.id, '/start');
  client.resetStats();
  const before = stack.trakt.requests.length;
  portCalls.length = 0;
  httpCalls.length = 0;
  const m0 = performance.now();
  stack.telegram.sendDocument(user, user.id, { data: csv, fileName: 'WATCHLIST.csv', caption: '/import' });
  const card = await stack.telegram.waitForBotMessage(user.id, (m) => m.text.includes('Import:'), { timeoutMs: 60_000 });
  const cardMs = performance.now() - m0;
  const preview = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Before anything is written'), { timeoutMs: 20 * 60_000 });
  const m1 = performance.now();
  const matchMs = m1 - m0;
  const matching = stack.trakt.requests.slice(before);
  const lookups = matching.filter((r) => r.path.startsWith('/search/')).length;
  const traktMs = unionMs([...portCalls, ...httpCalls], m0, m1);
  const httpMs = unionMs(httpCalls, m0, m1);
  const ownMs = matchMs - traktMs;
  const stats = client.stats();
  const matched = Number(/✓ ([\d,]+) matched/.exec(preview.text)?.[1]?.replace(/,/g, '') ?? -1);
  console.log(`    file sent → preview card: ${ms(matchMs)} (the card "Import:" after ${ms(cardMs)}); ${matched} matched`);
  console.log(`    time on Trakt (client calls in flight, its rate limiter's queue included): ${ms(traktMs)}, of which HTTP requests in flight ${ms(httpMs)}; GETs queued in the limiter: ${stats.queued.appGet.count + stats.queued.userGet.count}, longest ${ms(Math.max(stats.queued.appGet.maxMs, stats.queued.userGet.maxMs))}`);
  console.log(`    matching excluding Trakt: ${ms(ownMs)} = ${((ownMs * 1000) / ROWS).toFixed(0)} µs per row (reading included); excluding only the HTTP requests in flight: ${ms(matchMs - httpMs)} = ${(((matchMs - httpMs) * 1000) / ROWS).toFixed(0)} µs per row`);
  console.log(`    Trakt lookups: ${lookups} = ${(lookups / ROWS).toFixed(3)} per row; all requests by route: ${routes(matching)}`);

  // (b) Applying: Import → the done card.
  const importLabel = buttonsOf(preview).find((b) => /Import [\d,]+/.test(b.label))?.label ?? '';
  const fits = Number(/Import ([\d,]+)/.exec(importLabel)?.[1]?.replace(/,/g, '') ?? -1);
  const beforeApply = stack.trakt.requests.length;
  client.resetStats();
  const a0 = performance.now();
  stack.telegram.pressButton(user, user.id, card.messageId, buttonData(stack.telegram.message(user.id, card.messageId) ?? preview, /Import \d/));
  const done: ChatMessageState = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Import done') || m.text.includes('Cancelled'), { timeoutMs: 20 * 60_000 });
  const applyMs = performance.now() - a0;
  const applying = stack.trakt.requests.slice(beforeApply).filter((r) => r.user === username);
  const writes = applying.filter((r) => r.route === 'POST /sync/watchlist');
  const count = (body: unknown) => {
    const b = (body ?? {}) as Record<string, unknown[] | undefined>;
    return ['movies', 'shows', 'seasons', 'episodes'].reduce((s, k) => s + (Array.isArray(b[k]) ? b[k].length : 0), 0);
  };
  const items = writes.reduce((s, r) => s + count(r.body), 0);
  const added = Number(/Added: ([\d,]+)/.exec(done.text)?.[1]?.replace(/,/g, '') ?? 0);
  const tooMany = writes.filter((r) => r.status === 429).length;
  const perTitle = added > 0 ? writes.length / added : NaN;
  const ideal = writes.length * WRITE_SPACING_MS;
  const sizes = writes.map((r) => count(r.body));
  const gaps = writes.slice(1).map((r, i) => r.at - (writes[i]?.at ?? r.at));
  console.log(`(b) applying: Import ${fits} pressed → done card in ${ms(applyMs)}; added ${added} (on Trakt now: ${stack.trakt.watchlist(username).length})`);
  console.log(`    POST /sync/watchlist: ${writes.length} requests carrying ${items} items (per request: min ${Math.min(...sizes)}, max ${Math.max(...sizes)}); 429s: ${tooMany}; other requests of the user: ${routes(applying.filter((r) => r.route !== 'POST /sync/watchlist'))}`);
  console.log(`    write requests per imported title: ${perTitle.toFixed(4)} (goal ≤ ${GOAL_WRITES_PER_TITLE}: ratio ${(perTitle / GOAL_WRITES_PER_TITLE).toFixed(2)})`);
  console.log(`    apply time / ideal (${writes.length} writes × 1 s = ${ms(ideal)}): ${(applyMs / ideal).toFixed(2)}; gaps between writes at Trakt: median ${ms([...gaps].sort((x, y) => x - y)[Math.floor(gaps.length / 2)] ?? NaN)}, max ${ms(Math.max(0, ...gaps))}`);
  if (!(perTitle <= GOAL_WRITES_PER_TITLE) || tooMany > 0) failed = true;

  // (c) Export of EXPORT_ITEMS items from the local copy.
  if (EXPORT_ITEMS > 0) {
    const { user: owner, username: ownerTrakt } = await stack.linkedUser({ name: 'Exporter', vip: true, watchlistLimit: 20_000 });
    await stack.ask(owner, owner.id, '/start');
    const refs: CatalogRef[] = [...stack.trakt.catalog.movies(), ...stack.trakt.catalog.shows()].slice(0, EXPORT_ITEMS).map((t) => ({ type: t.type, trakt: t.ids.trakt }));
    stack.trakt.seedWatchlist(ownerTrakt, refs);
    const ownerIdentity = await upsertChatIdentity(db, { platform: 'telegram', platformUserId: String(owner.id) });
    const s0 = performance.now();
    stack.telegram.sendText(owner, owner.id, '/watchlist');
    const copyCount = async () => rowsOf<{ n: number }>(await db.execute(sql`select item_count as n from watchlist_sync where identity_id = ${ownerIdentity.id} and activity_at is not null`))[0]?.n ?? -1;
    const deadline = Date.now() + 300_000;
    let synced = await copyCount();
    while (synced <= 0) {
      if (Date.now() > deadline) throw new Error('the copy did not sync');
      await new Promise((resolve) => setTimeout(resolve, 100));
      synced = await copyCount();
    }
    console.log(`(c) export: ${EXPORT_ITEMS} items seeded on Trakt; copy synced through /watchlist in ${ms(performance.now() - s0)} (${synced} items)`);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // let the /watchlist card settle
    (globalThis as { gc?: () => void }).gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    let heapPeak = process.memoryUsage().heapUsed;
    const sampler = setInterval(() => {
      const u = process.memoryUsage();
      rssPeak = Math.max(rssPeak, u.rss);
      heapPeak = Math.max(heapPeak, u.heapUsed);
    }, 5);
    const beforeExport = stack.trakt.requests.length;
    const e0 = performance.now();
    stack.telegram.sendText(owner, owner.id, '/export json');
    const message = await stack.telegram.waitForBotMessage(owner.id, (m) => m.text.includes('Your watchlist') && m.text.includes('Marquee JSON'), { timeoutMs: 120_000 });
    const file = stack.telegram.documentOf(message);
    const exportMs = performance.now() - e0;
    clearInterval(sampler);
    const u = process.memoryUsage();
    rssPeak = Math.max(rssPeak, u.rss);
    const parsed = JSON.parse(Buffer.from(file.data).toString('utf8')) as { items?: unknown[] };
    const exportRequests = stack.trakt.requests.slice(beforeExport).filter((r) => r.user === ownerTrakt);
    console.log(`    /export json → document in the chat: ${ms(exportMs)} (goal < ${GOAL_EXPORT_MS} ms: ratio ${(exportMs / GOAL_EXPORT_MS).toFixed(2)}); ${parsed.items?.length ?? 0} items, file ${mb(file.data.length)} (${file.fileName})`);
    // Where the time goes: the export reads the copy a page at a time (src/bot/core/imports/commands.ts).
    const pageTimes: string[] = [];
    for (const offset of [0, Math.max(0, EXPORT_ITEMS - 500)]) {
      const p0 = performance.now();
      await pageWatchlistItems(db, ownerIdentity.id, { kinds: null, order: 'added', offset, limit: 500 });
      pageTimes.push(`offset ${offset}: ${ms(performance.now() - p0)}`);
    }
    console.log(`    one page of 500 read from the copy (pageWatchlistItems, as the export's loop reads them): ${pageTimes.join(', ')}`);
    console.log(`    process RSS (service, both emulators and this script): ${mb(rssBefore)} before, peak ${mb(rssPeak)} during (+${mb(rssPeak - rssBefore)}); JS heap peak ${mb(heapPeak)}; Trakt requests during the export: ${routes(exportRequests)}`);
  }
  console.log(`  load average at end: ${load()}; whole run ${((performance.now() - started) / 1000).toFixed(0)} s`);
} finally {
  await stack.close();
}
if (failed) process.exitCode = 1;
