import type { Db } from '../../db/client.js';
import { findLanguages, setChatLanguage, setUserLanguage } from '../../db/queries/languages.js';
import type { LanguageStore } from '../core/i18n/ports.js';

/** The core's LanguageStore on the database (chat_identities.language, chat_languages). */
export function createLanguageStore(db: Db): LanguageStore {
  return {
    async languages(identityId, chat) {
      const row = await findLanguages(db, identityId, chat);
      return { user: row.language, client: row.locale, chat: row.chatLanguage };
    },
    setUserLanguage: (identityId, locale) => setUserLanguage(db, identityId, locale),
    setChatLanguage: (chat, locale, setBy) => setChatLanguage(db, chat, locale, setBy),
  };
}
