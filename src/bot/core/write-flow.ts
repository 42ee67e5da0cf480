import { cardReply, titleCard, usageText } from './cards.js';
import { PATIENCE_EXCEEDED, raceTimeout, type CoreContext } from './context.js';
import { AccountLockedError, NeedsLinkError, TraktUnavailableError, WatchlistFullError } from './errors.js';
import type { UndoOutcome, WriteOutcome } from '../../watchlist/writer.js';
import type { JournalEntry, LinkedAccount, Target } from './ports.js';
import { errorReply, formatMinutes, linkPrompt, logActionFailure, watchlistFullReply } from './replies.js';
import { targetKey, targetLabel } from './targets.js';
import type { Translator } from './i18n/index.js';
import { plainText, type ActionOutcome, type Button, type Reply, type Rich } from './types.js';
import type { SearchState } from './commands/search.js';

/**
 * What the user sees of watchlist writes: Confirm, the outcome edited in place with Undo, and Undo
 * itself. The writing (Trakt, journal, local copy) is the watchlist writer's (src/watchlist); this
 * file only turns its typed outcome into cards. A write that outlasts the user's patience keeps going;
 * the message says so and is updated again when Trakt answers.
 */
export type WriteOp = 'add' | 'remove';

export interface ConfirmPayload {
  op: WriteOp;
  targets: Target[];
  /** The search the card came from: after an undo the card offers Back to results. */
  back?: SearchState;
}

export interface UndoPayload {
  journalId: number;
  target: Target;
  back?: SearchState;
}

export type Settled<T> = { ok: true; result: T } | { ok: false; error: unknown };

function settle<T>(work: Promise<T>): Promise<Settled<T>> {
  return work.then(
    (result): Settled<T> => ({ ok: true, result }),
    (error: unknown): Settled<T> => ({ ok: false, error }),
  );
}

/** How many titles a note about a batch names. */
const NAMED_IN_NOTE = 10;
/** Titles Trakt takes in one request (the client splits larger writes): a write of more takes several. */
const TITLES_PER_REQUEST = 100;

function namesOf(targets: readonly Target[], i18n: Translator): string {
  const labels = targets.map((t) => targetLabel(t, i18n));
  return labels.length > NAMED_IN_NOTE
    ? i18n.t('write:namesAndMore', { names: labels.slice(0, NAMED_IN_NOTE).join(', '), count: labels.length - NAMED_IN_NOTE })
    : labels.join(', ');
}

/** For a write of several targets: a line naming the ones after the first (the card shows the first). */
export function batchNote(targets: readonly Target[], i18n: Translator): Rich[] {
  if (targets.length < 2) return [];
  const others = targets.slice(1).map((t) => targetLabel(t, i18n));
  if (others.length === 1) return [i18n.tr('write:batch.togetherWithOne', { name: others[0] ?? '' })];
  // A bulk change names the first few; the count says the rest.
  const named = others.length > NAMED_IN_NOTE ? [...others.slice(0, NAMED_IN_NOTE), i18n.t('write:batch.andMore', { count: others.length - NAMED_IN_NOTE })] : others;
  return [i18n.tr('write:batch.togetherWith', { count: others.length, names: named.join(', ') })];
}

/** Runs the write within the user's patience; a slow write is reported and followed up. */
export async function patientWrite<T>(
  ctx: CoreContext,
  work: Promise<T>,
  slowCard: Reply,
  finish: (settled: Settled<T>) => Promise<ActionOutcome>,
  patienceMs = ctx.options.traktPatienceMs,
): Promise<ActionOutcome> {
  const settled = settle(work);
  const first = await raceTimeout(settled, patienceMs);
  if (first !== PATIENCE_EXCEEDED) return finish(first);
  return { edit: slowCard, followUp: settled.then(finish) };
}

export function headerCard(ctx: CoreContext, target: Target, header: Rich, footer: Rich[] = [], buttons?: Button[][]): Reply {
  return cardReply(target, titleCard(target, { header, footer }, ctx.i18n), buttons, ctx.owner, ctx.i18n);
}

async function usageLine(ctx: CoreContext, itemCount: number | undefined): Promise<Rich[]> {
  // How full someone's watchlist is concerns them alone: not said on a card in a group.
  if (itemCount === undefined || ctx.chat.kind === 'group') return [];
  const account = await ctx.linkedAccount().catch((): LinkedAccount | null => null);
  return account === null ? [] : [ctx.tr('write:usage', { usage: usageText(itemCount, account, ctx.i18n) })];
}

/**
 * Starts reading what a private card's usage line needs (the account) while a write is on its way to
 * Trakt, so that it is at hand when the answer is: the card then waits for its buttons alone.
 */
export function readUsageAhead(ctx: CoreContext): void {
  if (ctx.chat.kind !== 'group') void ctx.linkedAccount().catch(() => null);
}

/** A failed write, as the user should see it on the card. */
async function failureCard(ctx: CoreContext, target: Target, error: unknown, retry: () => Promise<Button[][]>): Promise<Reply> {
  // The answers below are the user's to act on; each failed write is logged once, with its reason.
  const answered = error instanceof NeedsLinkError || error instanceof WatchlistFullError || error instanceof AccountLockedError || error instanceof TraktUnavailableError;
  if (answered) logActionFailure(ctx.deps.logger, error, { identityId: ctx.identityId, step: 'watchlist-write' });
  if (error instanceof NeedsLinkError) return linkPrompt(error.relink, ctx.i18n);
  if (error instanceof WatchlistFullError) {
    const state = await ctx.deps.watchlists.state(ctx.identityId).catch(() => undefined);
    const full = watchlistFullReply(error, state?.itemCount, ctx.i18n);
    return headerCard(ctx, target, full.text, [], full.buttons);
  }
  if (error instanceof AccountLockedError) return headerCard(ctx, target, error.replyIn(ctx.i18n));
  if (error instanceof TraktUnavailableError) {
    return headerCard(ctx, target, `${plainText(error.replyIn(ctx.i18n))} ${ctx.t('write:nothingWasChanged')}`, [], await retry());
  }
  const apology = errorReply(error, ctx.deps.logger, { identityId: ctx.identityId, step: 'watchlist-write' }, ctx.i18n);
  return headerCard(ctx, target, apology.text);
}

async function confirmButtons(ctx: CoreContext, payload: ConfirmPayload): Promise<Button[][]> {
  const view = ctx.view();
  const buttons = [
    [view.button(ctx.t(payload.op === 'add' ? 'write:button.confirmAgain' : 'write:button.confirmRemoveAgain'), 'confirm', payload, 'primary')],
    [view.button(ctx.t('cards:button.cancel'), 'cancel', { target: payload.targets[0] })],
  ];
  await view.save(ctx.deps.pending);
  return buttons;
}

async function undoButtons(ctx: CoreContext, entry: JournalEntry, target: Target, back?: SearchState): Promise<Button[][]> {
  const expires = entry.createdAt.getTime() + ctx.options.undoWindowMs - ctx.now().getTime();
  if (expires <= 0) return [];
  const view = ctx.view(expires);
  const buttons = [[view.button(ctx.t('write:button.undo'), 'undo', { journalId: entry.id, target, ...(back ? { back } : {}) } satisfies UndoPayload)]];
  await view.save(ctx.deps.pending);
  return buttons;
}

/**
 * After an undo, so the card keeps a way on: the same Confirm for what the undo changed back (Add
 * again, Remove again), and Back to results when the card came from a search.
 */
async function againButtons(ctx: CoreContext, op: WriteOp, targets: Target[], back: SearchState | undefined): Promise<Button[][]> {
  const view = ctx.view();
  const again: ConfirmPayload = { op, targets, ...(back ? { back } : {}) };
  const buttons: Button[][] = [
    [op === 'add' ? view.button(ctx.t('write:button.addAgain'), 'confirm', again, 'primary') : view.button(ctx.t('write:button.removeAgain'), 'confirm', again, 'danger')],
  ];
  // The search card's own Previous/Next state: its page action redraws it.
  if (back !== undefined) buttons.push([view.button(ctx.t('search:button.backToResults'), 'page', back)]);
  await view.save(ctx.deps.pending);
  return buttons;
}

/** For a batch: the titles this write did not change (already listed, not found), in one line. */
function unchangedNote(outcome: WriteOutcome, i18n: Translator): Rich[] {
  if (outcome.requested.length < 2) return [];
  const lines: Rich[] = [];
  if (outcome.op === 'add' && outcome.unchanged.length > 0) {
    lines.push(i18n.tr('write:batch.alreadyListed', { names: namesOf(outcome.unchanged, i18n) }));
  }
  if (outcome.notFound.length > 0) lines.push(i18n.tr('write:batch.notFound', { names: namesOf(outcome.notFound, i18n) }));
  return lines;
}

/** The card after a confirmed write: what changed, how full the watchlist is, and Undo. */
export async function writtenCard(ctx: CoreContext, payload: ConfirmPayload, outcome: WriteOutcome): Promise<Reply | undefined> {
  const [target] = payload.targets;
  if (target === undefined) return undefined;
  const nothing = outcome.changed.length === 0 && outcome.uncertain.length === 0;
  if (nothing) {
    const header =
      payload.op === 'remove'
        ? ctx.t('write:nothing.notListed')
        : outcome.unchanged.length > 0
          ? ctx.t('write:nothing.alreadyListed')
          : ctx.t('write:nothing.notFound');
    return headerCard(ctx, target, header);
  }
  const { entry } = outcome;
  const undoable = entry.targets.length > 0;
  // The account (for the usage line) is read while the Undo button is stored: one wait, not two.
  const [usage, buttons] = await Promise.all([usageLine(ctx, outcome.itemCount), undoable ? undoButtons(ctx, entry, target, payload.back) : undefined]);
  const footer = [
    ...batchNote(payload.targets, ctx.i18n),
    ...unchangedNote(outcome, ctx.i18n),
    ...usage,
    ...(undoable ? [ctx.tr('write:undoFor', { duration: formatMinutes(ctx.options.undoWindowMs, ctx.i18n) })] : []),
  ];
  const header = ctx.t(payload.op === 'add' ? 'write:added' : 'write:removed');
  return headerCard(ctx, target, header, footer, buttons);
}

/** The card after a write Trakt refused or could not take (with Confirm again where that can help). */
export function refusedCard(ctx: CoreContext, payload: ConfirmPayload, target: Target, error: unknown): Promise<Reply> {
  return failureCard(ctx, target, error, () => confirmButtons(ctx, payload));
}

/** Confirm pressed: write through the watchlist writer and show the outcome with Undo. */
export async function runConfirmedWrite(ctx: CoreContext, payload: ConfirmPayload): Promise<ActionOutcome> {
  const [target] = payload.targets;
  if (target === undefined) return {};
  const work = ctx.writer.write({ identityId: ctx.identityId, op: payload.op, targets: payload.targets });
  readUsageAhead(ctx);
  return patientWrite(ctx, work, slowCard(ctx, target, payload.op, payload.targets.length), async (settled) => {
    if (!settled.ok) return { edit: await refusedCard(ctx, payload, target, settled.error) };
    const card = await writtenCard(ctx, payload, settled.result);
    return card === undefined ? {} : { edit: card };
  }, writePatienceMs(ctx, payload.targets.length));
}

/** How long the card waits for a write before saying it is under way: a write of several requests says so at once. */
export function writePatienceMs(ctx: CoreContext, count: number): number {
  return count > TITLES_PER_REQUEST ? 0 : ctx.options.traktPatienceMs;
}

/** What a write's card says while Trakt is slow to answer (or while a large batch goes through). */
export function slowCard(ctx: CoreContext, target: Target, op: WriteOp, count = 1): Reply {
  if (count > TITLES_PER_REQUEST) {
    // One write, several requests to Trakt: the card says so and is edited to the outcome when all are done.
    const requests = Math.ceil(count / TITLES_PER_REQUEST);
    const params = { count, perRequest: TITLES_PER_REQUEST, requests };
    return headerCard(ctx, target, ctx.t(op === 'add' ? 'write:slow.addingMany' : 'write:slow.removingMany', params));
  }
  return headerCard(ctx, target, ctx.t(op === 'add' ? 'write:slow.adding' : 'write:slow.removing'));
}

/** Undo of a journal entry (from its button or from /undo): takes back exactly what that write changed. */
export async function runUndo(ctx: CoreContext, journalId: number, target: Target | undefined, back?: SearchState): Promise<ActionOutcome> {
  const work = ctx.writer.undo({ identityId: ctx.identityId, journalId, windowMs: ctx.options.undoWindowMs });
  readUsageAhead(ctx);
  const slowTarget = target;
  const slow: Reply =
    slowTarget === undefined
      ? { text: ctx.t('write:slow.undoing') }
      : headerCard(ctx, slowTarget, ctx.t('write:slow.undoing'));

  return patientWrite<UndoOutcome>(ctx, work, slow, async (settled) => {
    if (!settled.ok) throw settled.error;
    const undo = settled.result;
    if (undo.kind === 'not-undoable') {
      return target === undefined
        ? { edit: { text: ctx.t('write:undo.alreadyUndone') } }
        : { edit: headerCard(ctx, target, ctx.t('write:undo.alreadyUndone')) };
    }
    const { entry } = undo;
    // The card shows what the user pressed on; the words name what was really taken back.
    const shown = target ?? entry.targets[0];
    if (shown === undefined) return {};
    if (undo.kind === 'too-late') {
      return { edit: headerCard(ctx, shown, ctx.t('write:undo.tooLate', { duration: formatMinutes(ctx.options.undoWindowMs, ctx.i18n) })) };
    }
    if (undo.kind === 'failed') {
      return { edit: await failureCard(ctx, shown, undo.error, () => undoButtons(ctx, entry, shown, back)) };
    }
    const named = entry.targets.some((t) => targetKey(t) === targetKey(shown)) ? shown : (entry.targets[0] ?? shown);
    const header = ctx.t(entry.kind === 'add' ? 'write:undo.undoneAdd' : 'write:undo.undoneRemove', { name: targetLabel(named, ctx.i18n) });
    const others = [named, ...entry.targets.filter((t) => targetKey(t) !== targetKey(named))];
    const [usage, buttons] = await Promise.all([usageLine(ctx, undo.write.itemCount), againButtons(ctx, entry.kind === 'add' ? 'add' : 'remove', others, back)]);
    const footer = [...batchNote(others, ctx.i18n), ...usage];
    return { edit: headerCard(ctx, shown, header, footer, buttons) };
  });
}
