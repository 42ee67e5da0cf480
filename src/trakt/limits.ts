/**
 * Client-side rate limiting (REFERENCE §4): per Trakt user one write limiter (POST/PUT/DELETE, 1 call/s)
 * and one GET limiter (1000 calls / 5 min); unauthenticated GETs share one application-wide limiter
 * (1000 / 5 min). Built on Bottleneck, one limiter per (class, key), dropped again when idle.
 *
 * What a response says wins over what we assumed: `X-Ratelimit` updates limit, period, the remaining
 * budget and the window end; a 429 holds that user's class until `Retry-After` has passed.
 */
import Bottleneck from 'bottleneck';
import type { TraktRateLimitInfo } from './errors.js';
import { setTimeout as sleep } from 'node:timers/promises';

export type RequestClass = 'write' | 'userGet' | 'appGet';

export interface RateLimitSpec {
  limit: number;
  periodSeconds: number;
}

export interface LimitsOptions {
  /** Per user, GET. Default Trakt's AUTHED_API_GET_LIMIT: 1000 / 300 s. */
  authedGet?: RateLimitSpec;
  /** Per user, POST/PUT/DELETE. Default Trakt's AUTHED_API_POST_LIMIT: 1 / 1 s. */
  authedWrite?: RateLimitSpec;
  /** Per application, GET without a token. Default Trakt's UNAUTHED_API_GET_LIMIT: 1000 / 300 s. */
  unauthedGet?: RateLimitSpec;
  /**
   * Extra gap after a write's answer, as a share of the allowed interval (default 0.01, i.e. 10 ms on
   * 1 s). The gap is measured from the answer, so jitter on the way cannot produce a 429; the margin
   * only absorbs timer and clock rounding.
   */
  safetyMargin?: number;
  /** Concurrent GETs per user (and for the app key). Default 8: a chat user never needs more. */
  getConcurrency?: number;
  /** Limiters unused for this long (and with no open window or hold) are dropped. Default 10 min. */
  idleMs?: number;
}

const DEFAULT_GET: RateLimitSpec = { limit: 1000, periodSeconds: 300 };
const DEFAULT_WRITE: RateLimitSpec = { limit: 1, periodSeconds: 1 };

/** The longest we believe any hold or window can be; guards against a skewed clock or a bad header. */
function clampToPeriod(ms: number, spec: RateLimitSpec): number {
  return Math.min(Math.max(0, ms), spec.periodSeconds * 1000);
}

class Budget {
  readonly limiter: Bottleneck;
  spec: RateLimitSpec;
  inFlight = 0;
  lastUsed = Date.now();
  /**
   * GETs: one timer at a time, either the end of the current window ('window') or the end of a hold
   * after a 429 or an exhausted window ('hold'). When it fires, the full window budget is back.
   */
  private timer: NodeJS.Timeout | undefined;
  private timerKind: 'window' | 'hold' = 'window';
  private timerAt = 0;

  constructor(
    readonly cls: RequestClass,
    spec: RateLimitSpec,
    private readonly margin: number,
    getConcurrency: number,
  ) {
    this.spec = spec;
    this.limiter =
      cls === 'write'
        ? new Bottleneck({ maxConcurrent: 1, minTime: Math.floor(this.writeInterval()) })
        : new Bottleneck({ maxConcurrent: getConcurrency, reservoir: spec.limit });
  }

  /** The allowed interval between two writes: `period / limit` (1 s for Trakt's 1 call/s). */
  private writeInterval(): number {
    return (this.spec.periodSeconds * 1000) / this.spec.limit;
  }

  /**
   * Time from a write's answer to the next write. Measured from the answer, delays on the way cannot
   * shrink the gap Trakt sees (see `nextWriteAt`), so the margin only covers timer and clock rounding.
   */
  private writeGapAfterAnswer(): number {
    return Math.ceil(this.writeInterval() * (1 + this.margin));
  }

  /**
   * Writes: earliest time the next write of this user may leave. Trakt counts a request at some moment
   * between our send and its answer, so spacing sends alone (Bottleneck's `minTime`, or octokit's)
   * leaves a 429 to chance whenever one request is counted late (a busy server, a slow network) and
   * the next one early. The next write therefore leaves no sooner than `answer + period/limit`: the
   * gap Trakt sees is then at least the allowed interval, whatever the delays. The cost is one round
   * trip per write (≈1 % of the rate on a LAN, more over the internet), never a 429.
   */
  private nextWriteAt = 0;
  private readonly disposed = new AbortController();

  /** Runs one write: waits for its turn (and any 429 hold), sends, and sets the next turn. */
  async runWrite<T>(task: (answered: () => void) => Promise<T>): Promise<T> {
    for (let wait = this.nextWriteAt - Date.now(); wait > 0; wait = this.nextWriteAt - Date.now()) {
      // Closing the client ends the wait with its own reason ("Trakt client closed").
      await sleep(wait, undefined, { signal: this.disposed.signal }).catch(() => Promise.reject(this.disposed.signal.reason as Error));
    }
    const sentAt = Date.now();
    // Trakt counted the request before its answer's headers reached us: the gap starts there.
    let answeredAt: number | undefined;
    this.inFlight += 1;
    try {
      return await task(() => {
        answeredAt ??= Date.now();
      });
    } finally {
      this.inFlight -= 1;
      this.lastUsed = Date.now();
      const from = answeredAt ?? Date.now();
      this.nextWriteAt = Math.max(this.nextWriteAt, sentAt + this.writeInterval(), from + this.writeGapAfterAnswer());
    }
  }

  busy(now: number): boolean {
    return this.inFlight > 0 || !this.limiter.empty() || this.timer !== undefined || this.nextWriteAt > now;
  }

  private get holding(): boolean {
    return this.timer !== undefined && this.timerKind === 'hold';
  }

  /** Called when a GET starts: the first request of a window opens it (our guess until Trakt tells us). */
  openWindowIfClosed(): void {
    if (this.cls === 'write' || this.timer !== undefined) return;
    this.setTimer('window', this.spec.periodSeconds * 1000);
  }

  private setTimer(kind: 'window' | 'hold', inMs: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerKind = kind;
    this.timerAt = Date.now() + inMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.limiter.updateSettings({ reservoir: this.spec.limit });
    }, inMs);
    this.timer.unref();
  }

  /**
   * Stops this class for `ms` (a 429's Retry-After, or an exhausted window). A longer hold already in
   * place is kept. The refill at its end starts a fresh window: if Trakt disagrees, its next
   * `X-Ratelimit` or 429 corrects us.
   */
  hold(ms: number): void {
    if (ms <= 0) return;
    if (this.cls === 'write') {
      this.nextWriteAt = Math.max(this.nextWriteAt, Date.now() + ms);
      return;
    }
    void this.limiter.updateSettings({ reservoir: 0 });
    if (this.holding && this.timerAt >= Date.now() + ms) return;
    this.setTimer('hold', ms);
  }

  /** Applies what an `X-Ratelimit` header says about this class. */
  observe(info: TraktRateLimitInfo): void {
    const { limit, period } = info;
    if (limit !== undefined && limit > 0 && period !== undefined && period > 0) {
      if (limit !== this.spec.limit || period !== this.spec.periodSeconds) {
        this.spec = { limit, periodSeconds: period };
        if (this.cls === 'write') void this.limiter.updateSettings({ minTime: Math.floor(this.writeInterval()) });
      }
    }
    // Writes: the spacing derived from limit/period is enough; a per-second `until` adds only clock-skew risk.
    if (this.cls === 'write') return;

    const untilMs = info.until === undefined ? NaN : Date.parse(info.until);
    const untilIn = Number.isNaN(untilMs) ? undefined : clampToPeriod(untilMs - Date.now(), this.spec);
    if (info.remaining !== undefined) {
      // Requests still on their way will be counted by Trakt too: keep that many back.
      const allowed = Math.max(0, Math.floor(info.remaining) - this.inFlight);
      if (allowed === 0 && untilIn !== undefined && untilIn > 0) {
        this.hold(untilIn);
        return;
      }
      void this.lowerReservoirTo(allowed);
    }
    // Align our window end with Trakt's, so our refill never comes before theirs.
    if (
      untilIn !== undefined &&
      untilIn > 0 &&
      !this.holding &&
      (this.timer === undefined || Math.abs(this.timerAt - Date.now() - untilIn) > 250)
    ) {
      this.setTimer('window', untilIn);
    }
  }

  private async lowerReservoirTo(allowed: number): Promise<void> {
    const current = await this.limiter.currentReservoir();
    if (current !== null && current > allowed) await this.limiter.incrementReservoir(allowed - current);
  }

  dispose(): void {
    this.disposed.abort(new Error('Trakt client closed'));
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    void this.limiter.stop({ dropWaitingJobs: true, dropErrorMessage: 'Trakt client closed' }).catch(() => undefined);
  }
}

export interface Scheduled<T> {
  value: T;
  /** Time spent waiting for the limiter before the task started. */
  queuedMs: number;
}

export class LimiterPool {
  private readonly budgets = new Map<string, Budget>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly specs: Record<RequestClass, RateLimitSpec>;
  private readonly margin: number;
  private readonly getConcurrency: number;
  private readonly idleMs: number;
  private closed = false;

  constructor(options: LimitsOptions = {}) {
    this.specs = {
      write: options.authedWrite ?? DEFAULT_WRITE,
      userGet: options.authedGet ?? DEFAULT_GET,
      appGet: options.unauthedGet ?? DEFAULT_GET,
    };
    this.margin = options.safetyMargin ?? 0.01;
    this.getConcurrency = options.getConcurrency ?? 8;
    this.idleMs = options.idleMs ?? 10 * 60_000;
    this.sweeper = setInterval(() => this.sweep(), Math.max(1000, Math.floor(this.idleMs / 2)));
    this.sweeper.unref();
  }

  private budget(cls: RequestClass, key: string): Budget {
    const id = `${cls}\u0000${key}`;
    let budget = this.budgets.get(id);
    if (!budget) {
      budget = new Budget(cls, this.specs[cls], this.margin, this.getConcurrency);
      this.budgets.set(id, budget);
    }
    budget.lastUsed = Date.now();
    return budget;
  }

  /**
   * Runs `task` when the (class, key) budget allows it. The task calls `answered()` when the response
   * headers arrive (writes measure their spacing from there).
   */
  async schedule<T>(cls: RequestClass, key: string, task: (answered: () => void) => Promise<T>): Promise<Scheduled<T>> {
    if (this.closed) throw new Error('Trakt client closed');
    const budget = this.budget(cls, key);
    const queuedAt = performance.now();
    if (cls !== 'write') {
      return budget.limiter.schedule(async () => {
        const queuedMs = performance.now() - queuedAt;
        budget.openWindowIfClosed();
        budget.inFlight += 1;
        try {
          return { value: await task(() => undefined), queuedMs };
        } finally {
          budget.inFlight -= 1;
          budget.lastUsed = Date.now();
        }
      });
    }

    // Writes: Bottleneck serializes them per user (maxConcurrent 1, minTime as a backstop); the job
    // itself waits for the user's next turn, so the limiter's own scheduling hops overlap that wait.
    return budget.limiter.schedule(async () => {
      let queuedMs = 0;
      const value = await budget.runWrite((answered) => {
        queuedMs = performance.now() - queuedAt;
        return task(answered);
      });
      return { value, queuedMs };
    });
  }

  observe(cls: RequestClass, key: string, info: TraktRateLimitInfo): void {
    if (!this.closed) this.budget(cls, key).observe(info);
  }

  hold(cls: RequestClass, key: string, ms: number): void {
    if (!this.closed) this.budget(cls, key).hold(ms);
  }

  /** Number of live limiters (for tests of the idle clean-up and for metrics). */
  get size(): number {
    return this.budgets.size;
  }

  sweep(now = Date.now()): void {
    for (const [id, budget] of this.budgets) {
      if (!budget.busy(now) && now - budget.lastUsed >= this.idleMs) {
        this.budgets.delete(id);
        budget.dispose();
      }
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const budget of this.budgets.values()) budget.dispose();
    this.budgets.clear();
  }
}
