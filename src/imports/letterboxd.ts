import { cell, headerIndex, type CsvRecord } from './csv.js';
import type { DocRead } from './imdb.js';
import { ImportError, emptySkipped, type FormatName, type ImportRow, type Problem } from './rows.js';
import { parseDate, parseImdbId, parseInteger, parseYear } from './values.js';

/**
 * Letterboxd: the export's CSVs (SOURCE.md §2) and the CSV format Letterboxd imports (what our
 * Letterboxd export writes, and what tools like Movary write). Export rows carry no ids: title + year.
 */

const LIST_MARKER = /^letterboxd list export\b/i;

export type LetterboxdLayout = 'letterboxd-watchlist' | 'letterboxd-ratings' | 'letterboxd-diary' | 'letterboxd-list' | 'letterboxd-import';

export function detectLetterboxd(header: readonly string[]): LetterboxdLayout | undefined {
  if (header[0] !== undefined && LIST_MARKER.test(header[0].trim())) return 'letterboxd-list';
  const h = headerIndex(header);
  if (h.has('date') && h.has('name') && h.has('year') && h.has('letterboxd uri')) {
    if (h.has('watched date') || h.has('review')) return 'letterboxd-diary';
    if (h.has('rating')) return 'letterboxd-ratings';
    return 'letterboxd-watchlist';
  }
  // Import format: any subset of LetterboxdURI, tmdbID, imdbID, Title, Year, … (case as documented, matched loosely).
  if ((h.has('title') || h.has('imdbid') || h.has('tmdbid')) && (h.has('imdbid') || h.has('tmdbid') || h.has('letterboxduri'))) return 'letterboxd-import';
  return undefined;
}

/** Letterboxd's 0.5–5 stars as Trakt's 1–10. */
function rating10(stars: string | undefined): number | undefined {
  const n = Number(stars);
  return stars !== undefined && Number.isFinite(n) && n >= 0.5 && n <= 5 ? Math.round(n * 2) : undefined;
}

function filmRow(line: number, source: string, name: string | undefined, year: string | undefined): ImportRow {
  const row: ImportRow = { line, kind: 'movie', ids: {}, source };
  if (name !== undefined) row.title = name;
  const y = parseYear(year);
  if (y !== undefined) row.year = y;
  return row;
}

export function readLetterboxd(records: CsvRecord[], source: string): DocRead {
  const first = records[0];
  if (first === undefined) throw new ImportError('empty', 'The file is empty.');
  const layout = detectLetterboxd(first.cells);
  if (layout === 'letterboxd-list') return readList(records, source);
  if (layout === 'letterboxd-import') return readImportFormat(records, source);
  const h = headerIndex(first.cells);
  const rows: ImportRow[] = [];
  for (const { line, cells } of records.slice(1)) {
    const row = filmRow(line, source, cell(cells, h, 'name'), cell(cells, h, 'year'));
    const listedAt = parseDate(cell(cells, h, 'date'));
    if (listedAt !== undefined) row.listedAt = listedAt;
    const rating = rating10(cell(cells, h, 'rating'));
    if (rating !== undefined) row.rating = rating;
    // In diary.csv and reviews.csv the URI is the diary entry's, not the film's.
    const uri = cell(cells, h, 'letterboxd uri');
    if (uri !== undefined && layout !== 'letterboxd-diary') row.url = uri;
    rows.push(row);
  }
  return { format: layout ?? 'letterboxd-watchlist', rows, problems: [], skipped: emptySkipped() };
}

/**
 * `lists/<slug>.csv`: `Letterboxd list export v7`, a `Date,Name,Tags,URL,Description` header, one
 * metadata record (may span lines), a blank line, then `Position,Name,Year,URL,Description` and the films.
 */
function readList(records: CsvRecord[], source: string): DocRead {
  const problems: Problem[] = [];
  const marker = records[0]?.cells[0]?.trim() ?? '';
  if (!/\bv7$/i.test(marker)) problems.push({ line: 1, source, message: `Letterboxd list export version “${marker}” was not seen before; read as v7.` });
  const tableAt = records.findIndex((r, i) => i > 0 && r.cells[0]?.trim().toLowerCase() === 'position' && r.cells.some((c) => c.trim().toLowerCase() === 'name'));
  if (tableAt === -1) throw new ImportError('unknown-format', 'This Letterboxd list export has no “Position,Name,Year,URL” table.', { source, hint: 'letterboxd-no-table' });
  let list: DocRead['list'];
  const metaHeader = records[1];
  const meta = records[2];
  if (metaHeader !== undefined && meta !== undefined && tableAt > 2) {
    const mh = headerIndex(metaHeader.cells);
    list = {};
    const name = cell(meta.cells, mh, 'name');
    const description = cell(meta.cells, mh, 'description');
    if (name !== undefined) list.name = name;
    if (description !== undefined) list.description = description;
  }
  const h = headerIndex(records[tableAt]?.cells ?? []);
  const rows = records.slice(tableAt + 1).map(({ line, cells }) => {
    const row = filmRow(line, source, cell(cells, h, 'name'), cell(cells, h, 'year'));
    const url = cell(cells, h, 'url');
    if (url !== undefined) row.url = url;
    const note = cell(cells, h, 'description');
    if (note !== undefined) row.notes = note;
    return row;
  });
  const result: DocRead = { format: 'letterboxd-list', rows, problems, skipped: emptySkipped() };
  if (list !== undefined) result.list = list;
  return result;
}

function readImportFormat(records: CsvRecord[], source: string): DocRead {
  const h = headerIndex(records[0]?.cells ?? []);
  const rows = records.slice(1).map(({ line, cells }) => {
    const row = filmRow(line, source, cell(cells, h, 'title'), cell(cells, h, 'year'));
    const imdb = parseImdbId(cell(cells, h, 'imdbid'));
    const tmdb = parseInteger(cell(cells, h, 'tmdbid'));
    if (imdb !== undefined) row.ids.imdb = imdb;
    if (tmdb !== undefined) row.ids.tmdb = tmdb;
    const r10 = Number(cell(cells, h, 'rating10'));
    const rating = Number.isInteger(r10) && r10 >= 1 && r10 <= 10 ? r10 : rating10(cell(cells, h, 'rating'));
    if (rating !== undefined) row.rating = rating;
    const watched = parseDate(cell(cells, h, 'watcheddate'));
    if (watched !== undefined) row.listedAt = watched;
    const uri = cell(cells, h, 'letterboxduri');
    if (uri !== undefined) row.url = uri;
    return row;
  });
  return { format: 'letterboxd-import' satisfies FormatName, rows, problems: [], skipped: emptySkipped() };
}
