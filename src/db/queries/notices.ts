import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { chatIdentities, noticeSettings, notices, type NoticeRow, type NoticeSettingsRow } from '../schema.js';

/**
 * Release notices' storage (`/notify`). Each notice is one row under a unique (identity, item, event) key,
 * so reading the same release again inserts nothing; sending claims rows with one UPDATE (`sent_at` set
 * where it is null), so two runs never send the same row.
 */

export async function noticeSettingsOf(db: Db, identityId: number): Promise<NoticeSettingsRow | undefined> {
  const [row] = await db.select().from(noticeSettings).where(eq(noticeSettings.identityId, identityId)).limit(1);
  return row;
}

export type NoticeSettingsPatch = Partial<Pick<NoticeSettingsRow, 'enabled' | 'enabledAt' | 'quietStartMinute' | 'quietEndMinute' | 'timeZone'>>;

export async function saveNoticeSettings(db: Db, identityId: number, patch: NoticeSettingsPatch, now: Date): Promise<NoticeSettingsRow> {
  const [row] = await db
    .insert(noticeSettings)
    .values({ identityId, ...patch, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: noticeSettings.identityId, set: { ...patch, updatedAt: now } })
    .returning();
  if (row === undefined) throw new Error('notice settings not saved');
  return row;
}

/** Identities with notices on, with the chat user to reach privately. */
export async function noticeSubscribers(
  db: Db,
): Promise<Array<{ settings: NoticeSettingsRow; platform: 'telegram' | 'discord'; platformUserId: string }>> {
  const rows = await db
    .select({ settings: noticeSettings, platform: chatIdentities.platform, platformUserId: chatIdentities.platformUserId })
    .from(noticeSettings)
    .innerJoin(chatIdentities, eq(chatIdentities.id, noticeSettings.identityId))
    .where(eq(noticeSettings.enabled, true))
    .orderBy(noticeSettings.identityId);
  return rows;
}

/** Inserts the notices not recorded yet (the unique key skips the others); returns how many were new. */
export async function recordNotices(
  db: Db,
  identityId: number,
  rows: Array<{ itemKey: string; event: string; detail: unknown; occurredAt: Date }>,
  now: Date,
): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await db
    .insert(notices)
    .values(rows.map((r) => ({ identityId, itemKey: r.itemKey, event: r.event, detail: r.detail, occurredAt: r.occurredAt, createdAt: now })))
    .onConflictDoNothing({ target: [notices.identityId, notices.itemKey, notices.event] })
    .returning({ id: notices.id });
  return inserted.length;
}

/** Claims every unsent notice of the identity (sets `sent_at`); only this caller gets these rows. */
export async function claimUnsentNotices(db: Db, identityId: number, now: Date): Promise<NoticeRow[]> {
  const rows = await db
    .update(notices)
    .set({ sentAt: now })
    .where(and(eq(notices.identityId, identityId), isNull(notices.sentAt)))
    .returning();
  return rows.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || a.id - b.id);
}

/** A send that failed: the rows wait again for the next run. */
export async function releaseNotices(db: Db, ids: number[], claimedAt: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(notices)
    .set({ sentAt: null })
    .where(and(inArray(notices.id, ids), eq(notices.sentAt, claimedAt)));
}

/** Unsent notices of an identity (for /notify status). */
export async function unsentNoticeCount(db: Db, identityId: number): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(notices)
    .where(and(eq(notices.identityId, identityId), isNull(notices.sentAt)));
  return Number(row?.n ?? 0);
}

/** Turning notices off drops what waits (it would be old news when they are turned on again). */
export async function dropUnsentNotices(db: Db, identityId: number): Promise<void> {
  await db.delete(notices).where(and(eq(notices.identityId, identityId), isNull(notices.sentAt)));
}
