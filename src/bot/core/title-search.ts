import type { TitleQuery } from './parse.js';
import type { SearchPage, SearchRequest, Title, TraktCatalogPort } from './ports.js';
import { normalizeForMatch } from './title-index.js';

/**
 * Which reading of a typed title to search. `blade runner 2049` may be the film "Blade Runner 2049"
 * or "Blade Runner" from 2049; `dune 2021` is "Dune" from 2021. Both readings are searched at once
 * (one extra app-level read, only when the text ends in a year-like number) and decided by Trakt's
 * answers: a title that equals the whole text wins, then the year reading if it found anything,
 * then whatever the whole text found.
 */
export interface TitleReading {
  text: string;
  year?: number;
}

export interface ReadingResult {
  reading: TitleReading;
  page: SearchPage;
  /** A hit whose title is exactly what was typed, when there is one. */
  exact?: Title;
}

function exactMatch(hits: readonly Title[], text: string): Title | undefined {
  const wanted = normalizeForMatch(text);
  return hits.find((hit) => normalizeForMatch(hit.title) === wanted);
}

/**
 * Searches the readings of `typed` (as parsed into `query`) and returns the one to show, with its
 * first page. `request` carries everything but the text and the year.
 */
export async function searchReadings(
  catalog: TraktCatalogPort,
  typed: string,
  query: TitleQuery,
  request: Omit<SearchRequest, 'query' | 'year'>,
  patiently: <T>(work: Promise<T>) => Promise<T>,
): Promise<ReadingResult> {
  const byYear: TitleReading = query.year === undefined ? { text: query.text } : { text: query.text, year: query.year };
  const search = (reading: TitleReading) =>
    patiently(catalog.search({ ...request, query: reading.text, ...(reading.year === undefined ? {} : { year: reading.year }) }));
  // `dune (2021)`: parentheses say it is a year. A bare trailing number may be the end of the title.
  const whole = query.year !== undefined && !/\)\s*$/.test(typed) ? typed.trim() : undefined;
  if (whole === undefined) {
    const page = await search(byYear);
    const exact = exactMatch(page.hits, query.text);
    return { reading: byYear, page, ...(exact === undefined ? {} : { exact }) };
  }

  const [yearPage, wholePage] = await Promise.all([search(byYear), search({ text: whole })]);
  const exact = exactMatch(wholePage.hits, whole);
  if (exact !== undefined) return { reading: { text: whole }, page: wholePage, exact };
  if (yearPage.hits.length > 0 || wholePage.hits.length === 0) {
    // Nothing either way: the year reading's answer keeps its hint (try without the year).
    const exactByYear = exactMatch(yearPage.hits, query.text);
    return { reading: byYear, page: yearPage, ...(exactByYear === undefined ? {} : { exact: exactByYear }) };
  }
  return { reading: { text: whole }, page: wholePage };
}
