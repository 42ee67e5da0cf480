import type { Title, TraktCatalogPort, TraktPort, TraktUserPort } from './ports.js';

/**
 * A local index of titles the bot has already seen (search results, lookups, users' watchlists), so
 * that suggestions while a user types cost no Trakt call. Titles are public catalog data, so one index
 * serves every user. It is bounded: the least recently seen titles leave first.
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

function indexingCatalog(port: TraktCatalogPort, index: TitleIndex): TraktCatalogPort {
  return {
    async search(request) {
      const page = await port.search(request);
      index.add(page.hits);
      return page;
    },
    async lookupImdb(imdbId) {
      const title = await port.lookupImdb(imdbId);
      if (title !== undefined) index.add([title]);
      return title;
    },
    async lookupSlug(type, slug) {
      const title = await port.lookupSlug(type, slug);
      if (title !== undefined) index.add([title]);
      return title;
    },
    seasons: (showTraktId) => port.seasons(showTraktId),
    episodes: (showTraktId, season) => port.episodes(showTraktId, season),
  };
}

/** The Trakt port with every title it returns (searches, lookups, watchlists) added to `index`. */
export function indexingTraktPort(port: TraktPort, index: TitleIndex): TraktPort {
  let catalog: TraktCatalogPort | undefined;
  return {
    catalog() {
      catalog ??= indexingCatalog(port.catalog(), index);
      return catalog;
    },
    async forIdentity(identityId) {
      const user = await port.forIdentity(identityId);
      const reads = indexingCatalog(user, index);
      const wrapped: TraktUserPort = {
        ...reads,
        add: (targets) => user.add(targets),
        remove: (targets) => user.remove(targets),
        watchlistActivity: () => user.watchlistActivity(),
        async watchlistAll() {
          const entries = await user.watchlistAll();
          index.add(entries.map((e) => e.title));
          return entries;
        },
        settings: () => user.settings(),
      };
      return wrapped;
    },
  };
}
