import { LRUCache } from 'lru-cache';

/**
 * A bounded, expiring cache of application-level Trakt reads (searches, id lookups), shared by every
 * user: catalog data is the same whoever asks. It holds the read's promise, so callers asking for the
 * same key while it is in flight share one request; a failed read is forgotten at once, so the next
 * caller asks again.
 */
export interface ReadCacheOptions {
  /** Entries kept at most; the least recently used leave first. */
  max: number;
  /** How long an entry is served after its read started. */
  ttlMs: number;
  /** The clock lru-cache reads (tests); `performance` by default. */
  perf?: { now(): number };
}

export interface ReadCacheStats {
  hits: number;
  misses: number;
  size: number;
}

export class ReadCache<V> {
  private readonly entries: LRUCache<string, Promise<V>>;
  private hits = 0;
  private misses = 0;

  constructor(options: ReadCacheOptions) {
    this.entries = new LRUCache<string, Promise<V>>({
      max: options.max,
      ttl: options.ttlMs,
      ...(options.perf === undefined ? {} : { perf: options.perf, ttlResolution: 0 }),
    });
  }

  /**
   * The value under `key`: remembered, or read with `load` (once for concurrent callers). `ttlFor` may
   * give a value its own, different lifetime (e.g. a shorter one for "not found").
   */
  get(key: string, load: () => Promise<V>, ttlFor?: (value: V) => number | undefined): Promise<V> {
    const known = this.entries.get(key);
    if (known !== undefined) {
      this.hits += 1;
      return known;
    }
    this.misses += 1;
    const loading = load();
    this.entries.set(key, loading);
    loading.then(
      (value) => {
        const ttl = ttlFor?.(value);
        if (ttl !== undefined && this.entries.peek(key) === loading) this.entries.set(key, loading, { ttl });
      },
      () => {
        if (this.entries.peek(key) === loading) this.entries.delete(key);
      },
    );
    return loading;
  }

  stats(): ReadCacheStats {
    return { hits: this.hits, misses: this.misses, size: this.entries.size };
  }
}

/**
 * The key of a text search: what Trakt answers the same to. Trakt's search ignores case and spacing;
 * punctuation is kept (it has meaning in a query, REFERENCE §7).
 */
export function searchKey(request: { query: string; types: readonly string[]; page: number; limit: number; year?: number }): string {
  const query = request.query.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
  return JSON.stringify([[...new Set(request.types)].sort(), request.year ?? null, request.page, request.limit, query]);
}

/** The key of an id lookup (`GET /search/:id_type/:id?type=`). */
export function lookupKey(request: { idType: string; id: string | number; type?: string }): string {
  return JSON.stringify([request.idType, String(request.id).trim().toLowerCase(), request.type ?? null]);
}
