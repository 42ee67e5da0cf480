import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../client.js';

/**
 * The `trakt_limits` table: Trakt's rate limits shared by every instance of the service on one Postgres.
 * `createPgTraktLimitStore` structurally satisfies `SharedLimitStore` of src/trakt/limits.ts (src/db does
 * not import src/trakt: the check happens where src/main.ts passes it to the Trakt client).
 *
 * Each operation is one statement on one row, atomic under the row's lock: two instances asking for
 * the same user's write turn at once are served one after the other. Times are milliseconds on the
 * database's clock (`clock_timestamp()`), the one clock all instances share: GET windows and holds are
 * passed as durations from its "now"; write turns are instants on it, and each answer about one carries
 * the database's `now` (the caller keeps its offset to that clock).
 *
 * With the embedded PGlite there is one process, and main.ts wires no shared store at all.
 */

/** "now" on the database's clock, in milliseconds; evaluated once per statement through `c`. */
const NOW = sql.raw(`(select floor(extract(epoch from clock_timestamp()) * 1000)::bigint as now)`);

/** The channel on which a released write turn is announced (payload: the key). */
export const TRAKT_LIMITS_CHANNEL = 'trakt_limits';

/** Rows untouched for this long, with no turn, window or hold still open, are deleted. */
export const TRAKT_LIMITS_IDLE_MS = 60 * 60_000;

/** An answer about a write turn: instants in milliseconds on the database's clock. */
export type WriteTurnRow = { granted: true; sendAt: number; now: number } | { granted: false; booked: boolean; retryAt: number; now: number };

/** In `acquireTraktWriteTurn`: the asker already holds the turn (handed over at a release). */
const MINE = `(l.lease_token = excluded.lease_token and l.lease_until > excluded.touched_at)`;
/** Another asker has booked the next turn, and its booking is alive. */
const OTHER_BOOKING = `(l.next_token is not null and l.next_token <> excluded.lease_token and l.next_until > excluded.touched_at)`;
/** No turn held (or it lapsed), nobody else booked: take it. */
const TAKE = sql.raw(`(not ${MINE} and l.lease_until <= excluded.touched_at and not ${OTHER_BOOKING})`);
/** Another instance holds the turn and nobody else booked: book the next one. */
const BOOK = sql.raw(`(not ${MINE} and l.lease_until > excluded.touched_at and not ${OTHER_BOOKING})`);

/**
 * Asks for the write turn of `key` as `token`:
 * - the turn is already `token`'s (handed over at a release, the message about it missed): granted;
 * - no turn is held (or the held one lapsed) and no other live booking: taken, send at `sendAt`;
 * - another instance holds it and nobody else has booked the next turn: `token` books it (`booked`):
 *   the holder's release hands the turn over and announces it (`TRAKT_LIMITS_CHANNEL`);
 * - otherwise: not granted. `retryAt` is the holder's send time (no answer comes before it).
 * A booking lapses with the turn it waits for, so a waiter that died does not block the next one.
 */
export async function acquireTraktWriteTurn(db: Db, key: string, input: { token: string; leaseMs: number }): Promise<WriteTurnRow> {
  // The conditions read the asker's token and the time from `excluded` (the row it would insert), its
  // lease from that row's lease_until - lease_from, rather than binding them again at every use.
  const result = await db.execute(sql`
    with c as ${NOW}
    insert into trakt_limits as l (key, lease_token, lease_from, lease_until, touched_at)
    select ${key}, ${input.token}, c.now, c.now + ${Math.max(0, Math.round(input.leaseMs))}::bigint, c.now from c
    on conflict (key) do update set
      lease_token = case when ${TAKE} then excluded.lease_token else l.lease_token end,
      lease_from = case when ${TAKE} then greatest(l.next_at, excluded.touched_at) else l.lease_from end,
      lease_until = case when ${TAKE}
        then greatest(l.next_at, excluded.touched_at) + (excluded.lease_until - excluded.lease_from) else l.lease_until end,
      next_token = case when ${TAKE} then null when ${BOOK} then excluded.lease_token else l.next_token end,
      next_until = case when ${TAKE} then 0 when ${BOOK} then l.lease_until else l.next_until end,
      touched_at = excluded.touched_at
    returning l.lease_token = ${input.token} as granted, coalesce(l.next_token = ${input.token}, false) as booked,
      l.lease_from, l.touched_at as now
  `);
  const row = rowsOf<{ granted: boolean; booked: boolean; lease_from: string | number; now: string | number }>(result)[0];
  if (row === undefined) throw new Error('trakt_limits: no row returned');
  const at = Number(row.now);
  const from = Number(row.lease_from);
  if (row.granted) return { granted: true, sendAt: from, now: at };
  return { granted: false, booked: row.booked, retryAt: from, now: at };
}

/** What a release announces on `TRAKT_LIMITS_CHANNEL` (JSON): the key, the turn's new holder, its send time. */
export interface WriteTurnNews {
  key: string;
  /** The booked waiter the turn went to, or null (free: waiters ask again). */
  holder: string | null;
  /** The next write's send time (database clock). */
  sendAt: number;
}

/**
 * Ends the turn `token` holds (when it still does): the next write may leave at `nextAt` (database
 * clock), never earlier than a hold already set. A live booking gets the turn at once, lasting
 * `leaseMs` from its send time; either way the release is announced on `TRAKT_LIMITS_CHANNEL`.
 * A booking of `token` is cancelled too: a waiter that gives up (its instance stopping) releases with
 * `nextAt` 0, so no turn is handed to it.
 */
export async function releaseTraktWriteTurn(db: Db, key: string, token: string, nextAt: number, leaseMs: number): Promise<void> {
  const holder = sql.raw(`(l.lease_token = p.token)`);
  const handover = sql.raw(`(l.lease_token = p.token and l.next_token is not null and l.next_until > c.now)`);
  const sendAt = sql.raw(`greatest(l.next_at, p.next_at, c.now)`);
  await db.execute(sql`
    with c as ${NOW},
    p as (select ${token}::text as token, ${Math.ceil(nextAt)}::bigint as next_at, ${Math.max(0, Math.round(leaseMs))}::bigint as lease),
    released as (
      update trakt_limits as l set
        next_at = greatest(l.next_at, p.next_at),
        lease_token = case when ${handover} then l.next_token when ${holder} then null else l.lease_token end,
        lease_from = case when ${handover} then ${sendAt} else l.lease_from end,
        lease_until = case when ${handover} then ${sendAt} + p.lease when ${holder} then 0 else l.lease_until end,
        next_token = case when ${holder} or l.next_token = p.token then null else l.next_token end,
        next_until = case when ${holder} or l.next_token = p.token then 0 else l.next_until end,
        touched_at = c.now
      from c, p
      where l.key = ${key}
      returning l.key, l.lease_token, l.lease_from, l.next_at
    )
    select pg_notify(${TRAKT_LIMITS_CHANNEL}, json_build_object(
      'key', released.key,
      'holder', released.lease_token,
      'sendAt', case when released.lease_token is null then released.next_at else released.lease_from end
    )::text) from released
  `);
}

/** The holder of turn `token` is alive: its turn lapses no sooner than `leaseMs` from now. */
export async function renewTraktWriteTurn(db: Db, key: string, token: string, leaseMs: number): Promise<void> {
  await db.execute(sql`
    with c as ${NOW}
    update trakt_limits as l set lease_until = greatest(l.lease_until, c.now + ${Math.max(0, Math.round(leaseMs))}::bigint), touched_at = c.now
    from c
    where l.key = ${key} and l.lease_token = ${token}
  `);
}

/** No write of `key` before `ms` from now. */
export async function holdTraktWrites(db: Db, key: string, ms: number): Promise<void> {
  await db.execute(sql`
    with c as ${NOW}
    insert into trakt_limits as l (key, next_at, touched_at)
    select ${key}, c.now + ${Math.max(0, Math.ceil(ms))}::bigint, c.now from c
    on conflict (key) do update set next_at = greatest(l.next_at, excluded.next_at), touched_at = excluded.touched_at
  `);
}

/** An answer to `takeTraktGets`; durations in milliseconds from the database's "now". */
export interface GetLeaseRow {
  /** GETs taken: all those asked for, or 0. */
  taken: number;
  /**
   * None taken: how long until a hold and a used-up window have passed (ask again then), or 0 when the
   * window has room, only for fewer than asked (`remaining`): ask again at once for fewer.
   */
  retryInMs: number;
  /** GETs left in the window after this take. */
  remaining: number;
  /** How long until the window ends: GETs taken now must be sent before then. */
  windowEndsInMs: number;
}

/**
 * Takes `count` GETs (1..limit) from the window of `key`, all or none: a window opens at the first take
 * after the last one ended and lasts `periodMs`. One statement whatever the count, so an instance can
 * take a few GETs at once and use them without asking again (`Budget.takeSharedGet`, src/trakt/limits.ts).
 * All or none keeps the statement to one row version: the answer is read from the updated row, which
 * no longer holds the count before the take.
 */
export async function takeTraktGets(db: Db, key: string, limit: number, periodMs: number, count: number): Promise<GetLeaseRow> {
  const n = Math.max(1, Math.min(Math.floor(count), limit));
  // Granted when no hold is on and the window has room for all n (or has ended: a fresh one opens).
  // Refused: how long until both the hold and a used-up window have passed.
  const result = await db.execute(sql`
    with c as ${NOW}
    insert into trakt_limits as l (key, used, window_end, granted, touched_at)
    select ${key}, ${n}::int, c.now + ${Math.max(1, Math.round(periodMs))}::bigint, true, c.now from c
    on conflict (key) do update set
      granted = l.hold_until <= excluded.touched_at and (l.window_end <= excluded.touched_at or l.used + excluded.used <= ${limit}::int),
      used = case
        when l.hold_until > excluded.touched_at then l.used
        when l.window_end <= excluded.touched_at then excluded.used
        when l.used + excluded.used <= ${limit}::int then l.used + excluded.used
        else l.used end,
      window_end = case
        when l.hold_until > excluded.touched_at then l.window_end
        when l.window_end <= excluded.touched_at then excluded.window_end
        else l.window_end end,
      touched_at = excluded.touched_at
    returning l.granted, l.used, l.window_end - l.touched_at as window_ms,
      greatest(
        l.hold_until,
        case when l.used >= ${limit}::int and l.window_end > l.touched_at then l.window_end else 0 end
      ) - l.touched_at as wait_ms
  `);
  const row = rowsOf<{ granted: boolean; used: number; window_ms: string | number; wait_ms: string | number }>(result)[0];
  if (row === undefined) throw new Error('trakt_limits: no row returned');
  const remaining = Math.max(0, limit - Number(row.used));
  const windowEndsInMs = Math.max(0, Number(row.window_ms));
  if (row.granted) return { taken: n, retryInMs: 0, remaining, windowEndsInMs };
  const wait = Math.max(0, Number(row.wait_ms));
  // Not held and room left: only fewer fit. Otherwise never 0, so that a caller cannot spin.
  return { taken: 0, retryInMs: wait === 0 && remaining > 0 ? 0 : Math.max(1, wait), remaining, windowEndsInMs };
}

/**
 * Takes one GET from the window of `key` (`takeTraktGets` with a count of 1). Returns 0 when taken, else
 * the time until the window ends.
 */
export async function takeTraktGet(db: Db, key: string, limit: number, periodMs: number): Promise<number> {
  const lease = await takeTraktGets(db, key, limit, periodMs, 1);
  return lease.taken > 0 ? 0 : Math.max(1, lease.retryInMs);
}

/**
 * No GET of `key` leaves for `ms` from now (a 429's Retry-After); a longer hold already on is kept. The
 * hold is kept apart from the window: a hold of a second never stretches to the window's end, and an
 * X-Ratelimit read after it cannot turn it into one.
 */
export async function holdTraktGets(db: Db, key: string, ms: number, _limit: number): Promise<void> {
  await db.execute(sql`
    with c as ${NOW}
    insert into trakt_limits as l (key, hold_until, touched_at)
    select ${key}, c.now + ${Math.max(0, Math.ceil(ms))}::bigint, c.now from c
    on conflict (key) do update set
      hold_until = greatest(l.hold_until, excluded.hold_until),
      touched_at = excluded.touched_at
  `);
}

/**
 * What Trakt said of the GET window of `key`: it has counted `limit - remaining` GETs (the store keeps
 * the larger count: its own includes GETs still on their way), and the window ends in `untilInMs` (the
 * store's never ends sooner). A window the store saw end is opened again as Trakt describes it.
 */
export async function observeTraktGets(
  db: Db,
  key: string,
  limit: number,
  window: { remaining?: number | undefined; untilInMs?: number | undefined },
): Promise<void> {
  const counted = window.remaining === undefined ? null : Math.max(0, limit - Math.floor(window.remaining));
  const untilIn = window.untilInMs === undefined ? null : Math.max(0, Math.ceil(window.untilInMs));
  await db.execute(sql`
    with c as ${NOW}
    update trakt_limits as l set
      used = case
        when l.window_end > c.now then greatest(l.used, coalesce(${counted}::int, l.used))
        when ${untilIn}::bigint is not null then coalesce(${counted}::int, 0)
        else l.used end,
      window_end = case when ${untilIn}::bigint is null then l.window_end else greatest(l.window_end, c.now + ${untilIn}::bigint) end,
      touched_at = c.now
    from c
    where l.key = ${key}
  `);
}

/** The database's clock now, in milliseconds. */
export async function traktLimitsNow(db: Db): Promise<number> {
  const row = rowsOf<{ now: string | number }>(await db.execute(sql`select now from ${NOW} c`))[0];
  if (row === undefined) throw new Error('trakt_limits: no clock');
  return Number(row.now);
}

/** Deletes rows idle for `TRAKT_LIMITS_IDLE_MS` with nothing open; returns how many. */
export async function deleteIdleTraktLimits(db: Db): Promise<number> {
  const result = await db.execute(sql`
    with c as ${NOW}
    delete from trakt_limits as l using c
    where l.touched_at < c.now - ${TRAKT_LIMITS_IDLE_MS}::bigint
      and l.next_at < c.now and l.lease_until < c.now and l.window_end < c.now and l.hold_until < c.now
    returning l.key
  `);
  return rowsOf(result).length;
}

export interface ReleaseSignal {
  /** Settles with the news of the next release of the key (undefined when the listener stopped). */
  promise: Promise<WriteTurnNews | undefined>;
  cancel(): void;
}

function parseNews(payload: string | undefined): WriteTurnNews | undefined {
  if (payload === undefined) return undefined;
  try {
    const value = JSON.parse(payload) as { key?: unknown; holder?: unknown; sendAt?: unknown };
    if (typeof value.key !== 'string') return undefined;
    return {
      key: value.key,
      holder: typeof value.holder === 'string' ? value.holder : null,
      sendAt: Number(value.sendAt),
    };
  } catch {
    return undefined;
  }
}

/**
 * One connection per instance that LISTENs on `TRAKT_LIMITS_CHANNEL` and wakes this instance's waiters
 * of a key when another instance releases its write turn (a booked waiter learns the turn is its own
 * and when to send; the others ask again at once instead of at their next poll). While the connection is down (it is retried every 5 s) no
 * signals are given and waiters poll; when it drops, every waiter is woken to poll at once.
 */
function createReleaseListener(
  databaseUrl: string,
  onError: (error: unknown) => void,
): { signal(key: string): ReleaseSignal | undefined; close(): void } {
  const waiting = new Map<string, Set<(news: WriteTurnNews | undefined) => void>>();
  let connected: { end(): Promise<void> } | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const wakeAll = (): void => {
    for (const wakers of waiting.values()) for (const wake of [...wakers]) wake(undefined);
  };
  const lost = (client: { end(): Promise<void> }, error?: unknown): void => {
    if (connected !== client && connected !== undefined) return;
    connected = undefined;
    client.end().catch(() => undefined);
    if (error !== undefined) onError(error);
    wakeAll();
    if (!closed && retry === undefined) {
      retry = setTimeout(() => {
        retry = undefined;
        void connect();
      }, 5000);
      retry.unref();
    }
  };
  const connect = async (): Promise<void> => {
    // Loaded here, as src/db/client.ts does: a process on PGlite never loads node-postgres.
    const { default: pgModule } = await import('pg');
    const client = new pgModule.Client({ connectionString: databaseUrl });
    client.on('notification', (message) => {
      const news = parseNews(message.payload);
      const wakers = news === undefined ? undefined : waiting.get(news.key);
      if (wakers) for (const wake of [...wakers]) wake(news);
    });
    client.on('error', (error) => lost(client, error));
    client.on('end', () => lost(client));
    try {
      await client.connect();
      await client.query(`listen ${TRAKT_LIMITS_CHANNEL}`);
      if (closed) {
        await client.end();
        return;
      }
      connected = client;
    } catch (error) {
      lost(client, error);
    }
  };
  void connect();

  return {
    signal(key) {
      if (connected === undefined) return undefined;
      let wake = (_news: WriteTurnNews | undefined): void => undefined;
      const promise = new Promise<WriteTurnNews | undefined>((resolve) => {
        wake = resolve;
      });
      const wakers = waiting.get(key) ?? new Set();
      waiting.set(key, wakers);
      const waker = (news: WriteTurnNews | undefined): void => {
        cancel();
        wake(news);
      };
      const cancel = (): void => {
        wakers.delete(waker);
        if (wakers.size === 0 && waiting.get(key) === wakers) waiting.delete(key);
      };
      wakers.add(waker);
      return { promise, cancel };
    },
    close() {
      closed = true;
      clearTimeout(retry);
      const client = connected;
      connected = undefined;
        wakeAll();
      client?.end().catch(() => undefined);
    },
  };
}

export interface PgTraktLimitStore {
  acquireWrite(key: string, request: { token: string; leaseMs: number }): Promise<WriteTurnRow>;
  releaseWrite(key: string, token: string, nextAt: number, leaseMs: number): Promise<void>;
  renewWrite(key: string, token: string, leaseMs: number): Promise<void>;
  holdWrites(key: string, ms: number): Promise<void>;
  takeGets(key: string, spec: { limit: number; periodSeconds: number }, count: number): Promise<GetLeaseRow>;
  holdGets(key: string, ms: number, spec: { limit: number; periodSeconds: number }): Promise<void>;
  observeGets(key: string, spec: { limit: number; periodSeconds: number }, window: { remaining?: number; untilInMs?: number }): Promise<void>;
  now(): Promise<number>;
  releaseSignal(key: string): ReleaseSignal | undefined;
  /**
   * Stops the idle-row clean-up and the release listener, after the releases still on their way (a
   * stopping instance gives its turns back) have reached the database, or 2 s at most.
   */
  close(): Promise<void>;
}

export interface PgTraktLimitStoreOptions {
  /** The same database's URL: a connection of its own LISTENs for released write turns. Unset: waiters poll. */
  databaseUrl?: string;
  /** How often idle rows are deleted (default 10 min; every instance does, one cheap statement each). */
  sweepMs?: number;
  /** Told when the clean-up or the listener fails (both carry on). */
  onError?: (error: unknown) => void;
}

/** The shared limit store on `db` (Postgres with several instances). */
export function createPgTraktLimitStore(db: Db, options: PgTraktLimitStoreOptions = {}): PgTraktLimitStore {
  const onError = options.onError ?? (() => undefined);
  const sweeper = setInterval(() => {
    deleteIdleTraktLimits(db).catch(onError);
  }, options.sweepMs ?? 10 * 60_000);
  sweeper.unref();
  const listener = options.databaseUrl === undefined ? undefined : createReleaseListener(options.databaseUrl, onError);
  const pending = new Set<Promise<void>>();
  return {
    acquireWrite: (key, request) => acquireTraktWriteTurn(db, key, request),
    releaseWrite: (key, token, nextAt, leaseMs) => {
      const release = releaseTraktWriteTurn(db, key, token, nextAt, leaseMs);
      pending.add(release);
      void release.catch(() => undefined).finally(() => pending.delete(release));
      return release;
    },
    renewWrite: (key, token, leaseMs) => renewTraktWriteTurn(db, key, token, leaseMs),
    holdWrites: (key, ms) => holdTraktWrites(db, key, ms),
    takeGets: (key, spec, count) => takeTraktGets(db, key, spec.limit, spec.periodSeconds * 1000, count),
    holdGets: (key, ms, spec) => holdTraktGets(db, key, ms, spec.limit),
    observeGets: (key, spec, window) => observeTraktGets(db, key, spec.limit, window),
    now: () => traktLimitsNow(db),
    releaseSignal: (key) => listener?.signal(key),
    async close() {
      clearInterval(sweeper);
      const limit = new Promise<void>((resolve) => setTimeout(resolve, 2000).unref());
      await Promise.race([Promise.allSettled([...pending]), limit]);
      listener?.close();
    },
  };
}
