// Trakt's rate limits (REFERENCE §4): AUTHED_API_POST_LIMIT 1 call/s per user (POST, PUT, DELETE),
// AUTHED_API_GET_LIMIT 1000 calls/5 min per user, UNAUTHED_API_GET_LIMIT 1000 calls/5 min per application.
// A window opens at the first request of a period and lasts `period` seconds; the 429 carries `Retry-After`
// and `X-Ratelimit: {"name","period","limit","remaining","until"}`.

import type { RateLimitClass } from './types.js';

export type LimitName = 'AUTHED_API_GET_LIMIT' | 'AUTHED_API_POST_LIMIT' | 'UNAUTHED_API_GET_LIMIT';

export interface LimitDecision {
  allowed: boolean;
  /** value of the X-Ratelimit header */
  header: string;
  retryAfterSeconds: number;
}

interface Window {
  start: number;
  count: number;
  /** the `until` of X-Ratelimit: the window's end to the second, rounded up so a client that waits until
   * then is really past the window (REFERENCE §4 example "2020-10-10T00:24:00Z") */
  until: string;
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  hit(name: LimitName, subject: string, limitClass: RateLimitClass, now = Date.now()): LimitDecision {
    const key = `${name}:${subject}`;
    const periodMs = limitClass.periodSeconds * 1000;
    let window = this.windows.get(key);
    if (!window || now >= window.start + periodMs) {
      const until = new Date(Math.ceil((now + periodMs) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
      window = { start: now, count: 0, until };
      this.windows.set(key, window);
    }
    const end = window.start + periodMs;
    const allowed = window.count < limitClass.limit;
    if (allowed) window.count++;
    const remaining = Math.max(0, limitClass.limit - window.count);
    const header = `{"name":"${name}","period":${limitClass.periodSeconds},"limit":${limitClass.limit},"remaining":${remaining},"until":"${window.until}"}`;
    return { allowed, header, retryAfterSeconds: Math.max(1, Math.ceil((end - now) / 1000)) };
  }

  reset(): void {
    this.windows.clear();
  }
}
