import type { Db } from '../../db/client.js';
import { findShowProgress, unsettledShows, upsertShowProgress } from '../../db/queries/show-progress.js';
import type { ShowProgressRow } from '../../db/schema.js';
import type { CachedShowProgress, ShowProgressStore } from '../core/show-progress.js';

function cached(row: ShowProgressRow): CachedShowProgress {
  return {
    showTraktId: row.showTraktId,
    aired: row.aired,
    completed: row.completed,
    ...(row.nextSeason === null || row.nextEpisode === null
      ? {}
      : { next: { season: row.nextSeason, number: row.nextEpisode, ...(row.nextTitle === null ? {} : { title: row.nextTitle }) } }),
    activityAt: row.activityAt,
    fetchedAt: row.fetchedAt,
  };
}

/** The `show_progress` table as the core's ShowProgressStore. */
export function createShowProgressStore(db: Db): ShowProgressStore {
  return {
    find: async (identityId, showTraktIds) => (await findShowProgress(db, identityId, showTraktIds)).map(cached),
    save: (identityId, rows) =>
      upsertShowProgress(
        db,
        rows.map((p) => ({
          identityId,
          showTraktId: p.showTraktId,
          aired: p.aired,
          completed: p.completed,
          nextSeason: p.next?.season ?? null,
          nextEpisode: p.next?.number ?? null,
          nextTitle: p.next?.title ?? null,
          activityAt: p.activityAt,
          fetchedAt: p.fetchedAt,
        })),
      ),
    unsettled: (identityId, query) => unsettledShows(db, identityId, query),
  };
}
