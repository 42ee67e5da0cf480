import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { WatchlistEntry } from '../domain/media.js';
import { MARQUEE_EXPORT_TAG, MARQUEE_EXPORT_VERSION } from './trakt.js';

/**
 * Watchlist exports, written as a stream of string chunks (never the whole list as one string):
 * Marquee's JSON (complete and re-importable by readImport), a CSV in Letterboxd's import format
 * (films only) and an IMDb-style CSV (the current IMDb list layout). Wrap with `toReadable` for a
 * Node stream (an upload to Telegram or Discord).
 */

export interface ExportOptions {
  /** Flush a chunk once this many characters are buffered (default 16 KiB). */
  chunkChars?: number;
  /** Told about each entry the format cannot hold (e.g. a show in a Letterboxd CSV). */
  onSkip?: (entry: WatchlistEntry, reason: string) => void;
  /** Marquee JSON: the export time written into the file (default now). */
  exportedAt?: Date;
}

type Entries = AsyncIterable<WatchlistEntry> | Iterable<WatchlistEntry>;

const DEFAULT_CHUNK = 16 * 1024;

/** Marquee's JSON: `{ marquee, version, exportedAt, items: [...] }`, items in Trakt's watchlist item shape. */
export async function* exportMarqueeJson(entries: Entries, options: ExportOptions = {}): AsyncGenerator<string> {
  const limit = options.chunkChars ?? DEFAULT_CHUNK;
  const head = { marquee: MARQUEE_EXPORT_TAG, version: MARQUEE_EXPORT_VERSION, exportedAt: (options.exportedAt ?? new Date()).toISOString() };
  let buffer = `${JSON.stringify(head).slice(0, -1)},"items":[`;
  let first = true;
  for await (const entry of entries) {
    buffer += `${first ? '\n' : ',\n'}${JSON.stringify(jsonItem(entry))}`;
    first = false;
    if (buffer.length >= limit) {
      yield buffer;
      buffer = '';
    }
  }
  yield `${buffer}\n]}\n`;
}

function jsonItem(entry: WatchlistEntry): Record<string, unknown> {
  const t = entry.title;
  const media = { title: t.title, year: t.year, ids: { ...t.ids } };
  const item: Record<string, unknown> = { type: entry.type, rank: entry.rank, listed_at: entry.listedAt.toISOString() };
  if (entry.listItemId !== undefined) item.id = entry.listItemId;
  if (entry.notes !== undefined) item.notes = entry.notes;
  switch (entry.type) {
    case 'movie':
      item.movie = media;
      break;
    case 'show':
      item.show = media;
      break;
    case 'season':
      item.show = media;
      item.season = { number: entry.season, ids: { ...entry.seasonIds } };
      break;
    case 'episode':
      item.show = media;
      if (entry.episode !== undefined) {
        item.episode = { season: entry.episode.season, number: entry.episode.number, title: entry.episode.title, ids: { ...entry.episode.ids } };
      }
      break;
  }
  return item;
}

/** Rows of a CSV, header first, batched into chunks by csv-stringify (quoting as RFC 4180 needs). */
async function* csvChunks<T>(entries: Entries, columns: string[], toRecord: (entry: WatchlistEntry, index: number) => T[] | undefined, options: ExportOptions): AsyncGenerator<string> {
  const limit = options.chunkChars ?? DEFAULT_CHUNK;
  let batch: T[][] = [];
  let batchChars = 0;
  let index = 0;
  let buffer = stringify([columns], { record_delimiter: 'unix' });
  for await (const entry of entries) {
    const record = toRecord(entry, index);
    index += 1;
    if (record === undefined) continue;
    batch.push(record);
    batchChars += 40 + record.reduce((n, v) => n + String(v ?? '').length, 0);
    if (batchChars >= limit) {
      yield buffer + stringify(batch, { record_delimiter: 'unix' });
      buffer = '';
      batch = [];
      batchChars = 0;
    }
  }
  yield buffer + (batch.length > 0 ? stringify(batch, { record_delimiter: 'unix' }) : '');
}

/**
 * Letterboxd's import format (letterboxd.com/about/importing-data): `imdbID,tmdbID,Title,Year`, the
 * column subset watchlist exporters use. Films only; Letterboxd matches by the ids first.
 */
export function exportLetterboxdCsv(entries: Entries, options: ExportOptions = {}): AsyncGenerator<string> {
  return csvChunks(entries, ['imdbID', 'tmdbID', 'Title', 'Year'], (entry) => {
    if (entry.type !== 'movie') {
      options.onSkip?.(entry, 'Letterboxd holds films only');
      return undefined;
    }
    const t = entry.title;
    return [t.ids.imdb ?? '', t.ids.tmdb ?? '', t.title, t.year ?? ''];
  }, options);
}

export const IMDB_LIST_COLUMNS = [
  'Position', 'Const', 'Created', 'Modified', 'Description', 'Title', 'Original Title', 'URL', 'Title Type', 'IMDb Rating',
  'Runtime (mins)', 'Year', 'Genres', 'Num Votes', 'Release Date', 'Directors', 'Your Rating', 'Date Rated',
];

/**
 * An IMDb-style CSV in the current IMDb list layout, so IMDb-reading tools (and readImport) take it.
 * IMDb has no seasons: season entries are skipped; an episode is written only with its own IMDb id
 * (otherwise it would come back as its show). Movies and shows without an IMDb id keep an empty Const.
 * IMDb's own columns we do not have (rating, votes, genres, directors) stay empty.
 */
export function exportImdbCsv(entries: Entries, options: ExportOptions = {}): AsyncGenerator<string> {
  return csvChunks(entries, IMDB_LIST_COLUMNS, (entry, index) => {
    const t = entry.title;
    const day = entry.listedAt.toISOString().slice(0, 10);
    let imdb: string | undefined;
    let titleText = t.title;
    let type: string;
    switch (entry.type) {
      case 'movie':
        imdb = t.ids.imdb;
        type = 'Movie';
        break;
      case 'show':
        imdb = t.ids.imdb;
        type = 'TV Series';
        break;
      case 'season':
        options.onSkip?.(entry, 'IMDb has no seasons');
        return undefined;
      case 'episode':
        imdb = entry.episode?.ids.imdb;
        if (imdb === undefined || entry.episode === undefined) {
          options.onSkip?.(entry, 'the episode has no IMDb id');
          return undefined;
        }
        titleText = `${t.title}: ${entry.episode.title ?? `Season ${entry.episode.season}, Episode ${entry.episode.number}`}`;
        type = 'TV Episode';
        break;
    }
    const url = imdb === undefined ? '' : `https://www.imdb.com/title/${imdb}/`;
    const runtime = entry.type === 'episode' ? entry.episode?.runtime : t.runtime;
    const released = entry.type === 'movie' ? t.released : undefined;
    return [entry.rank ?? index + 1, imdb ?? '', day, day, entry.notes ?? '', titleText, titleText, url, type, '', runtime ?? '', t.year ?? '', '', '', released ?? '', '', '', ''];
  }, options);
}

/** A Node Readable over a chunk iterable (for an upload API that wants a stream). */
export function toReadable(chunks: AsyncIterable<string>): Readable {
  return Readable.from(chunks, { objectMode: false });
}
