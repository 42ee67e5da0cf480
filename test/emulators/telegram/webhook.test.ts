// Webhook mode: the emulator POSTs updates to a local Fastify server running grammY's webhookCallback.
import Fastify, { type FastifyInstance } from 'fastify';
import { Bot, GrammyError, webhookCallback } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTelegramEmulator } from './emulator.js';
import type { TelegramEmulator, User } from './types.js';

let emu: TelegramEmulator;
let app: FastifyInstance;
let alice: User;

beforeEach(async () => {
  emu = await startTelegramEmulator({ webhookRetryDelaysMs: [20, 50] });
  alice = emu.user({ id: 1001, firstName: 'Alice' });
  emu.privateChat(alice);
  app = Fastify();
});

afterEach(async () => {
  await emu.close();
  await app.close();
});

async function serve(bot: Bot, secretToken: string): Promise<string> {
  app.post('/telegram', webhookCallback(bot, 'fastify', { secretToken }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return `http://127.0.0.1:${address.port}/telegram`;
}

describe('webhook mode', () => {
  it('delivers updates with the secret header; a wrong secret is rejected by grammY and retried', async () => {
    const bot = new Bot(emu.token, { client: { apiRoot: emu.apiRoot } });
    bot.command('start', (ctx) => ctx.reply('Welcome to Marquee'));
    const url = await serve(bot, 'right-secret');

    await bot.api.setWebhook(url, { secret_token: 'wrong-secret', allowed_updates: ['message', 'callback_query'] });
    const sent = emu.sendText(alice, alice.id, '/start');

    const rejected = await emu.waitForWebhookDelivery();
    expect(rejected).toMatchObject({ status: 401, ok: false, secretToken: 'wrong-secret', url, attempt: 1 });
    expect(rejected.update.message?.message_id).toBe(sent.message_id);
    const info = await bot.api.getWebhookInfo();
    expect(info).toMatchObject({
      url,
      pending_update_count: 1,
      last_error_message: 'Wrong response from the webhook: 401 Unauthorized',
      allowed_updates: ['message', 'callback_query'],
    });
    // polling is refused while the webhook is set
    await expect(bot.api.getUpdates()).rejects.toThrow(GrammyError);
    expect(emu.calls.at(-1)?.status).toBe(409);

    // with the right secret the pending update is delivered and handled
    await bot.api.setWebhook(url, { secret_token: 'right-secret' });
    const accepted = await emu.waitForWebhookDelivery((d) => d.ok);
    expect(accepted).toMatchObject({ status: 200, secretToken: 'right-secret', updateId: rejected.updateId });
    const reply = await emu.waitForBotMessage(alice.id);
    expect(reply.text).toBe('Welcome to Marquee');
    expect((await bot.api.getWebhookInfo()).pending_update_count).toBe(0);
    expect(emu.webhookDeliveries.filter((d) => d.ok)).toHaveLength(1);
  });

  it('executes a method returned in the webhook response (webhook reply)', async () => {
    const bot = new Bot(emu.token, { client: { apiRoot: emu.apiRoot, canUseWebhookReply: (method) => method === 'sendMessage' } });
    bot.command('ping', (ctx) => ctx.reply('pong'));
    const url = await serve(bot, 'secret');
    await bot.api.setWebhook(url, { secret_token: 'secret' });

    emu.sendText(alice, alice.id, '/ping');
    const reply = await emu.waitForBotMessage(alice.id);
    expect(reply.text).toBe('pong');
    const call = await emu.waitForCall('sendMessage');
    expect(call).toMatchObject({ transport: 'webhook-reply', params: { chat_id: alice.id, text: 'pong' }, ok: true });
  });

  it('drop_pending_updates discards what was queued', async () => {
    const bot = new Bot(emu.token, { client: { apiRoot: emu.apiRoot } });
    emu.sendText(alice, alice.id, 'old news');
    expect(emu.pendingUpdateCount()).toBe(1);
    await bot.api.setWebhook('http://127.0.0.1:9/unused', { drop_pending_updates: true });
    expect(emu.pendingUpdateCount()).toBe(0);
    await bot.api.deleteWebhook();
    expect(emu.webhook()).toBeUndefined();
  });
});
