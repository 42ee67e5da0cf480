/**
 * A group pick's life: open, join (consent to pool one's watchlist), nominate, start the vote (pool the
 * members' copies into a ballot), vote, close (host, moderator or the deadline job), and the result.
 * Every step reads and writes through the PickStore; cards are rendered from what is stored, so any
 * instance can edit any session's card and the last edit always shows the latest state.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { JobKindRef } from '../../../jobs/types.js';
import { encodeAction } from '../actions.js';
import { cardReply, titleCard } from '../cards.js';
import type { CoreContext, CoreDeps } from '../context.js';
import { UserFacingError } from '../errors.js';
import type { DeliveryTarget } from '../notices.js';
import type { Title } from '../ports.js';
import { traktUrl } from '../targets.js';
import { rich, type Button, type MessageRef, type Reply, type Rich } from '../types.js';
import {
  capFor,
  decide,
  describeOptions,
  formatDuration,
  tallyOf,
  type BallotItem,
  type PickMember,
  type PickOptions,
  type PickResult,
  type PickSession,
  type PoolInfo,
  type PooledTitle,
} from './model.js';
import type { PickStore } from './ports.js';

export const PICK_ACTIONS = {
  join: 'pick-join',
  leave: 'pick-leave',
  nominate: 'pick-nominate',
  start: 'pick-start',
  close: 'pick-close',
  cancel: 'pick-cancel',
  vote: 'pick-vote',
  ballot: 'pick-ballot',
  notify: 'pick-notify',
  add: 'pick-add',
  again: 'pick-again',
} as const;

/** A chat's recent picks are left off the next ballot for this long. */
const RECENT_PICK_MS = 30 * 24 * 60 * 60_000;
/** Titles the gathering card previews as "in common so far". */
const PREVIEW = 3;
/** Members named on a card; the rest are counted. */
const NAMED_MEMBERS = 12;
/** Ballot button labels are cut to this (Telegram shows about this much on a phone). */
const LABEL_CHARS = 28;

export class PickError extends UserFacingError {
  override readonly name = 'PickError';
  constructor(reply: Rich) {
    super('pick', reply);
  }
}

export function storeOf(deps: CoreDeps): PickStore {
  if (deps.picks === undefined) throw new PickError('Group picks are not available on this server.');
  return deps.picks;
}

export function newToken(): string {
  return randomBytes(9).toString('base64url');
}

/** A chat button of a session: `v1:pick-…:<token>` (+ a two-character index for ballot positions). */
export function sessionButton(label: string, action: string, token: string, style?: Button['style']): Button {
  const data = encodeAction(action, token);
  return style === undefined ? { label, action: data } : { label, action: data, style };
}

const INDEX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function positionId(token: string, position: number): string {
  return `${token}${INDEX_ALPHABET[Math.floor(position / 64)] ?? 'A'}${INDEX_ALPHABET[position % 64] ?? 'A'}`;
}

/** Token and ballot position of a vote button's id; undefined for anything else. */
export function parsePositionId(id: string): { token: string; position: number } | undefined {
  if (id.length !== 14) return undefined;
  const hi = INDEX_ALPHABET.indexOf(id.charAt(12));
  const lo = INDEX_ALPHABET.indexOf(id.charAt(13));
  if (hi < 0 || lo < 0) return undefined;
  return { token: id.slice(0, 12), position: hi * 64 + lo };
}

function titleLine(title: Title): Rich[] {
  const facts: string[] = [];
  if (title.year !== null) facts.push(String(title.year));
  if (title.runtime) facts.push(`${title.runtime} min`);
  if (title.rating !== undefined && title.rating > 0) facts.push(`★ ${title.rating.toFixed(1)}`);
  return [rich.bold(title.title), facts.length > 0 ? ` (${facts.join(' · ')})` : ''];
}

function names(members: readonly PickMember[]): string {
  const shown = members.slice(0, NAMED_MEMBERS).map((m) => m.displayName);
  return members.length > NAMED_MEMBERS ? `${shown.join(', ')} and ${members.length - NAMED_MEMBERS} more` : shown.join(', ');
}

export function counted(members: readonly PickMember[]): PickMember[] {
  return members.filter((m) => m.via !== 'awaiting-link');
}

function ageText(iso: string | null, now: Date): string {
  if (iso === null) return 'no copy yet';
  const minutes = Math.round((now.getTime() - Date.parse(iso)) / 60_000);
  if (minutes < 60) return `${Math.max(1, minutes)} min old`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h old` : `${Math.round(hours / 24)} days old`;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** The session card as it is now: who joined, what they share, the ballot and tally while voting, or the outcome. */
export async function sessionCard(deps: CoreDeps, session: PickSession): Promise<Reply> {
  const store = storeOf(deps);
  const now = deps.clock?.now() ?? new Date();
  const members = await store.members(session.id);
  const pooled = counted(members);
  const waiting = members.filter((m) => m.via === 'awaiting-link');
  const { token } = session;
  const lines: Rich[] = [];
  if (session.status === 'gathering') {
    const ballot = await store.ballot(session.id);
    lines.push(rich.bold('🍿 Group pick: what do we watch?'), rich.line, describeOptions(session.options), rich.line, rich.line);
    lines.push(rich.bold(`Joined (${pooled.length})`), pooled.length > 0 ? `: ${names(pooled)}` : ': nobody yet');
    if (waiting.length > 0) lines.push(rich.line, rich.italic(`Linking to join: ${names(waiting)}`));
    const preview = pooled.length < 2 ? [] : await previewPool(store, session, pooled);
    if (preview.length > 0) {
      lines.push(rich.line, rich.line, rich.bold('In common so far'));
      for (const item of preview) lines.push(rich.line, '• ', ...titleLine(item.title), ` — wanted by ${item.wantedBy} of ${pooled.length}`);
    }
    if (ballot.length > 0) {
      lines.push(rich.line, rich.line, rich.bold('Nominated'));
      for (const item of ballot) lines.push(rich.line, '• ', ...titleLine(item.title));
    }
    lines.push(
      rich.line,
      rich.line,
      rich.italic('Join shares your watchlist with this vote: which titles you want, never whose list a title came from. Leave takes it back.'),
    );
    return {
      text: lines,
      buttons: [
        [sessionButton('🙋 Join', PICK_ACTIONS.join, token, 'primary'), sessionButton('👋 Leave', PICK_ACTIONS.leave, token), sessionButton('➕ Nominate', PICK_ACTIONS.nominate, token)],
        [sessionButton('🗳 Start vote', PICK_ACTIONS.start, token, 'success'), sessionButton('✖ Cancel', PICK_ACTIONS.cancel, token, 'danger')],
      ],
    };
  }
  if (session.status === 'voting') {
    const ballot = await store.ballot(session.id);
    const votes = tallyOf(members);
    const voters = pooled.filter((m) => m.approvals.length > 0).length;
    const cap = session.cap ?? 1;
    lines.push(rich.bold('🗳 Vote: what do we watch?'));
    if (session.deadline !== null) lines.push(rich.line, `Closes in ${formatDuration(Math.max(60_000, roundToMinute(session.deadline.getTime() - now.getTime())))} (${session.deadline.toISOString().slice(11, 16)} UTC).`);
    lines.push(rich.line, `Approve up to ${cap} title${cap === 1 ? '' : 's'}; press again to take an approval back. Only members who joined vote.`, rich.line);
    for (const item of ballot) {
      const n = votes.get(item.position) ?? 0;
      lines.push(rich.line, `${item.position + 1}. `, ...titleLine(item.title), item.nominated ? ' · nominated' : '', ` — wanted by ${item.wantedBy} of ${session.pool?.members ?? pooled.length}`, ' — ', rich.bold(`${n} vote${n === 1 ? '' : 's'}`));
    }
    lines.push(rich.line, rich.line, `Voted: ${voters} of ${pooled.length} member${pooled.length === 1 ? '' : 's'}.`);
    const stale = session.pool?.stale ?? [];
    if (stale.length > 0) {
      lines.push(rich.line, rich.italic(`Trakt was not answering while pooling: used the copies we had (${stale.map((s) => `${s.name}: ${ageText(s.checkedAt, now)}`).join(', ')}).`));
    }
    const voteButtons = ballot.map((item) => {
      const n = votes.get(item.position) ?? 0;
      return { label: cut(`${item.position + 1}. ${item.title.title}${n > 0 ? ` · ${n}✓` : ''}`, LABEL_CHARS), action: encodeAction(PICK_ACTIONS.vote, positionId(token, item.position)) } satisfies Button;
    });
    const rows: Button[][] = [];
    for (let i = 0; i < voteButtons.length; i += 2) rows.push(voteButtons.slice(i, i + 2));
    const voteRows = rows.length;
    rows.push([sessionButton('🙋 Join', PICK_ACTIONS.join, token), sessionButton('👋 Leave', PICK_ACTIONS.leave, token), sessionButton('🔔 Tell me', PICK_ACTIONS.notify, token)]);
    rows.push([sessionButton('🏁 Close vote', PICK_ACTIONS.close, token, 'danger')]);
    return {
      text: lines,
      buttons: rows,
      pick: {
        action: encodeAction(PICK_ACTIONS.ballot, token),
        placeholder: `Choose up to ${cap}`,
        options: ballot.map((item) => ({ label: cut(`${item.position + 1}. ${item.title.title}`, 100), value: String(item.position), ...(item.title.year === null ? {} : { description: String(item.title.year) }) })),
        minValues: 0,
        maxValues: cap,
        replacesRows: voteRows,
      },
    };
  }
  if (session.status === 'cancelled') {
    return { text: [rich.bold('🍿 Group pick cancelled.'), rich.line, 'Nothing was decided. Send /pick to start a new one.'] };
  }
  const result = session.result;
  lines.push(rich.bold('🏁 The vote is closed.'), rich.line);
  if (result === null) lines.push('Counting the votes…');
  else if (result.kind === 'no-votes') lines.push('Nobody voted, so nothing was picked.');
  else lines.push('Tonight: ', ...titleLine(result.title), ` — ${result.votes} vote${result.votes === 1 ? '' : 's'}, wanted by ${result.wantedBy} of ${result.members}.`);
  const ballot = await store.ballot(session.id);
  const votes = tallyOf(members);
  if (ballot.length > 0) {
    lines.push(rich.line, rich.line, rich.bold('Final tally'));
    for (const item of ballot) {
      const n = votes.get(item.position) ?? 0;
      lines.push(rich.line, `${item.position + 1}. ${item.title.title} — ${n} vote${n === 1 ? '' : 's'}, wanted by ${item.wantedBy}`);
    }
  }
  lines.push(rich.line, rich.line, rich.italic(['Session ', token]));
  return { text: lines };
}

function roundToMinute(ms: number): number {
  return Math.round(ms / 60_000) * 60_000;
}

async function previewPool(store: PickStore, session: PickSession, members: PickMember[]): Promise<PooledTitle[]> {
  const pooled = await store.pool({ ...filtersOf(session.options), identityIds: members.map((m) => m.identityId), exclude: [], limit: PREVIEW });
  return pooled.filter((item) => item.wantedBy >= 2);
}

function filtersOf(options: PickOptions) {
  return {
    types: options.types,
    ...(options.genre === undefined ? {} : { genre: options.genre }),
    ...(options.maxRuntime === undefined ? {} : { maxRuntime: options.maxRuntime }),
    ...(options.yearFrom === undefined ? {} : { yearFrom: options.yearFrom }),
    ...(options.yearTo === undefined ? {} : { yearTo: options.yearTo }),
  };
}

/** The result card: the winner with its facts and how it was decided, and Add to my watchlist for anyone. */
export function resultCard(session: PickSession, result: PickResult): Reply {
  if (result.kind === 'no-votes') {
    return {
      text: [rich.bold('🏁 Nobody voted'), rich.line, 'The vote closed without a single approval, so nothing was picked.'],
      buttons: [[sessionButton('🗳 New vote', PICK_ACTIONS.again, session.token, 'primary')]],
    };
  }
  const target = { kind: result.title.type, title: result.title } as const;
  const how: Rich =
    result.rule === 'votes'
      ? 'Most votes.'
      : result.rule === 'wanted-by'
        ? 'Tied on votes; wanted by the most members.'
        : ['Tied on votes and wanted-by between ', String(result.tied ?? 0), ' titles; drawn with seed ', rich.code(result.seed ?? ''), ' (session ', rich.code(session.token), '). See /help pick.'];
  const text = titleCard(target, {
    header: rich.bold(`🏆 Tonight's pick`),
    footer: [
      [`Wanted by ${result.wantedBy} of ${result.members} · ${result.votes} vote${result.votes === 1 ? '' : 's'} from ${result.voters} voter${result.voters === 1 ? '' : 's'}`],
      ['Decided by: ', how],
    ],
  });
  const reply = cardReply(target, text, [[sessionButton('➕ Add to my watchlist', PICK_ACTIONS.add, session.token, 'primary')]]);
  return reply;
}

/** The rule, as `/help pick` says it. */
export const TIE_BREAK_RULE: Rich = [
  rich.bold('How the winner is chosen'),
  rich.line,
  '1. The title with the most votes (approvals) wins.',
  rich.line,
  '2. Tied: the one wanted by more members (on more of their watchlists) wins.',
  rich.line,
  '3. Still tied: a draw anyone can check. Write the session id, then one line per ballot title in ballot order, its number and its votes (“1 3”, “2 0” …), joined by newlines (no newline at the end). The seed is the first 16 hex digits of the SHA-256 of that text; of the tied titles, in ballot order and counting from 0, the winner is number (seed as a hexadecimal number) mod (how many are tied). The result card shows the seed and the session id; the closed vote card shows every title’s votes.',
];

export function editTarget(session: PickSession): MessageRef | undefined {
  return session.cardMessageId === null ? undefined : { platform: session.platform, chatId: session.chatId, messageId: session.cardMessageId };
}

/** The session card is edited soon (coalesced: at most about once a second, always showing the latest). */
export function refreshCard(deps: CoreDeps, sessionId: number): void {
  const updates = deps.cardUpdates;
  const outbox = deps.outbox;
  if (updates === undefined || outbox === undefined) return;
  updates.touch(`pick:${sessionId}`, async () => {
    const session = await storeOf(deps).byId(sessionId);
    const ref = session && editTarget(session);
    if (session === undefined || ref === undefined) return;
    const reply = await sessionCard(deps, session);
    const edited = await outbox.edit(ref, reply);
    if (edited !== undefined && edited.messageId !== ref.messageId) await storeOf(deps).setCard(session.id, edited.messageId);
  });
}

/** Pools the members' lists into the ballot and starts the vote. */
export async function startVote(ctx: CoreContext, session: PickSession): Promise<{ started: boolean; empty?: true }> {
  const store = storeOf(ctx.deps);
  const members = counted(await store.members(session.id));
  const stale = await refreshMembers(ctx, members);
  const nominated = await store.ballot(session.id);
  const recent = await store.recentWinners(session.platform, session.chatId, new Date(ctx.now().getTime() - RECENT_PICK_MS));
  const identityIds = members.map((m) => m.identityId);
  const room = Math.max(0, session.options.ballotSize - nominated.length);
  const pooled = await store.pool({ ...filtersOf(session.options), identityIds, exclude: [...recent, ...nominated.map((n) => n.itemKey)], limit: room });
  const size = nominated.length + pooled.length;
  if (size === 0) return { started: false, empty: true };
  const nominatedWanted = await store.wantedBy(identityIds, nominated.map((n) => n.itemKey));
  const pool: PoolInfo = { members: members.length, stale };
  const deadline = new Date(ctx.now().getTime() + session.options.votingMs);
  const started = await store.startVote(session.id, { pooled, nominatedWanted, cap: capFor(size), deadline, pool, now: ctx.now() });
  if (started) await scheduleDeadline(ctx.deps, session.id, deadline);
  return { started };
}

/**
 * Brings each member's copy up to date before pooling: a linked member's through last_activities (one
 * request when the list has not changed), a public profile's by reading it again. Trakt down: the
 * copies we have are used, and the card says how old they are.
 */
async function refreshMembers(ctx: CoreContext, members: PickMember[]): Promise<PoolInfo['stale']> {
  const stale: PoolInfo['stale'] = [];
  await Promise.all(
    members.map(async (member) => {
      try {
        if (member.via === 'public' && member.traktUsername !== null) await readPublicList(ctx.deps, member.identityId, member.traktUsername, ctx.now());
        else {
          const trakt = await ctx.deps.trakt.forIdentity(member.identityId);
          await ctx.copy.current({ identityId: member.identityId, patiently: (w) => ctx.patiently(w) }, trakt, { recheck: true });
        }
      } catch (error) {
        ctx.deps.logger.warn({ err: error, identityId: member.identityId }, 'group pick: a member’s watchlist could not be refreshed; using the copy we have');
        const state = await ctx.deps.watchlists.state(member.identityId).catch(() => undefined);
        stale.push({ name: member.displayName, checkedAt: state?.checkedAt.toISOString() ?? null });
      }
    }),
  );
  return stale;
}

/** A public profile's watchlist into the copy of this (unlinked) member. */
export async function readPublicList(deps: CoreDeps, identityId: number, username: string, now: Date): Promise<number> {
  const entries = await deps.trakt.publicWatchlist(username);
  return deps.watchlists.replace(identityId, entries, null, now);
}

export const DEADLINE_JOB_KIND = 'pick-deadline';

export const deadlineJobSchema = z.object({ sessionId: z.number().int().positive() });
export type DeadlineJob = z.infer<typeof deadlineJobSchema>;
export const deadlineJobRef = { kind: DEADLINE_JOB_KIND, schema: deadlineJobSchema, maxAttempts: 100 } satisfies JobKindRef<DeadlineJob>;

async function scheduleDeadline(deps: CoreDeps, sessionId: number, deadline: Date): Promise<void> {
  if (deps.jobs === undefined) return;
  await deps.jobs.enqueue(deadlineJobRef, { sessionId }, { runAt: deadline, dedupeKey: `${DEADLINE_JOB_KIND}:${sessionId}` });
}

/**
 * Ends the vote (if it is still open) and announces the result once: the first caller to record the
 * result sends the result card, edits the session card and tells the members who asked. Safe to call
 * again after a crash between the two steps (the deadline job does).
 */
export async function closeVote(deps: CoreDeps, sessionId: number, closedBy: string): Promise<PickSession | undefined> {
  const store = storeOf(deps);
  const now = deps.clock?.now() ?? new Date();
  let session = await store.byId(sessionId);
  if (session === undefined) return undefined;
  if (session.status === 'voting') {
    await store.finish(sessionId, 'closed', closedBy, now);
    session = await store.byId(sessionId);
    if (session === undefined) return undefined;
  }
  if (session.status !== 'closed' || session.result !== null) return session;
  const [members, ballot] = await Promise.all([store.members(sessionId), store.ballot(sessionId)]);
  const pooled = counted(members);
  const votes = tallyOf(members);
  const result = decide(session.token, ballot, votes, { members: session.pool?.members ?? pooled.length, voters: pooled.filter((m) => m.approvals.length > 0).length });
  if (!(await store.saveResult(sessionId, result))) return store.byId(sessionId);
  const closed: PickSession = { ...session, result };
  await announce(deps, closed, result, members);
  return closed;
}

async function announce(deps: CoreDeps, session: PickSession, result: PickResult, members: PickMember[]): Promise<void> {
  const outbox = deps.outbox;
  if (outbox === undefined) return;
  const ref = editTarget(session);
  if (ref !== undefined) {
    await outbox.edit(ref, await sessionCard(deps, session)).catch((error: unknown) => deps.logger.warn({ err: error, sessionId: session.id }, 'group pick: the session card could not be closed'));
  }
  const card = resultCard(session, result);
  await outbox.send({ platform: session.platform, chatId: session.chatId }, card).catch((error: unknown) => deps.logger.warn({ err: error, sessionId: session.id }, 'group pick: the result could not be sent'));
  if (result.kind !== 'winner') return;
  for (const member of members.filter((m) => m.notify)) {
    const identity = await deps.accounts.chatUserOf?.(member.identityId);
    if (identity === undefined) continue;
    const target: DeliveryTarget = { platform: identity.platform, userId: identity.userId };
    const notice: Reply = {
      private: true,
      text: [rich.bold('🍿 Tonight’s pick: '), ...titleLine(result.title), rich.line, `Chosen by your group with ${result.votes} vote${result.votes === 1 ? '' : 's'}.`],
      buttons: [[{ label: '🌐 Open on Trakt', url: traktUrl({ kind: result.title.type, title: result.title }) }]],
    };
    await outbox.send(target, notice).catch((error: unknown) => deps.logger.warn({ err: error, identityId: member.identityId }, 'group pick: a member could not be told the result'));
  }
}

/** Who may close or cancel: the host, or a moderator of the chat. */
export async function mayModerate(session: PickSession, identityId: number, chatAdmin: (() => Promise<boolean>) | undefined): Promise<boolean> {
  if (session.hostIdentityId === identityId) return true;
  return (await chatAdmin?.().catch(() => false)) ?? false;
}

export type { BallotItem };
