import { usageText } from '../cards.js';
import type { CoreContext } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { defineAction, defineCommand } from '../handlers.js';
import { cleanText } from '../parse.js';
import type { WatchlistFilter, WatchlistSort } from '../ports.js';
import { kindWord, targetLabel, titleOf } from '../targets.js';
import { rich, type Button, type Reply, type Rich } from '../types.js';
import { shareOption, takeShare } from './share.js';

export interface WatchlistView {
  filter: WatchlistFilter;
  sort: WatchlistSort;
  page: number;
  /** Posted for everyone in a group (`/watchlist share`); otherwise only the user sees it. */
  shared?: boolean;
}

const PAGE_SIZE = 10;

const FILTER_WORDS: Record<WatchlistFilter, string> = { all: 'All', movies: 'Movies', shows: 'Shows' };
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
  for (const word of rest.toLowerCase().split(' ').filter((w) => w !== '')) {
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
        ': a type (movies, shows) and a sort (added, title, year, rating), and share to post it for everyone.',
      ]);
    }
  }
  return view;
}

export async function watchlistPage(ctx: CoreContext, view: WatchlistView, recheck = false): Promise<Reply> {
  const account = await ctx.requireAccount();
  const trakt = await ctx.traktForUser();
  const copy = await ctx.copy.current(ctx, trakt, { recheck });
  const { items, total } = await ctx.deps.watchlists.page(ctx.identityId, {
    filter: view.filter,
    sort: view.sort,
    offset: view.page * PAGE_SIZE,
    limit: PAGE_SIZE,
  });
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(view.page, pages - 1);
  if (page !== view.page) return watchlistPage(ctx, { ...view, page });

  const lines: Rich[] = [
    rich.bold('Your watchlist'),
    ` · ${usageText(copy.itemCount, account)}`,
    rich.line,
    rich.italic(`${FILTER_WORDS[view.filter]} · ${SORT_PHRASES[view.sort]} · page ${page + 1} of ${pages}`),
    rich.line,
  ];
  if (items.length === 0) {
    lines.push(
      rich.line,
      view.filter === 'all' ? 'Nothing on it yet. Find something with /search.' : `No ${FILTER_WORDS[view.filter].toLowerCase()} on it.`,
    );
  }
  items.forEach((item, i) => {
    const title = titleOf(item.target);
    const facts = [kindWord(item.target)];
    if (title.rating !== undefined && title.rating > 0) facts.push(`★ ${title.rating.toFixed(1)}`);
    lines.push(rich.line, `${page * PAGE_SIZE + i + 1}. `, rich.bold(targetLabel(item.target)), ` · ${facts.join(' · ')}`);
  });

  const builder = ctx.view();
  const buttons: Button[][] = [];
  const nav: Button[] = [];
  if (page > 0) nav.push(builder.button('◀ Previous', 'wl', { ...view, page: page - 1 }));
  if (page + 1 < pages) nav.push(builder.button('Next ▶', 'wl', { ...view, page: page + 1 }));
  if (nav.length > 0) buttons.push(nav);
  buttons.push(
    (Object.keys(SORT_WORDS) as WatchlistSort[]).map((sort) =>
      builder.button(sort === view.sort ? `• ${SORT_WORDS[sort]}` : SORT_WORDS[sort], 'wl', { ...view, sort, page: 0 }),
    ),
  );
  buttons.push(
    (Object.keys(FILTER_WORDS) as WatchlistFilter[]).map((filter) =>
      builder.button(filter === view.filter ? `• ${FILTER_WORDS[filter]}` : FILTER_WORDS[filter], 'wl', { ...view, filter, page: 0 }),
    ),
  );
  await builder.save(ctx.deps.pending);
  if (view.shared === true && ctx.owner !== undefined) lines.push(rich.line, ctx.owner);
  // The whole list is the user's own business: only they see it, unless they shared it.
  return { text: lines, buttons, private: view.shared !== true };
}

export const watchlistCommand = defineCommand({
  name: 'watchlist',
  description: 'Your watchlist (only you see it): /watchlist [movies|shows] [added|title|year|rating] [share]',
  listed: true,
  private: true,
  options: [
    { name: 'type', description: 'Movies, shows or both', choices: [{ name: 'All', value: 'all' }, { name: 'Movies', value: 'movies' }, { name: 'Shows', value: 'shows' }] },
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
