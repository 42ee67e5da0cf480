import type { DocRead } from './imdb.js';
import { ImportError, emptySkipped, type FormatName, type ImportRow, type Problem, type RowIds, type ShowRef } from './rows.js';
import { parseDate, parseImdbId, parseInteger } from './values.js';

/**
 * Trakt watchlist items in JSON: Trakt's data export (`lists-watchlist[-N].json`, SOURCE.md §3), the
 * API's `/sync/watchlist` shape, traktexport's full backup (`{ watchlist: [...] }`) and Marquee's own
 * export (`{ marquee: 'watchlist-export', items: [...] }`, written by export.ts in the same item shape).
 * Key order never matters; null and missing ids are the same; `plex` ids are ignored.
 */

export const MARQUEE_EXPORT_TAG = 'marquee-watchlist-export';
export const MARQUEE_EXPORT_VERSION = 1;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ITEM_TYPES = new Set(['movie', 'show', 'season', 'episode']);

function isWatchlistItem(value: unknown): boolean {
  return isObject(value) && typeof value.type === 'string' && ITEM_TYPES.has(value.type) && (isObject(value.movie) || isObject(value.show));
}

export type JsonLayout =
  | { format: 'marquee'; items: unknown[] }
  | { format: 'trakt-export'; items: unknown[] }
  | { format: 'trakt-backup'; items: unknown[] }
  | { format: 'trakt-lists-index' };

/** What a parsed JSON document is, if it is one we know. */
export function detectJson(doc: unknown): JsonLayout | undefined {
  if (isObject(doc) && doc.marquee === MARQUEE_EXPORT_TAG && Array.isArray(doc.items)) return { format: 'marquee', items: doc.items };
  if (isObject(doc) && Array.isArray(doc.watchlist) && (doc.watchlist.length === 0 || doc.watchlist.some(isWatchlistItem))) {
    return { format: 'trakt-backup', items: doc.watchlist };
  }
  if (Array.isArray(doc)) {
    if (doc.length === 0 || doc.some(isWatchlistItem)) return { format: 'trakt-export', items: doc };
    if (doc.every((l) => isObject(l) && typeof l.name === 'string' && isObject(l.ids) && 'item_count' in l)) return { format: 'trakt-lists-index' };
  }
  return undefined;
}

function ids(value: unknown): RowIds {
  const out: RowIds = {};
  if (!isObject(value)) return out;
  const trakt = parseInteger(value.trakt);
  const tmdb = parseInteger(value.tmdb);
  const tvdb = parseInteger(value.tvdb);
  const imdb = typeof value.imdb === 'string' ? parseImdbId(value.imdb) : undefined;
  if (trakt !== undefined) out.trakt = trakt;
  if (typeof value.slug === 'string' && value.slug !== '') out.slug = value.slug;
  if (imdb !== undefined) out.imdb = imdb;
  if (tmdb !== undefined) out.tmdb = tmdb;
  if (tvdb !== undefined) out.tvdb = tvdb;
  return out;
}

function titleRef(value: JsonObject): ShowRef {
  const ref: ShowRef = { ids: ids(value.ids) };
  if (typeof value.title === 'string' && value.title !== '') ref.title = value.title;
  if (typeof value.year === 'number' && Number.isInteger(value.year)) ref.year = value.year;
  return ref;
}

export function readTraktItems(format: Extract<FormatName, 'marquee' | 'trakt-export' | 'trakt-backup'>, items: unknown[], source: string): DocRead {
  const rows: ImportRow[] = [];
  const problems: Problem[] = [];
  const skipped = emptySkipped();
  items.forEach((item, index) => {
    const line = index + 1;
    const invalid = (why: string): void => {
      skipped.invalid += 1;
      problems.push({ line, source, message: `Item ${line} skipped: ${why}.` });
    };
    if (!isObject(item) || typeof item.type !== 'string') return invalid('it has no type');
    const row: ImportRow = { line, kind: 'unknown', ids: {}, source };
    switch (item.type) {
      case 'movie':
      case 'show': {
        const media = item[item.type];
        if (!isObject(media)) return invalid(`a ${item.type} item without its ${item.type}`);
        const ref = titleRef(media);
        row.kind = item.type;
        row.ids = ref.ids;
        if (ref.title !== undefined) row.title = ref.title;
        if (ref.year !== undefined) row.year = ref.year;
        break;
      }
      case 'season': {
        const show = item.show;
        const season = item.season;
        const number = isObject(season) ? season.number : undefined;
        if (!isObject(show) || typeof number !== 'number' || !Number.isInteger(number) || number < 0) return invalid('a season item without its show or season number');
        row.kind = 'season';
        row.show = titleRef(show);
        row.season = number;
        row.ids = ids(isObject(season) ? season.ids : undefined);
        break;
      }
      case 'episode': {
        const show = item.show;
        const episode = item.episode;
        if (!isObject(show) || !isObject(episode) || typeof episode.season !== 'number' || typeof episode.number !== 'number') {
          return invalid('an episode item without its show, season or episode number');
        }
        row.kind = 'episode';
        row.show = titleRef(show);
        row.season = episode.season;
        row.episode = episode.number;
        row.ids = ids(episode.ids);
        if (typeof episode.title === 'string' && episode.title !== '') row.title = episode.title;
        break;
      }
      default:
        return invalid(`unknown type “${item.type}”`);
    }
    const listedAt = typeof item.listed_at === 'string' ? parseDate(item.listed_at) : undefined;
    if (listedAt !== undefined) row.listedAt = listedAt;
    if (typeof item.rank === 'number' && Number.isFinite(item.rank)) row.rank = item.rank;
    const listItemId = parseInteger(item.id);
    if (listItemId !== undefined) row.listItemId = listItemId;
    if (typeof item.notes === 'string' && item.notes !== '') row.notes = item.notes;
    if (typeof item.my_rating === 'number' && item.my_rating >= 1 && item.my_rating <= 10) row.rating = item.my_rating;
    rows.push(row);
  });
  return { format, rows, problems, skipped };
}

/** Parse a JSON text; a text that starts like JSON but does not parse is refused (usually a cut-off file). */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ImportError('broken-json', `The JSON file cannot be read (${(error as Error).message}); it may be cut off.`, { source, detail: (error as Error).message });
  }
}

/** Trakt rows in the user's order: by rank, then listed_at (rank is not unique and may have gaps). */
export function sortByRank(rows: ImportRow[]): ImportRow[] {
  return rows
    .map((row, index) => ({ row, index }))
    .sort(
      (a, b) =>
        (a.row.rank ?? Number.POSITIVE_INFINITY) - (b.row.rank ?? Number.POSITIVE_INFINITY) ||
        (a.row.listedAt?.getTime() ?? 0) - (b.row.listedAt?.getTime() ?? 0) ||
        a.index - b.index,
    )
    .map(({ row }) => row);
}
