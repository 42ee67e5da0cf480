// Claims of Telegram updates in batches: the real Telegram adapter against the emulator, with its
// claims on the test database (PGlite, or Postgres with TEST_DATABASE_URL) and a stand-in core. Updates
// that arrive together (one getUpdates answer; webhook requests at the same moment) are claimed in one
// statement, and handled updates are marked done in one, counted with Database.queryStats.
import { randomInt } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Update } from 'grammy/types';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BotCore } from '../../src/bot/core/bot-core.js';
import type { PosterSource } from '../../src/bot/core/ports.js';
import type { CommandInput, Reply } from '../../src/bot/core/types.js';
import { createTelegramAdapter, type TelegramAdapter, type TelegramUpdateClaims } from '../../src/bot/telegram/telegram-bot.js';
import { rowsOf, type Database } from '../../src/db/client.js';
import { createTelegramUpdateClaims } from '../../src/db/queries/telegram-updates.js';
import { startTelegramEmulator, type TelegramEmulator, type User } from '../emulators/telegram/index.js';
import { DRIVER_NAME, sharedTestDatabase } from '../helpers/db.js';
import { captureLogs } from '../helpers/logs.js';
import { helpUpdate } from '../helpers/webhook-balancer.js';

const WAIT = { timeoutMs: 10_000 };
/** Long enough that no renewal (every third of it) falls within a test: only claims and finishes are sent. */
const LEASE_MS = 600_000;
const N = 20;

let database: Database;
beforeAll(async () => {
  database = await sharedTestDatabase();
});

/** A core whose commands wait at a gate, so that every handler ends in the same tick once it opens. */
function gatedCore() {
  const seen: string[] = [];
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const commands = [{ name: 'help', description: 'Help' }];
  const core = {
    commands,
    jobKinds: [],
    knows: (name: string) => commands.some((c) => c.name === name),
    async handleCommand(input: CommandInput): Promise<Reply[]> {
      seen.push(input.args);
      await gate;
      return [];
    },
    async bindMessage() {},
    close() {},
    traktAnswered() {},
  };
  return { core: core as unknown as BotCore, seen, open };
}

/** The claims on the database, with the calls the adapter makes counted (and a claim that fails on demand). */
function countedClaims(botId: number) {
  const real = createTelegramUpdateClaims(database.db, { botId, owner: `test:${botId}`, leaseMs: LEASE_MS });
  const calls = { claim: [] as number[], finish: [] as number[] };
  let failClaims = false;
  const claims: TelegramUpdateClaims = {
    leaseMs: LEASE_MS,
    claim: async (updates) => {
      calls.claim.push(updates.length);
      if (failClaims) throw new Error('connection terminated unexpectedly');
      return real.claim(updates);
    },
    renew: (updateIds) => real.renew(updateIds),
    finish: async (updateIds) => {
      calls.finish.push(updateIds.length);
      await real.finish(updateIds);
    },
    takeOver: (limit) => real.takeOver(limit),
  };
  return { claims, calls, failClaims: (fail: boolean) => (failClaims = fail) };
}

async function doneOf(botId: number): Promise<{ done: number; open: number }> {
  const result = await database.db.execute(
    sql`select count(*) filter (where done_at is not null)::integer as done, count(*) filter (where done_at is null)::integer as open from telegram_updates where bot_id = ${botId}`,
  );
  const row = rowsOf<{ done: number; open: number }>(result)[0];
  return { done: Number(row?.done ?? 0), open: Number(row?.open ?? 0) };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT.timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Counts the statements `run` sends (only this test file uses the worker's database meanwhile). */
async function statementsOf(run: () => Promise<void>): Promise<number> {
  database.queryStats.reset();
  database.queryStats.enable();
  try {
    await run();
    return database.queryStats.queries;
  } finally {
    database.queryStats.disable();
  }
}

describe(`Telegram update claims in batches (${DRIVER_NAME})`, () => {
  let emu: TelegramEmulator;
  let adapter: TelegramAdapter;
  afterEach(async () => {
    await adapter?.stop();
    await emu?.close();
  });

  async function start(options: { webhook?: boolean } = {}) {
    emu = await startTelegramEmulator({ defaultWaitMs: WAIT.timeoutMs });
    const logs = captureLogs('debug');
    const stand = gatedCore();
    const botId = randomInt(1, 2 ** 40);
    const counted = countedClaims(botId);
    adapter = createTelegramAdapter({
      token: emu.token,
      apiRoot: emu.apiRoot,
      core: stand.core,
      posters: {} as PosterSource,
      logger: logs.logger,
      pollTimeoutSeconds: 1,
      claims: counted.claims,
      ...(options.webhook ? { webhook: { url: 'http://127.0.0.1:9/telegram/webhook', secret: 'claims-test-secret' } } : {}),
    });
    await adapter.start();
    if (!options.webhook) await emu.waitForPoll(WAIT);
    const users: User[] = Array.from({ length: 4 }, (_, n) => {
      const user = emu.user({ id: 4000 + n, firstName: `User ${n}` });
      emu.privateChat(user);
      return user;
    });
    return { ...stand, ...counted, botId, logs, users };
  }

  it(`GIVEN ${N} updates fetched in one getUpdates answer WHEN they are handled THEN one statement claims them all, their handlers start in the order fetched, and one statement marks them done`, async () => {
    const { seen, open, calls, botId, users } = await start();
    const sent: string[] = [];
    const statements = await statementsOf(async () => {
      // In one go: the long poll under way answers with all of them.
      for (let n = 0; n < N; n++) {
        const user = users[n % users.length] as User;
        sent.push(`${n}`);
        emu.sendText(user, user.id, `/help ${n}`);
      }
      await until(() => seen.length === N, 'every handler to start');
      open();
      await adapter.idle();
    });
    expect(seen).toEqual(sent);
    expect(calls.claim).toEqual([N]);
    expect(calls.finish).toEqual([N]);
    // Before: 2 statements per update (a claim and a finish each), 2N in all.
    expect(statements).toBe(2);
    expect(await doneOf(botId)).toEqual({ done: N, open: 0 });
  });

  it('GIVEN webhook requests arriving together, one of them twice WHEN accepted THEN one statement claims them, the second copy is left to the first; a failed batch statement tells each to retry', async () => {
    const { seen, open, calls, botId, users, failClaims } = await start({ webhook: true });
    const [user] = users as [User];
    const base = randomInt(1, 1_000_000) * 100;
    const updates: Update[] = Array.from({ length: N }, (_, n) => helpUpdate(base + n, user));
    let answers: string[] = [];
    const statements = await statementsOf(async () => {
      answers = await Promise.all([...updates, updates[0] as Update].map((update) => adapter.acceptUpdate(update)));
      await until(() => seen.length === N, 'every handler to start');
      open();
      await adapter.idle();
    });
    expect(answers).toEqual([...updates.map(() => 'accepted'), 'in-progress']);
    expect(calls.claim).toEqual([N + 1]);
    expect(statements).toBe(2);
    expect(await doneOf(botId)).toEqual({ done: N, open: 0 });

    // Delivered again later: handled already.
    expect(await adapter.acceptUpdate(updates[1] as Update)).toBe('duplicate');

    // The database fails the statement: every request in it is told to retry, and nothing is handled.
    failClaims(true);
    const later = [helpUpdate(base + 50, user), helpUpdate(base + 51, user), helpUpdate(base + 52, user)];
    expect(await Promise.all(later.map((update) => adapter.acceptUpdate(update)))).toEqual(['retry', 'retry', 'retry']);
    expect(calls.claim).toEqual([N + 1, 1, 3]);
    failClaims(false);
    expect(await adapter.acceptUpdate(later[0] as Update)).toBe('accepted');
    await adapter.idle();
    expect(seen).toHaveLength(N + 1);
  });

  it('GIVEN the database fails the claim of a fetched batch THEN each of its updates is handled anyway, in the order fetched, and marked done', async () => {
    const { seen, open, calls, botId, users, failClaims, logs } = await start();
    failClaims(true);
    const [user] = users as [User];
    for (let n = 0; n < 5; n++) emu.sendText(user, user.id, `/help ${n}`);
    await until(() => seen.length === 5, 'every handler to start');
    expect(seen).toEqual(['0', '1', '2', '3', '4']);
    expect(calls.claim).toEqual([5]);
    expect(logs.lines.filter((l) => l.includes('could not claim a polled Telegram update in the database; handling it anyway'))).toHaveLength(5);
    open();
    await adapter.idle();
    // Unclaimed updates are not held: nothing to mark done.
    expect(calls.finish).toEqual([]);
    expect(await doneOf(botId)).toEqual({ done: 0, open: 0 });
  });
});
