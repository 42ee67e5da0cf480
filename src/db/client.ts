import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from './schema.js';

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
}

/** Where the committed SQL migrations live, from src/db (tsx) and from dist/db (built) alike. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

const MIGRATIONS_SCHEMA = 'drizzle';
const MIGRATIONS_TABLE = '__drizzle_migrations';
/** Key of the advisory lock that serializes migrations across processes ("marquee" in ASCII, shortened). */
const MIGRATION_LOCK_KEY = 0x6d617271;

export interface CreateDatabaseOptions {
  /** Postgres URL; null for embedded PGlite. */
  databaseUrl: string | null;
  /** PGlite data directory (`DATA_DIR/pglite`); `memory://` for a throw-away instance. */
  pgliteDataDir?: string;
  poolSize?: number;
}

export async function createDatabase(options: CreateDatabaseOptions): Promise<Database> {
  if (options.databaseUrl !== null) return createPgDatabase(options.databaseUrl, options.poolSize ?? 10);
  return createPgliteDatabase(options.pgliteDataDir ?? 'memory://');
}

export function pgliteDirFor(dataDir: string): string {
  return join(dataDir, 'pglite');
}

async function createPgDatabase(url: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, idleTimeoutMillis: 30_000 });
  // An idle client losing its connection (Postgres restart) must not crash the process.
  pool.on('error', () => undefined);
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
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

async function createPgliteDatabase(dataDir: string): Promise<Database> {
  if (!dataDir.startsWith('memory://')) await mkdir(dataDir, { recursive: true });
  const client = await PGlite.create(dataDir);
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
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
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
