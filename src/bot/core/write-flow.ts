import { batchNote } from './batch-add.js';
import { cardReply, titleCard, usageText } from './cards.js';
import { PATIENCE_EXCEEDED, raceTimeout, type CoreContext } from './context.js';
import { AccountLockedError, NeedsLinkError, TraktUnavailableError, WatchlistFullError } from './errors.js';
import type { JournalEntry, LinkedAccount, Target, WatchlistWriteResult } from './ports.js';
import { errorReply, formatMinutes, linkPrompt, watchlistFullReply } from './replies.js';
import { targetLabel } from './targets.js';
import { plainText, rich, type ActionOutcome, type Button, type Reply, type Rich } from './types.js';

/**
 * Writes to the watchlist and what the user sees of them: Confirm, the outcome edited in place with
 * Undo, and Undo itself. A write that outlasts the user's patience keeps going; the message says so and
 * is updated again when Trakt answers.
 */
export type WriteOp = 'add' | 'remove';

export interface ConfirmPayload {
  op: WriteOp;
  targets: Target[];
}

export interface UndoPayload {
  journalId: number;
  target: Target;
}

type Settled = { ok: true; result: WatchlistWriteResult } | { ok: false; error: unknown };

function total(counts: WatchlistWriteResult['changed']): number {
  return counts.movies + counts.shows + counts.seasons + counts.episodes;
}

function settle(work: Promise<WatchlistWriteResult>): Promise<Settled> {
  return work.then(
    (result): Settled => ({ ok: true, result }),
    (error: unknown): Settled => ({ ok: false, error }),
  );
}

/** Runs the write within the user's patience; a slow write is reported and followed up. */
async function patientWrite(
  ctx: CoreContext,
  work: Promise<WatchlistWriteResult>,
  slowCard: Reply,
  finish: (settled: Settled) => Promise<ActionOutcome>,
): Promise<ActionOutcome> {
  const settled = settle(work);
  const first = await raceTimeout(settled, ctx.options.traktPatienceMs);
  if (first !== PATIENCE_EXCEEDED) return finish(first);
  return { edit: slowCard, followUp: settled.then(finish) };
}

function headerCard(target: Target, header: Rich, footer: Rich[] = [], buttons?: Button[][]): Reply {
  return cardReply(target, titleCard(target, { header, footer }), buttons);
}

async function usageLine(ctx: CoreContext, itemCount: number | undefined): Promise<Rich[]> {
  if (itemCount === undefined) return [];
  const account = await ctx.linkedAccount().catch((): LinkedAccount | null => null);
  return account === null ? [] : [rich.italic(`Watchlist: ${usageText(itemCount, account)}`)];
}

/** A failed write, as the user should see it on the card. */
async function failureCard(ctx: CoreContext, target: Target, error: unknown, retry: () => Promise<Button[][]>): Promise<Reply> {
  if (error instanceof NeedsLinkError) return linkPrompt(error.relink);
  if (error instanceof WatchlistFullError) {
    const state = await ctx.deps.watchlists.state(ctx.identityId).catch(() => undefined);
    const full = watchlistFullReply(error, state?.itemCount);
    return headerCard(target, full.text, [], full.buttons);
  }
  if (error instanceof AccountLockedError) return headerCard(target, error.reply);
  if (error instanceof TraktUnavailableError) {
    return headerCard(target, `${plainText(error.reply)} Nothing was changed.`, [], await retry());
  }
  const apology = errorReply(error, ctx.deps.logger, { identityId: ctx.identityId, step: 'watchlist-write' });
  return headerCard(target, apology.text);
}

async function confirmButtons(ctx: CoreContext, payload: ConfirmPayload): Promise<Button[][]> {
  const view = ctx.view();
  const buttons = [
    [view.button(payload.op === 'add' ? '✅ Confirm again' : '🗑 Confirm remove again', 'confirm', payload, 'primary')],
    [view.button('✖ Cancel', 'cancel', { target: payload.targets[0] })],
  ];
  await view.save(ctx.deps.pending);
  return buttons;
}

async function undoButtons(ctx: CoreContext, entry: JournalEntry, target: Target): Promise<Button[][]> {
  const expires = entry.createdAt.getTime() + ctx.options.undoWindowMs - ctx.now().getTime();
  if (expires <= 0) return [];
  const view = ctx.view(expires);
  const buttons = [[view.button('↩ Undo', 'undo', { journalId: entry.id, target } satisfies UndoPayload)]];
  await view.save(ctx.deps.pending);
  return buttons;
}

/** Confirm pressed: write, journal, update the copy, and show the outcome with Undo. */
export async function runConfirmedWrite(ctx: CoreContext, payload: ConfirmPayload): Promise<ActionOutcome> {
  const [target] = payload.targets;
  if (target === undefined) return {};
  const trakt = await ctx.traktForUser();
  const work = payload.op === 'add' ? trakt.add(payload.targets) : trakt.remove(payload.targets);
  const verb = payload.op === 'add' ? 'Adding' : 'Removing';
  const slow = headerCard(target, `⏳ ${verb}… Trakt is slow to answer; I will update this message when it does.`);

  return patientWrite(ctx, work, slow, async (settled) => {
    if (!settled.ok) return { edit: await failureCard(ctx, target, settled.error, () => confirmButtons(ctx, payload)) };
    const { result } = settled;
    const changed = total(result.changed);
    if (payload.op === 'add') {
      if (changed === 0) {
        // Nothing to undo. Trakt's own answer decides; the copy is re-read next time.
        await ctx.deps.watchlists.setActivity(ctx.identityId, null).catch(() => undefined);
        const header =
          total(result.existing) > 0
            ? 'Already on your watchlist, so nothing changed.'
            : 'Trakt could not find this title, so nothing changed.';
        return { edit: headerCard(target, header) };
      }
      const entry = await ctx.deps.journal.record({ identityId: ctx.identityId, kind: 'add', targets: payload.targets, result });
      const count = await ctx.copy.applyOwnWrite(ctx, { added: payload.targets }, result);
      const footer = [...batchNote(payload.targets), ...(await usageLine(ctx, count)), rich.italic(`You can undo this for ${formatMinutes(ctx.options.undoWindowMs)}.`)];
      return { edit: headerCard(target, '✅ Added to your watchlist.', footer, await undoButtons(ctx, entry, target)) };
    }
    if (changed === 0) {
      await ctx.deps.watchlists.setActivity(ctx.identityId, null).catch(() => undefined);
      return { edit: headerCard(target, 'It was not on your watchlist any more, so nothing changed.') };
    }
    const entry = await ctx.deps.journal.record({ identityId: ctx.identityId, kind: 'remove', targets: payload.targets, result });
    const count = await ctx.copy.applyOwnWrite(ctx, { removed: payload.targets }, result);
    const footer = [...batchNote(payload.targets), ...(await usageLine(ctx, count)), rich.italic(`You can undo this for ${formatMinutes(ctx.options.undoWindowMs)}.`)];
    return { edit: headerCard(target, '🗑 Removed from your watchlist.', footer, await undoButtons(ctx, entry, target)) };
  });
}

/** Undo of a journal entry (from its button or from /undo). */
export async function runUndo(ctx: CoreContext, journalId: number, target: Target | undefined): Promise<ActionOutcome> {
  const entry = await ctx.deps.journal.claimUndo(journalId, ctx.identityId, ctx.now());
  if (entry === undefined) {
    return target === undefined
      ? { edit: { text: 'That change was already undone.' } }
      : { edit: headerCard(target, 'That change was already undone.') };
  }
  const shown = target ?? entry.targets[0];
  if (shown === undefined) return {};
  if (ctx.now().getTime() - entry.createdAt.getTime() > ctx.options.undoWindowMs) {
    await ctx.deps.journal.releaseUndo(entry.id);
    return { edit: headerCard(shown, `Too late to undo: changes can be undone for ${formatMinutes(ctx.options.undoWindowMs)}.`) };
  }
  let trakt;
  try {
    trakt = await ctx.traktForUser();
  } catch (error) {
    await ctx.deps.journal.releaseUndo(entry.id);
    throw error;
  }
  const work = entry.kind === 'add' ? trakt.remove(entry.targets) : trakt.add(entry.targets);
  const slow = headerCard(shown, '⏳ Undoing… Trakt is slow to answer; I will update this message when it does.');

  return patientWrite(ctx, work, slow, async (settled) => {
    if (!settled.ok) {
      await ctx.deps.journal.releaseUndo(entry.id);
      return { edit: await failureCard(ctx, shown, settled.error, () => undoButtons(ctx, entry, shown)) };
    }
    const change = entry.kind === 'add' ? { removed: entry.targets } : { added: entry.targets };
    const count = await ctx.copy.applyOwnWrite(ctx, change, settled.result);
    const header =
      entry.kind === 'add'
        ? `↩ Undone: ${targetLabel(shown)} is off your watchlist again.`
        : `↩ Undone: ${targetLabel(shown)} is back on your watchlist.`;
    return { edit: headerCard(shown, header, [...batchNote(entry.targets), ...(await usageLine(ctx, count))]) };
  });
}
