import type { Title, TitleIds, WatchlistEntry } from '../domain/media.js';
import type { ImportRow, RowIds, ShowRef } from './rows.js';

function titleIds(ids: RowIds): TitleIds | undefined {
  if (ids.trakt === undefined) return undefined;
  const out: TitleIds = { trakt: ids.trakt };
  if (ids.slug !== undefined) out.slug = ids.slug;
  if (ids.imdb !== undefined) out.imdb = ids.imdb;
  if (ids.tmdb !== undefined) out.tmdb = ids.tmdb;
  if (ids.tvdb !== undefined) out.tvdb = ids.tvdb;
  return out;
}

function title(type: 'movie' | 'show', ref: ShowRef): Title | undefined {
  const ids = titleIds(ref.ids);
  if (ids === undefined) return undefined;
  return { type, ids, title: ref.title ?? '', year: ref.year ?? null, posterUrl: null };
}

/**
 * A row that already carries Trakt ids (Marquee's and Trakt's own exports) as the watchlist entry it
 * describes, with the title fields the export holds (no overview, poster…); undefined for a row that
 * needs matching first (no Trakt id, no listed_at, or kind unknown).
 */
export function rowToEntry(row: ImportRow): WatchlistEntry | undefined {
  if (row.listedAt === undefined) return undefined;
  const base = { rank: row.rank ?? null, listedAt: row.listedAt } as const;
  const extra: Partial<WatchlistEntry> = {};
  if (row.listItemId !== undefined) extra.listItemId = row.listItemId;
  if (row.notes !== undefined) extra.notes = row.notes;
  switch (row.kind) {
    case 'movie':
    case 'show': {
      const t = title(row.kind, { ...(row.title === undefined ? {} : { title: row.title }), ...(row.year === undefined ? {} : { year: row.year }), ids: row.ids });
      return t === undefined ? undefined : { ...base, ...extra, type: row.kind, title: t };
    }
    case 'season': {
      const show = row.show === undefined ? undefined : title('show', row.show);
      if (show === undefined || row.season === undefined) return undefined;
      const entry: WatchlistEntry = { ...base, ...extra, type: 'season', title: show, season: row.season };
      const { trakt, tmdb, tvdb } = row.ids;
      if (trakt !== undefined || tmdb !== undefined || tvdb !== undefined) {
        entry.seasonIds = {};
        if (trakt !== undefined) entry.seasonIds.trakt = trakt;
        if (tmdb !== undefined) entry.seasonIds.tmdb = tmdb;
        if (tvdb !== undefined) entry.seasonIds.tvdb = tvdb;
      }
      return entry;
    }
    case 'episode': {
      const show = row.show === undefined ? undefined : title('show', row.show);
      if (show === undefined || row.season === undefined || row.episode === undefined || row.ids.trakt === undefined) return undefined;
      const episode: WatchlistEntry['episode'] = { season: row.season, number: row.episode, ids: { trakt: row.ids.trakt } };
      if (row.title !== undefined) episode.title = row.title;
      if (row.ids.imdb !== undefined) episode.ids.imdb = row.ids.imdb;
      if (row.ids.tmdb !== undefined) episode.ids.tmdb = row.ids.tmdb;
      if (row.ids.tvdb !== undefined) episode.ids.tvdb = row.ids.tvdb;
      return { ...base, ...extra, type: 'episode', title: show, episode };
    }
    case 'unknown':
      return undefined;
  }
}
