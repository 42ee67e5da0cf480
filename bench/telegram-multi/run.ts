/**
 * Benchmark: one Telegram bot served by several instances on one Postgres database (issue 14).
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/telegram-multi/run.ts
 *
 * Webhook: three instances (in this process, each with its own pool, adapter and job runner) behind a
 * round-robin balancer. 1,020 `/help` updates from 60 users go through the Telegram emulator's webhook;
 * the answer to one delivery in three is lost at the balancer (Telegram delivers the update again, to
 * the next instance), and 102 more updates are each posted to all three instances at once (a
 * redelivery racing the first delivery).
 *
 * Polling: two instances on one database; 1,020 updates sent at 25 a second; halfway through the
 * polling instance is stopped (a rolling restart) and the waiting one takes over.
 *
 * Printed: answers per update (once / twice / never), lost answers and redeliveries, 409 Conflicts,
 * p50 / p99 of the instances' webhook answer (it includes the claim's round trip to Postgres), and the
 * takeover gap in the polling run. Exit code 1 if any update was answered twice or never.
 */
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ANOTHER_POLLER_MESSAGE } from '../../src/bot/telegram/telegram-bot.js';
import { startService, type RunningService } from '../../src/main.js';
import { startTelegramEmulator, type TelegramEmulator, type User } from '../../test/emulators/telegram/index.js';
import { startTraktEmulator, type TraktEmulator } from '../../test/emulators/trakt/index.js';
import { serviceEnv } from '../../test/e2e/telegram/harness.js';
import { TEST_DATABASE_URL } from '../../test/helpers/db.js';
import { captureLogs } from '../../test/helpers/logs.js';
import { serviceStorage } from '../../test/helpers/service-stack.js';
import { helpUpdate, startBalancer } from '../../test/helpers/webhook-balancer.js';

const UPDATES = clamp(Number(process.env.BENCH_UPDATES ?? 1020), 10, 10_000);
const USERS = clamp(Number(process.env.BENCH_USERS ?? 60), 1, 1000);
const SECRET = 'bench-multi-secret_0123456789';
const LEASE_MS = '3000';
const DEADLINE_MS = 180_000;

interface Instance {
  service: RunningService;
  logs: ReturnType<typeof captureLogs>;
}

function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, Math.round(value))) : min;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function startInstances(telegram: TelegramEmulator, trakt: TraktEmulator, count: number, env: Record<string, string>) {
  const storage = await serviceStorage('bench-tg-multi');
  const instances: Instance[] = [];
  const start = async (): Promise<Instance> => {
    const logs = captureLogs('info');
    const service = await startService({
      env: { ...serviceEnv({ telegram, trakt, storageEnv: storage.env }), TELEGRAM_LEASE_MS: LEASE_MS, LOG_LEVEL: 'info', ...env },
      logger: logs.logger,
    });
    const instance = { service, logs };
    instances.push(instance);
    return instance;
  };
  await start();
  await Promise.all(Array.from({ length: count - 1 }, start));
  return {
    instances,
    start,
    async stopAll() {
      await Promise.allSettled(instances.map((i) => i.service.stop('bench over')));
      await storage.dispose();
    },
  };
}


/** Answers per chat against updates sent per chat: how many were answered twice (or more) and never. */
function tally(telegram: TelegramEmulator, sent: Map<number, number>): { once: number; extra: number; missing: number } {
  const answers = new Map<number, number>();
  for (const call of telegram.callsOf('sendMessage')) {
    if (!call.ok) continue;
    const chat = Number(call.params.chat_id);
    answers.set(chat, (answers.get(chat) ?? 0) + 1);
  }
  let once = 0;
  let extra = 0;
  let missing = 0;
  for (const [chat, count] of sent) {
    const got = answers.get(chat) ?? 0;
    once += Math.min(got, count);
    extra += Math.max(0, got - count);
    missing += Math.max(0, count - got);
  }
  return { once, extra, missing };
}

function newUsers(telegram: TelegramEmulator): User[] {
  return Array.from({ length: USERS }, () => {
    const user = telegram.user({ id: randomInt(10_000, 2 ** 40), firstName: 'Bench', languageCode: 'en' });
    telegram.privateChat(user);
    return user;
  });
}

async function webhookRun(trakt: TraktEmulator): Promise<boolean> {
  const telegram = await startTelegramEmulator({ webhookRetryDelaysMs: [50, 100, 250, 500] });
  const balancer = await startBalancer((updateId, seen) => seen === 1 && updateId % 3 === 0);
  const trio = await startInstances(telegram, trakt, 3, { PUBLIC_URL: balancer.url, TELEGRAM_WEBHOOK_SECRET: SECRET });
  balancer.targets.push(...trio.instances.map((i) => i.service.url));
  const users = newUsers(telegram);
  const sent = new Map<number, number>();
  const count = (user: User) => sent.set(user.id, (sent.get(user.id) ?? 0) + 1);
  const started = performance.now();
  // Every chat is started through the webhook first (a bot cannot write first), then the rest follow.
  for (const user of users) {
    telegram.sendText(user, user.id, '/help');
    count(user);
  }
  await until(() => tally(telegram, sent).once === users.length, 'the chats started');
  for (let n = users.length; n < UPDATES; n++) {
    const user = users[n % users.length] as User;
    telegram.sendText(user, user.id, '/help');
    count(user);
  }
  const races = Math.round(UPDATES / 10);
  const raceStatuses: number[] = [];
  const base = 2_000_000_000;
  for (let n = 0; n < races; n++) {
    const user = users[n % users.length] as User;
    count(user);
    const update = JSON.stringify(helpUpdate(base + n, user));
    const statuses = await Promise.all(
      trio.instances.map((i) =>
        fetch(`${i.service.url}/telegram/webhook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
          body: update,
        }).then((r) => r.status),
      ),
    );
    raceStatuses.push(...statuses);
  }
  const total = [...sent.values()].reduce((a, b) => a + b, 0);
  await until(() => tally(telegram, sent).once === total && telegram.pendingUpdateCount() === 0, 'every update answered and confirmed');
  const elapsed = performance.now() - started;
  await trio.stopAll();
  const result = tally(telegram, sent);
  const lost = balancer.log.filter((f) => f.told === 504).length;
  const skipped = trio.instances.map((i) => i.logs.lines.filter((l) => l.includes('handled already was delivered again')).length).reduce((a, b) => a + b, 0);
  const answerMs = balancer.log.filter((f) => f.status === 200).map((f) => f.answerMs);
  const perInstance = [0, 1, 2].map((i) => balancer.log.filter((f) => f.instance === i).length);
  console.log('\nwebhook: 3 instances behind a round-robin balancer, one Postgres');
  console.log(`  updates                         ${total} (${UPDATES} through Telegram's webhook, ${races} posted to all three instances at once)`);
  console.log(`  deliveries through the balancer ${balancer.log.length} (per instance ${perInstance.join(' / ')}); answers lost at the balancer: ${lost}`);
  const leftToOther = trio.instances.map((i) => i.logs.lines.filter((l) => l.includes('another instance is handling was delivered again')).length).reduce((a, b) => a + b, 0);
  console.log(`  deliveries acknowledged without handling: ${skipped} handled already, ${leftToOther} while another instance held the claim; non-2xx answers: ${balancer.log.filter((f) => f.status !== 200).length}`);
  console.log(`  racing posts: ${raceStatuses.filter((s) => s === 200).length} × 200 of ${raceStatuses.length}`);
  console.log(`  answered once ${result.once} / ${total}; answered twice or more: ${result.extra}; never: ${result.missing}`);
  console.log(`  instance's webhook answer p50 ${percentile(answerMs, 50).toFixed(1)} ms, p99 ${percentile(answerMs, 99).toFixed(1)} ms; run ${(elapsed / 1000).toFixed(1)} s`);
  await balancer.close();
  await telegram.close();
  return result.extra === 0 && result.missing === 0;
}

async function pollingRun(trakt: TraktEmulator): Promise<boolean> {
  const telegram = await startTelegramEmulator({});
  // The production grace period: the stopping instance finishes what it fetched (its process would exit
  // after it; here it lives on in this process, so a handler cut off would still answer late).
  const pair = await startInstances(telegram, trakt, 1, { SHUTDOWN_GRACE_MS: '10000' });
  await telegram.waitForPoll({ timeoutMs: 30_000 });
  const second = await pair.start();
  await until(() => second.logs.text().includes(ANOTHER_POLLER_MESSAGE), 'the second instance to wait');
  const users = newUsers(telegram);
  const sent = new Map<number, number>();
  const started = performance.now();
  let stoppedAt = 0;
  let stopping: Promise<void> | undefined;
  for (let n = 0; n < UPDATES; n++) {
    const user = users[n % users.length] as User;
    telegram.sendText(user, user.id, '/help');
    sent.set(user.id, (sent.get(user.id) ?? 0) + 1);
    if (n === Math.floor(UPDATES / 2)) {
      stoppedAt = Date.now();
      stopping = pair.instances[0]?.service.stop('rolling restart');
    }
    // 25 updates a second: under the 30 messages a second Telegram lets a bot send (and the adapter's
    // throttler keeps to), so the stopping instance's answers are not left queued past its grace period.
    if (n % 5 === 4) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stopping;
  await until(() => tally(telegram, sent).once === UPDATES, 'every update answered');
  const tookOverLine = second.logs.lines.find((l) => l.includes('took over polling Telegram'));
  const tookOverAt = tookOverLine === undefined ? undefined : (JSON.parse(tookOverLine) as { time?: number }).time;
  const elapsed = performance.now() - started;
  await pair.stopAll();
  const result = tally(telegram, sent);
  const conflicts = telegram.callsOf('getUpdates').filter((c) => c.status === 409).length;
  console.log('\npolling: 2 instances on one Postgres, the polling one stopped halfway (rolling restart)');
  const gap = tookOverAt === undefined ? 'never' : `${tookOverAt - stoppedAt} ms after the first was told to stop (lease ${LEASE_MS} ms, asked every ${Number(LEASE_MS) / 3} ms)`;
  console.log(`  updates ${UPDATES}; 409 Conflicts from getUpdates: ${conflicts}; the second instance took over: ${gap}`);
  console.log(`  answered once ${result.once} / ${UPDATES}; answered twice or more: ${result.extra}; never: ${result.missing}; run ${(elapsed / 1000).toFixed(1)} s`);
  const count = (instance: Instance | undefined, text: string) => instance?.logs.lines.filter((l) => l.includes(text)).length ?? 0;
  console.log(
    `  fetched again and skipped by the second: ${count(second, 'handled already was fetched again')}; taken over unfinished: ${count(second, 'took over a Telegram update')}; ` +
      `not marked handled by the first: ${count(pair.instances[0], 'could not mark a Telegram update handled')}; cut off at its stop: ${count(pair.instances[0], 'cut off')}`,
  );
  await telegram.close();
  return result.extra === 0 && result.missing === 0 && conflicts === 0;
}

async function main(): Promise<void> {
  if (TEST_DATABASE_URL === null) {
    console.error('Set TEST_DATABASE_URL to a Postgres URL: several instances share a database only on Postgres.');
    process.exit(2);
  }
  const trakt = await startTraktEmulator({ catalogSize: 50 });
  try {
    const webhookOk = await webhookRun(trakt);
    const pollingOk = await pollingRun(trakt);
    process.exitCode = webhookOk && pollingOk ? 0 : 1;
  } finally {
    await trakt.close();
  }
}

await main();
