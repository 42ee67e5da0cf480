import { batchPick } from '../batch-add.js';
import type { ViewBuilder } from '../actions.js';
import { cardReply, quote, titleCard, type CardOptions, type PartFacts } from '../cards.js';
import type { AddPayload } from './add.js';
import type { SearchSelectPayload } from './search-select.js';
import type { CoreContext } from '../context.js';
import { InvalidInputError, NeedsLinkError } from '../errors.js';
import { defineAction, defineCommand } from '../handlers.js';
import { cleanText, parseAddQuery, parseTitleQuery, splitTypeWord, type TitleQuery, type TypeFilter } from '../parse.js';
import type { LinkedAccount, SearchPage, Target, TraktCatalogPort } from '../ports.js';
import { targetKey, titleTarget } from '../targets.js';
import { lookUpReference, unknownReferenceReply, type TitleReference } from '../title-refs.js';
import { searchReadings } from '../title-search.js';
import { suggestAlternatives } from '../suggest.js';
import { rich, type Button, type Reply } from '../types.js';

/** Where a search card stands: the query and which result it shows. Stored with its buttons. */
export interface SearchState {
  q: string;
  year?: number;
  type: TypeFilter;
  index: number;
}

/** Results asked of Trakt at once; the card flips through them one by one. */
const TRAKT_PAGE = 10;

const TYPE_WORDS: Record<TypeFilter, string> = { movie: 'Movies', show: 'Shows', both: 'Both' };

async function linkedOrNull(ctx: CoreContext): Promise<LinkedAccount | null> {
  try {
    return await ctx.linkedAccount();
  } catch (error) {
    if (error instanceof NeedsLinkError) return null;
    throw error;
  }
}

/** Number of real seasons (specials aside), or undefined when Trakt did not say in time. */
export async function seasonCount(ctx: CoreContext, catalog: TraktCatalogPort, target: Target): Promise<number | undefined> {
  if (target.kind !== 'show') return undefined;
  try {
    const seasons = await ctx.patiently(catalog.seasons(target.title.ids.trakt));
    return seasons.filter((s) => s.number > 0).length;
  } catch {
    return undefined;
  }
}

/** Whether the target is on the user's watchlist, from the local copy; undefined when unknown. */
export async function onWatchlist(ctx: CoreContext, target: Target, recheck = false): Promise<boolean | undefined> {
  try {
    await ctx.freshCopy(recheck);
    const present = await ctx.deps.watchlists.present(ctx.identityId, [targetKey(target)]);
    return present.has(targetKey(target));
  } catch (error) {
    ctx.deps.logger.warn({ err: error, identityId: ctx.identityId }, 'watchlist copy unavailable; card shown without the mark');
    return undefined;
  }
}

/**
 * The search card for `state`. With `typed` (a new search), the typed text's readings are tried first
 * (a trailing number may be a year or part of the title, see title-search.ts) and the state follows
 * the reading that found the title.
 */
export async function searchCard(ctx: CoreContext, initial: SearchState, typed?: { text: string; query: TitleQuery }): Promise<Reply> {
  const account = await linkedOrNull(ctx);
  const catalog: TraktCatalogPort = account === null ? ctx.deps.trakt.catalog() : await ctx.traktForUser();
  // The watchlist marks need a current copy: bring it up to date while Trakt searches.
  if (account !== null) ctx.freshCopy().catch(() => undefined);
  const page = Math.floor(initial.index / TRAKT_PAGE) + 1;
  const types: Array<'movie' | 'show'> = initial.type === 'both' ? ['movie', 'show'] : [initial.type];
  let state = initial;
  let result: SearchPage;
  if (typed === undefined) {
    result = await ctx.patiently(
      catalog.search({ query: state.q, types, page, limit: TRAKT_PAGE, ...(state.year === undefined ? {} : { year: state.year }) }),
    );
  } else {
    const chosen = await searchReadings(catalog, typed.text, typed.query, { types, page, limit: TRAKT_PAGE }, (work) => ctx.patiently(work));
    state = { type: state.type, index: state.index, q: chosen.reading.text, ...(chosen.reading.year === undefined ? {} : { year: chosen.reading.year }) };
    result = chosen.page;
  }
  const asked = `${quote(state.q)}${state.year === undefined ? '' : ` (${state.year})`}`;
  const view = ctx.view();
  const filterRow = (): Button[] =>
    (['movie', 'show', 'both'] as const).map((type) =>
      view.button(type === state.type ? `• ${TYPE_WORDS[type]}` : TYPE_WORDS[type], 'filter', { ...state, type, index: 0 }),
    );
  const hit = result.hits[state.index % TRAKT_PAGE];
  if (hit === undefined) {
    const loosen =
      state.year !== undefined
        ? 'Try it without the year, or with fewer words.'
        : state.type !== 'both'
          ? 'Try fewer words, or look in both movies and shows.'
          : 'Try fewer words or check the spelling.';
    const suggested = await suggestAlternatives(ctx, catalog, view, state);
    const buttons = [...suggested.buttons, ...(state.type !== 'both' ? [filterRow()] : [])];
    await view.save(ctx.deps.pending);
    return { text: [`I found no ${state.type === 'both' ? 'movies or shows' : TYPE_WORDS[state.type].toLowerCase()} for ${asked}. `, loosen, ...suggested.text], ...(buttons.length ? { buttons } : {}) };
  }
  const target = titleTarget(hit);
  const found = await foundTitle(ctx, catalog, account, target, view, state);
  const totalResults = Math.max(result.total, state.index + 1);
  const buttons: Button[][] = [found.button];
  const nav: Button[] = [];
  if (state.index > 0) nav.push(view.button('◀ Previous', 'page', { ...state, index: state.index - 1 }));
  if (state.index + 1 < totalResults) nav.push(view.button('Next ▶', 'page', { ...state, index: state.index + 1 }));
  if (nav.length > 0) buttons.push(nav);
  // Linked users can also pick several results of this page at once: Discord with the menu, Telegram
  // with Select several (a view of toggles, see search-select.ts), which the menu replaces on Discord.
  const menu = account === null ? undefined : batchPick(view, result.hits);
  let pick = menu;
  if (menu !== undefined) {
    pick = { ...menu, replacesRows: 1, replacesRowsFrom: buttons.length };
    buttons.push([view.button('☑ Select several', 'sr-sel', { view: { state } } satisfies SearchSelectPayload)]);
  }
  buttons.push(filterRow());
  await view.save(ctx.deps.pending);
  const text = titleCard(target, { ...found.card, footer: [rich.line, rich.italic(`Result ${state.index + 1} of ${totalResults} for ${asked}`)] });
  const card = cardReply(target, text, buttons, ctx.owner);
  return pick === undefined ? card : { ...card, pick };
}

/** What a found title's card shows of the user's watchlist (✓, seasons) and its first row: Add, or Remove when listed. */
async function foundTitle(
  ctx: CoreContext,
  catalog: TraktCatalogPort,
  account: LinkedAccount | null,
  target: Target,
  view: ViewBuilder,
  back?: SearchState,
  part?: PartFacts,
): Promise<{ card: CardOptions; button: Button[] }> {
  const [listed, seasons] = await Promise.all([
    account === null ? Promise.resolve(undefined) : onWatchlist(ctx, target),
    seasonCount(ctx, catalog, target),
  ]);
  const button =
    listed === true
      ? view.button('🗑 Remove', 'rm', { target, ...(back ? { back } : {}) })
      : view.button('➕ Add', 'add', { target, ...(back ? { back } : {}), ...(part ? { part } : {}) } satisfies AddPayload, 'primary');
  const card: CardOptions = { ...(seasons === undefined ? {} : { seasons }), ...(part === undefined ? {} : { part }), onWatchlist: listed === true };
  return { card, button: [button] };
}

/** `/search tt1160419` or a Trakt link: the card of that title (or season, or episode), as `/add` finds it. */
async function referenceCard(ctx: CoreContext, reference: TitleReference): Promise<Reply> {
  const account = await linkedOrNull(ctx);
  const catalog: TraktCatalogPort = account === null ? ctx.deps.trakt.catalog() : await ctx.traktForUser();
  if (account !== null) ctx.freshCopy().catch(() => undefined);
  const { target, asked, part } = await lookUpReference(catalog, reference, (work) => ctx.patiently(work));
  if (target === undefined) return unknownReferenceReply(asked);
  const view = ctx.view();
  const found = await foundTitle(ctx, catalog, account, target, view, undefined, part);
  await view.save(ctx.deps.pending);
  return cardReply(target, titleCard(target, found.card), [found.button], ctx.owner);
}

export const searchCommand = defineCommand({
  name: 'search',
  description: 'Find movies and shows: /search dune 2021',
  listed: true,
  options: [{ name: 'query', description: 'A title (optionally with its year), an IMDb id or a Trakt link', required: true, maxLength: 200, autocomplete: 'title-query' }],
  async run(ctx, args) {
    const text = cleanText(args);
    if (text === '') {
      throw new InvalidInputError(['Tell me what to look for, e.g. ', rich.code('/search dune 2021'), ' or ', rich.code('/search shows severance'), '.']);
    }
    const reference = parseAddQuery(text);
    if (reference.kind !== 'text') return [await referenceCard(ctx, reference)];
    const { type, rest } = splitTypeWord(text);
    const query = parseTitleQuery(rest);
    return [await searchCard(ctx, { q: query.text, type, index: 0 }, { text: rest, query })];
  },
});

export const searchPageAction = defineAction<SearchState>({
  action: 'page',
  run: async (ctx, state) => ({ edit: await searchCard(ctx, state) }),
});

export const searchFilterAction = defineAction<SearchState>({
  action: 'filter',
  run: async (ctx, state) => ({ edit: await searchCard(ctx, state) }),
});
