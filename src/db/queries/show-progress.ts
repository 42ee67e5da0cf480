import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { showProgress, watchlistItems, type ShowProgressRow } from '../schema.js';

export type ShowProgressInput = ShowProgressRow;

/** The cached progress of these shows for one user (whatever its age; the caller judges). */
export async function findShowProgress(db: Db, identityId: number, showTraktIds: number[]): Promise<ShowProgressRow[]> {
  if (showTraktIds.length === 0) return [];
  return db
    .select()
    .from(showProgress)
    .where(and(eq(showProgress.identityId, identityId), inArray(showProgress.showTraktId, showTraktIds)));
}

export async function upsertShowProgress(db: Db, rows: ShowProgressInput[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insert(showProgress)
    .values(rows)
    .onConflictDoUpdate({
      target: [showProgress.identityId, showProgress.showTraktId],
      set: {
        aired: sql`excluded.aired`,
        completed: sql`excluded.completed`,
        nextSeason: sql`excluded.next_season`,
        nextEpisode: sql`excluded.next_episode`,
        nextTitle: sql`excluded.next_title`,
        activityAt: sql`excluded.activity_at`,
        fetchedAt: sql`excluded.fetched_at`,
      },
    });
}

/**
 * The shows on a user's watchlist copy whose cached progress is missing or not current (read under
 * another episodes-watched time, or before `fetchedAfter`), newest listed first, at most `limit`; and
 * how many shows the copy has and how many of them are unsettled, in one statement.
 */
export async function unsettledShows(
  db: Db,
  identityId: number,
  query: { activityAt: Date | null; fetchedAfter: Date; limit: number },
): Promise<{ showTraktIds: number[]; shows: number; unsettled: number }> {
  const current =
    query.activityAt === null
      ? sql`${showProgress.activityAt} is null`
      : sql`${showProgress.activityAt} = ${query.activityAt.toISOString()}::timestamptz`;
  const unsettled = sql<boolean>`(${showProgress.showTraktId} is null or not (${current}) or ${showProgress.fetchedAt} < ${query.fetchedAfter.toISOString()}::timestamptz)`;
  const rows = await db
    .select({
      traktId: watchlistItems.traktId,
      unsettled,
      shows: sql<number | string>`count(*) over ()`,
      unsettledCount: sql<number | string>`count(*) filter (where ${unsettled}) over ()`,
    })
    .from(watchlistItems)
    .leftJoin(showProgress, and(eq(showProgress.identityId, watchlistItems.identityId), eq(showProgress.showTraktId, watchlistItems.traktId)))
    .where(and(eq(watchlistItems.identityId, identityId), eq(watchlistItems.type, 'show')))
    .orderBy(sql`${unsettled} desc`, sql`${watchlistItems.listedAt} desc`)
    .limit(Math.max(1, query.limit));
  const first = rows[0];
  if (first === undefined) return { showTraktIds: [], shows: 0, unsettled: 0 };
  return {
    showTraktIds: rows.filter((r) => r.unsettled === true).map((r) => r.traktId).slice(0, query.limit),
    shows: Number(first.shows),
    unsettled: Number(first.unsettledCount),
  };
}

/** The "in progress" condition on `watchlist_items` rows: a show with cached progress started but not finished. */
export function inProgressCondition(): ReturnType<typeof sql> {
  return sql`(${watchlistItems.type} = 'show' and exists (select 1 from ${showProgress} where ${showProgress.identityId} = ${watchlistItems.identityId} and ${showProgress.showTraktId} = ${watchlistItems.traktId} and ${showProgress.completed} > 0 and ${showProgress.completed} < ${showProgress.aired}))`;
}
