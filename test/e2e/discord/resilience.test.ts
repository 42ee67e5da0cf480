import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateKeyBase64 } from '../../../src/db/crypto.js';
import { startService } from '../../../src/main.js';
import { startDiscordEmulator } from '../../emulators/discord/index.js';
import { startTraktEmulator } from '../../emulators/trakt/index.js';
import { TEST_DATABASE_URL } from '../../helpers/db.js';
import { captureLogs } from '../../helpers/logs.js';
import { CHANNEL_ID, GUILD_ID, shownText, until, WAIT } from './harness.js';

async function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const TOKEN = 'MTEwMDAwMDAwMDAwMDAwMDAwMQ.emulat.c2VjcmV0LXRva2VuLWZvci10ZXN0cw';
const APPLICATION_ID = '1100000000000000001';

describe('Discord: the rest of the service does not depend on Discord', () => {
  it('GIVEN Discord unreachable at start THEN the service serves HTTP, keeps trying, and takes commands once Discord is back', async () => {
    const trakt = await startTraktEmulator({ catalogSize: 200 });
    const port = await unusedPort();
    const dataDir = await mkdtemp(join(tmpdir(), 'marquee-discord-down-'));
    const logs = captureLogs('info');
    const env: Record<string, string> = {
      ENV_FILE: '',
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      DISCORD_TOKEN: TOKEN,
      DISCORD_APPLICATION_ID: APPLICATION_ID,
      DISCORD_API_URL: `http://127.0.0.1:${port}/api`,
      DISCORD_GUILD_ID: GUILD_ID,
      TRAKT_CLIENT_ID: trakt.clientId,
      TRAKT_CLIENT_SECRET: trakt.clientSecret,
      TRAKT_API_URL: trakt.url,
      TRAKT_AUTH_URL: trakt.authUrl,
    };
    if (TEST_DATABASE_URL !== null) {
      env.DATABASE_URL = TEST_DATABASE_URL;
      env.TOKEN_ENCRYPTION_KEY = generateKeyBase64();
    }
    const service = await startService({ env, logger: logs.logger });
    let discord: Awaited<ReturnType<typeof startDiscordEmulator>> | undefined;
    try {
      const health = await fetch(`${service.url}/healthz`);
      expect(health.status).toBe(200);
      const ready = await fetch(`${service.url}/readyz`);
      expect(ready.status).toBe(200);
      await until(() => logs.text().includes('Discord is not reachable yet'), 'a failed connection attempt');
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200);

      // Discord comes back on the configured address: the adapter connects on its own.
      discord = await startDiscordEmulator({ port, token: TOKEN, applicationId: APPLICATION_ID, heartbeatIntervalMs: 1000 });
      discord.addGuild({ id: GUILD_ID, name: 'Movie Night', channels: [{ id: CHANNEL_ID, name: 'watchlist' }] });
      await discord.waitForReady({ timeoutMs: 20_000 });
      await until(() => discord !== undefined && discord.commands(GUILD_ID).length > 0, 'commands registered', 20_000);
      const user = discord.addUser({ id: '410000000000000077', username: 'latecomer' });
      const help = await discord.slashCommand({ user, channelId: CHANNEL_ID, guildId: GUILD_ID, name: 'help' }).waitForFinal(WAIT);
      expect(shownText(help)).toContain('Marquee keeps your Trakt watchlist at hand');
      expect(logs.text()).not.toContain(TOKEN);
    } finally {
      await service.stop('test over');
      await discord?.close();
      await trakt.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 45_000);
});
