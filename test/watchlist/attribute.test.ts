import { describe, expect, it } from 'vitest';
import type { MediaCounts, Title, WatchlistEntry, WatchlistWriteResult } from '../../src/domain/media.js';
import type { Target } from '../../src/domain/target.js';
import { attributeFromAnswer, resolveFromList } from '../../src/watchlist/attribute.js';
import { targetKey } from '../../src/domain/target.js';

/** Attributing Trakt's per-type counts to the targets of one write (REFERENCE §9). */
const title = (trakt: number, type: 'movie' | 'show' = 'movie'): Title => ({ type, ids: { trakt, imdb: `tt${trakt}` }, title: `T${trakt}`, year: 2000, posterUrl: null });
const movie = (trakt: number): Target => ({ kind: 'movie', title: title(trakt) });
const season = (show: number, n: number): Target => ({ kind: 'season', show: title(show, 'show'), season: n });
const zero: MediaCounts = { movies: 0, shows: 0, seasons: 0, episodes: 0 };
const answer = (changed: Partial<MediaCounts>, notFound: WatchlistWriteResult['notFound'] = []): WatchlistWriteResult => ({
  changed: { ...zero, ...changed },
  existing: zero,
  notFound,
  requests: 1,
  items: 1,
});
const keys = (targets: Target[]) => targets.map(targetKey).sort();
const entry = (target: Target, listedAt: Date): WatchlistEntry =>
  target.kind === 'movie'
    ? { rank: 1, listedAt, type: 'movie', title: target.title }
    : { rank: 1, listedAt, type: 'season', title: titleOfSeason(target), season: target.kind === 'season' ? target.season : 0 };
function titleOfSeason(target: Target): Title {
  return 'show' in target ? target.show : target.title;
}

describe('attributing a write', () => {
  it('GIVEN counts of none or all of a type THEN no guess is needed, and not_found echoes are dropped by any id', () => {
    const { attribution, unresolved } = attributeFromAnswer('add', [movie(1), movie(2), season(9, 1)], answer({ movies: 1 }, [{ kind: 'movies', ids: { imdb: 'tt2' } }]), undefined);
    expect(unresolved).toEqual([]);
    expect(keys(attribution.changed)).toEqual(keys([movie(1)]));
    expect(keys(attribution.notFound)).toEqual(keys([movie(2)]));
    expect(keys(attribution.unchanged)).toEqual(keys([season(9, 1)]));
  });

  it('GIVEN some of a type changed THEN the copy from before decides, for adds and removes', () => {
    const listed = new Set([targetKey(movie(2))]);
    const add = attributeFromAnswer('add', [movie(1), movie(2), movie(3)], answer({ movies: 2 }), listed);
    expect(keys(add.attribution.changed)).toEqual(keys([movie(1), movie(3)]));
    const remove = attributeFromAnswer('remove', [movie(1), movie(2), movie(3)], answer({ movies: 1 }), listed);
    expect(keys(remove.attribution.changed)).toEqual(keys([movie(2)]));
  });

  it('GIVEN counts the copy cannot explain THEN the group is left to a re-read', () => {
    const { attribution, unresolved } = attributeFromAnswer('add', [movie(1), movie(2), movie(3)], answer({ movies: 2 }), new Set());
    expect(attribution.changed).toEqual([]);
    expect(unresolved).toEqual([{ type: 'movies', candidates: [movie(1), movie(2), movie(3)], reported: 2 }]);
  });

  it('GIVEN a re-read THEN an add changed what was listed since the write; a count that still disagrees leaves those uncertain', () => {
    const since = new Date('2026-01-02T00:00:00Z');
    const old = new Date('2025-12-01T00:00:00Z');
    const groups = [{ type: 'movies' as const, candidates: [movie(1), movie(2), movie(3)], reported: 2 }];
    const clear = resolveFromList('add', groups, [entry(movie(1), since), entry(movie(2), old), entry(movie(3), since)], since, new Set());
    expect(keys(clear.changed)).toEqual(keys([movie(1), movie(3)]));
    expect(keys(clear.unchanged)).toEqual(keys([movie(2)]));
    const unclear = resolveFromList('add', groups, [movie(1), movie(2), movie(3)].map((t) => entry(t, since)), since, new Set());
    expect(unclear.changed).toEqual([]);
    expect(unclear.uncertain).toHaveLength(3);
  });

  it('GIVEN a re-read after a remove THEN it changed what is gone and was listed before; never what was not', () => {
    const groups = [{ type: 'movies' as const, candidates: [movie(1), movie(2), movie(3)], reported: 1 }];
    const before = new Set([targetKey(movie(1)), targetKey(movie(3))]);
    const now = new Date();
    const out = resolveFromList('remove', groups, [entry(movie(3), now)], now, before);
    expect(keys(out.changed)).toEqual(keys([movie(1)]));
    expect(keys(out.unchanged)).toEqual(keys([movie(2), movie(3)]));
  });
});
