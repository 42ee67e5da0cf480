import { LRUCache } from 'lru-cache';
import type { LinkService } from '../../accounts/linking.js';
import type { Db } from '../../db/client.js';
import { findIdentityById, upsertChatIdentity } from '../../db/queries/identities.js';
import { updateTraktLinkSettings } from '../../db/queries/trakt-link-settings.js';
import { findTraktLinkShared } from '../../db/queries/trakt-links.js';
import { NeedsLinkError } from '../core/errors.js';
import type { AccountPort } from '../core/ports.js';
import { translated } from './trakt-errors.js';

/** Identity ids never change, so they are remembered; last-seen is refreshed at most this often. */
const IDENTITY_TTL_MS = 10 * 60_000;
const IDENTITY_MAX = 50_000;

export function createAccountPort(deps: { db: Db; links: LinkService; onLinkChanged?: (identityId: number) => void }): AccountPort {
  const identities = new LRUCache<string, number>({ max: IDENTITY_MAX, ttl: IDENTITY_TTL_MS });
  return {
    async identify(user) {
      const key = `${user.platform}:${user.userId}`;
      const known = identities.get(key);
      if (known !== undefined) return known;
      const row = await upsertChatIdentity(deps.db, {
        platform: user.platform,
        platformUserId: user.userId,
        displayName: user.displayName ?? null,
        locale: user.locale ?? null,
      });
      identities.set(key, row.id);
      return row.id;
    },
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
