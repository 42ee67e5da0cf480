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
import { NOTICES } from '../replies.js';
import { lookUpReference } from '../title-refs.js';
import { searchReadings } from '../title-search.js';
import { rich, type ActionOutcome, type ActionStep, type Button, type Reply, type Rich } from '../types.js';
import { PICK_USAGE, parsePickArgs, pickKey, type PickSession } from './model.js';
import {
  PICK_ACTIONS,
  PickError,
  TIE_BREAK_RULE,
  closeVote,
  counted,
  mayModerate,
  newToken,
  parsePositionId,
  readPublicList,
  refreshCard,
  sessionCard,
  startVote,
  storeOf,
} from './session.js';

const FOR_GROUPS: Reply = {
  text: [
    rich.bold('/pick is for groups.'),
    rich.line,
    'Add me to a Telegram group (or use me in a Discord server channel) and send /pick there: members join, their watchlists are pooled, everyone votes on what they have in common, and the result is shown to all.',
  ],
};

const NO_SESSION = 'No group pick is running in this chat. Send /pick to start one.';
const HISTORY_SHOWN = 10;
const NOMINEES = 5;

function displayName(ctx: CoreContext): string {
  return (ctx.user.displayName ?? '').trim().slice(0, 64) || `member ${ctx.user.userId.slice(-4)}`;
}

async function liveSessionOf(ctx: CoreContext): Promise<PickSession> {
  if (ctx.chat.kind === 'private') throw new PickError(FOR_GROUPS.text);
  const session = await storeOf(ctx.deps).live(ctx.chat.platform, ctx.chat.chatId);
  if (session === undefined) throw new PickError(NO_SESSION);
  return session;
}

export function pickHelpReplies(): Promise<Reply[]> {
  return Promise.resolve(helpReplies());
}

function helpReplies(): Reply[] {
  return [
    {
      text: [
        rich.bold('Group picks'),
        rich.line,
        '/pick in a group opens a vote on what to watch. Members press Join (this shares their watchlist with the vote: which titles they want, never whose list a title came from). The ballot is made from what most members want, then by Trakt rating; titles this chat picked in the last 30 days are left out. /nominate adds a title before the vote starts. Each member approves up to about a third of the ballot and can change their mind until the vote closes (the host, a moderator, or the deadline closes it).',
        rich.line,
        rich.line,
        PICK_USAGE,
        rich.line,
        'Without linking: /join followed by your Trakt username (a public profile).',
        rich.line,
        '/pick history lists this chat’s last picks.',
        rich.line,
        rich.line,
        TIE_BREAK_RULE,
      ],
    },
  ];
}

async function historyReplies(ctx: CoreContext): Promise<Reply[]> {
  if (ctx.chat.kind === 'private') return [FOR_GROUPS];
  const sessions = await storeOf(ctx.deps).history(ctx.chat.platform, ctx.chat.chatId, HISTORY_SHOWN);
  if (sessions.length === 0) return [{ text: 'This chat has not picked anything yet. Send /pick to start.' }];
  const lines: Rich[] = [rich.bold('Last picks in this chat')];
  sessions.forEach((session, i) => {
    const when = (session.closedAt ?? session.createdAt).toISOString().slice(0, 10);
    const result = session.result;
    const what: Rich =
      result === null ? 'not counted' : result.kind === 'no-votes' ? 'nobody voted' : [rich.bold(result.title.title), result.title.year === null ? '' : ` (${result.title.year})`, ` — ${result.votes} vote${result.votes === 1 ? '' : 's'}${result.rule === 'draw' ? `, drawn (seed ${result.seed ?? ''})` : ''}`];
    lines.push(rich.line, `${i + 1}. ${when} · `, what);
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
    const parsed = parsePickArgs(cleanText(args));
    if (parsed.kind === 'help') return helpReplies();
    if (parsed.kind === 'history') return historyReplies(ctx);
    if (ctx.chat.kind === 'private') return [FOR_GROUPS];
    if (parsed.kind === 'error') throw new InvalidInputError(parsed.problem);
    return openSession(ctx, parsed.options);
  },
});

async function openSession(ctx: CoreContext, options: PickSession['options']): Promise<Reply[]> {
  const store = storeOf(ctx.deps);
  const { session, created } = await store.open({ token: newToken(), platform: ctx.chat.platform, chatId: ctx.chat.chatId, hostIdentityId: ctx.identityId, options });
  if (!created) {
    return [{ text: 'A group pick is already running in this chat (one at a time). Here it is:' }, await sessionCard(ctx.deps, session)];
  }
  // The host who is linked takes part from the start (running /pick is their consent); an unlinked host joins with the button.
  const account = await ctx.linkedAccount().catch(() => null);
  if (account !== null) {
    await store.join(session.id, { identityId: ctx.identityId, displayName: displayName(ctx), via: 'linked' });
    // The host's copy is brought up to date like a joiner's, for "in common so far"; the card is redrawn once it is.
    ctx.freshCopy().then(
      () => refreshCard(ctx.deps, session.id),
      () => undefined,
    );
  }
  return [await sessionCard(ctx.deps, session)];
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
      await storeOf(ctx.deps).join(session.id, { identityId: ctx.identityId, displayName: displayName(ctx), via: 'linked' });
      refreshCard(ctx.deps, session.id);
      return [{ text: ['You are linked as ', rich.bold(account.username), ', so your linked watchlist is used. You joined the pick.'] }];
    }
    const count = await readPublicList(ctx.deps, ctx.identityId, username, ctx.now());
    await storeOf(ctx.deps).join(session.id, { identityId: ctx.identityId, displayName: displayName(ctx), via: 'public', traktUsername: username });
    refreshCard(ctx.deps, session.id);
    return [{ text: [`${displayName(ctx)} joined read-only with the public Trakt profile `, rich.bold(username), ` (${count} title${count === 1 ? '' : 's'} on its watchlist).`] }];
  },
});

/** Join with the linked account, or (not linked) wait for the link and get the link flow privately. */
async function joinLinkedOrPrompt(ctx: CoreContext, session: PickSession): Promise<{ ack: string | undefined; replies: Reply[] }> {
  const store = storeOf(ctx.deps);
  let linked = false;
  try {
    linked = (await ctx.linkedAccount()) !== null;
  } catch (error) {
    if (!(error instanceof NeedsLinkError)) throw error;
  }
  if (linked) {
    const ok = await store.join(session.id, { identityId: ctx.identityId, displayName: displayName(ctx), via: 'linked' });
    if (!ok) throw new PickError('This pick is over.');
    refreshCard(ctx.deps, session.id);
    // The copy is brought up to date now, so the card's "in common" and the ballot are current.
    ctx.freshCopy().then(
      () => refreshCard(ctx.deps, session.id),
      () => undefined,
    );
    return { ack: 'You joined: your watchlist counts for this pick.', replies: [] };
  }
  const ok = await store.join(session.id, { identityId: ctx.identityId, displayName: displayName(ctx), via: 'awaiting-link' });
  if (!ok) throw new PickError('This pick is over.');
  refreshCard(ctx.deps, session.id);
  // One private message: what joining needs, and the link itself (or the read-only way).
  const [link, ...rest] = await linkReplies(ctx);
  const intro: Rich = [
    rich.bold('To join the group pick, link your Trakt account'),
    ' (you are counted as soon as it is linked). Rather not link? Send ',
    rich.code('/join your-trakt-username'),
    ' in the group to join with your public profile instead.',
    rich.line,
    rich.line,
  ];
  const replies = link === undefined ? [] : [{ ...link, private: true, text: [intro, link.text] }, ...rest];
  return { ack: undefined, replies };
}

/** Checks a press belongs to this chat's session; the session, or a step that says why not. */
async function sessionForPress(ctx: CoreContext, token: string): Promise<PickSession | ActionStep> {
  const session = await storeOf(ctx.deps).byToken(token);
  if (session === undefined || session.platform !== ctx.chat.platform || session.chatId !== ctx.chat.chatId) {
    return { ack: { text: NOTICES.buttonStale, alert: true } };
  }
  return session;
}

function isStep(value: PickSession | ActionStep): value is ActionStep {
  return 'ack' in value;
}

const OVER: ActionStep = { ack: { text: 'This pick is over. Send /pick to start a new one.', alert: true } };

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
  if (session.status !== 'gathering' && session.status !== 'voting') return OVER;
  const joined = await joinLinkedOrPrompt(ctx, session);
  if (joined.replies.length === 0) return { ack: { text: joined.ack ?? 'You joined.' } };
  const replies = joined.replies;
  return { ack: {}, work: work(() => Promise.resolve({ send: replies })) };
});

export const pickLeaveAction = sessionAction(PICK_ACTIONS.leave, async (ctx, session) => {
  if (session.status !== 'gathering' && session.status !== 'voting') return OVER;
  const left = await storeOf(ctx.deps).leave(session.id, ctx.identityId, ctx.now());
  if (!left) return { ack: { text: 'You are not in this pick.', alert: true } };
  refreshCard(ctx.deps, session.id);
  return { ack: { text: session.status === 'voting' ? 'You left the pick; your votes were withdrawn.' : 'You left the pick; your watchlist is no longer pooled.' } };
});

export const pickNominateAction = sessionAction(PICK_ACTIONS.nominate, (_ctx, session) => {
  if (session.status !== 'gathering') return Promise.resolve(session.status === 'voting' ? NOMINATIONS_CLOSED : OVER);
  return Promise.resolve({ ack: { text: 'To nominate, send /nominate followed by a title, an IMDb id or a Trakt link (members of the pick only).', alert: true } });
});

const NOMINATIONS_CLOSED: ActionStep = { ack: { text: 'Voting has started: the ballot is fixed. Nominate in the next pick.', alert: true } };

export const pickStartAction = sessionAction(PICK_ACTIONS.start, async (ctx, session, input) => {
  if (session.status === 'voting') return { ack: { text: 'The vote has already started.' } };
  if (session.status !== 'gathering') return OVER;
  if (!(await mayModerate(session, ctx.identityId, input.chatAdmin))) {
    return { ack: { text: 'Only the host (who sent /pick) or a moderator of this chat can start the vote.', alert: true } };
  }
  const members = counted(await storeOf(ctx.deps).members(session.id));
  const nominated = await storeOf(ctx.deps).ballot(session.id);
  if (members.length === 0 && nominated.length === 0) return { ack: { text: 'Nobody has joined yet: press Join first.', alert: true } };
  return {
    ack: { text: 'Pooling the watchlists…' },
    work: work(async () => {
      const started = await startVote(ctx, session);
      if (started.empty === true) {
        return { send: [{ text: 'Nothing to vote on: the members’ watchlists have no titles that match this pick’s filters. Nominate something with /nominate, or Cancel and start a pick with other filters.' }] };
      }
      refreshCard(ctx.deps, session.id);
      return {};
    }),
  };
});

export const pickVoteAction = defineChatAction({
  action: PICK_ACTIONS.vote,
  async press(ctx, id) {
    const parsed = parsePositionId(id);
    if (parsed === undefined) return { ack: { text: NOTICES.buttonInvalid, alert: true } };
    const found = await sessionForPress(ctx, parsed.token);
    if (isStep(found)) return found;
    return recordVote(ctx, found, (store) => store.toggleVote(found.id, ctx.identityId, parsed.position));
  },
});

export const pickBallotAction = sessionAction(PICK_ACTIONS.ballot, (ctx, session, input) => {
  const positions = (input.values ?? []).map(Number);
  if (positions.some((p) => !Number.isInteger(p) || p < 0)) return Promise.resolve({ ack: { text: NOTICES.buttonInvalid, alert: true } });
  return recordVote(ctx, session, (store) => store.setVotes(session.id, ctx.identityId, positions));
});

async function recordVote(ctx: CoreContext, session: PickSession, vote: (store: ReturnType<typeof storeOf>) => ReturnType<ReturnType<typeof storeOf>['toggleVote']>): Promise<ActionStep> {
  if (session.status === 'gathering') return { ack: { text: 'The vote has not started yet.', alert: true } };
  if (session.status !== 'voting') return { ack: { text: 'This vote is closed.', alert: true } };
  const store = storeOf(ctx.deps);
  const outcome = await vote(store);
  if (!outcome.ok) {
    const cap = session.cap ?? 1;
    const why: Record<typeof outcome.reason, string> = {
      'not-member': 'Only members who joined can vote: press 🙋 Join first.',
      cap: `You can approve up to ${cap} title${cap === 1 ? '' : 's'}. Press one of yours again to take it back first.`,
      closed: 'This vote is closed.',
      'no-such-title': NOTICES.buttonInvalid,
    };
    return { ack: { text: why[outcome.reason], alert: true } };
  }
  refreshCard(ctx.deps, session.id);
  const cap = session.cap ?? 1;
  if (outcome.approvals.length === 0) return { ack: { text: `You approve nothing yet (up to ${cap}).` } };
  const ballot = await store.ballot(session.id);
  const chosen = outcome.approvals
    .slice()
    .sort((a, b) => a - b)
    .map((p) => `${p + 1}. ${ballot.find((b) => b.position === p)?.title.title ?? '?'}`);
  return { ack: { text: `✓ You approve ${chosen.join(', ')} (${outcome.approvals.length} of ${cap}).`.slice(0, 190) } };
}

export const pickNotifyAction = sessionAction(PICK_ACTIONS.notify, async (ctx, session) => {
  if (session.status !== 'gathering' && session.status !== 'voting') return OVER;
  const store = storeOf(ctx.deps);
  const me = (await store.members(session.id)).find((m) => m.identityId === ctx.identityId);
  if (me === undefined) return { ack: { text: 'Join the pick first.', alert: true } };
  await store.setNotify(session.id, ctx.identityId, !me.notify);
  return { ack: { text: me.notify ? '🔕 No private message about the result.' : '🔔 I will tell you the result privately too.' } };
});

export const pickCloseAction = sessionAction(PICK_ACTIONS.close, async (ctx, session, input) => {
  if (session.status === 'gathering') return { ack: { text: 'The vote has not started yet: Start vote first, or Cancel.', alert: true } };
  if (session.status !== 'voting') return OVER;
  if (!(await mayModerate(session, ctx.identityId, input.chatAdmin))) {
    return { ack: { text: 'Only the host (who sent /pick) or a moderator of this chat can close the vote. It closes on its own at the deadline.', alert: true } };
  }
  return {
    ack: { text: 'Closing the vote…' },
    work: work(async () => {
      await closeVote(ctx.deps, session.id, `identity:${ctx.identityId}`);
      return {};
    }),
  };
});

export const pickCancelAction = sessionAction(PICK_ACTIONS.cancel, async (ctx, session, input) => {
  if (session.status !== 'gathering' && session.status !== 'voting') return OVER;
  if (!(await mayModerate(session, ctx.identityId, input.chatAdmin))) {
    return { ack: { text: 'Only the host (who sent /pick) or a moderator of this chat can cancel the pick.', alert: true } };
  }
  await storeOf(ctx.deps).finish(session.id, 'cancelled', `identity:${ctx.identityId}`, ctx.now());
  refreshCard(ctx.deps, session.id);
  return { ack: { text: 'Pick cancelled.' } };
});

export const pickAgainAction = sessionAction(PICK_ACTIONS.again, async (ctx, session) => {
  const replies = await openSession(ctx, session.options);
  return { ack: {}, work: work(() => Promise.resolve({ send: replies })) };
});

export const pickAddAction = sessionAction(PICK_ACTIONS.add, (ctx, session) => {
  const result = session.result;
  if (session.status !== 'closed' || result?.kind !== 'winner') return Promise.resolve({ ack: { text: NOTICES.buttonStale, alert: true } });
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
    if (session.status !== 'gathering') throw new PickError('Voting has started: the ballot is fixed. Nominate in the next pick.');
    const me = (await storeOf(ctx.deps).members(session.id)).find((m) => m.identityId === ctx.identityId);
    if (me === undefined) throw new PickError('Join the pick first (press 🙋 Join on its card), then nominate.');
    const text = cleanText(args).trim();
    if (text === '') throw new InvalidInputError(['Tell me what to nominate, e.g. ', rich.code('/nominate dune 2021'), ', an IMDb id or a Trakt link.']);
    const catalog = ctx.deps.trakt.catalog();
    const query = parseAddQuery(text);
    if (query.kind !== 'text') {
      const found = await lookUpReference(catalog, query, (w) => ctx.patiently(w));
      const target = found.target;
      if (target === undefined) return [{ text: `Trakt does not know ${found.asked}. Check the id or the link, or type the title.` }];
      const title = titleOf(target);
      return [await nominate(ctx, session, title)];
    }
    const titleQuery = parseTitleQuery(text);
    const { page } = await searchReadings(catalog, text, titleQuery, { types: session.options.types, page: 1, limit: NOMINEES }, (w) => ctx.patiently(w));
    const hits = page.hits.slice(0, NOMINEES);
    if (hits.length === 0) return [{ text: `I found nothing for “${text.slice(0, 80)}”. Try fewer words or check the spelling.` }];
    const view = ctx.view();
    const buttons: Button[][] = hits.map((title) => [view.button(`${title.title}${title.year === null ? '' : ` (${title.year})`}`.slice(0, 60), 'pick-nominee', { token: session.token, title } satisfies NomineePayload)]);
    buttons.push([view.button('✖ Cancel', 'cancel', {})]);
    await view.save(ctx.deps.pending);
    return [{ text: ['Which one do you nominate for the pick?'], buttons }];
  },
});

async function nominate(ctx: CoreContext, session: PickSession, title: Title): Promise<Reply> {
  const outcome = await storeOf(ctx.deps).nominate(session.id, { itemKey: pickKey(title), title, identityId: ctx.identityId }, session.options.ballotSize);
  const target = { kind: title.type, title } as const;
  if (outcome === 'closed') return { text: 'Voting has started (or the pick is over): the ballot is fixed.' };
  if (outcome === 'full') return { text: `The ballot is full (${session.options.ballotSize} nominations). Start the vote, or nominate in the next pick.` };
  if (outcome === 'already') return cardReply(target, titleCard(target, { header: 'Already nominated for this pick.' }));
  refreshCard(ctx.deps, session.id);
  return cardReply(target, titleCard(target, { header: `➕ Nominated for the group pick by ${displayName(ctx)}.` }));
}

export const nomineeAction = defineAction<NomineePayload>({
  action: 'pick-nominee',
  async run(ctx, payload) {
    const session = await storeOf(ctx.deps).byToken(payload.token);
    if (session === undefined || session.chatId !== ctx.chat.chatId) return { edit: { text: NO_SESSION } };
    if (session.status !== 'gathering') return { edit: { text: 'Voting has started (or the pick is over): the ballot is fixed.' } };
    const me = (await storeOf(ctx.deps).members(session.id)).find((m) => m.identityId === ctx.identityId);
    if (me === undefined) return { edit: { text: 'Join the pick first (press 🙋 Join on its card), then nominate.' } };
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
