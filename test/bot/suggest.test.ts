import { describe, expect, it } from 'vitest';
import { closestTitles, looserQueries, looserQueryWithHits } from '../../src/bot/core/suggest.js';
import { editDistance, TitleIndex } from '../../src/bot/core/title-index.js';
import type { SearchRequest, TraktCatalogPort } from '../../src/bot/core/ports.js';
import { title } from './fakes.js';

describe('suggestions for a search that found nothing', () => {
  const index = new TitleIndex();
  index.add([
    title(1, 'Dune', 'movie', { year: 2021, votes: 60_000 }),
    title(2, 'Dune', 'movie', { year: 1984, votes: 12_000 }),
    title(3, 'Dune: Part Two', 'movie', { year: 2024, votes: 40_000 }),
    title(4, 'The Avengers', 'movie', { year: 2012, votes: 27_000 }),
    title(5, 'Avengers: Endgame', 'movie', { year: 2019 }),
    title(6, 'June', 'movie', { year: 2015, votes: 10 }),
    title(7, 'Severance', 'show', { year: 2022 }),
  ]);

  it('edit distance counts a swap of neighbours as one mistake, and stops past the bound', () => {
    expect(editDistance('dnue', 'dune', 2)).toBe(1);
    expect(editDistance('the avengres', 'the avengers', 3)).toBe(1);
    expect(editDistance('severence', 'severance', 2)).toBe(1);
    expect(editDistance('abcdef', 'uvwxyz', 2)).toBe(3);
  });

  it.each([
    ['dnue', ['Dune', 'Dune']],
    ['the avengres', ['The Avengers']],
    ['avengres endgame', ['Avengers: Endgame']],
    ['dune part tow', ['Dune: Part Two']],
  ])('GIVEN %s THEN the closest known titles are %j (closest, then most voted)', (query, expected) => {
    expect(closestTitles(index, query, ['movie', 'show']).map((t) => t.title)).toEqual(expected);
  });

  it('GIVEN a type filter THEN only titles of that type are suggested; nothing close → nothing', () => {
    expect(closestTitles(index, 'severence', ['movie'])).toEqual([]);
    expect(closestTitles(index, 'severence', ['show']).map((t) => t.title)).toEqual(['Severance']);
    expect(closestTitles(index, 'zzqxv wobblefrotz', ['movie', 'show'])).toEqual([]);
    expect(closestTitles(index, 'du', ['movie', 'show'])).toEqual([]);
  });

  it('looser queries: without the year first, then without the last word; the first Trakt finds something for wins', async () => {
    expect(looserQueries({ q: 'tron legacy', year: 1999 })).toEqual([{ q: 'tron legacy' }, { q: 'tron' }]);
    expect(looserQueries({ q: 'dune' })).toEqual([]);
    const asked: SearchRequest[] = [];
    const catalog = {
      search: (request: SearchRequest) => {
        asked.push(request);
        return Promise.resolve({ hits: request.query === 'blade runner' ? [title(9, 'Blade Runner')] : [], total: 0 });
      },
    } as unknown as TraktCatalogPort;
    const found = await looserQueryWithHits(catalog, { q: 'blade runner zzz', year: 1990 }, ['movie'], (w) => w);
    expect(found).toEqual({ q: 'blade runner' });
    expect(asked.map((r) => [r.query, r.year])).toEqual([
      ['blade runner zzz', undefined],
      ['blade runner', undefined],
    ]);
  });
});
