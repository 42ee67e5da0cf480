import { randomInt } from 'node:crypto';
import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ANOTHER_POLLER_MESSAGE } from '../../../src/bot/telegram/telegram-bot.js';
import { createDatabase, rowsOf, type Db } from '../../../src/db/client.js';
import { botIdOfToken, claimTelegramUpdate, finishTelegramUpdate, holdTelegramPoller } from '../../../src/db/queries/telegram-updates.js';
import { startService, type RunningService } from '../../../src/main.js';
import { startTelegramEmulator, type TelegramEmulator, type User } from '../../emulators/telegram/index.js';
import { startTraktEmulator, type TraktEmulator } from '../../emulators/trakt/index.js';
import { TEST_DATABASE_URL } from '../../helpers/db.js';
import { captureLogs } from '../../helpers/logs.js';
import { serviceStorage } from '../../helpers/service-stack.js';
import { helpUpdate, startBalancer } from '../../helpers/webhook-balancer.js';
import { serviceEnv, startStack, WAIT, type Stack } from './harness.js';

/**
 * Several instances of the service started with the same configuration on one Postgres database work
 * as one Telegram bot (issue 14): behind a load balancer in webhook mode every update is answered once,
 * however often Telegram delivers it and to whichever instance; in polling mode one instance polls.
 *
 * Several instances share a database only on Postgres: PGlite is one process, whose data directory one
 * instance holds. Those cases are skipped on PGlite; the 409 case runs on both.
 */
const onPostgres = TEST_DATABASE_URL !== null;
const SECRET = 'multi-instance-secret_0123456789';
/** Short leases, so that takeovers happen within a test: renewed (and asked for) every 500 ms. */
const LEASE_MS = '1500';

let telegram: TelegramEmulator;
let trakt: TraktEmulator;
beforeAll(async () => {
  trakt = await startTraktEmulator({ catalogSize: 50 });
  telegram = await startTelegramEmulator({ defaultWaitMs: WAIT.timeoutMs });
});
afterAll(async () => {
  await Promise.allSettled([telegram?.close(), trakt?.close()]);
});

interface Instance {
  service: RunningService;
  logs: ReturnType<typeof captureLogs>;
}

interface Instances {
  instances: Instance[];
  /** The database's environment (DATABASE_URL, TOKEN_ENCRYPTION_KEY) every instance shares. */
  storageEnv: Record<string, string>;
  /** One more instance on the same database. */
  startAnother(): Promise<Instance>;
  stopAll(): Promise<void>;
}

/** Instances of the service on one fresh database (the first migrates it, the rest start together). */
async function startInstances(count: number, env: Record<string, string>): Promise<Instances> {
  const storage = await serviceStorage('marquee-multi');
  const instances: Instance[] = [];
  const start = async (): Promise<Instance> => {
    const logs = captureLogs('info');
    const service = await startService({ env: { ...serviceEnv({ telegram, trakt, storageEnv: storage.env }), TELEGRAM_LEASE_MS: LEASE_MS, ...env }, logger: logs.logger });
    const instance = { service, logs };
    instances.push(instance);
    return instance;
  };
  if (count > 0) await start();
  await Promise.all(Array.from({ length: Math.max(0, count - 1) }, start));
  let stopped = false;
  return {
    instances,
    storageEnv: storage.env,
    startAnother: start,
    async stopAll() {
      if (stopped) return;
      stopped = true;
      await Promise.allSettled(instances.map((i) => i.service.stop('test over')));
      await storage.dispose();
    },
  };
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT.timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function newUser(): User {
  const user = telegram.user({ id: randomInt(10_000, 2 ** 40), firstName: 'Multi', languageCode: 'en' });
  telegram.privateChat(user);
  return user;
}

/** The bot's answers in a chat so far. */
function answersIn(chatId: number): number {
  return telegram.callsOf('sendMessage').filter((c) => c.ok && c.params.chat_id === chatId).length;
}


/** Time passes for the dead instances: their claims' and poller leases run out now. */
async function expireLeases(db: Db): Promise<void> {
  await db.execute(sql`update telegram_updates set lease_until = now() - interval '1 second' where claimed_by like 'dead-host:%'`);
  await db.execute(sql`update telegram_pollers set lease_until = now() - interval '1 second' where holder like 'killed-host:%'`);
}

function postUpdate(instance: Instance, update: Update): Promise<number> {
  return fetch(`${instance.service.url}/telegram/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
    body: JSON.stringify(update),
  }).then((r) => r.status);
}

describe('three instances behind a load balancer (webhook mode)', () => {
  it.skipIf(!onPostgres)(
    'GIVEN webhook updates round-robined across three instances, a third of them delivered again after a lost answer WHEN users send commands THEN every update is answered exactly once',
    { timeout: 60_000 },
    async () => {
      // Every third update's first answer is lost: Telegram delivers it again, to the next instance.
      const balancer = await startBalancer((updateId, seen) => updateId % 3 === 0 && seen === 1);
      const trio = await startInstances(3, { PUBLIC_URL: balancer.url, TELEGRAM_WEBHOOK_SECRET: SECRET });
      try {
        balancer.targets.push(...trio.instances.map((i) => i.service.url));
        const users = Array.from({ length: 6 }, newUser);
        const perUser = 4;
        for (let round = 0; round < perUser; round++) for (const user of users) telegram.sendText(user, user.id, '/help');
        await until(() => users.every((u) => answersIn(u.id) >= perUser) && telegram.pendingUpdateCount() === 0, 'every update answered and confirmed');
        // Stopping waits for every update in hand: any second answer would be sent by now.
        await trio.stopAll();

        for (const user of users) expect(answersIn(user.id)).toBe(perUser);
        const instancesUsed = new Set(balancer.log.map((f) => f.instance));
        expect(instancesUsed.size).toBe(3);
        // Redelivered updates reached another instance, which acknowledged them without answering again.
        const redelivered = [...new Set(balancer.log.filter((f) => f.told === 504).map((f) => f.updateId))];
        expect(redelivered.length).toBeGreaterThanOrEqual(perUser * users.length / 3 - 1);
        for (const updateId of redelivered) {
          const deliveries = balancer.log.filter((f) => f.updateId === updateId);
          expect(deliveries.length).toBeGreaterThanOrEqual(2);
          expect(new Set(deliveries.map((d) => d.instance)).size).toBeGreaterThanOrEqual(2);
          expect(deliveries.at(-1)?.told).toBe(200);
        }
        const skipped = trio.instances.map((i) => i.logs.text()).join('\n');
        expect(skipped).toContain('a Telegram update handled already was delivered again; acknowledged and skipped');
      } finally {
        await trio.stopAll();
        await balancer.close();
      }
    },
  );

  it.skipIf(!onPostgres)(
    'GIVEN the same update posted to all three instances at once, and updates claimed by instances that died WHEN Telegram delivers them again (or not at all) THEN each is acknowledged and answered exactly once, the dead ones after their lease',
    { timeout: 60_000 },
    async () => {
      const balancer = await startBalancer(() => false);
      const trio = await startInstances(3, { PUBLIC_URL: balancer.url, TELEGRAM_WEBHOOK_SECRET: SECRET });
      try {
        balancer.targets.push(...trio.instances.map((i) => i.service.url));
        const [first, second, third] = trio.instances as [Instance, Instance, Instance];
        const users = Array.from({ length: 8 }, newUser);
        // Each user's chat is started (a bot cannot write first): one message through the balancer.
        for (const user of users) telegram.sendText(user, user.id, '/help');
        await until(() => users.every((u) => answersIn(u.id) === 1), 'the chats started');

        // The same update reaching every instance at once (Telegram's retry racing the first delivery).
        const base = 900_000_000 + randomInt(0, 1_000_000) * 100;
        const races = await Promise.all(users.map((user, n) => Promise.all(trio.instances.map((i) => postUpdate(i, helpUpdate(base + n, user))))));
        // Each instance acknowledges: one handles it, the others leave it to that one (or find it done).
        for (const statuses of races) expect(statuses).toEqual([200, 200, 200]);

        // An instance claimed this update and died before handling it: while its claim's lease runs,
        // deliveries are acknowledged and left to it; once the lease ran out a delivery takes it over.
        const [orphanUser] = users as [User];
        const orphan = helpUpdate(base + 99, orphanUser);
        const botId = botIdOfToken(telegram.token);
        const db = first.service.database.db;
        expect(await claimTelegramUpdate(db, { botId, updateId: orphan.update_id, owner: 'dead-host:1:0000', leaseMs: 60_000, payload: orphan })).toBe('claimed');
        expect(await postUpdate(second, orphan)).toBe(200);
        expect(await postUpdate(third, orphan)).toBe(200);
        expect(answersIn(orphanUser.id)).toBe(2);
        await expireLeases(db);
        expect(await postUpdate(third, orphan)).toBe(200);
        await until(() => answersIn(orphanUser.id) === 3, 'the orphaned update handled');
        expect(await postUpdate(second, orphan)).toBe(200);

        // An instance answered Telegram 200, claimed the update and died: no redelivery comes, and the
        // update kept with the claim is handled by another instance once the lease ran out.
        const lastUser = users.at(-1) as User;
        const unheard = helpUpdate(base + 98, lastUser);
        expect(await claimTelegramUpdate(db, { botId, updateId: unheard.update_id, owner: 'dead-host:2:0000', leaseMs: 60_000, payload: unheard })).toBe('claimed');
        await expireLeases(db);
        await until(() => answersIn(lastUser.id) === 3, 'the update of the dead instance taken over');
        await trio.stopAll();

        for (const [n, user] of users.entries()) expect(answersIn(user.id), `user ${n}`).toBe(n === 0 || n === users.length - 1 ? 3 : 2);
        const logs = trio.instances.map((i) => i.logs.text()).join('\n');
        expect(logs).toContain('took over a Telegram update an instance claimed and did not finish');
      } finally {
        await trio.stopAll();
        await balancer.close();
      }
    },
  );
});

describe('long polling with several instances', () => {
  it.skipIf(!onPostgres)(
    'GIVEN one instance polling WHEN a second starts on the same database THEN it does not poll and says to use webhook mode; the first keeps answering; once the first stops, the second takes over',
    { timeout: 60_000 },
    async () => {
      const pair = await startInstances(1, {});
      try {
        const [first] = pair.instances as [Instance];
        await telegram.waitForPoll(WAIT);
        const conflictsBefore = telegram.callsOf('getUpdates').filter((c) => c.status === 409).length;
        const { logs } = await pair.startAnother();
        await until(() => logs.text().includes(ANOTHER_POLLER_MESSAGE), 'the second instance to say another one polls');
        expect(logs.text()).toContain('webhook mode');

        const user = newUser();
        telegram.sendText(user, user.id, '/help');
        await until(() => answersIn(user.id) === 1, 'the first instance to answer');
        // One poller: Telegram never had to end a getUpdates for another one.
        expect(telegram.callsOf('getUpdates').filter((c) => c.status === 409).length).toBe(conflictsBefore);
        expect(logs.lines.filter((l) => l.includes(ANOTHER_POLLER_MESSAGE))).toHaveLength(1);
        expect(logs.text()).not.toContain('took over polling Telegram');

        // Handled updates are marked done in batches, a little later: a stop marks the pending ones
        // before it lets go, so the next poller finds every update the first one handled done.
        for (let n = 0; n < 5; n++) telegram.sendText(user, user.id, '/help');
        await until(() => answersIn(user.id) === 6, 'the first instance to answer them');
        await first.service.stop('rolling restart');
        const botId = botIdOfToken(telegram.token);
        const claims = await (pair.instances[1] as Instance).service.database.db.execute(
          sql`select count(*) filter (where done_at is not null)::integer as done, count(*) filter (where done_at is null)::integer as open from telegram_updates where bot_id = ${botId}`,
        );
        const counts = rowsOf<{ done: number; open: number }>(claims)[0];
        expect(Number(counts?.open)).toBe(0);
        expect(Number(counts?.done)).toBeGreaterThanOrEqual(6);
        await until(() => logs.text().includes('took over polling Telegram'), 'the second instance to take over');
        telegram.sendText(user, user.id, '/help');
        await until(() => answersIn(user.id) === 7, 'the second instance to answer');
        expect(telegram.callsOf('getUpdates').filter((c) => c.status === 409).length).toBe(conflictsBefore);
      } finally {
        await pair.stopAll();
      }
    },
  );
});

describe('a poller that died', () => {
  it.skipIf(!onPostgres)(
    'GIVEN the poller lease of an instance that was killed, and an update it handled but did not confirm to Telegram WHEN another instance starts THEN it waits until the lease runs out, then polls, skips that update and answers the rest',
    { timeout: 60_000 },
    async () => {
      const none = await startInstances(0, {});
      const database = await createDatabase({ databaseUrl: none.storageEnv.DATABASE_URL ?? null });
      try {
        await database.migrate();
        const botId = botIdOfToken(telegram.token);
        expect(await holdTelegramPoller(database.db, { botId, holder: 'killed-host:1:0000', leaseMs: 60_000 })).toEqual({ held: true });
        // The killed poller had fetched and answered this update; Telegram hands it out again (the offset
        // that confirms it was never sent).
        const user = newUser();
        const handled = telegram.injectUpdate({ message: { ...(helpUpdate(0, user).message as NonNullable<Update['message']>) } });
        if (handled === undefined) throw new Error('the emulator did not queue the update');
        expect(await claimTelegramUpdate(database.db, { botId, updateId: handled.update_id, owner: 'killed-host:1:0000', leaseMs: 60_000, payload: handled })).toBe('claimed');
        await finishTelegramUpdate(database.db, { botId, updateId: handled.update_id });
        telegram.sendText(user, user.id, '/help');
        const { logs } = await none.startAnother();
        await until(() => logs.text().includes(ANOTHER_POLLER_MESSAGE), 'the instance to wait for the lease');
        expect(logs.text()).toContain('killed-host:1:0000');
        expect(telegram.pendingUpdateCount()).toBeGreaterThanOrEqual(2);
        await expireLeases(database.db);
        await until(() => logs.text().includes('took over polling Telegram'), 'the instance to take over');
        await until(() => answersIn(user.id) === 1 && logs.text().includes('a Telegram update handled already was fetched again; skipped'), 'an answer, and the handled update skipped');
        telegram.sendText(user, user.id, '/help');
        await until(() => answersIn(user.id) === 2, 'the next answer');
        expect(await holdTelegramPoller(database.db, { botId, holder: 'killed-host:1:0000', leaseMs: 60_000 })).toMatchObject({ held: false });
        await database.close();
        await none.stopAll();
        expect(answersIn(user.id)).toBe(2);
      } finally {
        await database.close().catch(() => undefined);
        await none.stopAll();
      }
    },
  );
});

/** A poller outside this database (another deployment of the same bot): Telegram answers 409 Conflict. */
describe('Telegram answering 409 Conflict again and again', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('GIVEN getUpdates keeps answering 409 WHEN the conflicts repeat THEN polling pauses for long and the log says another instance polls and to use webhook mode', { timeout: 60_000 }, async () => {
    const conflict = { error_code: 409, description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running' };
    stack.telegram.failNext('getUpdates', { ...conflict, times: 20 });
    // The long poll under way returns with the next update; the ones after it get the 409.
    const user = stack.newUser();
    stack.telegram.sendText(user, user.id, '/help');
    await until(() => stack.logs.text().includes(ANOTHER_POLLER_MESSAGE), 'the conflict to be reported');
    const conflicts = stack.telegram.callsOf('getUpdates').filter((c) => c.status === 409);
    // Three conflicts within a minute, then a pause of five minutes (not one request a second).
    expect(conflicts).toHaveLength(3);
    const reported = stack.logs.lines.find((l) => l.includes(ANOTHER_POLLER_MESSAGE)) ?? '';
    expect(JSON.parse(reported)).toMatchObject({ level: 50, pauseMs: 300_000, conflicts: 3 });
    expect(stack.logs.text()).not.toContain(stack.telegram.token.split(':')[1] ?? 'never');
  });
});
