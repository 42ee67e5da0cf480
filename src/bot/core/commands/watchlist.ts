import { cardReply, seasonFacts, titleCard, usageText } from '../cards.js';
import type { CoreContext } from '../context.js';
import { defineAction, defineCommand } from '../handlers.js';
import { cleanText } from '../parse.js';
import type { Season, ShowProgress, Target, WatchlistCopyState, WatchlistFilter, WatchlistQuery, WatchlistSort } from '../ports.js';
import {
  keysOf,
  listedLines,
  loadSelection,
  MAX_SELECTED,
  applySelectionOp,
  pageChoices,
  slimTarget,
  storeSelection,
  withAll,
} from '../selection.js';
import { coverageNote, fillProgressForFilter, progressFacts, progressForPage } from '../show-progress.js';
import { kindWord, targetKey, targetLabel, titleOf } from '../targets.js';
import { rich, type Button, type MultiPick, type Reply, type Rich } from '../types.js';
import type { Translator } from '../i18n/index.js';
import type { ConfirmPayload } from '../write-flow.js';
import { shareOption } from './share.js';
import { FILTER_OPTIONS, FILTERS, filterPhrase, filterWord, genreWord, narrowed, parseListArgs, queryOf, runtimeText, SORT_OPTION, sortPhrase, SORTS, sortWord } from './watchlist-args.js';

export interface WatchlistView extends WatchlistQuery {
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
/** Genres offered by the filter panel: the most common on the list. */
const PANEL_GENRES = 12;
const TITLE_LABEL_CHARS = 48;

export function parseWatchlistArgs(args: string, i18n: Translator): WatchlistView {
  const { query, sort, shared } = parseListArgs(cleanText(args), 'watchlist', true, i18n);
  return { ...query, sort: sort ?? 'added', page: 0, ...(shared ? { shared } : {}) };
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/**
 * One page of the watchlist. In select mode (`selection` given, or `view.select` stored) every title
 * has a toggle (Telegram: a ✅/⬜ button each; Discord: a multi-select menu of the page), and the view
 * offers Remove N selected, the whole page, everything shown (up to MAX_SELECTED), Clear and Done.
 */
/** Ratings with one decimal, by locale: an Intl formatter costs more to make than a page's worth of uses. */
const decimals = new Map<string, Intl.NumberFormat>();
function oneDecimal(locale: string): Intl.NumberFormat {
  let format = decimals.get(locale);
  if (format === undefined) {
    format = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false });
    decimals.set(locale, format);
  }
  return format;
}

export async function watchlistPage(ctx: CoreContext, view: WatchlistView, recheck = false, selection?: Target[]): Promise<Reply> {
  const account = await ctx.requireAccount();
  const trakt = await ctx.traktForUser();
  const readPage = () => ctx.deps.watchlists.page(ctx.identityId, { ...queryOf(view), sort: view.sort, offset: view.page * PAGE_SIZE, limit: PAGE_SIZE });
  let copy: WatchlistCopyState;
  let coverage: Awaited<ReturnType<typeof fillProgressForFilter>> | undefined;
  let pageRead: Awaited<ReturnType<typeof readPage>>;
  if (view.filter === 'progress') {
    // The progress filter reads progress stored by the fill: the page follows it.
    copy = await ctx.copy.current(ctx, trakt, { recheck });
    coverage = await fillProgressForFilter(ctx, trakt);
    pageRead = await readPage();
  } else {
    // The page is read while the copy is checked, and read again only if the check replaced the copy.
    ({ state: copy, value: pageRead } = await ctx.copy.currentWith(ctx, trakt, readPage, { recheck }));
  }
  const { items, total } = pageRead;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(view.page, pages - 1);
  const selecting = selection !== undefined || view.select !== undefined;
  const selected = selecting ? (selection ?? (await loadSelection(ctx, view.select))) : [];
  if (page !== view.page) return watchlistPage(ctx, { ...view, page }, false, selecting ? selected : undefined);
  const chosen = keysOf(selected);
  const filtered = narrowed(view);
  const progress = await progressForPage(ctx, trakt, items);
  const i18n = ctx.i18n;
  // Only a type applied (no genre, years or runtime): the empty list and the Filters button say so.
  const typeOnly = filterPhrase(view, i18n) === filterWord(view.filter, i18n);

  const lines: Rich[] = [
    ctx.tr('watchlist:page.title', { usage: usageText(copy.itemCount, account, i18n) }),
    rich.line,
    // What is applied, then "x of y": how many of the whole list it leaves.
    ctx.tr('watchlist:page.status', { filters: filterPhrase(view, i18n), sort: sortPhrase(view.sort, i18n), page: page + 1, pages, matching: total, all: copy.itemCount }),
    rich.line,
    ...[coverageNote(coverage, i18n)].flatMap((note) => (note === undefined ? [] : [rich.italic(note), rich.line])),
  ];
  if (selecting) {
    lines.push(ctx.tr('watchlist:page.selecting', { selected: selected.length }), rich.line, ctx.tr('watchlist:page.selectHint'), rich.line);
  }
  if (items.length === 0) {
    lines.push(
      rich.line,
      ctx.tr(
        !filtered
          ? 'watchlist:page.empty'
          : view.filter === 'progress' && typeOnly
            ? 'watchlist:page.emptyProgress'
            : view.filter === 'movies' && typeOnly
              ? 'watchlist:page.emptyMovies'
              : view.filter === 'shows' && typeOnly
                ? 'watchlist:page.emptyShows'
                : 'watchlist:page.emptyFiltered',
      ),
    );
  }
  const decimal = oneDecimal(i18n.locale);
  items.forEach((item, i) => {
    const title = titleOf(item.target);
    const facts = [kindWord(item.target, ctx.i18n)];
    if (title.rating !== undefined && title.rating > 0) facts.push(ctx.t('watchlist:page.rating', { rating: decimal.format(title.rating) }));
    if (view.sort === 'runtime' && title.runtime) facts.push(ctx.t('watchlist:page.runtime', { minutes: title.runtime }));
    if (view.sort === 'released') {
      const date = title.released ?? title.firstAired?.slice(0, 10);
      if (date) facts.push(ctx.t('watchlist:page.released', { date }));
    }
    facts.push(...progressFacts(item, progress, i18n));
    const mark = !selecting ? '' : chosen.has(item.key) ? '✅ ' : '⬜ ';
    lines.push(rich.line, `${mark}${page * PAGE_SIZE + i + 1}. `, rich.bold(targetLabel(item.target, ctx.i18n)), ` · ${facts.join(' · ')}`);
  });

  const builder = ctx.view();
  const base: WatchlistView = selecting ? { ...view, page, select: storeSelection(builder, selected) } : { ...view, page };
  const buttons: Button[][] = [];
  let pick: MultiPick | undefined;
  if (selecting) {
    const pageItems = items.map((item, i) => ({ target: slimTarget(item.target), number: page * PAGE_SIZE + i + 1 }));
    const choices = pageChoices(builder, 'wl-sel', { view: base }, pageItems, chosen, ctx.t('watchlist:page.selectPlaceholder'), ctx.i18n);
    buttons.push(...choices.rows);
    pick = choices.pick;
  } else if (items.length > 0) {
    // Each title opens its details card: a button each (Telegram), one menu of the page (Discord).
    const numbered = items.map((item, i) => ({ target: item.target, label: cut(`${page * PAGE_SIZE + i + 1}. ${targetLabel(item.target, ctx.i18n)}`, TITLE_LABEL_CHARS) }));
    buttons.push(...numbered.map(({ target, label }) => [builder.button(label, 'wl-open', { view: base, target } satisfies OpenPayload)]));
    const placeholder = ctx.t('watchlist:page.openPlaceholder');
    const menu = builder.button(placeholder, 'wl-open', { view: base, targets: items.map((item) => item.target) } satisfies OpenPayload);
    if ('action' in menu) {
      pick = {
        action: menu.action,
        placeholder,
        options: numbered.map(({ target, label }, i) => ({ label, value: String(i), description: kindWord(target, ctx.i18n) })),
        minValues: 1,
        maxValues: 1,
        replacesRows: numbered.length,
      };
    }
  }
  const nav: Button[] = [];
  if (page > 0) nav.push(builder.button(ctx.t('watchlist:button.previous'), 'wl', { ...base, page: page - 1 }));
  if (page + 1 < pages) nav.push(builder.button(ctx.t('watchlist:button.next'), 'wl', { ...base, page: page + 1 }));
  // `• ` marks what is applied.
  buttons.push(SORTS.map((sort) => builder.button(sort === view.sort ? `• ${sortWord(sort, i18n)}` : sortWord(sort, i18n), 'wl', { ...base, sort, page: 0 })));
  const typeButton = (filter: WatchlistFilter) =>
    builder.button(filter === view.filter ? `• ${filterWord(filter, i18n)}` : filterWord(filter, i18n), 'wl', { ...base, filter, page: 0 });
  const types = FILTERS.map(typeButton);
  if (selecting) {
    // Discord takes five buttons a row: paging (two) and the three types; In progress, like the filter
    // panel, is offered outside Select (the header says when it is applied).
    const types = (['all', 'movies', 'shows'] as const).map(typeButton);
    // Discord allows five rows: the menu, the sorts (two rows there), paging with the types, the actions.
    buttons.push([...nav, ...types]);
    const row: Button[] = [];
    if (selected.length > 0) row.push(builder.button(ctx.t('watchlist:button.removeSelected', { selected: selected.length }), 'wl-rm', { view: base } satisfies SelectPayload, 'danger'));
    if (items.length > 0) {
      const whole = items.every((item) => chosen.has(item.key));
      row.push(builder.button(ctx.t(whole ? 'watchlist:button.unselectPage' : 'watchlist:button.selectPage'), 'wl-sel', { view: base, op: whole ? 'unpage' : 'page', targets: items.map((item) => slimTarget(item.target)) } satisfies SelectPayload));
    }
    if (total > items.length && selected.length < Math.min(total, MAX_SELECTED)) {
      row.push(builder.button(ctx.t('watchlist:button.selectAll', { total: Math.min(total, MAX_SELECTED) }), 'wl-sel', { view: base, op: 'all' } satisfies SelectPayload));
    }
    if (selected.length > 0) row.push(builder.button(ctx.t('watchlist:button.clear'), 'wl-sel', { view: base, op: 'clear' } satisfies SelectPayload));
    const { select: _select, ...plain } = base;
    row.push(builder.button(ctx.t('watchlist:button.done'), 'wl', plain));
    buttons.push(row);
  } else {
    // The filter row: the types (four, with In progress) and the other filters' panel; Discord takes
    // five buttons a row, so Clear (when something is applied) goes with paging and Select.
    const filterRow = [...types, builder.button(ctx.t(filtered && !typeOnly ? 'watchlist:button.filtersApplied' : 'watchlist:button.filters'), 'wl-filt', base)];
    buttons.push(filterRow);
    if (items.length > 0) nav.push(builder.button(ctx.t('watchlist:button.select'), 'wl-sel', { view: base, op: 'clear' } satisfies SelectPayload));
    if (filtered) nav.push(builder.button(ctx.t('watchlist:button.clear'), 'wl', { sort: base.sort, page: 0, filter: 'all', ...(base.shared ? { shared: true } : {}) } satisfies WatchlistView));
    if (nav.length > 0) buttons.push(nav);
  }
  await builder.save(ctx.deps.pending);
  if (view.shared === true && ctx.owner !== undefined) lines.push(rich.line, ctx.owner);
  // The whole list is the user's own business: only they see it, unless they shared it.
  const reply: Reply = { text: lines, buttons, private: view.shared !== true };
  return pick === undefined ? reply : { ...reply, pick };
}

type OpenPayload = { view?: WatchlistView; target: Target; targets?: undefined } | { view?: WatchlistView; targets: Target[]; target?: undefined };

/** Decades and runtimes the filter panel offers (a decade is labelled by its first year, the last by its bound). */
const PANEL_YEARS: Array<{ from?: number; to?: number }> = [{ from: 2020 }, { from: 2010, to: 2019 }, { from: 2000, to: 2009 }, { from: 1990, to: 1999 }, { to: 1989 }];
const PANEL_RUNTIMES = [90, 120, 150, 180];

/**
 * The filter panel: genres on the list (most common first, under the other filters), decades and the
 * longest runtime; each press goes back to the list with it applied.
 */
async function filterPanel(ctx: CoreContext, view: WatchlistView): Promise<Reply> {
  await ctx.requireAccount();
  const i18n = ctx.i18n;
  const genres = await ctx.deps.watchlists.genres(ctx.identityId, queryOf(view), PANEL_GENRES);
  const builder = ctx.view();
  const back: WatchlistView = { ...view, page: 0 };
  const without = (key: 'genre' | 'years' | 'maxRuntime'): WatchlistView => {
    const { genre, yearFrom, yearTo, maxRuntime, ...rest } = back;
    return {
      ...rest,
      ...(key !== 'genre' && genre !== undefined ? { genre } : {}),
      ...(key !== 'years' && yearFrom !== undefined ? { yearFrom } : {}),
      ...(key !== 'years' && yearTo !== undefined ? { yearTo } : {}),
      ...(key !== 'maxRuntime' && maxRuntime !== undefined ? { maxRuntime } : {}),
    };
  };
  const rows: Button[][] = [];
  const genreButtons = genres.map(({ genre, count }) =>
    builder.button(`${genre === view.genre ? '• ' : ''}${genreWord(genre, i18n)} (${count})`, 'wl', { ...without('genre'), genre }),
  );
  if (view.genre !== undefined) genreButtons.push(builder.button(ctx.t('watchlist:button.anyGenre'), 'wl', without('genre')));
  for (let i = 0; i < genreButtons.length; i += 3) rows.push(genreButtons.slice(i, i + 3));
  const years = PANEL_YEARS.map(({ from, to }) => {
    const on = view.yearFrom === from && view.yearTo === to;
    const label = from === undefined ? ctx.t('watchlist:panel.before', { year: (to ?? 0) + 1 }) : ctx.t('watchlist:panel.decade', { decade: from });
    return builder.button(`${on ? '• ' : ''}${label}`, 'wl', { ...without('years'), ...(from === undefined ? {} : { yearFrom: from }), ...(to === undefined ? {} : { yearTo: to }) });
  });
  if (view.yearFrom !== undefined || view.yearTo !== undefined) years.push(builder.button(ctx.t('watchlist:button.anyYear'), 'wl', without('years')));
  rows.push(years.slice(0, 3), years.slice(3));
  const runtimes = PANEL_RUNTIMES.map((m) => builder.button(`${view.maxRuntime === m ? '• ' : ''}${runtimeText(m, i18n)}`, 'wl', { ...without('maxRuntime'), maxRuntime: m }));
  if (view.maxRuntime !== undefined) runtimes.push(builder.button(ctx.t('watchlist:button.anyLength'), 'wl', without('maxRuntime')));
  rows.push(runtimes);
  rows.push([builder.button(ctx.t('watchlist:button.backToList'), 'wl', back)]);
  await builder.save(ctx.deps.pending);
  const text = ctx.tr('watchlist:panel.text', { filters: filterPhrase(view, i18n) });
  return { text, buttons: rows.filter((r) => r.length > 0), private: view.shared !== true };
}

/**
 * A season list in one line, with what the user watched of each when Trakt's progress is known:
 * `S1 · 7/7 watched, S2 · 3/13 watched, S3 · 10 ep` (specials left out), cut to fit a caption.
 */
function seasonsLine(seasons: Season[], progress: ShowProgress | undefined, i18n: Translator): string | undefined {
  const numbered = seasons.filter((s) => s.number > 0).sort((a, b) => a.number - b.number);
  if (numbered.length === 0) return undefined;
  // Watched counts only for a show the user has started: until then the episode counts say more.
  const watched = new Map(progress !== undefined && progress.completed > 0 ? progress.seasons.map((p) => [p.number, p]) : []);
  const parts = numbered.map((s) => {
    const seen = watched.get(s.number);
    if (seen !== undefined && seen.aired > 0) return i18n.t('watchlist:details.seasonWatched', { season: s.number, completed: seen.completed, aired: seen.aired });
    const episodes = seasonFacts(s).episodes;
    return episodes === undefined ? i18n.t('watchlist:details.season', { season: s.number }) : i18n.t('watchlist:details.seasonEpisodes', { season: s.number, episodes });
  });
  return cut(i18n.t('watchlist:details.seasons', { seasons: parts.join(', ') }), 240);
}

/**
 * A title's details from the watchlist (poster, overview, runtime, genres, rating; a show's seasons)
 * with Remove, for a show or a season the /add pickers (a season, an episode), and Back to the list.
 * `extra`: a header on top, and /random's Another first.
 */
export async function detailsCard(ctx: CoreContext, target: Target, back: WatchlistView | undefined, extra: { header?: Rich[]; another?: RandomPayload; shared?: boolean } = {}): Promise<Reply> {
  const trakt = await ctx.traktForUser();
  let seasons: Season[] | undefined;
  let progress: ShowProgress | undefined;
  if (target.kind === 'show') {
    // The seasons and what the user watched of each (one progress read: this card is one title).
    const showId = target.title.ids.trakt;
    [seasons, progress] = await Promise.all([
      ctx.patiently(trakt.seasons(showId)).catch(() => undefined),
      trakt.showProgress === undefined ? Promise.resolve(undefined) : ctx.patiently(trakt.showProgress(showId)).catch(() => undefined),
    ]);
  }
  const footer: Rich[] = [];
  const line = seasons === undefined ? undefined : seasonsLine(seasons, progress, ctx.i18n);
  if (line !== undefined) footer.push(line);
  if (progress !== undefined && progress.aired > 0 && progress.completed > 0) {
    const next = progress.nextEpisode;
    const watched = { completed: progress.completed, aired: progress.aired };
    footer.push(
      next === undefined
        ? ctx.t('watchlist:details.watched', watched)
        : ctx.t('watchlist:details.watchedNext', { ...watched, episode: `S${String(next.season).padStart(2, '0')}E${String(next.number).padStart(2, '0')}` }),
    );
  }
  const builder = ctx.view();
  const buttons: Button[][] = [];
  if (extra.another !== undefined) buttons.push([builder.button(ctx.t('watchlist:button.another'), 'wl-rand', extra.another, 'primary')]);
  if (target.kind === 'show') buttons.push([builder.button(ctx.t('watchlist:button.pickSeason'), 'seasons', { show: target.title })]);
  if (target.kind === 'season') buttons.push([builder.button(ctx.t('watchlist:button.pickEpisode'), 'episodes', { show: target.show, season: target.season })]);
  const row: Button[] = [builder.button(ctx.t('watchlist:button.remove'), 'rm', { target }, 'danger')];
  if (back !== undefined) row.push(builder.button(ctx.t('watchlist:button.backToList'), 'wl', back));
  buttons.push(row);
  await builder.save(ctx.deps.pending);
  const numberOfSeasons = seasons?.filter((s) => s.number > 0).length;
  const text = titleCard(target, {
    onWatchlist: true,
    footer,
    ...(extra.header === undefined ? {} : { header: extra.header }),
    ...(numberOfSeasons === undefined ? {} : { seasons: numberOfSeasons }),
  }, ctx.i18n);
  const shared = extra.shared ?? back?.shared === true;
  return { ...cardReply(target, text, buttons, shared ? ctx.owner : undefined, ctx.i18n), private: !shared };
}

export const watchlistOpenAction = defineAction<OpenPayload>({
  action: 'wl-open',
  async run(ctx, payload, input) {
    await ctx.requireAccount();
    const index = Number(input?.values?.[0] ?? -1);
    const target = payload.target ?? (Number.isInteger(index) ? payload.targets?.[index] : undefined);
    if (target === undefined) return { edit: await watchlistPage(ctx, payload.view ?? { filter: 'all', sort: 'added', page: 0 }) };
    return { edit: await detailsCard(ctx, target, payload.view) };
  },
});

/** /random's card: what to draw from, and the title shown (never drawn twice in a row). */
export interface RandomPayload {
  query: WatchlistQuery;
  last?: string;
  shared?: boolean;
}

/** One title at random from the user's own copy under the filters, with Another. */
async function randomCard(ctx: CoreContext, payload: RandomPayload, recheck: boolean): Promise<Reply> {
  await ctx.requireAccount();
  const trakt = await ctx.traktForUser();
  const copy = await ctx.copy.current(ctx, trakt, { recheck });
  const { item, total } = await ctx.deps.watchlists.random(ctx.identityId, payload.query, payload.last);
  const applied = narrowed(payload.query) ? filterPhrase(payload.query, ctx.i18n) : undefined;
  if (item === undefined) {
    const text =
      copy.itemCount === 0
        ? ctx.tr('watchlist:random.empty')
        : applied === undefined
          ? ctx.tr('watchlist:random.noMatchAny')
          : ctx.tr('watchlist:random.noMatch', { filters: applied });
    return { text, private: payload.shared !== true };
  }
  const ofAll = total !== copy.itemCount;
  const counts = { matching: total, all: copy.itemCount };
  const header: Rich[] = [
    applied === undefined
      ? ctx.tr(ofAll ? 'watchlist:random.headerOfAll' : 'watchlist:random.header', counts)
      : ctx.tr(ofAll ? 'watchlist:random.headerFilteredOfAll' : 'watchlist:random.headerFiltered', { ...counts, filters: applied }),
  ];
  const another: RandomPayload = { ...payload, last: item.key };
  return detailsCard(ctx, item.target, undefined, { header, another, shared: payload.shared === true });
}

export const randomCommand = defineCommand({
  name: 'random',
  account: true,
  description: 'One title at random from your watchlist, e.g. /random movies horror 2h',
  listed: true,
  private: true,
  options: [...FILTER_OPTIONS, shareOption],
  async run(ctx, args) {
    const { query, shared } = parseListArgs(cleanText(args), 'random', false, ctx.i18n);
    return [await randomCard(ctx, { query, ...(shared ? { shared } : {}) }, true)];
  },
});

export const watchlistRandomAction = defineAction<RandomPayload>({
  action: 'wl-rand',
  run: async (ctx, payload) => ({ edit: await randomCard(ctx, payload, false) }),
});

export const watchlistFilterAction = defineAction<WatchlistView>({
  action: 'wl-filt',
  run: async (ctx, view) => ({ edit: await filterPanel(ctx, view) }),
});

/** A press in select mode: what it does to the selection (`pick`: a page's menu, with its values). */
export type SelectPayload =
  | { view: WatchlistView; op?: undefined }
  | { view: WatchlistView; op: 'toggle'; target: Target }
  | { view: WatchlistView; op: 'pick' | 'page' | 'unpage'; targets: Target[] }
  | { view: WatchlistView; op: 'all' | 'clear' };

/** Everything the view shows under its filter (up to MAX_SELECTED), in its order. */
async function everything(ctx: CoreContext, view: WatchlistView): Promise<Target[]> {
  const { items } = await ctx.deps.watchlists.page(ctx.identityId, { ...queryOf(view), sort: view.sort, offset: 0, limit: MAX_SELECTED });
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
      lines.push(ctx.tr(selection.length === 0 ? 'watchlist:removeSelected.nothing' : 'watchlist:removeSelected.allGone'));
    } else {
      lines.push(ctx.tr('watchlist:removeSelected.question', { count: targets.length }), rich.line, ...listedLines(targets, undefined, ctx.i18n));
      if (gone > 0) lines.push(rich.line, ctx.tr('watchlist:removeSelected.gone', { count: gone }));
      buttons.push([view.button(ctx.t('watchlist:button.confirmRemove', { n: targets.length }), 'confirm', { op: 'remove', targets } satisfies ConfirmPayload, 'danger')]);
    }
    buttons.push([view.button(ctx.t('watchlist:button.backToSelection'), 'wl', back), view.button(ctx.t('watchlist:button.cancel'), 'cancel', {})]);
    await view.save(ctx.deps.pending);
    return { edit: { text: lines, buttons, private: payload.view.shared !== true } };
  },
});

export const watchlistCommand = defineCommand({
  name: 'watchlist',
  account: true,
  description: 'Your watchlist, filtered and sorted (only you see it), e.g. /watchlist movies horror 2h title',
  listed: true,
  private: true,
  options: [...FILTER_OPTIONS.slice(0, 1), SORT_OPTION, ...FILTER_OPTIONS.slice(1), shareOption],
  run: async (ctx, args) => [await watchlistPage(ctx, parseWatchlistArgs(args, ctx.i18n), true)],
});

export const watchlistPageAction = defineAction<WatchlistView>({
  action: 'wl',
  run: async (ctx, view) => ({ edit: await watchlistPage(ctx, view) }),
});
