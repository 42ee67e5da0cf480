import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { KNOWN_FORMATS, MAX_FILE_BYTES, MAX_MEMBER_BYTES, MAX_ROWS, MAX_ZIP_BYTES, detectFormat, readImport } from '../../src/imports/index.js';
import { importError, sample, sampleText, utf8 } from './helpers.js';

describe('bad input', () => {
  it('GIVEN a file of no known format WHEN read THEN the error lists the known formats', async () => {
    for (const bytes of [utf8('hello,world\n1,2\n'), utf8('{"some":"json"}'), sample('other/simkl_backup.synthetic.csv'), new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0xff, 0xfe])]) {
      const error = await importError(readImport(bytes));
      expect(error.code).toBe('unknown-format');
      for (const format of KNOWN_FORMATS) expect(error.message).toContain(format);
    }
  });

  it('GIVEN an empty file WHEN read THEN it is refused as empty', async () => {
    expect((await importError(readImport(new Uint8Array()))).code).toBe('empty');
    expect((await importError(readImport(utf8('\r\n \n')))).code).toBe('empty');
  });

  it('GIVEN a truncated ZIP WHEN read THEN it is refused as damaged or cut off', async () => {
    const zip = sample('trakt/trakt-export-small.synthetic.zip');
    for (const cut of [zip.length - 10, Math.floor(zip.length / 2), 30]) {
      const error = await importError(readImport(zip.subarray(0, cut)));
      expect(error.code).toBe('truncated-zip');
      expect(error.message).toMatch(/damaged or cut off/);
    }
  });

  it('GIVEN a cut-off JSON export WHEN read THEN it is refused as broken JSON', async () => {
    const json = sampleText('trakt/trakt-export_lists-watchlist.synthetic.json');
    const error = await importError(readImport(utf8(json.slice(0, 500))));
    expect(error.code).toBe('broken-json');
  });

  it('GIVEN a CSV with an unclosed quote WHEN read THEN the error names the line the quote opened on', async () => {
    const lines = sampleText('letterboxd/letterboxd_watchlist.synthetic.csv').split('\r\n');
    lines.splice(4, 0, '2023-01-09,"Unclosed title,2020,https://boxd.it/zzzz');
    const error = await importError(readImport(utf8(lines.join('\r\n'))));
    expect(error.code).toBe('broken-csv');
    expect(error.details.line).toBe(5);
    expect(error.message).toContain('line 5');
  });

  it('GIVEN a CSV with a stray quote inside a field WHEN read THEN the error names that line', async () => {
    const lines = sampleText('imdb/cecobask_imdb_list_legacy.csv').split('\n');
    lines[2] = lines[2]!.replace('Oppenheimer', 'Oppen"heimer"x');
    const error = await importError(readImport(utf8(lines.join('\n'))));
    expect(error.code).toBe('broken-csv');
    expect(error.details.line).toBe(3);
  });

  it('GIVEN more rows than the limit WHEN read THEN the file is refused with its row count', async () => {
    const header = 'Date,Name,Year,Letterboxd URI\n';
    const body = Array.from({ length: MAX_ROWS + 1 }, (_, i) => `2024-01-01,Film ${i},2000,https://boxd.it/${i.toString(36)}\n`).join('');
    const error = await importError(readImport(utf8(header + body)));
    expect(error.code).toBe('too-many-rows');
    expect(error.details).toMatchObject({ rows: 50_001, limit: 50_000 });
    expect(error.message).toContain('50,001');
    expect(error.message).toContain('50,000');
    const small = await importError(readImport(sample('imdb/imdb_watchlist_2024-12.synthetic.csv'), { maxRows: 10 }));
    expect(small.details).toMatchObject({ rows: 19, limit: 10 });
  });

  it('GIVEN duplicate rows WHEN read THEN they are dropped and counted', async () => {
    const text = sampleText('imdb/cecobask_imdb_list_legacy.csv');
    const lines = text.trimEnd().split('\n');
    const result = await readImport(utf8([...lines, lines[1], lines[1], lines[3]].join('\n')));
    expect(result.rows).toHaveLength(3);
    expect(result.skipped.duplicates).toBe(3);
  });

  it('GIVEN rows without a title or id WHEN read THEN they are dropped and counted', async () => {
    const csv = 'Date,Name,Year,Letterboxd URI\r\n2024-01-01,Heat,1995,https://boxd.it/2bg8\r\n2024-01-02,,,\r\n2024-01-03,,1999,\r\n';
    const result = await readImport(utf8(csv));
    expect(result.rows.map((r) => r.title)).toEqual(['Heat']);
    expect(result.skipped.noTitle).toBe(2);
    const imdb = 'Const,Your Rating,Date Rated,Title,URL,Title Type\n,8,2024-01-01,,,movie\ntt0113277,9,2024-01-01,Heat,,movie\n';
    expect((await readImport(utf8(imdb))).skipped.noTitle).toBe(1);
  });

  it('GIVEN the size limits WHEN imported THEN they are the documented ones for the caller to check', () => {
    expect(MAX_FILE_BYTES).toBe(5 * 1024 * 1024);
    expect(MAX_ZIP_BYTES).toBe(20 * 1024 * 1024);
  });
});

describe('detection and ZIP guards', () => {
  it('GIVEN each kind of sample WHEN only detected THEN the format is named from the content alone', () => {
    expect(detectFormat(sample('imdb/imdb_watchlist_pre2017.synthetic.csv'))).toBe('imdb-list');
    expect(detectFormat(sample('imdb/imdb_ratings_2025.synthetic.csv'))).toBe('imdb-ratings');
    expect(detectFormat(sample('letterboxd/letterboxd_list_v7.synthetic.csv'))).toBe('letterboxd-list');
    expect(detectFormat(sample('letterboxd/letterboxd_orphaned_diary.synthetic.csv'))).toBe('letterboxd-diary');
    expect(detectFormat(sample('trakt/trakt-export_lists-watchlist.synthetic.json'))).toBe('trakt-export');
    expect(detectFormat(sample('trakt/trakt-export-small.synthetic.zip'))).toBe('zip');
    expect(detectFormat(utf8('just some text'))).toBeUndefined();
  });

  it('GIVEN a ZIP whose watchlist would unpack past the member limit WHEN read THEN that member is not unpacked and is reported', async () => {
    const huge = new Uint8Array(MAX_MEMBER_BYTES + 1);
    const zip = zipSync({ 'watchlist.csv': huge, 'profile.csv': utf8('Date Joined,Username\n') }, { level: 1 });
    const result = await readImport(zip);
    expect(result.rows).toEqual([]);
    expect(result.members?.find((m) => m.name === 'watchlist.csv')).toMatchObject({ read: false, note: expect.stringMatching(/would unpack to/) });
  });
});
