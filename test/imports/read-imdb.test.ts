import { describe, expect, it } from 'vitest';
import { imdbKind, readImport, type ImportRow } from '../../src/imports/index.js';
import { importError, sample, sampleText, utf8, windows1252 } from './helpers.js';

function byImdb(rows: ImportRow[], id: string): ImportRow {
  const row = rows.find((r) => r.ids.imdb === id);
  if (row === undefined) throw new Error(`no row ${id}`);
  return row;
}

function kinds(rows: ImportRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[r.kind] = (out[r.kind] ?? 0) + 1;
  return out;
}

describe('IMDb CSV exports', () => {
  it('GIVEN the 2024-12 watchlist (current layout) WHEN read THEN every row comes with its kind from Title Type', async () => {
    const result = await readImport(sample('imdb/imdb_watchlist_2024-12.synthetic.csv'));
    expect(result.format).toBe('imdb-list');
    expect(result.rows).toHaveLength(19);
    expect(kinds(result.rows)).toEqual({ show: 4, movie: 14, episode: 1 });
    expect(result.problems).toEqual([]);
    // TV Episode: the episode's own tt, never a movie.
    expect(byImdb(result.rows, 'tt2178784')).toMatchObject({ kind: 'episode', title: 'Game of Thrones: The Rains of Castamere', line: 11, typeLabel: 'TV Episode' });
    expect(byImdb(result.rows, 'tt0185906')).toMatchObject({ kind: 'show', title: 'Band of Brothers', typeLabel: 'TV Mini Series', line: 2 });
    expect(byImdb(result.rows, 'tt0141842')).toMatchObject({ kind: 'show', title: 'The Sopranos', year: 1999 });
    // TV Movie, TV Special, TV Short, Short and Video are films.
    for (const id of ['tt0067023', 'tt0193524', 'tt0059026', 'tt0000417', 'tt0318403']) expect(byImdb(result.rows, id).kind).toBe('movie');
    // Quoted comma, non-ASCII, Title ≠ Original Title.
    expect(byImdb(result.rows, 'tt0190332')).toMatchObject({ title: 'Crouching Tiger, Hidden Dragon', originalTitle: 'Wo hu cang long', year: 2000 });
    expect(byImdb(result.rows, 'tt0087544').title).toBe('Nausicaä of the Valley of the Wind');
    expect(byImdb(result.rows, 'tt0317248').originalTitle).toBe('Cidade de Deus');
    expect(byImdb(result.rows, 'tt0318403').title).toBe('The Lion King 1½');
    // Announced films: no year at all, or a year without rating/runtime.
    const dune3 = byImdb(result.rows, 'tt31378509');
    expect(dune3.title).toBe('Dune: Part Three');
    expect(dune3.year).toBeUndefined();
    expect(byImdb(result.rows, 'tt21357150').year).toBe(2026);
    // Created → listedAt; a watchlist can carry a rating.
    expect(byImdb(result.rows, 'tt0185906').listedAt).toEqual(new Date('2019-01-12T00:00:00Z'));
    expect(byImdb(result.rows, 'tt0062622').rating).toBe(9);
    expect(byImdb(result.rows, 'tt0098936')).toMatchObject({ kind: 'show', rating: 8 });
  });

  it('GIVEN the 2025 ratings export (all text quoted, directors without spaces) WHEN read THEN it is a ratings file of 14 films and one episode', async () => {
    const result = await readImport(sample('imdb/imdb_ratings_2025.synthetic.csv'));
    expect(result.format).toBe('imdb-ratings');
    expect(kinds(result.rows)).toEqual({ movie: 14, episode: 1 });
    expect(byImdb(result.rows, 'tt2301455')).toMatchObject({ kind: 'episode', title: 'Breaking Bad: Felina', rating: 10, year: 2013 });
    expect(byImdb(result.rows, 'tt1675434')).toMatchObject({ title: 'The Intouchables', originalTitle: 'Intouchables', listedAt: new Date('2025-03-02T00:00:00Z') });
    expect(byImdb(result.rows, 'tt0118799').originalTitle).toBe('La vita è bella');
    expect(byImdb(result.rows, 'tt0020530')).toMatchObject({ kind: 'movie', typeLabel: 'Short' });
  });

  it('GIVEN the pre-2017 watchlist (every field quoted, Greek titles, partial dates) WHEN read THEN ids, kinds, years and long dates come through', async () => {
    const result = await readImport(sample('imdb/imdb_watchlist_pre2017.synthetic.csv'));
    expect(result.format).toBe('imdb-list');
    expect(result.rows).toHaveLength(15);
    expect(kinds(result.rows)).toEqual({ movie: 13, show: 2 });
    expect(byImdb(result.rows, 'tt0068646')).toMatchObject({ kind: 'movie', title: 'Ο Νονός', year: 1972, typeLabel: 'Feature Film' });
    // "Wed Nov  2 …"-style dates, day padded with a space.
    expect(byImdb(result.rows, 'tt0068646').listedAt).toEqual(new Date('2014-09-01T10:12:05Z'));
    expect(byImdb(result.rows, 'tt0102926')).toMatchObject({ title: 'Η σιωπή των αμνών', year: 1991 }); // release date 1991-02
    expect(byImdb(result.rows, 'tt1856101')).toMatchObject({ title: 'Blade Runner 2049', year: 2017 });
    expect(byImdb(result.rows, 'tt0185906')).toMatchObject({ kind: 'show', typeLabel: 'Mini-Series' });
    expect(byImdb(result.rows, 'tt0804503')).toMatchObject({ kind: 'show', title: 'Mad Men' });
    expect(byImdb(result.rows, 'tt1155592')).toMatchObject({ kind: 'movie', typeLabel: 'Documentary' });
  });

  it('GIVEN the 2025 custom list WHEN read THEN games and podcasts are skipped and counted, notes keep doubled quotes and newlines', async () => {
    const result = await readImport(sample('imdb/imdb_custom_list_2025.synthetic.csv'));
    expect(result.rows).toHaveLength(12);
    expect(result.skipped.unsupported).toBe(2);
    expect(result.problems.map((p) => p.line)).toEqual([12, 13]);
    expect(result.problems[0]?.message).toContain('Video Game');
    expect(kinds(result.rows)).toEqual({ movie: 9, show: 2, episode: 1 });
    expect(byImdb(result.rows, 'tt6751668').notes).toBe('Friend said: "watch it blind"');
    const dune = byImdb(result.rows, 'tt1160419');
    expect(dune).toMatchObject({ line: 15, originalTitle: 'Dune', notes: 'Line one of a two-line note\nline two (multi-line field: defensive case)' });
    expect(byImdb(result.rows, 'tt13623136').kind).toBe('movie'); // TV Special
    expect(byImdb(result.rows, 'tt15843316').year).toBeUndefined(); // The Incal
  });

  it('GIVEN the legacy list and ratings (camelCase types, no final newline) WHEN read THEN all rows are there', async () => {
    const list = await readImport(sample('imdb/cecobask_imdb_list_legacy.csv'));
    expect(list.format).toBe('imdb-list');
    expect(list.rows.map((r) => [r.ids.imdb, r.title, r.year])).toEqual([
      ['tt5013056', 'Dunkirk', 2017],
      ['tt15398776', 'Oppenheimer', 2023],
      ['tt0172495', 'Gladiator', 2000],
    ]);
    const ratings = await readImport(sample('imdb/cecobask_imdb_ratings_legacy.csv'));
    expect(ratings.format).toBe('imdb-ratings');
    expect(ratings.rows.at(-1)).toMatchObject({ title: 'Gladiator', rating: 10, line: 4 });
  });

  it('GIVEN the mcanouil legacy ratings (CC BY 4.0 excerpt) WHEN read THEN camelCase types map and an anthology TV film stays an episode', async () => {
    const result = await readImport(sample('imdb/mcanouil_imdb_ratings_legacy_2023-12.csv'));
    expect(result.rows).toHaveLength(32);
    expect(kinds(result.rows)).toEqual({ movie: 28, show: 3, episode: 1 });
    expect(byImdb(result.rows, 'tt0329200')).toMatchObject({ kind: 'episode', typeLabel: 'tvEpisode' });
    expect(byImdb(result.rows, 'tt1079959')).toMatchObject({ kind: 'show', typeLabel: 'tvMiniSeries' });
    expect(byImdb(result.rows, 'tt11332750').kind).toBe('movie'); // tvSpecial
    expect(byImdb(result.rows, 'tt1016301').title).toBe('La habitación de Fermat');
    expect(byImdb(result.rows, 'tt11125636').title).toBe('Yakari, le film');
  });

  it('GIVEN the same export as Windows-1252 or with a UTF-8 BOM WHEN read THEN the titles are the same', async () => {
    const text = sampleText('imdb/mcanouil_imdb_ratings_legacy_2023-12.csv');
    const plain = await readImport(utf8(text));
    const latin = await readImport(windows1252(text));
    const bom = await readImport(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(text)]));
    expect(latin.rows.map((r) => r.title)).toEqual(plain.rows.map((r) => r.title));
    expect(bom.rows.map((r) => r.title)).toEqual(plain.rows.map((r) => r.title));
    expect(byImdb(latin.rows, 'tt0103644').title).toBe('Alien³');
  });

  it('GIVEN a people list WHEN read THEN it is refused as not titles', async () => {
    const error = await importError(readImport(sample('imdb/imdb_people_list.synthetic.csv')));
    expect(error.code).toBe('people-list');
    expect(error.message).toMatch(/people/);
  });

  it('GIVEN Title Type labels WHEN mapped THEN display names, camelCase and old labels agree; unknown ones stay unknown', () => {
    expect(['Movie', 'movie', 'TV Movie', 'tvMovie', 'TV Special', 'Short', 'Video', 'Feature Film', 'Documentary', 'TV Short'].map(imdbKind)).toEqual(Array(10).fill('movie'));
    expect(['TV Series', 'tvSeries', 'TV Mini Series', 'tvMiniSeries', 'Mini-Series'].map(imdbKind)).toEqual(Array(5).fill('show'));
    expect(['TV Episode', 'tvEpisode'].map(imdbKind)).toEqual(['episode', 'episode']);
    expect(['Video Game', 'videoGame', 'Podcast Series', 'Podcast Episode', 'Music Video'].map(imdbKind)).toEqual(Array(5).fill('skip'));
    expect(imdbKind('Film')).toBe('unknown');
  });

  it('GIVEN a localized Title Type and a year range WHEN read THEN the row is kept for the id lookup and the year is the first one', async () => {
    const csv = 'Const,Your Rating,Date Rated,Title,URL,Title Type,Year\ntt0903747,9,2024-01-02,Breaking Bad,https://www.imdb.com/title/tt0903747/,Fernsehserie,2008–2013\n';
    const result = await readImport(utf8(csv));
    expect(result.rows[0]).toMatchObject({ kind: 'unknown', ids: { imdb: 'tt0903747' }, year: 2008 });
    expect(result.problems[0]).toMatchObject({ line: 2 });
  });
});
