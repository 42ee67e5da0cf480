import { cell, headerIndex, type CsvRecord } from './csv.js';
import { ImportError, emptySkipped, type FormatName, type ImportRow, type Problem, type RowKind, type SkippedCounts } from './rows.js';
import { parseDate, parseImdbId, parseYear } from './values.js';

/**
 * IMDb CSV exports, every layout of SOURCE.md §1 (pre-2017 all-quoted, 2017 transitional ratings,
 * 2018–2024 legacy, current with `Original Title`), mapped by header name, never by position.
 */

export type ImdbLayout = 'imdb-list' | 'imdb-ratings' | 'imdb-people';

/** Which IMDb layout a header row is, if any. */
export function detectImdb(header: readonly string[]): ImdbLayout | undefined {
  const h = headerIndex(header);
  if (!h.has('const')) return undefined;
  if (h.has('name') && h.has('known for')) return 'imdb-people';
  if (!h.has('title') || !(h.has('title type') || h.has('url'))) return undefined;
  if (h.has('position')) return 'imdb-list';
  if (h.has('your rating')) return 'imdb-ratings';
  return 'imdb-list';
}

/** IMDb's `Title Type`, lower-cased without spaces, hyphens or underscores (covers display names and legacy camelCase). */
const KINDS: Record<string, RowKind | 'skip'> = {
  movie: 'movie',
  featurefilm: 'movie',
  documentary: 'movie',
  tvmovie: 'movie',
  tvspecial: 'movie',
  tvshort: 'movie',
  short: 'movie',
  shortfilm: 'movie',
  video: 'movie',
  tvseries: 'show',
  tvminiseries: 'show',
  miniseries: 'show',
  tvepisode: 'episode',
  videogame: 'skip',
  podcastseries: 'skip',
  podcastepisode: 'skip',
  musicvideo: 'skip',
};

/** The kind an IMDb `Title Type` stands for; `unknown` for labels we do not know (localized ones, e.g. German `Film`). */
export function imdbKind(titleType: string | undefined): RowKind | 'skip' {
  if (titleType === undefined) return 'unknown';
  return KINDS[titleType.toLowerCase().replace(/[\s\-_]/g, '')] ?? 'unknown';
}

export interface DocRead {
  format: FormatName;
  rows: ImportRow[];
  problems: Problem[];
  skipped: SkippedCounts;
  list?: { name?: string; description?: string };
}

export function readImdb(records: CsvRecord[], source: string): DocRead {
  const [head, ...data] = records;
  if (head === undefined) throw new ImportError('empty', 'The file is empty.');
  const layout = detectImdb(head.cells);
  if (layout === 'imdb-people') {
    throw new ImportError(
      'people-list',
      'This IMDb list holds people (Name, Known For), not titles: nothing to add to a watchlist. Export your watchlist, a list of titles, or your ratings instead.',
      { rows: data.length, source },
    );
  }
  const h = headerIndex(head.cells);
  const rows: ImportRow[] = [];
  const problems: Problem[] = [];
  const skipped = emptySkipped();
  for (const { line, cells } of data) {
    const rawConst = cell(cells, h, 'const');
    if (rawConst !== undefined && /^nm\d+$/.test(rawConst)) {
      skipped.people += 1;
      continue;
    }
    const typeLabel = cell(cells, h, 'title type');
    const kind = imdbKind(typeLabel);
    const title = cell(cells, h, 'title');
    if (kind === 'skip') {
      skipped.unsupported += 1;
      problems.push({ line, source, message: `“${title ?? rawConst ?? '?'}” is an IMDb ${typeLabel ?? ''} — Trakt has no such titles, skipped.` });
      continue;
    }
    if (kind === 'unknown' && typeLabel !== undefined) {
      problems.push({ line, source, message: `Unknown IMDb Title Type “${typeLabel}”: the kind is left to Trakt’s IMDb id lookup.` });
    }
    const imdb = parseImdbId(rawConst);
    const originalTitle = cell(cells, h, 'original title');
    const row: ImportRow = {
      line,
      kind,
      ids: imdb === undefined ? {} : { imdb },
      source,
    };
    if (title !== undefined) row.title = title;
    if (originalTitle !== undefined && originalTitle !== title) row.originalTitle = originalTitle;
    const year = parseYear(cell(cells, h, 'year')) ?? parseYear(cell(cells, h, 'release date', 'release date (month/day/year)'));
    if (year !== undefined) row.year = year;
    const listedAt = parseDate(cell(cells, h, 'created', 'date added', 'date rated'));
    if (listedAt !== undefined) row.listedAt = listedAt;
    const rating = Number(cell(cells, h, 'your rating', 'you rated'));
    if (Number.isInteger(rating) && rating >= 1 && rating <= 10) row.rating = rating;
    const description = cell(cells, h, 'description');
    if (description !== undefined) row.notes = description;
    const url = cell(cells, h, 'url');
    if (url !== undefined) row.url = url;
    if (typeLabel !== undefined) row.typeLabel = typeLabel;
    rows.push(row);
  }
  return { format: layout === 'imdb-ratings' ? 'imdb-ratings' : 'imdb-list', rows, problems, skipped };
}
