/**
 * One instance of the service for bench/shared-limiter: its own process, its own database pool, its own
 * Trakt client, and the Postgres limit store that main.ts wires on Postgres. Talks to the parent over
 * the fork IPC channel only.
 *
 * parent → child: { type: 'run', run: InstanceRun }
 * child → parent: { type: 'ready' } | { type: 'done', result: InstanceResult }
 */
import { appendFileSync } from 'node:fs';
import { createDatabase } from '../../src/db/client.js';
import { createPgTraktLimitStore } from '../../src/db/queries/trakt-limits.js';
import { createTraktClient } from '../../src/trakt/client.js';
import type { AccessTokenProvider, WatchlistRef } from '../../src/trakt/types.js';
import type { BenchSetup } from '../trakt-limits/emulator-process.js';

export interface InstanceRun {
  index: number;
  setup: BenchSetup;
  databaseUrl: string;
  /** false: each instance keeps its own limits only (the baseline the store replaces). */
  shared: boolean;
  /** Local wall-clock time to stop starting writes at. */
  until: number;
}

export interface InstanceResult {
  writes: number;
  rateLimited: number;
  retries: number;
  failures: number;
  statements: number;
  cpuMs: number;
}

/** BENCH_TRACE=file: appends every turn asked for and ended by users bench-0..4, for reading a slow run. */
function traced(store: ReturnType<typeof createPgTraktLimitStore>, index: number): ReturnType<typeof createPgTraktLimitStore> {
  const file = process.env['BENCH_TRACE'];
  if (file === undefined) return store;
  const log = (key: string, line: string): void => {
    if (/^write:bench-[0-4]$/.test(key)) appendFileSync(file, `${key} ${Date.now()} i${index} ${line}\n`);
  };
  return {
    ...store,
    async acquireWrite(key, request) {
      const asked = Date.now();
      const turn = await store.acquireWrite(key, request);
      log(key, `ask@${asked} ${turn.granted ? `granted send+${turn.sendAt - turn.now}` : `held since ${turn.retryAt - turn.now}`}`);
      return turn;
    },
    async releaseWrite(key, token, nextAt, leaseMs) {
      const asked = Date.now();
      await store.releaseWrite(key, token, nextAt, leaseMs);
      log(key, `release@${asked}`);
    },
  };
}

function send(message: unknown): void {
  if (process.send) process.send(message);
}

async function run(input: InstanceRun): Promise<InstanceResult> {
  const database = await createDatabase({ databaseUrl: input.databaseUrl, poolSize: 10, countQueries: true });
  const store = traced(createPgTraktLimitStore(database.db, { databaseUrl: input.databaseUrl }), input.index);
  const { setup } = input;
  const client = createTraktClient({
    apiUrl: setup.url,
    authUrl: setup.authUrl,
    clientId: setup.clientId,
    clientSecret: setup.clientSecret,
    userAgent: `Marquee-bench/instance-${input.index}`,
    // As main.ts on Postgres; everything else is the client's defaults.
    ...(input.shared ? { limits: { shared: store } } : {}),
  });
  const cpuAtStart = process.cpuUsage();
  let failures = 0;
  // Every user writes through this instance as fast as it is let: add a title, remove it again. With
  // every instance doing the same, each user has one writer per instance competing for one turn a second.
  await Promise.all(
    setup.users.map(async (user, u) => {
      const me = client.forUser({ key: user.username, getAccessToken: () => Promise.resolve(user.accessToken) } satisfies AccessTokenProvider);
      const ref: WatchlistRef = { type: 'movie', ids: { trakt: setup.movies[(u * 7 + input.index) % setup.movies.length]! } };
      for (let add = true; Date.now() < input.until; add = !add) {
        try {
          await (add ? me.addToWatchlist([ref]) : me.removeFromWatchlist([ref]));
        } catch {
          failures += 1;
        }
      }
    }),
  );
  const cpu = process.cpuUsage(cpuAtStart);
  const stats = client.stats();
  client.close();
  await store.close();
  await database.close();
  return {
    writes: stats.requestsSent.write,
    rateLimited: stats.rateLimited,
    retries: stats.retries,
    failures,
    statements: database.queryStats.queries,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

process.on('message', (message: { type: string; run?: InstanceRun }) => {
  if (message.type === 'run' && message.run) {
    run(message.run).then(
      (result) => send({ type: 'done', result }),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  }
});
send({ type: 'ready' });
