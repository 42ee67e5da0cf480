import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import * as schema from './schema.js';
import { startPgliteThread } from './pglite-thread.js';

// Each driver is loaded only when used: node-postgres and its drizzle driver alone add about 20 MB of
// RSS to a process that runs on PGlite.

export type Schema = typeof schema;
/** The drizzle handle queries take as their first argument; the same type for both drivers. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  readonly db: Db;
  readonly driver: 'pg' | 'pglite';
  /** Applies pending migrations; returns how many this call applied. Safe to call concurrently from many processes. */
  migrate(): Promise<number>;
  /** Database reachable and every committed migration applied. */
  checkReady(): Promise<{ ok: true } | { ok: false; reason: string }>;
  close(): Promise<void>;
  /**
   * Round trips to the database (statements sent, BEGIN and COMMIT included), counted only while
   * enabled: off by default, one boolean check per statement when off. Both drivers count alike.
   */
  readonly queryStats: QueryStats;
  /** The Postgres pool's connections now (metrics); null on PGlite, which has one in-process connection. */
  poolUse(): PoolUse | null;
}

export interface PoolUse {
  /** Connections open, idle ones included. */
  total: number;
  idle: number;
  /** Queries waiting for a connection. */
  waiting: number;
  max: number;
}

export interface QueryStats {
  /** Whether statements are being counted now. */
  readonly enabled: boolean;
  /** Statements sent while counting was on (each BEGIN, COMMIT and ROLLBACK is one). */
  readonly queries: number;
  /** Transactions begun while counting was on. */
  readonly transactions: number;
  enable(): void;
  disable(): void;
  /** Sets both counts back to 0. */
  reset(): void;
}

function createQueryStats(enabled: boolean): QueryStats & { count(n?: number): void; begin(): void } {
  let on = enabled;
  let queries = 0;
  let transactions = 0;
  return {
    get enabled() {
      return on;
    },
    get queries() {
      return queries;
    },
    get transactions() {
      return transactions;
    },
    enable: () => {
      on = true;
    },
    disable: () => {
      on = false;
    },
    reset: () => {
      queries = 0;
      transactions = 0;
    },
    count: (n = 1) => {
      if (on) queries += n;
    },
    begin: () => {
      if (on) transactions += 1;
    },
  };
}

/** Where the committed SQL migrations live, from src/db (tsx) and from dist/db (built) alike. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

const MIGRATIONS_SCHEMA = 'drizzle';
const MIGRATIONS_TABLE = '__drizzle_migrations';
/** Key of the advisory lock that serializes migrations across processes ("marquee" in ASCII, shortened). */
const MIGRATION_LOCK_KEY = 0x6d617271;

/**
 * Postgres settings for the embedded PGlite. Its WASM heap grows and never shrinks, and Postgres's
 * defaults are sized for a server with the host's page cache behind it: 128 MB of shared buffers alone
 * fill about that much of the heap once the tables have been read. One process, one backend, a small
 * database: the buffers hold the pages in use, and the files underneath stay in the OS page cache.
 * PGlite touches all of its shared buffers at start, so each MB here is a MB of RSS from the first
 * second: 8 MB instead of 16 took 10-15 MB off the memory benchmark's peak, which then stays under its
 * 250 MB goal with a margin (12 MB reached 250 in one of three runs). The price is paid by very long
 * watchlists: a filtered page of a 10,000-item list reads more pages from the files, p50 6-7 → 9 ms,
 * p99 13 → 17-18 ms on bench/watchlist-view, still under its 20 ms goal (bench/README, "Memory").
 */
export const PGLITE_SETTINGS: readonly string[] = [
  'shared_buffers=8MB',
  'temp_buffers=1MB',
  'maintenance_work_mem=16MB',
];

export interface CreateDatabaseOptions {
  /** Postgres URL; null for embedded PGlite. */
  databaseUrl: string | null;
  /** PGlite data directory (`DATA_DIR/pglite`); `memory://` for a throw-away instance. */
  pgliteDataDir?: string;
  poolSize?: number;
  /** Count round trips from the start (`Database.queryStats`); off by default. */
  countQueries?: boolean;
}

export async function createDatabase(options: CreateDatabaseOptions): Promise<Database> {
  const stats = createQueryStats(options.countQueries ?? false);
  if (options.databaseUrl !== null) return createPgDatabase(options.databaseUrl, options.poolSize ?? 10, stats);
  return createPgliteDatabase(options.pgliteDataDir ?? 'memory://', stats);
}

export function pgliteDirFor(dataDir: string): string {
  return join(dataDir, 'pglite');
}

type Stats = ReturnType<typeof createQueryStats>;

async function createPgDatabase(url: string, poolSize: number, stats: Stats): Promise<Database> {
  const [{ default: pgModule }, { drizzle: drizzlePg }, { migrate: migratePg }] = await Promise.all([
    import('pg'),
    import('drizzle-orm/node-postgres'),
    import('drizzle-orm/node-postgres/migrator'),
  ]);
  const pool = new pgModule.Pool({ connectionString: url, max: poolSize, idleTimeoutMillis: 30_000 });
  // An idle client losing its connection (Postgres restart) must not crash the process.
  pool.on('error', () => undefined);
  // Every statement, through `pool.query` or a checked-out client (transactions), ends in one of the
  // pool's clients' `query`: count there.
  // Each connection also keeps the statements that read or write rows prepared (see `namePrepared`).
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    const prepared = new Set<string>();
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      stats.count();
      if (stats.enabled && isBegin(args[0])) stats.begin();
      namePrepared(args[0], prepared);
      return query(...args);
    };
  });
  const db = drizzlePg({ client: pool, schema }) as unknown as Db;
  let closed = false;
  return {
    db,
    driver: 'pg',
    async migrate() {
      const client = await pool.connect();
      try {
        // Session-level lock: a second instance starting at the same moment waits here, then finds
        // every migration applied and does nothing.
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        try {
          const before = await countAppliedPg(client);
          await migratePg(drizzlePg({ client }), {
            migrationsFolder: MIGRATIONS_FOLDER,
            migrationsSchema: MIGRATIONS_SCHEMA,
            migrationsTable: MIGRATIONS_TABLE,
          });
          return (await countAppliedPg(client)) - before;
        } finally {
          await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
        }
      } finally {
        client.release();
      }
    },
    checkReady: () => checkReady(db),
    queryStats: stats,
    poolUse: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: poolSize }),
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

/** Named statements one connection keeps at most; statements past them run unnamed, as before. */
const PREPARED_PER_CONNECTION = 300;

/**
 * Gives a statement that reads or writes rows a name derived from its text, so that node-postgres
 * prepares it once per connection (Parse on first use, then Bind and Execute only): Postgres then
 * parses and analyses each text once per connection instead of on every run. drizzle leaves `name`
 * unset; a name is never given to DDL or other utility statements. Postgres re-plans a prepared
 * statement by itself when a table it reads changes; only a change of its result columns would fail it,
 * and the service's statements list their columns.
 */
function namePrepared(config: unknown, prepared: Set<string>): void {
  if (typeof config !== 'object' || config === null) return;
  const statement = config as { text?: unknown; name?: unknown };
  if (statement.name !== undefined || typeof statement.text !== 'string' || !PREPARABLE.test(statement.text)) return;
  const name = `mq_${createHash('sha1').update(statement.text).digest('base64url').slice(0, 20)}`;
  if (!prepared.has(name)) {
    if (prepared.size >= PREPARED_PER_CONNECTION) return;
    prepared.add(name);
  }
  statement.name = name;
}
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;

async function createPgliteDatabase(dataDir: string, stats: Stats): Promise<Database> {
  if (!dataDir.startsWith('memory://')) {
    await mkdir(dataDir, { recursive: true });
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await initPgliteDir(dataDir);
  }
  const [{ PGlite }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ]);
  const startParams = [...PGlite.defaultStartParams, ...PGLITE_SETTINGS.flatMap((s) => ['-c', s])];
  // A database on disk runs on its own thread (pglite-thread.ts); a throw-away in-memory one (tests'
  // shared database) stays in this thread.
  const client = (dataDir.startsWith('memory://') ? await PGlite.create(dataDir, { startParams }) : await startPgliteThread(dataDir, startParams)) as PGlite;
  countPgliteQueries(client, stats);
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  let closed = false;
  return {
    db,
    driver: 'pglite',
    async migrate() {
      // One process owns a PGlite directory, so no lock is needed.
      const before = await countApplied(db);
      await migratePglite(drizzlePglite({ client }), {
        migrationsFolder: MIGRATIONS_FOLDER,
        migrationsSchema: MIGRATIONS_SCHEMA,
        migrationsTable: MIGRATIONS_TABLE,
      });
      return (await countApplied(db)) - before;
    },
    checkReady: () => checkReady(db),
    queryStats: stats,
    poolUse: () => null,
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}

/** Data directories created by this process so far; from the second on, a fresh one is copied (below). */
let createdDirs = 0;
let template: Promise<string> | undefined;

/**
 * A new data directory. initdb takes about 5 s of CPU; a process that creates several (the test suite
 * starts a service, each with its own directory, dozens of times) creates one fresh directory once more
 * as a template and copies it (40 MB, milliseconds) for the others. The service itself creates one
 * directory once in its life and never pays for the template.
 */
async function initPgliteDir(dataDir: string): Promise<void> {
  createdDirs += 1;
  if (createdDirs === 1) {
    await initPgliteDirElsewhere(dataDir);
    return;
  }
  template ??= (async () => {
    const dir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'marquee-pglite-template-'));
    try {
      await initPgliteDirElsewhere(dir);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  })().catch((error: unknown) => {
    template = undefined;
    throw error;
  });
  try {
    await cp(await template, dataDir, { recursive: true });
  } catch {
    // The template is gone (or never came): this directory is created on its own.
    template = undefined;
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(dataDir, { recursive: true });
    await initPgliteDirElsewhere(dataDir);
  }
}

/**
 * Creating a PGlite data directory runs initdb, which takes about 600 MB more (a second WASM instance,
 * the file-system bundle) that the process never gives back to the system: it stays in its RSS for
 * good. So a new directory is created by a short-lived Node process, and this one only opens it.
 */
async function initPgliteDirElsewhere(dataDir: string): Promise<void> {
  const pglite = import.meta.resolve('@electric-sql/pglite');
  const script = 'const { PGlite } = await import(process.argv[1]); const db = await PGlite.create(process.argv[2]); await db.close();';
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, pglite, dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`creating the PGlite data directory failed (exit ${code}): ${stderr.trim()}`))));
  });
}

function isBegin(query: unknown): boolean {
  const text = typeof query === 'string' ? query : (query as { text?: unknown } | null)?.text;
  return typeof text === 'string' && /^\s*begin\b/i.test(text);
}

/**
 * PGlite runs in this process, so a "round trip" is one statement handed to it: `query` and `exec`
 * on the instance and on a transaction, and the BEGIN and COMMIT/ROLLBACK that `transaction` sends.
 */
function countPgliteQueries(client: PGlite, stats: Stats): void {
  const query = client.query.bind(client);
  const exec = client.exec.bind(client);
  const transaction = client.transaction.bind(client);
  client.query = ((...args: Parameters<typeof query>) => {
    stats.count();
    return query(...args);
  }) as typeof client.query;
  client.exec = (...args: Parameters<typeof exec>) => {
    stats.count();
    return exec(...args);
  };
  client.transaction = (<T>(callback: (tx: Transaction) => Promise<T>) => {
    stats.count(2);
    stats.begin();
    return transaction((tx) => {
      const txQuery = tx.query.bind(tx);
      const txExec = tx.exec.bind(tx);
      tx.query = ((...args: Parameters<typeof txQuery>) => {
        stats.count();
        return txQuery(...args);
      }) as typeof tx.query;
      tx.exec = (...args: Parameters<typeof txExec>) => {
        stats.count();
        return txExec(...args);
      };
      return callback(tx);
    });
  }) as typeof client.transaction;
}

async function countAppliedPg(client: pg.PoolClient): Promise<number> {
  const exists = await client.query<{ t: string | null }>('select to_regclass($1) as t', [
    `${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}`,
  ]);
  if (exists.rows[0]?.t == null) return 0;
  const result = await client.query<{ n: string }>(`select count(*) as n from ${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}`);
  return Number(result.rows[0]?.n ?? 0);
}

async function countApplied(db: Db): Promise<number> {
  const exists = await db.execute(sql`select to_regclass(${`${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}`}) as t`);
  if (rowsOf<{ t: string | null }>(exists)[0]?.t == null) return 0;
  const result = await db.execute(
    sql`select count(*) as n from ${sql.identifier(MIGRATIONS_SCHEMA)}.${sql.identifier(MIGRATIONS_TABLE)}`,
  );
  return Number(rowsOf<{ n: string | number }>(result)[0]?.n ?? 0);
}

let journalCount: Promise<number> | undefined;

/** Number of migrations committed in drizzle/meta/_journal.json. */
export function committedMigrationCount(): Promise<number> {
  journalCount ??= readFile(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8').then(
    (text) => (JSON.parse(text) as { entries: unknown[] }).entries.length,
  );
  return journalCount;
}

async function checkReady(db: Db): Promise<{ ok: true } | { ok: false; reason: string }> {
  let applied: number;
  try {
    applied = await countApplied(db);
  } catch {
    return { ok: false, reason: 'database unreachable' };
  }
  const expected = await committedMigrationCount();
  if (applied < expected) return { ok: false, reason: `migrations pending (${applied}/${expected} applied)` };
  return { ok: true };
}

/** node-postgres returns `{ rows }`, PGlite returns `{ rows }` too; this keeps the two in one place. */
export function rowsOf<T>(result: unknown): T[] {
  if (result !== null && typeof result === 'object' && 'rows' in result && Array.isArray(result.rows)) {
    return result.rows as T[];
  }
  return Array.isArray(result) ? (result as T[]) : [];
}
