import { and, asc, count, desc, eq, getTableColumns, gte, ilike, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { escapeLike } from './like.js';
import { rowsOf, type Db } from '../client.js';
import { chatIdentities, traktLinks, watchlistItems, watchlistSync, type WatchlistItemRow, type WatchlistSyncRow } from '../schema.js';

/** One entry of the local watchlist copy (see `watchlist_items`). */
export type WatchlistItemInput = Omit<WatchlistItemRow, 'identityId' | 'runtime' | 'genres' | 'released'>;

export type WatchlistOrder = 'added' | 'title' | 'year' | 'rating' | 'runtime' | 'released';
export type WatchlistKinds = ReadonlyArray<WatchlistItemRow['type']>;

/**
 * What narrows a copy: the kinds of item (null: all), a genre slug, a year range (inclusive) and the
 * longest runtime in minutes. Each is a plain column (runtime, genres and released are generated from
 * `data`, see the schema), so a filtered page is one indexed statement.
 */
export interface WatchlistNarrowing {
  kinds: WatchlistKinds | null;
  genre?: string;
  yearFrom?: number;
  yearTo?: number;
  maxRuntime?: number;
  /** A further condition on `watchlist_items` rows, e.g. show progress's `inProgressCondition()`. */
  where?: SQL;
}

/** Rows per insert statement. Rows travel as one JSON parameter (see `itemRows`): this bounds its size, not a parameter count. */
const INSERT_CHUNK = 500;

/**
 * `watchlist_items` rows as a relation read from one JSON parameter (`jsonb_to_recordset`), for
 * `insert ... select`. A statement built this way has the same text and two parameters whatever the
 * number of rows: drizzle builds 2 parameters instead of 11 per row, and a database
 * that keeps statements prepared parses it once.
 */
function itemRows(identityId: number, items: WatchlistItemInput[]): SQL {
  const rows = JSON.stringify(
    items.map((r) => ({
      item_key: r.itemKey,
      type: r.type,
      trakt_id: r.traktId,
      title: r.title,
      sort_title: r.sortTitle,
      year: r.year,
      rating: r.rating,
      listed_at: r.listedAt.toISOString(),
      rank: r.rank,
      data: r.data,
    })),
  );
  return sql`select ${identityId}::bigint as identity_id, r.item_key, r.type, r.trakt_id, r.title, r.sort_title, r.year, r.rating, r.listed_at, r.rank, r.data
    from jsonb_to_recordset(${rows}::jsonb) as r(item_key text, type text, trakt_id integer, title text, sort_title text, year integer, rating real, listed_at timestamptz, rank integer, data jsonb)`;
}

const ITEM_COLUMNS = sql.raw('(identity_id, item_key, type, trakt_id, title, sort_title, year, rating, listed_at, rank, data)');

export async function findWatchlistSync(db: Db, identityId: number): Promise<WatchlistSyncRow | undefined> {
  const [row] = await db.select().from(watchlistSync).where(eq(watchlistSync.identityId, identityId)).limit(1);
  return row;
}

/**
 * Whose watchlist the background sync checks: linked users (link active) seen since `activeSince`
 * who have a copy (one is made the first time a command needs it) not checked since `checkedBefore`,
 * least recently checked first.
 */
export async function findWatchlistSyncCandidates(db: Db, input: { activeSince: Date; checkedBefore: Date; limit: number }): Promise<number[]> {
  const rows = await db
    .select({ identityId: traktLinks.identityId })
    .from(traktLinks)
    .innerJoin(chatIdentities, eq(chatIdentities.id, traktLinks.identityId))
    .innerJoin(watchlistSync, eq(watchlistSync.identityId, traktLinks.identityId))
    .where(and(eq(traktLinks.status, 'active'), gte(chatIdentities.lastSeenAt, input.activeSince), lt(watchlistSync.checkedAt, input.checkedBefore)))
    .orderBy(asc(watchlistSync.checkedAt), asc(traktLinks.identityId))
    .limit(input.limit);
  return rows.map((row) => row.identityId);
}

/** The columns an upsert of a copy's row sets (the generated ones follow `data`). */
const UPDATED_COLUMNS = ['type', 'trakt_id', 'title', 'sort_title', 'year', 'rating', 'listed_at', 'rank', 'data'] as const;
const UPSERT_SET = sql.raw(UPDATED_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', '));
const UPSERT_CHANGED = sql.raw(
  `(${UPDATED_COLUMNS.map((c) => `watchlist_items.${c}`).join(', ')}) is distinct from (${UPDATED_COLUMNS.map((c) => `excluded.${c}`).join(', ')})`,
);

/**
 * Replaces a user's whole copy atomically, so a page never sees half of it. A list that fits in one
 * insert is one statement: rows no longer listed are deleted, the others inserted or, where they
 * changed, updated (an unchanged row is not written again), and the copy's state is set. A database
 * lock is then held for one statement, not across the round trips of a transaction. A longer list is
 * written in one transaction of chunks.
 */
export async function replaceWatchlistItems(
  db: Db,
  identityId: number,
  items: WatchlistItemInput[],
  activityAt: Date | null,
  now: Date,
): Promise<number> {
  const sync = { activityAt, checkedAt: now, syncedAt: now, itemCount: items.length };
  if (items.length <= INSERT_CHUNK) {
    // One row per key (a repeated key keeps its first entry): an upsert may touch a row only once.
    const seen = new Set<string>();
    const unique = items.filter((item) => {
      if (seen.has(item.itemKey)) return false;
      seen.add(item.itemKey);
      return true;
    });
    const id = sql`${identityId}::bigint`;
    await db.execute(sql`
      with r as (${itemRows(identityId, unique)}),
      d as (delete from watchlist_items w where w.identity_id = ${id} and not exists (select 1 from r where r.item_key = w.item_key)),
      i as (insert into watchlist_items ${ITEM_COLUMNS} select * from r
            on conflict (identity_id, item_key) do update set ${UPSERT_SET} where ${UPSERT_CHANGED})
      insert into watchlist_sync (identity_id, activity_at, checked_at, synced_at, item_count)
      values (${id}, ${activityAt === null ? null : activityAt.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz, ${items.length}::integer)
      on conflict (identity_id) do update set activity_at = excluded.activity_at, checked_at = excluded.checked_at, synced_at = excluded.synced_at, item_count = excluded.item_count`);
    return items.length;
  }
  await db.transaction(async (tx) => {
    await tx.delete(watchlistItems).where(eq(watchlistItems.identityId, identityId));
    for (let i = 0; i < items.length; i += INSERT_CHUNK) {
      await tx.execute(sql`insert into watchlist_items ${ITEM_COLUMNS} ${itemRows(identityId, items.slice(i, i + INSERT_CHUNK))} on conflict do nothing`);
    }
    await tx.insert(watchlistSync).values({ identityId, ...sync }).onConflictDoUpdate({ target: watchlistSync.identityId, set: sync });
  });
  return items.length;
}

export async function markWatchlistChecked(db: Db, identityId: number, now: Date): Promise<void> {
  await db.update(watchlistSync).set({ checkedAt: now }).where(eq(watchlistSync.identityId, identityId));
}

export async function setWatchlistActivity(db: Db, identityId: number, activityAt: Date | null): Promise<void> {
  await db.update(watchlistSync).set({ activityAt }).where(eq(watchlistSync.identityId, identityId));
}

/** Applies a change made through the bot and returns the new item count. */
export async function applyWatchlistChange(
  db: Db,
  identityId: number,
  change: { upsert: WatchlistItemInput[]; removeKeys: string[] },
): Promise<number> {
  return db.transaction(async (tx) => {
    if (change.removeKeys.length > 0) {
      await tx
        .delete(watchlistItems)
        .where(and(eq(watchlistItems.identityId, identityId), inArray(watchlistItems.itemKey, change.removeKeys)));
    }
    if (change.upsert.length > 0) {
      await tx.execute(sql`insert into watchlist_items ${ITEM_COLUMNS} ${itemRows(identityId, change.upsert)} on conflict do nothing`);
    }
    const [counted] = await tx.select({ n: count() }).from(watchlistItems).where(eq(watchlistItems.identityId, identityId));
    const itemCount = Number(counted?.n ?? 0);
    await tx.update(watchlistSync).set({ itemCount }).where(eq(watchlistSync.identityId, identityId));
    return itemCount;
  });
}

/**
 * Our own write applied to a trusted copy in one statement: the rows are deleted or inserted only when
 * the copy is trusted (`activity_at` set), the count is what was there before plus what changed, and the
 * copy stays trusted (at `trust.updatedAt`) only when that count equals `trust.itemCount` (Trakt's
 * count after the write). Returns the new count, or undefined when there is no trusted copy (nothing
 * is written then). A change that both adds and removes goes through `applyWatchlistChange`.
 */
export async function applyOwnWatchlistWrite(
  db: Db,
  identityId: number,
  change: { upsert: WatchlistItemInput[]; removeKeys: string[] },
  trust: { itemCount: number; updatedAt: Date } | null,
): Promise<number | undefined> {
  const id = sql`${identityId}::bigint`;
  const trusted = sql`watchlist_sync.identity_id = ${id} and watchlist_sync.activity_at is not null`;
  const removed =
    change.removeKeys.length === 0
      ? sql`select 1 where false`
      : sql`delete from watchlist_items where identity_id = ${id} and item_key in (${sql.join(
          change.removeKeys.map((k) => sql`${k}`),
          sql`, `,
        )}) and exists (select 1 from watchlist_sync where ${trusted}) returning 1`;
  const added =
    change.upsert.length === 0
      ? sql`select 1 where false`
      : sql`insert into watchlist_items ${ITEM_COLUMNS}
          select v.* from (${itemRows(identityId, change.upsert)}) as v
          where exists (select 1 from watchlist_sync where ${trusted})
          on conflict do nothing returning 1`;
  const expected = trust === null ? sql`null::integer` : sql`${trust.itemCount}::integer`;
  const updatedAt = trust === null ? sql`null::timestamptz` : sql`${trust.updatedAt.toISOString()}::timestamptz`;
  const result = await db.execute(sql`
    with d as (${removed}), i as (${added}),
    n as (select (select count(*) from watchlist_items where identity_id = ${id}) - (select count(*) from d) + (select count(*) from i) as c)
    update watchlist_sync set item_count = n.c, activity_at = case when n.c = ${expected} then ${updatedAt} else null end
    from n where ${trusted}
    returning watchlist_sync.item_count as n`);
  const [row] = rowsOf<{ n: number | string }>(result);
  return row === undefined ? undefined : Number(row.n);
}

/** Within one title: the show itself, then its seasons, then its episodes. */
const kindOrder = sql`case ${watchlistItems.type} when 'season' then 1 when 'episode' then 2 else 0 end`;

function orderOf(order: WatchlistOrder): SQL[] {
  const byTitle = [asc(watchlistItems.sortTitle), asc(watchlistItems.traktId), kindOrder, asc(watchlistItems.itemKey)];
  switch (order) {
    case 'added':
      return [desc(watchlistItems.listedAt), asc(watchlistItems.itemKey)];
    case 'title':
      return byTitle;
    case 'year':
      return [sql`${watchlistItems.year} desc nulls last`, ...byTitle];
    case 'rating':
      return [sql`${watchlistItems.rating} desc nulls last`, ...byTitle];
    case 'runtime':
      return [sql`${watchlistItems.runtime} asc nulls last`, ...byTitle];
    case 'released':
      return [sql`${watchlistItems.released} desc nulls last`, ...byTitle];
  }
}

function whereOf(identityId: number, narrowing: WatchlistNarrowing): SQL | undefined {
  const parts: SQL[] = [eq(watchlistItems.identityId, identityId)];
  if (narrowing.kinds !== null) parts.push(inArray(watchlistItems.type, [...narrowing.kinds]));
  if (narrowing.genre !== undefined) parts.push(sql`${watchlistItems.genres} @> ${JSON.stringify([narrowing.genre])}::jsonb`);
  if (narrowing.yearFrom !== undefined) parts.push(gte(watchlistItems.year, narrowing.yearFrom));
  if (narrowing.yearTo !== undefined) parts.push(lte(watchlistItems.year, narrowing.yearTo));
  if (narrowing.maxRuntime !== undefined) parts.push(lte(watchlistItems.runtime, narrowing.maxRuntime));
  if (narrowing.where !== undefined) parts.push(narrowing.where);
  return and(...parts);
}

type PageRows = Array<{ item: WatchlistItemRow; total: number | string }>;

/**
 * The page in the sort's index order, stopping after LIMIT rows, with the total as an uncorrelated
 * subquery (run once). Best when most rows match (no filter, a type, years, a runtime, which the
 * indexes serve): 7 ms p50 for an unfiltered 10,000-item page on PGlite, where a window count
 * (`count(*) over ()`, which gathers every matching row, `data` and all) took 107 ms.
 */
function pageInIndexOrder(db: Db, where: SQL | undefined, query: { order: WatchlistOrder; offset: number; limit: number }): Promise<PageRows> {
  return db
    .select({ item: getTableColumns(watchlistItems), total: sql<number | string>`(select count(*) from ${watchlistItems} where ${where})` })
    .from(watchlistItems)
    .where(where)
    .orderBy(...orderOf(query.order))
    .limit(query.limit)
    .offset(query.offset);
}

/**
 * The page chosen over narrow rows (the key, with a window count taken before LIMIT/OFFSET), then
 * only its rows read whole: one pass over the matches. Best for a genre, which no index serves: walking
 * a sort index would test the genre row by row and count them all again (10 → 14 ms p50 on PGlite for
 * "drama by rating", bench/watchlist-view).
 */
function pageOverKeys(db: Db, identityId: number, where: SQL | undefined, query: { order: WatchlistOrder; offset: number; limit: number }): Promise<PageRows> {
  const chosen = db
    .select({ key: sql<string>`${watchlistItems.itemKey}`.as('page_key'), total: sql<number | string>`count(*) over ()`.as('page_total') })
    .from(watchlistItems)
    .where(where)
    .orderBy(...orderOf(query.order))
    .limit(query.limit)
    .offset(query.offset)
    .as('page');
  return db
    .select({ item: getTableColumns(watchlistItems), total: chosen.total })
    .from(watchlistItems)
    .innerJoin(chosen, and(eq(watchlistItems.identityId, identityId), eq(watchlistItems.itemKey, chosen.key)))
    .orderBy(...orderOf(query.order));
}

/** One page of the copy, filtered and sorted in the database (in one statement). */
export async function pageWatchlistItems(
  db: Db,
  identityId: number,
  query: WatchlistNarrowing & { order: WatchlistOrder; offset: number; limit: number },
): Promise<{ items: WatchlistItemRow[]; total: number }> {
  const where = whereOf(identityId, query);
  const rows = query.genre === undefined ? await pageInIndexOrder(db, where, query) : await pageOverKeys(db, identityId, where, query);
  if (rows.length > 0) return { items: rows.map((r) => r.item), total: Number(rows[0]?.total ?? 0) };
  if (query.offset === 0) return { items: [], total: 0 };
  // A page past the end carries no row to read the total from.
  const [counted] = await db.select({ n: count() }).from(watchlistItems).where(where);
  return { items: [], total: Number(counted?.n ?? 0) };
}

/**
 * One item of the copy at random among those the narrowing leaves, and how many it leaves; `avoid`
 * (an item key) is taken only when nothing else is left. One statement.
 */
export async function randomWatchlistItem(
  db: Db,
  identityId: number,
  narrowing: WatchlistNarrowing,
  avoid?: string,
): Promise<{ item: WatchlistItemRow | undefined; total: number }> {
  // The draw runs over keys only (narrow rows); the chosen one's full row is joined afterwards.
  const drawn = db
    .select({ key: sql<string>`${watchlistItems.itemKey}`.as('drawn_key'), total: sql<number | string>`count(*) over ()`.as('drawn_total') })
    .from(watchlistItems)
    .where(whereOf(identityId, narrowing))
    .orderBy(...(avoid === undefined ? [] : [sql`(${watchlistItems.itemKey} = ${avoid})`]), sql`random()`)
    .limit(1)
    .as('drawn');
  const [row] = await db
    .select({ item: getTableColumns(watchlistItems), total: drawn.total })
    .from(watchlistItems)
    .innerJoin(drawn, and(eq(watchlistItems.identityId, identityId), eq(watchlistItems.itemKey, drawn.key)));
  return row === undefined ? { item: undefined, total: 0 } : { item: row.item, total: Number(row.total) };
}

/** The genres on a copy (under the narrowing), most common first. */
export async function watchlistGenres(db: Db, identityId: number, narrowing: WatchlistNarrowing, limit: number): Promise<Array<{ genre: string; count: number }>> {
  const { genre: _genre, ...others } = narrowing;
  const result = await db.execute(sql`
    select g as genre, count(*) as n
    from ${watchlistItems}, jsonb_array_elements_text(case when jsonb_typeof(${watchlistItems.genres}) = 'array' then ${watchlistItems.genres} else '[]'::jsonb end) as g
    where ${whereOf(identityId, others)}
    group by g order by count(*) desc, g limit ${limit}`);
  return rowsOf<{ genre: string; n: number | string }>(result).map((r) => ({ genre: r.genre, count: Number(r.n) }));
}

export async function presentWatchlistKeys(db: Db, identityId: number, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db
    .select({ key: watchlistItems.itemKey })
    .from(watchlistItems)
    .where(and(eq(watchlistItems.identityId, identityId), inArray(watchlistItems.itemKey, keys)));
  return new Set(rows.map((r) => r.key));
}

/** The sync row and which of `keys` are on the copy, in one statement; undefined when there is no copy. */
export async function findWatchlistSyncWithKeys(db: Db, identityId: number, keys: string[]): Promise<{ sync: WatchlistSyncRow; present: Set<string> } | undefined> {
  const listed =
    keys.length === 0
      ? sql<string[]>`'[]'::json`
      : sql<string[]>`(select coalesce(json_agg(${watchlistItems.itemKey}), '[]'::json) from ${watchlistItems} where ${watchlistItems.identityId} = ${identityId} and ${inArray(watchlistItems.itemKey, keys)})`;
  const [row] = await db
    .select({ sync: getTableColumns(watchlistSync), listed })
    .from(watchlistSync)
    .where(eq(watchlistSync.identityId, identityId))
    .limit(1);
  if (row === undefined) return undefined;
  const present = typeof row.listed === 'string' ? (JSON.parse(row.listed) as string[]) : row.listed;
  return { sync: row.sync, present: new Set(present) };
}

/** Items whose title contains `text`; exact and prefix matches first. */
export async function findWatchlistItems(db: Db, identityId: number, text: string, sortText: string, limit: number): Promise<WatchlistItemRow[]> {
  const pattern = `%${escapeLike(text)}%`;
  const sortPattern = `%${escapeLike(sortText)}%`;
  return db
    .select()
    .from(watchlistItems)
    .where(
      and(eq(watchlistItems.identityId, identityId), or(ilike(watchlistItems.title, pattern), ilike(watchlistItems.sortTitle, sortPattern))),
    )
    .orderBy(
      sql`(${watchlistItems.sortTitle} = ${sortText}) desc`,
      sql`(${watchlistItems.sortTitle} like ${`${escapeLike(sortText)}%`}) desc`,
      desc(watchlistItems.listedAt),
    )
    .limit(limit);
}

export async function clearWatchlistCopy(db: Db, identityId: number): Promise<void> {
  await db.delete(watchlistItems).where(eq(watchlistItems.identityId, identityId));
  await db.delete(watchlistSync).where(eq(watchlistSync.identityId, identityId));
}
