/**
 * Runs the Trakt emulator in its own process for the benchmark, so the emulator and the client do not
 * share one event loop (and one core). Talks to the parent over the fork IPC channel only.
 *
 * parent → child: { type: 'report', from, to } | { type: 'close' }
 * child → parent: { type: 'ready', setup } | { type: 'report', report }
 */
import { startTraktEmulator } from '../../test/emulators/trakt/index.js';

export interface BenchSetup {
  url: string;
  authUrl: string;
  clientId: string;
  clientSecret: string;
  users: Array<{ username: string; accessToken: string }>;
  movies: number[];
  shows: number[];
  popularShows: number[];
}

export interface ServerReport {
  requests: number;
  byRoute: Record<string, Record<string, number>>;
  status429: number;
  /** Writes the emulator received within [from, to]. */
  writesInWindow: number;
  /** Smallest gap between two consecutive writes of one user, as the emulator saw them. */
  minWriteGapMs: number | null;
  /** GET requests per user (answered ones). */
  getsByUser: Record<string, number>;
  /** Mean gap between consecutive writes of one user within [from, to], over all users. */
  meanWriteGapMs: number | null;
  /** CPU time the emulator process used since it was ready (user + system), in ms. */
  cpuMs: number;
}

function send(message: unknown): void {
  if (process.send) process.send(message);
}

const userCount = Number(process.env['BENCH_USERS'] ?? 200) + Number(process.env['BENCH_HEAVY_READERS'] ?? 0);
const emulator = await startTraktEmulator({
  // Trakt's real limits (REFERENCE §4): the default when `rateLimits` is not given.
  catalogSize: 3000,
  requestLogLimit: 100_000,
});

const users: BenchSetup['users'] = [];
for (let i = 0; i < userCount; i += 1) {
  const username = `bench-${i}`;
  // VIP (5K watchlist) so the benchmark measures rate limits, not account limits.
  emulator.addUser({ username, vip: true });
  users.push({ username, accessToken: emulator.issueTokens(username).access_token });
}
const cpuAtReady = process.cpuUsage();
const movies = emulator.catalog.movies().map((m) => m.ids.trakt);
const shows = emulator.catalog.shows().map((s) => s.ids.trakt);
send({
  type: 'ready',
  setup: {
    url: emulator.url,
    authUrl: emulator.authUrl,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    users,
    movies,
    shows,
    popularShows: shows.slice(0, 20),
  } satisfies BenchSetup,
});

function report(from: number, to: number): ServerReport {
  const byRoute: ServerReport['byRoute'] = {};
  let status429 = 0;
  let writesInWindow = 0;
  const lastWriteAt = new Map<string, number>();
  let gapSum = 0;
  let gapCount = 0;
  let minWriteGapMs: number | null = null;
  const getsByUser: Record<string, number> = {};
  for (const r of emulator.requests) {
    if (r.method === 'GET' && r.user !== undefined) getsByUser[r.user] = (getsByUser[r.user] ?? 0) + 1;
    const statuses = (byRoute[r.route] ??= {});
    statuses[String(r.status)] = (statuses[String(r.status)] ?? 0) + 1;
    if (r.status === 429) status429 += 1;
    if (r.method === 'POST' && r.route.startsWith('POST /sync/watchlist')) {
      if (r.at >= from && r.at <= to) writesInWindow += 1;
      const who = r.user ?? '?';
      const prev = lastWriteAt.get(who);
      if (prev !== undefined) {
        minWriteGapMs = Math.min(minWriteGapMs ?? Infinity, r.at - prev);
        if (r.at <= to) {
          gapSum += r.at - prev;
          gapCount += 1;
        }
      }
      lastWriteAt.set(who, r.at);
    }
  }
  return {
    requests: emulator.requests.length,
    byRoute,
    status429,
    writesInWindow,
    minWriteGapMs,
    getsByUser,
    meanWriteGapMs: gapCount === 0 ? null : gapSum / gapCount,
    cpuMs: ((u) => (u.user + u.system) / 1000)(process.cpuUsage(cpuAtReady)),
  };
}

process.on('message', (message: { type: string; from?: number; to?: number }) => {
  if (message.type === 'report') send({ type: 'report', report: report(message.from ?? 0, message.to ?? Date.now()) });
  if (message.type === 'close') {
    void emulator.close().then(() => process.exit(0));
  }
});
process.on('disconnect', () => {
  void emulator.close().then(() => process.exit(0));
});
