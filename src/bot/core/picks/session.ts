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
import { EN, localeFor, translator, translatorForIdentity, type Translator } from '../i18n/index.js';
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

/** The pick store; without one, a PickError in `i18n`'s language (handlers pass `ctx.i18n`). */
export function storeOf(deps: CoreDeps, i18n: Translator = EN): PickStore {
  if (deps.picks === undefined) throw new PickError(i18n.tr('picks:unavailable'));
  return deps.picks;
}

/**
 * The language of a session's shared cards (the session card, the result): the group's, as for any
 * message in the group: the chat's `/language` setting, else the platform's group language (Discord's
 * guild locale, known while someone acts on the card), else the host's. Every edit of the card uses it,
 * whoever pressed, so the card does not change language from press to press.
 */
export async function sessionTranslator(deps: CoreDeps, session: PickSession, groupLocale?: string): Promise<Translator> {
  const chat = { platform: session.platform, chatId: session.chatId, kind: 'group' as const };
  return translator(await localeFor(deps, { identityId: session.hostIdentityId, chat, ...(groupLocale === undefined ? {} : { groupLocale }) }));
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

function titleLine(title: Title, i18n: Translator): Rich[] {
  const facts: string[] = [];
  if (title.year !== null) facts.push(String(title.year));
  if (title.runtime) facts.push(i18n.t('picks:runtime', { minutes: title.runtime }));
  if (title.rating !== undefined && title.rating > 0) facts.push(`★ ${title.rating.toFixed(1)}`);
  return [rich.bold(title.title), facts.length > 0 ? ` (${facts.join(' · ')})` : ''];
}

function names(members: readonly PickMember[], i18n: Translator): string {
  const shown = members.slice(0, NAMED_MEMBERS).map((m) => m.displayName);
  return members.length > NAMED_MEMBERS ? i18n.t('picks:moreNames', { names: shown.join(', '), more: members.length - NAMED_MEMBERS }) : shown.join(', ');
}

export function counted(members: readonly PickMember[]): PickMember[] {
  return members.filter((m) => m.via !== 'awaiting-link');
}

function ageText(iso: string | null, now: Date, i18n: Translator): string {
  if (iso === null) return i18n.t('picks:age.none');
  const minutes = Math.round((now.getTime() - Date.parse(iso)) / 60_000);
  if (minutes < 60) return i18n.t('picks:age.minutes', { minutes: Math.max(1, minutes) });
  const hours = Math.round(minutes / 60);
  return hours < 48 ? i18n.t('picks:age.hours', { hours }) : i18n.t('picks:age.days', { count: Math.round(hours / 24) });
}

/**
 * A numbered line from the catalog (`{{position}}. {{title}} …`) with its adjacent strings joined, so
 * the number and its dot reach the renderers as one string (Discord escapes a list marker `1. ` only
 * where it sees it whole at the start of a line).
 */
export function numbered(line: Rich): Rich {
  if (!Array.isArray(line)) return line;
  const out: Rich[] = [];
  for (const part of line as readonly Rich[]) {
    const last = out.at(-1);
    if (typeof part === 'string' && typeof last === 'string') out[out.length - 1] = last + part;
    else out.push(part);
  }
  return out;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/**
 * The session card as it is now: who joined, what they share, the ballot and tally while voting, or
 * the outcome; in `i18n`'s language (see sessionTranslator).
 */
export async function sessionCard(deps: CoreDeps, session: PickSession, i18n: Translator): Promise<Reply> {
  const store = storeOf(deps, i18n);
  const now = deps.clock?.now() ?? new Date();
  const members = await store.members(session.id);
  const pooled = counted(members);
  const waiting = members.filter((m) => m.via === 'awaiting-link');
  const { token } = session;
  const lines: Rich[] = [];
  if (session.status === 'gathering') {
    const ballot = await store.ballot(session.id);
    lines.push(i18n.tr('picks:gathering.title'), rich.line, describeOptions(session.options, i18n), rich.line, rich.line);
    lines.push(
      pooled.length > 0
        ? i18n.tr('picks:gathering.joined', { joined: pooled.length, names: names(pooled, i18n) })
        : i18n.tr('picks:gathering.joinedNobody', { joined: pooled.length }),
    );
    if (waiting.length > 0) lines.push(rich.line, i18n.tr('picks:gathering.linking', { names: names(waiting, i18n) }));
    const preview = pooled.length < 2 ? [] : await previewPool(store, session, pooled);
    if (preview.length > 0) {
      lines.push(rich.line, rich.line, i18n.tr('picks:gathering.inCommon'));
      for (const item of preview) lines.push(rich.line, i18n.tr('picks:gathering.commonItem', { title: titleLine(item.title, i18n), wanted: item.wantedBy, members: pooled.length }));
    }
    if (ballot.length > 0) {
      lines.push(rich.line, rich.line, i18n.tr('picks:gathering.nominated'));
      for (const item of ballot) lines.push(rich.line, i18n.tr('picks:gathering.nominatedItem', { title: titleLine(item.title, i18n) }));
    }
    lines.push(rich.line, rich.line, i18n.tr('picks:gathering.privacy'));
    return {
      text: lines,
      buttons: [
        [
          sessionButton(i18n.t('picks:button.join'), PICK_ACTIONS.join, token, 'primary'),
          sessionButton(i18n.t('picks:button.leave'), PICK_ACTIONS.leave, token),
          sessionButton(i18n.t('picks:button.nominate'), PICK_ACTIONS.nominate, token),
        ],
        [sessionButton(i18n.t('picks:button.startVote'), PICK_ACTIONS.start, token, 'success'), sessionButton(i18n.t('picks:button.cancel'), PICK_ACTIONS.cancel, token, 'danger')],
      ],
    };
  }
  if (session.status === 'voting') {
    const ballot = await store.ballot(session.id);
    const votes = tallyOf(members);
    const voters = pooled.filter((m) => m.approvals.length > 0).length;
    const cap = session.cap ?? 1;
    lines.push(i18n.tr('picks:voting.title'));
    if (session.deadline !== null) {
      const duration = formatDuration(Math.max(60_000, roundToMinute(session.deadline.getTime() - now.getTime())), i18n);
      lines.push(rich.line, i18n.tr('picks:voting.closesIn', { duration, time: session.deadline.toISOString().slice(11, 16) }));
    }
    lines.push(rich.line, i18n.tr('picks:voting.approveUpTo', { count: cap }), rich.line);
    for (const item of ballot) {
      const n = votes.get(item.position) ?? 0;
      const params = { position: item.position + 1, title: titleLine(item.title, i18n), wanted: item.wantedBy, members: session.pool?.members ?? pooled.length, count: n };
      lines.push(rich.line, numbered(i18n.tr(item.nominated ? 'picks:voting.itemNominated' : 'picks:voting.item', params)));
    }
    lines.push(rich.line, rich.line, i18n.tr('picks:voting.voted', { voters, count: pooled.length }));
    const stale = session.pool?.stale ?? [];
    if (stale.length > 0) {
      const list = stale.map((s) => i18n.t('picks:voting.staleItem', { name: s.name, age: ageText(s.checkedAt, now, i18n) })).join(', ');
      lines.push(rich.line, i18n.tr('picks:voting.stale', { list }));
    }
    const voteButtons = ballot.map((item) => {
      const n = votes.get(item.position) ?? 0;
      return { label: cut(`${item.position + 1}. ${item.title.title}${n > 0 ? ` · ${n}✓` : ''}`, LABEL_CHARS), action: encodeAction(PICK_ACTIONS.vote, positionId(token, item.position)) } satisfies Button;
    });
    const rows: Button[][] = [];
    for (let i = 0; i < voteButtons.length; i += 2) rows.push(voteButtons.slice(i, i + 2));
    const voteRows = rows.length;
    rows.push([
      sessionButton(i18n.t('picks:button.join'), PICK_ACTIONS.join, token),
      sessionButton(i18n.t('picks:button.leave'), PICK_ACTIONS.leave, token),
      sessionButton(i18n.t('picks:button.tellMe'), PICK_ACTIONS.notify, token),
    ]);
    rows.push([sessionButton(i18n.t('picks:button.closeVote'), PICK_ACTIONS.close, token, 'danger')]);
    return {
      text: lines,
      buttons: rows,
      pick: {
        action: encodeAction(PICK_ACTIONS.ballot, token),
        placeholder: i18n.t('picks:voting.placeholder', { cap }),
        options: ballot.map((item) => ({ label: cut(`${item.position + 1}. ${item.title.title}`, 100), value: String(item.position), ...(item.title.year === null ? {} : { description: String(item.title.year) }) })),
        minValues: 0,
        maxValues: cap,
        replacesRows: voteRows,
      },
    };
  }
  if (session.status === 'cancelled') {
    return { text: i18n.tr('picks:cancelled') };
  }
  const result = session.result;
  lines.push(i18n.tr('picks:closed.title'), rich.line);
  if (result === null) lines.push(i18n.tr('picks:closed.counting'));
  else if (result.kind === 'no-votes') lines.push(i18n.tr('picks:closed.noVotes'));
  else lines.push(i18n.tr('picks:closed.winner', { title: titleLine(result.title, i18n), count: result.votes, wanted: result.wantedBy, members: result.members }));
  const ballot = await store.ballot(session.id);
  const votes = tallyOf(members);
  if (ballot.length > 0) {
    lines.push(rich.line, rich.line, i18n.tr('picks:closed.finalTally'));
    for (const item of ballot) {
      const n = votes.get(item.position) ?? 0;
      lines.push(rich.line, numbered(i18n.tr('picks:closed.tallyItem', { position: item.position + 1, title: item.title.title, count: n, wanted: item.wantedBy })));
    }
  }
  lines.push(rich.line, rich.line, i18n.tr('picks:closed.session', { token }));
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
export function resultCard(session: PickSession, result: PickResult, i18n: Translator): Reply {
  if (result.kind === 'no-votes') {
    return {
      text: i18n.tr('picks:result.nobodyVoted'),
      buttons: [[sessionButton(i18n.t('picks:button.newVote'), PICK_ACTIONS.again, session.token, 'primary')]],
    };
  }
  const target = { kind: result.title.type, title: result.title } as const;
  const how: Rich =
    result.rule === 'votes'
      ? i18n.tr('picks:result.byVotes')
      : result.rule === 'wanted-by'
        ? i18n.tr('picks:result.byWantedBy')
        : i18n.tr('picks:result.byDraw', { count: result.tied ?? 0, seed: result.seed ?? '', token: session.token });
  const voters = i18n.t('picks:result.voters', { count: result.voters });
  const text = titleCard(target, {
    header: i18n.tr('picks:result.header'),
    footer: [i18n.tr('picks:result.summary', { wanted: result.wantedBy, members: result.members, count: result.votes, voters }), i18n.tr('picks:result.decidedBy', { how })],
  }, i18n);
  const reply = cardReply(target, text, [[sessionButton(i18n.t('picks:button.addToWatchlist'), PICK_ACTIONS.add, session.token, 'primary')]], undefined, i18n);
  return reply;
}

/** The rule, as `/help pick` says it. */
export function tieBreakRule(i18n: Translator): Rich {
  return i18n.tr('picks:tieBreak');
}

export function editTarget(session: PickSession): MessageRef | undefined {
  return session.cardMessageId === null ? undefined : { platform: session.platform, chatId: session.chatId, messageId: session.cardMessageId };
}

/**
 * The session card is edited soon (coalesced: at most about once a second, always showing the latest).
 * `groupLocale`: the platform's group language, when the press that changed the card told it.
 */
export function refreshCard(deps: CoreDeps, sessionId: number, groupLocale?: string): void {
  const updates = deps.cardUpdates;
  const outbox = deps.outbox;
  if (updates === undefined || outbox === undefined) return;
  updates.touch(`pick:${sessionId}`, async () => {
    const session = await storeOf(deps).byId(sessionId);
    const ref = session && editTarget(session);
    if (session === undefined || ref === undefined) return;
    const reply = await sessionCard(deps, session, await sessionTranslator(deps, session, groupLocale));
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
export async function closeVote(deps: CoreDeps, sessionId: number, closedBy: string, groupLocale?: string): Promise<PickSession | undefined> {
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
  await announce(deps, closed, result, members, groupLocale);
  return closed;
}

async function announce(deps: CoreDeps, session: PickSession, result: PickResult, members: PickMember[], groupLocale: string | undefined): Promise<void> {
  const outbox = deps.outbox;
  if (outbox === undefined) return;
  const i18n = await sessionTranslator(deps, session, groupLocale);
  const ref = editTarget(session);
  if (ref !== undefined) {
    await outbox.edit(ref, await sessionCard(deps, session, i18n)).catch((error: unknown) => deps.logger.warn({ err: error, sessionId: session.id }, 'group pick: the session card could not be closed'));
  }
  const card = resultCard(session, result, i18n);
  await outbox.send({ platform: session.platform, chatId: session.chatId }, card).catch((error: unknown) => deps.logger.warn({ err: error, sessionId: session.id }, 'group pick: the result could not be sent'));
  if (result.kind !== 'winner') return;
  for (const member of members.filter((m) => m.notify)) {
    const identity = await deps.accounts.chatUserOf?.(member.identityId);
    if (identity === undefined) continue;
    const target: DeliveryTarget = { platform: identity.platform, userId: identity.userId };
    // A private message: in the member's own language.
    const own = await translatorForIdentity(deps, member.identityId);
    const notice: Reply = {
      private: true,
      text: own.tr('picks:result.notice', { title: titleLine(result.title, own), count: result.votes }),
      buttons: [[{ label: own.t('picks:button.openOnTrakt'), url: traktUrl({ kind: result.title.type, title: result.title }) }]],
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
