/**
 * Counters for metrics and the `bench/trakt-limits` benchmark. Cheap enough to stay on in production.
 */
import type { RequestClass } from './limits.js';

export type StatsClass = RequestClass | 'oauth';

export interface TraktClientStats {
  /** Requests that left the process, per class (retries and the 401 re-send included). */
  requestsSent: Record<StatsClass, number>;
  /** Answers by HTTP status (timeouts and connection errors are not answers). */
  responsesByStatus: Record<number, number>;
  /** 429s received from the API (not from the device-token endpoint, where 429 means "slow down"). */
  rateLimited: number;
  /** Attempts that failed and were tried again. */
  retries: number;
  /** GETs answered by sharing an identical in-flight request instead of sending one. */
  savedByDedupe: number;
  /** Items carried by watchlist add/remove calls, and the requests that carried them. */
  itemsBatched: number;
  batchRequests: number;
  /** Time requests waited for the rate limiter, per class. */
  queued: Record<RequestClass, { count: number; p50Ms: number; p99Ms: number; maxMs: number }>;
}

/** Keeps at most this many recent queue-time samples per class; enough for stable p99s. */
const MAX_SAMPLES = 50_000;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? 0;
}

export class StatsRecorder {
  private requestsSent: Record<StatsClass, number> = { write: 0, userGet: 0, appGet: 0, oauth: 0 };
  private responsesByStatus: Record<number, number> = {};
  private rateLimited = 0;
  private retries = 0;
  private savedByDedupe = 0;
  private itemsBatched = 0;
  private batchRequests = 0;
  private queuedSamples: Record<RequestClass, number[]> = { write: [], userGet: [], appGet: [] };
  private queuedCount: Record<RequestClass, number> = { write: 0, userGet: 0, appGet: 0 };

  sent(cls: StatsClass): void {
    this.requestsSent[cls] += 1;
  }

  answered(status: number, fromApi: boolean): void {
    this.responsesByStatus[status] = (this.responsesByStatus[status] ?? 0) + 1;
    if (status === 429 && fromApi) this.rateLimited += 1;
  }

  retried(): void {
    this.retries += 1;
  }

  deduped(): void {
    this.savedByDedupe += 1;
  }

  batched(items: number, requests: number): void {
    this.itemsBatched += items;
    this.batchRequests += requests;
  }

  queuedFor(cls: RequestClass, ms: number): void {
    const samples = this.queuedSamples[cls];
    const n = this.queuedCount[cls];
    // Reservoir sampling keeps a uniform sample once the buffer is full.
    if (samples.length < MAX_SAMPLES) samples.push(ms);
    else {
      const slot = Math.floor(Math.random() * (n + 1));
      if (slot < MAX_SAMPLES) samples[slot] = ms;
    }
    this.queuedCount[cls] = n + 1;
  }

  snapshot(): TraktClientStats {
    const queued = {} as TraktClientStats['queued'];
    for (const cls of ['write', 'userGet', 'appGet'] as const) {
      const sorted = [...this.queuedSamples[cls]].sort((a, b) => a - b);
      queued[cls] = {
        count: this.queuedCount[cls],
        p50Ms: percentile(sorted, 50),
        p99Ms: percentile(sorted, 99),
        maxMs: sorted[sorted.length - 1] ?? 0,
      };
    }
    return {
      requestsSent: { ...this.requestsSent },
      responsesByStatus: { ...this.responsesByStatus },
      rateLimited: this.rateLimited,
      retries: this.retries,
      savedByDedupe: this.savedByDedupe,
      itemsBatched: this.itemsBatched,
      batchRequests: this.batchRequests,
      queued,
    };
  }

  reset(): void {
    this.requestsSent = { write: 0, userGet: 0, appGet: 0, oauth: 0 };
    this.responsesByStatus = {};
    this.rateLimited = 0;
    this.retries = 0;
    this.savedByDedupe = 0;
    this.itemsBatched = 0;
    this.batchRequests = 0;
    this.queuedSamples = { write: [], userGet: [], appGet: [] };
    this.queuedCount = { write: 0, userGet: 0, appGet: 0 };
  }
}
