import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { committedMigrationCount, createDatabase, rowsOf } from '../../src/db/client.js';
import { upsertChatIdentity } from '../../src/db/queries/identities.js';
import { DRIVER_NAME, TEST_DATABASE_URL, throwAwayDatabase, type ThrowAwayDatabase } from '../helpers/db.js';

const TABLES = ['action_journal', 'chat_identities', 'jobs', 'link_attempts', 'pending_actions', 'trakt_links'];

describe(`migrations on ${DRIVER_NAME}`, () => {
  let scratch: ThrowAwayDatabase | undefined;
  afterEach(async () => {
    await scratch?.drop();
    scratch = undefined;
  });

  it('GIVEN an empty database THEN every committed migration applies once and a second run applies none', async () => {
    scratch = await throwAwayDatabase();
    const database = await scratch.open();
    const expected = await committedMigrationCount();
    expect(await database.checkReady()).toEqual({ ok: false, reason: `migrations pending (0/${expected} applied)` });
    expect(await database.migrate()).toBe(expected);
    expect(await database.migrate()).toBe(0);
    expect(await database.checkReady()).toEqual({ ok: true });

    const tables = rowsOf<{ table_name: string }>(
      await database.db.execute(
        sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
      ),
    ).map((r) => r.table_name);
    expect(tables).toEqual(expect.arrayContaining(TABLES));
  });

  it.skipIf(TEST_DATABASE_URL === null)(
    'GIVEN two instances migrating one Postgres at once THEN the migrations run once',
    async () => {
      scratch = await throwAwayDatabase();
      const [a, b] = await Promise.all([scratch.open(), scratch.open()]);
      const applied = await Promise.all([a.migrate(), b.migrate()]);
      const expected = await committedMigrationCount();
      expect(applied.sort()).toEqual([0, expected]);
      const count = rowsOf<{ n: string }>(await a.db.execute(sql`select count(*) as n from drizzle.__drizzle_migrations`));
      expect(Number(count[0]?.n)).toBe(expected);
    },
  );

  it('GIVEN embedded PGlite on disk THEN data survives closing and reopening', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'marquee-pglite-')), 'pglite');
    const first = await createDatabase({ databaseUrl: null, pgliteDataDir: dir });
    await first.migrate();
    const identity = await upsertChatIdentity(first.db, { platform: 'telegram', platformUserId: '42', displayName: 'Ada' });
    await first.close();

    const second = await createDatabase({ databaseUrl: null, pgliteDataDir: dir });
    try {
      expect(await second.migrate()).toBe(0);
      const again = await upsertChatIdentity(second.db, { platform: 'telegram', platformUserId: '42' });
      expect(again.id).toBe(identity.id);
      expect(again.displayName).toBe('Ada');
    } finally {
      await second.close();
    }
  });
});
