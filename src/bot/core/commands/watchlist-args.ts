import type { CommandOption } from '../handlers.js';
import { InvalidInputError } from '../errors.js';
import type { WatchlistFilter, WatchlistNarrowing, WatchlistQuery, WatchlistSort } from '../ports.js';
import { EN, type Translator } from '../i18n/index.js';
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

/** The types and sorts in the order the view's buttons show them. */
export const FILTERS: readonly WatchlistFilter[] = ['all', 'movies', 'shows', 'progress'];
export const SORTS: readonly WatchlistSort[] = ['added', 'title', 'year', 'rating', 'runtime', 'released'];

/** A type's name (`Movies`), as its button and the header say it. */
export function filterWord(filter: WatchlistFilter, i18n: Translator): string {
  return i18n.t(`watchlist:filter.${filter}`);
}

/** A sort's button label (`Rating`). */
export function sortWord(sort: WatchlistSort, i18n: Translator): string {
  return i18n.t(`watchlist:sort.${sort}`);
}

/** A sort as the header says it (`best rated first`). */
export function sortPhrase(sort: WatchlistSort, i18n: Translator): string {
  return i18n.t(`watchlist:sortPhrase.${sort}`);
}

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

/**
 * A genre's name: Trakt's 25 from the catalog (`commands:choices.genre.*`, the names Discord's
 * choices show), any other slug in words (`film-noir` → `Film noir`).
 */
export function genreWord(slug: string, i18n: Translator): string {
  if ((GENRES as readonly string[]).includes(slug)) return i18n.t(`commands:choices.genre.${slug}`);
  const word = slug.replace(/-/g, ' ');
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** The longest runtime in words (`≤ 2½ h`), in the translator's language. */
export function runtimeText(minutes: number, i18n: Translator): string {
  if (minutes % 60 === 0) return i18n.t('watchlist:runtime.hours', { hours: minutes / 60 });
  if (minutes > 120 && minutes % 30 === 0) return i18n.t('watchlist:runtime.halfHours', { hours: Math.floor(minutes / 60) });
  return i18n.t('watchlist:runtime.minutes', { minutes });
}

/** runtimeText in English (one parameter, so it maps over a list of minutes). */
export function runtimeWord(minutes: number): string {
  return runtimeText(minutes, EN);
}

export function yearsWord(q: WatchlistNarrowing, i18n: Translator): string | undefined {
  const { yearFrom: from, yearTo: to } = q;
  if (from === undefined && to === undefined) return undefined;
  if (from !== undefined && to !== undefined) return from === to ? String(from) : i18n.t('watchlist:years.range', { from, to });
  return from !== undefined ? i18n.t('watchlist:years.from', { year: from }) : i18n.t('watchlist:years.to', { year: to as number });
}

/** What is applied, in words: `Movies · Horror · 1990–2005 · ≤ 2 h` (`All` when nothing is). */
export function filterPhrase(q: WatchlistQuery, i18n: Translator): string {
  const parts: string[] = [filterWord(q.filter, i18n)];
  if (q.genre !== undefined) parts.push(genreWord(q.genre, i18n));
  const years = yearsWord(q, i18n);
  if (years !== undefined) parts.push(years);
  if (q.maxRuntime !== undefined) parts.push(runtimeText(q.maxRuntime, i18n));
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

function problem(command: string, word: string, sorts: boolean, i18n: Translator): InvalidInputError {
  return new InvalidInputError(i18n.tr(sorts ? 'watchlist:args.unknownWithSort' : 'watchlist:args.unknown', { word: word.slice(0, 40), command }));
}

/** Parses the filters (and with `sorts`, a sort); throws InvalidInputError with the usage, in `i18n`'s language. */
export function parseListArgs(args: string, command: string, sorts: boolean, i18n: Translator): ListArgs {
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
    const fail = () => problem(command, key === undefined ? value : `${key}=${value}`, sorts, i18n);
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
    throw new InvalidInputError(i18n.t('watchlist:args.backwards', { from: query.yearFrom, to: query.yearTo }));
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
  { name: 'genre', description: 'Only this genre', keyed: true, choices: GENRES.map((g) => ({ name: genreWord(g, EN), value: g })) },
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
