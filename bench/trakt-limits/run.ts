/**
 * Benchmark: the Trakt client under Trakt's real rate limits (REFERENCE §4).
 *
 *   node --import tsx bench/trakt-limits/run.ts
 *
 * Starts the Trakt emulator in a child process with the real limits (1 write/s per user, 1000 GETs per
 * 5 min per user and per app), then simulated users drive ONE client for a fixed time. Everything
 * stays on 127.0.0.1.
 *
 * - Every user writes as fast as the client lets it (add 1..N titles, then remove them again), and
 *   reads at a steady pace alongside (last activities, a watchlist page, a search).
 * - A few "heavy readers" read far faster than allowed: they use up their whole 1000-GET window within
 *   seconds and must then be held by the limiter, not answered with 429s.
 * - Every second a "group chat burst" makes many users open the same title at once (app-level GETs),
 *   which the client shares.
 *
 * Printed: 429s (must be 0), achieved/allowed rate per class (writes must reach ≥0.9), requests saved
 * by batching and by sharing, time queued. Exit code 1 if a 429 was seen or writes stayed below 0.9.
 *
 * Environment (all optional): BENCH_USERS (200), BENCH_SECONDS (20), BENCH_READS_PER_SECOND (1, per
 * user), BENCH_MAX_ITEMS (8, titles per write), BENCH_HEAVY_READERS (2), BENCH_HEAVY_READ_RATE (150/s),
 * BENCH_BURST_SIZE (20),
 * BENCH_JSON=1 (also print the raw counters).
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { createTraktClient } from '../../src/trakt/client.js';
import type { AccessTokenProvider, WatchlistRef } from '../../src/trakt/types.js';
import type { BenchSetup, ServerReport } from './emulator-process.js';

function envNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(n)) return fallback;
  return Math.min(max, Math.max(min, n));
}

// Bounded in count and time whatever the environment says.
const USERS = Math.round(envNumber('BENCH_USERS', 200, 1, 1000));
const SECONDS = Math.round(envNumber('BENCH_SECONDS', 20, 2, 120));
const READS_PER_SECOND = envNumber('BENCH_READS_PER_SECOND', 1, 0, 10);
const MAX_ITEMS = Math.round(envNumber('BENCH_MAX_ITEMS', 8, 1, 100));
const HEAVY_READERS = Math.round(envNumber('BENCH_HEAVY_READERS', 2, 0, 10));
const BURST_SIZE = Math.round(envNumber('BENCH_BURST_SIZE', 20, 1, 200));
const HEAVY_READ_RATE = envNumber('BENCH_HEAVY_READ_RATE', 150, 1, 1000);
const POPULAR_QUERIES = ['avengers', 'breaking bad', 'the office', 'dune', 'matrix', 'star wars', 'friends', 'alien'];

/** Trakt's real limits, which the emulator child enforces and the client defaults to. */
const WRITES_PER_SECOND = 1;
const GET_LIMIT = 1000;
const GET_PERIOD_SECONDS = 300;

interface Child {
  setup: BenchSetup;
  report(from: number, to: number): Promise<ServerReport>;
  close(): void;
}

function startChild(): Promise<Child> {
  const child = fork(path.join(import.meta.dirname, 'emulator-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_USERS: String(USERS), BENCH_HEAVY_READERS: String(HEAVY_READERS) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`emulator process exited early (${code})`)));
    child.once('message', (message: { type: string; setup: BenchSetup }) => {
      if (message.type !== 'ready') return reject(new Error('unexpected message from the emulator process'));
      child.removeAllListeners('exit');
      resolve({
        setup: message.setup,
        report: (from, to) =>
          new Promise((res) => {
            child.once('message', (m: { type: string; report: ServerReport }) => res(m.report));
            child.send({ type: 'report', from, to });
          }),
        close: () => {
          if (child.connected) child.send({ type: 'close' });
          setTimeout(() => child.kill(), 2000).unref();
        },
      });
    });
  });
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

const fmt = (n: number, digits = 1): string => n.toFixed(digits);

async function main(): Promise<void> {
  const started = performance.now();
  const loadBefore = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const child = await startChild();
  // Watchdog: the run ends even if something hangs.
  const watchdog = setTimeout(() => {
    console.error('benchmark watchdog fired');
    child.close();
    process.exit(1);
  }, (SECONDS + 90) * 1000);
  watchdog.unref();

  const { setup } = child;
  const client = createTraktClient({
    apiUrl: setup.url,
    authUrl: setup.authUrl,
    clientId: setup.clientId,
    clientSecret: setup.clientSecret,
    userAgent: 'Marquee-bench/0.1.0',
    // Limits, retries and timeouts are the client's defaults: nothing is tuned for the benchmark.
  });
  const providers: AccessTokenProvider[] = setup.users.map((u) => ({
    key: u.username,
    getAccessToken: () => Promise.resolve(u.accessToken),
  }));
  const normal = providers.slice(0, USERS);
  const heavy = providers.slice(USERS);
  const heavyKeys = new Set(heavy.map((p) => p.key));

  const errors = new Map<string, number>();
  const countError = (error: unknown): void => {
    const name = error instanceof Error ? error.name : 'unknown';
    errors.set(name, (errors.get(name) ?? 0) + 1);
  };
  const ops = { writes: 0, reads: 0, heavyReads: 0, burstRequested: 0 };
  let heavyHeldAtDeadline = 0;

  const cpuAtStart = process.cpuUsage();
  const t0 = Date.now();
  const deadline = t0 + SECONDS * 1000;
  let closing = false;

  async function writeLoop(provider: AccessTokenProvider): Promise<void> {
    const me = client.forUser(provider);
    let listed: WatchlistRef[] = [];
    while (Date.now() < deadline) {
      try {
        if (listed.length > 0) {
          await me.removeFromWatchlist(listed);
          listed = [];
        } else {
          const count = 1 + Math.floor(Math.random() * MAX_ITEMS);
          const refs: WatchlistRef[] = Array.from({ length: count }, () =>
            Math.random() < 0.6
              ? { type: 'movie' as const, ids: { trakt: pick(setup.movies) } }
              : { type: 'show' as const, ids: { trakt: pick(setup.shows) } },
          );
          await me.addToWatchlist(refs);
          listed = refs;
        }
        ops.writes += 1;
      } catch (error) {
        countError(error);
      }
    }
  }

  async function readLoop(provider: AccessTokenProvider): Promise<void> {
    if (READS_PER_SECOND <= 0) return;
    const me = client.forUser(provider);
    const gap = 1000 / READS_PER_SECOND;
    // Spread the users over the first interval instead of starting all reads at once.
    await sleep(Math.random() * gap);
    while (Date.now() < deadline) {
      const tick = Date.now();
      try {
        const r = Math.random();
        if (r < 0.35) await me.lastActivities();
        else if (r < 0.7) await me.watchlistPage({ type: 'all', page: 1, limit: 10 });
        else await me.search({ query: pick(POPULAR_QUERIES), types: ['movie', 'show'], limit: 10 });
        ops.reads += 1;
      } catch (error) {
        countError(error);
      }
      await sleep(Math.max(0, gap - (Date.now() - tick)));
    }
  }

  /**
   * Reads at HEAVY_READ_RATE per second, far above the sustained 3.3/s: its 1000-GET window is used up
   * within seconds, after which the limiter must hold it (no 429) until the run ends.
   */
  async function heavyReadLoop(provider: AccessTokenProvider): Promise<void> {
    const me = client.forUser(provider);
    const gap = 1000 / HEAVY_READ_RATE;
    let page = 0;
    while (Date.now() < deadline && !closing) {
      const tick = Date.now();
      page = (page % 40) + 1;
      const read = me.watchlistPage({ type: 'all', page, limit: 1 });
      const outcome = await Promise.race([
        read.then(() => 'done' as const),
        sleep(Math.max(0, deadline - Date.now())).then(() => 'deadline' as const),
      ]);
      if (outcome === 'deadline') {
        heavyHeldAtDeadline += 1;
        // The request stays queued until close() drops it.
        read.catch(() => undefined);
        return;
      }
      ops.heavyReads += 1;
      await sleep(Math.max(0, gap - (Date.now() - tick)));
    }
  }

  /** Every second, a title card lands in a group chat and BURST_SIZE members open it at once. */
  async function burstLoop(): Promise<void> {
    while (Date.now() < deadline) {
      const tick = Date.now();
      const show = pick(setup.popularShows);
      ops.burstRequested += BURST_SIZE;
      const results = await Promise.allSettled(Array.from({ length: BURST_SIZE }, () => client.showSeasons(show)));
      for (const r of results) if (r.status === 'rejected') countError(r.reason);
      await sleep(Math.max(0, 1000 - (Date.now() - tick)));
    }
  }

  let atDeadline = client.stats();
  const snapshotTimer = setTimeout(() => {
    atDeadline = client.stats();
  }, SECONDS * 1000);

  await Promise.all([...normal.map(writeLoop), ...normal.map(readLoop), ...heavy.map(heavyReadLoop), burstLoop()]);
  clearTimeout(snapshotTimer);
  closing = true;
  const clientCpu = process.cpuUsage(cpuAtStart);
  const runSeconds = (Date.now() - t0) / 1000;
  const final = client.stats();
  const server = await child.report(t0, deadline);
  client.close();
  child.close();

  const allowedWrites = USERS * SECONDS * WRITES_PER_SECOND;
  // Each user's achieved rate is 1 / (mean gap between its consecutive writes), read from the
  // emulator's clock; unlike a count in the window it is not rounded to whole writes per user.
  const achievedWritesPerSecond = server.meanWriteGapMs === null ? 0 : (USERS * 1000) / server.meanWriteGapMs;
  const writeRatio = achievedWritesPerSecond / (USERS * WRITES_PER_SECOND);
  const sustainedPerUser = GET_LIMIT / GET_PERIOD_SECONDS;
  const userGetsNormal = atDeadline.requestsSent.userGet - ops.heavyReads;
  const savedByBatching = final.itemsBatched - final.batchRequests;
  const heavySent = Object.entries(server.getsByUser).filter(([u]) => heavyKeys.has(u)).reduce((n, [, c]) => n + c, 0);

  const lines = [
    `Trakt client under Trakt's real limits: ${USERS} users + ${HEAVY_READERS} heavy readers, ${SECONDS} s, one client;`,
    `emulator in its own process on 127.0.0.1; ${os.cpus().length} CPUs, load average before the run ${loadBefore}`,
    ``,
    `429s received by the client ......... ${final.rateLimited}   (emulator sent ${server.status429})`,
    `writes .............................. ${fmt(achievedWritesPerSecond)}/s; allowed ${fmt(allowedWrites / SECONDS)}/s → ${fmt(writeRatio, 3)} of allowed`,
    `  gap between two writes of one user, at the emulator: mean ${fmt(server.meanWriteGapMs ?? NaN, 0)} ms, smallest ${server.minWriteGapMs ?? 'n/a'} ms; ${server.writesInWindow} writes in the ${SECONDS} s window`,
    `user GETs (paced users) ............. ${userGetsNormal} = ${fmt(userGetsNormal / SECONDS)}/s; sustained allowed ${fmt(USERS * sustainedPerUser)}/s → ${fmt(userGetsNormal / SECONDS / (USERS * sustainedPerUser), 3)} (demand-bound: ${READS_PER_SECOND}/s per user)`,
    `user GETs (heavy readers) ........... ${heavySent} sent = ${fmt(heavySent / Math.max(1, HEAVY_READERS * GET_LIMIT), 3)} of their window budget (${HEAVY_READERS} × ${GET_LIMIT} per ${GET_PERIOD_SECONDS} s); ${heavyHeldAtDeadline} still waiting at the end`,
    `app GETs ............................ ${atDeadline.requestsSent.appGet} sent for ${ops.burstRequested} requested; budget ${GET_LIMIT} per ${GET_PERIOD_SECONDS} s for the whole app`,
    `saved by batching ................... ${savedByBatching} requests (${final.itemsBatched} items in ${final.batchRequests} write requests, ${fmt(final.itemsBatched / Math.max(1, final.batchRequests), 2)} items/request)`,
    `saved by sharing identical GETs ..... ${final.savedByDedupe} requests`,
    `time queued in the limiter (p50 / p99 / max, ms):`,
    `  writes    ${fmt(final.queued.write.p50Ms, 0)} / ${fmt(final.queued.write.p99Ms, 0)} / ${fmt(final.queued.write.maxMs, 0)}  (n=${final.queued.write.count}; back-to-back writes wait for their user's 1 s slot by design)`,
    `  user GETs ${fmt(final.queued.userGet.p50Ms, 0)} / ${fmt(final.queued.userGet.p99Ms, 0)} / ${fmt(final.queued.userGet.maxMs, 0)}  (n=${final.queued.userGet.count}; held heavy reads not included)`,
    `  app GETs  ${fmt(final.queued.appGet.p50Ms, 0)} / ${fmt(final.queued.appGet.p99Ms, 0)} / ${fmt(final.queued.appGet.maxMs, 0)}  (n=${final.queued.appGet.count})`,
    `retries ............................. ${final.retries}`,
    `errors .............................. ${errors.size === 0 ? 'none' : JSON.stringify(Object.fromEntries(errors))}`,
    `operations .......................... ${ops.writes} writes, ${ops.reads} paced reads, ${ops.heavyReads} heavy reads`,
    `CPU used during the run ............. client process ${fmt((clientCpu.user + clientCpu.system) / 1e6)} s, emulator process ${fmt(server.cpuMs / 1000)} s (of ${fmt(runSeconds)} s × ${os.cpus().length} CPUs, shared with whatever else runs)`,
    `wall time ........................... ${fmt((performance.now() - started) / 1000)} s (including emulator start)`,
  ];
  console.log(lines.join('\n'));
  if (process.env['BENCH_JSON'] === '1') {
    console.log(JSON.stringify({ users: USERS, heavyReaders: HEAVY_READERS, seconds: SECONDS, atDeadline, final, server, ops }, null, 2));
  }

  const ok = final.rateLimited === 0 && server.status429 === 0 && writeRatio >= 0.9;
  if (!ok) console.log('\nFAIL: expected no 429 and writes at ≥0.9 of the allowed rate');
  process.exitCode = ok ? 0 : 1;
}

await main();
