import type { ImportRow, RowIds } from './rows.js';

/**
 * ID-first matching, pure: which lookups a row needs, in order, and what a lookup's answer means.
 * The caller owns the lookups themselves (Trakt's `/search/{id_type}/{id}` and text search) and
 * passes their answers in as candidates; nothing here talks to Trakt.
 *
 * Rules (issue #12, PEERS "Wrong item matched on import"):
 * - an id wins over a title: a row with a usable id is matched by id only, and a miss is "not found",
 *   never a title guess;
 * - the kind the source states is binding: an IMDb TV Episode never becomes a movie, a series never a
 *   film; only rows of kind `unknown` accept whatever the id lookup answers;
 * - TMDb, TVDB and Trakt ids are per kind (a movie and a show can share a number), so they are only
 *   used with a known kind;
 * - without ids: title + year + kind; several equally good answers are "ambiguous" (ask the user).
 */

export type MediaType = 'movie' | 'show' | 'season' | 'episode';

export type Lookup =
  /** The row names its Trakt item already (our and Trakt's exports): no search needed. */
  | { by: 'trakt'; type: MediaType; id: number }
  | { by: 'imdb'; id: string; types: MediaType[] }
  | { by: 'tmdb' | 'tvdb'; id: number; type: 'movie' | 'show' }
  /** A season or episode by its show and numbers (TMDb exports, episodes without their own ids). */
  | { by: 'show'; show: Lookup; season: number; episode?: number }
  | { by: 'title'; query: string; year?: number; types: MediaType[]; fallback?: boolean };

export interface Candidate {
  type: MediaType;
  ids: RowIds & { trakt: number };
  title: string;
  year?: number | null;
}

export type Verdict =
  | { status: 'matched'; candidate: Candidate; by: Lookup['by'] }
  | { status: 'ambiguous'; candidates: Candidate[] }
  | { status: 'not-found'; reason: 'no-answer' | 'kind-mismatch' };

function idLookup(kind: ImportRow['kind'], ids: RowIds): Lookup | undefined {
  if (kind === 'movie' || kind === 'show') {
    if (ids.trakt !== undefined) return { by: 'trakt', type: kind, id: ids.trakt };
    if (ids.imdb !== undefined) return { by: 'imdb', id: ids.imdb, types: [kind] };
    if (ids.tmdb !== undefined) return { by: 'tmdb', id: ids.tmdb, type: kind };
    if (ids.tvdb !== undefined && kind === 'show') return { by: 'tvdb', id: ids.tvdb, type: kind };
    return undefined;
  }
  if (kind === 'season' || kind === 'episode') {
    if (ids.trakt !== undefined) return { by: 'trakt', type: kind, id: ids.trakt };
    if (ids.imdb !== undefined && kind === 'episode') return { by: 'imdb', id: ids.imdb, types: ['episode'] };
    return undefined;
  }
  return ids.imdb !== undefined ? { by: 'imdb', id: ids.imdb, types: ['movie', 'show', 'episode'] } : undefined;
}

/** The lookups for a row, in the order to try them; empty when the row cannot be matched at all. */
export function lookupPlan(row: ImportRow): Lookup[] {
  const own = idLookup(row.kind, row.ids);
  if (own !== undefined) return [own];
  if ((row.kind === 'season' || row.kind === 'episode') && row.show !== undefined && row.season !== undefined) {
    const show = idLookup('show', row.show.ids);
    if (show !== undefined) return [{ by: 'show', show, season: row.season, ...(row.episode === undefined ? {} : { episode: row.episode }) }];
  }
  if (row.ids.imdb !== undefined || row.ids.trakt !== undefined || row.ids.tmdb !== undefined) {
    // An id we may not use alone (a TMDb id of unknown kind): no title guess either.
    return [];
  }
  const query = row.title ?? row.originalTitle;
  if (query === undefined) return [];
  const year = row.year === undefined ? {} : { year: row.year };
  switch (row.kind) {
    case 'movie':
      // Letterboxd lists hold miniseries and single episodes too: a second, flagged search (SOURCE.md §2).
      return [
        { by: 'title', query, ...year, types: ['movie'] },
        { by: 'title', query, ...year, types: ['show', 'episode'], fallback: true },
      ];
    case 'show':
    case 'episode':
      return [{ by: 'title', query, ...year, types: [row.kind] }];
    case 'season':
      return [];
    case 'unknown':
      return [{ by: 'title', query, ...year, types: ['movie', 'show'] }];
  }
}

function normalizeTitle(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** What the answers to one lookup mean for a row. */
export function judge(row: ImportRow, lookup: Lookup, answers: readonly Candidate[]): Verdict {
  const allowed: readonly MediaType[] =
    lookup.by === 'imdb' || lookup.by === 'title' ? lookup.types : lookup.by === 'show' ? [lookup.episode === undefined ? 'season' : 'episode'] : [lookup.type];
  const fitting = answers.filter((c) => allowed.includes(c.type));
  if (answers.length > 0 && fitting.length === 0) return { status: 'not-found', reason: 'kind-mismatch' };
  if (fitting.length === 0) return { status: 'not-found', reason: 'no-answer' };
  if (lookup.by !== 'title') {
    const [only, ...rest] = fitting;
    return only !== undefined && rest.length === 0 ? { status: 'matched', candidate: only, by: lookup.by } : { status: 'ambiguous', candidates: fitting };
  }
  const wanted = [row.title, row.originalTitle].filter((t): t is string => t !== undefined).map(normalizeTitle);
  const sameTitle = fitting.filter((c) => wanted.includes(normalizeTitle(c.title)));
  const pool = sameTitle.length > 0 ? sameTitle : fitting;
  if (row.year !== undefined) {
    const exact = pool.filter((c) => c.year === row.year);
    const near = exact.length > 0 ? exact : pool.filter((c) => typeof c.year === 'number' && Math.abs(c.year - row.year!) <= 1);
    const [only, ...rest] = near;
    if (only !== undefined && rest.length === 0 && sameTitle.length > 0 && !lookup.fallback) return { status: 'matched', candidate: only, by: 'title' };
    if (near.length > 0) return { status: 'ambiguous', candidates: near };
  } else {
    const [only, ...rest] = sameTitle;
    if (only !== undefined && rest.length === 0 && !lookup.fallback) return { status: 'matched', candidate: only, by: 'title' };
  }
  return { status: 'ambiguous', candidates: pool };
}

/**
 * Match one row: run its lookups in order through `search` (the caller's Trakt access) and stop at the
 * first answer that is not "nothing found". A flagged fallback search never matches on its own: its
 * hits come back as "ambiguous" for the user to confirm.
 */
export async function matchRow(row: ImportRow, search: (lookup: Lookup) => Promise<readonly Candidate[]>): Promise<Verdict> {
  let last: Verdict = { status: 'not-found', reason: 'no-answer' };
  for (const lookup of lookupPlan(row)) {
    const verdict = judge(row, lookup, await search(lookup));
    if (verdict.status !== 'not-found') return verdict;
    if (last.reason !== 'kind-mismatch') last = verdict;
  }
  return last;
}
