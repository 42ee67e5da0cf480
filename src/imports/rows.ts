/**
 * The neutral shape every import format is read into (ARCHITECTURE: src/imports holds pure format
 * readers from bytes to these rows, and ID-first matching; no chat, no database, no Trakt client).
 */

/** Input size limits the caller checks before reading (the chat layer says them up front). */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;
export const MAX_ZIP_BYTES = 20 * 1024 * 1024;
/** More data rows than this and the file is refused (the number is in the error). */
export const MAX_ROWS = 50_000;
/** A ZIP member we read may inflate to at most this (zip-bomb guard; members we skip are never inflated). */
export const MAX_MEMBER_BYTES = 50 * 1024 * 1024;

export type FormatName =
  | 'imdb-list'
  | 'imdb-ratings'
  | 'letterboxd-watchlist'
  | 'letterboxd-ratings'
  | 'letterboxd-diary'
  | 'letterboxd-list'
  | 'letterboxd-import'
  | 'letterboxd-export-zip'
  | 'trakt-export'
  | 'trakt-export-zip'
  | 'trakt-backup'
  | 'tmdb'
  | 'marquee';

/** What a user may send, in words, for "not a known format" answers and the /import help. */
export const KNOWN_FORMATS: readonly string[] = [
  'IMDb CSV export (watchlist, a list, or ratings; current and older layouts)',
  'Letterboxd export (the whole ZIP, or watchlist.csv, ratings.csv, diary.csv or a list CSV from it; or a CSV in Letterboxd’s import format)',
  'Trakt data export (the whole ZIP, or its lists-watchlist.json files)',
  'TMDb CSV export (watchlist or ratings)',
  'Marquee export (JSON, from /export)',
];

export type RowKind = 'movie' | 'show' | 'season' | 'episode' | 'unknown';

export interface RowIds {
  /** IMDb `tt…` id; unique across movies, shows and episodes. */
  imdb?: string;
  tmdb?: number;
  trakt?: number;
  slug?: string;
  tvdb?: number;
}

/** The show a season or episode row belongs to. */
export interface ShowRef {
  title?: string;
  year?: number;
  ids: RowIds;
}

export interface ImportRow {
  /**
   * Where the row is: for CSV the physical line its record starts on (1-based, header and preamble
   * lines counted); for JSON the item's position in its array (1-based).
   */
  line: number;
  /**
   * What the source says it is. `unknown` when it does not say in a way we understand (e.g. a
   * localized IMDb `Title Type`): the matcher then takes the kind from Trakt's id lookup.
   * Letterboxd rows are `movie` (Letterboxd is films; its lists can hold TV, see SOURCE.md).
   */
  kind: RowKind;
  /** The row's own title: a movie's or show's, an episode's (IMDb: `Series: Episode`); none for a season. */
  title?: string;
  /** IMDb's `Original Title` when it differs from `Title`. */
  originalTitle?: string;
  year?: number;
  /** The row's own ids (an episode's or season's own, not its show's). */
  ids: RowIds;
  season?: number;
  episode?: number;
  /** Seasons and episodes: their show. */
  show?: ShowRef;
  /**
   * When the source says the title was put on the list: IMDb `Created` (2017 ratings: `Date Added`,
   * ratings: `Date Rated`), Letterboxd `Date` (import format: `WatchedDate`), Trakt `listed_at`, TMDb `Date Rated`.
   */
  listedAt?: Date;
  /** Trakt and Marquee exports: the position in the user's ranking (not unique, may have gaps). */
  rank?: number;
  /** Trakt and Marquee exports: the list item's id. */
  listItemId?: number;
  notes?: string;
  /** The user's rating on Trakt's 1–10 scale (Letterboxd's 0.5–5 doubled). */
  rating?: number;
  /** The source's own link to the title (IMDb URL, Letterboxd `boxd.it` film link). */
  url?: string;
  /** The source's type label as written (IMDb `Title Type`, TMDb `Type`), for messages. */
  typeLabel?: string;
  /** The file the row came from: the ZIP member path, or `file` for a single file. */
  source: string;
}

export interface Problem {
  line?: number;
  /** The ZIP member it concerns, when the input was a ZIP. */
  source?: string;
  message: string;
}

export interface SkippedCounts {
  /** IMDb people (`nm…`) rows. */
  people: number;
  /** Rows equal to an earlier row (same ids, or same kind, title and year without ids). */
  duplicates: number;
  /** Rows with neither a title nor an id. */
  noTitle: number;
  /** Types Trakt has no items for (IMDb `Video Game`, `Podcast Series`, `Podcast Episode`, `Music Video`). */
  unsupported: number;
  /** JSON items we could not read (no `type`, or no movie/show object). */
  invalid: number;
}

export interface MemberReport {
  /** Path inside the ZIP (with any common top folder removed). */
  name: string;
  read: boolean;
  format?: FormatName;
  rows?: number;
  /** Why it was not read, or what went wrong. */
  note?: string;
}

export interface ReadResult {
  format: FormatName;
  rows: ImportRow[];
  problems: Problem[];
  skipped: SkippedCounts;
  /** ZIP inputs: every member, read or not, and why. */
  members?: MemberReport[];
  /** Letterboxd list CSVs: the list's name and description from the preamble. */
  list?: { name?: string; description?: string };
}

export type ImportErrorCode =
  | 'empty'
  | 'unknown-format'
  | 'people-list'
  | 'truncated-zip'
  | 'broken-csv'
  | 'broken-json'
  | 'too-many-rows'
  | 'no-watchlist-in-zip';

/** A file we refuse as a whole: nothing of it should be written. `message` is meant for the user. */
export class ImportError extends Error {
  override readonly name = 'ImportError';
  constructor(
    readonly code: ImportErrorCode,
    message: string,
    readonly details: {
      line?: number;
      rows?: number;
      limit?: number;
      source?: string;
      /** unknown-format: which known thing it is instead (Trakt's index of lists, a Letterboxd list without its table). */
      hint?: 'lists-index' | 'letterboxd-no-table';
      /** no-watchlist-in-zip: whose export it is. */
      export?: 'trakt' | 'letterboxd';
      /** broken-csv: what is wrong with the quoting (`other`: the parser's own words are in `detail`); broken-json: the parser's words. */
      quoting?: 'unclosed' | 'closing' | 'opening' | 'other';
      detail?: string;
    } = {},
  ) {
    super(message);
  }
}

export function emptySkipped(): SkippedCounts {
  return { people: 0, duplicates: 0, noTitle: 0, unsupported: 0, invalid: 0 };
}
