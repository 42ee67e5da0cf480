import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { chatFiles, posterCache } from '../schema.js';

export interface CachedPoster {
  data: Buffer | null;
  contentType: string | null;
  /** Set when the last download failed and should not be tried again before then. */
  retryAfter: Date | null;
}

export async function findPoster(db: Db, url: string): Promise<CachedPoster | undefined> {
  const [row] = await db
    .select({ data: posterCache.data, contentType: posterCache.contentType, retryAfter: posterCache.retryAfter })
    .from(posterCache)
    .where(eq(posterCache.url, url))
    .limit(1);
  return row;
}

export async function savePoster(db: Db, url: string, data: Buffer, contentType: string): Promise<void> {
  const values = { data, contentType, failedAt: null, retryAfter: null, fetchedAt: new Date() };
  await db.insert(posterCache).values({ url, ...values }).onConflictDoUpdate({ target: posterCache.url, set: values });
}

export async function savePosterFailure(db: Db, url: string, retryAfter: Date): Promise<void> {
  const values = { failedAt: new Date(), retryAfter };
  await db.insert(posterCache).values({ url, ...values }).onConflictDoUpdate({ target: posterCache.url, set: values });
}

export async function findChatFile(db: Db, platform: 'telegram' | 'discord', sourceUrl: string): Promise<string | undefined> {
  const [row] = await db
    .select({ fileId: chatFiles.fileId })
    .from(chatFiles)
    .where(and(eq(chatFiles.platform, platform), eq(chatFiles.sourceUrl, sourceUrl)))
    .limit(1);
  return row?.fileId;
}

export async function saveChatFile(db: Db, platform: 'telegram' | 'discord', sourceUrl: string, fileId: string): Promise<void> {
  await db
    .insert(chatFiles)
    .values({ platform, sourceUrl, fileId })
    .onConflictDoUpdate({ target: [chatFiles.platform, chatFiles.sourceUrl], set: { fileId, createdAt: new Date() } });
}

export async function deleteChatFile(db: Db, platform: 'telegram' | 'discord', sourceUrl: string): Promise<void> {
  await db.delete(chatFiles).where(and(eq(chatFiles.platform, platform), eq(chatFiles.sourceUrl, sourceUrl)));
}

/**
 * A platform's handle for an image and, when there is none yet, the downloaded image too (it is about
 * to be uploaded), in one statement.
 */
export async function findChatFileWithPoster(
  db: Db,
  platform: 'telegram' | 'discord',
  sourceUrl: string,
): Promise<{ fileId: string | undefined; poster: CachedPoster | undefined }> {
  const [row] = await db
    .select({
      fileId: chatFiles.fileId,
      found: sql<boolean>`${posterCache.url} is not null`,
      data: posterCache.data,
      contentType: posterCache.contentType,
      retryAfter: posterCache.retryAfter,
    })
    .from(sql`(select 1) as one`)
    .leftJoin(chatFiles, and(eq(chatFiles.platform, platform), eq(chatFiles.sourceUrl, sourceUrl)))
    .leftJoin(posterCache, sql`${chatFiles.fileId} is null and ${posterCache.url} = ${sourceUrl}`)
    .limit(1);
  if (row === undefined) return { fileId: undefined, poster: undefined };
  const fileId = row.fileId ?? undefined;
  return { fileId, poster: fileId === undefined && row.found ? { data: row.data, contentType: row.contentType, retryAfter: row.retryAfter } : undefined };
}
