import type { Locale } from './locales.js';
import type { Platform } from '../types.js';

/** What decides a user's language, as stored (src/db/queries/languages.ts implements it). */
export interface StoredLanguages {
  /** The user's `/language` choice; null: follow their client. */
  user: string | null;
  /** The user's client language as last seen (chat_identities.locale). */
  client: string | null;
  /** The chat's `/language` setting (asked for groups only); null when none. */
  chat: string | null;
}

export interface LanguageStore {
  /** One read: the user's choice and client language, and the chat's setting when a chat is given. */
  languages(identityId: number, chat?: { platform: Platform; chatId: string }): Promise<StoredLanguages>;
  /** The user's choice; null goes back to following their client's language. */
  setUserLanguage(identityId: number, locale: Locale | null): Promise<void>;
  /** A group's language; null removes the setting (the platform's or each user's language applies). */
  setChatLanguage(chat: { platform: Platform; chatId: string }, locale: Locale | null, setByIdentityId: number): Promise<void>;
}
