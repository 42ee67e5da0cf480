import { randomInt } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../../src/db/client.js';
import { botIdOfToken } from '../../../src/db/queries/telegram-updates.js';
import { helpUpdate } from '../../helpers/webhook-balancer.js';
import { startStack, WAIT, type Stack } from './harness.js';

/** Webhook mode: PUBLIC_URL and TELEGRAM_WEBHOOK_SECRET set, updates arrive through Fastify. */
const SECRET = 'e2e-webhook-secret_0123456789';
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ webhook: { secret: SECRET } });
});
afterAll(async () => {
  await stack?.close();
});

describe('webhook mode', () => {
  it('GIVEN webhook settings WHEN the service starts THEN it registers the webhook with its secret and does not poll', () => {
    const hook = stack.telegram.webhook();
    expect(hook?.url).toBe(`${stack.service.url}/telegram/webhook`);
    expect(hook?.secretToken).toBe(SECRET);
    expect(stack.telegram.callsOf('getUpdates')).toEqual([]);
  });

  it('GIVEN a user WHEN they send a command THEN it arrives by webhook and is answered', async () => {
    const { user } = await stack.linkedUser();
    const reply = await stack.ask(user, user.id, '/add tt0848228');
    expect(reply.text).toContain('The Avengers (2012)');
    const deliveries = stack.telegram.webhookDeliveries;
    expect(deliveries.length).toBeGreaterThan(0);
    expect(deliveries.every((d) => d.status === 200 && d.secretToken === SECRET)).toBe(true);

    await stack.press(user, user.id, reply, 'Confirm');
    await stack.telegram.waitForMessageState(user.id, reply.messageId, (m) => m.text.includes('Added'), WAIT);
  });

  it('GIVEN a request without the right secret header WHEN it reaches the webhook THEN it is refused and nothing is handled', async () => {
    const user = stack.newUser();
    const update = {
      update_id: 999_999_001,
      message: { message_id: 1, date: 1, chat: { id: user.id, type: 'private', first_name: 'X' }, from: user, text: '/help' },
    };
    const sent = stack.telegram.calls.length;
    for (const headers of [{} as Record<string, string>, { 'x-telegram-bot-api-secret-token': 'wrong' }, { 'x-telegram-bot-api-secret-token': `${SECRET}x` }]) {
      const response = await fetch(`${stack.service.url}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(update),
      });
      expect(response.status).toBe(401);
    }
    const good = await fetch(`${stack.service.url}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify({ nonsense: true }),
    });
    expect(good.status).toBe(400);
    expect(stack.telegram.calls.slice(sent).filter((c) => c.method === 'sendMessage')).toEqual([]);
    expect(stack.logs.text()).not.toContain(SECRET);
  });
  it('GIVEN deliveries arriving at the same moment, one update among them twice WHEN they reach the webhook THEN each update is answered once and its claim is marked done; a later redelivery is acknowledged and skipped', async () => {
    const user = stack.newUser();
    // The chat is started by a message of the user's (a bot cannot write first).
    await stack.ask(user, user.id, '/help');
    const answers = () => stack.telegram.callsOf('sendMessage').filter((c) => c.ok && c.params.chat_id === user.id).length;
    const post = (update: Update) =>
      fetch(`${stack.service.url}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
        body: JSON.stringify(update),
      }).then((r) => r.status);
    const base = 700_000_000 + randomInt(0, 1_000_000) * 100;
    const updates = Array.from({ length: 6 }, (_, n) => helpUpdate(base + n, user));
    expect(await Promise.all([...updates, updates[0] as Update].map(post))).toEqual(Array.from({ length: 7 }, () => 200));

    const botId = botIdOfToken(stack.telegram.token);
    const claims = async () => {
      const result = await stack.service.database.db.execute(
        sql`select count(*) filter (where done_at is not null)::integer as done, count(*) filter (where done_at is null)::integer as open
            from telegram_updates where bot_id = ${botId} and update_id between ${base} and ${base + 99}`,
      );
      const row = rowsOf<{ done: number; open: number }>(result)[0];
      return { done: Number(row?.done ?? 0), open: Number(row?.open ?? 0) };
    };
    const deadline = Date.now() + WAIT.timeoutMs;
    while (answers() < 7 || (await claims()).done < 6) {
      if (Date.now() > deadline) throw new Error(`timed out: ${answers()} answers, claims ${JSON.stringify(await claims())}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await claims()).toEqual({ done: 6, open: 0 });

    const skipped = () => stack.logs.lines.filter((l) => l.includes('a Telegram update handled already was delivered again; acknowledged and skipped')).length;
    const skippedBefore = skipped();
    expect(await post(updates[2] as Update)).toBe(200);
    expect(skipped()).toBe(skippedBefore + 1);
    expect(answers()).toBe(7);
  });
});
