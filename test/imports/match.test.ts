import { describe, expect, it } from 'vitest';
import { lookupPlan, matchRow, readImport, type Candidate, type ImportRow, type Lookup } from '../../src/imports/index.js';
import { sample } from './helpers.js';

const row = (r: Partial<ImportRow>): ImportRow => ({ line: 2, kind: 'movie', ids: {}, source: 'file', ...r });

/** A fake search: answers by lookup, and records what was asked. */
function fakeSearch(answers: (lookup: Lookup) => Candidate[]): { asked: Lookup[]; search: (lookup: Lookup) => Promise<Candidate[]> } {
  const asked: Lookup[] = [];
  return { asked, search: async (lookup) => (asked.push(lookup), answers(lookup)) };
}

const crouchingTiger: Candidate = { type: 'movie', ids: { trakt: 146, imdb: 'tt0190332' }, title: 'Crouching Tiger, Hidden Dragon', year: 2000 };
const heat: Candidate = { type: 'movie', ids: { trakt: 949, imdb: 'tt0113277' }, title: 'Heat', year: 1995 };

describe('ID-first matching', () => {
  it('GIVEN a row whose id and title disagree WHEN matched THEN the id wins and no title search is made', async () => {
    const { asked, search } = fakeSearch((l) => (l.by === 'imdb' && l.id === 'tt0190332' ? [crouchingTiger] : [heat]));
    const verdict = await matchRow(row({ title: 'Heat', year: 1995, ids: { imdb: 'tt0190332' } }), search);
    expect(verdict).toEqual({ status: 'matched', candidate: crouchingTiger, by: 'imdb' });
    expect(asked.map((l) => l.by)).toEqual(['imdb']);
  });

  it('GIVEN an IMDb TV Episode row WHEN the id lookup answers a movie THEN it is not found, never a movie', async () => {
    const [episode] = (await readImport(sample('imdb/imdb_ratings_2025.synthetic.csv'))).rows.filter((r) => r.kind === 'episode');
    expect(lookupPlan(episode!)).toEqual([{ by: 'imdb', id: 'tt2301455', types: ['episode'] }]);
    const { asked, search } = fakeSearch(() => [{ type: 'movie', ids: { trakt: 1 }, title: 'Breaking Bad: Felina', year: 2013 }]);
    expect(await matchRow(episode!, search)).toEqual({ status: 'not-found', reason: 'kind-mismatch' });
    expect(asked).toHaveLength(1); // no title search after an id miss
  });

  it('GIVEN a series row WHEN the lookup answers a film and the show THEN the show is taken', async () => {
    const show: Candidate = { type: 'show', ids: { trakt: 1388 }, title: 'Breaking Bad', year: 2008 };
    const { search } = fakeSearch(() => [{ type: 'movie', ids: { trakt: 2 }, title: 'Breaking Bad', year: 2008 }, show]);
    expect(await matchRow(row({ kind: 'show', ids: { imdb: 'tt0903747' } }), search)).toMatchObject({ status: 'matched', candidate: show });
  });

  it('GIVEN rows that carry Trakt ids, TMDb ids per kind, or a show and numbers WHEN planned THEN the right lookup comes first', async () => {
    const trakt = await readImport(sample('trakt/export-small/lists-watchlist.synthetic.json'));
    expect(trakt.rows.map((r) => lookupPlan(r)[0])).toEqual([
      { by: 'trakt', type: 'movie', id: 12601 },
      { by: 'trakt', type: 'show', id: 1388 },
      { by: 'trakt', type: 'season', id: 3963 },
      { by: 'trakt', type: 'episode', id: 73482 },
      { by: 'trakt', type: 'movie', id: 14701 },
      { by: 'trakt', type: 'movie', id: 1500000 },
    ]);
    const tmdb = await readImport(sample('other/tmdb_ratings.synthetic.csv'));
    expect(lookupPlan(tmdb.rows.find((r) => r.kind === 'show')!)).toEqual([{ by: 'imdb', id: 'tt0306414', types: ['show'] }]);
    expect(lookupPlan(row({ kind: 'show', ids: { tmdb: 1438 } }))).toEqual([{ by: 'tmdb', id: 1438, type: 'show' }]);
    expect(lookupPlan(row({ kind: 'unknown', ids: { tmdb: 1438 }, title: 'The Wire' }))).toEqual([]); // TMDb ids need a kind
    expect(lookupPlan(row({ kind: 'episode', show: { ids: { tmdb: 1399 } }, season: 3, episode: 9 }))).toEqual([
      { by: 'show', show: { by: 'tmdb', id: 1399, type: 'show' }, season: 3, episode: 9 },
    ]);
    expect(lookupPlan(row({ kind: 'unknown', ids: { imdb: 'tt0903747' } }))).toEqual([{ by: 'imdb', id: 'tt0903747', types: ['movie', 'show', 'episode'] }]);
  });

  it('GIVEN Letterboxd rows without ids WHEN matched THEN title + year decides, same-name films need the year, TV falls back to a confirmable search', async () => {
    const rows = (await readImport(sample('letterboxd/letterboxd_watchlist.synthetic.csv'))).rows;
    const nosferatu: Candidate[] = [
      { type: 'movie', ids: { trakt: 1 }, title: 'Nosferatu', year: 1922 },
      { type: 'movie', ids: { trakt: 2 }, title: 'Nosferatu', year: 2024 },
    ];
    const { search } = fakeSearch((l) => (l.by === 'title' && l.types.includes('movie') && l.query === 'Nosferatu' ? nosferatu : []));
    const [old, recent] = rows.filter((r) => r.title === 'Nosferatu');
    expect(await matchRow(old!, search)).toMatchObject({ status: 'matched', candidate: { year: 1922 }, by: 'title' });
    expect(await matchRow(recent!, search)).toMatchObject({ status: 'matched', candidate: { year: 2024 } });
    expect(await matchRow(row({ title: 'Nosferatu' }), search)).toMatchObject({ status: 'ambiguous', candidates: nosferatu });

    const angels = rows.find((r) => r.title === 'Angels in America')!;
    const miniseries: Candidate = { type: 'show', ids: { trakt: 5 }, title: 'Angels in America', year: 2003 };
    const tv = fakeSearch((l) => (l.by === 'title' && l.types.includes('show') ? [miniseries] : []));
    expect(await matchRow(angels, tv.search)).toEqual({ status: 'ambiguous', candidates: [miniseries] });
    expect(tv.asked.map((l) => l.by === 'title' && l.types)).toEqual([['movie'], ['show', 'episode']]);
  });

  it('GIVEN a title with accents or punctuation and a year one off WHEN matched THEN it still matches', async () => {
    const didi: Candidate = { type: 'movie', ids: { trakt: 7 }, title: 'Didi', year: 2024 };
    const { search } = fakeSearch(() => [didi]);
    expect(await matchRow(row({ title: 'Dìdi', year: 2025 }), search)).toMatchObject({ status: 'matched', candidate: didi });
    expect(await matchRow(row({ title: 'Something else', year: 2024 }), search)).toMatchObject({ status: 'ambiguous' });
  });
});
