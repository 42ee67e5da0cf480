import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../client.js';
import { pickBallot, pickMembers, pickSessions, watchlistItems, type PickBallotRow, type PickMemberRow, type PickSessionRow } from '../schema.js';

/**
 * Group picks' storage. Races are settled here: one live session per chat (a partial unique index),
 * a vote is one single-row UPDATE whose WHERE checks membership, the cap and (under a share lock on the
 * session row) that voting is still open, and finishing a vote takes the session row's update lock, so
 * every vote is either counted before the close or refused after it.
 */

type Platform = PickSessionRow['platform'];
type Via = PickMemberRow['via'];

export async function openPickSession(
  db: Db,
  input: { token: string; platform: Platform; chatId: string; hostIdentityId: number; options: unknown },
): Promise<{ row: PickSessionRow; created: boolean }> {
  const [inserted] = await db
    .insert(pickSessions)
    .values({ token: input.token, platform: input.platform, chatId: input.chatId, hostIdentityId: input.hostIdentityId, options: input.options })
    .onConflictDoNothing()
    .returning();
  if (inserted !== undefined) return { row: inserted, created: true };
  const live = await livePickSession(db, input.platform, input.chatId);
  if (live === undefined) throw new Error('pick session neither created nor found');
  return { row: live, created: false };
}

export async function livePickSession(db: Db, platform: Platform, chatId: string): Promise<PickSessionRow | undefined> {
  const [row] = await db
    .select()
    .from(pickSessions)
    .where(and(eq(pickSessions.platform, platform), eq(pickSessions.chatId, chatId), inArray(pickSessions.status, ['gathering', 'voting'])))
    .limit(1);
  return row;
}

export async function pickSessionByToken(db: Db, token: string): Promise<PickSessionRow | undefined> {
  const [row] = await db.select().from(pickSessions).where(eq(pickSessions.token, token)).limit(1);
  return row;
}

export async function pickSessionById(db: Db, id: number): Promise<PickSessionRow | undefined> {
  const [row] = await db.select().from(pickSessions).where(eq(pickSessions.id, id)).limit(1);
  return row;
}

export async function setPickCard(db: Db, sessionId: number, messageId: string): Promise<void> {
  await db.update(pickSessions).set({ cardMessageId: messageId }).where(eq(pickSessions.id, sessionId));
}

export async function pickMembersOf(db: Db, sessionId: number): Promise<PickMemberRow[]> {
  return db
    .select()
    .from(pickMembers)
    .where(and(eq(pickMembers.sessionId, sessionId), isNull(pickMembers.leftAt)))
    .orderBy(asc(pickMembers.joinedAt), asc(pickMembers.identityId));
}

const LIVE = sql`(select status from ${pickSessions} where ${pickSessions.id} = ${pickMembers.sessionId}) in ('gathering', 'voting')`;

/** Joins a live session (again after leaving: no votes). False when the session is not live. */
export async function joinPickSession(
  db: Db,
  sessionId: number,
  member: { identityId: number; displayName: string; via: Via; traktUsername?: string },
): Promise<boolean> {
  const result = await db.execute(sql`
    insert into ${pickMembers} (session_id, identity_id, display_name, via, trakt_username)
    select ${sessionId}, ${member.identityId}, ${member.displayName}, ${member.via}, ${member.traktUsername ?? null}
    where exists (select 1 from ${pickSessions} where id = ${sessionId} and status in ('gathering', 'voting'))
    on conflict (session_id, identity_id) do update set
      display_name = excluded.display_name,
      via = excluded.via,
      trakt_username = excluded.trakt_username,
      approvals = case when ${pickMembers.leftAt} is null then ${pickMembers.approvals} else '{}'::integer[] end,
      joined_at = case when ${pickMembers.leftAt} is null then ${pickMembers.joinedAt} else now() end,
      left_at = null
    returning 1 as ok`);
  return rowsOf(result).length > 0;
}

export async function leavePickSession(db: Db, sessionId: number, identityId: number, now: Date): Promise<boolean> {
  const rows = await db
    .update(pickMembers)
    .set({ leftAt: now, approvals: [], notify: false })
    .where(and(eq(pickMembers.sessionId, sessionId), eq(pickMembers.identityId, identityId), isNull(pickMembers.leftAt), LIVE))
    .returning({ id: pickMembers.identityId });
  return rows.length > 0;
}

export async function setPickNotify(db: Db, sessionId: number, identityId: number, notify: boolean): Promise<boolean> {
  const rows = await db
    .update(pickMembers)
    .set({ notify })
    .where(and(eq(pickMembers.sessionId, sessionId), eq(pickMembers.identityId, identityId), isNull(pickMembers.leftAt)))
    .returning({ id: pickMembers.identityId });
  return rows.length > 0;
}

export async function promoteAwaitingMembers(db: Db, identityId: number): Promise<PickSessionRow[]> {
  const promoted = await db
    .update(pickMembers)
    .set({ via: 'linked' })
    .where(and(eq(pickMembers.identityId, identityId), eq(pickMembers.via, 'awaiting-link'), isNull(pickMembers.leftAt), LIVE))
    .returning({ sessionId: pickMembers.sessionId });
  if (promoted.length === 0) return [];
  return db
    .select()
    .from(pickSessions)
    .where(inArray(pickSessions.id, promoted.map((p) => p.sessionId)));
}

export async function pickBallotOf(db: Db, sessionId: number): Promise<PickBallotRow[]> {
  return db.select().from(pickBallot).where(eq(pickBallot.sessionId, sessionId)).orderBy(asc(pickBallot.position));
}

/** A nomination while the session gathers: the next position, unless the ballot is full or holds it. */
export async function nominatePick(
  db: Db,
  sessionId: number,
  item: { itemKey: string; title: unknown; identityId: number },
  maxSize: number,
): Promise<'nominated' | 'already' | 'full' | 'closed'> {
  return db.transaction(async (tx) => {
    // The session row's lock orders nominations (and the start of the vote) of one session.
    const locked = await tx.execute(sql`select status from ${pickSessions} where id = ${sessionId} for update`);
    if (rowsOf<{ status: string }>(locked)[0]?.status !== 'gathering') return 'closed';
    const existing = await tx.select({ itemKey: pickBallot.itemKey }).from(pickBallot).where(eq(pickBallot.sessionId, sessionId));
    if (existing.some((row) => row.itemKey === item.itemKey)) return 'already';
    if (existing.length >= maxSize) return 'full';
    await tx.insert(pickBallot).values({ sessionId, position: existing.length, itemKey: item.itemKey, title: item.title, wantedBy: 0, nominatedBy: item.identityId });
    return 'nominated';
  });
}

interface PoolRow {
  movie: boolean | string;
  trakt_id: number;
  wanted: number | string;
}

/**
 * The most wanted titles of these members' copies: a season or an episode counts for its show, each
 * member once per title. Filters apply to the title (genre, runtime, year). Ties by rating, then key.
 *
 * Counted in two hash aggregations (per member and title, then per title) on a boolean kind rather than
 * one `count(distinct identity_id)`, which sorts every row (100,000 for 20 members with 5,000 items,
 * spilling to disk) by a text key: p50 306 → 177 ms on PGlite for 20 members (bench/picks). The titles
 * are then read through `watchlist_items_trakt_idx` (under 1 ms) instead of every row of the members
 * (70-90 ms). Genre and runtime are read from `data` by path, only when a filter asks for them.
 */
export async function poolWatchlists(
  db: Db,
  query: { identityIds: number[]; types: Array<'movie' | 'show'>; genre?: string; maxRuntime?: number; yearFrom?: number; yearTo?: number; exclude: string[]; limit: number },
): Promise<Array<{ itemKey: string; wantedBy: number; target: unknown }>> {
  if (query.identityIds.length === 0 || query.limit <= 0 || query.types.length === 0) return [];
  const ids = sql.join(query.identityIds.map((id) => sql`${id}`), sql`, `);
  const types = new Set(query.types);
  const kinds = types.size === 2 ? sql`true` : types.has('movie') ? sql`type = 'movie'` : sql`type <> 'movie'`;
  const filters = [sql`true`];
  if (query.genre !== undefined) filters.push(sql`jsonb_exists(coalesce(genres, '[]'::jsonb), ${query.genre})`);
  if (query.maxRuntime !== undefined) filters.push(sql`runtime is not null and runtime::numeric <= ${query.maxRuntime}`);
  if (query.yearFrom !== undefined) filters.push(sql`year >= ${query.yearFrom}`);
  if (query.yearTo !== undefined) filters.push(sql`year <= ${query.yearTo}`);
  const exclude =
    query.exclude.length === 0
      ? sql`true`
      : sql`((case when movie then 'movie' else 'show' end) || ':' || trakt_id) not in (${sql.join(query.exclude.map((k) => sql`${k}`), sql`, `)})`;
  const result = await db.execute(sql`
    with items as (
      select identity_id, trakt_id, year, rating, type = 'movie' as movie,
        case when type in ('movie', 'show') then data #> '{target,title,genres}' else data #> '{target,show,genres}' end as genres,
        case when type in ('movie', 'show') then data #>> '{target,title,runtime}' else data #>> '{target,show,runtime}' end as runtime
      from ${watchlistItems}
      where identity_id in (${ids}) and ${kinds}
    ),
    per_member as (
      select identity_id, movie, trakt_id, max(rating) as rating
      from items
      where ${sql.join(filters, sql` and `)}
      group by identity_id, movie, trakt_id
    )
    select movie, trakt_id, count(*) as wanted
    from per_member
    where ${exclude}
    group by movie, trakt_id
    order by count(*) desc, max(rating) desc nulls last, movie desc, trakt_id
    limit ${query.limit}`);
  const top = rowsOf<PoolRow>(result);
  if (top.length === 0) return [];
  // The titles themselves: a movie's or show's own row when a member has one, else a season's or episode's show.
  const rows = await db
    .select({ type: watchlistItems.type, traktId: watchlistItems.traktId, data: watchlistItems.data })
    .from(watchlistItems)
    .where(and(inArray(watchlistItems.identityId, query.identityIds), inArray(watchlistItems.traktId, [...new Set(top.map((r) => Number(r.trakt_id)))])));
  const titles = new Map<string, unknown>();
  for (const row of rows) {
    const kind = row.type === 'movie' ? 'movie' : 'show';
    const key = `${kind}:${row.traktId}`;
    const target = (row.data as { target: { title?: unknown; show?: unknown } }).target;
    const own = row.type === 'movie' || row.type === 'show';
    if (own || !titles.has(key)) titles.set(key, own ? target.title : target.show);
  }
  return top.flatMap((row) => {
    const itemKey = `${row.movie === true || row.movie === 't' ? 'movie' : 'show'}:${Number(row.trakt_id)}`;
    const title = titles.get(itemKey);
    return title === undefined ? [] : [{ itemKey, wantedBy: Number(row.wanted), target: title }];
  });
}

/** How many of these members want each title (a season or an episode counting for its show). */
export async function wantedCounts(db: Db, identityIds: number[], itemKeys: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (identityIds.length === 0 || itemKeys.length === 0) return counts;
  const result = await db.execute(sql`
    select case when type = 'movie' then 'movie' else 'show' end || ':' || trakt_id as key, count(distinct identity_id) as n
    from ${watchlistItems}
    where identity_id in (${sql.join(identityIds.map((id) => sql`${id}`), sql`, `)})
      and (case when type = 'movie' then 'movie' else 'show' end || ':' || trakt_id) in (${sql.join(itemKeys.map((k) => sql`${k}`), sql`, `)})
    group by 1`);
  for (const row of rowsOf<{ key: string; n: number | string }>(result)) counts.set(row.key, Number(row.n));
  return counts;
}

/** Gathering → voting: the pooled titles follow the nominations; nominations get their wanted-by counts. */
export async function startPickVote(
  db: Db,
  sessionId: number,
  input: { pooled: Array<{ itemKey: string; title: unknown; wantedBy: number }>; nominatedWanted: Map<string, number>; cap: number; deadline: Date; pool: unknown; now: Date },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const started = await tx
      .update(pickSessions)
      .set({ status: 'voting', cap: input.cap, deadline: input.deadline, pool: input.pool, startedAt: input.now })
      .where(and(eq(pickSessions.id, sessionId), eq(pickSessions.status, 'gathering')))
      .returning({ id: pickSessions.id });
    if (started.length === 0) return false;
    const nominated = await tx.select().from(pickBallot).where(eq(pickBallot.sessionId, sessionId));
    for (const row of nominated) {
      const wanted = input.nominatedWanted.get(row.itemKey) ?? 0;
      if (wanted !== row.wantedBy) {
        await tx.update(pickBallot).set({ wantedBy: wanted }).where(and(eq(pickBallot.sessionId, sessionId), eq(pickBallot.position, row.position)));
      }
    }
    const taken = new Set(nominated.map((row) => row.itemKey));
    const added = input.pooled.filter((item) => !taken.has(item.itemKey));
    if (added.length > 0) {
      await tx.insert(pickBallot).values(added.map((item, i) => ({ sessionId, position: nominated.length + i, itemKey: item.itemKey, title: item.title, wantedBy: item.wantedBy })));
    }
    return true;
  });
}

type VoteResult = { ok: true; approvals: number[] } | { ok: false; reason: 'not-member' | 'cap' | 'closed' | 'no-such-title' };

/**
 * One statement: the member's approvals change only while the session votes (its row share-locked,
 * so a close waits for this vote or this vote sees the close), only within the cap, and only for a
 * position on the ballot. Concurrent votes of different members touch different rows.
 */
async function updateVotes(db: Db, sessionId: number, identityId: number, next: ReturnType<typeof sql>, guard: ReturnType<typeof sql>): Promise<VoteResult> {
  const result = await db.execute(sql`
    update ${pickMembers} m set approvals = ${next}
    from (select id, cap from ${pickSessions} where id = ${sessionId} and status = 'voting' for share) s
    where m.session_id = s.id and m.identity_id = ${identityId} and m.left_at is null and m.via <> 'awaiting-link' and ${guard}
    returning m.approvals as approvals`);
  const [row] = rowsOf<{ approvals: number[] | string }>(result);
  if (row !== undefined) return { ok: true, approvals: parseIntArray(row.approvals) };
  // Why not: read once (the answer is only advice; the statement above decided).
  const [session] = await db.select({ status: pickSessions.status }).from(pickSessions).where(eq(pickSessions.id, sessionId)).limit(1);
  if (session?.status !== 'voting') return { ok: false, reason: 'closed' };
  const [member] = await db
    .select({ via: pickMembers.via })
    .from(pickMembers)
    .where(and(eq(pickMembers.sessionId, sessionId), eq(pickMembers.identityId, identityId), isNull(pickMembers.leftAt)))
    .limit(1);
  if (member === undefined || member.via === 'awaiting-link') return { ok: false, reason: 'not-member' };
  return { ok: false, reason: 'cap' };
}

function parseIntArray(value: number[] | string): number[] {
  if (Array.isArray(value)) return value.map(Number);
  const inner = value.replace(/^\{|\}$/g, '').trim();
  return inner === '' ? [] : inner.split(',').map(Number);
}

async function onBallot(db: Db, sessionId: number, positions: number[]): Promise<boolean> {
  if (positions.length === 0) return true;
  const rows = await db
    .select({ position: pickBallot.position })
    .from(pickBallot)
    .where(and(eq(pickBallot.sessionId, sessionId), inArray(pickBallot.position, positions)));
  return rows.length === new Set(positions).size;
}

export async function togglePickVote(db: Db, sessionId: number, identityId: number, position: number): Promise<VoteResult> {
  if (!(await onBallot(db, sessionId, [position]))) return { ok: false, reason: 'no-such-title' };
  const next = sql`case when ${position}::integer = any(m.approvals) then array_remove(m.approvals, ${position}::integer) else array_append(m.approvals, ${position}::integer) end`;
  const guard = sql`(${position}::integer = any(m.approvals) or cardinality(m.approvals) < s.cap)`;
  return updateVotes(db, sessionId, identityId, next, guard);
}

export async function setPickVotes(db: Db, sessionId: number, identityId: number, positions: number[]): Promise<VoteResult> {
  const unique = [...new Set(positions)].sort((a, b) => a - b);
  if (!(await onBallot(db, sessionId, unique))) return { ok: false, reason: 'no-such-title' };
  const array = sql`array[${sql.join(unique.map((p) => sql`${p}::integer`), sql`, `)}]::integer[]`;
  const next = unique.length === 0 ? sql`'{}'::integer[]` : array;
  return updateVotes(db, sessionId, identityId, next, sql`${unique.length} <= s.cap`);
}

/** Ends a live session; true for exactly one caller. */
export async function finishPickSession(db: Db, sessionId: number, status: 'closed' | 'cancelled', closedBy: string, now: Date): Promise<boolean> {
  const from: Array<PickSessionRow['status']> = status === 'closed' ? ['voting'] : ['gathering', 'voting'];
  const rows = await db
    .update(pickSessions)
    .set({ status, closedBy, closedAt: now })
    .where(and(eq(pickSessions.id, sessionId), inArray(pickSessions.status, from)))
    .returning({ id: pickSessions.id });
  return rows.length > 0;
}

export async function savePickResult(db: Db, sessionId: number, result: unknown): Promise<boolean> {
  const rows = await db
    .update(pickSessions)
    .set({ result })
    .where(and(eq(pickSessions.id, sessionId), isNull(pickSessions.result)))
    .returning({ id: pickSessions.id });
  return rows.length > 0;
}

export async function pickHistory(db: Db, platform: Platform, chatId: string, limit: number): Promise<PickSessionRow[]> {
  return db
    .select()
    .from(pickSessions)
    .where(and(eq(pickSessions.platform, platform), eq(pickSessions.chatId, chatId), eq(pickSessions.status, 'closed'), isNotNull(pickSessions.closedAt)))
    .orderBy(desc(pickSessions.closedAt))
    .limit(limit);
}

export async function recentPickWinners(db: Db, platform: Platform, chatId: string, since: Date): Promise<string[]> {
  const rows = await db
    .select({ result: pickSessions.result })
    .from(pickSessions)
    .where(and(eq(pickSessions.platform, platform), eq(pickSessions.chatId, chatId), eq(pickSessions.status, 'closed'), gte(pickSessions.closedAt, since)));
  return rows.flatMap((row) => {
    const result = row.result as { kind?: string; itemKey?: string } | null;
    return result?.kind === 'winner' && typeof result.itemKey === 'string' ? [result.itemKey] : [];
  });
}
