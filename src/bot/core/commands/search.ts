import { batchPick } from '../batch-add.js';
import type { ViewBuilder } from '../actions.js';
import { cardReply, quote, titleCard, type CardOptions, type PartFacts } from '../cards.js';
import type { AddPayload } from './add.js';
import type { SearchSelectPayload } from './search-select.js';
import type { CoreContext } from '../context.js';
import { InvalidInputError, NeedsLinkError } from '../errors.js';
import { defineAction, defineCommand } from '../handlers.js';
import { cleanText, parseAddQuery, parseTitleQuery, splitTypeWord, type TitleQuery, type TypeFilter } from '../parse.js';
import type { LinkedAccount, SearchPage, Target, Title, TraktCatalogPort } from '../ports.js';
import { targetKey, titleOf, titleTarget } from '../targets.js';
import { lookUpReference, unknownReferenceReply, type TitleReference } from '../title-refs.js';
import { searchReadings } from '../title-search.js';
import { suggestAlternatives } from '../suggest.js';
import { EN, type Translator } from '../i18n/index.js';
import { rich, type Button, type Reply } from '../types.js';
import { GENRES, genreSlug, genreWord, parseMinutes, parseYears, RUNTIME_CHOICES, runtimeText, runtimeWord, yearsWord } from './watchlist-args.js';

/** Where a search card stands: the query and which result it shows. Stored with its buttons. */
export interface SearchState {
  q: string;
  year?: number;
  type: TypeFilter;
  /** Which result the card shows: across Trakt's pages, or with filters within the matching ones. */
  index: number;
  /** Only results of this Trakt genre slug (`horror`, `science-fiction`). */
  genre?: string;
  /** Only results at most this long, in minutes (a show: its episodes). */
  maxRuntime?: number;
  /** Only results released in these years (`years=1990-2005`; a single year typed after the title is Trakt's own filter, `year`). */
  yearFrom?: number;
  yearTo?: number;
}

/** Results asked of Trakt at once; the card flips through them one by one. */
const TRAKT_PAGE = 10;

/**
 * With a genre or runtime filter, this many of Trakt's results are read at once (one request, cached
 * like any search) and filtered here: Trakt documents `genres` and `runtimes` filters, but whether
 * `/search` honours them in 2026 is not confirmed, so the results are checked against each title's own
 * genres and runtime. The card says so when Trakt had more results than were looked at.
 */
export const FILTER_POOL = 100;

const FILTER_KEYS = /(?:^|\s)(genre|runtime|length|max|years)\s*=/gi;

export interface SearchFilters {
  genre?: string;
  maxRuntime?: number;
  yearFrom?: number;
  yearTo?: number;
}

function filterUsage(what: string): InvalidInputError {
  return new InvalidInputError({ key: 'search:filterUsage', params: { what: what.slice(0, 40), genres: GENRES.slice(0, 6).join(', ') } });
}

/**
 * `genre=` and `runtime=` (also `length=`, `max=`) in a search's text, which is what Discord's keyed
 * options send and what Telegram users type. A value runs to the next key; only as many of its words
 * as make a known genre (or a runtime) are taken, the rest belongs to the title.
 */
export function takeSearchFilters(text: string): SearchFilters & { rest: string } {
  const found = [...text.matchAll(FILTER_KEYS)];
  if (found.length === 0) return { rest: text };
  const filters: SearchFilters = {};
  const rest: string[] = [text.slice(0, found[0]?.index ?? 0)];
  found.forEach((match, i) => {
    const key = (match[1] ?? '').toLowerCase();
    const start = (match.index ?? 0) + match[0].length;
    const end = found[i + 1]?.index ?? text.length;
    const words = text.slice(start, end).trim().split(/\s+/).filter((w) => w !== '');
    for (let n = words.length; n > 0; n--) {
      const value = words.slice(0, n).join(' ');
      if (key === 'genre') {
        const slug = genreSlug(value);
        if (slug === 'any' || slug === 'all' || (GENRES as readonly string[]).includes(slug)) {
          if (slug === 'any' || slug === 'all') delete filters.genre;
          else filters.genre = slug;
          rest.push(words.slice(n).join(' '));
          return;
        }
      } else if (key === 'years') {
        const years = parseYears(value);
        if (years !== undefined) {
          delete filters.yearFrom;
          delete filters.yearTo;
          Object.assign(filters, years);
          rest.push(words.slice(n).join(' '));
          return;
        }
      } else {
        const minutes = parseMinutes(value);
        if (minutes !== undefined) {
          filters.maxRuntime = minutes;
          rest.push(words.slice(n).join(' '));
          return;
        }
      }
    }
    throw filterUsage(`${key}=${words.join(' ')}`);
  });
  if (filters.yearFrom !== undefined && filters.yearTo !== undefined && filters.yearFrom > filters.yearTo) {
    throw new InvalidInputError({ key: 'search:yearsBackwards', params: { from: filters.yearFrom, to: filters.yearTo } });
  }
  return { ...filters, rest: rest.join(' ').replace(/\s+/g, ' ').trim() };
}

function filtered(state: SearchState): boolean {
  return state.genre !== undefined || state.maxRuntime !== undefined || state.yearFrom !== undefined || state.yearTo !== undefined;
}

/** Whether a result passes the card's filters; a title whose runtime Trakt does not know fails a runtime filter. */
export function matchesFilters(title: Title, filters: SearchFilters): boolean {
  if (filters.genre !== undefined && !(title.genres ?? []).includes(filters.genre)) return false;
  if (filters.maxRuntime !== undefined && !(title.runtime !== undefined && title.runtime > 0 && title.runtime <= filters.maxRuntime)) return false;
  if (filters.yearFrom !== undefined && !(title.year !== null && title.year >= filters.yearFrom)) return false;
  if (filters.yearTo !== undefined && !(title.year !== null && title.year <= filters.yearTo)) return false;
  return true;
}

/** `Horror · ≤ 2 h`, or undefined without filters. */
function filterWords(filters: SearchFilters, i18n: Translator): string | undefined {
  const years = yearsWord(filters, i18n);
  const parts = [
    ...(filters.genre === undefined ? [] : [genreWord(filters.genre, i18n)]),
    ...(years === undefined ? [] : [years]),
    ...(filters.maxRuntime === undefined ? [] : [runtimeText(filters.maxRuntime, i18n)]),
  ];
  return parts.length === 0 ? undefined : parts.join(' · ');
}

function withoutFilters(state: SearchState): SearchState {
  return { q: state.q, type: state.type, index: 0, ...(state.year === undefined ? {} : { year: state.year }) };
}

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
    const present = await ctx.onFreshCopy([targetKey(target)], recheck);
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
  // Without filters the card reads Trakt's pages of 10 as it flips; with them, one pool to filter.
  const narrowed = filtered(initial);
  const page = narrowed ? 1 : Math.floor(initial.index / TRAKT_PAGE) + 1;
  const limit = narrowed ? FILTER_POOL : TRAKT_PAGE;
  const types: Array<'movie' | 'show'> = initial.type === 'both' ? ['movie', 'show'] : [initial.type];
  let state = initial;
  let result: SearchPage;
  if (typed === undefined) {
    result = await ctx.patiently(catalog.search({ query: state.q, types, page, limit, ...(state.year === undefined ? {} : { year: state.year }) }));
  } else {
    const chosen = await searchReadings(catalog, typed.text, typed.query, { types, page, limit }, (work) => ctx.patiently(work));
    state = {
      type: state.type,
      index: state.index,
      q: chosen.reading.text,
      ...(chosen.reading.year === undefined ? {} : { year: chosen.reading.year }),
      ...(state.genre === undefined ? {} : { genre: state.genre }),
      ...(state.maxRuntime === undefined ? {} : { maxRuntime: state.maxRuntime }),
      ...(state.yearFrom === undefined ? {} : { yearFrom: state.yearFrom }),
      ...(state.yearTo === undefined ? {} : { yearTo: state.yearTo }),
    };
    result = chosen.page;
  }
  const asked = `${quote(state.q, ctx.i18n)}${state.year === undefined ? '' : ` (${state.year})`}`;
  const applied = filterWords(state, ctx.i18n);
  // The results the card flips through: Trakt's page as it is, or the pool's matching ones.
  const hits = narrowed ? result.hits.filter((hit) => matchesFilters(hit, state)) : result.hits;
  const position = narrowed ? state.index : state.index % TRAKT_PAGE;
  const pageStart = position - (position % TRAKT_PAGE);
  // "of Trakt's first 100": only when Trakt had more than the pool held.
  const pooled = narrowed && result.total > result.hits.length;
  const view = ctx.view();
  const filterRow = (): Button[] => [
    ...(['movie', 'show', 'both'] as const).map((type) =>
      view.button(type === state.type ? `• ${ctx.t(`search:button.type.${type}`)}` : ctx.t(`search:button.type.${type}`), 'filter', { ...state, type, index: 0 }),
    ),
    ...(applied === undefined ? [] : [view.button(`✕ ${applied}`, 'filter', withoutFilters(state))]),
  ];
  const hit = hits[position];
  if (hit === undefined && narrowed && result.hits.length > 0 && state.index === 0) {
    // Trakt found titles; the filters left none of them.
    const buttons = [[view.button(ctx.t('search:button.withoutFilters'), 'filter', withoutFilters(state))], filterRow()];
    await view.save(ctx.deps.pending);
    const params = { count: result.hits.length, asked, filters: applied ?? '' };
    return {
      text: [ctx.t(pooled ? 'search:filtered.noneInPool' : 'search:filtered.none', params), ' ', ctx.t('search:filtered.loosen')],
      buttons,
    };
  }
  if (hit === undefined) {
    const loosen = ctx.t(state.year !== undefined ? 'search:loosen.year' : state.type !== 'both' ? 'search:loosen.type' : 'search:loosen.words');
    const suggested = await suggestAlternatives(ctx, catalog, view, state);
    const buttons = [...suggested.buttons, ...(state.type !== 'both' ? [filterRow()] : [])];
    await view.save(ctx.deps.pending);
    const none = ctx.t(`search:noneFound.${state.type}`, { asked });
    return { text: [none, ' ', loosen, ...suggested.text], ...(buttons.length ? { buttons } : {}) };
  }
  const target = titleTarget(hit);
  // The card's poster downloads while the watchlist marks are read (foundTitle waits for the sync).
  const poster = titleOf(target).posterUrl;
  if (poster) ctx.deps.posters?.warm?.(ctx.chat.platform, poster);
  const found = await foundTitle(ctx, catalog, account, target, view, state);
  const totalResults = narrowed ? hits.length : Math.max(result.total, state.index + 1);
  const buttons: Button[][] = [found.button];
  const nav: Button[] = [];
  if (state.index > 0) nav.push(view.button(ctx.t('search:button.previous'), 'page', { ...state, index: state.index - 1 }));
  if (state.index + 1 < totalResults) nav.push(view.button(ctx.t('search:button.next'), 'page', { ...state, index: state.index + 1 }));
  if (nav.length > 0) buttons.push(nav);
  // Linked users can also pick several results of this page at once: Discord with the menu, Telegram
  // with Select several (a view of toggles, see search-select.ts), which the menu replaces on Discord.
  const menu = account === null ? undefined : batchPick(view, narrowed ? hits.slice(pageStart, pageStart + TRAKT_PAGE) : result.hits, ctx.i18n);
  let pick = menu;
  if (menu !== undefined) {
    pick = { ...menu, replacesRows: 1, replacesRowsFrom: buttons.length };
    buttons.push([view.button(ctx.t('search:button.selectSeveral'), 'sr-sel', { view: { state } } satisfies SearchSelectPayload)]);
  }
  buttons.push(filterRow());
  await view.save(ctx.deps.pending);
  const position1 = { n: state.index + 1, total: totalResults, asked };
  const footer =
    applied === undefined
      ? ctx.tr('search:footer.result', position1)
      : pooled
        ? ctx.tr('search:footer.resultFilteredPool', { ...position1, filters: applied, pool: result.hits.length })
        : ctx.tr('search:footer.resultFiltered', { ...position1, filters: applied });
  const text = titleCard(target, { ...found.card, footer: [rich.line, footer] }, ctx.i18n);
  const card = cardReply(target, text, buttons, ctx.owner, ctx.i18n);
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
      ? view.button(ctx.t('add:button.remove'), 'rm', { target, ...(back ? { back } : {}) })
      : view.button(ctx.t('search:button.add'), 'add', { target, ...(back ? { back } : {}), ...(part ? { part } : {}) } satisfies AddPayload, 'primary');
  const card: CardOptions = { ...(seasons === undefined ? {} : { seasons }), ...(part === undefined ? {} : { part }), onWatchlist: listed === true };
  return { card, button: [button] };
}

/** `/search tt1160419` or a Trakt link: the card of that title (or season, or episode), as `/add` finds it. */
async function referenceCard(ctx: CoreContext, reference: TitleReference): Promise<Reply> {
  const account = await linkedOrNull(ctx);
  const catalog: TraktCatalogPort = account === null ? ctx.deps.trakt.catalog() : await ctx.traktForUser();
  if (account !== null) ctx.freshCopy().catch(() => undefined);
  const { target, asked, part } = await lookUpReference(catalog, reference, (work) => ctx.patiently(work));
  if (target === undefined) return unknownReferenceReply(asked, ctx.i18n);
  const view = ctx.view();
  const found = await foundTitle(ctx, catalog, account, target, view, undefined, part);
  await view.save(ctx.deps.pending);
  return cardReply(target, titleCard(target, found.card, ctx.i18n), [found.button], ctx.owner, ctx.i18n);
}

export const searchCommand = defineCommand({
  name: 'search',
  account: true,
  description: 'Find movies and shows: /search dune 2021',
  listed: true,
  options: [
    { name: 'query', description: 'A title (optionally with its year), an IMDb id or a Trakt link', required: true, maxLength: 200, autocomplete: 'title-query' },
    { name: 'genre', description: 'Only results of this genre', keyed: true, choices: GENRES.map((g) => ({ name: genreWord(g, EN), value: g })) },
    { name: 'runtime', description: 'Longest runtime (a show: its episodes)', keyed: true, choices: RUNTIME_CHOICES.map((m) => ({ name: runtimeWord(m), value: String(m) })) },
    { name: 'years', description: 'Release years, e.g. 1990-2005, 2000- or -1999', keyed: true, maxLength: 11 },
  ],
  async run(ctx, args) {
    const text = cleanText(args);
    if (text === '') throw new InvalidInputError({ key: 'search:usage' });
    const { rest: title, ...filters } = takeSearchFilters(text);
    if (title === '') throw new InvalidInputError({ key: 'search:usageFilters' });
    const reference = parseAddQuery(title);
    if (reference.kind !== 'text') return [await referenceCard(ctx, reference)];
    const { type, rest } = splitTypeWord(title);
    const query = parseTitleQuery(rest);
    return [await searchCard(ctx, { q: query.text, type, index: 0, ...filters }, { text: rest, query })];
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
