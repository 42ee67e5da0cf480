import { InvalidInputError } from './errors.js';

/** Longest query we pass on: titles are short, and Trakt's search gains nothing from essays. */
export const MAX_QUERY_LENGTH = 200;

/**
 * Cleans what a user typed: control and zero-width characters out, whitespace collapsed. Rejects
 * text that is too long instead of cutting it, so the user knows what happened.
 */
export function cleanText(raw: string): string {
  const cleaned = raw
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (cleaned.length > MAX_QUERY_LENGTH) {
    throw new InvalidInputError({ key: 'parse:tooLong', params: { length: cleaned.length, max: MAX_QUERY_LENGTH } });
  }
  return cleaned;
}

export interface TitleQuery {
  text: string;
  year?: number;
}

/**
 * A year in the query narrows it: `dune 2021`, `dune (2021)`. A title that is only a year stays a title.
 * A bare trailing number may also be the end of the title (`blade runner 2049`): searches try that
 * reading too (title-search.ts).
 */
export function parseTitleQuery(raw: string): TitleQuery {
  const text = cleanText(raw);
  const match = /^(.*?)[\s,]*\(?((?:19|20)\d{2})\)?$/.exec(text);
  if (match && match[1] !== undefined && match[1].trim() !== '' && match[2] !== undefined) {
    return { text: match[1].trim(), year: Number(match[2]) };
  }
  return { text };
}

export type AddQuery =
  | { kind: 'imdb'; imdbId: string }
  | { kind: 'slug'; type: 'movie' | 'show'; slug: string; season?: number; episode?: number }
  | { kind: 'text'; query: TitleQuery };

/** `/add` takes a title, an IMDb id (or IMDb URL) or a Trakt URL. */
export function parseAddQuery(raw: string): AddQuery {
  const text = cleanText(raw);
  const imdb = /(?:^|imdb\.com\/title\/)(tt\d{7,10})\b/i.exec(text);
  if (imdb?.[1] !== undefined && (/^tt\d+$/i.test(text) || /imdb\.com/i.test(text))) {
    return { kind: 'imdb', imdbId: imdb[1].toLowerCase() };
  }
  const trakt = /^(?:https?:\/\/)?(?:www\.|app\.)?trakt\.tv\/(movies|shows)\/([a-z0-9-]{1,120})(?:\/seasons\/(\d{1,3})(?:\/episodes\/(\d{1,4}))?)?\/?(?:[?#].*)?$/i.exec(
    text,
  );
  if (trakt?.[1] !== undefined && trakt[2] !== undefined) {
    const type = trakt[1].toLowerCase() === 'movies' ? 'movie' : 'show';
    return {
      kind: 'slug',
      type,
      slug: trakt[2].toLowerCase(),
      ...(trakt[3] !== undefined && type === 'show' ? { season: Number(trakt[3]) } : {}),
      ...(trakt[4] !== undefined && type === 'show' ? { episode: Number(trakt[4]) } : {}),
    };
  }
  if (/^https?:\/\//i.test(text)) {
    throw new InvalidInputError({ key: 'parse:linkNotUnderstood' });
  }
  return { kind: 'text', query: parseTitleQuery(text) };
}

export type TypeFilter = 'movie' | 'show' | 'both';

/** Leading `movie(s)` / `show(s)` narrows a search: `/search shows office`. */
export function splitTypeWord(text: string): { type: TypeFilter; rest: string } {
  const match = /^(movies?|films?|shows?|series|tv)\s+(.+)$/i.exec(text);
  if (!match || match[1] === undefined || match[2] === undefined) return { type: 'both', rest: text };
  const word = match[1].toLowerCase();
  return { type: word.startsWith('movie') || word.startsWith('film') ? 'movie' : 'show', rest: match[2] };
}
