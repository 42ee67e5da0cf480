import type { ViewBuilder } from './actions.js';
import type { SearchState } from './commands/search.js';
import type { CoreContext } from './context.js';
import type { Title, TraktCatalogPort } from './ports.js';
import type { TitleIndex } from './title-index.js';
import { quote } from './cards.js';
import { rich, type Button, type Rich } from './types.js';

/**
 * Suggestions for a search that found nothing (issue 13: "suggest corrections", "suggest alternative
 * terms"): the closest titles the bot has seen (a misspelling: `dnue` → Dune), or else a looser
 * query that does find something (without the year, then without the last word). Each is a button
 * that opens that search's card. Costs no Trakt request for the titles; at most two (cached) searches
 * for a looser query.
 */
export interface Suggestions {
  /** Said after "I found nothing"; empty when there is nothing to suggest. */
  text: Rich[];
  /** One row per suggestion. */
  buttons: Button[][];
}

/** Titles suggested at most. */
export const MAX_SUGGESTIONS = 3;

type Types = Array<'movie' | 'show'>;

/** Looser readings of a search, loosest last: without the year; without the last word. */
export function looserQueries(state: Pick<SearchState, 'q' | 'year'>): Array<{ q: string; year?: number }> {
  const looser: Array<{ q: string; year?: number }> = [];
  if (state.year !== undefined) looser.push({ q: state.q });
  const words = state.q.trim().split(/\s+/);
  if (words.length >= 2) looser.push({ q: words.slice(0, -1).join(' ') });
  return looser;
}

/** The closest known titles of the wanted types. */
export function closestTitles(index: TitleIndex | undefined, query: string, types: Types): Title[] {
  if (index === undefined) return [];
  return index
    .closest(query, MAX_SUGGESTIONS * 4)
    .filter((title) => types.includes(title.type))
    .slice(0, MAX_SUGGESTIONS);
}

/** The first looser query Trakt finds something for, or undefined. */
export async function looserQueryWithHits(
  catalog: TraktCatalogPort,
  state: Pick<SearchState, 'q' | 'year'>,
  types: Types,
  patiently: <T>(work: Promise<T>) => Promise<T>,
): Promise<{ q: string; year?: number } | undefined> {
  for (const looser of looserQueries(state)) {
    const page = await patiently(catalog.search({ query: looser.q, types, page: 1, limit: 10, ...(looser.year === undefined ? {} : { year: looser.year }) }));
    if (page.hits.length > 0) return looser;
  }
  return undefined;
}

/** What to offer after "I found nothing for …"; nothing when Trakt is too slow to try a looser query. */
export async function suggestAlternatives(ctx: CoreContext, catalog: TraktCatalogPort, view: ViewBuilder, state: SearchState): Promise<Suggestions> {
  // Paging past the last result is not a search that found nothing.
  if (state.index > 0) return { text: [], buttons: [] };
  const types: Types = state.type === 'both' ? ['movie', 'show'] : [state.type];
  const titles = closestTitles(ctx.deps.titles, state.q, types);
  if (titles.length > 0) {
    return {
      text: [rich.line, ctx.t('search:suggest.didYouMean')],
      buttons: titles.map((title) => [
        view.button(`🔎 ${title.title}${title.year == null ? '' : ` (${title.year})`}`, 'page', {
          q: title.title,
          ...(title.year == null ? {} : { year: title.year }),
          type: state.type === 'both' ? 'both' : title.type,
          index: 0,
        } satisfies SearchState),
      ]),
    };
  }
  try {
    const looser = await looserQueryWithHits(catalog, state, types, (work) => ctx.patiently(work));
    if (looser === undefined) return { text: [], buttons: [] };
    const label = `${quote(looser.q, ctx.i18n)}${looser.year === undefined ? '' : ` (${looser.year})`}`;
    return {
      text: [rich.line, ctx.t('search:suggest.findsSomething', { query: label })],
      buttons: [[view.button(ctx.t('search:button.searchFor', { query: label }), 'page', { ...looser, type: state.type, index: 0 } satisfies SearchState)]],
    };
  } catch {
    return { text: [], buttons: [] };
  }
}
