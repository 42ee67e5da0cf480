import { and, asc, count, desc, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { watchlistItems, watchlistSync, type WatchlistItemRow, type WatchlistSyncRow } from '../schema.js';

/** One entry of the local watchlist copy (see `watchlist_items`). */
export type WatchlistItemInput = Omit<WatchlistItemRow, 'identityId'>;

export type WatchlistOrder = 'added' | 'title' | 'year' | 'rating';
export type WatchlistKinds = ReadonlyArray<WatchlistItemRow['type']>;

const INSERT_CHUNK = 500;

export async function findWatchlistSync(db: Db, identityId: number): Promise<WatchlistSyncRow | undefined> {
  const [row] = await db.select().from(watchlistSync).where(eq(watchlistSync.identityId, identityId)).limit(1);
  return row;
}

/** Replaces a user's whole copy in one transaction, so a page never sees half of it. */
export async function replaceWatchlistItems(
  db: Db,
  identityId: number,
  items: WatchlistItemInput[],
  activityAt: Date | null,
  now: Date,
): Promise<number> {
  await db.transaction(async (tx) => {
    await tx.delete(watchlistItems).where(eq(watchlistItems.identityId, identityId));
    for (let i = 0; i < items.length; i += INSERT_CHUNK) {
      await tx
        .insert(watchlistItems)
        .values(items.slice(i, i + INSERT_CHUNK).map((item) => ({ ...item, identityId })))
        .onConflictDoNothing();
    }
    const sync = { activityAt, checkedAt: now, syncedAt: now, itemCount: items.length };
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
      await tx
        .insert(watchlistItems)
        .values(change.upsert.map((item) => ({ ...item, identityId })))
        .onConflictDoNothing();
    }
    const [counted] = await tx.select({ n: count() }).from(watchlistItems).where(eq(watchlistItems.identityId, identityId));
    const itemCount = Number(counted?.n ?? 0);
    await tx.update(watchlistSync).set({ itemCount }).where(eq(watchlistSync.identityId, identityId));
    return itemCount;
  });
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
  }
}

/** One page of the copy, filtered and sorted in the database (indexed on every sort). */
export async function pageWatchlistItems(
  db: Db,
  identityId: number,
  query: { kinds: WatchlistKinds | null; order: WatchlistOrder; offset: number; limit: number },
): Promise<{ items: WatchlistItemRow[]; total: number }> {
  const where =
    query.kinds === null
      ? eq(watchlistItems.identityId, identityId)
      : and(eq(watchlistItems.identityId, identityId), inArray(watchlistItems.type, [...query.kinds]));
  const [items, [counted]] = await Promise.all([
    db
      .select()
      .from(watchlistItems)
      .where(where)
      .orderBy(...orderOf(query.order))
      .limit(query.limit)
      .offset(query.offset),
    db.select({ n: count() }).from(watchlistItems).where(where),
  ]);
  return { items, total: Number(counted?.n ?? 0) };
}

export async function presentWatchlistKeys(db: Db, identityId: number, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db
    .select({ key: watchlistItems.itemKey })
    .from(watchlistItems)
    .where(and(eq(watchlistItems.identityId, identityId), inArray(watchlistItems.itemKey, keys)));
  return new Set(rows.map((r) => r.key));
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
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
