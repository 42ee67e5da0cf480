import { and, eq, gt, isNull, like, lte, sql } from 'drizzle-orm';
import { escapeLike } from './like.js';
import { rowsOf, type Db } from '../client.js';
import { pendingActions, type PendingActionRow } from '../schema.js';
import { chatLanguageOf, type LanguageRow } from './languages.js';

export interface NewPendingActionRow {
  id: string;
  ownerIdentityId: number;
  platform: 'telegram' | 'discord';
  chatId: string;
  /** Already bound to the message that will carry it (see bindPendingView); null or absent: not yet. */
  messageId?: string | null;
  kind: string;
  payload: unknown;
  expiresAt: Date;
}

/**
 * A card's buttons in one statement whose text does not depend on how many there are: the rows travel
 * as one JSON parameter (`jsonb_to_recordset`). drizzle builds one parameter instead of eight per
 * button (a 12-button card took ~0.4 ms of query building), and a database that keeps statements
 * prepared parses it once.
 */
export async function insertPendingActions(db: Db, rows: NewPendingActionRow[]): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(
    rows.map((r) => ({
      id: r.id,
      owner_identity_id: r.ownerIdentityId,
      platform: r.platform,
      chat_id: r.chatId,
      message_id: r.messageId ?? null,
      kind: r.kind,
      payload: r.payload ?? null,
      expires_at: r.expiresAt.toISOString(),
    })),
  );
  await db.execute(sql`insert into pending_actions (id, owner_identity_id, platform, chat_id, message_id, kind, payload, expires_at)
    select r.id, r.owner_identity_id, r.platform, r.chat_id, r.message_id, r.kind, r.payload, r.expires_at
    from jsonb_to_recordset(${json}::jsonb) as r(id text, owner_identity_id bigint, platform text, chat_id text, message_id text, kind text, payload jsonb, expires_at timestamptz)`);
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
    .where(and(like(pendingActions.id, `${escapeLike(viewId)}%`), isNull(pendingActions.consumedAt), gt(pendingActions.expiresAt, now)))
    .returning({ id: pendingActions.id });
  return claimed.length > 0;
}

/** Where a button was pressed and by whom: the view is claimed only when its pressed row matches all of it. */
export interface PressCheck {
  kind: string;
  ownerIdentityId: number;
  platform: 'telegram' | 'discord';
  chatId: string;
  /** The message pressed on; a bound button matches only its own message. */
  messageId: string | null;
}

/**
 * A press in one statement: reads the pressed row and, only when it matches `check` and is neither
 * consumed nor expired, consumes every live button of its view (as `claimPendingView`). Returns the
 * pressed row as it was before the statement (undefined when there is none) and whether the claim was
 * taken; the caller tells a stale press from a foreign one from that row.
 *
 * With `languages`, it also returns the presser's (`check.ownerIdentityId`) languages as
 * `findLanguages` reads them (the chat's setting when a chat is given), so the answer to the press
 * needs no statement of its own. Read in this statement: a `/language` committed before it is seen.
 */
export async function pressPendingAction(
  db: Db,
  id: string,
  viewId: string,
  check: PressCheck,
  now: Date,
  languages?: { chat?: { platform: 'telegram' | 'discord'; chatId: string } },
): Promise<{ row: PendingActionRow; claimed: boolean; languages?: LanguageRow } | undefined> {
  if (!/^[A-Za-z0-9_-]+$/.test(viewId) || !id.startsWith(viewId)) return undefined;
  const at = sql`${now.toISOString()}::timestamptz`;
  const languageColumns =
    languages === undefined
      ? sql``
      : sql`, i.language as user_language, i.locale as client_locale, ${chatLanguageOf(languages.chat)} as chat_language`;
  const presser = languages === undefined ? sql`` : sql` left join chat_identities i on i.id = ${check.ownerIdentityId}::bigint`;
  const result = await db.execute(sql`
    with p as (select * from pending_actions where id = ${id}),
    c as (
      update pending_actions set consumed_at = ${at}
      where id like ${`${escapeLike(viewId)}%`} and consumed_at is null and expires_at > ${at}
        and exists (
          select 1 from p where p.kind = ${check.kind} and p.owner_identity_id = ${check.ownerIdentityId}::bigint
            and p.platform = ${check.platform} and p.chat_id = ${check.chatId}
            and (p.message_id is null or p.message_id = ${check.messageId}::text)
            and p.consumed_at is null and p.expires_at > ${at})
      returning 1)
    select p.id, p.owner_identity_id::text as owner, p.platform, p.chat_id, p.message_id, p.kind, p.payload,
      (extract(epoch from p.expires_at) * 1000)::float8 as expires_ms,
      (extract(epoch from p.consumed_at) * 1000)::float8 as consumed_ms,
      (extract(epoch from p.created_at) * 1000)::float8 as created_ms,
      (select count(*) from c) > 0 as claimed${languageColumns}
    from p${presser}`);
  const [r] = rowsOf<{
    id: string;
    owner: string;
    platform: 'telegram' | 'discord';
    chat_id: string;
    message_id: string | null;
    kind: string;
    payload: unknown;
    expires_ms: number | string;
    consumed_ms: number | string | null;
    created_ms: number | string;
    claimed: boolean;
    user_language?: string | null;
    client_locale?: string | null;
    chat_language?: string | null;
  }>(result);
  if (r === undefined) return undefined;
  return {
    ...(languages === undefined ? {} : { languages: { language: r.user_language ?? null, locale: r.client_locale ?? null, chatLanguage: r.chat_language ?? null } }),
    row: {
      id: r.id,
      ownerIdentityId: Number(r.owner),
      platform: r.platform,
      chatId: r.chat_id,
      messageId: r.message_id,
      kind: r.kind,
      payload: r.payload,
      expiresAt: new Date(Number(r.expires_ms)),
      consumedAt: r.consumed_ms === null ? null : new Date(Number(r.consumed_ms)),
      createdAt: new Date(Number(r.created_ms)),
    },
    claimed: r.claimed,
  };
}

/** Undoes the claim made at `claimedAt`: the view's buttons can be pressed again. */
export async function releasePendingView(db: Db, viewId: string, claimedAt: Date): Promise<void> {
  if (!/^[A-Za-z0-9_-]+$/.test(viewId)) return;
  await db
    .update(pendingActions)
    .set({ consumedAt: null })
    .where(and(like(pendingActions.id, `${escapeLike(viewId)}%`), eq(pendingActions.consumedAt, claimedAt)));
}

/**
 * Binds the buttons of a view to the message that carries them (and the chat it ended up in: a
 * private reply from a group goes to the user's private chat), once the adapter has sent or edited
 * it. A press is then only taken from that message.
 */
export async function bindPendingView(db: Db, viewId: string, chatId: string, messageId: string): Promise<void> {
  if (!/^[A-Za-z0-9_-]+$/.test(viewId)) return;
  // `_` matches one character: exactly the view's buttons (view id + two index characters).
  await db.update(pendingActions).set({ chatId, messageId }).where(like(pendingActions.id, `${escapeLike(viewId)}__`));
}

/** Deletes buttons that expired before `before`; run now and then. */
export async function deleteExpiredPendingActions(db: Db, before: Date): Promise<number> {
  const deleted = await db.delete(pendingActions).where(lte(pendingActions.expiresAt, before)).returning({ id: pendingActions.id });
  return deleted.length;
}
