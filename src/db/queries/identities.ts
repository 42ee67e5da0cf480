import { eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { chatIdentities, type ChatIdentity } from '../schema.js';
import { chatLanguageOf, type LanguageRow } from './languages.js';

export type ChatPlatform = ChatIdentity['platform'];

export interface IdentityInput {
  platform: ChatPlatform;
  platformUserId: string;
  displayName?: string | null;
  locale?: string | null;
}

/** Inserts the identity, or refreshes its display name, client language and last-seen time. */
function upsertIdentity(db: Db, input: IdentityInput) {
  return db
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
    });
}

/** Finds or creates the identity of a chat user, refreshing the display name and last-seen time. */
export async function upsertChatIdentity(db: Db, input: IdentityInput): Promise<ChatIdentity> {
  const [row] = await upsertIdentity(db, input).returning();
  if (row === undefined) throw new Error('upsert returned no row');
  return row;
}

/**
 * `upsertChatIdentity` returning what decides the user's language instead of the whole row (as
 * `findLanguages` reads it, the chat's setting when a chat is given): a first message then needs no
 * second statement for its language. Read in the upsert's own statement, so a `/language` another
 * instance committed before it is seen.
 */
export async function upsertChatIdentityWithLanguages(
  db: Db,
  input: IdentityInput,
  chat?: { platform: ChatPlatform; chatId: string },
): Promise<{ id: number } & LanguageRow> {
  const [row] = await upsertIdentity(db, input).returning({
    id: chatIdentities.id,
    language: chatIdentities.language,
    locale: chatIdentities.locale,
    chatLanguage: chatLanguageOf(chat),
  });
  if (row === undefined) throw new Error('upsert returned no row');
  return row;
}

export async function findIdentityById(db: Db, id: number): Promise<ChatIdentity | undefined> {
  const [row] = await db.select().from(chatIdentities).where(eq(chatIdentities.id, id)).limit(1);
  return row;
}
