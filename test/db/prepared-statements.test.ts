import { sql } from 'drizzle-orm';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createDatabase, rowsOf } from '../../src/db/client.js';
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

  it('GIVEN a transaction aborted by a failed statement WHEN statements first prepared inside it fail too and it rolls back THEN each runs again afterwards on the same connection', async () => {
    // One connection: every statement below runs on the session whose prepared statements are at stake.
    const database = await createDatabase({ databaseUrl: TEST_DATABASE_URL, poolSize: 1 });
    onTestFinished(() => database.close());
    await database.db.execute(sql`create table if not exists prepared_retry (id int primary key)`);
    const id = Math.floor(Math.random() * 1e9);
    const insert = () => sql`insert into prepared_retry (id) values (${id})`;
    // Never prepared before this test: its Parse is refused inside the aborted transaction.
    const count = () => sql`select count(*)::int as n from prepared_retry where id = ${id} and ${'retry'}::text = 'retry'`;
    await expect(
      database.db.transaction(async (tx) => {
        await tx.execute(insert());
        await tx.execute(insert()).catch(() => undefined); // unique violation: the transaction is aborted
        await tx.execute(count());
      }),
    ).rejects.toThrow();
    await database.db.execute(insert());
    await database.db.execute(insert()).catch(() => undefined);
    expect(rowsOf<{ n: number }>(await database.db.execute(count()))[0]?.n).toBe(1);
  });
});
