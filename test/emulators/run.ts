// `npm run emulators`: Trakt, Telegram and Discord emulators on fixed local ports, for trying Marquee
// without real accounts. Prints the settings that point the bot at them.
import { startDiscordEmulator } from './discord/index.js';
import { startTelegramEmulator } from './telegram/index.js';
import { startTraktEmulator } from './trakt/index.js';

const base = Number(process.env.EMULATOR_PORT ?? 4010);
// Trakt's OAuth host (auth.trakt.tv) is a server of its own, on base + 3.
const trakt = await startTraktEmulator({ port: base, authPort: base + 3 });
const demo = trakt.addUser({ username: 'demo', vip: false });
const telegram = await startTelegramEmulator({ port: base + 1 });
const discord = await startDiscordEmulator({ port: base + 2 });

process.stdout.write(
  [
    'Emulators are running. Start Marquee against them with these settings:',
    '',
    `TRAKT_API_URL=${trakt.url}`,
    `TRAKT_AUTH_URL=${trakt.authUrl}`,
    `TRAKT_CLIENT_ID=${trakt.clientId}`,
    `TRAKT_CLIENT_SECRET=${trakt.clientSecret}`,
    `TELEGRAM_API_ROOT=${telegram.apiRoot}`,
    `TELEGRAM_BOT_TOKEN=${telegram.token}`,
    `DISCORD_API_URL=${discord.apiUrl}`,
    `DISCORD_TOKEN=${discord.token}`,
    `DISCORD_APPLICATION_ID=${discord.applicationId}`,
    '',
    `Emulated Trakt user: ${demo.username}. Control APIs: ${trakt.url}/_emulator, ${telegram.apiRoot}/_emulator, ${discord.baseUrl}/_emulator (see test/emulators/*/README.md).`,
    'To play the bot in a browser instead, run `npm run demo`.',
    'Ctrl-C stops them.',
    '',
  ].join('\n'),
);

const stop = () => {
  void Promise.allSettled([trakt.close(), telegram.close(), discord.close()]).then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
