import { beforeAll, describe, expect, it } from 'vitest';
import { newViewId } from '../../src/bot/core/actions.js';
import { createJournalStore, createPendingActionStore, createWatchlistStore } from '../../src/bot/services/stores.js';
import type { Database } from '../../src/db/client.js';
import { DRIVER_NAME, sharedTestDatabase, newTestIdentity } from '../helpers/db.js';
import { title } from './fakes.js';

/** The stores behind the core's ports, on the real database (PGlite, or Postgres with TEST_DATABASE_URL). */
let database: Database;
beforeAll(async () => {
  database = await sharedTestDatabase();
});

const identity = (): Promise<number> => newTestIdentity(database.db);

describe(`pending actions (${DRIVER_NAME})`, () => {
  it('GIVEN a view of three buttons WHEN claimed concurrently many times THEN exactly one claim wins and every button is consumed', async () => {
    const owner = await identity();
    const store = createPendingActionStore(database.db);
    const viewId = newViewId();
    const expiresAt = new Date(Date.now() + 60_000);
    await store.create(['AA', 'AB', 'AC'].map((suffix) => ({ id: `${viewId}${suffix}`, ownerIdentityId: owner, platform: 'telegram', chatId: '1', action: 'confirm', payload: { n: suffix }, expiresAt })));
    const results = await Promise.all(Array.from({ length: 8 }, () => store.claimView(viewId, new Date())));
    expect(results.filter(Boolean)).toHaveLength(1);
    for (const suffix of ['AA', 'AB', 'AC']) expect((await store.find(`${viewId}${suffix}`))?.consumedAt).not.toBeNull();
    expect((await store.find(`${viewId}AB`))?.payload).toEqual({ n: 'AB' });
  });

  it('GIVEN an expired view WHEN claimed THEN it is refused; a pattern-looking id claims nothing', async () => {
    const owner = await identity();
    const store = createPendingActionStore(database.db);
    const viewId = newViewId();
    await store.create([{ id: `${viewId}AA`, ownerIdentityId: owner, platform: 'telegram', chatId: '1', action: 'undo', payload: {}, expiresAt: new Date(Date.now() - 1) }]);
    expect(await store.claimView(viewId, new Date())).toBe(false);
    expect(await store.claimView('%', new Date())).toBe(false);
  });

  it('GIVEN a claimed view WHEN its claim is released THEN it can be claimed again; releasing an older claim leaves a newer one alone', async () => {
    const owner = await identity();
    const store = createPendingActionStore(database.db);
    const viewId = newViewId();
    const expiresAt = new Date(Date.now() + 60_000);
    await store.create(['AA', 'AB'].map((suffix) => ({ id: `${viewId}${suffix}`, ownerIdentityId: owner, platform: 'telegram', chatId: '1', action: 'page', payload: {}, expiresAt })));
    const first = new Date(Date.now() - 1000);
    expect(await store.claimView(viewId, first)).toBe(true);
    await store.releaseView(viewId, first);
    expect((await store.find(`${viewId}AB`))?.consumedAt).toBeNull();
    const second = new Date();
    expect(await store.claimView(viewId, second)).toBe(true);
    await store.releaseView(viewId, first);
    expect(await store.claimView(viewId, new Date())).toBe(false);
  });
});

describe(`journal (${DRIVER_NAME})`, () => {
  it('GIVEN an entry WHEN two undos race THEN one gets it; a released entry can be claimed again', async () => {
    const owner = await identity();
    const journal = createJournalStore(database.db);
    const intent = await journal.begin({ identityId: owner, kind: 'add', targets: [{ kind: 'movie', title: title(1, 'X') }] });
    expect(await journal.lastUndoable(owner, new Date(Date.now() - 60_000))).toBeUndefined(); // pending: not undoable yet
    const entry = await journal.complete(intent.id, { status: 'done', changed: intent.requested, result: {}, at: new Date() });
    expect((await journal.lastUndoable(owner, new Date(Date.now() - 60_000)))?.id).toBe(entry.id);
    const claims = await Promise.all([journal.claimUndo(entry.id, owner, new Date()), journal.claimUndo(entry.id, owner, new Date())]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await journal.claimUndo(entry.id, owner + 1, new Date())).toBeUndefined();
    await journal.releaseUndo(entry.id);
    expect(await journal.claimUndo(entry.id, owner, new Date())).toBeDefined();
  });
});

describe(`watchlist copy (${DRIVER_NAME})`, () => {
  it('GIVEN a copy WHEN paged by each sort and filter THEN the database orders and counts it', async () => {
    const owner = await identity();
    const store = createWatchlistStore(database.db);
    const at = (day: number) => new Date(Date.UTC(2026, 0, day));
    const entries = [
      { rank: 1, listedAt: at(3), type: 'movie' as const, title: title(1, 'The Zebra', 'movie', { year: 1999, rating: 6 }) },
      { rank: 2, listedAt: at(1), type: 'movie' as const, title: title(2, 'Apple', 'movie', { year: 2024, rating: 9 }) },
      { rank: 3, listedAt: at(2), type: 'show' as const, title: title(3, 'Mango', 'show', { year: 2010 }) },
      { rank: 4, listedAt: at(4), type: 'season' as const, season: 2, title: title(3, 'Mango', 'show', { year: 2010 }) },
    ];
    expect(await store.replace(owner, entries, at(5), new Date())).toBe(4);
    const titles = async (sort: 'added' | 'title' | 'year' | 'rating', filter: 'all' | 'movies' | 'shows' = 'all') =>
      (await store.page(owner, { filter, sort, offset: 0, limit: 10 })).items.map((i) => i.key);
    expect(await titles('added')).toEqual(['season:3:2', 'movie:1', 'show:3', 'movie:2']);
    expect(await titles('title')).toEqual(['movie:2', 'show:3', 'season:3:2', 'movie:1']);
    expect(await titles('year')).toEqual(['movie:2', 'show:3', 'season:3:2', 'movie:1']);
    expect((await titles('rating'))[0]).toBe('movie:2');
    expect(await titles('added', 'shows')).toEqual(['season:3:2', 'show:3']);
    expect((await store.page(owner, { filter: 'movies', sort: 'title', offset: 1, limit: 1 })).total).toBe(2);
    expect([...(await store.present(owner, ['movie:1', 'movie:9']))]).toEqual(['movie:1']);
    expect((await store.find(owner, 'zeb', 5)).map((i) => i.key)).toEqual(['movie:1']);
    expect((await store.find(owner, '100%_', 5))).toEqual([]);

    const count = await store.applyWrite(owner, { added: [{ kind: 'movie', title: title(7, 'Kiwi') }], removed: [{ kind: 'movie', title: title(1, 'The Zebra') }], listedAt: at(6) });
    expect(count).toBe(4);
    expect((await store.state(owner))?.itemCount).toBe(4);
    await store.clear(owner);
    expect(await store.state(owner)).toBeUndefined();
  });
});
