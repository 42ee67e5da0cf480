import { LRUCache } from 'lru-cache';
import type { LinkService } from '../../accounts/linking.js';
import type { Db } from '../../db/client.js';
import { findIdentityById, upsertChatIdentityWithLanguages } from '../../db/queries/identities.js';
import { updateTraktLinkSettings } from '../../db/queries/trakt-link-settings.js';
import { findTraktLinkShared } from '../../db/queries/trakt-links.js';
import { NeedsLinkError } from '../core/errors.js';
import type { StoredLanguages } from '../core/i18n/ports.js';
import type { AccountPort } from '../core/ports.js';
import type { ChatUserRef, Platform } from '../core/types.js';
import { translated } from './trakt-errors.js';

/** Identity ids never change, so they are remembered; last-seen is refreshed at most this often. */
const IDENTITY_TTL_MS = 10 * 60_000;
const IDENTITY_MAX = 50_000;

export function createAccountPort(deps: { db: Db; links: LinkService; onLinkChanged?: (identityId: number) => void }): AccountPort {
  const identities = new LRUCache<string, number>({ max: IDENTITY_MAX, ttl: IDENTITY_TTL_MS });
  /** Only the id is remembered; the languages come from the upsert's own statement, when it runs. */
  async function identifyWithLanguages(user: ChatUserRef, chat?: { platform: Platform; chatId: string }): Promise<{ identityId: number; languages?: StoredLanguages }> {
    const key = `${user.platform}:${user.userId}`;
    const known = identities.get(key);
    if (known !== undefined) return { identityId: known };
    const row = await upsertChatIdentityWithLanguages(
      deps.db,
      { platform: user.platform, platformUserId: user.userId, displayName: user.displayName ?? null, locale: user.locale ?? null },
      chat,
    );
    identities.set(key, row.id);
    return { identityId: row.id, languages: { user: row.language, client: row.locale, chat: row.chatLanguage } };
  }
  return {
    identifyWithLanguages,
    identify: async (user) => (await identifyWithLanguages(user)).identityId,
    async linkedAccount(identityId) {
      const link = await findTraktLinkShared(deps.db, identityId);
      if (link === undefined) return null;
      if (link.status !== 'active') throw new NeedsLinkError(true);
      return { username: link.traktUsername, vip: link.vip, watchlistLimit: link.watchlistLimit };
    },
    startLink: ({ identityId, platform, notifyChatId }) =>
      translated(() => deps.links.start({ identityId, notify: { platform, chatId: notifyChatId } })),
    async unlink(identityId) {
      const result = await deps.links.unlink(identityId);
      deps.onLinkChanged?.(identityId);
      return result;
    },
    async chatUserOf(identityId) {
      const row = await findIdentityById(deps.db, identityId);
      return row && { platform: row.platform, userId: row.platformUserId };
    },
    rememberSettings: (identityId, settings) => updateTraktLinkSettings(deps.db, identityId, settings),
  };
}
