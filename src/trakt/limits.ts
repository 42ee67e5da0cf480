/**
 * Client-side rate limiting (REFERENCE §4): per Trakt user one write limiter (POST/PUT/DELETE, 1 call/s)
 * and one GET limiter (1000 calls / 5 min); unauthenticated GETs share one application-wide limiter
 * (1000 / 5 min). Built on Bottleneck, one limiter per (class, key), dropped again when idle.
 *
 * What a response says wins over what we assumed: `X-Ratelimit` updates limit, period, the remaining
 * budget and the window end; a 429 holds that user's class until `Retry-After` has passed.
 *
 * Several instances of the service share one Trakt app and one set of users: with a `SharedLimitStore`
 * (`LimitsOptions.shared`) every budget is also taken from the store, so the limits hold across all of
 * them: write turns one at a time, GETs a few at a time (`Budget.takeSharedGet`), so that a burst of
 * GETs costs a statement per few GETs rather than one each. The in-process limiters stay in front of it
 * (they serialize a user's writes inside one process and keep its GET concurrency), and everything below
 * still applies per process.
 */
import { randomUUID } from 'node:crypto';
import Bottleneck from 'bottleneck';
import type { TraktRateLimitInfo } from './errors.js';
import { setTimeout as sleep } from 'node:timers/promises';

export type RequestClass = 'write' | 'userGet' | 'appGet';

export interface RateLimitSpec {
  limit: number;
  periodSeconds: number;
}

/**
 * Trakt budgets kept outside the process, for several instances of the service (implemented in
 * src/db/queries/trakt-limits.ts on Postgres; wired in src/main.ts). Keys are opaque strings, one per
 * (class, user).
 *
 * Clocks: the store has one clock (the database's) that every instance reads. GET windows and holds
 * are passed as durations from the store's "now": the time a message spends on the way only makes them
 * longer. A write turn needs more precision (its gap is 1 s, measured from the previous write's answer,
 * which may have reached another instance), so write turns are instants on the store's clock, and every
 * answer about them carries the store's `now`: each process keeps the offset between the store's clock
 * and its own, bounded by its fastest round trip (`StoreClock`), and rounds every conversion the safe
 * way. The cost is that round trip (about a millisecond on a LAN), not the store's answer time.
 *
 * One process (the embedded PGlite database) needs none: the in-process limiters are the whole truth.
 */
export interface SharedLimitStore {
  /**
   * Asks for the write turn of `key` as `request.token`. Granted: the caller holds the turn and may send
   * at `sendAt` (the previous write's answer + gap, or now); it must `releaseWrite` after the answer.
   * The turn lapses by itself `leaseMs` after `sendAt` unless renewed (`renewWrite`): an instance that
   * died holding it stops renewing, and its connections, closed with it, can no longer carry its request
   * to Trakt, so the turn is free a lease (longer than the gap) after its last sign of life. Not granted: another
   * instance holds the turn (`retryAt`: its send time; no answer comes sooner), and the caller may have
   * `booked` the next one: the holder's release then hands the turn to it (see `releaseSignal`).
   * Asking again with the same token is harmless, and is how a booked caller that missed the news
   * learns that the turn is its own.
   */
  acquireWrite(key: string, request: WriteTurnRequest): Promise<WriteTurn>;
  /**
   * Ends the turn `token` holds: the next write of `key` may leave at `nextAt` (store clock; the
   * answer + gap), never before a hold already set. A booked waiter gets the turn at once, with
   * `leaseMs` to use it.
   */
  releaseWrite(key: string, token: string, nextAt: number, leaseMs: number): Promise<void>;
  /**
   * The holder of turn `token` is alive and its write still on its way: the turn lapses no sooner than
   * `leaseMs` from now. Called every third of the lease while a write waits for its answer.
   */
  renewWrite(key: string, token: string, leaseMs: number): Promise<void>;
  /** No write of `key` before `ms` from now (a 429's Retry-After). */
  holdWrites(key: string, ms: number): Promise<void>;
  /**
   * Takes `count` GETs (1..`spec.limit`) from the window of `key`, all or none (a window opens at its
   * first GET and lasts the period). The caller may send the GETs taken until the window ends
   * (`windowEndsInMs`), and no later: after that they count in no window. None taken: ask again after
   * `retryInMs`, or at once for at most `remaining` when `retryInMs` is 0.
   */
  takeGets(key: string, spec: RateLimitSpec, count: number): Promise<GetLease>;
  /** The GET window of `key` is used up for `ms` from now (a 429, or Trakt saying `remaining: 0`). */
  holdGets(key: string, ms: number, spec: RateLimitSpec): Promise<void>;
  /**
   * What Trakt's `X-Ratelimit` says of the GET window of `key`: `remaining` GETs are left and it ends in
   * `untilInMs`. The store counts no fewer than Trakt did, and its window ends no sooner than Trakt's.
   */
  observeGets(key: string, spec: RateLimitSpec, window: { remaining?: number; untilInMs?: number }): Promise<void>;
  /** The store's clock now (ms). Read at start and every half minute, so that the offset is known narrowly before the first write. */
  now(): Promise<number>;
  /**
   * Optional: settles with the news of the next release of `key`'s write turn (who holds it now, and
   * from when), so that a booked waiter needs no more asking and the others ask again at once instead
   * of at their next poll. Taken before `acquireWrite`, so that a release in between is not missed;
   * `cancel` when no longer needed. Undefined when the store cannot tell now (waiters poll). It may
   * settle with undefined, or never (a lost message): waiters still ask now and then.
   */
  releaseSignal?(key: string): { promise: Promise<WriteTurnNews | undefined>; cancel(): void } | undefined;
}

/** An answer to `takeGets`; durations in milliseconds from the store's "now". */
export interface GetLease {
  /** GETs taken: all those asked for, or 0. */
  taken: number;
  /** None taken: how long until a hold or a used-up window has passed; 0 when only fewer than asked fit. */
  retryInMs: number;
  /** GETs left in the window after this take. */
  remaining: number;
  /** How long until the window ends. */
  windowEndsInMs: number;
}

/** A release of a write turn as `releaseSignal` reports it. */
export interface WriteTurnNews {
  /** The token the turn was handed to, or null: free, ask again. */
  holder: string | null;
  /** The next write's send time (store clock). */
  sendAt: number;
}

export interface WriteTurnRequest {
  /** Names this turn; `releaseWrite` passes it back. */
  token: string;
  /** How long after its send time an unreleased turn lapses. */
  leaseMs: number;
}

/** Instants in milliseconds on the store's clock; `now` is when the store decided. */
export type WriteTurn = { granted: true; sendAt: number; now: number } | { granted: false; booked: boolean; retryAt: number; now: number };

/**
 * This process's knowledge of the store's clock: store time = local time + offset, with the offset
 * inside [lo, hi]. Each answer that carries the store's `now` is a sample: the store read its clock
 * between our send and our receipt, so offset ∈ [now - receivedAt, now - sentAt]. The narrowest recent
 * sample wins (a loaded process or store only widens samples, it cannot make one wrong); a sample older
 * than a minute gives way to the next, so that a stepped clock is followed.
 */
export class StoreClock {
  private lo = 0;
  private hi = 0;
  private width = Infinity;
  private takenAt = -Infinity;

  sample(sentAt: number, receivedAt: number, storeNow: number): void {
    const width = Math.max(0, receivedAt - sentAt);
    if (width <= this.width || receivedAt - this.takenAt > 60_000) {
      this.lo = storeNow - receivedAt;
      this.hi = storeNow - sentAt;
      this.width = width;
      this.takenAt = receivedAt;
    }
  }

  /** A store instant no earlier than the local instant `local`. */
  storeTimeNotBefore(local: number): number {
    return Math.ceil(local + this.hi);
  }

  /** A local instant no earlier than the store instant `store`. */
  localTimeNotBefore(store: number): number {
    return Math.ceil(store - this.lo);
  }
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
  /** Budgets shared with other instances. Unset: this process is the only one (the in-process limiters suffice). */
  shared?: SharedLimitStore;
  /**
   * With `shared`: how long a write turn lasts past its send time or its holder's last renewal (the
   * holder renews every third of it while its write waits for an answer), so how long a turn held by an
   * instance that died blocks the user's writes. Must exceed the write interval. Default 6 s.
   */
  writeLeaseMs?: number;
  /**
   * With `shared`: the most GETs a budget takes from the store at once (default 16; 1 asks the store
   * for every GET). See `Budget.takeSharedGet`.
   */
  sharedGetLease?: number;
  /** With `shared`: told when the store fails; the request then goes by the in-process limits alone. */
  onSharedError?: (error: unknown) => void;
}

/** The shared store of a budget: the store, its clock, this budget's key in it, and what to do when it fails. */
interface SharedBudget {
  store: SharedLimitStore;
  clock: StoreClock;
  key: string;
  leaseMs: number;
  /** The most GETs taken from the store at once. */
  getLease: number;
  failed: (error: unknown) => void;
}

/**
 * GETs taken from the store ahead of use: a lease lasts this process about this long at the rate it
 * used its last one (`Budget.takeLease`). Longer saves statements; shorter leaves fewer GETs unused
 * at a window's end, when a process stops or loses interest in a user.
 */
const LEASE_HORIZON_MS = 2000;
/**
 * A lease takes no more than this share of what is left in the window (at least one GET): near the
 * end of a window the last GETs go in small pieces to whichever instances ask, rather than sitting
 * unused in one of them. Roughly "what is left over the number of instances", for up to 8.
 */
const LEASE_SHARE_DIVISOR = 8;
/**
 * The fewest GETs a lease takes (when the share and `sharedGetLease` allow): a chat command makes one
 * to three, a few commands in a row about eight, and a leased GET stays usable until its window ends
 * (minutes), so a user who comes back within the window finds GETs at hand instead of asking the store
 * again before a request. What is leased and never sent is lost to that window only: at most this many
 * less one, per user and instance (under 1 % of Trakt's 1,000).
 */
const MIN_LEASE = 8;

/**
 * Without news of releases (a store without `releaseSignal`, or its listener down), a waiter asks again
 * this often while another instance's write is on its way: a quarter of the gap (250 ms at 1 write/s).
 * Any ask between that write's answer and the end of the gap after it is granted, with the rest of the
 * gap to sleep, so asking more often gains nothing: it only loads the store, and a loaded store answers
 * (and takes releases) later. Guessing the answer from past round trips would not do: one slow answer
 * would make the next guess sleep past a quick one's whole gap. With news, a waiter asks every four
 * steps only in case a message was lost.
 */
function pollStepMs(gapMs: number): number {
  return Math.min(1000, Math.max(5, Math.floor(gapMs / 4)));
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
    private readonly shared: SharedBudget | undefined,
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
  /** The shared write turn this process holds while its write is on the way (to give back at close). */
  private heldTurn: string | undefined;
  /** The last `releaseWrite` of this budget still on its way: this process's next turn asks after it. */
  private releasing: Promise<void> | undefined;

  /** Requests waiting for their turn here (the idle sweep keeps a budget while any are). */
  private pausing = 0;

  /**
   * Sleeps `ms`, or until `early` settles; closing the client ends the wait with its own reason
   * ("Trakt client closed").
   */
  private async pause<T = void>(ms: number, early?: Promise<T>): Promise<T | undefined> {
    if (this.disposed.signal.aborted) throw this.disposed.signal.reason as Error;
    this.pausing += 1;
    const timer = new AbortController();
    const stop = (): void => timer.abort();
    this.disposed.signal.addEventListener('abort', stop);
    try {
      // Ending the sleep early rejects it: that is expected, not an error.
      const slept = sleep(ms, undefined, { signal: timer.signal }).catch(() => undefined);
      const value = await (early ? Promise.race([slept, early.catch(() => undefined)]) : slept);
      if (this.disposed.signal.aborted) throw this.disposed.signal.reason as Error;
      return value ?? undefined;
    } finally {
      timer.abort();
      this.disposed.signal.removeEventListener('abort', stop);
      this.pausing -= 1;
    }
  }

  /** Runs one write: waits for its turn (and any 429 hold), sends, and sets the next turn. */
  async runWrite<T>(task: (answered: () => void) => Promise<T>): Promise<T> {
    for (let wait = this.nextWriteAt - Date.now(); wait > 0; wait = this.nextWriteAt - Date.now()) {
      await this.pause(wait);
    }
    const turn = await this.takeSharedWriteTurn();
    this.heldTurn = turn;
    const sentAt = Date.now();
    // Trakt counted the request before its answer's headers reached us: the gap starts there.
    let answeredAt: number | undefined;
    const nextTurn = (from: number): void => {
      this.nextWriteAt = Math.max(this.nextWriteAt, sentAt + this.writeInterval(), from + this.writeGapAfterAnswer());
      this.heldTurn = undefined;
      if (turn !== undefined && this.shared && this.releasing === undefined) {
        // Other instances learn of the next turn as soon as it is known, not after the body is read.
        const { store, clock, key, leaseMs, failed } = this.shared;
        this.releasing = store.releaseWrite(key, turn, clock.storeTimeNotBefore(this.nextWriteAt), leaseMs).catch(failed);
      }
    };
    this.inFlight += 1;
    const renewal = turn === undefined ? undefined : this.keepTurn(turn);
    try {
      return await task(() => {
        if (answeredAt !== undefined) return;
        answeredAt = Date.now();
        clearInterval(renewal);
        nextTurn(answeredAt);
      });
    } finally {
      clearInterval(renewal);
      this.inFlight -= 1;
      const now = Date.now();
      this.lastUsed = now;
      // No answer (a timeout, a reset): the gap starts now.
      if (answeredAt === undefined) nextTurn(now);
    }
  }

  /** Renews the shared turn `token` every third of the lease until the timer is cleared (the answer). */
  private keepTurn(token: string): NodeJS.Timeout | undefined {
    if (!this.shared) return undefined;
    const { store, key, leaseMs, failed } = this.shared;
    const timer = setInterval(() => {
      store.renewWrite(key, token, leaseMs).catch(failed);
    }, Math.max(1, Math.floor(leaseMs / 3)));
    timer.unref();
    return timer;
  }

  /**
   * With a shared store: waits until this process holds the user's write turn across all instances and
   * the store's gap has passed. Returns the turn's token, or undefined without a store (or when it fails:
   * the in-process spacing then stands alone, and a 429 would still be waited out).
   */
  private async takeSharedWriteTurn(): Promise<string | undefined> {
    if (!this.shared) return undefined;
    const { store, key, leaseMs, failed } = this.shared;
    const releasing = this.releasing;
    this.releasing = undefined;
    if (releasing) await releasing;
    const token = randomUUID();
    try {
      return await this.waitForSharedTurn(token);
    } catch (error) {
      // Closed while waiting (an instance stopping): a booking of ours, or a turn handed to us, must
      // not hold the user's writes up until it lapses.
      void store.releaseWrite(key, token, 0, leaseMs).catch(failed);
      throw error;
    }
  }

  private async waitForSharedTurn(token: string): Promise<string | undefined> {
    if (!this.shared) return undefined;
    const { store, clock, key, leaseMs, failed } = this.shared;
    const step = pollStepMs(this.writeGapAfterAnswer());
    for (;;) {
      // Listening starts before asking, so that a release between the answer and the wait is not missed.
      const released = store.releaseSignal?.(key);
      let turn: WriteTurn;
      const askedAt = Date.now();
      try {
        turn = await store.acquireWrite(key, { token, leaseMs });
      } catch (error) {
        released?.cancel();
        failed(error);
        return undefined;
      }
      clock.sample(askedAt, Date.now(), turn.now);
      if (turn.granted) {
        released?.cancel();
        return this.waitForTurn(token, turn.sendAt);
      }
      const untilSent = clock.localTimeNotBefore(turn.retryAt) - Date.now();
      if (released) {
        // The release is announced; asking every few gaps only covers a lost message or a lapsed turn.
        const news = await this.pause(Math.max(untilSent, 0) + 4 * step, released.promise);
        released.cancel();
        // Booked, and handed the turn: no need to ask.
        if (news?.holder === token) return this.waitForTurn(token, news.sendAt);
      } else {
        await this.pause(Math.max(step, untilSent));
      }
    }
  }

  /**
   * Holding the turn `token`: sleeps until its send time (store clock) and returns the token. Closed
   * meanwhile, `takeSharedWriteTurn` gives the turn back (nothing was sent).
   */
  private async waitForTurn(token: string, sendAt: number): Promise<string> {
    if (!this.shared) return token;
    const wait = this.shared.clock.localTimeNotBefore(sendAt) - Date.now();
    if (wait > 0) await this.pause(wait);
    return token;
  }

  /** GETs scheduled here and not yet given their budget: what the next lease is sized by. */
  getsWaiting = 0;
  /**
   * GETs taken from the shared window and not yet sent, to be sent before `leaseUntil` (local clock: the
   * window's end as the store gave it when they were taken, which the real end is no earlier than).
   */
  private leaseLeft = 0;
  private leaseUntil = 0;
  /** When the current lease was taken, and how many of it were sent: the rate the next is sized by. */
  private leaseTakenAt = 0;
  private leaseUsed = 0;
  /** The take in progress: the others waiting for a GET wait for it rather than ask too. */
  private leasing: Promise<number | 'store failed'> | undefined;
  /**
   * What this process knows of the shared window: it lasts at least until `until` (local clock), and
   * until then the store counts at least `used` GETs in it (a window's count only grows, and it never
   * ends early). Tells `observe` when `observeGets` could change nothing.
   */
  private storeWindow = { until: 0, used: 0 };

  /**
   * With a shared store: waits until one GET is granted from the window shared by all instances.
   *
   * GETs are taken in leases of several (`takeLease`): one statement for a burst of a user's GETs
   * rather than one per GET. Every GET of a lease is counted in the store's window when taken, and is
   * sent before that window ends or not at all, so all instances together never send more than the
   * window allows; a GET leased and not used is lost to that window (fewer sent, never more). A 429
   * hold ends this process's lease at once (`hold`); another instance's hold reaches it at its next
   * take (until then its lease's GETs may still go, each at worst answered by a 429 that holds it too).
   */
  async takeSharedGet(): Promise<void> {
    if (!this.shared) return;
    for (;;) {
      if (this.leaseLeft > 0 && Date.now() < this.leaseUntil) {
        this.leaseLeft -= 1;
        this.leaseUsed += 1;
        return;
      }
      this.leasing ??= this.takeLease().finally(() => {
        this.leasing = undefined;
      });
      const outcome = await this.leasing;
      // Without the store the in-process limits stand alone, as for a single take.
      if (outcome === 'store failed') return;
      if (outcome > 0) await this.pause(outcome);
    }
  }

  /**
   * Takes a lease of GETs from the store. Its size: the GETs waiting here now, the rate at which the
   * last lease was used over `LEASE_HORIZON_MS`, or `MIN_LEASE`, whichever is most; at most `getLease`,
   * the limit, and a share of what the store said is left (`LEASE_SHARE_DIVISOR`). Returns 0 when leased (or when only
   * fewer fit: ask again, sized by what is left), the time to wait before asking again, or 'store failed'.
   */
  private async takeLease(): Promise<number | 'store failed'> {
    if (!this.shared) return 'store failed';
    const { store, key, getLease, failed } = this.shared;
    const askedAt = Date.now();
    const byRate =
      this.leaseTakenAt === 0 ? MIN_LEASE : Math.ceil((this.leaseUsed * LEASE_HORIZON_MS) / Math.max(1, askedAt - this.leaseTakenAt));
    const left = askedAt < this.storeWindow.until ? this.spec.limit - this.storeWindow.used : this.spec.limit;
    const share = Math.max(1, Math.ceil(left / LEASE_SHARE_DIVISOR));
    const count = Math.max(1, Math.min(getLease, this.spec.limit, share, Math.max(this.getsWaiting, byRate, MIN_LEASE)));
    let lease: GetLease;
    try {
      lease = await store.takeGets(key, this.spec, count);
    } catch (error) {
      failed(error);
      return 'store failed';
    }
    // The store's durations run from its "now", which came after `askedAt`: ends counted from
    // `askedAt` come no later than the real ones.
    this.storeWindow = { until: askedAt + lease.windowEndsInMs, used: this.spec.limit - lease.remaining };
    if (lease.taken === 0) return Math.max(0, lease.retryInMs);
    this.leaseLeft = lease.taken;
    this.leaseUntil = askedAt + lease.windowEndsInMs;
    this.leaseTakenAt = askedAt;
    this.leaseUsed = 0;
    return 0;
  }

  /**
   * Whether what Trakt said of the window (`observeGets`) could change the store's: not while the
   * window this process knows of is still open, the store counts no fewer GETs than Trakt did, and it
   * ends no sooner than Trakt's. Those are most answers (Trakt's window opened after the store's, and
   * counts none of the GETs still leased), so they cost no statement.
   */
  private storeWouldChange(now: number, window: { remaining?: number; untilInMs?: number }): boolean {
    const known = this.storeWindow;
    if (now >= known.until) return true;
    if (window.remaining !== undefined && this.spec.limit - window.remaining > known.used) return true;
    return window.untilInMs !== undefined && now + window.untilInMs > known.until;
  }

  busy(now: number): boolean {
    return this.inFlight > 0 || this.pausing > 0 || !this.limiter.empty() || this.timer !== undefined || this.nextWriteAt > now;
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
    if (this.shared) {
      const { store, key, failed } = this.shared;
      void (this.cls === 'write' ? store.holdWrites(key, ms) : store.holdGets(key, ms, this.spec)).catch(failed);
    }
    if (this.cls === 'write') {
      this.nextWriteAt = Math.max(this.nextWriteAt, Date.now() + ms);
      return;
    }
    void this.limiter.updateSettings({ reservoir: 0 });
    // After a hold the store decides again (another instance may have held for longer).
    this.leaseLeft = 0;
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
    // One "now" for the duration and for what the store is known to hold: the same `until` read
    // twice then compares equal.
    const now = Date.now();
    const untilIn = Number.isNaN(untilMs) ? undefined : clampToPeriod(untilMs - now, this.spec);
    // The store is told Trakt's `until` as it is, to the second (Trakt rounds it up, so early in a
    // window it lies up to a second past a period from now), bounded only against a bad header. Clamped
    // to the period, it would move with every answer of that first second, and each would be sent.
    const storeUntilIn = Number.isNaN(untilMs) ? undefined : Math.min(Math.max(0, untilMs - now), this.spec.periodSeconds * 1000 + 1000);
    if (this.shared && (info.remaining !== undefined || storeUntilIn !== undefined)) {
      // `until` is an instant on Trakt's clock; as a duration it means the same on the store's.
      const { store, key, failed } = this.shared;
      const window = {
        ...(info.remaining === undefined ? {} : { remaining: Math.max(0, Math.floor(info.remaining)) }),
        ...(storeUntilIn === undefined ? {} : { untilInMs: storeUntilIn }),
      };
      if (this.storeWouldChange(now, window)) {
        // Once the store has it, the window lasts at least until Trakt's ends and counts at least what
        // Trakt counted (a closed one is opened again as Trakt describes it). Taken as known at once, so
        // that the answers arriving meanwhile send nothing; forgotten if the store fails.
        const counted = window.remaining === undefined ? 0 : Math.max(0, this.spec.limit - window.remaining);
        const before = now < this.storeWindow.until ? this.storeWindow : { until: 0, used: 0 };
        if (storeUntilIn !== undefined) {
          this.storeWindow = { until: Math.max(before.until, now + storeUntilIn), used: Math.max(before.used, counted) };
        }
        else if (before.until > 0) this.storeWindow = { until: before.until, used: Math.max(before.used, counted) };
        void store.observeGets(key, this.spec, window).catch((error: unknown) => {
          this.storeWindow = { until: 0, used: 0 };
          failed(error);
        });
      }
    }
    if (info.remaining !== undefined) {
      // Requests still on their way will be counted by Trakt too: keep that many back.
      const allowed = Math.max(0, Math.floor(info.remaining) - this.inFlight);
      // Leased GETs beyond what Trakt has left are not sent either.
      this.leaseLeft = Math.min(this.leaseLeft, allowed);
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
    if (this.heldTurn !== undefined && this.shared) {
      // Closed with a write on its way (the instance is stopping): Trakt has counted it by now or never
      // will once the process is gone, so the next turn may start one gap from now, not when this turn
      // would lapse.
      const { store, clock, key, leaseMs, failed } = this.shared;
      void store.releaseWrite(key, this.heldTurn, clock.storeTimeNotBefore(Date.now() + this.writeGapAfterAnswer()), leaseMs).catch(failed);
      this.heldTurn = undefined;
    }
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

/**
 * Runs `job` through `limiter` and settles as soon as the job does. Bottleneck's own promise settles
 * only after it has freed the job's slot in its datastore, one timer turn later (several under load);
 * the caller need not wait for that bookkeeping, and the slot still counts as taken until it is done.
 * A job Bottleneck drops (the limiter stopped) rejects with Bottleneck's error.
 */
function settledByTask<T>(limiter: Bottleneck, job: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    limiter
      .schedule(async () => {
        try {
          const value = await job();
          resolve(value);
          return value;
        } catch (error) {
          reject(error as Error);
          throw error;
        }
      })
      .catch(reject);
  });
}

export class LimiterPool {
  private readonly budgets = new Map<string, Budget>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly specs: Record<RequestClass, RateLimitSpec>;
  private readonly margin: number;
  private readonly getConcurrency: number;
  private readonly idleMs: number;
  private readonly shared: Omit<SharedBudget, 'key'> | undefined;
  private readonly clockReader: NodeJS.Timeout | undefined;
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
    if (options.shared) {
      const onError = options.onSharedError;
      this.shared = {
        store: options.shared,
        clock: new StoreClock(),
        leaseMs: Math.max(options.writeLeaseMs ?? 6000, 2 * (this.specs.write.periodSeconds * 1000) / this.specs.write.limit),
        getLease: Math.max(1, Math.floor(options.sharedGetLease ?? 16)),
        failed: (error) => onError?.(error),
      };
      const { store, clock, failed } = this.shared;
      const readClock = (): void => {
        const askedAt = Date.now();
        store.now().then((now) => clock.sample(askedAt, Date.now(), now), failed);
      };
      readClock();
      this.clockReader = setInterval(readClock, 30_000);
      this.clockReader.unref();
    }
    this.sweeper = setInterval(() => this.sweep(), Math.max(1000, Math.floor(this.idleMs / 2)));
    this.sweeper.unref();
  }

  private budget(cls: RequestClass, key: string): Budget {
    const id = `${cls}\u0000${key}`;
    let budget = this.budgets.get(id);
    if (!budget) {
      const shared = this.shared && { ...this.shared, key: `${cls}:${key}` };
      budget = new Budget(cls, this.specs[cls], this.margin, this.getConcurrency, shared);
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
      budget.getsWaiting += 1;
      return settledByTask(budget.limiter, async () => {
        try {
          await budget.takeSharedGet();
        } finally {
          budget.getsWaiting -= 1;
        }
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
    return settledByTask(budget.limiter, async () => {
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
    clearInterval(this.clockReader);
    for (const budget of this.budgets.values()) budget.dispose();
    this.budgets.clear();
  }
}
