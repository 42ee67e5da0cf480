import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/server/build-server.js';
import { registerTelegramWebhook, TELEGRAM_WEBHOOK_PATH, type TelegramWebhookDeps } from '../../src/server/routes/telegram-webhook.js';
import { captureLogs } from '../helpers/logs.js';

/**
 * What Telegram hears from the webhook route for each outcome of handing an update over (the outcomes
 * themselves, across instances: test/e2e/telegram/multi-instance.test.ts). A 2xx ends Telegram's
 * deliveries of the update; anything else makes it deliver the update again later.
 */
const SECRET = 'route-secret_0123456789';
type Outcome = Awaited<ReturnType<TelegramWebhookDeps['accept']>>;

describe('the Telegram webhook route', () => {
  let app: FastifyInstance;
  let next: Outcome = 'accepted';
  const handedOver: number[] = [];

  beforeAll(async () => {
    app = await buildServer({
      logger: captureLogs('info').logger,
      checkReady: () => Promise.resolve({ ok: true }),
      routes: [
        (instance) =>
          registerTelegramWebhook(instance, {
            secret: SECRET,
            accept: (update: Update) => {
              handedOver.push(update.update_id);
              return Promise.resolve(next);
            },
          }),
      ],
    });
  });
  afterAll(async () => {
    await app.close();
  });

  it('GIVEN each outcome WHEN an update arrives THEN handled, handled already and held by another instance are acknowledged; a claim not recorded and a bot not ready ask Telegram to send it again', async () => {
    const expected: Array<[Outcome, number]> = [
      ['accepted', 200],
      ['duplicate', 200],
      ['in-progress', 200],
      ['retry', 503],
      ['not-ready', 503],
    ];
    for (const [n, [outcome, status]] of expected.entries()) {
      next = outcome;
      const response = await app.inject({
        method: 'POST',
        url: TELEGRAM_WEBHOOK_PATH,
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
        payload: { update_id: 100 + n, message: { message_id: 1, date: 1, chat: { id: 1, type: 'private' }, text: '/help' } },
      });
      expect(response.statusCode, outcome).toBe(status);
    }
    expect(handedOver).toEqual([100, 101, 102, 103, 104]);
  });
});
