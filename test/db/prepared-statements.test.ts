import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { sharedTestDatabase, TEST_DATABASE_URL } from '../helpers/db.js';

/**
 * On Postgres, each pooled connection keeps the statements that read or write rows prepared, named
 * after their text (src/db/client.ts `namePrepared`): Postgres parses a text once per connection. The
 * embedded database does the same in its thread (test/db/pglite-thread.test.ts).
 */
describe.skipIf(TEST_DATABASE_URL === null)('prepared statements on Postgres', () => {
  it('GIVEN a statement run twice on one connection with different parameters WHEN each runs THEN each returns its own result and the connection holds the statement prepared once; DDL is never prepared', async () => {
    const database = await sharedTestDatabase();
    const text = 'select $1::int * 2 as n';
    const { results, held, ddl } = await database.db.transaction(async (tx) => {
      // A transaction keeps one connection: its session's prepared statements are the ones read below.
      const results: number[] = [];
      for (const n of [3, 4]) results.push(Number(rowsOf<{ n: number }>(await tx.execute(sql`select ${n}::int * 2 as n`))[0]?.n));
      await tx.execute(sql`create temporary table prepared_probe (id int) on commit drop`);
      const held = rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from pg_prepared_statements where statement = ${text}`))[0]?.n;
      const ddl = rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from pg_prepared_statements where statement ilike ${'create %'}`))[0]?.n;
      return { results, held, ddl };
    });
    expect(results).toEqual([6, 8]);
    expect(held).toBe(1);
    expect(ddl).toBe(0);
  });
});
