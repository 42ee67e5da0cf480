import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readImport } from '../../src/imports/index.js';
import { importError, sample } from './helpers.js';

describe('Trakt data export and other JSON', () => {
  it('GIVEN lists-watchlist.json with movies, a show, a season and an episode WHEN read THEN each keeps its own ids and its show', async () => {
    const result = await readImport(sample('trakt/export-small/lists-watchlist.synthetic.json'));
    expect(result.format).toBe('trakt-export');
    // Ranks 1, 2, 3, 4, 4, 6: the shared rank 4 is ordered by listed_at.
    expect(result.rows.map((r) => [r.kind, r.ids.trakt])).toEqual([
      ['movie', 12601],
      ['show', 1388],
      ['season', 3963],
      ['episode', 73482],
      ['movie', 14701],
      ['movie', 1500000],
    ]);
    const tron = result.rows[0];
    expect(tron).toEqual({
      line: 1,
      kind: 'movie',
      title: 'TRON: Legacy',
      year: 2010,
      ids: { imdb: 'tt1104001', slug: 'tron-legacy-2010', tmdb: 20526, trakt: 12601 },
      listedAt: new Date('2025-11-02T20:14:09.000Z'),
      rank: 1,
      listItemId: 1300000001,
      notes: 'Watch before TRON: Ares — "the one with Daft Punk"',
      source: 'file',
    });
    // null ids and a null year are simply absent.
    expect(result.rows[5]).toMatchObject({ ids: { slug: 'untitled-short-2026', trakt: 1500000 }, notes: 'multi-line\nnote' });
    expect(result.rows[5]?.year).toBeUndefined();
    expect(Object.keys(result.rows[5]?.ids ?? {})).toEqual(['trakt', 'slug']);
    const season = result.rows.find((r) => r.kind === 'season');
    expect(season).toMatchObject({ season: 1, ids: { trakt: 3963, tmdb: 3624, tvdb: 364731 }, show: { title: 'Game of Thrones', year: 2011, ids: { trakt: 1390, imdb: 'tt0944947' } } });
    const episode = result.rows.find((r) => r.kind === 'episode');
    expect(episode).toMatchObject({ season: 1, episode: 1, title: 'Pilot', rating: 9, ids: { trakt: 73482, imdb: 'tt0959621' }, show: { ids: { trakt: 1388 } } });
  });

  it('GIVEN the twin of a real export (shared rank 4, no rank 2, plex ids) WHEN read THEN rows are in rank then listed_at order and plex ids are dropped', async () => {
    const result = await readImport(sample('trakt/trakt-export_lists-watchlist.synthetic.json'));
    expect(result.rows.map((r) => [r.title, r.rank])).toEqual([
      ['Star Wars: Episode IV - A New Hope', 1],
      ['Severance', 3],
      ['How I Met Your Mother', 4],
      ['Mystery Science Theater 3000', 4],
      ['Captain America: The Winter Soldier', 5],
      ['Avengers: Age of Ultron', 6],
    ]);
    expect(result.rows[0]?.ids).toEqual({ imdb: 'tt0076759', slug: 'star-wars-episode-iv-a-new-hope-1977', tmdb: 11, trakt: 12 });
    expect(result.rows[1]?.ids.tvdb).toBe(371980);
  });

  it('GIVEN the small export ZIP WHEN read THEN only lists-watchlist.json is read', async () => {
    const result = await readImport(sample('trakt/trakt-export-small.synthetic.zip'));
    expect(result.format).toBe('trakt-export-zip');
    expect(result.rows).toHaveLength(6);
    expect(result.members?.filter((m) => m.read).map((m) => m.name)).toEqual(['lists-watchlist.json']);
    expect(result.members?.find((m) => m.name === 'lists-list-27000001-weekend-picks.json')?.read).toBe(false);
  });

  it('GIVEN the paginated export ZIP WHEN read THEN both pages are read', async () => {
    const result = await readImport(sample('trakt/trakt-export-paginated.synthetic.zip'));
    expect(result.rows.map((r) => r.kind)).toEqual(['movie', 'show', 'movie', 'season', 'episode']);
    expect(result.members?.filter((m) => m.read).map((m) => [m.name, m.rows])).toEqual([
      ['lists-watchlist-1.json', 3],
      ['lists-watchlist-2.json', 2],
    ]);
  });

  it('GIVEN pages -1, -2 and -10 under a top folder WHEN read THEN pages are taken in numeric order', async () => {
    const page = (trakt: number): Uint8Array => strToU8(JSON.stringify([{ type: 'movie', movie: { title: `M${trakt}`, year: 2000, ids: { trakt } } }]));
    const zip = zipSync({
      'export/lists-watchlist-10.json': page(10),
      'export/lists-watchlist-1.json': page(1),
      'export/lists-watchlist-2.json': page(2),
      'export/user-settings.json': strToU8('{"secret":"never read"}'),
      '__MACOSX/export/._lists-watchlist-1.json': new Uint8Array([0, 5]),
    });
    const result = await readImport(zip);
    expect(result.rows.map((r) => r.ids.trakt)).toEqual([1, 2, 10]);
    expect(result.members?.find((m) => m.name === 'user-settings.json')).toMatchObject({ read: false, note: expect.stringMatching(/never read/) });
  });

  it('GIVEN a ZIP holding one known file WHEN read THEN that file is read', async () => {
    const result = await readImport(zipSync({ 'WATCHLIST.csv': sample('imdb/cecobask_imdb_list_legacy.csv') }));
    expect(result.format).toBe('imdb-list');
    expect(result.rows).toHaveLength(3);
  });

  it('GIVEN a traktexport full backup WHEN read THEN its watchlist is read', async () => {
    const result = await readImport(sample('trakt/traktexport-full-backup.synthetic.json'));
    expect(result.format).toBe('trakt-backup');
    expect(result.rows.map((r) => r.kind)).toEqual(['movie', 'show', 'season', 'episode']);
  });

  it('GIVEN lists-lists.json alone WHEN read THEN the answer says which file to send', async () => {
    const error = await importError(readImport(sample('trakt/export-small/lists-lists.synthetic.json')));
    expect(error.code).toBe('unknown-format');
    expect(error.message).toContain('lists-watchlist.json');
  });

  it('GIVEN items without a type or their movie WHEN read THEN they are skipped and counted', async () => {
    const json = JSON.stringify([{ type: 'movie', movie: { title: 'Ok', year: 2000, ids: { trakt: 1 } } }, { type: 'movie' }, { type: 'person', show: {} }]);
    const result = await readImport(new TextEncoder().encode(json));
    expect(result.rows).toHaveLength(1);
    expect(result.skipped.invalid).toBe(2);
    expect(result.problems.map((p) => p.line)).toEqual([2, 3]);
  });

  it('GIVEN TMDb exports WHEN read THEN ids and kinds come from the columns', async () => {
    const ratings = await readImport(sample('other/tmdb_ratings.synthetic.csv'));
    expect(ratings.format).toBe('tmdb');
    expect(ratings.rows.find((r) => r.ids.tmdb === 146)).toMatchObject({ kind: 'movie', title: '臥虎藏龍', year: 2000, rating: 7 });
    expect(ratings.rows.find((r) => r.ids.tmdb === 1438)).toMatchObject({ kind: 'show', title: 'The Wire', ids: { imdb: 'tt0306414' } });
    expect(ratings.rows.find((r) => r.ids.tmdb === 100)?.title).toBe('Lock, Stock and Two Smoking Barrels');
    const watchlist = await readImport(sample('other/tmdb_watchlist.synthetic.csv'));
    expect(watchlist.rows.find((r) => r.title === 'Exit 8')).toMatchObject({ ids: { tmdb: 1408208 }, listedAt: new Date('2026-02-01T16:40:00Z') });
  });
});
