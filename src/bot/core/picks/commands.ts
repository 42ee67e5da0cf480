/**
 * Group picks' commands (`/pick`, `/join`, `/nominate`) and buttons. The session card's buttons are
 * chat actions: anyone in the chat may press them, and what they may do is decided here from the
 * session (members vote, the host or a moderator closes). Nominating from search results uses the
 * nominator's own buttons.
 */
import { cardReply, titleCard } from '../cards.js';
import type { CoreContext } from '../context.js';
import { InvalidInputError, NeedsLinkError } from '../errors.js';
import { defineAction, defineChatAction, defineCommand, type ChatActionInput } from '../handlers.js';
import { cleanText, parseAddQuery, parseTitleQuery } from '../parse.js';
import { linkReplies } from '../commands/link.js';
import type { Title } from '../ports.js';
import { titleOf } from '../../../domain/target.js';
import { addForPresser } from '../presser-add.js';
import type { Translator } from '../i18n/index.js';
import { lookUpReference } from '../title-refs.js';
import { searchReadings } from '../title-search.js';
import { rich, type ActionOutcome, type ActionStep, type Button, type Reply, type Rich } from '../types.js';
import { parsePickArgs, pickKey, pickUsage, type PickSession } from './model.js';
import {
  PICK_ACTIONS,
  PickError,
  closeVote,
  counted,
  mayModerate,
  newToken,
  parsePositionId,
  readPublicList,
  refreshCard,
  numbered,
  sessionCard,
  sessionTranslator,
  startVote,
  storeOf,
  tieBreakRule,
} from './session.js';

function forGroups(ctx: CoreContext): Reply {
  return { text: ctx.tr('picks:forGroups') };
}

const HISTORY_SHOWN = 10;
const NOMINEES = 5;

/** The pick store (a PickError in the user's language when this server has none). */
function picksOf(ctx: CoreContext) {
  return storeOf(ctx.deps, ctx.i18n);
}

/** The session card is edited soon, in the group's language (see sessionTranslator). */
function refresh(ctx: CoreContext, sessionId: number): void {
  refreshCard(ctx.deps, sessionId, ctx.groupLocale);
}

async function cardOf(ctx: CoreContext, session: PickSession): Promise<Reply> {
  return sessionCard(ctx.deps, session, await sessionTranslator(ctx.deps, session, ctx.groupLocale));
}

function displayName(ctx: CoreContext): string {
  return (ctx.user.displayName ?? '').trim().slice(0, 64) || ctx.t('picks:memberFallback', { id: ctx.user.userId.slice(-4) });
}

async function liveSessionOf(ctx: CoreContext): Promise<PickSession> {
  if (ctx.chat.kind === 'private') throw new PickError(forGroups(ctx).text);
  const session = await picksOf(ctx).live(ctx.chat.platform, ctx.chat.chatId);
  if (session === undefined) throw new PickError(ctx.tr('picks:noSession'));
  return session;
}

export function pickHelpReplies(i18n: Translator): Promise<Reply[]> {
  return Promise.resolve(helpReplies(i18n));
}

function helpReplies(i18n: Translator): Reply[] {
  return [
    {
      text: [
        i18n.tr('picks:help.intro'),
        rich.line,
        rich.line,
        pickUsage(i18n),
        rich.line,
        i18n.tr('picks:help.withoutLinking'),
        rich.line,
        i18n.tr('picks:help.history'),
        rich.line,
        rich.line,
        tieBreakRule(i18n),
      ],
    },
  ];
}

async function historyReplies(ctx: CoreContext): Promise<Reply[]> {
  if (ctx.chat.kind === 'private') return [forGroups(ctx)];
  const sessions = await picksOf(ctx).history(ctx.chat.platform, ctx.chat.chatId, HISTORY_SHOWN);
  if (sessions.length === 0) return [{ text: ctx.tr('picks:history.empty') }];
  const lines: Rich[] = [ctx.tr('picks:history.title')];
  sessions.forEach((session, i) => {
    const when = (session.closedAt ?? session.createdAt).toISOString().slice(0, 10);
    const result = session.result;
    let what: Rich;
    if (result === null) what = ctx.tr('picks:history.notCounted');
    else if (result.kind === 'no-votes') what = ctx.tr('picks:history.nobodyVoted');
    else {
      const title: Rich = [rich.bold(result.title.title), result.title.year === null ? '' : ` (${result.title.year})`];
      what = result.rule === 'draw' ? ctx.tr('picks:history.winnerDrawn', { title, count: result.votes, seed: result.seed ?? '' }) : ctx.tr('picks:history.winner', { title, count: result.votes });
    }
    lines.push(rich.line, numbered(ctx.tr('picks:history.line', { index: i + 1, date: when, what })));
  });
  return [{ text: lines }];
}

export const pickCommand = defineCommand({
  name: 'pick',
  description: 'Group vote on what to watch, from the members’ watchlists',
  listed: true,
  options: [
    { name: 'type', description: 'Movies, shows or both', keyed: true, choices: [{ name: 'movies', value: 'movies' }, { name: 'shows', value: 'shows' }, { name: 'both', value: 'both' }] },
    { name: 'genre', description: 'Only this genre, e.g. horror or science fiction', keyed: true, maxLength: 40 },
    { name: 'runtime', description: 'Longest runtime in minutes, e.g. 120', keyed: true, maxLength: 10 },
    { name: 'years', description: 'Release years, e.g. 1990-2005, 2000- or -1999', keyed: true, maxLength: 11 },
    { name: 'ballot', description: 'Titles on the ballot (2-20, default 8)', keyed: true, maxLength: 2 },
    { name: 'time', description: 'How long the vote runs: 10m, 2h, 3d (default 10 minutes, at most 1w)', keyed: true, maxLength: 10 },
    { name: 'show', description: 'Instead of a new vote: this chat’s last picks, or how picks work', choices: [{ name: 'history', value: 'history' }, { name: 'help', value: 'help' }] },
  ],
  async run(ctx, args) {
    const parsed = parsePickArgs(cleanText(args), ctx.i18n);
    if (parsed.kind === 'help') return helpReplies(ctx.i18n);
    if (parsed.kind === 'history') return historyReplies(ctx);
    if (ctx.chat.kind === 'private') return [forGroups(ctx)];
    if (parsed.kind === 'error') throw new InvalidInputError(parsed.problem);
    return openSession(ctx, parsed.options);
  },
});

async function openSession(ctx: CoreContext, options: PickSession['options']): Promise<Reply[]> {
  const store = picksOf(ctx);
  const { session, created } = await store.open({ token: newToken(), platform: ctx.chat.platform, chatId: ctx.chat.chatId, hostIdentityId: ctx.identityId, options });
  if (!created) {
    return [{ text: ctx.tr('picks:alreadyRunning') }, await cardOf(ctx, session)];
  }
  // The host who is linked takes part from the start (running /pick is their consent); an unlinked host joins with the button.
  const account = await ctx.linkedAccount().catch(() => null);
  if (account !== null) {
    await store.join(session.id, { identityId: ctx.identityId, displayName: displayName(ctx), via: 'linked' });
    // The host's copy is brought up to date like a joiner's, for "in common so far"; the card is redrawn once it is.
    ctx.freshCopy().then(
      () => refresh(ctx, session.id),
      () => undefined,
    );
  }
  return [await cardOf(ctx, session)];
}

export const joinCommand = defineCommand({
  name: 'join',
  description: 'Join the group pick; with a Trakt username, join without linking',
  listed: true,
  options: [{ name: 'trakt_user', description: 'Your Trakt username, to join with your public profile without linking', maxLength: 100 }],
  async run(ctx, args) {
    const session = await liveSessionOf(ctx);
    const username = cleanText(args).trim();
    if (username === '') {
      const joined = await joinLinkedOrPrompt(ctx, session);
      return joined.replies;
    }
    const account = await ctx.linkedAccount().catch(() => null);
    if (account !== null) {
      await picksOf(ctx).join(session.id, { identityId: ctx.identityId, displayName: displayName(ctx), via: 'linked' });
      refresh(ctx, session.id);
      return [{ text: ctx.tr('picks:join.linked', { username: account.username }) }];
    }
    const count = await readPublicList(ctx.deps, ctx.identityId, username, ctx.now());
    await picksOf(ctx).join(session.id, { identityId: ctx.identityId, displayName: displayName(ctx), via: 'public', traktUsername: username });
    refresh(ctx, session.id);
    return [{ text: ctx.tr('picks:join.public', { name: displayName(ctx), username, count }) }];
  },
});

/** Join with the linked account, or (not linked) wait for the link and get the link flow privately. */
async function joinLinkedOrPrompt(ctx: CoreContext, session: PickSession): Promise<{ ack: string | undefined; replies: Reply[] }> {
  const store = picksOf(ctx);
  let linked = false;
  try {
    linked = (await ctx.linkedAccount()) !== null;
  } catch (error) {
    if (!(error instanceof NeedsLinkError)) throw error;
  }
  if (linked) {
    const ok = await store.join(session.id, { identityId: ctx.identityId, displayName: displayName(ctx), via: 'linked' });
    if (!ok) throw new PickError(ctx.tr('picks:join.over'));
    refresh(ctx, session.id);
    // The copy is brought up to date now, so the card's "in common" and the ballot are current.
    ctx.freshCopy().then(
      () => refresh(ctx, session.id),
      () => undefined,
    );
    return { ack: ctx.t('picks:ack.joinedCounts'), replies: [] };
  }
  const ok = await store.join(session.id, { identityId: ctx.identityId, displayName: displayName(ctx), via: 'awaiting-link' });
  if (!ok) throw new PickError(ctx.tr('picks:join.over'));
  refresh(ctx, session.id);
  // One private message: what joining needs, and the link itself (or the read-only way).
  const [link, ...rest] = await linkReplies(ctx);
  const intro: Rich = [ctx.tr('picks:join.linkFirst'), rich.line, rich.line];
  const replies = link === undefined ? [] : [{ ...link, private: true, text: [intro, link.text] }, ...rest];
  return { ack: undefined, replies };
}

/** Checks a press belongs to this chat's session; the session, or a step that says why not. */
async function sessionForPress(ctx: CoreContext, token: string): Promise<PickSession | ActionStep> {
  const session = await picksOf(ctx).byToken(token);
  if (session === undefined || session.platform !== ctx.chat.platform || session.chatId !== ctx.chat.chatId) {
    return { ack: { text: ctx.t('notices:buttonStaleAck'), alert: true } };
  }
  return session;
}

function isStep(value: PickSession | ActionStep): value is ActionStep {
  return 'ack' in value;
}

function over(ctx: CoreContext): ActionStep {
  return { ack: { text: ctx.t('picks:ack.over'), alert: true } };
}

function work(run: () => Promise<ActionOutcome>): ActionStep['work'] {
  return run;
}

/** Wraps a chat action: the press is checked against the session first. */
function sessionAction(action: string, handle: (ctx: CoreContext, session: PickSession, input: ChatActionInput) => Promise<ActionStep>) {
  return defineChatAction({
    action,
    async press(ctx, id, input) {
      const found = await sessionForPress(ctx, id);
      if (isStep(found)) return found;
      return handle(ctx, found, input);
    },
  });
}

export const pickJoinAction = sessionAction(PICK_ACTIONS.join, async (ctx, session) => {
  if (session.status !== 'gathering' && session.status !== 'voting') return over(ctx);
  const joined = await joinLinkedOrPrompt(ctx, session);
  if (joined.replies.length === 0) return { ack: { text: joined.ack ?? ctx.t('picks:ack.joined') } };
  const replies = joined.replies;
  return { ack: {}, work: work(() => Promise.resolve({ send: replies })) };
});

export const pickLeaveAction = sessionAction(PICK_ACTIONS.leave, async (ctx, session) => {
  if (session.status !== 'gathering' && session.status !== 'voting') return over(ctx);
  const left = await picksOf(ctx).leave(session.id, ctx.identityId, ctx.now());
  if (!left) return { ack: { text: ctx.t('picks:ack.notIn'), alert: true } };
  refresh(ctx, session.id);
  return { ack: { text: ctx.t(session.status === 'voting' ? 'picks:ack.leftVotes' : 'picks:ack.leftPool') } };
});

export const pickNominateAction = sessionAction(PICK_ACTIONS.nominate, (ctx, session) => {
  if (session.status !== 'gathering') return Promise.resolve(session.status === 'voting' ? { ack: { text: ctx.t('picks:ack.nominationsClosed'), alert: true } } : over(ctx));
  return Promise.resolve({ ack: { text: ctx.t('picks:ack.howToNominate'), alert: true } });
});

export const pickStartAction = sessionAction(PICK_ACTIONS.start, async (ctx, session, input) => {
  if (session.status === 'voting') return { ack: { text: ctx.t('picks:ack.alreadyStarted') } };
  if (session.status !== 'gathering') return over(ctx);
  if (!(await mayModerate(session, ctx.identityId, input.chatAdmin))) {
    return { ack: { text: ctx.t('picks:ack.startHostOnly'), alert: true } };
  }
  const members = counted(await picksOf(ctx).members(session.id));
  const nominated = await picksOf(ctx).ballot(session.id);
  if (members.length === 0 && nominated.length === 0) return { ack: { text: ctx.t('picks:ack.nobodyJoined'), alert: true } };
  return {
    ack: { text: ctx.t('picks:ack.pooling') },
    work: work(async () => {
      const started = await startVote(ctx, session);
      if (started.empty === true) {
        return { send: [{ text: ctx.tr('picks:emptyBallot') }] };
      }
      refresh(ctx, session.id);
      return {};
    }),
  };
});

export const pickVoteAction = defineChatAction({
  action: PICK_ACTIONS.vote,
  async press(ctx, id) {
    const parsed = parsePositionId(id);
    if (parsed === undefined) return { ack: { text: ctx.t('notices:buttonInvalidAck'), alert: true } };
    const found = await sessionForPress(ctx, parsed.token);
    if (isStep(found)) return found;
    return recordVote(ctx, found, (store) => store.toggleVote(found.id, ctx.identityId, parsed.position));
  },
});

export const pickBallotAction = sessionAction(PICK_ACTIONS.ballot, (ctx, session, input) => {
  const positions = (input.values ?? []).map(Number);
  if (positions.some((p) => !Number.isInteger(p) || p < 0)) return Promise.resolve({ ack: { text: ctx.t('notices:buttonInvalidAck'), alert: true } });
  return recordVote(ctx, session, (store) => store.setVotes(session.id, ctx.identityId, positions));
});

async function recordVote(ctx: CoreContext, session: PickSession, vote: (store: ReturnType<typeof storeOf>) => ReturnType<ReturnType<typeof storeOf>['toggleVote']>): Promise<ActionStep> {
  if (session.status === 'gathering') return { ack: { text: ctx.t('picks:ack.notStarted'), alert: true } };
  if (session.status !== 'voting') return { ack: { text: ctx.t('picks:ack.voteClosed'), alert: true } };
  const store = picksOf(ctx);
  const outcome = await vote(store);
  if (!outcome.ok) {
    const cap = session.cap ?? 1;
    const why: Record<typeof outcome.reason, () => string> = {
      'not-member': () => ctx.t('picks:ack.membersOnly'),
      cap: () => ctx.t('picks:ack.cap', { count: cap }),
      closed: () => ctx.t('picks:ack.voteClosed'),
      'no-such-title': () => ctx.t('notices:buttonInvalidAck'),
    };
    return { ack: { text: why[outcome.reason](), alert: true } };
  }
  refresh(ctx, session.id);
  const cap = session.cap ?? 1;
  if (outcome.approvals.length === 0) return { ack: { text: ctx.t('picks:ack.nothingYet', { cap }) } };
  const ballot = await store.ballot(session.id);
  const chosen = outcome.approvals
    .slice()
    .sort((a, b) => a - b)
    .map((p) => `${p + 1}. ${ballot.find((b) => b.position === p)?.title.title ?? '?'}`);
  return { ack: { text: ctx.t('picks:ack.approve', { list: chosen.join(', '), approved: outcome.approvals.length, cap }).slice(0, 190) } };
}

export const pickNotifyAction = sessionAction(PICK_ACTIONS.notify, async (ctx, session) => {
  if (session.status !== 'gathering' && session.status !== 'voting') return over(ctx);
  const store = picksOf(ctx);
  const me = (await store.members(session.id)).find((m) => m.identityId === ctx.identityId);
  if (me === undefined) return { ack: { text: ctx.t('picks:ack.joinFirst'), alert: true } };
  await store.setNotify(session.id, ctx.identityId, !me.notify);
  return { ack: { text: ctx.t(me.notify ? 'picks:ack.notifyOff' : 'picks:ack.notifyOn') } };
});

export const pickCloseAction = sessionAction(PICK_ACTIONS.close, async (ctx, session, input) => {
  if (session.status === 'gathering') return { ack: { text: ctx.t('picks:ack.closeNotStarted'), alert: true } };
  if (session.status !== 'voting') return over(ctx);
  if (!(await mayModerate(session, ctx.identityId, input.chatAdmin))) {
    return { ack: { text: ctx.t('picks:ack.closeHostOnly'), alert: true } };
  }
  return {
    ack: { text: ctx.t('picks:ack.closing') },
    work: work(async () => {
      await closeVote(ctx.deps, session.id, `identity:${ctx.identityId}`, ctx.groupLocale);
      return {};
    }),
  };
});

export const pickCancelAction = sessionAction(PICK_ACTIONS.cancel, async (ctx, session, input) => {
  if (session.status !== 'gathering' && session.status !== 'voting') return over(ctx);
  if (!(await mayModerate(session, ctx.identityId, input.chatAdmin))) {
    return { ack: { text: ctx.t('picks:ack.cancelHostOnly'), alert: true } };
  }
  await picksOf(ctx).finish(session.id, 'cancelled', `identity:${ctx.identityId}`, ctx.now());
  refresh(ctx, session.id);
  return { ack: { text: ctx.t('picks:ack.cancelled') } };
});

export const pickAgainAction = sessionAction(PICK_ACTIONS.again, async (ctx, session) => {
  const replies = await openSession(ctx, session.options);
  return { ack: {}, work: work(() => Promise.resolve({ send: replies })) };
});

export const pickAddAction = sessionAction(PICK_ACTIONS.add, (ctx, session) => {
  const result = session.result;
  if (session.status !== 'closed' || result?.kind !== 'winner') return Promise.resolve({ ack: { text: ctx.t('notices:buttonStaleAck'), alert: true } });
  // The write is the presser's own, with their own token, answered privately (not on the shared card).
  const title = result.title;
  return addForPresser(ctx, () => Promise.resolve(title));
});

interface NomineePayload {
  token: string;
  title: Title;
}

export const nominateCommand = defineCommand({
  name: 'nominate',
  description: 'Put a title on the group pick’s ballot',
  listed: true,
  options: [{ name: 'title', description: 'A title, an IMDb id or a Trakt link', required: true, maxLength: 200, autocomplete: 'title-ref' }],
  async run(ctx, args) {
    const session = await liveSessionOf(ctx);
    if (session.status !== 'gathering') throw new PickError(ctx.tr('picks:ack.nominationsClosed'));
    const me = (await picksOf(ctx).members(session.id)).find((m) => m.identityId === ctx.identityId);
    if (me === undefined) throw new PickError(ctx.tr('picks:nominate.joinFirst'));
    const text = cleanText(args).trim();
    if (text === '') throw new InvalidInputError(ctx.tr('picks:nominate.what'));
    const catalog = ctx.deps.trakt.catalog();
    const query = parseAddQuery(text);
    if (query.kind !== 'text') {
      const found = await lookUpReference(catalog, query, (w) => ctx.patiently(w));
      const target = found.target;
      if (target === undefined) return [{ text: ctx.tr('picks:nominate.unknownRef', { asked: found.asked }) }];
      const title = titleOf(target);
      return [await nominate(ctx, session, title)];
    }
    const titleQuery = parseTitleQuery(text);
    const { page } = await searchReadings(catalog, text, titleQuery, { types: session.options.types, page: 1, limit: NOMINEES }, (w) => ctx.patiently(w));
    const hits = page.hits.slice(0, NOMINEES);
    if (hits.length === 0) return [{ text: ctx.tr('picks:nominate.nothingFound', { text: text.slice(0, 80) }) }];
    const view = ctx.view();
    const buttons: Button[][] = hits.map((title) => [view.button(`${title.title}${title.year === null ? '' : ` (${title.year})`}`.slice(0, 60), 'pick-nominee', { token: session.token, title } satisfies NomineePayload)]);
    buttons.push([view.button(ctx.t('picks:button.cancel'), 'cancel', {})]);
    await view.save(ctx.deps.pending);
    return [{ text: [ctx.tr('picks:nominate.which')], buttons }];
  },
});

async function nominate(ctx: CoreContext, session: PickSession, title: Title): Promise<Reply> {
  const outcome = await picksOf(ctx).nominate(session.id, { itemKey: pickKey(title), title, identityId: ctx.identityId }, session.options.ballotSize);
  const target = { kind: title.type, title } as const;
  if (outcome === 'closed') return { text: ctx.tr('picks:nominate.fixed') };
  if (outcome === 'full') return { text: ctx.tr('picks:nominate.full', { count: session.options.ballotSize }) };
  if (outcome === 'already') return cardReply(target, titleCard(target, { header: ctx.tr('picks:nominate.already') }, ctx.i18n), undefined, undefined, ctx.i18n);
  refresh(ctx, session.id);
  return cardReply(target, titleCard(target, { header: ctx.tr('picks:nominate.done', { name: displayName(ctx) }) }, ctx.i18n), undefined, undefined, ctx.i18n);
}

export const nomineeAction = defineAction<NomineePayload>({
  action: 'pick-nominee',
  async run(ctx, payload) {
    const session = await picksOf(ctx).byToken(payload.token);
    if (session === undefined || session.chatId !== ctx.chat.chatId) return { edit: { text: ctx.tr('picks:noSession') } };
    if (session.status !== 'gathering') return { edit: { text: ctx.tr('picks:nominate.fixed') } };
    const me = (await picksOf(ctx).members(session.id)).find((m) => m.identityId === ctx.identityId);
    if (me === undefined) return { edit: { text: ctx.tr('picks:nominate.joinFirst') } };
    return { edit: await nominate(ctx, session, payload.title) };
  },
});

export const PICK_COMMANDS = [pickCommand, joinCommand, nominateCommand];
export const PICK_CHAT_ACTIONS = [
  pickJoinAction,
  pickLeaveAction,
  pickNominateAction,
  pickStartAction,
  pickVoteAction,
  pickBallotAction,
  pickNotifyAction,
  pickCloseAction,
  pickCancelAction,
  pickAgainAction,
  pickAddAction,
];
