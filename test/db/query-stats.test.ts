import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase, PGLITE_SETTINGS, rowsOf, type Database } from '../../src/db/client.js';
import { DRIVER_NAME, TEST_DATABASE_URL } from '../helpers/db.js';

describe(`database round-trip counter on ${DRIVER_NAME}`, () => {
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  it('GIVEN counting off (the default) THEN nothing is counted; WHEN on THEN each statement, BEGIN and COMMIT count once', async () => {
    database = await createDatabase({ databaseUrl: TEST_DATABASE_URL, poolSize: 2 });
    const { db, queryStats } = database;
    await db.execute(sql`select 1`);
    expect({ enabled: queryStats.enabled, queries: queryStats.queries }).toEqual({ enabled: false, queries: 0 });

    queryStats.enable();
    await db.execute(sql`select 1`);
    await db.execute(sql`select 2`);
    expect(queryStats.queries).toBe(2);
    await db.transaction(async (tx) => {
      await tx.execute(sql`select 3`);
    });
    expect({ queries: queryStats.queries, transactions: queryStats.transactions }).toEqual({ queries: 5, transactions: 1 });

    queryStats.reset();
    queryStats.disable();
    await db.execute(sql`select 4`);
    expect({ queries: queryStats.queries, transactions: queryStats.transactions }).toEqual({ queries: 0, transactions: 0 });
  });

  it.skipIf(TEST_DATABASE_URL !== null)('GIVEN a new PGlite directory THEN it is created and opened with the small-memory settings', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marquee-pglite-'));
    try {
      database = await createDatabase({ databaseUrl: null, pgliteDataDir: join(dir, 'pglite') });
      const settings = rowsOf<{ name: string; setting: string; unit: string }>(
        await database.db.execute(sql`select name, setting, unit from pg_settings where name in ('shared_buffers', 'temp_buffers', 'maintenance_work_mem')`),
      );
      const inKb = Object.fromEntries(settings.map((s) => [s.name, Number(s.setting) * (s.unit === '8kB' ? 8 : 1)]));
      const wanted = Object.fromEntries(PGLITE_SETTINGS.map((s) => s.split('=')).map(([k, v]) => [k, Number.parseInt(v ?? '', 10) * 1024]));
      expect(inKb).toEqual(wanted);
    } finally {
      await database?.close();
      database = undefined;
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
