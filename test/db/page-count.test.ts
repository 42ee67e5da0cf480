import { randomInt } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWatchlistStore } from '../../src/bot/services/stores.js';
import type { Database } from '../../src/db/client.js';
import { upsertChatIdentity } from '../../src/db/queries/identities.js';
import { title } from '../bot/fakes.js';
import { DRIVER_NAME, sharedTestDatabase } from '../helpers/db.js';

/** A watchlist page and its total in one statement, on the real database. */
let database: Database;
beforeAll(async () => {
  database = await sharedTestDatabase();
});

describe(`watchlist page with its total (${DRIVER_NAME})`, () => {
  it('GIVEN five items WHEN a page is read THEN items and total come in one statement; a page past the end and an empty copy still tell the total', async () => {
    const owner = (await upsertChatIdentity(database.db, { platform: 'telegram', platformUserId: String(randomInt(1, 2 ** 47)) })).id;
    const store = createWatchlistStore(database.db);
    const at = (day: number) => new Date(Date.UTC(2026, 0, day));
    const entries = [1, 2, 3, 4, 5].map((n) => ({ rank: n, listedAt: at(n), type: n === 5 ? ('show' as const) : ('movie' as const), title: title(n, `T${n}`, n === 5 ? 'show' : 'movie') }));
    await store.replace(owner, entries, at(9), at(9));

    database.queryStats.reset();
    database.queryStats.enable();
    const page = await store.page(owner, { filter: 'all', sort: 'added', offset: 2, limit: 2 });
    database.queryStats.disable();
    expect(database.queryStats.queries).toBe(1);
    expect(page.total).toBe(5);
    expect(page.items.map((i) => i.key)).toEqual(['movie:3', 'movie:2']);
    expect(page.items[0]?.listedAt).toEqual(at(3));

    expect(await store.page(owner, { filter: 'movies', sort: 'title', offset: 0, limit: 3 })).toMatchObject({ total: 4 });
    expect(await store.page(owner, { filter: 'all', sort: 'added', offset: 10, limit: 2 })).toEqual({ items: [], total: 5 });
    expect(await store.page(owner, { filter: 'shows', sort: 'added', offset: 1, limit: 2 })).toEqual({ items: [], total: 1 });
    await store.clear(owner);
    expect(await store.page(owner, { filter: 'all', sort: 'added', offset: 0, limit: 2 })).toEqual({ items: [], total: 0 });
  });
});
