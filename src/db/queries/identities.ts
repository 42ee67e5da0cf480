import { eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { chatIdentities, type ChatIdentity } from '../schema.js';

export type ChatPlatform = ChatIdentity['platform'];

/** Finds or creates the identity of a chat user, refreshing the display name and last-seen time. */
export async function upsertChatIdentity(
  db: Db,
  input: { platform: ChatPlatform; platformUserId: string; displayName?: string | null; locale?: string | null },
): Promise<ChatIdentity> {
  const [row] = await db
    .insert(chatIdentities)
    .values({
      platform: input.platform,
      platformUserId: input.platformUserId,
      displayName: input.displayName ?? null,
      locale: input.locale ?? null,
    })
    .onConflictDoUpdate({
      target: [chatIdentities.platform, chatIdentities.platformUserId],
      set: {
        displayName: sql`coalesce(excluded.display_name, ${chatIdentities.displayName})`,
        locale: sql`coalesce(excluded.locale, ${chatIdentities.locale})`,
        lastSeenAt: sql`now()`,
      },
    })
    .returning();
  if (row === undefined) throw new Error('upsert returned no row');
  return row;
}

export async function findIdentityById(db: Db, id: number): Promise<ChatIdentity | undefined> {
  const [row] = await db.select().from(chatIdentities).where(eq(chatIdentities.id, id)).limit(1);
  return row;
}
