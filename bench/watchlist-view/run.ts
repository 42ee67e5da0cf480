/**
 * Benchmark: the filtered watchlist page (issue 13). In-process, no network; bounded in count.
 *
 *   node --import tsx bench/watchlist-view/run.ts                                   # PGlite
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --import tsx bench/watchlist-view/run.ts
 *
 * A migrated, empty database (PGlite in memory, or a database of its own on Postgres) gets one user
 * with a BENCH_ITEMS-item (10,000) copy and BENCH_OTHERS (5) users with 2,000 items each, written
 * through the real store (`createWatchlistStore().replace`, as a sync does): seeded titles with 1-3
 * genres, years 1950-2025, runtimes (movies 75-180 min, shows 20-65), ratings, a 300-character
 * overview, a tenth of the shows with seasons on the list too. Then, BENCH_REPS (300) times each, the
 * real `WatchlistStore.page` (src/db/queries/watchlist-copy.ts) for a page of 10 under a mix of
 * filters and sorts, page 1 and a deep page; `random` (/random) and `genres` (the filter panel).
 * Prints p50 / p99 / max per query and overall, against the goal p99 ≤ 20 ms for a filtered page.
 * For comparison, the same genre+runtime page read from `data` by JSON path (no generated columns).
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import type { WatchlistEntry } from '../../src/domain/media.js';
import type { WatchlistQuery, WatchlistSort } from '../../src/bot/core/ports.js';

const ITEMS = clamp(Number(process.env.BENCH_ITEMS ?? 10_000), 100, 50_000);
const OTHERS = clamp(Number(process.env.BENCH_OTHERS ?? 5), 0, 50);
const REPS = clamp(Number(process.env.BENCH_REPS ?? 300), 10, 5000);
const GOAL_P99_MS = 20;
const DATABASE_URL = (process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? '').trim();

function clamp(n: number, lo: number, hi: number): number {
  return Number.isFinite(n) ? Math.min(hi, Math.max(lo, Math.round(n))) : lo;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** A seeded PRNG (mulberry32): the same lists on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GENRES = [
  'action', 'adventure', 'animation', 'comedy', 'crime', 'documentary', 'drama', 'family', 'fantasy', 'history',
  'horror', 'music', 'mystery', 'romance', 'science-fiction', 'thriller', 'war', 'western', 'superhero', 'suspense',
];
const WORDS = ['Velvet', 'Empire', 'Station', 'Queen', 'Burning', 'Silent', 'River', 'Dragon', 'Glass', 'Night', 'Winter', 'Signal', 'Orchard', 'Harbor'];

function entries(count: number, seed: number, idBase: number): WatchlistEntry[] {
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const out: WatchlistEntry[] = [];
  const start = Date.UTC(2015, 0, 1);
  for (let i = 0; out.length < count; i++) {
    const movie = random() < 0.7;
    const year = 1950 + Math.floor(random() * 76);
    const genres = [...new Set([pick(GENRES), pick(GENRES), pick(GENRES)].slice(0, 1 + Math.floor(random() * 3)))];
    const date = `${year}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
    const title = {
      type: movie ? ('movie' as const) : ('show' as const),
      ids: { trakt: idBase + i, slug: `t-${idBase + i}` },
      title: `${pick(WORDS)} ${pick(WORDS)}${random() < 0.2 ? ' 2' : ''}`,
      year,
      overview: 'An overview of the kind Trakt gives: '.padEnd(300, 'x'),
      rating: Math.round((4 + random() * 5.5) * 10) / 10,
      votes: Math.floor(random() * 50_000),
      runtime: movie ? 75 + Math.floor(random() * 106) : 20 + Math.floor(random() * 46),
      genres,
      ...(movie ? { released: date } : { firstAired: `${date}T20:00:00.000Z`, status: 'ended', airedEpisodes: 30 }),
      posterUrl: `https://walter.trakt.tv/images/${idBase + i}.jpg`,
    };
    const listedAt = new Date(start + Math.floor(random() * 3.5e11));
    out.push({ type: title.type, title, listedAt, rank: out.length + 1 } as WatchlistEntry);
    if (!movie && random() < 0.1) {
      for (let s = 1; s <= 3 && out.length < count; s++) out.push({ type: 'season', title, season: s, listedAt, rank: out.length + 1 } as WatchlistEntry);
    }
  }
  return out;
}

interface Case {
  name: string;
  query: WatchlistQuery;
  sort: WatchlistSort;
  /** Pages deep (0: the first). */
  page: number;
}

const CASES: Case[] = [
  { name: 'all, added (unfiltered)', query: { filter: 'all' }, sort: 'added', page: 0 },
  { name: 'movies, title', query: { filter: 'movies' }, sort: 'title', page: 0 },
  { name: 'genre drama, rating', query: { filter: 'all', genre: 'drama' }, sort: 'rating', page: 0 },
  { name: 'movies+horror+1990-2010+≤2h, added', query: { filter: 'movies', genre: 'horror', yearFrom: 1990, yearTo: 2010, maxRuntime: 120 }, sort: 'added', page: 0 },
  { name: 'shows+comedy, released', query: { filter: 'shows', genre: 'comedy' }, sort: 'released', page: 0 },
  { name: '≤90 min, runtime', query: { filter: 'all', maxRuntime: 90 }, sort: 'runtime', page: 0 },
  { name: '2000-, year, page 20', query: { filter: 'all', yearFrom: 2000 }, sort: 'year', page: 20 },
  { name: 'movies+science-fiction, title, page 5', query: { filter: 'movies', genre: 'science-fiction' }, sort: 'title', page: 5 },
];

if (DATABASE_URL !== '') process.env.TEST_DATABASE_URL = DATABASE_URL;
const { throwAwayDatabase } = await import('../../test/helpers/db.js');
const { createWatchlistStore } = await import('../../src/bot/services/stores.js');
const { upsertChatIdentity } = await import('../../src/db/queries/identities.js');

const ms = (n: number) => `${n.toFixed(2)} ms`;
console.log(`watchlist view benchmark: a ${ITEMS}-item copy (+${OTHERS} × 2,000 other users), ${REPS} reps per query; ${DATABASE_URL === '' ? 'embedded PGlite' : 'Postgres (BENCH_DATABASE_URL)'}`);
console.log(`  load average at start (1/5/15 min): ${loadavg().map((n) => n.toFixed(2)).join(' / ')}`);

const holder = await throwAwayDatabase();
const database = await holder.open();
try {
  await database.migrate();
  const store = createWatchlistStore(database.db);
  const now = new Date();
  const seedStart = performance.now();
  const owner = (await upsertChatIdentity(database.db, { platform: 'telegram', platformUserId: '9000000001' })).id;
  await store.replace(owner, entries(ITEMS, 1, 1_000_000), now, now);
  for (let o = 0; o < OTHERS; o++) {
    const other = (await upsertChatIdentity(database.db, { platform: 'telegram', platformUserId: String(9000000100 + o) })).id;
    await store.replace(other, entries(2000, 100 + o, 2_000_000 + o * 10_000), now, now);
  }
  await database.db.execute(sql`analyze watchlist_items`);
  console.log(`  seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

  const timeIt = async (work: () => Promise<unknown>): Promise<number[]> => {
    for (let i = 0; i < 5; i++) await work();
    const times: number[] = [];
    for (let i = 0; i < REPS; i++) {
      const t0 = performance.now();
      await work();
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b);
  };
  const all: number[] = [];
  const filtered: number[] = [];
  console.log('\n  page of 10 (WatchlistStore.page)                 total   p50        p99        max');
  for (const c of CASES) {
    const { total } = await store.page(owner, { ...c.query, sort: c.sort, offset: c.page * 10, limit: 10 });
    const times = await timeIt(() => store.page(owner, { ...c.query, sort: c.sort, offset: c.page * 10, limit: 10 }));
    all.push(...times);
    if (c.name !== 'all, added (unfiltered)') filtered.push(...times);
    console.log(`  ${c.name.padEnd(46)} ${String(total).padStart(6)}   ${ms(percentile(times, 50)).padEnd(10)} ${ms(percentile(times, 99)).padEnd(10)} ${ms(times.at(-1) ?? NaN)}`);
  }
  filtered.sort((a, b) => a - b);
  const p99 = percentile(filtered, 99);
  console.log(`\n  filtered pages, all cases: p50 ${ms(percentile(filtered, 50))}, p99 ${ms(p99)}, max ${ms(filtered.at(-1) ?? NaN)} — goal p99 ≤ ${GOAL_P99_MS} ms: ${p99 <= GOAL_P99_MS ? 'met' : 'NOT met'}`);

  const heavy = CASES[3] as Case;
  let last: string | undefined;
  const random = await timeIt(async () => {
    last = (await store.random(owner, heavy.query, last)).item?.key;
  });
  console.log(`  /random (${heavy.name.split(',')[0]}): p50 ${ms(percentile(random, 50))}, p99 ${ms(percentile(random, 99))}`);
  const genres = await timeIt(() => store.genres(owner, { filter: 'movies' }, 12));
  console.log(`  filter panel genres (movies): p50 ${ms(percentile(genres, 50))}, p99 ${ms(percentile(genres, 99))}`);

  // The same page as if genres and runtime were read from `data` by path (no generated columns).
  const byPath = await timeIt(() =>
    database.db.execute(sql`
      select *, count(*) over () as total from watchlist_items
      where identity_id = ${owner} and type = 'movie' and year between 1990 and 2010
        and (data #> '{target,title,genres}') @> '["horror"]'::jsonb and (data #>> '{target,title,runtime}')::numeric <= 120
      order by listed_at desc, item_key limit 10`),
  );
  console.log(`  for comparison, ${heavy.name.split(',')[0]} read from data by JSON path: p50 ${ms(percentile(byPath, 50))}, p99 ${ms(percentile(byPath, 99))}`);
  console.log(`  load average at end (1/5/15 min): ${loadavg().map((n) => n.toFixed(2)).join(' / ')}`);
  process.exitCode = p99 <= GOAL_P99_MS ? 0 : 1;
} finally {
  await holder.drop();
}
