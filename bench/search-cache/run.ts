/**
 * Benchmark: the shared search and metadata caches (issue 13). In process, no network; bounded in count.
 *
 *   node --import tsx bench/search-cache/run.ts
 *   BENCH_HOURS=24 node --import tsx bench/search-cache/run.ts      # the same searches spread over a day
 *
 * The real Trakt port (`createTraktPort`, src/bot/services/trakt-port.ts, with its production cache
 * rules) over a Trakt client double that counts the requests it would send. BENCH_USERS users
 * (100) make BENCH_SEARCHES searches (1,000) drawn from a Zipf-like distribution (exponent
 * BENCH_ZIPF_S, 1.0) over BENCH_QUERIES distinct titles (200), typed with varying case and spacing as
 * people do ("Dune", "dune ", "DUNE"); half of the users are linked (their searches go through their
 * own client, with their token), half are not (the app-level catalog). The request shape is /search's
 * (movies and shows, page 1, 10 results). Alongside, as many IMDb-id lookups (/add tt…) drawn the same
 * way over BENCH_IDS ids (500). Searches are spread evenly over BENCH_HOURS hours (0: all at once) on a
 * simulated clock, so the 1 h search lifetime and 24 h metadata lifetime apply.
 *
 * Prints requests sent to Trakt, hit rates, and the cache sizes; the exit code is 1 if a repeated
 * search ever reached Trakt within its lifetime (hits + misses must equal searches, misses must equal
 * the distinct keys per lifetime window).
 */
import { createTraktPort } from '../../src/bot/services/trakt-port.js';
import type { AccessTokenProvider, Page, SearchHit } from '../../src/trakt/types.js';
import type { TraktClient, TraktUserClient } from '../../src/trakt/client.js';
import type { TokenManager } from '../../src/accounts/token-manager.js';

const SEARCHES = clamp(Number(process.env.BENCH_SEARCHES ?? 1000), 10, 1_000_000);
const USERS = clamp(Number(process.env.BENCH_USERS ?? 100), 1, 100_000);
const QUERIES = clamp(Number(process.env.BENCH_QUERIES ?? 200), 1, 100_000);
const IDS = clamp(Number(process.env.BENCH_IDS ?? 500), 1, 100_000);
const ZIPF_S = Number(process.env.BENCH_ZIPF_S ?? 1.0);
const HOURS = clamp(Number(process.env.BENCH_HOURS ?? 0), 0, 24 * 30);

function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : min;
}

/** mulberry32: a seeded generator, so every run draws the same mix. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws ranks 0..n-1 with P(k) ∝ 1/(k+1)^s. */
function zipf(n: number, s: number, random: () => number): () => number {
  const cumulative: number[] = [];
  let total = 0;
  for (let k = 0; k < n; k += 1) cumulative.push((total += 1 / (k + 1) ** s));
  return () => {
    const x = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const random = seeded(13);
let now = 1;
const sent = { search: 0, lookup: 0 };

function fakePage(query: string): Page<SearchHit> {
  const items: SearchHit[] = Array.from({ length: 10 }, (_, i) => ({
    type: 'movie',
    score: 100 - i,
    title: { type: 'movie', title: `${query} ${i}`, year: 2000 + i, ids: { trakt: i + 1, slug: `${query}-${i}` }, posterUrl: null },
  })) as unknown as SearchHit[];
  return { items, pagination: { page: 1, limit: 10, pageCount: 1, itemCount: 10 } } as unknown as Page<SearchHit>;
}
const reads = {
  search: async (input: { query: string }) => ((sent.search += 1), fakePage(input.query)),
  lookupId: async (input: { id: string | number }) => ((sent.lookup += 1), fakePage(String(input.id)).items.slice(0, 1)),
};
const trakt = { ...reads, forUser: (_provider: AccessTokenProvider) => reads as unknown as TraktUserClient } as unknown as TraktClient;
const tokens = {
  providerFor: async (identityId: number): Promise<AccessTokenProvider> => ({ key: `user:${identityId}`, getAccessToken: async () => 'token' }),
} as unknown as TokenManager;

const port = createTraktPort({ trakt, tokens }, { perf: { now: () => now } });

const queries = Array.from({ length: QUERIES }, (_, i) => `title number ${i}`);
const drawQuery = zipf(QUERIES, ZIPF_S, random);
const drawId = zipf(IDS, ZIPF_S, random);
/** How people type the same title: case and spacing vary, the words do not. */
function typed(query: string): string {
  const r = random();
  if (r < 0.2) return query.toUpperCase();
  if (r < 0.4) return `${query[0]?.toUpperCase()}${query.slice(1)}`;
  if (r < 0.5) return ` ${query.replace(/ /g, '  ')} `;
  return query;
}

const started = performance.now();
const stepMs = SEARCHES > 1 ? (HOURS * 60 * 60_000) / (SEARCHES - 1) : 0;
const searchWindows = new Set<string>();
const lookupWindows = new Set<string>();
for (let i = 0; i < SEARCHES; i += 1) {
  now = 1 + i * stepMs;
  const user = Math.floor(random() * USERS);
  const linked = user % 2 === 0;
  const catalog = linked ? await port.forIdentity(user) : port.catalog();
  const rank = drawQuery();
  await catalog.search({ query: typed(queries[rank] as string), types: ['movie', 'show'], page: 1, limit: 10 });
  const id = `tt${String(1_000_000 + drawId())}`;
  await catalog.lookupImdb(id);
  // For comparison: distinct titles per clock hour (ids per clock day). With everything at once, the
  // cache must read each distinct title exactly once.
  searchWindows.add(`${rank}@${Math.floor((now - 1) / (60 * 60_000))}`);
  lookupWindows.add(`${id}@${Math.floor((now - 1) / (24 * 60 * 60_000))}`);
}
const elapsedMs = performance.now() - started;
const stats = port.cacheStats();
const rate = (hits: number, total: number) => `${((100 * hits) / Math.max(1, total)).toFixed(1)} %`;

console.log(`search cache benchmark: ${SEARCHES} searches + ${SEARCHES} IMDb lookups, ${USERS} users (half linked), Zipf s=${ZIPF_S}`);
console.log(`  over ${QUERIES} titles / ${IDS} ids, spread over ${HOURS} h (search lifetime 1 h, metadata 24 h)`);
console.log('');
console.log(`  searches: ${SEARCHES}, Trakt search requests: ${sent.search}, hit rate ${rate(stats.search.hits, SEARCHES)} (distinct titles drawn per hour window: ${searchWindows.size})`);
console.log(`  lookups:  ${SEARCHES}, Trakt lookup requests: ${sent.lookup}, hit rate ${rate(stats.metadata.hits, SEARCHES)} (distinct ids per day window: ${lookupWindows.size})`);
console.log(`  cache entries: ${stats.search.size} searches, ${stats.metadata.size} lookups; ${elapsedMs.toFixed(0)} ms in all`);
if (process.env.BENCH_JSON === '1') console.log(JSON.stringify({ sent, stats, searchWindows: searchWindows.size, lookupWindows: lookupWindows.size }));

const ok = stats.search.hits + stats.search.misses === SEARCHES && sent.search === stats.search.misses && (HOURS > 0 || sent.search === searchWindows.size);
process.exit(ok ? 0 : 1);
