// The demo: the bundled Trakt, Telegram and Discord emulators, the real service between them (startService,
// exactly as production starts it) on the embedded database in a temporary folder, a demo Trakt account with
// a watchlist, and the demo page's server. `npm run demo` (demo/run.ts) starts it; tests start it in-process.
import { Writable } from 'node:stream';
import { generateKeyBase64 } from '../src/db/crypto.js';
import { startService, type RunningService } from '../src/main.js';
import { createLogger, type Logger } from '../src/logger.js';
import { freePort, serviceEnv } from '../test/e2e/telegram/harness.js';
import { until } from '../test/e2e/discord/harness.js';
import { startDiscordEmulator, type DiscordEmulator } from '../test/emulators/discord/index.js';
import { startTelegramEmulator, type TelegramEmulator } from '../test/emulators/telegram/index.js';
import { startTraktEmulator, type CatalogRef, type TraktEmulator } from '../test/emulators/trakt/index.js';
import { serviceStorage } from '../test/helpers/service-stack.js';
import { startDemoServer, type DemoWorld } from './server.js';

export interface DemoOptions {
  /** Port of the demo page (127.0.0.1); 0 = any free one. */
  port?: number;
  /** Lines the service logs at warn or above go here (default: nowhere). */
  onServiceLog?: (line: string) => void;
}

export interface Demo {
  /** The one URL to open. */
  url: string;
  world: DemoWorld;
  service: RunningService;
  trakt: TraktEmulator;
  telegram: TelegramEmulator;
  discord: DiscordEmulator;
  close(): Promise<void>;
}

/** The demo Trakt account's watchlist: titles the catalog really has, movies, shows and a season. */
const DEMO_WATCHLIST_TITLES = ['Blade Runner 2049', '2001: A Space Odyssey', 'Amélie', 'Se7en', '1917', 'M*A*S*H', 'Love, Death & Robots'];
const DEMO_WATCHLIST_REFS: CatalogRef[] = [
  { type: 'movie', trakt: 14701 }, // The Avengers
  { type: 'movie', trakt: 12601 }, // TRON: Legacy
  { type: 'show', trakt: 1388 }, // Breaking Bad
  { type: 'season', show: 1390, season: 1 }, // Game of Thrones, season 1
];

export const DEMO_TRAKT_USER = 'demo';
const GUILD_ID = '210000000000000001';
const CHANNEL_ID = '310000000000000001';
const GROUP_ID = -1001234567890;

export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const closers: Array<() => Promise<unknown>> = [];
  // in reverse order of starting: the page, the service, its storage, the emulators
  const close = async (): Promise<void> => {
    for (const closer of closers.splice(0).reverse()) await closer().catch(() => undefined);
  };
  try {
    const trakt = await startTraktEmulator({ consentPage: true, deviceIntervalSeconds: 1 });
    closers.push(() => trakt.close());
    const telegram = await startTelegramEmulator({ botUsername: 'marquee_demo_bot', botFirstName: 'Marquee' });
    closers.push(() => telegram.close());
    const discord = await startDiscordEmulator({ heartbeatIntervalMs: 5000, botUsername: 'Marquee' });
    closers.push(() => discord.close());

    trakt.addUser({ username: DEMO_TRAKT_USER, vip: false });
    trakt.addUser({ username: 'friend', vip: true });
    const titled = DEMO_WATCHLIST_TITLES.map((title): CatalogRef => {
      const found = trakt.catalog.findByTitle(title);
      if (!found) throw new Error(`demo: "${title}" is not in the emulated catalog`);
      return { type: found.type, trakt: found.ids.trakt };
    });
    trakt.seedWatchlist(DEMO_TRAKT_USER, [...DEMO_WATCHLIST_REFS, ...titled]);
    trakt.seedWatchlist('friend', [{ type: 'show', trakt: 154997 }]);

    const alice = telegram.user({ id: 1001, firstName: 'Alice', username: 'alice', languageCode: 'en' });
    const bob = telegram.user({ id: 1002, firstName: 'Bob', username: 'bob', languageCode: 'en' });
    telegram.privateChat(alice);
    telegram.privateChat(bob);
    telegram.group({ id: GROUP_ID, title: 'Movie Night', type: 'group' });

    discord.addGuild({ id: GUILD_ID, name: 'Movie Night', channels: [{ id: CHANNEL_ID, name: 'watchlist' }] });
    const dAlice = discord.addUser({ id: '510000000000000001', username: 'alice' });
    const dBob = discord.addUser({ id: '510000000000000002', username: 'bob' });
    discord.addMember(GUILD_ID, dAlice.id);
    discord.addMember(GUILD_ID, dBob.id);

    const storage = await serviceStorage('marquee-demo');
    closers.push(() => storage.dispose());
    const port = await freePort();
    const logs = serviceLogger(options.onServiceLog);
    const env = {
      ...serviceEnv({ telegram, trakt, storageEnv: storage.env, port }),
      // The OAuth callback on the service's own loopback address: the consent page sends the browser back there.
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DISCORD_TOKEN: discord.token,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_API_URL: discord.apiUrl,
      // a throw-away key: without one the service warns that it generated one into DATA_DIR
      TOKEN_ENCRYPTION_KEY: storage.env.TOKEN_ENCRYPTION_KEY ?? generateKeyBase64(),
    };
    const service = await startService({ env, logger: logs.logger });
    // the service goes before the emulators, so nothing reconnects to closed ones
    closers.push(() => service.stop('demo over'));
    await telegram.waitForPoll({ timeoutMs: 30_000 });
    await discord.waitForReady({ timeoutMs: 30_000 });
    await until(() => discord.commands().length > 0 && logs.discordReady(), 'the Discord bot ready', 30_000);

    const world: DemoWorld = {
      serviceUrl: service.url,
      traktAuthUrl: trakt.authUrl,
      traktUser: DEMO_TRAKT_USER,
      telegram: {
        bot: telegram.botUser.username ?? 'marquee_demo_bot',
        conversations: [
          { label: 'Alice · private chat', chatId: alice.id, userId: alice.id },
          { label: 'Bob · private chat', chatId: bob.id, userId: bob.id },
          { label: 'Movie Night group · as Alice', chatId: GROUP_ID, userId: alice.id },
          { label: 'Movie Night group · as Bob', chatId: GROUP_ID, userId: bob.id },
        ],
      },
      discord: {
        conversations: [
          { label: 'alice · #watchlist', channelId: CHANNEL_ID, guildId: GUILD_ID, userId: dAlice.id },
          { label: 'bob · #watchlist', channelId: CHANNEL_ID, guildId: GUILD_ID, userId: dBob.id },
          { label: 'alice · direct messages', channelId: dAlice.dmChannelId, guildId: null, userId: dAlice.id },
          { label: 'bob · direct messages', channelId: dBob.dmChannelId, guildId: null, userId: dBob.id },
        ],
      },
    };
    const server = await startDemoServer({
      world,
      port: options.port ?? 0,
      telegramControl: `${telegram.apiRoot}/_emulator`,
      discordControl: `${discord.baseUrl}/_emulator`,
      traktControl: `${trakt.url}/_emulator`,
    });
    closers.push(() => server.close());
    return { url: server.url, world, service, trakt, telegram, discord, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The service's logger: everything kept quiet except warnings and errors, which go to `forward`. */
function serviceLogger(forward?: (line: string) => void): { logger: Logger; discordReady(): boolean } {
  let ready = false;
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.includes('Discord bot connected')) ready = true;
        const level = /"level":(\d+)/.exec(line)?.[1];
        if (forward !== undefined && level !== undefined && Number(level) >= 40) forward(line);
      }
      callback();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), discordReady: () => ready };
}
