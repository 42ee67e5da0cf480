import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
