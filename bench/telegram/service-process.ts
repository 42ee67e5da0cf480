/**
 * The Marquee service for the Telegram benchmark, in its own process (as in production), started with
 * `startService` from the environment the parent passes. It also links benchmark users: it stores
 * emulator-issued tokens the way a completed link does (`saveTraktLink`).
 *
 * It counts database round trips (`Database.queryStats`, enabled here once the users are linked) and
 * samples its own RSS every 20 ms, so the parent can read both per phase.
 *
 * parent → child: { type: 'link', links } | { type: 'stats', gc? } (figures since the previous 'stats', then a new period starts) | { type: 'stop' }
 * child → parent: { type: 'ready', url } | { type: 'linked' } | { type: 'stats', ...ServiceStats } | { type: 'failed', message }
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type * as Client from '../../src/db/client.js';
import type * as Identities from '../../src/db/queries/identities.js';
import type * as TraktLinks from '../../src/db/queries/trakt-links.js';
import type * as Logging from '../../src/logger.js';
import type * as Main from '../../src/main.js';
import type { BenchUser } from './trakt-process.js';

// BENCH_SERVICE_DIST: the service compiled by tsc (as production runs it, `node dist/main.js`), not
// transpiled on the fly by tsx, which alone adds about 65 MB of RSS.
const base = process.env.BENCH_SERVICE_DIST ? pathToFileURL(`${process.env.BENCH_SERVICE_DIST}/`).href : new URL('../../src/', import.meta.url).href;
const { upsertChatIdentity } = (await import(`${base}db/queries/identities.js`)) as typeof Identities;
const { saveTraktLink } = (await import(`${base}db/queries/trakt-links.js`)) as typeof TraktLinks;
const { createLogger } = (await import(`${base}logger.js`)) as typeof Logging;
const { startService } = (await import(`${base}main.js`)) as typeof Main;

const send = (message: unknown): void => {
  process.send?.(message);
};

/** What the parent reads with { type: 'stats' }; RSS figures in bytes. */
export interface ServiceStats {
  queries: number;
  transactions: number;
  /** CPU time of the whole service process (every thread, PGlite's included), user + system, in ms. */
  cpuMs: number;
  /** Share of the period the main thread's event loop was busy (0..1). */
  mainBusy: number;
  rss: number;
  /** Highest RSS sampled (every 20 ms) since the previous reading. */
  peakRss: number;
  /** Highest RSS of the process's whole life (getrusage), startup included. */
  maxRss: number;
  heapUsed: number;
  heapTotal: number;
  /** JS heap still in use after a full garbage collection (what the service keeps), when asked for. */
  liveHeap: number | null;
  /** Memory outside the JS heap that the main thread's V8 knows of (PGlite runs on a worker thread: its WASM memory is in the RSS, not here). */
  external: number;
  /** Postgres only: RSS of the server processes serving this service's connections, summed (shared memory counted once per process), or null. */
  dbRss: number | null;
}

let peakRss = process.memoryUsage.rss();
let cpuFrom = process.cpuUsage();
let loopFrom = performance.eventLoopUtilization();
setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 20).unref();

const service = await startService({
  env: process.env,
  logger: createLogger({ level: (process.env.LOG_LEVEL as 'warn' | undefined) ?? 'warn' }),
}).catch((error: unknown) => {
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
send({ type: 'ready', url: service.url });

async function link(links: Array<{ telegramId: number; user: BenchUser }>): Promise<void> {
  for (const { telegramId, user } of links) {
    const identity = await upsertChatIdentity(service.database.db, { platform: 'telegram', platformUserId: String(telegramId) });
    const createdAt = new Date(user.createdAt * 1000);
    await saveTraktLink(
      service.database.db,
      service.keyRing,
      identity.id,
      { username: user.username, slug: user.slug, uuid: user.uuid, vip: true, watchlistLimit: 5000 },
      { accessToken: user.accessToken, refreshToken: user.refreshToken, createdAt, expiresAt: new Date(createdAt.getTime() + user.expiresIn * 1000) },
    );
  }
}

/** Postgres: VmRSS of the backends with this service's connections (same machine only; null when unreadable). */
async function backendRss(): Promise<number | null> {
  if (service.database.driver !== 'pg') return null;
  try {
    const { readFile } = await import('node:fs/promises');
    const { sql } = await import('drizzle-orm');
    const { rowsOf } = (await import(`${base}db/client.js`)) as typeof Client;
    const result = await service.database.db.execute(
      sql`select pid from pg_stat_activity where datname = current_database() and application_name = '' and backend_type = 'client backend'`,
    );
    let total = 0;
    for (const { pid } of rowsOf<{ pid: number }>(result)) {
      const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
      total += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    }
    return total > 0 ? total : null;
  } catch {
    return null;
  }
}

async function stats(collect: boolean): Promise<ServiceStats> {
  const { queryStats } = service.database;
  // Read the counts before the backend query below, which is the benchmark's, not the bot's.
  const queries = queryStats.queries;
  const transactions = queryStats.transactions;
  const dbRss = await backendRss();
  const memory = process.memoryUsage();
  peakRss = Math.max(peakRss, memory.rss);
  // The parent starts this process with --expose-gc; a collection after the RSS reading leaves it unchanged.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (collect && gc !== undefined) gc();
  const liveHeap = collect && gc !== undefined ? process.memoryUsage().heapUsed : null;
  const cpu = process.cpuUsage(cpuFrom);
  const loop = performance.eventLoopUtilization(loopFrom);
  const figures: ServiceStats = {
    queries,
    transactions,
    cpuMs: (cpu.user + cpu.system) / 1000,
    mainBusy: loop.utilization,
    rss: memory.rss,
    peakRss,
    maxRss: process.resourceUsage().maxRSS * 1024,
    heapUsed: memory.heapUsed,
    heapTotal: memory.heapTotal,
    liveHeap,
    external: memory.external,
    dbRss,
  };
  // Also drops the backend query just sent.
  queryStats.reset();
  peakRss = memory.rss;
  cpuFrom = process.cpuUsage();
  loopFrom = performance.eventLoopUtilization();
  return figures;
}

/**
 * BENCH_PHASE_PROFILES=dir: a CPU profile of the main thread per period (one file per 'stats' reading,
 * numbered), so each phase of the `phases` schedule can be read on its own.
 */
const phaseProfiles = process.env.BENCH_PHASE_PROFILES;
const inspector = phaseProfiles ? new (await import('node:inspector/promises')).Session() : undefined;
let phase = 0;
if (inspector !== undefined) {
  inspector.connect();
  await inspector.post('Profiler.enable');
  await inspector.post('Profiler.start');
}
let profiling = Promise.resolve();
function nextProfile(): Promise<void> {
  profiling = profiling.then(saveProfile, saveProfile);
  return profiling;
}
async function saveProfile(): Promise<void> {
  if (inspector === undefined || phaseProfiles === undefined) return;
  const { profile } = await inspector.post('Profiler.stop');
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir(phaseProfiles, { recursive: true });
  await writeFile(`${phaseProfiles}/phase-${String(phase++).padStart(2, '0')}.cpuprofile`, JSON.stringify(profile));
  await inspector.post('Profiler.start');
}

process.on('message', (message: { type: string; gc?: boolean; links?: Array<{ telegramId: number; user: BenchUser }> }) => {
  if (message.type === 'stats') {
    stats(message.gc === true).then(
      async (figures) => {
        send({ type: 'stats', ...figures });
        await nextProfile();
      },
      (error: unknown) => send({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
    );
  }
  if (message.type === 'link') {
    link(message.links ?? []).then(
      () => {
        service.database.queryStats.enable();
        send({ type: 'linked' });
      },
      (error: unknown) => send({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
    );
  }
  if (message.type === 'stop') void service.stop('benchmark over').then(() => process.exit(0));
});
process.on('disconnect', () => void service.stop('parent gone').then(() => process.exit(0)));
