/**
 * GET budgets taken from the shared store in leases (`Budget.takeSharedGet`, src/trakt/limits.ts): a
 * burst of one user's GETs costs one store statement per lease rather than one per GET, and the
 * instances sharing the store together never send more GETs than the window allows.
 *
 * The store is the Postgres one (src/db/queries/trakt-limits.ts) on the test database: its statements
 * are plain Postgres, so this runs on both drivers (main.ts wires it only on Postgres). Several
 * `LimiterPool`s on one store stand for several instances. The store is wrapped in a double of our own
 * `SharedLimitStore` interface that counts the takes and keeps their answers; the "GETs" are tasks that
 * count their runs, so every figure is a count, never a time.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, type Database } from '../../src/db/client.js';
import { createPgTraktLimitStore, type PgTraktLimitStore } from '../../src/db/queries/trakt-limits.js';
import { LimiterPool, type GetLease, type LimitsOptions, type RateLimitSpec, type SharedLimitStore } from '../../src/trakt/limits.js';
import { sharedTestDatabase } from '../helpers/db.js';

let database: Database;
const stores: PgTraktLimitStore[] = [];
const pools: LimiterPool[] = [];

beforeAll(async () => {
  database = await sharedTestDatabase();
});

afterEach(async () => {
  for (const pool of pools.splice(0)) pool.close();
  for (const store of stores.splice(0)) await store.close();
  database.queryStats.disable();
  database.queryStats.reset();
});

/** The Postgres store, with its GET takes counted and their answers kept. */
class CountingStore implements SharedLimitStore {
  takes = 0;
  readonly answers: GetLease[] = [];
  constructor(private readonly inner: PgTraktLimitStore) {}
  async takeGets(key: string, spec: RateLimitSpec, count: number): Promise<GetLease> {
    this.takes += 1;
    const answer = await this.inner.takeGets(key, spec, count);
    this.answers.push(answer);
    return answer;
  }
  /** Whether a take was refused until a hold or a used-up window ends. */
  get blocked(): boolean {
    return this.answers.some((a) => a.taken === 0 && a.retryInMs > 0);
  }
  acquireWrite: SharedLimitStore['acquireWrite'] = (...args) => this.inner.acquireWrite(...args);
  releaseWrite: SharedLimitStore['releaseWrite'] = (...args) => this.inner.releaseWrite(...args);
  renewWrite: SharedLimitStore['renewWrite'] = (...args) => this.inner.renewWrite(...args);
  holdWrites: SharedLimitStore['holdWrites'] = (...args) => this.inner.holdWrites(...args);
  holdsLanded = 0;
  holdGets: SharedLimitStore['holdGets'] = async (...args) => {
    await this.inner.holdGets(...args);
    this.holdsLanded += 1;
  };
  observed = 0;
  observeGets: SharedLimitStore['observeGets'] = (...args) => {
    this.observed += 1;
    return this.inner.observeGets(...args);
  };
  now: SharedLimitStore['now'] = () => this.inner.now();
}

/** One instance: its own limiters on a counting view of the one store. */
function instance(limits: LimitsOptions = {}): { pool: LimiterPool; store: CountingStore } {
  const inner = createPgTraktLimitStore(database.db);
  stores.push(inner);
  const store = new CountingStore(inner);
  const pool = new LimiterPool({
    ...limits,
    shared: store,
    onSharedError: (error) => {
      throw error;
    },
  });
  pools.push(pool);
  return { pool, store };
}

/** Schedules one GET of `user` that only counts its run. Rejections (a pool closed) are the caller's. */
function get(pool: LimiterPool, user: string, ran: { count: number }): Promise<unknown> {
  return pool.schedule('userGet', user, () => {
    ran.count += 1;
    return Promise.resolve();
  });
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i += 1) await sleep(10);
  if (!condition()) throw new Error(`never: ${what}`);
}

const LEASE = 16;

describe('GIVEN one instance WHEN one user makes N GETs', () => {
  it('all at once THEN they cost at most ceil(N / 16) + 2 store takes, one statement each', async () => {
    const { pool, store } = instance();
    const user = `u-${randomUUID()}`;
    await pool.schedule('appGet', 'warm-up', () => Promise.resolve());
    const before = store.takes;
    database.queryStats.reset();
    database.queryStats.enable();
    const ran = { count: 0 };
    const N = 200;
    await Promise.all(Array.from({ length: N }, () => get(pool, user, ran)));
    database.queryStats.disable();
    expect(ran.count).toBe(N);
    const takes = store.takes - before;
    expect(takes).toBeLessThanOrEqual(Math.ceil(N / LEASE) + 2);
    // Nothing but the takes reached the database (the pool's clock read happened before).
    expect(database.queryStats.queries).toBe(takes);
    // Each GET is counted in the window: the store counts at least as many as were sent.
    const row = rowsOf<{ used: number }>(await database.db.execute(sql`select used from trakt_limits where key = ${`userGet:${user}`}`))[0];
    expect(row?.used).toBeGreaterThanOrEqual(N);
    expect(row?.used).toBeLessThanOrEqual(N + LEASE);
  });

  it('one after the other THEN the lease grows with the rate: far fewer takes than GETs', async () => {
    const { pool, store } = instance();
    const user = `u-${randomUUID()}`;
    const ran = { count: 0 };
    const N = 64;
    for (let i = 0; i < N; i += 1) await get(pool, user, ran);
    expect(ran.count).toBe(N);
    // The first lease is one GET; the next is sized by how fast that one was used (16 when the GETs
    // come quicker than 8 a second, as these do); one more lease of 8 allowed for a slow machine.
    expect(store.takes).toBeLessThanOrEqual(Math.ceil(N / LEASE) + 3);
  });

  it('at a chat user\'s pace THEN one take buys a few commands\' worth: the first lease is 8 GETs, the next seven need no statement', async () => {
    const { pool, store } = instance();
    const user = `u-${randomUUID()}`;
    const ran = { count: 0 };
    await get(pool, user, ran);
    expect(store.takes).toBe(1);
    expect(store.answers.at(-1)).toMatchObject({ taken: 8 });
    database.queryStats.reset();
    database.queryStats.enable();
    for (let i = 0; i < 7; i += 1) await get(pool, user, ran);
    database.queryStats.disable();
    expect(ran.count).toBe(8);
    expect(store.takes).toBe(1);
    expect(database.queryStats.queries).toBe(0);
    // The ninth asks again.
    await get(pool, user, ran);
    expect(store.takes).toBe(2);
  });

  it('with leases of 1 THEN every GET is one take (the behaviour before leases)', async () => {
    const { pool, store } = instance({ sharedGetLease: 1 });
    const user = `u-${randomUUID()}`;
    const ran = { count: 0 };
    await Promise.all(Array.from({ length: 20 }, () => get(pool, user, ran)));
    expect(store.takes).toBe(20);
  });
});

describe('GIVEN three instances on one store, one user, a window of 40 GETs', () => {
  // A window far longer than the test: GETs beyond it wait for its end, which never comes here.
  const WINDOW: RateLimitSpec = { limit: 40, periodSeconds: 300 };

  /**
   * Whether an instance is done for this window: it sent the whole window (it wants no more than that),
   * or the store refused it. It asks only with its lease used up, so once refused it has sent every GET
   * it leased.
   */
  const settled = ({ store }: { store: CountingStore }, ran: { count: number }): boolean => ran.count >= WINDOW.limit || store.blocked;
  const usedIn = async (user: string): Promise<number | undefined> =>
    rowsOf<{ used: number }>(await database.db.execute(sql`select used from trakt_limits where key = ${`userGet:${user}`}`))[0]?.used;

  it('WHEN each instance wants the whole window at once THEN together they send exactly the 40 it allows, and the store counts 40', async () => {
    const instances = [instance({ authedGet: WINDOW }), instance({ authedGet: WINDOW }), instance({ authedGet: WINDOW })];
    const user = `u-${randomUUID()}`;
    const ran = instances.map(() => ({ count: 0 }));
    const pending = instances.flatMap(({ pool }, i) => Array.from({ length: WINDOW.limit }, () => get(pool, user, ran[i]!).catch(() => undefined)));
    await until(() => instances.every((x, i) => settled(x, ran[i]!)), 'every instance settled');
    // Each wants as many as the window holds: none can lease a GET it will not send.
    expect(ran.reduce((sum, r) => sum + r.count, 0)).toBe(WINDOW.limit);
    expect(await usedIn(user)).toBe(WINDOW.limit);
    for (const { pool } of instances) pool.close();
    await Promise.all(pending);
  });

  it('WHEN two instances send GETs one after the other, side by side THEN what they send together never passes the window', async () => {
    const instances = [instance({ authedGet: WINDOW }), instance({ authedGet: WINDOW })];
    const user = `u-${randomUUID()}`;
    const ran = instances.map(() => ({ count: 0 }));
    // Each grows its lease from its own rate, and each wants more than the window.
    const runs = instances.map(({ pool }, i) =>
      (async () => {
        for (let n = 0; n < 60; n += 1) await get(pool, user, ran[i]!);
      })().catch(() => undefined),
    );
    await until(() => instances.every((x, i) => settled(x, ran[i]!)), 'both instances settled');
    expect(ran.reduce((sum, r) => sum + r.count, 0)).toBeLessThanOrEqual(WINDOW.limit);
    expect(instances.flatMap(({ store }) => store.answers).reduce((sum, x) => sum + x.taken, 0)).toBeLessThanOrEqual(WINDOW.limit);
    expect(await usedIn(user)).toBeLessThanOrEqual(WINDOW.limit);
    for (const { pool } of instances) pool.close();
    await Promise.all(runs);
  });
});

describe('GIVEN an instance holding a lease', () => {
  /** A burst, then one GET more: the instance holds a lease with room left. */
  async function withLease(pool: LimiterPool, user: string, ran: { count: number }): Promise<void> {
    await Promise.all(Array.from({ length: 4 }, () => get(pool, user, ran)));
    await get(pool, user, ran);
  }

  it('WHEN a 429 holds its GETs THEN its lease is dropped: the next GET, after the hold, is taken from the store again', async () => {
    const { pool, store } = instance();
    const user = `u-${randomUUID()}`;
    const ran = { count: 0 };
    await withLease(pool, user, ran);
    const takes = store.takes;
    await get(pool, user, ran);
    expect(store.takes).toBe(takes);
    pool.hold('userGet', user, 200);
    await get(pool, user, ran);
    expect(store.takes).toBeGreaterThan(takes);
    expect(ran.count).toBe(7);
  });

  it('WHEN another instance is held by a 429 THEN this one sends at most the rest of its lease, then the store refuses it until the hold ends', async () => {
    const a = instance();
    const b = instance();
    const user = `u-${randomUUID()}`;
    const ranB = { count: 0 };
    await withLease(b.pool, user, ranB);
    const before = ranB.count;
    a.pool.hold('userGet', user, 60_000);
    await until(() => a.store.holdsLanded > 0, 'the hold in the store');
    const loop = (async () => {
      for (let i = 0; i < 40; i += 1) await get(b.pool, user, ranB);
    })().catch(() => undefined);
    await until(() => b.store.blocked, 'b refused');
    expect(ranB.count - before).toBeLessThan(LEASE);
    const refused = b.store.answers.find((x) => x.taken === 0)!;
    expect(refused.retryInMs).toBeGreaterThan(0);
    expect(refused.retryInMs).toBeLessThanOrEqual(60_000);
    b.pool.close();
    await loop;
  });

  it('WHEN Trakt’s X-Ratelimit says what the store already holds THEN the store is not told; WHEN Trakt counts more, or its window ends later, THEN it is', async () => {
    const { pool, store } = instance();
    const user = `u-${randomUUID()}`;
    const ran = { count: 0 };
    await Promise.all(Array.from({ length: 16 }, () => get(pool, user, ran)));
    const inFive = (ms: number): string => new Date(Date.now() + ms).toISOString();
    // Trakt counted 5 (the store at least 16) and its window ends before the store's: nothing to tell.
    pool.observe('userGet', user, { limit: 1000, period: 300, remaining: 995, until: inFive(200_000) });
    expect(store.observed).toBe(0);
    // Trakt's window ends later than the store's (it opened later, and its `until` is rounded up to
    // the second: past a period from now): told once, not at every answer.
    const later = inFive(300_600);
    pool.observe('userGet', user, { limit: 1000, period: 300, remaining: 990, until: later });
    expect(store.observed).toBe(1);
    pool.observe('userGet', user, { limit: 1000, period: 300, remaining: 990, until: later });
    expect(store.observed).toBe(1);
    // Trakt counts more than the store did (GETs it got from elsewhere): told, and the store counts them.
    pool.observe('userGet', user, { limit: 1000, period: 300, remaining: 900, until: later });
    expect(store.observed).toBe(2);
    const used = async (): Promise<number> =>
      rowsOf<{ used: number }>(await database.db.execute(sql`select used from trakt_limits where key = ${`userGet:${user}`}`))[0]?.used ?? 0;
    for (let i = 0; i < 100 && (await used()) < 100; i += 1) await sleep(10);
    expect(await used()).toBe(100);
  });
});
