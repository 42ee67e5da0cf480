import { describe, expect, it } from 'vitest';
import type { SearchPage, Target, TraktCatalogPort, TraktPort, TraktUserPort, WatchlistEntry, WatchlistWriteResult } from '../../src/bot/core/ports.js';
import { indexingTraktPort, TitleIndex } from '../../src/bot/core/title-index.js';
import { title } from './fakes.js';

const dune = title(1, 'Dune');
const arrival = title(2, 'Arrival');
const severance = title(3, 'Severance', 'show');
const zero = { movies: 0, shows: 0, seasons: 0, episodes: 0 };

/** A user port written as a class with #private state: the decorator must keep `this` working. */
class PrivateStatePort implements TraktUserPort {
  readonly #writes: Target[][] = [];
  get writes(): number {
    return this.#writes.length;
  }
  async search(): Promise<SearchPage> {
    return { hits: [dune], total: 1 };
  }
  async lookupImdb() {
    return arrival;
  }
  async lookupSlug() {
    return undefined;
  }
  async seasons() {
    return [{ number: 1, ids: {} }];
  }
  async episodes() {
    return [];
  }
  async add(targets: Target[]): Promise<WatchlistWriteResult> {
    this.#writes.push(targets);
    return { added: { ...zero, movies: targets.length }, existing: zero, notFound: [], list: undefined } as unknown as WatchlistWriteResult;
  }
  async remove(targets: Target[]): Promise<WatchlistWriteResult> {
    return this.add(targets);
  }
  async watchlistActivity() {
    return null;
  }
  async watchlistAll(): Promise<WatchlistEntry[]> {
    return [{ type: 'show', title: severance, listedAt: new Date(0), rank: 1 } as unknown as WatchlistEntry];
  }
  async settings() {
    return { username: 'u', vip: false, watchlistLimit: null };
  }
}

describe('the title index observes the Trakt port', () => {
  it('GIVEN searches, lookups and a watchlist read through the decorated port THEN their titles are in the index', async () => {
    const user = new PrivateStatePort();
    const index = new TitleIndex();
    const port = indexingTraktPort({ catalog: (): TraktCatalogPort => user, forIdentity: async () => user, publicWatchlist: async () => [] } satisfies TraktPort, index);

    await port.catalog().search({ query: 'dune', types: ['movie'], page: 1, limit: 10 });
    expect(index.match('dune', 5)).toEqual([dune]);

    const me = await port.forIdentity(7);
    await me.lookupImdb('tt2543164');
    await me.lookupSlug('movie', 'nothing');
    await me.watchlistAll();
    expect(index.size).toBe(3);
    expect(index.match('arr', 5)).toEqual([arrival]);
    expect(index.match('severance', 5)).toEqual([severance]);
  });

  it('GIVEN methods that return no titles THEN they pass through with the port as `this`', async () => {
    const user = new PrivateStatePort();
    const index = new TitleIndex();
    const me = await indexingTraktPort({ catalog: () => user, forIdentity: async () => user, publicWatchlist: async () => [] }, index).forIdentity(7);

    await me.add([{ kind: 'movie', title: dune }]);
    await me.remove([{ kind: 'movie', title: dune }]);
    expect(user.writes).toBe(2);
    expect(await me.settings()).toEqual({ username: 'u', vip: false, watchlistLimit: null });
    expect(index.size).toBe(0);
  });
});
