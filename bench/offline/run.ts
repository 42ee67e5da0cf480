/**
 * Benchmark: the offline queue (issue 10). Loopback only; bounded in count and time.
 *
 *   node --import tsx bench/offline/run.ts                     # outage (default)
 *   BENCH_MODE=faults node --import tsx bench/offline/run.ts   # random faults
 *
 * `outage`: the real service (started in this process, as the end-to-end tests start it) between the
 * Telegram and Trakt emulators. BENCH_USERS users each have BENCH_WRITES Confirm cards on screen; Trakt
 * goes down for BENCH_OUTAGE_S seconds, during which every user presses Confirm on each card (spread
 * over the first third of the outage) and sees it queued. Trakt comes back; each user then adds one
 * more title (they keep working), which queues behind their earlier writes. Printed: the time from
 * recovery to the last queued write applied (every card edited to "Added"), against the ideal (writes
 * per user × Trakt's 1 s write spacing, users in parallel); and the database cost of the queue: statements
 * per write while pressing (claim + queue + the failed attempt) and while applying after recovery.
 *
 * `faults`: BENCH_USERS users (default 50) each queue BENCH_CHANGES (default 20) adds and removes of
 * their own titles while 20 % of Trakt's sync calls fail at random (5xx, hangs, answers lost after
 * the write was applied). Printed: lost changes, changes applied against the user's intent, jobs per
 * final status with their journal entries, users told "already on your watchlist", and the faults.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { WRITE_JOB_KIND, type WriteJob } from '../../src/bot/core/queued-writes.js';
import { upsertChatIdentity } from '../../src/db/queries/identities.js';
import type { JobKind } from '../../src/jobs/types.js';
import { buttonsOf, startStack, type Stack } from '../../test/e2e/telegram/harness.js';
import type { ChatMessageState, User } from '../../test/emulators/telegram/index.js';

const MODE = process.env.BENCH_MODE === 'faults' ? 'faults' : 'outage';
const USERS = clamp(Number(process.env.BENCH_USERS ?? (MODE === 'faults' ? 50 : 50)), 1, 500);
const WRITES = clamp(Number(process.env.BENCH_WRITES ?? 5), 1, 20);
const CHANGES = clamp(Number(process.env.BENCH_CHANGES ?? 20), 1, 50);
const OUTAGE_S = clamp(Number(process.env.BENCH_OUTAGE_S ?? 30), 5, 120);
const DEADLINE_MS = 600_000;

function clamp(n: number, lo: number, hi: number): number {
  return Number.isFinite(n) ? Math.min(hi, Math.max(lo, Math.round(n))) : lo;
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = DEADLINE_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function rowsOf<T>(result: unknown): T[] {
  return ((result as { rows?: T[] }).rows ?? (result as T[])) as T[];
}

async function withUsers(stack: Stack, count: number): Promise<Array<{ user: User; username: string; identityId: number }>> {
  const users = [];
  for (let i = 0; i < count; i++) {
    const linked = await stack.linkedUser({ name: `Bench${i}` });
    const identity = await upsertChatIdentity(stack.service.database.db, { platform: 'telegram', platformUserId: String(linked.user.id) });
    users.push({ ...linked, identityId: identity.id });
  }
  return users;
}

async function outage(): Promise<void> {
  const stack = await startStack({ trakt: { catalogSize: 1500 }, env: { TRAKT_RETRY_MS: '2000', TRAKT_TIMEOUT_MS: '5000', LOG_LEVEL: 'warn' } });
  try {
    const movies = stack.trakt.catalog.movies().filter((m) => m.ids.imdb !== null);
    const users = await withUsers(stack, USERS);
    const cardsOf = new Map<number, ChatMessageState[]>();
    await Promise.all(
      users.map(async ({ user }, u) => {
        const cards: ChatMessageState[] = [];
        for (let w = 0; w < WRITES; w++) {
          const movie = movies[(u * (WRITES + 1) + w) % movies.length];
          cards.push(await stack.ask(user, user.id, `/add ${movie?.ids.imdb ?? ''}`, (m) => m.text.includes('Add to your watchlist?')));
        }
        cardsOf.set(user.id, cards);
      }),
    );
    const stats = stack.service.database.queryStats;
    const load = loadavg()[0] ?? 0;

    stack.trakt.setFault('*', { statuses: [503] });
    const outageStart = performance.now();
    stats.reset();
    stats.enable();
    const pressWindow = (OUTAGE_S * 1000) / 3;
    await Promise.all(
      users.map(async ({ user }) => {
        for (const card of cardsOf.get(user.id) ?? []) {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * (pressWindow / WRITES)));
          const data = buttonsOf(card).find((b) => b.label.includes('Confirm'))?.data ?? '';
          stack.telegram.pressButton(user, user.id, card.messageId, data);
        }
      }),
    );
    const allCards = users.flatMap(({ user }) => (cardsOf.get(user.id) ?? []).map((card) => ({ chat: user.id, id: card.messageId })));
    const textOf = (c: { chat: number; id: number }) => stack.telegram.message(c.chat, c.id)?.text ?? '';
    await until(() => allCards.every((c) => /queued/i.test(textOf(c))), 'every card queued', OUTAGE_S * 1000 + 60_000);
    const pressStatements = stats.queries;
    const queuedAt = performance.now();
    const rest = OUTAGE_S * 1000 - (queuedAt - outageStart);
    if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));

    stats.reset();
    stack.trakt.clearFaults();
    const recovery = performance.now();
    const recoveryClock = Date.now();
    // They keep working: one more add each, confirmed right after Trakt is back.
    const later = await Promise.all(
      users.map(async ({ user }, u) => {
        const movie = movies[(u * (WRITES + 1) + WRITES) % movies.length];
        const card = await stack.ask(user, user.id, `/add ${movie?.ids.imdb ?? ''}`, (m) => m.text.includes('Add to your watchlist?'));
        stack.telegram.pressButton(user, user.id, card.messageId, buttonsOf(card).find((b) => b.label.includes('Confirm'))?.data ?? '');
        return { chat: user.id, id: card.messageId };
      }),
    );
    let lastQueuedApplied = 0;
    await until(() => {
      const done = allCards.every((c) => textOf(c).includes('Added to your watchlist'));
      if (done && lastQueuedApplied === 0) lastQueuedApplied = performance.now();
      return done && later.every((c) => textOf(c).includes('Added to your watchlist'));
    }, 'every card applied');
    const allApplied = performance.now();
    const accepted = stack.trakt.requests.filter((r) => r.route === 'POST /sync/watchlist' && r.status === 201 && r.at >= recoveryClock).map((r) => r.at - recoveryClock);
    const applyStatements = stats.queries;
    stats.disable();

    const attempts = rowsOf<{ attempts: number; jobs: number }>(
      await stack.service.database.db.execute(sql`select sum(attempts)::int as attempts, count(*)::int as jobs from jobs where kind = ${WRITE_JOB_KIND}`),
    )[0];
    const queued = allCards.length;
    const idealMs = WRITES * 1000;
    const recoveryMs = lastQueuedApplied - recovery;
    const lost = users.filter(({ username }) => stack.trakt.watchlist(username).length !== WRITES + 1).length;
    console.log(`offline queue, outage of ${OUTAGE_S} s: ${USERS} users × ${WRITES} writes confirmed while Trakt was down (load average ${load.toFixed(2)} at start)`);
    console.log(`  queued writes: ${queued}; every card said "queued" ${((queuedAt - outageStart) / 1000).toFixed(1)} s into the outage`);
    console.log(`  recovery → last queued write applied: ${(recoveryMs / 1000).toFixed(1)} s; ideal ${(idealMs / 1000).toFixed(1)} s (${WRITES} writes × 1 s per user, users in parallel); ratio ${(recoveryMs / idealMs).toFixed(2)}`);
    console.log(`  Trakt accepted the first write ${((accepted[0] ?? NaN) / 1000).toFixed(1)} s after recovery, the last ${((accepted.at(-1) ?? NaN) / 1000).toFixed(1)} s after (${accepted.length} writes)`);
    console.log(`  recovery → the writes confirmed after it applied too: ${((allApplied - recovery) / 1000).toFixed(1)} s`);
    console.log(`  database statements per write: ${(pressStatements / queued).toFixed(1)} while pressing and queueing, ${(applyStatements / (queued + USERS)).toFixed(1)} while applying (incl. the later adds' whole press)`);
    console.log(`  attempts per write job: ${((attempts?.attempts ?? 0) / Math.max(1, attempts?.jobs ?? 1)).toFixed(2)}; users whose watchlist is not exactly what they confirmed: ${lost}`);
  } finally {
    await stack.close();
  }
}

async function faults(): Promise<void> {
  const stack = await startStack({ env: { TRAKT_RETRY_MS: '1500', TRAKT_TIMEOUT_MS: '1000', LOG_LEVEL: 'error' } });
  try {
    const kind = stack.service.core.jobKinds.find((k) => k.kind === WRITE_JOB_KIND) as JobKind<WriteJob, unknown> | undefined;
    if (kind === undefined) throw new Error('no write job kind');
    const movies = stack.trakt.catalog.movies();
    const users = await withUsers(stack, USERS);
    stack.trakt.setFault('* /sync/*', { statuses: [500, 502, 503, 520], hang: true, loseAnswer: true, share: 0.2 });
    const started = performance.now();
    const expected = new Map<string, Set<number>>();
    for (const [u, user] of users.entries()) {
      const titles = movies.slice(u * 5, u * 5 + 5);
      const listed = new Set<number>();
      for (let c = 0; c < CHANGES; c++) {
        const movie = titles[(c * 3 + u) % titles.length];
        if (movie === undefined) continue;
        const op = listed.has(movie.ids.trakt) ? 'remove' : 'add';
        if (op === 'add') listed.add(movie.ids.trakt);
        else listed.delete(movie.ids.trakt);
        await stack.service.jobs.enqueue(
          kind,
          {
            identityId: user.identityId,
            op,
            targets: [{ kind: 'movie', title: { type: 'movie', ids: { trakt: movie.ids.trakt }, title: movie.title, year: movie.year, posterUrl: null } }],
            user: { platform: 'telegram', userId: String(user.user.id) },
            chat: { platform: 'telegram', chatId: String(user.user.id), kind: 'private' },
          },
          { lane: `watchlist:${user.identityId}`, ownerIdentityId: user.identityId },
        );
      }
      expected.set(user.username, listed);
    }
    const db = stack.service.database.db;
    await until(
      async () => (rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from jobs where kind = ${WRITE_JOB_KIND} and status in ('queued', 'running')`))[0]?.n ?? 1) === 0,
      'every queued write settled',
    );
    const elapsed = performance.now() - started;
    stack.trakt.clearFaults();
    let lost = 0;
    let against = 0;
    for (const user of users) {
      const want = expected.get(user.username) ?? new Set<number>();
      const have = new Set(stack.trakt.watchlist(user.username).map((r) => ('trakt' in r.ref ? r.ref.trakt : -1)));
      for (const id of want) if (!have.has(id)) lost += 1;
      for (const id of have) if (!want.has(id)) against += 1;
    }
    const jobs = rowsOf<{ status: string; jobs: number; done_entries: number; attempts: number }>(
      await db.execute(
        sql`select j.status, count(*)::int as jobs, sum(j.attempts)::int as attempts, sum((select count(*) from action_journal a where a.job_id = j.id and a.status = 'done'))::int as done_entries from jobs j where j.kind = ${WRITE_JOB_KIND} group by j.status`,
      ),
    );
    const injected = stack.trakt.requests.filter((r) => r.route.includes('/sync/') && (r.status >= 500 || r.status === 0)).length;
    const syncCalls = stack.trakt.requests.filter((r) => r.route.includes('/sync/')).length;
    const told = users.flatMap((u) => stack.telegram.botMessages(u.user.id)).filter((m) => m.text.includes('Already on your watchlist')).length;
    console.log(`offline queue under random faults: ${USERS} users × ${CHANGES} changes (adds and removes), 20 % of Trakt sync calls failing`);
    console.log(`  faults injected: ${injected} of ${syncCalls} sync calls (5xx, hangs, lost answers)`);
    console.log(`  lost: ${lost}; applied against the user's intent: ${against}`);
    for (const row of jobs) console.log(`  jobs ${row.status}: ${row.jobs} (journal entries done: ${row.done_entries}; attempts: ${row.attempts})`);
    console.log(`  users told "already on your watchlist" about their own change: ${told}`);
    console.log(`  all settled in ${(elapsed / 1000).toFixed(1)} s`);
    if (lost > 0 || against > 0) process.exitCode = 1;
  } finally {
    await stack.close();
  }
}

await (MODE === 'faults' ? faults() : outage());
