/**
 * Benchmark: the Telegram bot end to end (REFERENCE-free: loopback only).
 *
 *   node --import tsx bench/telegram/run.ts
 *
 * A few hundred simulated Telegram users each run one scripted session against the real service
 * (started with `startService` in its own process, as in production): /search → Add → Confirm →
 * Undo → /watchlist → Next. The Telegram Bot API emulator runs here (it is the users' side); the Trakt
 * emulator runs in a third process behind a recording proxy. The run is done twice: with Trakt
 * answering at once, and with 100 ms added to every Trakt answer.
 *
 * Printed per run: p50 / p99 latency of each step, from the update reaching Telegram to the bot's answer
 * being visible there; and the ratio of that end-to-end time to the Trakt time it contains (the union of
 * the user's Trakt requests in flight during the step), over steps that call Trakt.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startTelegramEmulator, type ApiCallRecord, type TelegramEmulator, type User } from '../../test/emulators/telegram/index.js';
import type { ServiceStats } from './service-process.js';
import type { BenchUser, Intervals, TraktSetup } from './trakt-process.js';

/** `steps` (default): the scripted session at two latencies. `memory`: 1,000 users each run /watchlist, then one 10,000-item sync. */
const SCENARIO = process.env.BENCH_SCENARIO === 'memory' ? 'memory' : 'steps';
const MEMORY = SCENARIO === 'memory';
const USERS = clamp(Number(process.env.BENCH_USERS ?? (MEMORY ? 1000 : 300)), 1, 1000);
const LATENCIES = (process.env.BENCH_LATENCIES ?? (MEMORY ? '0' : '0,100')).split(',').map(Number);
/**
 * `phases` (default): every user does step 1, then (once all are done and the service has settled)
 * every user does step 2, and so on, so database round trips can be attributed to a step. `sessions`:
 * each user runs its whole session on its own clock (the original schedule); round trips are then
 * only given for the run as a whole.
 */
const SCHEDULE = process.env.BENCH_SCHEDULE === 'sessions' ? 'sessions' : 'phases';
/** Pause between a user's steps: people read a card before pressing. It also keeps writes ≥1 s apart (REFERENCE §4). */
const THINK_MS = clamp(Number(process.env.BENCH_THINK_MS ?? 3000), 0, 10_000);
/** Users start spread over this window rather than all in one millisecond. */
const RAMP_MS = clamp(Number(process.env.BENCH_RAMP_MS ?? 10_000), 0, 60_000);
/**
 * Phases: within a phase, users send their update spread over this window. 3 s at 300 users is about
 * 100 updates/s, the rate the `sessions` schedule reaches once all its users are active.
 */
const SPREAD_MS = clamp(Number(process.env.BENCH_SPREAD_MS ?? (MEMORY ? 10_000 : 3000)), 0, 60_000);
/** Phases: wait after a phase's last answer so work the bot does after answering is counted in that phase. */
const SETTLE_MS = 500;
/** Memory scenario: items on the one big watchlist that is synced at the end (0: none). */
const BIG_WATCHLIST = MEMORY ? clamp(Number(process.env.BENCH_BIG_WATCHLIST ?? 10_000), 0, 12_000) : 0;
const STEP_TIMEOUT_MS = 30_000;
const BIG_SYNC_TIMEOUT_MS = 120_000;
const RUN_DEADLINE_MS = 180_000;

const SESSION_STEPS = ['search', 'add', 'confirm', 'undo', 'watchlist', 'next page'] as const;
type Step = (typeof SESSION_STEPS)[number];
const STEPS: readonly Step[] = MEMORY ? ['watchlist'] : SESSION_STEPS;

interface Sample {
  step: Step;
  username: string;
  start: number;
  end: number;
}

function clamp(n: number, min: number, max: number): number {
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : min;
}

const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts a process of the benchmark. The service (`service-process`) runs as production runs it: when
 * compiled (the default), its entry is plain JavaScript run by `node` with the flags of `npm start`, and
 * no tsx (whose module hooks run on a loader thread of their own: 35-80 MB of RSS that production does
 * not have); with BENCH_TSX=1 it runs from the sources through tsx.
 */
function child(file: string, env: Record<string, string>, build: string | null = null): ChildProcess {
  const service = file.startsWith('service');
  // BENCH_CPU_PROF=1 writes a CPU profile of the service process to the working directory.
  const profile = process.env.BENCH_CPU_PROF === '1' && service ? ['--cpu-prof', '--cpu-prof-dir=bench-profiles'] : [];
  // BENCH_SERVICE_NODE_FLAGS: extra Node/V8 flags for the service process (e.g. --liftoff-only, to try memory settings).
  const flags = service ? ['--expose-gc', ...START.nodeFlags, ...(process.env.BENCH_SERVICE_NODE_FLAGS ?? '').split(' ').filter(Boolean)] : [];
  const compiled = service && build !== null;
  const path = compiled ? join(build, 'service-process.mjs') : join(import.meta.dirname, file);
  return fork(path, [], { execArgv: [...(compiled ? [] : ['--import', 'tsx']), ...profile, ...flags], env: { ...process.env, ...(service ? START.env : {}), ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/**
 * What `npm start` (`exec env NAME=value ... node <flags> dist/main.js`) runs the service with, which
 * production runs it with: the environment it sets (glibc's malloc settings) and the Node flags.
 */
const START: { env: Record<string, string>; nodeFlags: string[] } = (() => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
  const match = /^exec\s+(?:env\s+((?:\w+=\S*\s+)*))?node\s+(.*?)\s*dist\/main\.js$/.exec(pkg.scripts.start ?? '');
  if (match === null) throw new Error('npm start is not "exec [env NAME=value ...] node [flags] dist/main.js"');
  const env = Object.fromEntries((match[1] ?? '').split(/\s+/).filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
  return { env, nodeFlags: (match[2] ?? '').split(/\s+/).filter(Boolean) };
})();

function nextMessage<T>(proc: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string; message?: string }) => {
      if (message.type === type) {
        proc.off('message', onMessage);
        resolve(message as T);
      } else if (message.type === 'failed') reject(new Error(message.message));
    };
    proc.on('message', onMessage);
    proc.once('exit', (code) => reject(new Error(`${type}: child exited with ${code}`)));
  });
}

function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

/** Total length of the union of intervals clipped to [from, to]. */
function coveredTime(intervals: Array<[number, number]>, from: number, to: number): number {
  const clipped = intervals
    .filter(([s, e]) => e > from && s < to)
    .map(([s, e]): [number, number] => [Math.max(s, from), Math.min(e, to)])
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let cursor = -Infinity;
  for (const [s, e] of clipped) {
    const start = Math.max(s, cursor);
    if (e > start) total += e - start;
    cursor = Math.max(cursor, e);
  }
  return total;
}

/**
 * Where a step's own time (end-to-end minus Trakt) lies: before the user's first Trakt request of the
 * step went out, between its Trakt requests, and after the last one was answered. Null when the step
 * made no Trakt request.
 */
function ourTime(intervals: Array<[number, number]>, from: number, to: number): { before: number; between: number; after: number } | null {
  const inside = intervals.filter(([s, e]) => e > from && s < to);
  if (inside.length === 0) return null;
  const before = Math.max(0, Math.min(...inside.map(([s]) => s)) - from);
  const after = Math.max(0, to - Math.max(...inside.map(([, e]) => e)));
  const ours = to - from - coveredTime(intervals, from, to);
  return { before, between: Math.max(0, ours - before - after), after };
}

/**
 * Watches the emulator's call log for the bot's answers. The emulator's own wait helpers re-check every
 * waiter on every change, which with hundreds of users would make the users' side the bottleneck; one
 * cursor over the call log costs nothing per waiting user.
 */
class AnswerWatcher {
  private cursor = 0;
  private readonly pending = new Set<{ match: (call: ApiCallRecord) => boolean; resolve: (call: ApiCallRecord) => void }>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly telegram: TelegramEmulator) {
    this.timer = setInterval(() => this.scan(), 1);
  }

  private scan(): void {
    const calls = this.telegram.calls;
    for (; this.cursor < calls.length; this.cursor += 1) {
      const call = calls[this.cursor];
      if (call === undefined || !call.ok) continue;
      for (const waiter of this.pending) {
        if (waiter.match(call)) {
          this.pending.delete(waiter);
          waiter.resolve(call);
        }
      }
    }
  }

  /** The next successful bot call in `chatId` that shows `marker` (message text, caption or edited media caption). */
  answer(chatId: number, marker: string, timeoutMs = STEP_TIMEOUT_MS): Promise<ApiCallRecord> {
    return new Promise((resolve, reject) => {
      const timeout = setTimeout(() => {
        this.pending.delete(waiter);
        reject(new Error(`no answer showing "${marker}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        match: (call: ApiCallRecord) => call.params.chat_id === chatId && contentOf(call).includes(marker),
        resolve: (call: ApiCallRecord) => {
          clearTimeout(timeout);
          resolve(call);
        },
      };
      this.pending.add(waiter);
    });
  }

  close(): void {
    clearInterval(this.timer);
  }
}

function contentOf(call: ApiCallRecord): string {
  const p = call.params as { text?: unknown; caption?: unknown; media?: { caption?: unknown } };
  return String(p.text ?? p.caption ?? p.media?.caption ?? '');
}

/** The message an answer produced or changed, and the buttons it now carries. */
function shown(call: ApiCallRecord): { messageId: number; buttons: Array<{ text: string; callback_data?: string }> } {
  const result = call.result as { message_id?: number } | true;
  const messageId = typeof result === 'object' && result.message_id !== undefined ? result.message_id : Number(call.params.message_id);
  const markup = call.params.reply_markup as { inline_keyboard?: Array<Array<{ text: string; callback_data?: string }>> } | undefined;
  return { messageId, buttons: (markup?.inline_keyboard ?? []).flat() };
}

function buttonOf(answer: ApiCallRecord, label: string): string {
  const found = shown(answer).buttons.find((b) => b.text.includes(label));
  if (found?.callback_data === undefined) throw new Error(`no "${label}" button`);
  return found.callback_data;
}

/** One simulated user: who it is and the bot's last answer of each step (the cards it presses on). */
interface Player {
  user: User;
  bench: BenchUser;
  title: string;
  answers: Partial<Record<Step, ApiCallRecord>>;
  failed: boolean;
}

/** Sends one step's update for `p` and resolves with the bot's answer that shows the step's outcome. */
function act(telegram: TelegramEmulator, watcher: AnswerWatcher, p: Player, step: Step, timeoutMs = STEP_TIMEOUT_MS): Promise<ApiCallRecord> {
  const chat = p.user.id;
  const say = (text: string, marker: string) => {
    const answer = watcher.answer(chat, marker, timeoutMs);
    telegram.sendText(p.user, chat, text);
    return answer;
  };
  const press = (on: Step, label: string, marker: string) => {
    const card = p.answers[on];
    if (card === undefined) return Promise.reject(new Error(`no ${on} card to press "${label}" on`));
    const answer = watcher.answer(chat, marker, timeoutMs);
    telegram.pressButton(p.user, chat, shown(card).messageId, buttonOf(card, label));
    return answer;
  };
  switch (step) {
    case 'search':
      return say(`/search movies ${p.title}`, 'Result 1 of');
    case 'add':
      return press('search', 'Add', 'Add to your watchlist?');
    case 'confirm':
      return press('add', 'Confirm', 'Added to your watchlist');
    case 'undo':
      return press('confirm', 'Undo', 'Undone');
    case 'watchlist':
      return say('/watchlist', 'Your watchlist');
    case 'next page':
      return press('watchlist', 'Next', 'page 2 of');
  }
}

async function timedStep(telegram: TelegramEmulator, watcher: AnswerWatcher, p: Player, step: Step, samples: Sample[], timeoutMs?: number): Promise<void> {
  const start = now();
  p.answers[step] = await act(telegram, watcher, p, step, timeoutMs);
  samples.push({ step, username: p.bench.username, start, end: now() });
}

/** Service-side figures for one phase (or one whole run under the `sessions` schedule). */
interface Period {
  updates: number;
  stats: ServiceStats;
}

interface StepFigures {
  p50: number;
  p99: number;
  n: number;
  /** Database round trips per update; null when not attributed (the `sessions` schedule). */
  queriesPerUpdate: number | null;
  /** Service CPU (all its threads) per update, in ms; and the main thread's busy share over the phase. Null under `sessions`. */
  cpuPerUpdate: number | null;
  mainBusy: number | null;
  /** End-to-end / Trakt time over this step's samples that called Trakt; null when none did. */
  ratio: number | null;
  /** Samples that called Trakt at all. */
  withTrakt: number;
  /** p50 over those samples of our time before the first Trakt request, between requests, after the last answer (ms); null when none called Trakt. */
  ours: { before: number; between: number; after: number } | null;
}

interface RunResult {
  latencyMs: number;
  schedule: 'phases' | 'sessions';
  users: number;
  failed: number;
  wallMs: number;
  loadBefore: number[];
  loadAfter: number[];
  steps: Partial<Record<Step, StepFigures>>;
  overall: { p50: number; p99: number; queriesPerUpdate: number; transactionsPerUpdate: number; cpuPerUpdate: number };
  ratio: number;
  traktShare: number;
  /** Service RSS over the run: highest sample, and at the end (bytes). */
  peakRss: number;
  endRss: number;
  external: number;
  heapUsed: number;
  heapTotal: number;
  liveHeap: number | null;
  /** Postgres backends' RSS at the end of the run (bytes), or null. */
  dbRss: number | null;
}

/** Reads (and restarts) the service's counters; `gc`: also a full collection after the RSS reading, for the live JS heap. */
function serviceStats(service: ChildProcess, gc = false): Promise<ServiceStats> {
  const reply = nextMessage<ServiceStats>(service, 'stats');
  service.send({ type: 'stats', gc });
  return reply;
}

async function run(latencyMs: number, telegram: TelegramEmulator, watcher: AnswerWatcher, trakt: ChildProcess, service: ChildProcess, players: Player[]): Promise<RunResult> {
  trakt.send({ type: 'latency', ms: latencyMs });
  await nextMessage(trakt, 'latency-set');
  const samples: Sample[] = [];
  const periods = new Map<Step | 'all', Period>();
  let failed = 0;
  const fail = (p: Player, error: unknown) => {
    p.failed = true;
    failed += 1;
    if (failed <= 3) process.stderr.write(`session failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
  };
  const loadBefore = loadavg();
  await serviceStats(service); // starts a fresh period
  const started = now();
  let peakRss = 0;
  if (SCHEDULE === 'phases') {
    for (const step of STEPS) {
      const active = players.filter((p) => !p.failed);
      await Promise.all(
        active.map(async (p, i) => {
          await sleep((SPREAD_MS * i) / active.length);
          await timedStep(telegram, watcher, p, step, samples).catch((error: unknown) => fail(p, error));
        }),
      );
      await sleep(SETTLE_MS);
      const stats = await serviceStats(service, step === STEPS.at(-1));
      peakRss = Math.max(peakRss, stats.peakRss);
      periods.set(step, { updates: active.length, stats });
      progress(`  +${latencyMs} ms: ${step} done (${(stats.queries / Math.max(1, active.length)).toFixed(1)} queries/update)`);
    }
  } else {
    let deadlineTimer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      deadlineTimer = setTimeout(() => resolve('deadline'), RUN_DEADLINE_MS);
    });
    const sessions = players.map(async (p, i) => {
      await sleep((RAMP_MS * i) / players.length);
      try {
        for (const step of STEPS) {
          await timedStep(telegram, watcher, p, step, samples);
          await sleep(THINK_MS);
        }
      } catch (error) {
        fail(p, error);
      }
    });
    const outcome = await Promise.race([Promise.all(sessions).then(() => 'done' as const), deadline]);
    clearTimeout(deadlineTimer);
    if (outcome === 'deadline') process.stderr.write('run hit its deadline; figures cover the steps that finished\n');
    const stats = await serviceStats(service, true);
    peakRss = stats.peakRss;
    // Updates sent: one per step begun (finished samples plus one failed step per failed session).
    periods.set('all', { updates: samples.length + failed, stats });
  }
  const wallMs = now() - started;
  const loadAfter = loadavg();
  const last = [...periods.values()].at(-1)?.stats;

  trakt.send({ type: 'intervals' });
  const { byUser } = await nextMessage<{ byUser: Intervals }>(trakt, 'intervals');
  const covered = (s: Sample) => coveredTime(byUser[s.username] ?? [], s.start, s.end);
  const steps: RunResult['steps'] = {};
  for (const step of STEPS) {
    const mine = samples.filter((s) => s.step === step);
    const durations = mine.map((s) => s.end - s.start).sort((a, b) => a - b);
    let e2e = 0;
    let traktTime = 0;
    let withTrakt = 0;
    const parts: Array<{ before: number; between: number; after: number }> = [];
    for (const s of mine) {
      const c = covered(s);
      if (c <= 0) continue;
      const split = ourTime(byUser[s.username] ?? [], s.start, s.end);
      if (split !== null) parts.push(split);
      withTrakt += 1;
      e2e += s.end - s.start;
      traktTime += c;
    }
    const period = periods.get(step);
    steps[step] = {
      p50: percentile(durations, 50),
      p99: percentile(durations, 99),
      n: durations.length,
      queriesPerUpdate: period === undefined ? null : period.stats.queries / Math.max(1, period.updates),
      cpuPerUpdate: period === undefined ? null : period.stats.cpuMs / Math.max(1, period.updates),
      mainBusy: period === undefined ? null : period.stats.mainBusy,
      ratio: traktTime === 0 ? null : e2e / traktTime,
      withTrakt,
      ours: parts.length === 0 ? null : { before: median(parts.map((x) => x.before)), between: median(parts.map((x) => x.between)), after: median(parts.map((x) => x.after)) },
    };
  }
  const all = samples.map((s) => s.end - s.start).sort((a, b) => a - b);
  let e2e = 0;
  let traktTime = 0;
  for (const sample of samples) {
    const c = covered(sample);
    if (c <= 0) continue;
    e2e += sample.end - sample.start;
    traktTime += c;
  }
  const updates = [...periods.values()].reduce((n, p) => n + p.updates, 0);
  const queries = [...periods.values()].reduce((n, p) => n + p.stats.queries, 0);
  const transactions = [...periods.values()].reduce((n, p) => n + p.stats.transactions, 0);
  const cpuMs = [...periods.values()].reduce((n, p) => n + p.stats.cpuMs, 0);
  return {
    latencyMs,
    schedule: SCHEDULE,
    users: players.length,
    failed,
    wallMs,
    loadBefore,
    loadAfter,
    steps,
    overall: { p50: percentile(all, 50), p99: percentile(all, 99), queriesPerUpdate: queries / Math.max(1, updates), transactionsPerUpdate: transactions / Math.max(1, updates), cpuPerUpdate: cpuMs / Math.max(1, updates) },
    ratio: traktTime === 0 ? 0 : e2e / traktTime,
    traktShare: e2e === 0 ? 0 : traktTime / e2e,
    peakRss,
    endRss: last?.rss ?? 0,
    external: last?.external ?? 0,
    heapUsed: last?.heapUsed ?? 0,
    heapTotal: last?.heapTotal ?? 0,
    liveHeap: last?.liveHeap ?? null,
    dbRss: last?.dbRss ?? null,
  };
}

/** Memory scenario, last part: one user with a BIG_WATCHLIST-item watchlist runs /watchlist (a full sync). */
interface BigSync {
  items: number;
  ms: number;
  ok: boolean;
  queries: number;
  peakRss: number;
  endRss: number;
  heapUsed: number;
  external: number;
  dbRss: number | null;
}

async function bigSync(telegram: TelegramEmulator, watcher: AnswerWatcher, service: ChildProcess, p: Player): Promise<BigSync> {
  await serviceStats(service);
  const samples: Sample[] = [];
  const start = now();
  const ok = await timedStep(telegram, watcher, p, 'watchlist', samples, BIG_SYNC_TIMEOUT_MS).then(
    () => true,
    (error: unknown) => {
      process.stderr.write(`big sync failed: ${error instanceof Error ? error.message : String(error)}\n`);
      return false;
    },
  );
  const ms = now() - start;
  await sleep(SETTLE_MS);
  const stats = await serviceStats(service, true);
  return { items: BIG_WATCHLIST, ms, ok, queries: stats.queries, peakRss: stats.peakRss, endRss: stats.rss, heapUsed: stats.liveHeap ?? stats.heapUsed, external: stats.external, dbRss: stats.dbRss };
}

/**
 * Compiles the service with tsc into a scratch directory (the repository's own `dist/` is left alone),
 * so it runs as in production; BENCH_TSX=1 runs the sources through tsx instead. The scratch directory
 * links the repository's drizzle/, package.json and node_modules/, which dist/ finds next to it.
 */
async function buildService(): Promise<string | null> {
  if (process.env.BENCH_TSX === '1') return null;
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const dir = await mkdtemp(join(tmpdir(), 'marquee-bench-build-'));
  for (const name of ['drizzle', 'package.json', 'node_modules']) await symlink(join(root, name), join(dir, name));
  await promisify(execFile)(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', join(dir, 'dist')]);
  // The service's own entry, as plain JavaScript: it imports the service from dist/ (BENCH_SERVICE_DIST)
  // and nothing else of the sources but types.
  const { default: ts } = await import('typescript');
  const source = await readFile(join(import.meta.dirname, 'service-process.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
  await writeFile(join(dir, 'service-process.mjs'), outputText);
  return dir;
}

async function main(): Promise<void> {
  const loadAtStart = loadavg();
  const build = await buildService();
  progress(build === null ? 'service runs from the sources (tsx)' : 'service compiled (tsc)');
  const telegram = await startTelegramEmulator({ defaultWaitMs: STEP_TIMEOUT_MS, longPollMaxSeconds: 10 });
  const runs = MEMORY ? 1 : LATENCIES.length;
  const trakt = child('trakt-process.ts', { BENCH_USERS_TOTAL: String(USERS * runs), BENCH_BIG_WATCHLIST: String(BIG_WATCHLIST) });
  const { setup } = await nextMessage<{ setup: TraktSetup }>(trakt, 'ready');
  progress('Trakt emulator ready');
  const dataDir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'marquee-bench-'));
  const service = child(
    'service-process.ts',
    {
      ENV_FILE: '',
      ...(build === null ? {} : { BENCH_SERVICE_DIST: join(build, 'dist') }),
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      SHUTDOWN_GRACE_MS: '2000',
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TRAKT_CLIENT_ID: setup.clientId,
      TRAKT_CLIENT_SECRET: setup.clientSecret,
      TRAKT_API_URL: setup.url,
      TRAKT_AUTH_URL: setup.url,
      // BENCH_DATABASE_URL: run on Postgres (as production) instead of the embedded PGlite.
      ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL, TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64') } : {}),
    },
    build,
  );
  try {
    await nextMessage(service, 'ready');
    await telegram.waitForPoll({ timeoutMs: 30_000 });
    const afterStart = await serviceStats(service);
    progress('service ready');

    const toPlayer = (bench: BenchUser, i: number): Player => {
      const user = telegram.user({ id: randomInt(10_000, 2 ** 40), firstName: bench.username });
      telegram.privateChat(user);
      return { user, bench, title: setup.titles[i % setup.titles.length] ?? 'the', answers: {}, failed: false };
    };
    const groups = Array.from({ length: runs }, (_, g) => setup.users.slice(g * USERS, (g + 1) * USERS).map(toPlayer));
    const big = setup.big === undefined ? undefined : toPlayer(setup.big, 0);
    const linkedPlayers = [...groups.flat(), ...(big ? [big] : [])];
    service.send({ type: 'link', links: linkedPlayers.map(({ user, bench }) => ({ telegramId: user.id, user: bench })) });
    await nextMessage(service, 'linked');
    const afterLink = await serviceStats(service);
    progress('users linked');

    const results: RunResult[] = [];
    const watcher = new AnswerWatcher(telegram);
    for (const [g, latency] of LATENCIES.slice(0, runs).entries()) {
      results.push(await run(latency, telegram, watcher, trakt, service, groups[g] ?? []));
      progress(`run at +${latency} ms done`);
    }
    const synced = big === undefined ? undefined : await bigSync(telegram, watcher, service, big);
    watcher.close();
    print(results, loadAtStart, afterStart, afterLink, synced);
  } finally {
    if (service.connected) service.send({ type: 'stop' });
    if (trakt.connected) trakt.send({ type: 'close' });
    await Promise.race([
      new Promise((resolve) => (service.exitCode !== null ? resolve(null) : service.once('exit', resolve))),
      new Promise((resolve) => setTimeout(resolve, 15_000).unref()),
    ]);
    await telegram.close();
    await rm(dataDir, { recursive: true, force: true });
    if (build !== null) await rm(build, { recursive: true, force: true });
  }
}

const startedAt = Date.now();
function progress(what: string): void {
  process.stderr.write(`[${((Date.now() - startedAt) / 1000).toFixed(1)} s] ${what}\n`);
}

const mb = (bytes: number) => `${Math.round(bytes / 1048576)} MB`;
const loads = (l: number[]) => l.map((n) => n.toFixed(2)).join(' ');

function print(results: RunResult[], loadAtStart: number[], afterStart: ServiceStats, afterLink: ServiceStats, synced: BigSync | undefined): void {
  const ms = (n: number) => `${Math.round(n)} ms`.padStart(8);
  const lines: string[] = [];
  if (MEMORY) {
    lines.push(`Telegram bot benchmark, memory scenario: ${USERS} linked users each run /watchlist (25 items each), then one user syncs ${BIG_WATCHLIST} items`);
  } else {
    lines.push(`Telegram bot benchmark: ${USERS} users per run, one session each (${STEPS.join(' → ')})`);
  }
  lines.push(`database: ${process.env.BENCH_DATABASE_URL ? 'Postgres (BENCH_DATABASE_URL)' : 'embedded PGlite'}; service ${process.env.BENCH_TSX === '1' ? 'run from the sources by tsx (BENCH_TSX=1)' : 'compiled by tsc and run by node, as in production'}; node flags: ${[...START.nodeFlags, process.env.BENCH_SERVICE_NODE_FLAGS ?? ''].join(' ').trim() || 'none'}; environment of npm start: ${Object.entries(START.env).map(([name, value]) => `${name}=${value}`).join(' ') || 'none'}`);
  lines.push(
    SCHEDULE === 'phases'
      ? `schedule: phases (every user does a step, spread over ${SPREAD_MS} ms, then the next step once all have answered and ${SETTLE_MS} ms passed)`
      : `schedule: sessions (think time ${THINK_MS} ms between steps, start spread over ${RAMP_MS} ms)`,
  );
  lines.push(`load average (1/5/15 min) at start: ${loads(loadAtStart)}; cores shared by every process of the benchmark and the database`);
  lines.push(`service RSS after start: ${mb(afterStart.rss)} (JS heap ${mb(afterStart.heapUsed)}, outside it ${mb(afterStart.external)}); after linking the users: ${mb(afterLink.rss)}; peak over its life so far, startup included: ${mb(afterLink.maxRss)}`);
  for (const r of results) {
    lines.push('');
    lines.push(`Trakt +${r.latencyMs} ms per answer: ${r.users - r.failed}/${r.users} sessions completed in ${(r.wallMs / 1000).toFixed(1)} s; load average ${loads(r.loadBefore)} before, ${loads(r.loadAfter)} after`);
    lines.push(`  step           p50       p99      n  queries/update  CPU ms/update  main busy  e2e/Trakt  (steps calling Trakt)`);
    for (const step of STEPS) {
      const s = r.steps[step];
      if (s === undefined) continue;
      const q = s.queriesPerUpdate === null ? '—' : s.queriesPerUpdate.toFixed(1);
      const ratio = s.ratio === null ? '—' : s.ratio.toFixed(2);
      const cpu = s.cpuPerUpdate === null ? '—' : s.cpuPerUpdate.toFixed(1);
      const busy = s.mainBusy === null ? '—' : `${Math.round(s.mainBusy * 100)} %`;
      lines.push(`  ${step.padEnd(11)} ${ms(s.p50)}  ${ms(s.p99)}  ${String(s.n).padStart(5)}  ${q.padStart(14)}  ${cpu.padStart(13)}  ${busy.padStart(9)}  ${ratio.padStart(9)}  (${s.withTrakt}/${s.n})`);
    }
    lines.push(`  all steps   ${ms(r.overall.p50)}  ${ms(r.overall.p99)}         ${r.overall.queriesPerUpdate.toFixed(1).padStart(14)}  ${r.overall.cpuPerUpdate.toFixed(1).padStart(13)}  (${r.overall.transactionsPerUpdate.toFixed(2)} transactions/update)`);
    lines.push(`  end-to-end time / Trakt time it contains: ${r.ratio.toFixed(2)} (Trakt is ${(r.traktShare * 100).toFixed(0)} % of the time of steps that call it)`);
    const split = STEPS.flatMap((step) => {
      const o = r.steps[step]?.ours;
      return o === null || o === undefined ? [] : [`${step} ${o.before.toFixed(1)} / ${o.between.toFixed(1)} / ${o.after.toFixed(1)}`];
    });
    if (split.length > 0) lines.push(`  our time in steps calling Trakt, p50 ms before the first request / between requests / after the last answer: ${split.join('; ')}`);
    lines.push(`  service RSS: peak ${mb(r.peakRss)} during the run, ${mb(r.endRss)} at its end (JS heap ${mb(r.heapUsed)} used of ${mb(r.heapTotal)}${r.liveHeap === null ? '' : `, ${mb(r.liveHeap)} live after a full GC`}; outside it in the main thread: ${mb(r.external)}; PGlite's thread counts in the RSS only)`);
    if (r.dbRss !== null) lines.push(`  Postgres backends of the service: ${mb(r.dbRss)} RSS summed at the end (shared buffers counted in each)`);
  }
  if (synced !== undefined) {
    lines.push('');
    lines.push(`Big sync: /watchlist of a ${synced.items}-item watchlist ${synced.ok ? 'answered' : 'FAILED'} in ${(synced.ms / 1000).toFixed(1)} s, ${synced.queries} queries`);
    lines.push(`  service RSS: peak ${mb(synced.peakRss)} during the sync, ${mb(synced.endRss)} after it (JS heap live after a full GC ${mb(synced.heapUsed)}, outside it ${mb(synced.external)})`);
    if (synced.dbRss !== null) lines.push(`  Postgres backends of the service: ${mb(synced.dbRss)} RSS summed after it`);
  }
  const peak = Math.max(...results.map((r) => r.peakRss), synced?.peakRss ?? 0);
  lines.push('');
  lines.push(`service peak RSS while serving: ${mb(peak)}; load average at the end: ${loads(loadavg())}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  if (process.env.BENCH_JSON === '1') process.stdout.write(`${JSON.stringify({ results, afterLink, synced })}\n`);
}

await main();
