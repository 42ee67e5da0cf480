/**
 * The Trakt emulator for the Telegram benchmark, in its own process, behind a recording proxy: every
 * request the service sends to "Trakt" is timed here (start and end, by user), so the benchmark can
 * say how much of a command's time was spent waiting on Trakt.
 *
 * parent → child: { type: 'latency', ms } | { type: 'intervals' } | { type: 'close' }
 * child → parent: { type: 'ready', setup } | { type: 'latency-set' } | { type: 'intervals', byUser }
 */
import { createServer, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { startTraktEmulator } from '../../test/emulators/trakt/index.js';

export interface BenchUser {
  username: string;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  createdAt: number;
  slug: string;
  uuid: string;
}

export interface TraktSetup {
  /** The proxy's URL: what the service uses as TRAKT_API_URL and TRAKT_AUTH_URL. */
  url: string;
  clientId: string;
  clientSecret: string;
  users: BenchUser[];
  /** Movie titles to search for. */
  titles: string[];
  /** With BENCH_BIG_WATCHLIST=N: one more user whose watchlist holds N items (the memory scenario's big sync). */
  big?: BenchUser;
}

/** [start, end] in ms since the epoch (sub-millisecond), per Trakt username. */
export type Intervals = Record<string, Array<[number, number]>>;

const now = (): number => performance.timeOrigin + performance.now();
const send = (message: unknown): void => {
  process.send?.(message);
};

const userCount = Number(process.env.BENCH_USERS_TOTAL ?? 600);
const bigWatchlist = Number(process.env.BENCH_BIG_WATCHLIST ?? 0);
// A 10,000-item watchlist needs a catalog larger than the default one (12,000 gives ~7,200 movies and ~4,800 shows).
const emulator = await startTraktEmulator({ catalogSize: bigWatchlist > 1500 ? Math.ceil(bigWatchlist * 1.2) : 2000, requestLogLimit: 1000 });
const upstream = new URL(emulator.url);

const movies = emulator.catalog.movies().filter((m) => /^[A-Za-z][A-Za-z ]{3,30}$/.test(m.title));
const users: BenchUser[] = [];
for (let i = 0; i < userCount; i += 1) {
  const username = `tgbench${i}`;
  const user = emulator.addUser({ username, vip: true });
  // Some items so /watchlist has more than one page; seeding bypasses rate limits.
  emulator.seedWatchlist(
    username,
    movies.slice(100 + (i % 50), 125 + (i % 50)).map((m) => ({ type: 'movie' as const, trakt: m.ids.trakt })),
  );
  const tokens = emulator.issueTokens(username);
  users.push({
    username,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    expiresIn: tokens.expires_in,
    createdAt: tokens.created_at,
    slug: user.slug,
    uuid: user.uuid,
  });
}
let big: BenchUser | undefined;
if (bigWatchlist > 0) {
  const username = 'tgbenchbig';
  const user = emulator.addUser({ username, vip: true });
  const refs = [
    ...emulator.catalog.movies().map((m) => ({ type: 'movie' as const, trakt: m.ids.trakt })),
    ...emulator.catalog.shows().map((m) => ({ type: 'show' as const, trakt: m.ids.trakt })),
  ].slice(0, bigWatchlist);
  emulator.seedWatchlist(username, refs);
  const tokens = emulator.issueTokens(username);
  big = { username, accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresIn: tokens.expires_in, createdAt: tokens.created_at, slug: user.slug, uuid: user.uuid };
}
const byToken = new Map([...users, ...(big ? [big] : [])].map((u) => [u.accessToken, u.username]));
const intervals: Intervals = {};

// A plain forwarding proxy: it adds a loopback hop, nothing else.
const proxy = createServer((req, res) => {
  const started = now();
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const who = token === undefined ? '(app)' : (byToken.get(token) ?? '(unknown)');
  const forward = httpRequest(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('end', () => {
        (intervals[who] ??= []).push([started, now()]);
      });
    },
  );
  forward.on('error', () => {
    res.writeHead(502);
    res.end();
  });
  req.pipe(forward);
});
proxy.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const address = proxy.address();
const port = typeof address === 'object' && address !== null ? address.port : 0;

send({
  type: 'ready',
  setup: {
    url: `http://127.0.0.1:${port}`,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    users,
    titles: movies.slice(0, 40).map((m) => m.title),
    ...(big ? { big } : {}),
  } satisfies TraktSetup,
});

async function close(): Promise<void> {
  proxy.close();
  proxy.closeAllConnections();
  await emulator.close();
  process.exit(0);
}

process.on('message', (message: { type: string; ms?: number }) => {
  if (message.type === 'latency') {
    emulator.setFault('*', message.ms ? { latencyMs: message.ms } : null);
    if (!message.ms) emulator.clearFaults();
    send({ type: 'latency-set' });
  }
  if (message.type === 'intervals') send({ type: 'intervals', byUser: intervals });
  if (message.type === 'close') void close();
});
process.on('disconnect', () => void close());
