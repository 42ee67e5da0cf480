import { describe, expect, it } from 'vitest';
import { lookupKey, ReadCache, searchKey } from '../../src/bot/services/read-cache.js';

/** The shared cache of app-level Trakt reads (src/bot/services/read-cache.ts): bounded, expiring, single-flight. */
describe('ReadCache', () => {
  const counting = () => {
    const loads: string[] = [];
    return { loads, load: (key: string) => () => (loads.push(key), Promise.resolve(`value of ${key}`)) };
  };

  it('GIVEN a small max WHEN more keys are read THEN it holds no more than max, and the least recently used is read again', async () => {
    const cache = new ReadCache<string>({ max: 3, ttlMs: 60_000 });
    const { loads, load } = counting();
    for (const key of ['a', 'b', 'c']) await cache.get(key, load(key));
    await cache.get('a', load('a')); // a is now the most recently used
    for (const key of ['d', 'e']) await cache.get(key, load(key));
    expect(cache.stats().size).toBe(3);
    expect(await cache.get('a', load('a'))).toBe('value of a');
    await cache.get('b', load('b'));
    expect(loads).toEqual(['a', 'b', 'c', 'd', 'e', 'b']);
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 6, size: 3 });
  });

  it('GIVEN an entry older than its ttl THEN it is read again; a shorter ttl per value applies', async () => {
    // lru-cache takes a start time of 0 for "no ttl": the fake clock starts at 1.
    let now = 1;
    const cache = new ReadCache<string[]>({ max: 10, ttlMs: 1000, perf: { now: () => now } });
    let reads = 0;
    const load = (value: string[]) => () => ((reads += 1), Promise.resolve(value));
    const notFoundTtl = (value: string[]) => (value.length === 0 ? 100 : undefined);
    await cache.get('found', load(['x']), notFoundTtl);
    await cache.get('missing', load([]), notFoundTtl);
    await Promise.resolve();
    now = 501;
    await cache.get('found', load(['x']), notFoundTtl);
    await cache.get('missing', load([]), notFoundTtl);
    expect(reads).toBe(3); // "missing" expired after 100 ms
    now = 1002;
    await cache.get('found', load(['x']), notFoundTtl);
    expect(reads).toBe(4);
  });

  it('GIVEN concurrent callers THEN one read serves them; a failed read is not remembered', async () => {
    const cache = new ReadCache<number>({ max: 10, ttlMs: 60_000 });
    let reads = 0;
    let fail = true;
    const load = () => {
      reads += 1;
      return fail ? Promise.reject(new Error('503')) : Promise.resolve(reads);
    };
    const [one, two] = await Promise.allSettled([cache.get('k', load), cache.get('k', load)]);
    expect(one.status).toBe('rejected');
    expect(two.status).toBe('rejected');
    expect(reads).toBe(1);
    await Promise.resolve();
    fail = false;
    expect(await cache.get('k', load)).toBe(2);
    expect(await cache.get('k', load)).toBe(2);
    expect(reads).toBe(2);
  });

  it('keys: case, spacing and type order do not matter; the year, page and limit do', () => {
    const base = { query: 'Dune', types: ['movie', 'show'], page: 1, limit: 10 };
    expect(searchKey({ ...base, query: '  dUNE ' })).toBe(searchKey(base));
    expect(searchKey({ ...base, types: ['show', 'movie'] })).toBe(searchKey(base));
    expect(searchKey({ ...base, year: 2021 })).not.toBe(searchKey(base));
    expect(searchKey({ ...base, page: 2 })).not.toBe(searchKey(base));
    expect(searchKey({ ...base, query: 'dune!' })).not.toBe(searchKey(base));
    expect(lookupKey({ idType: 'imdb', id: 'TT1160419' })).toBe(lookupKey({ idType: 'imdb', id: 'tt1160419' }));
    expect(lookupKey({ idType: 'tmdb', id: 1, type: 'movie' })).not.toBe(lookupKey({ idType: 'tmdb', id: 1, type: 'show' }));
  });
});
