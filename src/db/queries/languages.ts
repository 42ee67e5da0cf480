import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { chatIdentities, chatLanguages } from '../schema.js';
import type { ChatPlatform } from './identities.js';

export interface LanguageRow {
  /** The user's `/language` choice. */
  language: string | null;
  /** The client's language as last seen. */
  locale: string | null;
  /** The chat's setting, when a chat was asked for. */
  chatLanguage: string | null;
}

/** The chat's setting as a column (null when no chat is asked for), for the statements that read languages. */
export function chatLanguageOf(chat?: { platform: ChatPlatform; chatId: string }): SQL<string | null> {
  return chat === undefined
    ? sql<string | null>`null`
    : sql<string | null>`(select ${chatLanguages.language} from ${chatLanguages} where ${chatLanguages.platform} = ${chat.platform} and ${chatLanguages.chatId} = ${chat.chatId})`;
}

/** One round trip: the user's choice and client language, and the chat's setting. */
export async function findLanguages(db: Db, identityId: number, chat?: { platform: ChatPlatform; chatId: string }): Promise<LanguageRow> {
  const [row] = await db
    .select({ language: chatIdentities.language, locale: chatIdentities.locale, chatLanguage: chatLanguageOf(chat) })
    .from(chatIdentities)
    .where(eq(chatIdentities.id, identityId))
    .limit(1);
  return row ?? { language: null, locale: null, chatLanguage: null };
}

export async function setUserLanguage(db: Db, identityId: number, language: string | null): Promise<void> {
  await db.update(chatIdentities).set({ language }).where(eq(chatIdentities.id, identityId));
}

export async function setChatLanguage(
  db: Db,
  chat: { platform: ChatPlatform; chatId: string },
  language: string | null,
  setByIdentityId: number,
): Promise<void> {
  if (language === null) {
    await db.delete(chatLanguages).where(and(eq(chatLanguages.platform, chat.platform), eq(chatLanguages.chatId, chat.chatId)));
    return;
  }
  await db
    .insert(chatLanguages)
    .values({ platform: chat.platform, chatId: chat.chatId, language, setByIdentityId })
    .onConflictDoUpdate({
      target: [chatLanguages.platform, chatLanguages.chatId],
      set: { language, setByIdentityId, updatedAt: sql`now()` },
    });
}
