import { EN } from '../../src/bot/core/i18n/index.js';
import { describe, expect, it } from 'vitest';
import { filterPhrase, parseListArgs, runtimeWord } from '../../src/bot/core/commands/watchlist-args.js';
import { InvalidInputError } from '../../src/bot/core/errors.js';

/** /watchlist and /random arguments: words and key=value (Discord's keyed options send the latter). */
describe('watchlist filter arguments', () => {
  it('GIVEN words THEN type, genre, years, runtime and sort are read, in any order', () => {
    expect(parseListArgs('movies horror 1990-2005 2h title', 'watchlist', true, EN)).toEqual({
      query: { filter: 'movies', genre: 'horror', yearFrom: 1990, yearTo: 2005, maxRuntime: 120 },
      sort: 'title',
      shared: false,
    });
    expect(parseListArgs('sci-fi 2000- 90m shows share', 'watchlist', true, EN)).toEqual({
      query: { filter: 'shows', genre: 'science-fiction', yearFrom: 2000, maxRuntime: 90 },
      shared: true,
    });
    expect(parseListArgs('1990s 1h30', 'random', false, EN).query).toEqual({ filter: 'all', yearFrom: 1990, yearTo: 1999, maxRuntime: 90 });
    expect(parseListArgs('-1979 released', 'watchlist', true, EN)).toMatchObject({ query: { yearTo: 1979 }, sort: 'released' });
  });

  it('GIVEN key=value (as Discord sends options) THEN values may hold spaces up to the next key', () => {
    expect(parseListArgs('movies runtime genre=science fiction years=2000-2010 runtime=150 share', 'watchlist', true, EN)).toEqual({
      query: { filter: 'movies', genre: 'science-fiction', yearFrom: 2000, yearTo: 2010, maxRuntime: 150 },
      sort: 'runtime',
      shared: true,
    });
    expect(filterPhrase({ filter: 'movies', genre: 'science-fiction', yearFrom: 2000, yearTo: 2010, maxRuntime: 150 }, EN)).toBe('Movies · Science fiction · 2000–2010 · ≤ 2½ h');
    expect(filterPhrase({ filter: 'all' }, EN)).toBe('All');
    expect([60, 90, 120, 150, 45].map(runtimeWord)).toEqual(['≤ 1 h', '≤ 90 min', '≤ 2 h', '≤ 2½ h', '≤ 45 min']);
  });

  it('GIVEN a word it does not know, a sort for /random, or a backwards range THEN it says so', () => {
    expect(() => parseListArgs('sideways', 'watchlist', true, EN)).toThrow(InvalidInputError);
    expect(() => parseListArgs('title', 'random', false, EN)).toThrow(InvalidInputError);
    expect(() => parseListArgs('years=2010-2000', 'watchlist', true, EN)).toThrow(/backwards/);
    expect(() => parseListArgs('runtime=forever', 'watchlist', true, EN)).toThrow(InvalidInputError);
  });
});
