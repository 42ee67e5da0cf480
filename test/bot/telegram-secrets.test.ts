import { describe, expect, it } from 'vitest';
import { createTelegramAdapter } from '../../src/bot/telegram/telegram-bot.js';
import type { BotCore } from '../../src/bot/core/bot-core.js';
import type { PosterSource } from '../../src/bot/services/posters.js';
import { captureLogs } from '../helpers/logs.js';

describe('secrets in logs', () => {
  it('GIVEN Telegram is unreachable WHEN the adapter retries and logs THEN the bot token never appears', async () => {
    const token = '123456:AAThisIsASecretTokenThatMustNotLeak000';
    // A port nothing listens on: connections are refused at once.
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 1;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const logs = captureLogs('debug');
    const adapter = createTelegramAdapter({
      token,
      apiRoot: `http://127.0.0.1:${port}`,
      core: { commands: [] } as unknown as BotCore,
      posters: {} as PosterSource,
      logger: logs.logger,
    });
    const started = adapter.start();
    for (let i = 0; i < 100 && !logs.text().includes('not reachable'); i++) await new Promise((r) => setTimeout(r, 20));
    await adapter.stop();
    await started;
    expect(logs.text()).toContain('Telegram is not reachable yet');
    expect(logs.text()).toContain('<bot-token>');
    expect(logs.text()).not.toContain('AAThisIsASecretTokenThatMustNotLeak000');
  });
});
