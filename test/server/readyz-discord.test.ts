import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as delay } from 'node:timers/promises';
import { startDiscordStack, type DiscordStack } from '../e2e/discord/harness.js';
import { DRIVER_NAME } from '../helpers/db.js';

/** /readyz with the Discord gateway (the emulator's, over a real WebSocket) connected, then gone. */
type Ready = { status: string; checks: Record<string, { status: string; since?: string; lastError?: string }> };

describe(`/readyz and the Discord gateway, on ${DRIVER_NAME}`, () => {
  let stack: DiscordStack;

  beforeAll(async () => {
    stack = await startDiscordStack({ trakt: { catalogSize: 200 } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function ready(): Promise<{ code: number; body: Ready }> {
    const response = await fetch(`${stack.service.url}/readyz`);
    return { code: response.status, body: (await response.json()) as Ready };
  }

  it('GIVEN the gateway session THEN discord is up; GIVEN Discord gone THEN discord is down and the instance stays ready', async () => {
    const before = await ready();
    expect(before.code).toBe(200);
    expect(before.body).toMatchObject({ status: 'ready', checks: { database: { status: 'up' }, discord: { status: 'up' } } });
    expect(before.body.checks['telegram']).toBeUndefined();

    await stack.discord.close();
    // The report follows discord.js' events: read it until the lost session shows (20 s at most).
    let after = await ready();
    for (let i = 0; i < 400 && after.body.checks['discord']?.status !== 'down'; i++) {
      await delay(50);
      after = await ready();
    }
    expect(after.code).toBe(200);
    expect(after.body).toMatchObject({ status: 'ready', checks: { database: { status: 'up' }, discord: { status: 'down', lastError: expect.any(String) } } });
    expect(JSON.stringify(after.body)).not.toContain(stack.discord.token);
  });
});
