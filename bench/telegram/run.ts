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
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startTelegramEmulator, type ApiCallRecord, type TelegramEmulator, type User } from '../../test/emulators/telegram/index.js';
import type { BenchUser, Intervals, TraktSetup } from './trakt-process.js';

const USERS = clamp(Number(process.env.BENCH_USERS ?? 300), 1, 1000);
const LATENCIES = (process.env.BENCH_LATENCIES ?? '0,100').split(',').map(Number);
/** Pause between a user's steps: people read a card before pressing. It also keeps writes ≥1 s apart (REFERENCE §4). */
const THINK_MS = clamp(Number(process.env.BENCH_THINK_MS ?? 3000), 0, 10_000);
/** Users start spread over this window rather than all in one millisecond. */
const RAMP_MS = clamp(Number(process.env.BENCH_RAMP_MS ?? 10_000), 0, 60_000);
const STEP_TIMEOUT_MS = 30_000;
const RUN_DEADLINE_MS = 180_000;

const STEPS = ['search', 'add', 'confirm', 'undo', 'watchlist', 'next page'] as const;
type Step = (typeof STEPS)[number];

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

function child(file: string, env: Record<string, string>): ChildProcess {
  // BENCH_CPU_PROF=1 writes a CPU profile of the service process to the working directory.
  const profile = process.env.BENCH_CPU_PROF === '1' && file.startsWith('service') ? ['--cpu-prof', '--cpu-prof-dir=bench-profiles'] : [];
  return fork(join(import.meta.dirname, file), [], { execArgv: ['--import', 'tsx', ...profile], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

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
  answer(chatId: number, marker: string): Promise<ApiCallRecord> {
    return new Promise((resolve, reject) => {
      const timeout = setTimeout(() => {
        this.pending.delete(waiter);
        reject(new Error(`no answer showing "${marker}" within ${STEP_TIMEOUT_MS} ms`));
      }, STEP_TIMEOUT_MS);
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

async function session(telegram: TelegramEmulator, watcher: AnswerWatcher, user: User, username: string, title: string, samples: Sample[]): Promise<void> {
  const chat = user.id;
  const timed = async (step: Step, work: () => Promise<ApiCallRecord>): Promise<ApiCallRecord> => {
    const start = now();
    const result = await work();
    samples.push({ step, username, start, end: now() });
    await sleep(THINK_MS);
    return result;
  };
  const say = (text: string, marker: string) => {
    const answer = watcher.answer(chat, marker);
    telegram.sendText(user, chat, text);
    return answer;
  };
  const press = (on: ApiCallRecord, label: string, marker: string) => {
    const answer = watcher.answer(chat, marker);
    telegram.pressButton(user, chat, shown(on).messageId, buttonOf(on, label));
    return answer;
  };
  const card = await timed('search', () => say(`/search movies ${title}`, 'Result 1 of'));
  const confirm = await timed('add', () => press(card, 'Add', 'Add to your watchlist?'));
  const added = await timed('confirm', () => press(confirm, 'Confirm', 'Added to your watchlist'));
  await timed('undo', () => press(added, 'Undo', 'Undone'));
  const list = await timed('watchlist', () => say('/watchlist', 'Your watchlist'));
  await timed('next page', () => press(list, 'Next', 'page 2 of'));
}

interface RunResult {
  latencyMs: number;
  users: number;
  failed: number;
  wallMs: number;
  steps: Record<Step, { p50: number; p99: number; n: number }>;
  overall: { p50: number; p99: number };
  ratio: number;
  traktShare: number;
}

async function run(latencyMs: number, telegram: TelegramEmulator, watcher: AnswerWatcher, trakt: ChildProcess, pairs: Array<{ user: User; bench: BenchUser }>, titles: string[]): Promise<RunResult> {
  trakt.send({ type: 'latency', ms: latencyMs });
  await nextMessage(trakt, 'latency-set');
  const samples: Sample[] = [];
  let failed = 0;
  const started = now();
  let deadlineTimer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    deadlineTimer = setTimeout(() => resolve('deadline'), RUN_DEADLINE_MS);
  });
  const sessions = pairs.map(async ({ user, bench }, i) => {
    await sleep((RAMP_MS * i) / pairs.length);
    try {
      await session(telegram, watcher, user, bench.username, titles[i % titles.length] ?? 'the', samples);
    } catch (error) {
      failed += 1;
      if (failed <= 3) process.stderr.write(`session failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
    }
  });
  const outcome = await Promise.race([Promise.all(sessions).then(() => 'done' as const), deadline]);
  clearTimeout(deadlineTimer);
  if (outcome === 'deadline') process.stderr.write('run hit its deadline; figures cover the steps that finished\n');
  const wallMs = now() - started;

  trakt.send({ type: 'intervals' });
  const { byUser } = await nextMessage<{ byUser: Intervals }>(trakt, 'intervals');
  const steps = {} as RunResult['steps'];
  for (const step of STEPS) {
    const durations = samples.filter((s) => s.step === step).map((s) => s.end - s.start).sort((a, b) => a - b);
    steps[step] = { p50: percentile(durations, 50), p99: percentile(durations, 99), n: durations.length };
  }
  const all = samples.map((s) => s.end - s.start).sort((a, b) => a - b);
  let e2e = 0;
  let traktTime = 0;
  for (const sample of samples) {
    const covered = coveredTime(byUser[sample.username] ?? [], sample.start, sample.end);
    if (covered <= 0) continue;
    e2e += sample.end - sample.start;
    traktTime += covered;
  }
  return {
    latencyMs,
    users: pairs.length,
    failed,
    wallMs,
    steps,
    overall: { p50: percentile(all, 50), p99: percentile(all, 99) },
    ratio: traktTime === 0 ? 0 : e2e / traktTime,
    traktShare: e2e === 0 ? 0 : traktTime / e2e,
  };
}

async function main(): Promise<void> {
  const load = loadavg()[0] ?? 0;
  const telegram = await startTelegramEmulator({ defaultWaitMs: STEP_TIMEOUT_MS, longPollMaxSeconds: 10 });
  const trakt = child('trakt-process.ts', { BENCH_USERS_TOTAL: String(USERS * LATENCIES.length) });
  const { setup } = await nextMessage<{ setup: TraktSetup }>(trakt, 'ready');
  progress('Trakt emulator ready');
  const dataDir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'marquee-bench-'));
  const service = child('service-process.ts', {
    ENV_FILE: '',
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
  });
  try {
    await nextMessage(service, 'ready');
    await telegram.waitForPoll({ timeoutMs: 30_000 });
    progress('service ready');

    const groups = LATENCIES.map((_, g) =>
      setup.users.slice(g * USERS, (g + 1) * USERS).map((bench) => {
        const user = telegram.user({ id: randomInt(10_000, 2 ** 40), firstName: bench.username });
        telegram.privateChat(user);
        return { user, bench };
      }),
    );
    service.send({ type: 'link', links: groups.flat().map(({ user, bench }) => ({ telegramId: user.id, user: bench })) });
    await nextMessage(service, 'linked');
    progress('users linked');

    const results: RunResult[] = [];
    const watcher = new AnswerWatcher(telegram);
    for (const [g, latency] of LATENCIES.entries()) {
      results.push(await run(latency, telegram, watcher, trakt, groups[g] ?? [], setup.titles));
      progress(`run at +${latency} ms done`);
    }
    watcher.close();
    print(results, load);
  } finally {
    service.send({ type: 'stop' });
    trakt.send({ type: 'close' });
    await Promise.race([
      new Promise((resolve) => service.once('exit', resolve)),
      new Promise((resolve) => setTimeout(resolve, 15_000).unref()),
    ]);
    await telegram.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const startedAt = Date.now();
function progress(what: string): void {
  process.stderr.write(`[${((Date.now() - startedAt) / 1000).toFixed(1)} s] ${what}\n`);
}

function print(results: RunResult[], load: number): void {
  const ms = (n: number) => `${Math.round(n)} ms`.padStart(8);
  const lines: string[] = [];
  lines.push(`Telegram bot benchmark: ${USERS} users per run, one session each (search → add → confirm → undo → watchlist → next page)`);
  lines.push(`database: ${process.env.BENCH_DATABASE_URL ? 'Postgres (BENCH_DATABASE_URL)' : 'embedded PGlite'}`);
  lines.push(`think time ${THINK_MS} ms between steps, start spread over ${RAMP_MS} ms; load average before the run ${load.toFixed(2)}`);
  for (const r of results) {
    lines.push('');
    lines.push(`Trakt +${r.latencyMs} ms per answer: ${r.users - r.failed}/${r.users} sessions completed in ${(r.wallMs / 1000).toFixed(1)} s`);
    lines.push(`  step           p50       p99      n`);
    for (const step of STEPS) {
      const s = r.steps[step];
      lines.push(`  ${step.padEnd(11)} ${ms(s.p50)}  ${ms(s.p99)}  ${String(s.n).padStart(5)}`);
    }
    lines.push(`  all steps   ${ms(r.overall.p50)}  ${ms(r.overall.p99)}`);
    lines.push(`  end-to-end time / Trakt time it contains: ${r.ratio.toFixed(2)} (Trakt is ${(r.traktShare * 100).toFixed(0)} % of the time of steps that call it)`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (process.env.BENCH_JSON === '1') process.stdout.write(`${JSON.stringify(results)}\n`);
}

await main();
