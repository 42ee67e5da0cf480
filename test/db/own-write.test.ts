import { beforeAll, describe, expect, it } from 'vitest';
import { createWatchlistStore } from '../../src/bot/services/stores.js';
import type { Database } from '../../src/db/client.js';
import { title } from '../bot/fakes.js';
import { DRIVER_NAME, sharedTestDatabase, newTestIdentity } from '../helpers/db.js';

/** Our own write applied to the copy in one statement (`applyOwnWrite`), on the real database. */
let database: Database;
beforeAll(async () => {
  database = await sharedTestDatabase();
});

const identity = (): Promise<number> => newTestIdentity(database.db);

const at = (day: number) => new Date(Date.UTC(2026, 0, day));
const movie = (id: number, name: string) => ({ kind: 'movie' as const, title: title(id, name, 'movie', { year: 2000 + id, rating: 7.5 }) });
const entry = (id: number, name: string) => ({ rank: id, listedAt: at(id), type: 'movie' as const, title: title(id, name, 'movie') });

describe(`own write in one statement (${DRIVER_NAME})`, () => {
  it('GIVEN a trusted copy WHEN an add agrees with Trakt\'s count THEN it is applied in one round trip and stays trusted; a disagreeing remove distrusts it', async () => {
    const owner = await identity();
    const store = createWatchlistStore(database.db);
    await store.replace(owner, [entry(1, 'One'), entry(2, 'Two')], at(3), at(3));
    const applyOwnWrite = store.applyOwnWrite!;

    database.queryStats.reset();
    database.queryStats.enable();
    const added = await applyOwnWrite(owner, { added: [movie(5, 'Five'), movie(1, 'One')], listedAt: at(6) }, { itemCount: 3, updatedAt: at(7) });
    database.queryStats.disable();
    expect(database.queryStats.queries).toBe(1);
    expect(added).toBe(3);
    expect(await store.state(owner)).toMatchObject({ itemCount: 3, activityAt: at(7) });
    const five = (await store.page(owner, { filter: 'all', sort: 'added', offset: 0, limit: 10 })).items[0];
    expect(five).toMatchObject({ key: 'movie:5', listedAt: at(6), target: movie(5, 'Five') });

    const removed = await applyOwnWrite(owner, { removed: [movie(2, 'Two'), movie(9, 'Nine')], listedAt: at(8) }, { itemCount: 7, updatedAt: at(9) });
    expect(removed).toBe(2);
    expect(await store.state(owner)).toMatchObject({ itemCount: 2, activityAt: null });
    expect([...(await store.present(owner, ['movie:1', 'movie:2', 'movie:5']))].sort()).toEqual(['movie:1', 'movie:5']);
  });

  it('GIVEN no copy, or a copy already distrusted WHEN our own write comes THEN nothing is written and no count is returned', async () => {
    const store = createWatchlistStore(database.db);
    const none = await identity();
    expect(await store.applyOwnWrite!(none, { added: [movie(1, 'One')], listedAt: at(1) }, { itemCount: 1, updatedAt: at(2) })).toBeUndefined();
    expect(await store.state(none)).toBeUndefined();
    expect(await store.present(none, ['movie:1'])).toEqual(new Set());

    const stale = await identity();
    await store.replace(stale, [entry(1, 'One')], null, at(3));
    expect(await store.applyOwnWrite!(stale, { added: [movie(2, 'Two')], listedAt: at(4) }, null)).toBeUndefined();
    expect(await store.state(stale)).toMatchObject({ itemCount: 1, activityAt: null });
    expect(await store.present(stale, ['movie:2'])).toEqual(new Set());
  });

  it('GIVEN a copy WHEN its state and some keys are asked together THEN one statement answers both; no copy reads as no state and no keys', async () => {
    const owner = await identity();
    const store = createWatchlistStore(database.db);
    await store.replace(owner, [entry(1, 'One'), entry(2, 'Two')], at(3), at(4));
    database.queryStats.reset();
    database.queryStats.enable();
    const read = await store.stateWithPresent!(owner, ['movie:2', 'movie:3']);
    database.queryStats.disable();
    expect(database.queryStats.queries).toBe(1);
    expect(read).toEqual({ state: { activityAt: at(3), checkedAt: at(4), itemCount: 2 }, present: new Set(['movie:2']) });
    expect(await store.stateWithPresent!(owner, [])).toMatchObject({ present: new Set() });
    expect(await store.stateWithPresent!(await identity(), ['movie:1'])).toEqual({ state: undefined, present: new Set() });
  });
});
