import { eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { traktLinks } from '../schema.js';
import { forgetSharedTraktLink } from './trakt-links.js';

/** Stores what `/users/settings` said about a linked account (REFERENCE §11: read limits, never assume them). */
export async function updateTraktLinkSettings(
  db: Db,
  identityId: number,
  settings: { username: string; vip: boolean; watchlistLimit: number | null },
): Promise<void> {
  await db
    .update(traktLinks)
    .set({ traktUsername: settings.username, vip: settings.vip, watchlistLimit: settings.watchlistLimit, updatedAt: new Date() })
    .where(eq(traktLinks.identityId, identityId));
  forgetSharedTraktLink(db, identityId);
}
