import { lte } from 'drizzle-orm';
import type { Db } from '../client.js';
import { linkAttempts } from '../schema.js';

/**
 * Deletes link attempts that expired before `before`, whatever their outcome: an OAuth state or a
 * device code past its expiry can never be used again, and a finished attempt is only history. Run
 * now and then, with a margin, so a late callback still finds its row and hears "expired".
 */
export async function deleteExpiredLinkAttempts(db: Db, before: Date): Promise<number> {
  const deleted = await db.delete(linkAttempts).where(lte(linkAttempts.expiresAt, before)).returning({ id: linkAttempts.id });
  return deleted.length;
}
