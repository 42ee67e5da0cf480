import type { ViewBuilder } from './actions.js';
import type { SearchState } from './commands/search.js';
import type { CoreContext } from './context.js';
import { defineAction } from './handlers.js';
import type { Target, Title } from './ports.js';
import { kindWord, targetKey, targetLabel, titleTarget } from './targets.js';
import type { Translator } from './i18n/index.js';
import { listedLines } from './selection.js';
import { rich, type Button, type MultiPick, type Reply } from './types.js';
import type { ConfirmPayload } from './write-flow.js';

/**
 * Picking several search results at once and adding them with one Trakt write (one `POST
 * /sync/watchlist` carries them all, so a batch costs one call of the user's one-write-per-second
 * budget). The search card offers the pick; the choice leads to an ordinary Confirm card whose
 * confirm writes every chosen title together through the watchlist writer, and whose Undo takes back
 * together exactly those the write added.
 */
export interface PickPayload {
  targets: Target[];
}

/** A multi-choice offers at most this many (Discord's select menu: 25 options). */
const MAX_PICK_OPTIONS = 25;
const LABEL_CHARS = 100;

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** The multi-choice over these titles, stored in `view`; undefined when there is nothing to choose between. */
export function batchPick(view: ViewBuilder, titles: Title[], i18n: Translator): MultiPick | undefined {
  const targets = titles.slice(0, MAX_PICK_OPTIONS).map(titleTarget);
  if (targets.length < 2) return undefined;
  const button = view.button(i18n.t('add:button.addSeveral'), 'pick', { targets } satisfies PickPayload);
  if (!('action' in button)) return undefined;
  return {
    action: button.action,
    placeholder: i18n.t('add:pick.placeholder'),
    options: targets.map((target, i) => ({ label: cut(targetLabel(target, i18n), LABEL_CHARS), value: String(i), description: kindWord(target, i18n) })),
    minValues: 1,
    maxValues: targets.length,
  };
}

export const pickAction = defineAction<PickPayload>({
  action: 'pick',
  async run(ctx, payload, input) {
    await ctx.requireAccount();
    const chosen: Target[] = [];
    for (const value of new Set(input?.values ?? [])) {
      const target = /^\d{1,2}$/.test(value) ? payload.targets[Number(value)] : undefined;
      if (target !== undefined) chosen.push(target);
    }
    if (chosen.length === 0) return { edit: { text: ctx.t('add:pick.nothingChosen') } };
    return { edit: await addConfirmCard(ctx, chosen) };
  },
});

/**
 * The Confirm card of a batch add: the chosen titles (those already listed marked, and left out of the
 * write), Confirm for the rest, and Cancel; `back` adds a way back (to the selection it came from).
 */
export async function addConfirmCard(ctx: CoreContext, chosen: Target[], options: { back?: (view: ViewBuilder) => Button; search?: SearchState } = {}): Promise<Reply> {
  let listed = new Set<string>();
  try {
    await ctx.copy.current(ctx, await ctx.traktForUser());
    listed = await ctx.deps.watchlists.present(ctx.identityId, chosen.map(targetKey));
  } catch (error) {
    // Without the copy the write itself tells: Trakt reports those already listed as existing.
    ctx.deps.logger.warn({ err: error, identityId: ctx.identityId }, 'watchlist copy unavailable; batch shown without marks');
  }
  const toAdd = chosen.filter((t) => !listed.has(targetKey(t)));
  const mark = ctx.t('add:batch.alreadyMark');
  const lines = listedLines(chosen, (target) => (listed.has(targetKey(target)) ? mark : ''), ctx.i18n);
  const view = ctx.view();
  const buttons: Button[][] = [];
  let header: string;
  if (toAdd.length === 0) {
    header = ctx.t('add:batch.allListed', { count: chosen.length });
  } else {
    header = ctx.t('add:batch.ask', { count: toAdd.length });
    const confirm: ConfirmPayload = { op: 'add', targets: toAdd, ...(options.search === undefined ? {} : { back: options.search }) };
    buttons.push([view.button(ctx.t('add:button.confirmCount', { count: toAdd.length }), 'confirm', confirm, 'primary')]);
  }
  const last: Button[] = [];
  if (options.back !== undefined) last.push(options.back(view));
  last.push(view.button(ctx.t('cards:button.cancel'), 'cancel', {}));
  buttons.push(last);
  await view.save(ctx.deps.pending);
  return { text: [rich.bold(header), rich.line, ...lines], buttons };
}
