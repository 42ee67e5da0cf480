import { cell, headerIndex, type CsvRecord } from './csv.js';
import type { DocRead } from './imdb.js';
import { emptySkipped, type ImportRow } from './rows.js';
import { parseDate, parseImdbId, parseInteger, parseYear } from './values.js';

/** TMDb's account CSV export (watchlist or ratings; SOURCE.md §4): ids first, `Type` movie or tv. */
export function detectTmdb(header: readonly string[]): boolean {
  const h = headerIndex(header);
  return h.has('tmdb id') && h.has('type') && h.has('name');
}

export function readTmdb(records: CsvRecord[], source: string): DocRead {
  const h = headerIndex(records[0]?.cells ?? []);
  const problems: DocRead['problems'] = [];
  const rows = records.slice(1).map(({ line, cells }) => {
    const type = cell(cells, h, 'type')?.toLowerCase();
    const tmdb = parseInteger(cell(cells, h, 'tmdb id'));
    const imdb = parseImdbId(cell(cells, h, 'imdb id'));
    const season = parseInteger(cell(cells, h, 'season number'));
    const episode = parseInteger(cell(cells, h, 'episode number'));
    const row: ImportRow = { line, kind: 'unknown', ids: {}, source };
    const ids = { ...(tmdb === undefined ? {} : { tmdb }), ...(imdb === undefined ? {} : { imdb }) };
    if (type === 'movie') {
      row.kind = 'movie';
      row.ids = ids;
    } else if (type === 'tv' && season !== undefined) {
      // TMDb's season/episode rows carry the show's TMDb id: the show is the reference.
      row.kind = episode === undefined ? 'season' : 'episode';
      row.show = { ids };
      row.season = season;
      if (episode !== undefined) row.episode = episode;
    } else if (type === 'tv') {
      row.kind = 'show';
      row.ids = ids;
    } else {
      row.ids = ids;
      problems.push({ line, source, message: `Unknown TMDb Type “${type ?? ''}”.` });
    }
    const name = cell(cells, h, 'name');
    if (name !== undefined) {
      if (row.show !== undefined) row.show.title = name;
      else row.title = name;
    }
    const year = parseYear(cell(cells, h, 'release date'));
    if (year !== undefined) {
      if (row.show !== undefined) row.show.year = year;
      else row.year = year;
    }
    const listedAt = parseDate(cell(cells, h, 'date rated'));
    if (listedAt !== undefined) row.listedAt = listedAt;
    const rating = Math.round(Number(cell(cells, h, 'your rating')));
    if (rating >= 1 && rating <= 10) row.rating = rating;
    if (type !== undefined) row.typeLabel = type;
    return row;
  });
  return { format: 'tmdb', rows, problems, skipped: emptySkipped() };
}
