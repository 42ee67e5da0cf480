import { LRUCache } from 'lru-cache';
import type { Db } from '../../db/client.js';
import type { CachedPoster } from '../../db/queries/poster-cache.js';
import { deleteChatFile, findChatFile, findChatFileWithPoster, findPoster, saveChatFile, savePoster, savePosterFailure } from '../../db/queries/poster-cache.js';
import type { CoreLogger, PosterSource } from '../core/ports.js';
import type { Platform } from '../core/types.js';

/**
 * Posters for cards. Trakt forbids hot-linking its images (REFERENCE §6): each one is downloaded once,
 * kept in the database, and each platform uploads it once and reuses its own handle (Telegram's
 * `file_id`). A failed download is not retried for a while; cards then go out without the image.
 * The interface the adapters use is the core's `PosterSource` (core/ports.ts).
 */
export type { PosterSource };

export interface PosterSourceOptions {
  db: Db;
  logger: CoreLogger;
  fetch?: typeof fetch;
  userAgent?: string;
  timeoutMs?: number;
  maxBytes?: number;
  /** How long a failed download is not tried again. */
  failureBackoffMs?: number;
}

export function createPosterSource(options: PosterSourceOptions): PosterSource {
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
  const backoffMs = options.failureBackoffMs ?? 60 * 60_000;
  const inFlight = new Map<string, Promise<{ data: Buffer; contentType: string } | undefined>>();
  // file_ids never change for a given upload: remembered here, a card costs no database query for them.
  const fileIds = new LRUCache<string, string>({ max: 20_000 });
  // Images known to have no file id yet, for knownFileId (inline results ask for many at a time).
  const noFileId = new LRUCache<string, true>({ max: 5_000, ttl: 60_000 });
  // A card without a file id yet read the stored image along with it, or a warmed card downloaded it:
  // kept for the upload that follows.
  const prefetched = new LRUCache<string, { poster: CachedPoster | null }>({ max: 32, ttl: 30_000 });

  async function download(url: string): Promise<{ data: Buffer; contentType: string } | undefined> {
    const early = prefetched.get(url);
    if (early !== undefined) prefetched.delete(url);
    const cached = early === undefined ? await findPoster(options.db, url) : (early.poster ?? undefined);
    if (cached?.data) return { data: cached.data, contentType: cached.contentType ?? 'application/octet-stream' };
    if (cached?.retryAfter && cached.retryAfter.getTime() > Date.now()) return undefined;
    try {
      if (!/^https?:\/\//i.test(url)) throw new Error('not an http(s) URL');
      const response = await fetchFn(url, {
        signal: AbortSignal.timeout(timeoutMs),
        headers: { 'user-agent': options.userAgent ?? 'Marquee' },
      });
      if (!response.ok) throw new Error(`status ${response.status}`);
      const contentType = response.headers.get('content-type') ?? '';
      if (!contentType.startsWith('image/')) throw new Error(`not an image (${contentType || 'no content type'})`);
      const declared = Number(response.headers.get('content-length') ?? '0');
      if (declared > maxBytes) throw new Error('image too large');
      const data = Buffer.from(await response.arrayBuffer());
      if (data.length === 0 || data.length > maxBytes) throw new Error('image empty or too large');
      await savePoster(options.db, url, data, contentType);
      prefetched.set(url, { poster: { data, contentType, retryAfter: null } });
      return { data, contentType };
    } catch (error) {
      options.logger.warn({ err: error, url }, 'poster download failed; cards go without it for a while');
      await savePosterFailure(options.db, url, new Date(Date.now() + backoffMs)).catch(() => undefined);
      return undefined;
    }
  }

  function image(url: string): Promise<{ data: Buffer; contentType: string } | undefined> {
    const running = inFlight.get(url);
    if (running !== undefined) return running;
    const work = download(url).finally(() => inFlight.delete(url));
    inFlight.set(url, work);
    return work;
  }

  async function fileId(platform: Platform, url: string): Promise<string | undefined> {
    const key = `${platform} ${url}`;
    const known = fileIds.get(key);
    if (known !== undefined) return known;
    // Read a moment ago (a warmed card): no handle then, and its image is at hand.
    if (noFileId.has(key) && prefetched.has(url)) return undefined;
    const stored = await findChatFileWithPoster(options.db, platform, url);
    if (stored.fileId !== undefined) {
      fileIds.set(key, stored.fileId);
    } else {
      noFileId.set(key, true);
      prefetched.set(url, { poster: stored.poster ?? null });
    }
    return stored.fileId;
  }

  return {
    image,
    warm(platform, url) {
      if (fileIds.has(`${platform} ${url}`) || inFlight.has(url)) return;
      // Without a file id, the stored image comes along (kept in `prefetched`); without one either, it is downloaded.
      void fileId(platform, url)
        .then((known) => {
          const stored = prefetched.get(url)?.poster?.data;
          if (known === undefined && (stored === undefined || stored === null)) return image(url);
          return undefined;
        })
        .catch((error: unknown) => options.logger.warn({ err: error, url }, 'poster could not be fetched early; the card fetches it'));
    },
    fileId,
    async knownFileId(platform, url) {
      const key = `${platform} ${url}`;
      const known = fileIds.get(key);
      if (known !== undefined || noFileId.has(key)) return known;
      const stored = await findChatFile(options.db, platform, url);
      if (stored !== undefined) fileIds.set(key, stored);
      else noFileId.set(key, true);
      return stored;
    },
    async rememberFileId(platform, url, fileId) {
      noFileId.delete(`${platform} ${url}`);
      fileIds.set(`${platform} ${url}`, fileId);
      await saveChatFile(options.db, platform, url, fileId);
    },
    async forgetFileId(platform, url) {
      fileIds.delete(`${platform} ${url}`);
      await deleteChatFile(options.db, platform, url);
    },
  };
}
