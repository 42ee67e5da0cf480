import { and, eq, gt, isNull, like, lte } from 'drizzle-orm';
import type { Db } from '../client.js';
import { pendingActions, type PendingActionRow } from '../schema.js';

export interface NewPendingActionRow {
  id: string;
  ownerIdentityId: number;
  platform: 'telegram' | 'discord';
  chatId: string;
  kind: string;
  payload: unknown;
  expiresAt: Date;
}

export async function insertPendingActions(db: Db, rows: NewPendingActionRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(pendingActions).values(rows.map((r) => ({ ...r, payload: r.payload ?? null })));
}

export async function findPendingAction(db: Db, id: string): Promise<PendingActionRow | undefined> {
  const [row] = await db.select().from(pendingActions).where(eq(pendingActions.id, id)).limit(1);
  return row;
}

/**
 * Consumes every live button of a view (ids starting with `viewId`) in one statement. Under
 * concurrent presses Postgres lets one update take the rows; the other finds none left.
 */
export async function claimPendingView(db: Db, viewId: string, now: Date): Promise<boolean> {
  if (!/^[A-Za-z0-9_-]+$/.test(viewId)) return false;
  const claimed = await db
    .update(pendingActions)
    .set({ consumedAt: now })
    .where(and(like(pendingActions.id, `${viewId}%`), isNull(pendingActions.consumedAt), gt(pendingActions.expiresAt, now)))
    .returning({ id: pendingActions.id });
  return claimed.length > 0;
}

/** Undoes the claim made at `claimedAt`: the view's buttons can be pressed again. */
export async function releasePendingView(db: Db, viewId: string, claimedAt: Date): Promise<void> {
  if (!/^[A-Za-z0-9_-]+$/.test(viewId)) return;
  await db
    .update(pendingActions)
    .set({ consumedAt: null })
    .where(and(like(pendingActions.id, `${viewId}%`), eq(pendingActions.consumedAt, claimedAt)));
}

/**
 * Binds the buttons of a view to the message that carries them (and the chat it ended up in: a
 * private reply from a group goes to the user's private chat), once the adapter has sent or edited
 * it. A press is then only taken from that message.
 */
export async function bindPendingView(db: Db, viewId: string, chatId: string, messageId: string): Promise<void> {
  if (!/^[A-Za-z0-9_-]+$/.test(viewId)) return;
  // `_` matches one character: exactly the view's buttons (view id + two index characters).
  await db.update(pendingActions).set({ chatId, messageId }).where(like(pendingActions.id, `${viewId}__`));
}

/** Deletes buttons that expired before `before`; run now and then. */
export async function deleteExpiredPendingActions(db: Db, before: Date): Promise<number> {
  const deleted = await db.delete(pendingActions).where(lte(pendingActions.expiresAt, before)).returning({ id: pendingActions.id });
  return deleted.length;
}
