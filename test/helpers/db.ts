import { randomBytes, randomInt } from 'node:crypto';
import pg from 'pg';
import { createDatabase, type Database, type Db } from '../../src/db/client.js';
import { upsertChatIdentity } from '../../src/db/queries/identities.js';

/**
 * Databases for tests. With TEST_DATABASE_URL set, tests run against that real Postgres; otherwise
 * against embedded PGlite. One suite, two drivers.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL?.trim() || null;
export const DRIVER_NAME = TEST_DATABASE_URL === null ? 'pglite' : 'pg';

let shared: Promise<Database> | undefined;

/**
 * The worker's shared, migrated database. Workers are reused across files, so a PGlite instance is
 * started once per worker; tests keep to their own random ids instead of expecting empty tables.
 */
export function sharedTestDatabase(): Promise<Database> {
  shared ??= (async () => {
    const database = await createDatabase({ databaseUrl: TEST_DATABASE_URL, poolSize: 5 });
    await database.migrate();
    return database;
  })();
  return shared;
}

/** A new Telegram chat identity with a random user id (tests share a database, so each makes its own). */
export async function newTestIdentity(db: Db): Promise<number> {
  return (await upsertChatIdentity(db, { platform: 'telegram', platformUserId: String(randomInt(1, 2 ** 47)) })).id;
}

export interface ThrowAwayDatabase {
  /** Postgres URL of the new database, or null under PGlite. */
  url: string | null;
  open(): Promise<Database>;
  drop(): Promise<void>;
}

/** An empty database of its own (for migration tests): a new Postgres database, or a new PGlite. */
export async function throwAwayDatabase(): Promise<ThrowAwayDatabase> {
  if (TEST_DATABASE_URL === null) {
    const opened: Database[] = [];
    return {
      url: null,
      async open() {
        if (opened.length > 0) throw new Error('an in-memory PGlite cannot be opened twice');
        const database = await createDatabase({ databaseUrl: null });
        opened.push(database);
        return database;
      },
      async drop() {
        await Promise.all(opened.map((d) => d.close()));
      },
    };
  }
  const name = `marquee_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const opened: Database[] = [];
  return {
    url: url.toString(),
    async open() {
      const database = await createDatabase({ databaseUrl: url.toString(), poolSize: 3 });
      opened.push(database);
      return database;
    },
    async drop() {
      await Promise.all(opened.map((d) => d.close()));
      const dropper = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await dropper.connect();
      try {
        await dropper.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** The statements `work` sends through `database` (Database.queryStats), and its result. */
export async function countStatements<T>(database: Database, work: () => Promise<T>): Promise<{ value: T; queries: number }> {
  database.queryStats.reset();
  database.queryStats.enable();
  try {
    const value = await work();
    return { value, queries: database.queryStats.queries };
  } finally {
    database.queryStats.disable();
  }
}
