import type { ViewBuilder } from './actions.js';
import type { CoreContext } from './context.js';
import type { Translator } from './i18n/index.js';
import type { Target } from './ports.js';
import { kindWord, targetKey, targetLabel } from './targets.js';
import { rich, type Button, type MultiPick, type Rich } from './types.js';

/**
 * A selection of titles for a bulk change (remove from the watchlist view, add from search results).
 * It lives in the database, never in button data: each view stores it once, as a data row of the view
 * (ViewBuilder.data), and its buttons carry that row's id. A press reads it, changes it, and the next
 * view stores it again, so it survives paging, sorting and filtering for as long as the user goes on.
 * Two quick presses cannot both change it: a press consumes its whole view.
 */
export const SELECTION_KIND = 'selection';
/** One write job takes at most this many targets (writeJobSchema). */
export const MAX_SELECTED = 1000;
/** A Confirm card names at most this many titles, then "…and N more". */
const LISTED = 15;
const LABEL_CHARS = 40;
const OPTION_CHARS = 100;

interface SelectionRow {
  targets: Target[];
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** The title without the long parts (overview, genres…): enough to name it, count it and find it again. */
export function slimTarget(target: Target): Target {
  const slim = (t: Extract<Target, { kind: 'movie' | 'show' }>['title']) => ({
    type: t.type,
    ids: t.ids,
    title: t.title,
    year: t.year,
    posterUrl: t.posterUrl,
    ...(t.rating === undefined ? {} : { rating: t.rating }),
  });
  switch (target.kind) {
    case 'movie':
    case 'show':
      return { kind: target.kind, title: slim(target.title) };
    case 'season':
      return { kind: 'season', show: slim(target.show), season: target.season };
    case 'episode':
      return { ...target, show: slim(target.show) };
  }
}

/** Stores the selection with the view; the id goes into its buttons' payloads. */
export function storeSelection(view: ViewBuilder, targets: readonly Target[]): string {
  return view.data(SELECTION_KIND, { targets: [...targets] } satisfies SelectionRow);
}

/** The selection stored under `id`; empty when it is gone (expired) or not the user's. */
export async function loadSelection(ctx: CoreContext, id: string | undefined): Promise<Target[]> {
  if (id === undefined) return [];
  const row = await ctx.deps.pending.find(id);
  if (row === undefined || row.action !== SELECTION_KIND || row.ownerIdentityId !== ctx.identityId) return [];
  const targets = (row.payload as Partial<SelectionRow> | null)?.targets;
  return Array.isArray(targets) ? targets : [];
}

export function keysOf(targets: readonly Target[]): Set<string> {
  return new Set(targets.map(targetKey));
}

/** `selection` with `target` in or out; none added past MAX_SELECTED. */
export function toggled(selection: readonly Target[], target: Target): Target[] {
  const key = targetKey(target);
  if (selection.some((t) => targetKey(t) === key)) return selection.filter((t) => targetKey(t) !== key);
  return selection.length >= MAX_SELECTED ? [...selection] : [...selection, target];
}

/** `selection` plus `targets` (those not in it yet, up to MAX_SELECTED). */
export function withAll(selection: readonly Target[], targets: readonly Target[]): Target[] {
  const out = [...selection];
  const keys = keysOf(out);
  for (const target of targets) {
    if (out.length >= MAX_SELECTED) break;
    const key = targetKey(target);
    if (!keys.has(key)) {
      keys.add(key);
      out.push(target);
    }
  }
  return out;
}

/** `selection` without `targets`. */
export function without(selection: readonly Target[], targets: readonly Target[]): Target[] {
  const keys = keysOf(targets);
  return selection.filter((t) => !keys.has(targetKey(t)));
}

/**
 * The choices of one page: a toggle button per title (one row each; Telegram's way) and the same as a
 * multi-choice that replaces those rows (Discord's menu). Both lead to `action`: a toggle with
 * `{ ...base, op: 'toggle', target }`, the menu with `{ ...base, op: 'pick', targets }` and the chosen
 * indices as values.
 */
export function pageChoices(
  view: ViewBuilder,
  action: string,
  base: object,
  items: ReadonlyArray<{ target: Target; number: number }>,
  selected: ReadonlySet<string>,
  placeholder: string,
  i18n: Translator,
): { rows: Button[][]; pick?: MultiPick } {
  const rows = items.map(({ target, number }) => [
    view.button(`${selected.has(targetKey(target)) ? '✅' : '⬜'} ${number}. ${cut(targetLabel(target, i18n), LABEL_CHARS)}`, action, { ...base, op: 'toggle', target }),
  ]);
  if (items.length === 0) return { rows };
  const menu = view.button(placeholder, action, { ...base, op: 'pick', targets: items.map((i) => i.target) });
  if (!('action' in menu)) return { rows };
  return {
    rows,
    pick: {
      action: menu.action,
      placeholder,
      options: items.map(({ target, number }, i) => ({
        label: cut(`${number}. ${targetLabel(target, i18n)}`, OPTION_CHARS),
        value: String(i),
        description: kindWord(target, i18n),
        ...(selected.has(targetKey(target)) ? { selected: true } : {}),
      })),
      minValues: 0,
      maxValues: items.length,
      replacesRows: rows.length,
    },
  };
}

/** A page's menu answered: the page's titles as chosen, the rest of the selection as it was. */
export function picked(selection: readonly Target[], pageTargets: readonly Target[], values: readonly string[] | undefined): Target[] {
  const chosen: Target[] = [];
  for (const value of new Set(values ?? [])) {
    const target = /^\d{1,2}$/.test(value) ? pageTargets[Number(value)] : undefined;
    if (target !== undefined) chosen.push(target);
  }
  return withAll(without(selection, pageTargets), chosen);
}

/** The titles of a Confirm card, numbered, at most LISTED of them and then how many more. */
export function listedLines(targets: readonly Target[], mark: ((target: Target) => string) | undefined, i18n: Translator): Rich[] {
  const lines: Rich[] = [];
  targets.slice(0, LISTED).forEach((target, i) => {
    lines.push(rich.line, `${i + 1}. `, rich.bold(targetLabel(target, i18n)), mark?.(target) ?? '');
  });
  if (targets.length > LISTED) lines.push(rich.line, i18n.tr('watchlist:selection.more', { count: targets.length - LISTED }));
  return lines;
}

export function titlesWord(n: number, i18n: Translator): string {
  return i18n.t('watchlist:selection.titles', { count: n });
}

/**
 * The selection after a press of a select view's button (toggle one, the page's menu, select or
 * unselect the page, clear), the same for the watchlist and for search results; undefined for an op
 * only the caller knows (the watchlist's "select all").
 */
export function applySelectionOp(
  current: readonly Target[],
  payload: { op?: string | undefined; target?: Target; targets?: readonly Target[] },
  values: readonly string[] | undefined,
): Target[] | undefined {
  switch (payload.op) {
    case 'toggle':
      return payload.target === undefined ? [...current] : toggled(current, payload.target);
    case 'pick':
      return picked(current, payload.targets ?? [], values);
    case 'page':
      return withAll(current, payload.targets ?? []);
    case 'unpage':
      return without(current, payload.targets ?? []);
    case 'clear':
      return [];
    default:
      return undefined;
  }
}
