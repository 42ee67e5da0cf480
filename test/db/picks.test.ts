import { randomBytes, randomInt } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { tallyOf } from '../../src/bot/core/picks/model.js';
import type { Database } from '../../src/db/client.js';
import {
  finishPickSession,
  joinPickSession,
  leavePickSession,
  livePickSession,
  nominatePick,
  openPickSession,
  pickBallotOf,
  pickHistory,
  pickMembersOf,
  pickSessionById,
  poolWatchlists,
  promoteAwaitingMembers,
  recentPickWinners,
  savePickResult,
  setPickVotes,
  startPickVote,
  togglePickVote,
  wantedCounts,
} from '../../src/db/queries/picks.js';
import { replaceWatchlistItems, type WatchlistItemInput } from '../../src/db/queries/watchlist-copy.js';
import type { PickMemberRow } from '../../src/db/schema.js';
import type { Title } from '../../src/domain/media.js';
import { targetKey, titleOf, type Target } from '../../src/domain/target.js';
import { DRIVER_NAME, sharedTestDatabase, newTestIdentity } from '../helpers/db.js';

/** Group picks' storage on the real database: the races it settles and the pool it builds. */
let database: Database;
beforeAll(async () => {
  database = await sharedTestDatabase();
});

const identity = (): Promise<number> => newTestIdentity(database.db);

async function identities(n: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i += 1) ids.push(await identity());
  return ids;
}

function chat(): string {
  return `-100${randomInt(1, 2 ** 40)}`;
}

function token(): string {
  return randomBytes(6).toString('hex');
}

const OPTIONS = { types: ['movie', 'show'], ballotSize: 8, votingMs: 600_000 };

async function openSession(chatId = chat(), host?: number): Promise<{ id: number; token: string; chatId: string; host: number }> {
  const hostId = host ?? (await identity());
  const opened = await openPickSession(database.db, { token: token(), platform: 'telegram', chatId, hostIdentityId: hostId, options: OPTIONS });
  expect(opened.created).toBe(true);
  return { id: opened.row.id, token: opened.row.token, chatId, host: hostId };
}

function movie(trakt: number, extra: Partial<Title> = {}): Title {
  return { type: 'movie', ids: { trakt }, title: `Movie ${trakt}`, year: 2000, posterUrl: null, ...extra };
}

function show(trakt: number, extra: Partial<Title> = {}): Title {
  return { type: 'show', ids: { trakt }, title: `Show ${trakt}`, year: 2010, posterUrl: null, ...extra };
}

function pooled(n: number): Array<{ itemKey: string; title: Title; wantedBy: number }> {
  return Array.from({ length: n }, (_, i) => ({ itemKey: `movie:${9000 + i}`, title: movie(9000 + i), wantedBy: 1 }));
}

/** A session in its vote: `members` joined (linked), a ballot of `size`, the given cap. */
async function votingSession(options: { members: number; size: number; cap: number }): Promise<{ id: number; chatId: string; members: number[] }> {
  const session = await openSession();
  const members = await identities(options.members);
  for (const [i, id] of members.entries()) expect(await joinPickSession(database.db, session.id, { identityId: id, displayName: `m${i}`, via: 'linked' })).toBe(true);
  const started = await startPickVote(database.db, session.id, {
    pooled: pooled(options.size),
    nominatedWanted: new Map(),
    cap: options.cap,
    deadline: new Date(Date.now() + 600_000),
    pool: { members: options.members, stale: [] },
    now: new Date(),
  });
  expect(started).toBe(true);
  return { id: session.id, chatId: session.chatId, members };
}

function approvalsOf(members: PickMemberRow[], identityId: number): number[] {
  const found = members.find((m) => m.identityId === identityId);
  if (found === undefined) throw new Error(`member ${identityId} not found`);
  return [...found.approvals].sort((a, b) => a - b);
}

function row(target: Target, listedAt = new Date('2024-01-01T00:00:00Z')): WatchlistItemInput {
  const title = titleOf(target);
  return {
    itemKey: targetKey(target),
    type: target.kind,
    traktId: title.ids.trakt,
    title: title.title,
    sortTitle: title.title.toLowerCase(),
    year: title.year,
    rating: title.rating ?? null,
    listedAt,
    rank: null,
    data: { target },
  };
}

async function watchlist(identityId: number, targets: Target[]): Promise<void> {
  await replaceWatchlistItems(database.db, identityId, targets.map((t) => row(t)), null, new Date());
}

describe(`group pick sessions (${DRIVER_NAME})`, () => {
  it('GIVEN two /pick in one chat at once THEN one session is created and the other caller gets it; once it ends a new one may open', async () => {
    const chatId = chat();
    const [a, b] = await identities(2);
    const input = (host: number) => ({ token: token(), platform: 'telegram' as const, chatId, hostIdentityId: host, options: OPTIONS });
    const both = await Promise.all([openPickSession(database.db, input(a as number)), openPickSession(database.db, input(b as number))]);
    expect(both.filter((o) => o.created)).toHaveLength(1);
    expect(both[0].row.id).toBe(both[1].row.id);
    expect(both[0].row.token).toBe(both[1].row.token);
    expect((await livePickSession(database.db, 'telegram', chatId))?.id).toBe(both[0].row.id);
    // Another platform's chat with the same id is another chat.
    const discord = await openPickSession(database.db, { ...input(a as number), platform: 'discord' });
    expect(discord.created).toBe(true);
    expect(discord.row.id).not.toBe(both[0].row.id);

    const five = await Promise.all(Array.from({ length: 5 }, () => openPickSession(database.db, input(a as number))));
    expect(five.filter((o) => o.created)).toHaveLength(0);
    expect(new Set(five.map((o) => o.row.id))).toEqual(new Set([both[0].row.id]));

    expect(await finishPickSession(database.db, both[0].row.id, 'cancelled', 'host', new Date())).toBe(true);
    expect(await livePickSession(database.db, 'telegram', chatId)).toBeUndefined();
    const next = await openPickSession(database.db, input(b as number));
    expect(next.created).toBe(true);
    expect(next.row.id).not.toBe(both[0].row.id);
    expect(next.row.status).toBe('gathering');
  });

  it('GIVEN a member WHEN they leave after voting and join again THEN their votes are withdrawn and they start with none; joining twice keeps them', async () => {
    const session = await votingSession({ members: 2, size: 6, cap: 2 });
    const [alice, bob] = session.members as [number, number];
    expect(await setPickVotes(database.db, session.id, alice, [0, 3])).toEqual({ ok: true, approvals: [0, 3] });
    expect(await setPickVotes(database.db, session.id, bob, [3])).toEqual({ ok: true, approvals: [3] });

    // Joining again without leaving (a second press of Join) keeps the votes and the join time.
    const before = await pickMembersOf(database.db, session.id);
    expect(await joinPickSession(database.db, session.id, { identityId: alice, displayName: 'Alice again', via: 'linked' })).toBe(true);
    const again = await pickMembersOf(database.db, session.id);
    expect(approvalsOf(again, alice)).toEqual([0, 3]);
    expect(again.find((m) => m.identityId === alice)?.joinedAt).toEqual(before.find((m) => m.identityId === alice)?.joinedAt);
    expect(again.find((m) => m.identityId === alice)?.displayName).toBe('Alice again');

    expect(await leavePickSession(database.db, session.id, alice, new Date())).toBe(true);
    expect(await leavePickSession(database.db, session.id, alice, new Date())).toBe(false);
    const left = await pickMembersOf(database.db, session.id);
    expect(left.map((m) => m.identityId)).toEqual([bob]);
    expect([...tallyOf(left.map((m) => ({ approvals: m.approvals, via: m.via })))]).toEqual([[3, 1]]);
    // Votes of someone who left are refused.
    expect(await togglePickVote(database.db, session.id, alice, 1)).toEqual({ ok: false, reason: 'not-member' });

    expect(await joinPickSession(database.db, session.id, { identityId: alice, displayName: 'Alice', via: 'public', traktUsername: 'alice' })).toBe(true);
    const rejoined = await pickMembersOf(database.db, session.id);
    expect(approvalsOf(rejoined, alice)).toEqual([]);
    expect(rejoined.find((m) => m.identityId === alice)).toMatchObject({ via: 'public', traktUsername: 'alice', leftAt: null });
    expect(rejoined.map((m) => m.identityId)).toEqual([bob, alice]);
    expect(await togglePickVote(database.db, session.id, alice, 1)).toEqual({ ok: true, approvals: [1] });

    expect(await finishPickSession(database.db, session.id, 'closed', 'deadline', new Date())).toBe(true);
    const stranger = await identity();
    expect(await joinPickSession(database.db, session.id, { identityId: stranger, displayName: 'late', via: 'linked' })).toBe(false);
    expect(await leavePickSession(database.db, session.id, bob, new Date())).toBe(false);
    expect(approvalsOf(await pickMembersOf(database.db, session.id), bob)).toEqual([3]);
  });

  it('GIVEN an awaiting-link member THEN they cannot vote until promoted, and promotion touches only live sessions', async () => {
    const session = await votingSession({ members: 1, size: 3, cap: 1 });
    const waiting = await identity();
    expect(await joinPickSession(database.db, session.id, { identityId: waiting, displayName: 'w', via: 'awaiting-link' })).toBe(true);
    expect(await togglePickVote(database.db, session.id, waiting, 0)).toEqual({ ok: false, reason: 'not-member' });
    const other = await openSession();
    expect(await joinPickSession(database.db, other.id, { identityId: waiting, displayName: 'w', via: 'awaiting-link' })).toBe(true);
    expect(await finishPickSession(database.db, other.id, 'cancelled', 'host', new Date())).toBe(true);
    const promoted = await promoteAwaitingMembers(database.db, waiting);
    expect(promoted.map((s) => s.id)).toEqual([session.id]);
    expect(await togglePickVote(database.db, session.id, waiting, 0)).toEqual({ ok: true, approvals: [0] });
    expect(await promoteAwaitingMembers(database.db, waiting)).toEqual([]);
  });

  it('GIVEN a cap of 2 THEN toggles add and remove within it; beyond the cap, off the ballot, by a stranger or before the vote they are refused', async () => {
    const session = await votingSession({ members: 1, size: 5, cap: 2 });
    const member = session.members[0] as number;
    expect(await togglePickVote(database.db, session.id, member, 0)).toEqual({ ok: true, approvals: [0] });
    expect(await togglePickVote(database.db, session.id, member, 4)).toEqual({ ok: true, approvals: [0, 4] });
    expect(await togglePickVote(database.db, session.id, member, 2)).toEqual({ ok: false, reason: 'cap' });
    expect(await togglePickVote(database.db, session.id, member, 0)).toEqual({ ok: true, approvals: [4] });
    expect(await togglePickVote(database.db, session.id, member, 2)).toEqual({ ok: true, approvals: [4, 2] });
    expect(await togglePickVote(database.db, session.id, member, 5)).toEqual({ ok: false, reason: 'no-such-title' });
    expect(await togglePickVote(database.db, session.id, member, -1)).toEqual({ ok: false, reason: 'no-such-title' });
    expect(await togglePickVote(database.db, session.id, await identity(), 1)).toEqual({ ok: false, reason: 'not-member' });
    expect(approvalsOf(await pickMembersOf(database.db, session.id), member)).toEqual([2, 4]);

    const gathering = await openSession();
    const early = await identity();
    await joinPickSession(database.db, gathering.id, { identityId: early, displayName: 'e', via: 'linked' });
    expect(await nominatePick(database.db, gathering.id, { itemKey: 'movie:1', title: movie(1), identityId: early }, 8)).toBe('nominated');
    expect(await togglePickVote(database.db, gathering.id, early, 0)).toEqual({ ok: false, reason: 'closed' });
  });

  it('GIVEN 20 members voting at once THEN every vote is counted exactly once; and again when they all change their votes at once', async () => {
    const session = await votingSession({ members: 20, size: 6, cap: 2 });
    const results = await Promise.all(session.members.map((id, i) => togglePickVote(database.db, session.id, id, i % 6)));
    expect(results.every((r) => r.ok)).toBe(true);
    let members = await pickMembersOf(database.db, session.id);
    expect(members).toHaveLength(20);
    for (const [i, id] of session.members.entries()) expect(approvalsOf(members, id)).toEqual([i % 6]);
    let tally = tallyOf(members.map((m) => ({ approvals: m.approvals, via: m.via })));
    expect([0, 1, 2, 3, 4, 5].map((p) => tally.get(p) ?? 0)).toEqual([4, 4, 3, 3, 3, 3]);

    const changed = await Promise.all(session.members.map((id) => setPickVotes(database.db, session.id, id, [5, 1])));
    expect(changed.every((r) => r.ok && r.approvals.join() === '1,5')).toBe(true);
    members = await pickMembersOf(database.db, session.id);
    tally = tallyOf(members.map((m) => ({ approvals: m.approvals, via: m.via })));
    expect([...tally.entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [1, 20],
      [5, 20],
    ]);
  });

  it('GIVEN a cap of 1 WHEN one member presses two titles at once THEN exactly one approval is stored', async () => {
    const session = await votingSession({ members: 1, size: 4, cap: 1 });
    const member = session.members[0] as number;
    for (let round = 0; round < 5; round += 1) {
      const [a, b] = await Promise.all([togglePickVote(database.db, session.id, member, 1), togglePickVote(database.db, session.id, member, 2)]);
      const stored = approvalsOf(await pickMembersOf(database.db, session.id), member);
      expect(stored).toHaveLength(1);
      expect([a, b].filter((r) => r.ok)).toHaveLength(1);
      expect([a, b].filter((r) => !r.ok)).toEqual([{ ok: false, reason: 'cap' }]);
      // Clear for the next round.
      expect(await setPickVotes(database.db, session.id, member, [])).toEqual({ ok: true, approvals: [] });
    }
    // Many presses at once of several titles and of the same one: the cap holds.
    await Promise.all([0, 1, 2, 3, 0, 1, 2, 3].map((p) => togglePickVote(database.db, session.id, member, p)));
    expect(approvalsOf(await pickMembersOf(database.db, session.id), member).length).toBeLessThanOrEqual(1);
  });

  it('GIVEN setPickVotes THEN it replaces the approvals, drops duplicates, refuses over the cap and positions not on the ballot, and clears with none', async () => {
    const session = await votingSession({ members: 1, size: 6, cap: 2 });
    const member = session.members[0] as number;
    expect(await setPickVotes(database.db, session.id, member, [3, 1])).toEqual({ ok: true, approvals: [1, 3] });
    expect(await setPickVotes(database.db, session.id, member, [5])).toEqual({ ok: true, approvals: [5] });
    expect(await setPickVotes(database.db, session.id, member, [2, 2, 2])).toEqual({ ok: true, approvals: [2] });
    expect(await setPickVotes(database.db, session.id, member, [0, 1, 2])).toEqual({ ok: false, reason: 'cap' });
    expect(await setPickVotes(database.db, session.id, member, [0, 6])).toEqual({ ok: false, reason: 'no-such-title' });
    expect(await setPickVotes(database.db, session.id, member, [0, -1])).toEqual({ ok: false, reason: 'no-such-title' });
    expect(approvalsOf(await pickMembersOf(database.db, session.id), member)).toEqual([2]);
    expect(await setPickVotes(database.db, session.id, member, [])).toEqual({ ok: true, approvals: [] });
    expect(await setPickVotes(database.db, session.id, await identity(), [1])).toEqual({ ok: false, reason: 'not-member' });
  });

  it('GIVEN votes racing the close THEN every vote that returned ok is in the tally the closer reads right after closing, refused ones say closed, and later votes are closed', async () => {
    for (let round = 0; round < 4; round += 1) {
      const session = await votingSession({ members: 20, size: 6, cap: 1 });
      const votes = session.members.map((id, i) => ({ id, position: i % 6 }));
      const vote = (v: { id: number; position: number }, i: number) =>
        i % 2 === 0 ? setPickVotes(database.db, session.id, v.id, [v.position]) : togglePickVote(database.db, session.id, v.id, v.position);
      // 14 members vote; when the 6th of their votes has returned, two closers and the other 6 members' votes set off.
      let returned = 0;
      const beforeClose: Array<Awaited<ReturnType<typeof vote>>> = [];
      let closing: Promise<Array<PickMemberRow[] | null>> | undefined;
      // The winning closer reads the members at once, as the session does to count the result.
      const close = (by: string) =>
        finishPickSession(database.db, session.id, 'closed', by, new Date()).then((won) => (won ? pickMembersOf(database.db, session.id) : null));
      let late: Array<Promise<Awaited<ReturnType<typeof vote>>>> = [];
      const early = votes.slice(0, 14).map((v, i) =>
        vote(v, i).then((result) => {
          returned += 1;
          if (returned <= 6) beforeClose.push(result);
          if (returned === 6) {
            closing = Promise.all([close('host'), close('deadline')]);
            late = votes.slice(14).map((v2, j) => vote(v2, j));
          }
          return result;
        }),
      );
      const earlyResults = await Promise.all(early);
      const results = [...earlyResults, ...(await Promise.all(late))];
      const closed = await (closing as Promise<Array<PickMemberRow[] | null>>);
      const winners = closed.filter((c): c is PickMemberRow[] => c !== null);
      expect(winners).toHaveLength(1);
      const members = winners[0] as PickMemberRow[];
      // Votes that had returned before the close set off were all counted; the others raced it.
      expect(beforeClose).toHaveLength(6);
      expect(beforeClose.every((r) => r.ok)).toBe(true);
      for (const [i, result] of results.entries()) {
        const vote = votes[i] as { id: number; position: number };
        if (result.ok) {
          expect(result.approvals).toEqual([vote.position]);
          expect(approvalsOf(members, vote.id)).toEqual([vote.position]);
        } else {
          expect(result).toEqual({ ok: false, reason: 'closed' });
          expect(approvalsOf(members, vote.id)).toEqual([]);
        }
      }
      const tally = tallyOf(members.map((m) => ({ approvals: m.approvals, via: m.via })));
      expect([...tally.values()].reduce((a, b) => a + b, 0)).toBe(results.filter((r) => r.ok).length);

      const after = await Promise.all(session.members.slice(0, 3).map((id) => togglePickVote(database.db, session.id, id, 5)));
      expect(after).toEqual(Array.from({ length: 3 }, () => ({ ok: false, reason: 'closed' })));
      expect(await setPickVotes(database.db, session.id, session.members[0] as number, [])).toEqual({ ok: false, reason: 'closed' });
      expect(await pickMembersOf(database.db, session.id)).toEqual(members);
    }
  });

  it('GIVEN finishing THEN close needs a vote, cancel takes gathering or voting, and each is true for one caller only', async () => {
    const gathering = await openSession();
    expect(await finishPickSession(database.db, gathering.id, 'closed', 'host', new Date())).toBe(false);
    const at = new Date('2026-01-02T03:04:05Z');
    const cancels = await Promise.all([0, 1, 2].map(() => finishPickSession(database.db, gathering.id, 'cancelled', 'host', at)));
    expect(cancels.filter(Boolean)).toHaveLength(1);
    expect(await pickSessionById(database.db, gathering.id)).toMatchObject({ status: 'cancelled', closedBy: 'host', closedAt: at });
    expect(await finishPickSession(database.db, gathering.id, 'closed', 'host', new Date())).toBe(false);
  });

  it('GIVEN nominations THEN they take the next positions in order; a repeat is already, a full ballot is full, and once voting they are closed', async () => {
    const session = await openSession();
    const by = session.host;
    const nominate = (trakt: number, max = 3) => nominatePick(database.db, session.id, { itemKey: `movie:${trakt}`, title: movie(trakt), identityId: by }, max);
    expect(await nominate(11)).toBe('nominated');
    expect(await nominate(12)).toBe('nominated');
    expect(await nominate(11)).toBe('already');
    expect(await nominate(13)).toBe('nominated');
    expect(await nominate(14)).toBe('full');
    expect(await nominate(13)).toBe('already');
    const ballot = await pickBallotOf(database.db, session.id);
    expect(ballot.map((b) => [b.position, b.itemKey, b.nominatedBy, b.wantedBy])).toEqual([
      [0, 'movie:11', by, 0],
      [1, 'movie:12', by, 0],
      [2, 'movie:13', by, 0],
    ]);
    expect(ballot[0]?.title).toEqual(movie(11));

    // Several at once: the lock orders them, positions stay dense and the size holds.
    const racing = await openSession();
    const raced = await Promise.all([21, 22, 23, 24, 25, 21].map((t) => nominatePick(database.db, racing.id, { itemKey: `movie:${t}`, title: movie(t), identityId: by }, 4)));
    expect(raced.filter((r) => r === 'nominated')).toHaveLength(4);
    const racedBallot = await pickBallotOf(database.db, racing.id);
    expect(racedBallot.map((b) => b.position)).toEqual([0, 1, 2, 3]);
    expect(new Set(racedBallot.map((b) => b.itemKey)).size).toBe(4);

    expect(await startPickVote(database.db, session.id, { pooled: [], nominatedWanted: new Map(), cap: 1, deadline: new Date(), pool: null, now: new Date() })).toBe(true);
    expect(await nominate(15, 8)).toBe('closed');
    const cancelled = await openSession();
    await finishPickSession(database.db, cancelled.id, 'cancelled', 'host', new Date());
    expect(await nominatePick(database.db, cancelled.id, { itemKey: 'movie:1', title: movie(1), identityId: by }, 8)).toBe('closed');
  });

  it('GIVEN nominations WHEN the vote starts THEN pooled titles follow them (skipping those nominated), nominations get their wanted-by, and a second start is refused', async () => {
    const session = await openSession();
    const by = session.host;
    await nominatePick(database.db, session.id, { itemKey: 'show:50', title: show(50), identityId: by }, 8);
    await nominatePick(database.db, session.id, { itemKey: 'movie:51', title: movie(51), identityId: by }, 8);
    const deadline = new Date('2026-05-01T20:00:00Z');
    const now = new Date('2026-05-01T19:50:00Z');
    const input = {
      pooled: [
        { itemKey: 'movie:60', title: movie(60), wantedBy: 3 },
        { itemKey: 'movie:51', title: movie(51), wantedBy: 2 },
        { itemKey: 'show:61', title: show(61), wantedBy: 2 },
      ],
      nominatedWanted: new Map([['show:50', 1]]),
      cap: 2,
      deadline,
      pool: { members: 3, stale: [] },
      now,
    };
    const starts = await Promise.all([startPickVote(database.db, session.id, input), startPickVote(database.db, session.id, input)]);
    expect(starts.filter(Boolean)).toHaveLength(1);
    const ballot = await pickBallotOf(database.db, session.id);
    expect(ballot.map((b) => [b.position, b.itemKey, b.wantedBy, b.nominatedBy])).toEqual([
      [0, 'show:50', 1, by],
      [1, 'movie:51', 0, by],
      [2, 'movie:60', 3, null],
      [3, 'show:61', 2, null],
    ]);
    expect(ballot[3]?.title).toEqual(show(61));
    expect(await pickSessionById(database.db, session.id)).toMatchObject({ status: 'voting', cap: 2, deadline, startedAt: now, pool: { members: 3, stale: [] } });
    expect(await startPickVote(database.db, session.id, input)).toBe(false);
    expect(await pickBallotOf(database.db, session.id)).toHaveLength(4);
  });

  it('GIVEN a result THEN it is saved once', async () => {
    const session = await votingSession({ members: 1, size: 2, cap: 1 });
    await finishPickSession(database.db, session.id, 'closed', 'host', new Date());
    const first = { kind: 'no-votes', members: 1 };
    const saves = await Promise.all([savePickResult(database.db, session.id, first), savePickResult(database.db, session.id, { kind: 'winner', itemKey: 'movie:9000' })]);
    expect(saves.filter(Boolean)).toHaveLength(1);
    const stored = (await pickSessionById(database.db, session.id))?.result;
    expect(await savePickResult(database.db, session.id, { kind: 'other' })).toBe(false);
    expect((await pickSessionById(database.db, session.id))?.result).toEqual(stored);
  });

  it('GIVEN closed, cancelled and live sessions in chats THEN the history lists the chat’s closed ones newest first, and recent winners only winners since the date', async () => {
    const chatId = chat();
    const host = await identity();
    const closeAt = async (at: string, result: unknown, status: 'closed' | 'cancelled' = 'closed'): Promise<number> => {
      const opened = await openPickSession(database.db, { token: token(), platform: 'telegram', chatId, hostIdentityId: host, options: OPTIONS });
      if (status === 'closed') await startPickVote(database.db, opened.row.id, { pooled: pooled(2), nominatedWanted: new Map(), cap: 1, deadline: new Date(at), pool: null, now: new Date(at) });
      expect(await finishPickSession(database.db, opened.row.id, status, 'host', new Date(at))).toBe(true);
      if (result !== null) await savePickResult(database.db, opened.row.id, result);
      return opened.row.id;
    };
    const oldest = await closeAt('2026-03-01T20:00:00Z', { kind: 'winner', itemKey: 'movie:1' });
    const noVotes = await closeAt('2026-03-05T20:00:00Z', { kind: 'no-votes', members: 2 });
    await closeAt('2026-03-06T20:00:00Z', null, 'cancelled');
    const newest = await closeAt('2026-03-08T20:00:00Z', { kind: 'winner', itemKey: 'show:2' });
    const middle = await closeAt('2026-03-04T20:00:00Z', { kind: 'winner', itemKey: 'movie:3' });
    const live = await openPickSession(database.db, { token: token(), platform: 'telegram', chatId, hostIdentityId: host, options: OPTIONS });
    // Another chat, and the same chat id on another platform.
    const elsewhere = await openPickSession(database.db, { token: token(), platform: 'discord', chatId, hostIdentityId: host, options: OPTIONS });
    await startPickVote(database.db, elsewhere.row.id, { pooled: pooled(2), nominatedWanted: new Map(), cap: 1, deadline: new Date(), pool: null, now: new Date() });
    await finishPickSession(database.db, elsewhere.row.id, 'closed', 'host', new Date('2026-03-07T20:00:00Z'));
    await savePickResult(database.db, elsewhere.row.id, { kind: 'winner', itemKey: 'movie:99' });

    const history = await pickHistory(database.db, 'telegram', chatId, 10);
    expect(history.map((s) => s.id)).toEqual([newest, noVotes, middle, oldest]);
    expect(history.map((s) => s.id)).not.toContain(live.row.id);
    expect((await pickHistory(database.db, 'telegram', chatId, 2)).map((s) => s.id)).toEqual([newest, noVotes]);
    expect(await pickHistory(database.db, 'telegram', chat(), 10)).toEqual([]);

    expect((await recentPickWinners(database.db, 'telegram', chatId, new Date('2026-03-02T00:00:00Z'))).sort()).toEqual(['movie:3', 'show:2']);
    expect((await recentPickWinners(database.db, 'telegram', chatId, new Date('2026-03-01T20:00:00Z'))).sort()).toEqual(['movie:1', 'movie:3', 'show:2']);
    expect(await recentPickWinners(database.db, 'telegram', chatId, new Date('2026-03-09T00:00:00Z'))).toEqual([]);
    expect(await recentPickWinners(database.db, 'discord', chatId, new Date('2026-01-01T00:00:00Z'))).toEqual(['movie:99']);
  });
});

describe(`pooling members' watchlists (${DRIVER_NAME})`, () => {
  const DUNE = movie(101, { title: 'Dune', year: 2021, rating: 8.0, runtime: 155, genres: ['science-fiction', 'adventure'] });
  const ALIEN = movie(102, { title: 'Alien', year: 1979, rating: 8.4, runtime: 117, genres: ['horror', 'science-fiction'] });
  const HEAT = movie(103, { title: 'Heat', year: 1995, rating: 8.3, runtime: 170, genres: ['crime', 'drama'] });
  const PADDINGTON = movie(104, { title: 'Paddington 2', year: 2017, rating: 7.8, runtime: 103, genres: ['comedy', 'family'] });
  const NO_RUNTIME = movie(105, { title: 'Unknown Length', year: 2001, rating: 9.9 });
  const DARK = show(201, { title: 'Dark', year: 2017, rating: 8.7, runtime: 60, genres: ['science-fiction', 'drama'] });
  const SEVERANCE = show(202, { title: 'Severance', year: 2022, rating: 8.6, runtime: 50, genres: ['science-fiction', 'drama'] });
  // A show whose Trakt id equals a movie's: a different title.
  const TWIN = show(101, { title: 'Twin Id Show', year: 1990, rating: 5, runtime: 30, genres: ['comedy'] });

  let a: number;
  let b: number;
  let c: number;
  let outsider: number;

  beforeAll(async () => {
    [a, b, c, outsider] = (await identities(4)) as [number, number, number, number];
    await watchlist(a, [
      { kind: 'movie', title: DUNE },
      { kind: 'movie', title: HEAT },
      { kind: 'movie', title: ALIEN },
      { kind: 'show', title: DARK },
      { kind: 'movie', title: NO_RUNTIME },
    ]);
    await watchlist(b, [
      { kind: 'movie', title: DUNE },
      { kind: 'movie', title: ALIEN },
      { kind: 'movie', title: HEAT },
      // Seasons and episodes of a show: they count for the show, and this member once.
      { kind: 'season', show: DARK, season: 1 },
      { kind: 'season', show: DARK, season: 2 },
      { kind: 'episode', show: DARK, season: 3, episode: 1 },
      { kind: 'episode', show: SEVERANCE, season: 1, episode: 1 },
      { kind: 'show', title: TWIN },
    ]);
    await watchlist(c, [
      { kind: 'movie', title: DUNE },
      { kind: 'episode', show: DARK, season: 1, episode: 4 },
      { kind: 'season', show: SEVERANCE, season: 2 },
      { kind: 'movie', title: PADDINGTON },
    ]);
    await watchlist(outsider, [
      { kind: 'movie', title: PADDINGTON },
      { kind: 'movie', title: HEAT },
      { kind: 'movie', title: PADDINGTON },
    ]);
  });

  const pool = (query: Partial<Parameters<typeof poolWatchlists>[1]> = {}) =>
    poolWatchlists(database.db, { identityIds: [a, b, c], types: ['movie', 'show'], exclude: [], limit: 20, ...query });

  it('GIVEN three members THEN each title once with how many members want it, seasons and episodes counting for their show, most wanted first then by rating', async () => {
    const result = await pool();
    expect(result.map((r) => [r.itemKey, r.wantedBy])).toEqual([
      // Wanted by 3: Dark (rating 8.7: a show row, two seasons and an episode, an episode) before Dune (8.0).
      ['show:201', 3],
      ['movie:101', 3],
      // Wanted by 2, by rating: Severance 8.6 (an episode, a season), Alien 8.4, Heat 8.3.
      ['show:202', 2],
      ['movie:102', 2],
      ['movie:103', 2],
      // Wanted by 1: by rating.
      ['movie:105', 1],
      ['movie:104', 1],
      ['show:101', 1],
    ]);
    // The title is the show itself (from its own row when a member has one, else from a season's or episode's).
    expect(result.find((r) => r.itemKey === 'show:201')?.target).toEqual(DARK);
    expect(result.find((r) => r.itemKey === 'show:202')?.target).toEqual(SEVERANCE);
    expect(result.find((r) => r.itemKey === 'movie:101')?.target).toEqual(DUNE);
    expect(result.find((r) => r.itemKey === 'show:101')?.target).toEqual(TWIN);

    // Only the members asked for are pooled.
    const two = await pool({ identityIds: [b, c] });
    expect(two.map((r) => [r.itemKey, r.wantedBy])).toEqual([
      ['show:201', 2],
      ['show:202', 2],
      ['movie:101', 2],
      ['movie:102', 1],
      ['movie:103', 1],
      ['movie:104', 1],
      ['show:101', 1],
    ]);
    expect(two.find((r) => r.itemKey === 'show:201')?.target).toEqual(DARK);
    expect(await pool({ identityIds: [] })).toEqual([]);
    expect(await pool({ limit: 0 })).toEqual([]);
    expect((await pool({ limit: 3 })).map((r) => r.itemKey)).toEqual(['show:201', 'movie:101', 'show:202']);

    const counts = await wantedCounts(database.db, [a, b, c], ['show:201', 'movie:104', 'show:999', 'show:101']);
    expect(Object.fromEntries(counts)).toEqual({ 'show:201': 3, 'movie:104': 1, 'show:101': 1 });
  });

  it('GIVEN filters THEN types, genre, longest runtime and years apply to the title (a show’s for its seasons and episodes), and excluded keys are left out', async () => {
    const keys = async (query: Partial<Parameters<typeof poolWatchlists>[1]>) => (await pool(query)).map((r) => r.itemKey);
    expect(await keys({ types: ['movie'] })).toEqual(['movie:101', 'movie:102', 'movie:103', 'movie:105', 'movie:104']);
    expect(await keys({ types: ['show'] })).toEqual(['show:201', 'show:202', 'show:101']);
    expect(await keys({ genre: 'science-fiction' })).toEqual(['show:201', 'movie:101', 'show:202', 'movie:102']);
    expect(await keys({ genre: 'horror' })).toEqual(['movie:102']);
    expect(await keys({ genre: 'western' })).toEqual([]);
    // Titles without a known runtime are left out when a longest runtime is asked for.
    expect(await keys({ maxRuntime: 120 })).toEqual(['show:201', 'show:202', 'movie:102', 'movie:104', 'show:101']);
    expect(await keys({ maxRuntime: 117, types: ['movie'] })).toEqual(['movie:102', 'movie:104']);
    expect(await keys({ yearFrom: 2017 })).toEqual(['show:201', 'movie:101', 'show:202', 'movie:104']);
    expect(await keys({ yearTo: 1995 })).toEqual(['movie:102', 'movie:103', 'show:101']);
    expect(await keys({ yearFrom: 1995, yearTo: 2017 })).toEqual(['show:201', 'movie:103', 'movie:105', 'movie:104']);
    expect(await keys({ yearFrom: 2017, yearTo: 2017, genre: 'science-fiction', types: ['show'] })).toEqual(['show:201']);
    expect(await keys({ exclude: ['show:201', 'movie:102', 'movie:999'] })).toEqual(['movie:101', 'show:202', 'movie:103', 'movie:105', 'movie:104', 'show:101']);
    // A movie's key does not exclude the show with the same Trakt id.
    expect(await keys({ exclude: ['movie:101'], types: ['show'] })).toEqual(['show:201', 'show:202', 'show:101']);
  });
});
