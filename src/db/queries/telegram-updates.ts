import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Db } from '../client.js';

/**
 * Telegram across several instances on one database (`telegram_updates`, `telegram_pollers`):
 *
 * - every update is claimed by `update_id` before it is handled, so a redelivery (Telegram sends an
 *   update again when the webhook did not answer 2xx in time, or to a poller that took over) is
 *   handled once; a claim is held under a lease that its instance renews while handling, and a claim
 *   whose lease ran out without being done (its instance died) is taken over;
 * - one instance holds the poller lease of a bot; the others do not long-poll.
 *
 * Leases follow the database's clock (`now()`): it is the one clock every instance shares. Plain
 * functions, db first, one statement each. Claims and finishes take many updates at once: the adapter
 * gathers them, so that a busy bot pays a statement per batch rather than per update.
 * `createTelegramUpdateClaims` and `createTelegramPollLease` bind them into objects that structurally
 * satisfy the adapter's `TelegramUpdateClaims` and `TelegramPollLease` (src/bot/telegram/telegram-bot.ts;
 * src/db may not import the adapter).
 */

export type ClaimState = 'claimed' | 'done' | 'busy';

function leaseEnd(leaseMs: number): SQL {
  return sql`now() + ${Math.round(leaseMs)}::integer * interval '1 millisecond'`;
}

/**
 * An update as jsonb takes it. Postgres refuses the character NUL in jsonb (`\u0000`: "unsupported
 * Unicode escape sequence"), and one such update would fail the statement that claims the updates
 * fetched with it: NUL becomes U+FFFD in the kept copy (only a takeover reads it).
 */
function payloadJson(payload: unknown): string {
  const json = JSON.stringify(payload);
  if (!json.includes('\\u0000')) return json;
  return JSON.stringify(payload, (_key, value: unknown) => (typeof value === 'string' ? value.replaceAll('\0', '\uFFFD') : value));
}

/**
 * Claims updates for `owner` in one statement (a fetched batch of polled updates, or webhook deliveries
 * that arrived together); each update's state at its index. Per update as if claimed alone, in the
 * order given: `claimed` when it is new here or its previous claim ran out unfinished (taken over),
 * `done` when it was handled already, `busy` while another live claim holds it. An update given twice
 * is claimed once: the later copy finds the earlier's claim (`busy`), as it would one statement later.
 */
export async function claimTelegramUpdates(
  db: Db,
  input: { botId: number; owner: string; leaseMs: number; updates: ReadonlyArray<{ updateId: number; payload: unknown }> },
): Promise<ClaimState[]> {
  const distinct = new Map<number, unknown>();
  for (const { updateId, payload } of input.updates) if (!distinct.has(updateId)) distinct.set(updateId, payload);
  if (distinct.size === 0) return [];
  // Rows are inserted in update_id order: two statements claiming overlapping updates (webhook
  // redeliveries on two instances) then wait for each other's rows in the same order, never in a cycle.
  const rows = sql.join(
    [...distinct.entries()].sort(([a], [b]) => a - b).map(([updateId, payload]) => sql`(${updateId}::bigint, ${payloadJson(payload)}::jsonb)`),
    sql`, `,
  );
  // The outer select reads telegram_updates as it was when the statement began (not the CTE's writes):
  // `done` is an earlier instance's finish. A claim committed by another instance after this statement
  // began is not seen there: busy, and Telegram asks again.
  const result = await db.execute(sql`
    with given (update_id, payload) as (values ${rows}),
    claimed as (
      insert into telegram_updates as u (bot_id, update_id, claimed_by, lease_until, payload)
      select ${input.botId}::bigint, update_id, ${input.owner}::text, ${leaseEnd(input.leaseMs)}, payload from given order by update_id
      on conflict (bot_id, update_id) do update
        set claimed_by = excluded.claimed_by, lease_until = excluded.lease_until, payload = excluded.payload
        where u.done_at is null and u.lease_until < now()
      returning u.update_id)
    select g.update_id, c.update_id is not null as claimed, t.done_at is not null as done
    from given g
      left join claimed c on c.update_id = g.update_id
      left join telegram_updates t on t.bot_id = ${input.botId}::bigint and t.update_id = g.update_id`);
  const states = new Map<number, ClaimState>();
  for (const row of rowsOf<{ update_id: number | string; claimed: boolean; done: boolean | null }>(result)) {
    states.set(Number(row.update_id), row.claimed ? 'claimed' : row.done === true ? 'done' : 'busy');
  }
  const seen = new Set<number>();
  return input.updates.map(({ updateId }) => {
    const state = states.get(updateId) ?? 'busy';
    if (seen.has(updateId)) return state === 'claimed' ? 'busy' : state;
    seen.add(updateId);
    return state;
  });
}

/** Claims one update for `owner` (see `claimTelegramUpdates`). */
export async function claimTelegramUpdate(
  db: Db,
  input: { botId: number; updateId: number; owner: string; leaseMs: number; payload: unknown },
): Promise<ClaimState> {
  const [state] = await claimTelegramUpdates(db, { botId: input.botId, owner: input.owner, leaseMs: input.leaseMs, updates: [{ updateId: input.updateId, payload: input.payload }] });
  return state ?? 'busy';
}

/** Extends `owner`'s unfinished claims of these updates (they are still being handled). */
export async function renewTelegramUpdates(db: Db, input: { botId: number; updateIds: readonly number[]; owner: string; leaseMs: number }): Promise<void> {
  if (input.updateIds.length === 0) return;
  const ids = sql.join(
    input.updateIds.map((id) => sql`${id}`),
    sql`, `,
  );
  await db.execute(sql`
    update telegram_updates set lease_until = ${leaseEnd(input.leaseMs)}
    where bot_id = ${input.botId} and update_id in (${ids}) and claimed_by = ${input.owner} and done_at is null`);
}

/** Marks updates handled (by whoever holds them now: handled is handled) and drops their payloads. */
export async function finishTelegramUpdates(db: Db, input: { botId: number; updateIds: readonly number[] }): Promise<void> {
  if (input.updateIds.length === 0) return;
  const ids = sql.join(
    [...new Set(input.updateIds)].sort((a, b) => a - b).map((id) => sql`${id}`),
    sql`, `,
  );
  await db.execute(sql`
    update telegram_updates set done_at = coalesce(done_at, now()), payload = null
    where bot_id = ${input.botId} and update_id in (${ids})`);
}

/** Marks one update handled (see `finishTelegramUpdates`). */
export async function finishTelegramUpdate(db: Db, input: { botId: number; updateId: number }): Promise<void> {
  await finishTelegramUpdates(db, { botId: input.botId, updateIds: [input.updateId] });
}

/**
 * Takes over up to `limit` claims whose lease ran out unfinished (their instance died between
 * claiming and finishing) and returns their updates, oldest first, for `owner` to handle.
 */
export async function takeOverTelegramUpdates(
  db: Db,
  input: { botId: number; owner: string; leaseMs: number; limit: number },
): Promise<Array<{ updateId: number; payload: unknown }>> {
  const result = await db.execute(sql`
    with stale as materialized (
      select bot_id, update_id from telegram_updates
      where bot_id = ${input.botId} and done_at is null and lease_until < now() and payload is not null
      order by update_id
      limit ${input.limit}
      for update skip locked)
    update telegram_updates u set claimed_by = ${input.owner}, lease_until = ${leaseEnd(input.leaseMs)}
    from stale where u.bot_id = stale.bot_id and u.update_id = stale.update_id
    returning u.update_id, u.payload`);
  return rowsOf<{ update_id: number | string; payload: unknown }>(result)
    .map((row) => ({ updateId: Number(row.update_id), payload: typeof row.payload === 'string' ? (JSON.parse(row.payload) as unknown) : row.payload }))
    .sort((a, b) => a.updateId - b.updateId);
}

/**
 * Lets go of every unfinished claim of a bot. Only for the embedded database at start: it has one
 * process, so a claim left unfinished is this process's predecessor's, cut off.
 */
export async function releaseUnfinishedTelegramUpdates(db: Db, botId: number): Promise<number> {
  const result = await db.execute(sql`
    update telegram_updates set lease_until = now() - interval '1 second'
    where bot_id = ${botId} and done_at is null returning 1`);
  return rowsOf(result).length;
}

/** Forgets updates received before `before` (Telegram redelivers an update for 24 hours at most). */
export async function deleteOldTelegramUpdates(db: Db, before: Date): Promise<number> {
  const result = await db.execute(sql`delete from telegram_updates where received_at < ${before.toISOString()}::timestamptz returning 1`);
  return rowsOf(result).length;
}

/**
 * Takes or renews the poller lease of a bot for `holder`: held when the row was free, `holder`'s own,
 * or its lease ran out (the holder died); otherwise says who holds it.
 */
export async function holdTelegramPoller(
  db: Db,
  input: { botId: number; holder: string; leaseMs: number },
): Promise<{ held: true } | { held: false; holder: string }> {
  const result = await db.execute(sql`
    with held as (
      insert into telegram_pollers as p (bot_id, holder, lease_until)
      values (${input.botId}, ${input.holder}, ${leaseEnd(input.leaseMs)})
      on conflict (bot_id) do update
        set holder = excluded.holder, lease_until = excluded.lease_until,
          since = case when p.holder = excluded.holder then p.since else now() end
        where p.holder = excluded.holder or p.lease_until < now()
      returning 1)
    select (select count(*) from held)::integer as held,
      (select holder from telegram_pollers where bot_id = ${input.botId}) as holder`);
  const row = rowsOf<{ held: number | string; holder: string | null }>(result)[0];
  if (Number(row?.held ?? 0) > 0) return { held: true };
  return { held: false, holder: row?.holder ?? 'another instance' };
}

/** Gives the poller lease up (on stop), so that a waiting instance takes over at once. */
export async function releaseTelegramPoller(db: Db, input: { botId: number; holder: string }): Promise<void> {
  await db.execute(sql`delete from telegram_pollers where bot_id = ${input.botId} and holder = ${input.holder}`);
}

/** The bot id in a bot token (`123456789:AA...` → 123456789); not a secret, Telegram shows it as the bot's user id. */
export function botIdOfToken(token: string): number {
  const id = Number(token.split(':', 1)[0]);
  if (!Number.isSafeInteger(id)) throw new Error('not a Telegram bot token');
  return id;
}

export interface TelegramLeaseOptions {
  botId: number;
  /** This instance, as it appears in claims and in the poller row (host, process, a random part). */
  owner: string;
  leaseMs: number;
}

/** The update claims of one instance (satisfies `TelegramUpdateClaims` of the Telegram adapter). */
export function createTelegramUpdateClaims(db: Db, options: TelegramLeaseOptions) {
  const { botId, owner, leaseMs } = options;
  return {
    leaseMs,
    claim: (updates: ReadonlyArray<{ update_id: number }>) =>
      claimTelegramUpdates(db, { botId, owner, leaseMs, updates: updates.map((update) => ({ updateId: update.update_id, payload: update })) }),
    renew: (updateIds: readonly number[]) => renewTelegramUpdates(db, { botId, updateIds, owner, leaseMs }),
    finish: (updateIds: readonly number[]) => finishTelegramUpdates(db, { botId, updateIds }),
    takeOver: (limit: number) => takeOverTelegramUpdates(db, { botId, owner, leaseMs, limit }),
  };
}

/** The poller lease as one instance holds it (satisfies `TelegramPollLease` of the Telegram adapter). */
export function createTelegramPollLease(db: Db, options: TelegramLeaseOptions) {
  const { botId, owner, leaseMs } = options;
  return {
    leaseMs,
    hold: () => holdTelegramPoller(db, { botId, holder: owner, leaseMs }),
    release: () => releaseTelegramPoller(db, { botId, holder: owner }),
  };
}
