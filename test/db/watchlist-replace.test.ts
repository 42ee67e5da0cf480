import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWatchlistStore } from '../../src/bot/services/stores.js';
import { rowsOf, type Database } from '../../src/db/client.js';
import { title } from '../bot/fakes.js';
import { DRIVER_NAME, sharedTestDatabase, newTestIdentity } from '../helpers/db.js';

/** A whole copy replaced (a sync's write), on the real database. */
let database: Database;
beforeAll(async () => {
  database = await sharedTestDatabase();
});

const identity = (): Promise<number> => newTestIdentity(database.db);

const at = (day: number) => new Date(Date.UTC(2026, 0, day));
const entry = (id: number, name: string, runtime = 100) => ({
  rank: id,
  listedAt: at(id),
  type: 'movie' as const,
  title: title(id, name, 'movie', { runtime }),
});

/** Each row's title, runtime (generated from `data`) and row version (`xmin`, changed by any write of the row). */
async function rows(identityId: number): Promise<Array<{ key: string; title: string; runtime: number | null; version: string }>> {
  const result = await database.db.execute(
    sql`select item_key as key, title, runtime, xmin::text as version from watchlist_items where identity_id = ${identityId} order by item_key`,
  );
  return rowsOf<{ key: string; title: string; runtime: number | null; version: string }>(result);
}

describe(`replacing a whole copy (${DRIVER_NAME})`, () => {
  it('GIVEN a copy WHEN a new list replaces it THEN it is one statement: gone rows deleted, changed rows updated (generated columns too), new rows added, unchanged rows not written', async () => {
    const owner = await identity();
    const store = createWatchlistStore(database.db);
    await store.replace(owner, [entry(1, 'One'), entry(2, 'Two'), entry(3, 'Three')], at(4), at(4));
    const before = await rows(owner);
    expect(before.map((r) => r.key)).toEqual(['movie:1', 'movie:2', 'movie:3']);

    database.queryStats.reset();
    database.queryStats.enable();
    const count = await store.replace(owner, [entry(2, 'Two, renamed', 142), entry(3, 'Three'), entry(4, 'Four')], at(5), at(6));
    database.queryStats.disable();
    expect(database.queryStats.queries).toBe(1);
    expect(database.queryStats.transactions).toBe(0);
    expect(count).toBe(3);

    const after = await rows(owner);
    expect(after.map((r) => [r.key, r.title, r.runtime])).toEqual([
      ['movie:2', 'Two, renamed', 142],
      ['movie:3', 'Three', 100],
      ['movie:4', 'Four', 100],
    ]);
    const version = (rs: typeof before, key: string) => rs.find((r) => r.key === key)?.version;
    expect(version(after, 'movie:3')).toBe(version(before, 'movie:3'));
    expect(version(after, 'movie:2')).not.toBe(version(before, 'movie:2'));
    expect(await store.state(owner)).toMatchObject({ itemCount: 3, activityAt: at(5), checkedAt: at(6) });
  });

  it('GIVEN a list that names one item twice, or nothing THEN the first entry is kept without an error, and an empty list empties the copy', async () => {
    const owner = await identity();
    const store = createWatchlistStore(database.db);
    await store.replace(owner, [entry(1, 'First'), entry(1, 'Repeated'), entry(2, 'Two')], null, at(2));
    expect((await rows(owner)).map((r) => [r.key, r.title])).toEqual([
      ['movie:1', 'First'],
      ['movie:2', 'Two'],
    ]);
    expect(await store.state(owner)).toMatchObject({ activityAt: null });

    expect(await store.replace(owner, [], at(3), at(3))).toBe(0);
    expect(await rows(owner)).toEqual([]);
    expect(await store.state(owner)).toMatchObject({ itemCount: 0, activityAt: at(3) });
  });

  it("GIVEN two users' copies WHEN one is replaced THEN the other's rows are untouched", async () => {
    const store = createWatchlistStore(database.db);
    const [a, b] = [await identity(), await identity()];
    await store.replace(a, [entry(1, 'One'), entry(2, 'Two')], at(1), at(1));
    await store.replace(b, [entry(1, 'One'), entry(2, 'Two')], at(1), at(1));
    const others = await rows(b);
    await store.replace(a, [entry(3, 'Three')], at(2), at(2));
    expect((await rows(a)).map((r) => r.key)).toEqual(['movie:3']);
    expect(await rows(b)).toEqual(others);
  });

  it('GIVEN a list longer than one insert WHEN it replaces a copy THEN every row is there (written in one transaction of chunks)', async () => {
    const owner = await identity();
    const store = createWatchlistStore(database.db);
    await store.replace(owner, [entry(1, 'One')], at(1), at(1));
    const many = Array.from({ length: 1200 }, (_, i) => entry(i + 10, `Title ${i}`));
    database.queryStats.reset();
    database.queryStats.enable();
    expect(await store.replace(owner, many, at(2), at(2))).toBe(1200);
    database.queryStats.disable();
    expect(database.queryStats.transactions).toBe(1);
    const stored = await rows(owner);
    expect(stored).toHaveLength(1200);
    expect(stored.some((r) => r.key === 'movie:1')).toBe(false);
  });
});
