import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, pgliteDirFor, rowsOf, type Database } from '../../src/db/client.js';

/**
 * The embedded database on disk runs PGlite in a worker thread (src/db/pglite-thread.ts). These check
 * that what callers rely on crosses the thread unchanged: results and their types, error fields,
 * transactions that commit or roll back, and the order of statements around a transaction.
 */
let dataDir: string;
let database: Database;
beforeAll(async () => {
  dataDir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'marquee-pglite-thread-'));
  database = await createDatabase({ databaseUrl: null, pgliteDataDir: pgliteDirFor(dataDir) });
  await database.migrate();
  await database.db.execute(sql`create table thread_probe (id int primary key, note text, at timestamptz, bytes bytea, doc jsonb)`);
});
afterAll(async () => {
  await database?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('PGlite on its own thread', () => {
  it('GIVEN the thread\'s small heap WHEN one statement returns 60,000 rows (about 40 MB of text) THEN they all arrive', async () => {
    // The worker's young generation is 6 MB and its heap limit 512 MB (pglite-thread.ts, WORKER_HEAP):
    // a result many times the young generation is parsed and posted whole, and the thread lives on.
    const rows = rowsOf<{ n: number; note: string }>(
      await database.db.execute(sql`select g as n, repeat(md5(g::text), 20) as note from generate_series(1, 60000) g`),
    );
    expect(rows).toHaveLength(60_000);
    expect(rows[59_999]?.n).toBe(60_000);
    expect(rows[0]?.note).toHaveLength(640);
    const [after] = rowsOf<{ one: number }>(await database.db.execute(sql`select 1 as one`));
    expect(after?.one).toBe(1);
  });

  it('GIVEN rows of several types WHEN read back THEN values arrive as on the same thread (timestamps as text, bytes, json)', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    await database.db.execute(sql`insert into thread_probe (id, note, at, bytes, doc) values (1, ${'héllo ✓'}, ${'2026-12-07T10:00:00Z'}, ${bytes}, ${JSON.stringify({ a: [1, 2] })}::jsonb)`);
    const [row] = rowsOf<{ note: string; at: string; bytes: Uint8Array; doc: unknown }>(await database.db.execute(sql`select note, at, bytes, doc from thread_probe where id = 1`));
    expect(row?.note).toBe('héllo ✓');
    // drizzle's parsers keep timestamps as Postgres wrote them; they cross the thread as such.
    expect(row?.at).toBe('2026-12-07 10:00:00+00');
    expect(Buffer.from(row?.bytes ?? [])).toEqual(bytes);
    expect(row?.doc).toEqual({ a: [1, 2] });
  });

  it('GIVEN a unique violation WHEN the insert fails THEN the error carries Postgres code and constraint', async () => {
    const failed = await database.db.execute(sql`insert into thread_probe (id) values (1)`).then(
      () => undefined,
      (error: unknown) => error as Error & { cause?: { code?: string; constraint?: string } },
    );
    expect(failed).toBeInstanceOf(Error);
    // drizzle wraps the driver's error; the driver's fields are on `cause`.
    const cause = (failed?.cause ?? failed) as { code?: string; constraint?: string };
    expect(cause.code).toBe('23505');
    expect(cause.constraint).toBe('thread_probe_pkey');
  });

  it('GIVEN a transaction WHEN its callback throws THEN nothing of it stays; WHEN it returns THEN all of it stays', async () => {
    await expect(
      database.db.transaction(async (tx) => {
        await tx.execute(sql`insert into thread_probe (id, note) values (2, 'rolled back')`);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into thread_probe (id, note) values (3, 'kept')`);
      await tx.execute(sql`update thread_probe set note = 'kept too' where id = 1`);
    });
    const rows = rowsOf<{ id: number; note: string }>(await database.db.execute(sql`select id, note from thread_probe order by id`));
    expect(rows.map((r) => [r.id, r.note])).toEqual([
      [1, 'kept too'],
      [3, 'kept'],
    ]);
  });

  it('GIVEN a statement sent while a transaction is open WHEN it runs THEN it sees the transaction only once committed', async () => {
    let outside: Promise<unknown> | undefined;
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into thread_probe (id, note) values (4, 'inside')`);
      // Sent outside the transaction while it is open: it waits for the end, as PGlite does in one thread.
      outside = database.db.execute(sql`select count(*)::int as n from thread_probe where id = 4`);
      await tx.execute(sql`update thread_probe set note = 'inside, updated' where id = 4`);
    });
    expect(rowsOf<{ n: number }>(await outside)[0]?.n).toBe(1);
  });

  it('GIVEN a statement run three times with different parameters WHEN each runs THEN each returns its own row and Postgres holds the statement prepared once', async () => {
    const read = (id: number) => database.db.execute(sql`select id, note from thread_probe where id = ${id}`);
    await database.db.execute(sql`insert into thread_probe (id, note) values (10, 'ten'), (11, 'eleven'), (12, 'twelve')`);
    const notes = [];
    for (const id of [10, 11, 12]) notes.push(rowsOf<{ note: string }>(await read(id))[0]?.note);
    expect(notes).toEqual(['ten', 'eleven', 'twelve']);
    const held = rowsOf<{ n: number }>(
      await database.db.execute(sql`select count(*)::int as n from pg_prepared_statements where statement = ${'select id, note from thread_probe where id = $1'}`),
    );
    expect(held[0]?.n).toBe(1);
  });

  it('GIVEN more distinct statements than are kept prepared WHEN each runs THEN each returns its own result and the oldest are closed', async () => {
    const results: number[] = [];
    for (let i = 0; i < 510; i += 1) {
      results.push(rowsOf<{ n: number }>(await database.db.execute(sql`select ${i}::int + ${sql.raw(String(i))} as n`))[0]?.n ?? -1);
    }
    expect(results).toEqual(Array.from({ length: 510 }, (_, i) => 2 * i));
    const held = rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from pg_prepared_statements`));
    expect(held[0]?.n).toBeLessThanOrEqual(500);
    expect(held[0]?.n).toBeGreaterThan(0);
  });

  it('GIVEN a table whose columns change WHEN a statement prepared before the change runs again THEN it returns the new columns', async () => {
    const read = () => database.db.execute(sql`select * from thread_probe where id = ${10}`);
    expect(Object.keys(rowsOf<Record<string, unknown>>(await read())[0] ?? {})).not.toContain('extra');
    await database.db.execute(sql`alter table thread_probe add column extra int default 7`);
    expect(rowsOf<{ extra: number }>(await read())[0]?.extra).toBe(7);
  });

  it('GIVEN a prepared statement that fails inside a transaction WHEN the transaction has rolled back THEN the same statement runs again', async () => {
    const insert = (id: number) => sql`insert into thread_probe (id, note) values (${id}, 'again')`;
    await expect(
      database.db.transaction(async (tx) => {
        await tx.execute(insert(20));
        await tx.execute(insert(20));
      }),
    ).rejects.toThrow();
    await database.db.execute(insert(20));
    expect(rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from thread_probe where id = 20`))[0]?.n).toBe(1);
  });

  it('GIVEN the thread is closed WHEN a statement is sent THEN it fails with a clear error instead of hanging', async () => {
    // The last test: it closes the file's database (afterAll's close is then a no-op).
    await database.close();
    const failed = await database.db.execute(sql`select 1`).then(
      () => undefined,
      (error: unknown) => error as Error & { cause?: Error },
    );
    expect(String(failed?.cause?.message ?? failed?.message)).toMatch(/PGlite thread has exited/);
  });

});
