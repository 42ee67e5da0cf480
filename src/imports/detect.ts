import { unzipSync } from 'fflate';
import { firstRecord, parseCsv } from './csv.js';
import { decodeText } from './decode.js';
import { detectImdb, readImdb, type DocRead } from './imdb.js';
import { detectLetterboxd, readLetterboxd } from './letterboxd.js';
import {
  ImportError,
  KNOWN_FORMATS,
  MAX_MEMBER_BYTES,
  MAX_ROWS,
  emptySkipped,
  type FormatName,
  type ImportRow,
  type MemberReport,
  type Problem,
  type ReadResult,
  type SkippedCounts,
} from './rows.js';
import { detectTmdb, readTmdb } from './tmdb.js';
import { detectJson, parseJson, readTraktItems, sortByRank } from './trakt.js';

/**
 * The entry point: bytes in, neutral rows out. The format is detected from the content (the header
 * row, the JSON shape, the member names inside a ZIP), never from a file name. A file refused as a
 * whole rejects with an ImportError whose message is meant for the user; row-level trouble lands in
 * `problems` and `skipped`. Size limits (MAX_FILE_BYTES, MAX_ZIP_BYTES) are the caller's to check.
 */
export async function readImport(bytes: Uint8Array, options: { maxRows?: number } = {}): Promise<ReadResult> {
  await Promise.resolve(); // the work is synchronous; stay a promise so callers never depend on that
  const maxRows = options.maxRows ?? MAX_ROWS;
  if (bytes.length === 0) throw new ImportError('empty', 'The file is empty.');
  if (isZip(bytes)) return readZip(bytes, maxRows);
  return finish(readDocument(bytes, 'file'), maxRows);
}

/** The format of some bytes without reading the rows (for a quick "this looks like…" answer). */
export function detectFormat(bytes: Uint8Array): FormatName | 'zip' | undefined {
  if (isZip(bytes)) return 'zip';
  const text = decodeText(bytes).text;
  const json = looksLikeJson(text) ? safeJson(text) : undefined;
  if (json !== undefined) {
    const layout = detectJson(json);
    return layout === undefined || layout.format === 'trakt-lists-index' ? undefined : layout.format;
  }
  return csvFormat(firstRecord(text) ?? []);
}

function isZip(bytes: Uint8Array): boolean {
  // Local file header `PK\3\4`, or the end record of an empty archive `PK\5\6`.
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
}

function looksLikeJson(text: string): boolean {
  return /^\s*[[{]/.test(text);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The formats Marquee reads, one bullet a line (format names, the same in every language). */
export function knownFormatsList(): string {
  return KNOWN_FORMATS.map((f) => `• ${f}`).join('\n');
}

function unknownFormat(source?: string): ImportError {
  return new ImportError('unknown-format', `This is not a format Marquee can import. Known formats:\n${knownFormatsList()}`, source === undefined ? {} : { source });
}

function csvFormat(header: readonly string[]): FormatName | undefined {
  const imdb = detectImdb(header);
  if (imdb === 'imdb-people') return 'imdb-list';
  if (imdb !== undefined) return imdb;
  const letterboxd = detectLetterboxd(header);
  if (letterboxd !== undefined) return letterboxd;
  if (detectTmdb(header)) return 'tmdb';
  return undefined;
}

/** One file (or one ZIP member) of any single-file format. */
function readDocument(bytes: Uint8Array, source: string): DocRead {
  const { text } = decodeText(bytes);
  if (text.trim() === '') throw new ImportError('empty', 'The file is empty.', { source });
  if (looksLikeJson(text)) {
    const layout = detectJson(parseJson(text, source));
    if (layout === undefined) throw unknownFormat(source);
    if (layout.format === 'trakt-lists-index') {
      throw new ImportError('unknown-format', 'This is Trakt’s index of your lists (lists-lists.json), not their items: send lists-watchlist.json or the whole export ZIP.', { source, hint: 'lists-index' });
    }
    const doc = readTraktItems(layout.format, layout.items, source);
    return { ...doc, rows: sortByRank(doc.rows) };
  }
  const header = firstRecord(text);
  if (header === undefined) throw unknownFormat(source);
  if (detectImdb(header) !== undefined) return readImdb(parseCsv(text, source), source);
  if (detectLetterboxd(header) !== undefined) return readLetterboxd(parseCsv(text, source), source);
  if (detectTmdb(header)) return readTmdb(parseCsv(text, source), source);
  throw unknownFormat(source);
}

// ── ZIP ────────────────────────────────────────────────────────────────────────────────────────

interface Entry {
  /** The path as stored. */
  path: string;
  /** The path without a folder common to every entry. */
  name: string;
  size: number;
}

function listZip(bytes: Uint8Array): Entry[] {
  const paths: Array<{ path: string; size: number }> = [];
  try {
    unzipSync(bytes, {
      filter: (file) => {
        paths.push({ path: file.name, size: file.originalSize });
        return false;
      },
    });
  } catch {
    throw new ImportError('truncated-zip', 'The ZIP file is damaged or cut off (its table of contents cannot be read). Download the export again and resend it.');
  }
  const files = paths.filter(({ path }) => !path.endsWith('/') && !path.startsWith('__MACOSX/') && !/(^|\/)\.DS_Store$/.test(path));
  const tops = new Set(files.map(({ path }) => (path.includes('/') ? path.slice(0, path.indexOf('/')) : '')));
  const [top] = tops;
  const strip = tops.size === 1 && top !== undefined && top !== '' ? top.length + 1 : 0;
  return files.map(({ path, size }) => ({ path, name: path.slice(strip), size }));
}

function inflate(bytes: Uint8Array, entry: Entry): Uint8Array {
  if (entry.size > MAX_MEMBER_BYTES) throw new Error(`it would unpack to ${entry.size} bytes (limit ${MAX_MEMBER_BYTES})`);
  let out: Uint8Array | undefined;
  try {
    out = unzipSync(bytes, { filter: (file) => file.name === entry.path })[entry.path];
  } catch {
    throw new Error('its data is damaged or cut off');
  }
  if (out === undefined) throw new Error('it could not be unpacked');
  return out;
}

const TRAKT_WATCHLIST = /^lists-watchlist(?:-(\d+))?\.json$/;
const TRAKT_MARKERS = /^(watched-|ratings-|lists-|collection-|comments-|likes-|hidden-|network-|user-|notes-)[\w-]*\.json$/;
const LETTERBOXD_MARKERS = new Set(['watchlist.csv', 'watched.csv', 'ratings.csv', 'diary.csv', 'profile.csv', 'reviews.csv']);

function readZip(bytes: Uint8Array, maxRows: number): ReadResult {
  const entries = listZip(bytes);
  const isTrakt = entries.some((e) => TRAKT_MARKERS.test(e.name));
  const isLetterboxd = entries.some((e) => LETTERBOXD_MARKERS.has(e.name));

  let format: FormatName;
  let wanted: Entry[];
  let why: string;
  if (isTrakt) {
    format = 'trakt-export-zip';
    // Plain and numbered pages; pages sorted numerically (-10 after -2).
    wanted = entries
      .filter((e) => TRAKT_WATCHLIST.test(e.name))
      .sort((a, b) => Number(TRAKT_WATCHLIST.exec(a.name)?.[1] ?? 0) - Number(TRAKT_WATCHLIST.exec(b.name)?.[1] ?? 0));
    why = 'not the watchlist';
  } else if (isLetterboxd) {
    format = 'letterboxd-export-zip';
    // The watchlist only: watched, ratings, diary and likes are films already seen; lists are read one by one when sent alone.
    wanted = entries.filter((e) => e.name === 'watchlist.csv');
    why = 'not the watchlist (send a list CSV on its own to import a list)';
  } else if (entries.length === 1) {
    // A ZIP around one file of a known format.
    const [only] = entries as [Entry];
    const doc = readMember(bytes, only);
    if (!('doc' in doc)) throw unknownFormat(only.name);
    return finish(doc.doc, maxRows, [{ name: only.name, read: true, format: doc.doc.format, rows: doc.doc.rows.length }]);
  } else {
    throw unknownFormat();
  }

  const members: MemberReport[] = [];
  const problems: Problem[] = [];
  const rows: ImportRow[] = [];
  const skipped = emptySkipped();
  for (const entry of entries) {
    if (!wanted.includes(entry)) members.push({ name: entry.name, read: false, note: entry.name === 'user-settings.json' ? 'never read (holds account secrets)' : why });
  }
  for (const entry of wanted) {
    const read = readMember(bytes, entry);
    if ('error' in read) {
      members.push({ name: entry.name, read: false, note: read.error });
      problems.push({ source: entry.name, message: `${entry.name} was skipped: ${read.error}.` });
      continue;
    }
    members.push({ name: entry.name, read: true, format: read.doc.format, rows: read.doc.rows.length });
    rows.push(...read.doc.rows);
    problems.push(...read.doc.problems);
    addSkipped(skipped, read.doc.skipped);
  }
  if (wanted.length === 0) {
    throw new ImportError(
      'no-watchlist-in-zip',
      format === 'trakt-export-zip'
        ? 'This Trakt export has no lists-watchlist.json: the watchlist was empty when it was exported.'
        : 'This Letterboxd export has no watchlist.csv: the watchlist was empty when it was exported.',
      { export: format === 'trakt-export-zip' ? 'trakt' : 'letterboxd' },
    );
  }
  const order = new Map(entries.map((e, i) => [e.name, i]));
  members.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
  return finish({ format, rows: format === 'trakt-export-zip' ? sortByRank(rows) : rows, problems, skipped }, maxRows, members);
}

function readMember(bytes: Uint8Array, entry: Entry): { doc: DocRead } | { error: string } {
  try {
    return { doc: readDocument(inflate(bytes, entry), entry.name) };
  } catch (error) {
    if (!(error instanceof ImportError)) return { error: (error as Error).message };
    if (error.code === 'unknown-format') return { error: 'not a format Marquee reads' };
    return { error: error.message.replace(/\.$/, '') };
  }
}

function addSkipped(into: SkippedCounts, from: SkippedCounts): void {
  for (const key of Object.keys(into) as Array<keyof SkippedCounts>) into[key] += from[key];
}

// ── Finishing: limits, rows without title or id, duplicates ─────────────────────────────────

function finish(doc: DocRead, maxRows: number, members?: MemberReport[]): ReadResult {
  const total = doc.rows.length + doc.skipped.people + doc.skipped.unsupported + doc.skipped.invalid;
  if (total > maxRows) {
    throw new ImportError('too-many-rows', `The file has ${total.toLocaleString('en-US')} rows; Marquee imports at most ${maxRows.toLocaleString('en-US')} at a time. Split it and send the parts.`, {
      rows: total,
      limit: maxRows,
    });
  }
  const skipped = { ...doc.skipped };
  const seen = new Set<string>();
  const rows: ImportRow[] = [];
  for (const row of doc.rows) {
    const key = rowKey(row);
    if (key === undefined) {
      skipped.noTitle += 1;
      continue;
    }
    if (seen.has(key)) {
      skipped.duplicates += 1;
      continue;
    }
    seen.add(key);
    rows.push(row);
  }
  const result: ReadResult = { format: doc.format, rows, problems: doc.problems, skipped };
  if (members !== undefined) result.members = members;
  if (doc.list !== undefined) result.list = doc.list;
  return result;
}

/**
 * What makes two rows the same: an IMDb id (unique across kinds), else the kind with a Trakt, TMDb or
 * TVDB id or slug (those id spaces are per kind), else a season/episode of the same show, else the
 * kind with the title and year. Undefined for a row with neither a title nor an id.
 */
export function rowKey(row: ImportRow): string | undefined {
  const { ids } = row;
  if (ids.imdb !== undefined) return `imdb:${ids.imdb}`;
  if (ids.trakt !== undefined) return `${row.kind}:trakt:${ids.trakt}`;
  if (ids.tmdb !== undefined) return `${row.kind}:tmdb:${ids.tmdb}`;
  if (ids.tvdb !== undefined) return `${row.kind}:tvdb:${ids.tvdb}`;
  if (ids.slug !== undefined) return `${row.kind}:slug:${ids.slug}`;
  if (row.show !== undefined && row.season !== undefined) {
    const show = rowKey({ ...row, kind: 'show', ids: row.show.ids, show: undefined, title: row.show.title, year: row.show.year });
    if (show !== undefined) return `${row.kind}:${show}:${row.season}:${row.episode ?? ''}`;
  }
  if (row.url !== undefined && /^https?:\/\/boxd\.it\//.test(row.url)) return `${row.kind}:url:${row.url}`;
  const title = row.title?.normalize('NFC').trim().toLowerCase().replace(/\s+/g, ' ');
  if (title === undefined || title === '') return undefined;
  return `${row.kind}:title:${title}:${row.year ?? ''}`;
}
