import { addConfirmCard } from '../batch-add.js';
import { quote } from '../cards.js';
import type { CoreContext } from '../context.js';
import { defineAction } from '../handlers.js';
import type { Target } from '../ports.js';
import { applySelectionOp, keysOf, loadSelection, pageChoices, storeSelection } from '../selection.js';
import { targetKey, targetLabel, titleTarget } from '../targets.js';
import { rich, type Button, type Reply, type Rich } from '../types.js';
import type { SearchState } from './search.js';

/**
 * Selecting several search results to add them at once (Telegram's way: a ✅/⬜ button per result;
 * Discord's search card keeps its menu, and shows this view's choices as a menu too). The view lists
 * one page of results (as Trakt pages them, 10 at a time); the selection survives paging; Add N
 * selected leads to the usual Confirm card, one write and one Undo.
 */
const TRAKT_PAGE = 10;

export interface SearchSelectView {
  state: SearchState;
  /** The stored selection (see selection.ts). */
  select?: string;
}

export type SearchSelectPayload =
  | { view: SearchSelectView; op?: 'show' | 'clear' }
  | { view: SearchSelectView; op: 'toggle'; target: Target }
  | { view: SearchSelectView; op: 'pick' | 'page' | 'unpage'; targets: Target[] };

async function selectCard(ctx: CoreContext, initial: SearchSelectView, selected: Target[]): Promise<Reply> {
  await ctx.requireAccount();
  const catalog = await ctx.traktForUser();
  ctx.freshCopy().catch(() => undefined);
  const { state } = initial;
  const page = Math.floor(state.index / TRAKT_PAGE);
  const types: Array<'movie' | 'show'> = state.type === 'both' ? ['movie', 'show'] : [state.type];
  const result = await ctx.patiently(
    catalog.search({ query: state.q, types, page: page + 1, limit: TRAKT_PAGE, ...(state.year === undefined ? {} : { year: state.year }) }),
  );
  const targets = result.hits.map(titleTarget);
  let listed = new Set<string>();
  try {
    await ctx.freshCopy();
    listed = await ctx.deps.watchlists.present(ctx.identityId, targets.map(targetKey));
  } catch (error) {
    ctx.deps.logger.warn({ err: error, identityId: ctx.identityId }, 'watchlist copy unavailable; selection shown without marks');
  }
  const chosen = keysOf(selected);
  const pages = Math.max(1, Math.ceil(result.total / TRAKT_PAGE));
  const asked = `${quote(state.q, ctx.i18n)}${state.year === undefined ? '' : ` (${state.year})`}`;
  const lines: Rich[] = [
    ctx.tr('search:select.header', { asked, count: selected.length }),
    rich.line,
    ctx.tr('search:select.page', { page: page + 1, pages }),
    rich.line,
  ];
  if (targets.length === 0) lines.push(rich.line, ctx.t('search:select.noResults'));
  const listedMark = ctx.t('search:select.listedMark');
  targets.forEach((target, i) => {
    lines.push(
      rich.line,
      `${chosen.has(targetKey(target)) ? '✅' : '⬜'} ${page * TRAKT_PAGE + i + 1}. `,
      rich.bold(targetLabel(target, ctx.i18n)),
      listed.has(targetKey(target)) ? listedMark : '',
    );
  });

  const view = ctx.view();
  const base: SearchSelectView = { state: { ...state, index: page * TRAKT_PAGE }, select: storeSelection(view, selected) };
  const items = targets.map((target, i) => ({ target, number: page * TRAKT_PAGE + i + 1 }));
  const choices = pageChoices(view, 'sr-sel', { view: base }, items, chosen, ctx.t('search:select.placeholder'), ctx.i18n);
  const buttons: Button[][] = [...choices.rows];
  const nav: Button[] = [];
  if (page > 0) nav.push(view.button(ctx.t('search:button.previous'), 'sr-sel', { view: { ...base, state: { ...state, index: (page - 1) * TRAKT_PAGE } } } satisfies SearchSelectPayload));
  if (page + 1 < pages) nav.push(view.button(ctx.t('search:button.next'), 'sr-sel', { view: { ...base, state: { ...state, index: (page + 1) * TRAKT_PAGE } } } satisfies SearchSelectPayload));
  if (nav.length > 0) buttons.push(nav);
  const row: Button[] = [];
  if (selected.length > 0) row.push(view.button(ctx.t('search:button.addSelected', { count: selected.length }), 'sr-add', { view: base } satisfies SearchSelectPayload, 'primary'));
  if (targets.length > 0) {
    const whole = targets.every((t) => chosen.has(targetKey(t)));
    row.push(view.button(ctx.t(whole ? 'search:button.unselectPage' : 'search:button.selectPage'), 'sr-sel', { view: base, op: whole ? 'unpage' : 'page', targets } satisfies SearchSelectPayload));
  }
  if (selected.length > 0) row.push(view.button(ctx.t('search:button.clear'), 'sr-sel', { view: base, op: 'clear' } satisfies SearchSelectPayload));
  row.push(view.button(ctx.t('search:button.backToResults'), 'page', state));
  buttons.push(row);
  await view.save(ctx.deps.pending);
  const reply: Reply = { text: lines, buttons };
  return choices.pick === undefined ? reply : { ...reply, pick: choices.pick };
}

export const searchSelectAction = defineAction<SearchSelectPayload>({
  action: 'sr-sel',
  async run(ctx, payload, input) {
    const current = await loadSelection(ctx, payload.view.select);
    const next = applySelectionOp(current, payload, input?.values) ?? current;
    return { edit: await selectCard(ctx, payload.view, next) };
  },
});

/** Add N selected: the usual Confirm card for the batch, with Back to the selection. */
export const searchAddSelectedAction = defineAction<SearchSelectPayload>({
  action: 'sr-add',
  async run(ctx, payload) {
    await ctx.requireAccount();
    const selection = await loadSelection(ctx, payload.view.select);
    if (selection.length === 0) return { edit: await selectCard(ctx, payload.view, []) };
    return {
      edit: await addConfirmCard(ctx, selection, {
        // Back keeps the selection: stored again with the Confirm card's view.
        back: (view) => view.button(ctx.t('search:button.backToSelection'), 'sr-sel', { view: { ...payload.view, select: storeSelection(view, selection) } } satisfies SearchSelectPayload),
        search: payload.view.state,
      }),
    };
  },
});
