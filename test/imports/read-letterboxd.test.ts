import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readImport, type ImportRow } from '../../src/imports/index.js';
import { sample } from './helpers.js';

function byTitle(rows: ImportRow[], title: string, year?: number): ImportRow {
  const row = rows.find((r) => r.title === title && (year === undefined || r.year === year));
  if (row === undefined) throw new Error(`no row ${title}`);
  return row;
}

describe('Letterboxd exports', () => {
  it('GIVEN watchlist.csv (CRLF, non-ASCII, quoted comma, empty years, same name twice) WHEN read THEN 17 films', async () => {
    const result = await readImport(sample('letterboxd/letterboxd_watchlist.synthetic.csv'));
    expect(result.format).toBe('letterboxd-watchlist');
    expect(result.rows).toHaveLength(17);
    expect(result.rows.every((r) => r.kind === 'movie' && Object.keys(r.ids).length === 0)).toBe(true);
    expect(result.rows[0]).toMatchObject({ line: 2, title: 'Stalker', year: 1979, url: 'https://boxd.it/28PO', listedAt: new Date('2022-11-05T00:00:00Z') });
    expect(byTitle(result.rows, 'Dìdi (弟弟)').year).toBe(2024);
    expect(byTitle(result.rows, 'Việt and Nam').year).toBe(2024);
    expect(byTitle(result.rows, 'Mother, Couch').year).toBe(2023);
    expect(byTitle(result.rows, 'Mission: Impossible – The Final Reckoning').year).toBe(2025);
    expect(byTitle(result.rows, 'Thunderbolts*').year).toBe(2025);
    expect(byTitle(result.rows, 'The Batman Part II').year).toBeUndefined();
    // Nosferatu 1922 and 2024 are two films, not a duplicate.
    expect(result.rows.filter((r) => r.title === 'Nosferatu').map((r) => r.year)).toEqual([1922, 2024]);
    expect(result.skipped.duplicates).toBe(0);
    expect(result.rows.some((r) => r.title?.includes('\r') || r.url?.includes('\r'))).toBe(false);
  });

  it('GIVEN ratings.csv WHEN read THEN half stars become Trakt’s 1–10', async () => {
    const result = await readImport(sample('letterboxd/letterboxd_ratings.synthetic.csv'));
    expect(result.format).toBe('letterboxd-ratings');
    expect(result.rows).toHaveLength(26);
    expect(byTitle(result.rows, 'Gladiator II').rating).toBe(1);
    expect(byTitle(result.rows, 'Heat').rating).toBe(9);
    expect(byTitle(result.rows, 'Paris, Texas')).toMatchObject({ year: 1984, rating: 10 });
    expect(byTitle(result.rows, 'Band of Brothers').kind).toBe('movie'); // Letterboxd rows are films; the matcher falls back
  });

  it('GIVEN a v7 list CSV (preamble, HTML description, notes) WHEN read THEN the films start after the preamble with their line numbers', async () => {
    const result = await readImport(sample('letterboxd/letterboxd_list_v7.synthetic.csv'));
    expect(result.format).toBe('letterboxd-list');
    expect(result.rows).toHaveLength(16);
    expect(result.rows[0]).toMatchObject({ line: 6, title: 'Rashomon', year: 1950, url: 'https://boxd.it/2a9K' });
    expect(result.list?.name).toBe('Japanese Cinema 1950–1967');
    expect(result.list?.description).toContain('<a href="https://boxd.it/1kbY">Kwaidan</a> when you’re ready');
    expect(byTitle(result.rows, 'Seven Samurai').notes).toBe('207 minutes — plan an "intermission" when the bandits retreat.');
    expect(byTitle(result.rows, 'Tokyo Story').notes).toBe('Slow, quiet, devastating.');
    expect(result.rows.map((r) => r.title)).not.toContain('Position');
  });

  it('GIVEN the TV list with LF, an emoji name and a multi-line description WHEN read THEN 12 titles from line 9', async () => {
    const result = await readImport(sample('letterboxd/letterboxd_list_v7_tv_lf.synthetic.csv'));
    expect(result.rows).toHaveLength(12);
    expect(result.list).toEqual({ name: 'Comfort TV 📺', description: 'Miniseries, specials and single episodes I rewatch when tired.\n\n[Always adding to this.]' });
    expect(result.rows[0]).toMatchObject({ line: 9, title: 'Band of Brothers', year: 2001 });
    expect(result.rows.at(-1)).toMatchObject({ title: 'Olive Kitteridge', line: 20 });
  });

  it('GIVEN the TV list re-saved with CRLF, or with LF only inside quotes WHEN read THEN the line numbers stay physical lines', async () => {
    const lf = new TextDecoder().decode(sample('letterboxd/letterboxd_list_v7_tv_lf.synthetic.csv'));
    const crlf = await readImport(new TextEncoder().encode(lf.replace(/\n/g, '\r\n')));
    expect(crlf.rows[0]).toMatchObject({ line: 9, title: 'Band of Brothers' });
    expect(crlf.rows.at(-1)).toMatchObject({ line: 20, title: 'Olive Kitteridge' });
    // Mixed: CRLF records, LF inside the quoted description.
    const [preamble, table] = lf.split('\n\nPosition');
    const mixed = await readImport(new TextEncoder().encode(`${preamble!.replace(/"\n$/, '"')}\r\n\r\nPosition${table!.replace(/\n/g, '\r\n')}`));
    expect(mixed.rows).toHaveLength(12);
    expect(mixed.rows[0]).toMatchObject({ line: 9, title: 'Band of Brothers' });
  });

  it('GIVEN a list whose preamble was re-saved with trailing commas WHEN read THEN it is still a list', async () => {
    const csv = 'Letterboxd list export v7,,,,\nDate,Name,Tags,URL,Description\n2024-01-01,Mine,,https://boxd.it/x,\n\nPosition,Name,Year,URL,Description\n1,Heat,1995,https://boxd.it/2bg8,\n';
    const result = await readImport(new TextEncoder().encode(csv));
    expect(result.format).toBe('letterboxd-list');
    expect(result.rows).toEqual([expect.objectContaining({ title: 'Heat', year: 1995, line: 6 })]);
  });

  it('GIVEN the orphaned diary (empty URI) WHEN read THEN one film without a link', async () => {
    const result = await readImport(sample('letterboxd/letterboxd_orphaned_diary.synthetic.csv'));
    expect(result.format).toBe('letterboxd-diary');
    expect(result.rows).toEqual([expect.objectContaining({ title: 'Severance', year: 2022, line: 2 })]);
    expect(result.rows[0]?.url).toBeUndefined();
  });

  it('GIVEN the export ZIP WHEN read THEN only watchlist.csv is read and every other member is reported', async () => {
    const result = await readImport(sample('letterboxd/letterboxd-demo-2025-02-14-09-30-utc.synthetic.zip'));
    expect(result.format).toBe('letterboxd-export-zip');
    expect(result.rows).toHaveLength(17);
    expect(result.rows[0]).toMatchObject({ source: 'watchlist.csv', title: 'Stalker' });
    expect(result.members?.map((m) => [m.name, m.read])).toEqual([
      ['watchlist.csv', true],
      ['watched.csv', false],
      ['ratings.csv', false],
      ['diary.csv', false],
      ['likes/films.csv', false],
      ['lists/japanese-cinema-1950-1967.csv', false],
      ['orphaned/diary.csv', false],
    ]);
  });

  it('GIVEN an export ZIP under a top folder with __MACOSX junk and a member of NUL bytes WHEN read THEN the watchlist is read', async () => {
    const zip = zipSync({
      'letterboxd-demo-2025-02-14-09-30-utc/watchlist.csv': sample('letterboxd/letterboxd_watchlist.synthetic.csv'),
      'letterboxd-demo-2025-02-14-09-30-utc/deleted/comments.csv': new Uint8Array(208),
      'letterboxd-demo-2025-02-14-09-30-utc/profile.csv': strToU8('Date Joined,Username\n2020-01-01,demo\n'),
      '__MACOSX/letterboxd-demo-2025-02-14-09-30-utc/._watchlist.csv': new Uint8Array([0, 5, 22, 7]),
    });
    const result = await readImport(zip);
    expect(result.format).toBe('letterboxd-export-zip');
    expect(result.rows).toHaveLength(17);
    expect(result.members?.find((m) => m.name === 'deleted/comments.csv')).toMatchObject({ read: false });
    expect(result.members?.some((m) => m.name.includes('__MACOSX'))).toBe(false);
  });

  it('GIVEN a ZIP with a broken watchlist.csv WHEN read THEN the member is reported, not the whole import failed', async () => {
    const zip = zipSync({ 'watchlist.csv': strToU8('Date,Name,Year,Letterboxd URI\n2024-01-01,"Unclosed,2020,https://boxd.it/x\n'), 'watched.csv': strToU8('Date,Name,Year,Letterboxd URI\n') });
    const result = await readImport(zip);
    expect(result.rows).toEqual([]);
    expect(result.members?.find((m) => m.name === 'watchlist.csv')).toMatchObject({ read: false });
    expect(result.problems[0]?.message).toMatch(/watchlist\.csv.*line 2/);
  });

  it('GIVEN CSVs in Letterboxd’s import format (ours and Movary’s) WHEN read THEN ids are used and rewatches are duplicates', async () => {
    const all = await readImport(sample('letterboxd/letterboxd-import-format_all-columns.synthetic.csv'));
    expect(all.format).toBe('letterboxd-import');
    expect(all.rows).toHaveLength(6);
    expect(byTitle(all.rows, 'TRON: Legacy')).toMatchObject({ ids: { imdb: 'tt1104001', tmdb: 20526 }, year: 2010 });
    expect(byTitle(all.rows, 'Parasite')).toMatchObject({ ids: { imdb: 'tt6751668', tmdb: 496243 }, rating: 9, line: 3 });
    expect(byTitle(all.rows, 'Synecdoche, New York')).toMatchObject({ rating: 8, ids: {} });
    expect(byTitle(all.rows, '1917').year).toBe(2019);
    const movary = await readImport(sample('letterboxd/movary_letterboxd-import-format_2022-12-30.csv'));
    expect(movary.rows).toHaveLength(25);
    expect(movary.skipped.duplicates).toBe(7);
    expect(movary.rows.filter((r) => r.title === 'Casino Royale').map((r) => r.ids.tmdb)).toEqual([12208, 36557]);
    expect(byTitle(movary.rows, '2012')).toMatchObject({ year: 2009, ids: { tmdb: 14161 } });
    expect(byTitle(movary.rows, 'Pokémon Detective Pikachu').ids.tmdb).toBe(447404);
  });
});
