import { usageText } from '../cards.js';
import type { CoreContext } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { defineAction, defineCommand } from '../handlers.js';
import { cleanText } from '../parse.js';
import type { WatchlistFilter, WatchlistSort } from '../ports.js';
import type { Target } from '../ports.js';
import {
  keysOf,
  listedLines,
  loadSelection,
  MAX_SELECTED,
  applySelectionOp,
  pageChoices,
  slimTarget,
  storeSelection,
  titlesWord,
  withAll,
} from '../selection.js';
import { coverageNote, fillProgressForFilter, progressFacts, progressForPage } from '../show-progress.js';
import { kindWord, targetKey, targetLabel, titleOf } from '../targets.js';
import { rich, type Button, type Reply, type Rich } from '../types.js';
import type { ConfirmPayload } from '../write-flow.js';
import { shareOption, takeShare } from './share.js';

export interface WatchlistView {
  filter: WatchlistFilter;
  sort: WatchlistSort;
  page: number;
  /** Posted for everyone in a group (`/watchlist share`); otherwise only the user sees it. */
  shared?: boolean;
  /**
   * Select mode: the id of the stored selection (see selection.ts). Absent: the plain view. Paging,
   * sorting and filtering keep it, so the selection survives them.
   */
  select?: string;
}

const PAGE_SIZE = 10;

const FILTER_WORDS: Record<WatchlistFilter, string> = { all: 'All', movies: 'Movies', shows: 'Shows', progress: 'In progress' };
const SORT_WORDS: Record<WatchlistSort, string> = { added: 'Added', title: 'Title', year: 'Year', rating: 'Rating' };
const SORT_PHRASES: Record<WatchlistSort, string> = {
  added: 'newest first',
  title: 'by title',
  year: 'newest release first',
  rating: 'best rated first',
};

const FILTER_ALIASES: Record<string, WatchlistFilter> = {
  all: 'all', both: 'all', movies: 'movies', movie: 'movies', films: 'movies', film: 'movies',
  shows: 'shows', show: 'shows', series: 'shows', tv: 'shows',
  progress: 'progress', 'in-progress': 'progress', started: 'progress', watching: 'progress',
};
const SORT_ALIASES: Record<string, WatchlistSort> = {
  added: 'added', date: 'added', recent: 'added', new: 'added', newest: 'added',
  title: 'title', name: 'title', az: 'title', 'a-z': 'title',
  year: 'year', released: 'year', release: 'year',
  rating: 'rating', rated: 'rating', score: 'rating', best: 'rating',
};

export function parseWatchlistArgs(args: string): WatchlistView {
  const { shared, rest } = takeShare(cleanText(args));
  const view: WatchlistView = { filter: 'all', sort: 'added', page: 0, ...(shared ? { shared } : {}) };
  for (const word of rest.toLowerCase().replace(/\bin progress\b/g, 'progress').split(' ').filter((w) => w !== '')) {
    const filter = FILTER_ALIASES[word];
    const sort = SORT_ALIASES[word];
    if (filter !== undefined) view.filter = filter;
    else if (sort !== undefined) view.sort = sort;
    else {
      throw new InvalidInputError([
        'I did not understand ',
        rich.code(word.slice(0, 40)),
        '. Try ',
        rich.code('/watchlist movies title'),
        ': a type (movies, shows, progress) and a sort (added, title, year, rating), and share to post it for everyone.',
      ]);
    }
  }
  return view;
}

/**
 * One page of the watchlist. In select mode (`selection` given, or `view.select` stored) every title
 * has a toggle (Telegram: a ✅/⬜ button each; Discord: a multi-select menu of the page), and the view
 * offers Remove N selected, the whole page, everything shown (up to MAX_SELECTED), Clear and Done.
 */
export async function watchlistPage(ctx: CoreContext, view: WatchlistView, recheck = false, selection?: Target[]): Promise<Reply> {
  const account = await ctx.requireAccount();
  const trakt = await ctx.traktForUser();
  const copy = await ctx.copy.current(ctx, trakt, { recheck });
  const coverage = view.filter === 'progress' ? await fillProgressForFilter(ctx, trakt) : undefined;
  const { items, total } = await ctx.deps.watchlists.page(ctx.identityId, {
    filter: view.filter,
    sort: view.sort,
    offset: view.page * PAGE_SIZE,
    limit: PAGE_SIZE,
  });
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(view.page, pages - 1);
  const selecting = selection !== undefined || view.select !== undefined;
  const selected = selecting ? (selection ?? (await loadSelection(ctx, view.select))) : [];
  if (page !== view.page) return watchlistPage(ctx, { ...view, page }, false, selecting ? selected : undefined);
  const chosen = keysOf(selected);
  const progress = await progressForPage(ctx, trakt, items);

  const lines: Rich[] = [
    rich.bold('Your watchlist'),
    ` · ${usageText(copy.itemCount, account)}`,
    rich.line,
    rich.italic(`${FILTER_WORDS[view.filter]} · ${SORT_PHRASES[view.sort]} · page ${page + 1} of ${pages}`),
    rich.line,
    ...[coverageNote(coverage)].flatMap((note) => (note === undefined ? [] : [rich.italic(note), rich.line])),
  ];
  if (selecting) {
    lines.push(
      rich.bold(`☑ Selecting: ${selected.length} selected`),
      rich.line,
      rich.italic('Tap titles to select them; the selection stays while you page, sort and filter.'),
      rich.line,
    );
  }
  if (items.length === 0) {
    lines.push(
      rich.line,
      view.filter === 'all' ? 'Nothing on it yet. Find something with /search.' : view.filter === 'progress' ? 'No show on it is started but unfinished.' : `No ${FILTER_WORDS[view.filter].toLowerCase()} on it.`,
    );
  }
  items.forEach((item, i) => {
    const title = titleOf(item.target);
    const facts = [kindWord(item.target)];
    if (title.rating !== undefined && title.rating > 0) facts.push(`★ ${title.rating.toFixed(1)}`);
    facts.push(...progressFacts(item, progress));
    const mark = !selecting ? '' : chosen.has(item.key) ? '✅ ' : '⬜ ';
    lines.push(rich.line, `${mark}${page * PAGE_SIZE + i + 1}. `, rich.bold(targetLabel(item.target)), ` · ${facts.join(' · ')}`);
  });

  const builder = ctx.view();
  const base: WatchlistView = selecting ? { ...view, page, select: storeSelection(builder, selected) } : { ...view, page };
  const buttons: Button[][] = [];
  let choices: ReturnType<typeof pageChoices> | undefined;
  if (selecting) {
    const pageItems = items.map((item, i) => ({ target: slimTarget(item.target), number: page * PAGE_SIZE + i + 1 }));
    choices = pageChoices(builder, 'wl-sel', { view: base }, pageItems, chosen, 'Select titles on this page…');
    buttons.push(...choices.rows);
  }
  const nav: Button[] = [];
  if (page > 0) nav.push(builder.button('◀ Previous', 'wl', { ...base, page: page - 1 }));
  if (page + 1 < pages) nav.push(builder.button('Next ▶', 'wl', { ...base, page: page + 1 }));
  if (nav.length > 0) buttons.push(nav);
  buttons.push(
    (Object.keys(SORT_WORDS) as WatchlistSort[]).map((sort) =>
      builder.button(sort === view.sort ? `• ${SORT_WORDS[sort]}` : SORT_WORDS[sort], 'wl', { ...base, sort, page: 0 }),
    ),
  );
  buttons.push(
    (Object.keys(FILTER_WORDS) as WatchlistFilter[]).map((filter) =>
      builder.button(filter === view.filter ? `• ${FILTER_WORDS[filter]}` : FILTER_WORDS[filter], 'wl', { ...base, filter, page: 0 }),
    ),
  );
  if (selecting) {
    const row: Button[] = [];
    if (selected.length > 0) row.push(builder.button(`🗑 Remove ${selected.length} selected`, 'wl-rm', { view: base } satisfies SelectPayload, 'danger'));
    if (items.length > 0) {
      const whole = items.every((item) => chosen.has(item.key));
      row.push(builder.button(whole ? 'Unselect page' : 'Select page', 'wl-sel', { view: base, op: whole ? 'unpage' : 'page', targets: items.map((item) => slimTarget(item.target)) } satisfies SelectPayload));
    }
    if (total > items.length && selected.length < Math.min(total, MAX_SELECTED)) {
      row.push(builder.button(`Select all ${Math.min(total, MAX_SELECTED)}`, 'wl-sel', { view: base, op: 'all' } satisfies SelectPayload));
    }
    if (selected.length > 0) row.push(builder.button('✖ Clear', 'wl-sel', { view: base, op: 'clear' } satisfies SelectPayload));
    const { select: _select, ...plain } = base;
    row.push(builder.button('Done', 'wl', plain));
    buttons.push(row);
  } else if (items.length > 0) {
    buttons.push([builder.button('☑ Select', 'wl-sel', { view: base, op: 'clear' } satisfies SelectPayload)]);
  }
  await builder.save(ctx.deps.pending);
  if (view.shared === true && ctx.owner !== undefined) lines.push(rich.line, ctx.owner);
  // The whole list is the user's own business: only they see it, unless they shared it.
  const reply: Reply = { text: lines, buttons, private: view.shared !== true };
  return choices?.pick === undefined ? reply : { ...reply, pick: choices.pick };
}

/** A press in select mode: what it does to the selection (`pick`: a page's menu, with its values). */
export type SelectPayload =
  | { view: WatchlistView; op?: undefined }
  | { view: WatchlistView; op: 'toggle'; target: Target }
  | { view: WatchlistView; op: 'pick' | 'page' | 'unpage'; targets: Target[] }
  | { view: WatchlistView; op: 'all' | 'clear' };

/** Everything the view shows under its filter (up to MAX_SELECTED), in its order. */
async function everything(ctx: CoreContext, view: WatchlistView): Promise<Target[]> {
  const { items } = await ctx.deps.watchlists.page(ctx.identityId, { filter: view.filter, sort: view.sort, offset: 0, limit: MAX_SELECTED });
  return items.map((item) => slimTarget(item.target));
}

export const watchlistSelectAction = defineAction<SelectPayload>({
  action: 'wl-sel',
  async run(ctx, payload, input) {
    const current = await loadSelection(ctx, payload.view.select);
    let next = applySelectionOp(current, payload, input?.values);
    if (next === undefined && payload.op === 'all') {
      await ctx.requireAccount();
      next = withAll(current, await everything(ctx, payload.view));
    }
    next ??= [];
    return { edit: await watchlistPage(ctx, payload.view, false, next) };
  },
});

/**
 * Remove N selected: the usual Confirm card for all of them. The selection is looked up in the copy
 * again (the full titles, so Undo puts them back as they were; those gone since are left out), and
 * Confirm queues them as one write.
 */
export const watchlistRemoveSelectedAction = defineAction<SelectPayload>({
  action: 'wl-rm',
  async run(ctx, payload) {
    await ctx.requireAccount();
    const selection = await loadSelection(ctx, payload.view.select);
    const keys = keysOf(selection);
    const { total } = await ctx.deps.watchlists.page(ctx.identityId, { filter: 'all', sort: 'added', offset: 0, limit: 1 });
    const listed = new Map<string, Target>();
    if (keys.size > 0) {
      const { items } = await ctx.deps.watchlists.page(ctx.identityId, { filter: 'all', sort: 'added', offset: 0, limit: Math.max(1, total) });
      for (const item of items) if (keys.has(item.key)) listed.set(item.key, item.target);
    }
    // In the order the user selected them.
    const targets = selection.flatMap((t) => {
      const full = listed.get(targetKey(t));
      return full === undefined ? [] : [full];
    });
    const gone = selection.length - targets.length;
    const view = ctx.view();
    const back: WatchlistView = { ...payload.view, select: storeSelection(view, selection) };
    const buttons: Button[][] = [];
    const lines: Rich[] = [];
    if (targets.length === 0) {
      lines.push(rich.bold(selection.length === 0 ? 'Nothing is selected.' : 'None of the selected titles is on your watchlist any more.'));
    } else {
      lines.push(rich.bold(`Remove ${targets.length === 1 ? 'this one' : `these ${targets.length}`} from your watchlist?`), rich.line, ...listedLines(targets));
      if (gone > 0) lines.push(rich.line, rich.italic(`${titlesWord(gone)} you selected ${gone === 1 ? 'is' : 'are'} not on your watchlist any more.`));
      buttons.push([view.button(`🗑 Confirm: remove ${targets.length}`, 'confirm', { op: 'remove', targets } satisfies ConfirmPayload, 'danger')]);
    }
    buttons.push([view.button('◀ Back to selection', 'wl', back), view.button('✖ Cancel', 'cancel', {})]);
    await view.save(ctx.deps.pending);
    return { edit: { text: lines, buttons, private: payload.view.shared !== true } };
  },
});

export const watchlistCommand = defineCommand({
  name: 'watchlist',
  description: 'Your watchlist (only you see it): /watchlist [movies|shows|progress] [title|year|rating…] [share]',
  listed: true,
  private: true,
  options: [
    { name: 'type', description: 'Movies, shows or both', choices: [{ name: 'All', value: 'all' }, { name: 'Movies', value: 'movies' }, { name: 'Shows', value: 'shows' }, { name: 'In progress', value: 'progress' }] },
    {
      name: 'sort',
      description: 'Order of the list',
      choices: [
        { name: 'Recently added', value: 'added' },
        { name: 'Title', value: 'title' },
        { name: 'Release year', value: 'year' },
        { name: 'Rating', value: 'rating' },
      ],
    },
    shareOption,
  ],
  run: async (ctx, args) => [await watchlistPage(ctx, parseWatchlistArgs(args), true)],
});

export const watchlistPageAction = defineAction<WatchlistView>({
  action: 'wl',
  run: async (ctx, view) => ({ edit: await watchlistPage(ctx, view) }),
});
