import type { CommandOption } from '../handlers.js';
import { InvalidInputError } from '../errors.js';
import type { WatchlistFilter, WatchlistNarrowing, WatchlistQuery, WatchlistSort } from '../ports.js';
import { rich } from '../types.js';
import { takeShare } from './share.js';

/**
 * The filters and sorts of /watchlist and /random, the same on every platform: words (`movies`,
 * `horror`, `1990-2005`, `2h`, `title`) and `key=value` options (`type=`, `genre=`, `years=`,
 * `runtime=`, `sort=`), which is what Discord's keyed options send.
 */
export interface ListArgs {
  query: WatchlistQuery;
  sort?: WatchlistSort;
  shared: boolean;
}

export const FILTER_WORDS: Record<WatchlistFilter, string> = { all: 'All', movies: 'Movies', shows: 'Shows', progress: 'In progress' };
export const SORT_WORDS: Record<WatchlistSort, string> = { added: 'Added', title: 'Title', year: 'Year', rating: 'Rating', runtime: 'Runtime', released: 'Released' };
export const SORT_PHRASES: Record<WatchlistSort, string> = {
  added: 'newest first',
  title: 'by title',
  year: 'newest release first',
  rating: 'best rated first',
  runtime: 'shortest first',
  released: 'by release date, latest first',
};

const FILTER_ALIASES: Record<string, WatchlistFilter> = {
  all: 'all', both: 'all', movies: 'movies', movie: 'movies', films: 'movies', film: 'movies',
  shows: 'shows', show: 'shows', series: 'shows', tv: 'shows',
  progress: 'progress', 'in-progress': 'progress', started: 'progress', watching: 'progress',
};
const SORT_ALIASES: Record<string, WatchlistSort> = {
  added: 'added', date: 'added', recent: 'added', new: 'added', newest: 'added',
  title: 'title', name: 'title', az: 'title', 'a-z': 'title',
  year: 'year',
  rating: 'rating', rated: 'rating', score: 'rating', best: 'rating',
  runtime: 'runtime', length: 'runtime', shortest: 'runtime', duration: 'runtime',
  released: 'released', release: 'released', premiere: 'released',
};

/** Trakt's genre slugs (the 25 Discord offers as choices; any other slug works typed as `genre=`). */
export const GENRES = [
  'action', 'adventure', 'animation', 'anime', 'comedy', 'crime', 'documentary', 'drama', 'family', 'fantasy',
  'history', 'holiday', 'horror', 'music', 'musical', 'mystery', 'reality', 'romance', 'science-fiction',
  'superhero', 'suspense', 'thriller', 'war', 'western', 'mini-series',
] as const;
const GENRE_ALIASES: Record<string, string> = { 'sci-fi': 'science-fiction', scifi: 'science-fiction', sf: 'science-fiction', animated: 'animation' };

export const RUNTIME_CHOICES = [60, 90, 120, 150, 180] as const;

/** `Science Fiction` → `science-fiction`. */
export function genreSlug(text: string): string {
  const slug = text.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return GENRE_ALIASES[slug] ?? slug;
}

export function genreWord(slug: string): string {
  const word = slug.replace(/-/g, ' ');
  return word.charAt(0).toUpperCase() + word.slice(1);
}

export function runtimeWord(minutes: number): string {
  if (minutes % 60 === 0) return `≤ ${minutes / 60} h`;
  if (minutes > 120 && minutes % 30 === 0) return `≤ ${Math.floor(minutes / 60)}½ h`;
  return `≤ ${minutes} min`;
}

export function yearsWord(q: WatchlistNarrowing): string | undefined {
  const { yearFrom: from, yearTo: to } = q;
  if (from === undefined && to === undefined) return undefined;
  if (from !== undefined && to !== undefined) return from === to ? String(from) : `${from}–${to}`;
  return from !== undefined ? `${from} or later` : `${to} or earlier`;
}

/** What is applied, in words: `Movies · Horror · 1990–2005 · ≤ 2 h` (`All` when nothing is). */
export function filterPhrase(q: WatchlistQuery): string {
  const parts: string[] = [FILTER_WORDS[q.filter]];
  if (q.genre !== undefined) parts.push(genreWord(q.genre));
  const years = yearsWord(q);
  if (years !== undefined) parts.push(years);
  if (q.maxRuntime !== undefined) parts.push(runtimeWord(q.maxRuntime));
  return parts.join(' · ');
}

export function narrowed(q: WatchlistQuery): boolean {
  return q.filter !== 'all' || q.genre !== undefined || q.yearFrom !== undefined || q.yearTo !== undefined || q.maxRuntime !== undefined;
}

/** Only the query's fields (a view may carry more). */
export function queryOf(q: WatchlistQuery): WatchlistQuery {
  return {
    filter: q.filter,
    ...(q.genre === undefined ? {} : { genre: q.genre }),
    ...(q.yearFrom === undefined ? {} : { yearFrom: q.yearFrom }),
    ...(q.yearTo === undefined ? {} : { yearTo: q.yearTo }),
    ...(q.maxRuntime === undefined ? {} : { maxRuntime: q.maxRuntime }),
  };
}

export function parseMinutes(value: string): number | undefined {
  const text = value.trim().replace(/^(<=|≤|<|under|max)\s*/i, '');
  const minutes = /^(\d{1,4})\s*(m|min|mins|minutes)?$/i.exec(text);
  const hours = /^(\d{1,2})\s*h(?:\s*(\d{1,2})\s*(?:m|min)?)?$/i.exec(text);
  const total = minutes ? Number(minutes[1]) : hours ? Number(hours[1]) * 60 + Number(hours[2] ?? 0) : undefined;
  return total !== undefined && total > 0 && total <= 1000 ? total : undefined;
}

export function parseYears(value: string): { yearFrom?: number; yearTo?: number } | undefined {
  const range = /^(\d{4})?\s*[-–]\s*(\d{4})?$/.exec(value.trim());
  if (range && (range[1] !== undefined || range[2] !== undefined)) {
    return { ...(range[1] === undefined ? {} : { yearFrom: Number(range[1]) }), ...(range[2] === undefined ? {} : { yearTo: Number(range[2]) }) };
  }
  const single = /^(\d{4})$/.exec(value.trim());
  if (single) return { yearFrom: Number(single[1]), yearTo: Number(single[1]) };
  const decade = /^(\d{3})0s$/.exec(value.trim());
  if (decade) return { yearFrom: Number(decade[1]) * 10, yearTo: Number(decade[1]) * 10 + 9 };
  return undefined;
}

function problem(command: string, word: string, sorts: boolean): InvalidInputError {
  return new InvalidInputError([
    'I did not understand ',
    rich.code(word.slice(0, 40)),
    '. Try ',
    rich.code(sorts ? `/${command} movies horror 1990-2005 2h title` : `/${command} movies horror 1990-2005 2h`),
    sorts
      ? ': a type (movies, shows, progress), a genre, a year range, the longest runtime and a sort (added, title, year, rating, runtime, released); share posts it for everyone.'
      : ': a type (movies, shows, progress), a genre, a year range and the longest runtime; share posts it for everyone.',
  ]);
}

/** Parses the filters (and with `sorts`, a sort); throws InvalidInputError with the usage. */
export function parseListArgs(args: string, command: string, sorts: boolean): ListArgs {
  const taken = takeShare(args);
  const shared = taken.shared;
  // "in progress" is one word here (the `progress` type).
  const rest = taken.rest.replace(/\bin progress\b/gi, 'progress');
  const query: WatchlistQuery = { filter: 'all' };
  let sort: WatchlistSort | undefined;
  // `key=value` where a value may hold spaces up to the next key (`genre=science fiction years=1990-`).
  let text = rest.trim();
  while (text.length > 0) {
    text = text.trimStart();
    const keyed = /^(\w+)\s*=(.*?)(?=\s+\w+\s*=|$)/.exec(text);
    let key: string | undefined;
    let value: string;
    if (keyed) {
      key = (keyed[1] ?? '').toLowerCase();
      value = (keyed[2] ?? '').trim();
      text = text.slice(keyed[0].length);
    } else {
      value = /^\S+/.exec(text)?.[0] ?? '';
      if (value === '') break;
      text = text.slice(value.length);
    }
    const lower = value.toLowerCase();
    const fail = () => problem(command, key === undefined ? value : `${key}=${value}`, sorts);
    switch (key) {
      case 'type':
      case 'types': {
        const filter = FILTER_ALIASES[lower];
        if (filter === undefined) throw fail();
        query.filter = filter;
        break;
      }
      case 'sort': {
        const s = SORT_ALIASES[lower];
        if (s === undefined || !sorts) throw fail();
        sort = s;
        break;
      }
      case 'genre': {
        const slug = genreSlug(value);
        if (slug === '' || slug.length > 40) throw fail();
        if (slug === 'any' || slug === 'all') delete query.genre;
        else query.genre = slug;
        break;
      }
      case 'years':
      case 'year': {
        const years = parseYears(value);
        if (years === undefined) throw fail();
        delete query.yearFrom;
        delete query.yearTo;
        Object.assign(query, years);
        break;
      }
      case 'runtime':
      case 'length':
      case 'max': {
        const minutes = parseMinutes(value);
        if (minutes === undefined) throw fail();
        query.maxRuntime = minutes;
        break;
      }
      case undefined: {
        const filter = FILTER_ALIASES[lower];
        const s = sorts ? SORT_ALIASES[lower] : undefined;
        const slug = genreSlug(lower);
        const years = /^\d/.test(lower) || lower.startsWith('-') ? parseYears(lower) : undefined;
        const minutes = /\d/.test(lower) && !/^\d{4}$/.test(lower) && years === undefined ? parseMinutes(lower) : undefined;
        if (filter !== undefined) query.filter = filter;
        else if (s !== undefined) sort = s;
        else if ((GENRES as readonly string[]).includes(slug)) query.genre = slug;
        else if (years !== undefined) {
          delete query.yearFrom;
          delete query.yearTo;
          Object.assign(query, years);
        } else if (minutes !== undefined) query.maxRuntime = minutes;
        else throw fail();
        break;
      }
      default:
        throw fail();
    }
  }
  if (query.yearFrom !== undefined && query.yearTo !== undefined && query.yearFrom > query.yearTo) {
    throw new InvalidInputError(`The year range ${query.yearFrom}-${query.yearTo} is backwards.`);
  }
  return { query, ...(sort === undefined ? {} : { sort }), shared };
}

const TYPE_OPTION: CommandOption = {
  name: 'type',
  description: 'Movies, shows or both',
  choices: [
    { name: 'All', value: 'all' },
    { name: 'Movies', value: 'movies' },
    { name: 'Shows', value: 'shows' },
    { name: 'In progress', value: 'progress' },
  ],
};

/** The filter options (Discord: keyed options with choices; Telegram types the same words). */
export const FILTER_OPTIONS: readonly CommandOption[] = [
  TYPE_OPTION,
  { name: 'genre', description: 'Only this genre', keyed: true, choices: GENRES.map((g) => ({ name: genreWord(g), value: g })) },
  { name: 'years', description: 'Release years, e.g. 1990-2005, 2000- or -1999', keyed: true, maxLength: 11 },
  { name: 'runtime', description: 'Longest runtime (a show: its episodes)', keyed: true, choices: RUNTIME_CHOICES.map((m) => ({ name: runtimeWord(m), value: String(m) })) },
];

export const SORT_OPTION: CommandOption = {
  name: 'sort',
  description: 'Order of the list',
  choices: [
    { name: 'Recently added', value: 'added' },
    { name: 'Title', value: 'title' },
    { name: 'Release year', value: 'year' },
    { name: 'Rating', value: 'rating' },
    { name: 'Runtime, shortest first', value: 'runtime' },
    { name: 'Release date', value: 'released' },
  ],
};
