import type { Title, TraktCatalogPort, TraktPort, TraktUserPort } from './ports.js';

/**
 * A local index of titles the bot has already seen (search results, lookups, users' watchlists), so
 * that suggestions while a user types cost no Trakt call. Titles are public catalog data, so one index
 * serves every user. It is bounded: the least recently seen titles leave first. It is a plain Map in
 * insertion order rather than an `lru-cache`: every keystroke scans the whole index, and a Map iterates
 * about three times faster (20,000 titles: ~2 ms against ~6 ms per scan, measured).
 */
export class TitleIndex {
  private readonly entries = new Map<string, { title: Title; words: string[]; norm: string }>();

  constructor(private readonly capacity = 20_000) {}

  get size(): number {
    return this.entries.size;
  }

  add(titles: Iterable<Title>): void {
    for (const title of titles) {
      const key = `${title.type}:${title.ids.trakt}`;
      this.entries.delete(key); // re-inserting moves it to the young end
      const norm = normalizeForMatch(title.title);
      this.entries.set(key, { title, norm, words: norm.split(' ').filter((w) => w !== '') });
      if (this.entries.size > this.capacity) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
    }
  }

  /** A title by type and Trakt id, when it has been seen. */
  get(type: Title['type'], traktId: number): Title | undefined {
    return this.entries.get(`${type}:${traktId}`)?.title;
  }

  /** Whether some title, normalised, starts with this normalised text. */
  hasTitleStartingWith(norm: string): boolean {
    for (const entry of this.entries.values()) if (entry.norm.startsWith(norm)) return true;
    return false;
  }

  /**
   * Titles whose words start with every word of the query (in any order), best first: the exact
   * title, then titles starting with the query, then the rest; among equals the more voted.
   */
  match(query: string, limit: number): Title[] {
    const norm = normalizeForMatch(query);
    const words = norm.split(' ').filter((w) => w !== '');
    if (words.length === 0 || limit <= 0) return [];
    const found: Array<{ title: Title; rank: number }> = [];
    for (const entry of this.entries.values()) {
      if (!words.every((w) => entry.words.some((tw) => tw.startsWith(w)))) continue;
      const rank = entry.norm === norm ? 0 : entry.norm.startsWith(norm) ? 1 : 2;
      found.push({ title: entry.title, rank });
    }
    found.sort((a, b) => a.rank - b.rank || (b.title.votes ?? 0) - (a.title.votes ?? 0) || a.title.title.length - b.title.title.length);
    return found.slice(0, limit).map((f) => f.title);
  }

  /**
   * Titles whose normalised title (or its first words, as many as the query has) is within a few
   * typing mistakes of the query (edit distance with swapped neighbours, scaled to the query's
   * length), closest first; among equals the more voted. For "nothing found": `dnue` → Dune.
   */
  closest(query: string, limit: number): Title[] {
    const norm = normalizeForMatch(query);
    if (norm.length < 3 || limit <= 0) return [];
    const words = norm.split(' ').length;
    const max = norm.length <= 4 ? 1 : norm.length <= 8 ? 2 : 3;
    const found: Array<{ title: Title; distance: number }> = [];
    for (const entry of this.entries.values()) {
      let distance = Math.abs(entry.norm.length - norm.length) <= max ? editDistance(norm, entry.norm, max) : Infinity;
      if (entry.words.length > words) {
        // The start of a longer title ("avengres endgame" → "avengers endgame …"), a little behind a whole-title match.
        const start = entry.words.slice(0, words).join(' ');
        if (Math.abs(start.length - norm.length) <= max) distance = Math.min(distance, editDistance(norm, start, max) + 0.5);
      }
      if (distance <= max) found.push({ title: entry.title, distance });
    }
    found.sort((a, b) => a.distance - b.distance || (b.title.votes ?? 0) - (a.title.votes ?? 0));
    return found.slice(0, limit).map((f) => f.title);
  }
}

/**
 * Optimal-string-alignment distance (insertions, deletions, substitutions, swaps of neighbours), or
 * `max + 1` as soon as it must exceed `max`.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, (beforePrevious[j - 2] as number) + 1);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > max) return max + 1;
    beforePrevious = previous;
    previous = current;
  }
  return Math.min(previous[b.length] as number, max + 1);
}

/** Lower case, accents and punctuation out, whitespace collapsed: how typed text is compared with titles. */
export function normalizeForMatch(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** For each port method that returns titles, how to find them in its result. */
type TitlesIn = { [K in keyof TraktUserPort]?: (result: Awaited<ReturnType<NonNullable<TraktUserPort[K]>>>) => Iterable<Title> };

const TITLES_IN: TitlesIn = {
  search: (page) => page.hits,
  lookupImdb: (title) => (title === undefined ? [] : [title]),
  lookupSlug: (title) => (title === undefined ? [] : [title]),
  watchlistAll: (entries) => entries.map((e) => e.title),
  lookupIds: (hits) => hits.map((hit) => (hit.type === 'episode' ? hit.show : hit.title)),
};

/**
 * The same port object, seen through a proxy: calls to the methods of `TITLES_IN` add the titles they
 * return to `index`; every other method and property passes through, so a method added to the ports
 * needs no change here.
 */
function observingTitles<P extends TraktCatalogPort>(port: P, index: TitleIndex): P {
  const readers = TITLES_IN as Record<string, ((result: unknown) => Iterable<Title>) | undefined>;
  return new Proxy(port, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key);
      const read = typeof key === 'string' && Object.hasOwn(readers, key) ? readers[key] : undefined;
      if (typeof value !== 'function') return value;
      // Bound to the port itself, so a port with #private state works through the proxy.
      if (read === undefined) return (value as (...a: unknown[]) => unknown).bind(target);
      return async (...args: unknown[]) => {
        const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        index.add(read(result));
        return result;
      };
    },
  });
}

/** The Trakt port with every title it returns (searches, lookups, watchlists, public watchlists) added to `index`. */
export function indexingTraktPort(port: TraktPort, index: TitleIndex): TraktPort {
  let catalog: TraktCatalogPort | undefined;
  return {
    catalog: () => (catalog ??= observingTitles(port.catalog(), index)),
    forIdentity: async (identityId) => observingTitles(await port.forIdentity(identityId), index),
    publicWatchlist: async (username) => {
      const entries = await port.publicWatchlist(username);
      index.add(entries.map((e) => e.title));
      return entries;
    },
  };
}
