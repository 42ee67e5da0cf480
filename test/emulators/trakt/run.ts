// Runs the Trakt emulator on its own for local use:
//   node --import tsx test/emulators/trakt/run.ts        (PORT=4010 by default; the OAuth host on PORT+1)
// It adds a demo user with a few watchlist items, prints the URLs and tokens, and stays up until Ctrl-C.

import { startTraktEmulator } from './index.js';

const port = Number(process.env.PORT ?? 4010);
const emulator = await startTraktEmulator({ port, authPort: port + 1 });
const demo = emulator.addUser({ username: 'demo' });
emulator.seedWatchlist('demo', [
  { type: 'movie', trakt: 14701 },
  { type: 'show', trakt: 1388 },
  { type: 'season', show: 1390, season: 1 },
]);
const tokens = emulator.issueTokens('demo');

console.log(`Trakt emulator listening
  TRAKT_API_URL=${emulator.url}
  TRAKT_AUTH_URL=${emulator.authUrl}
  TRAKT_CLIENT_ID=${emulator.clientId}
  TRAKT_CLIENT_SECRET=${emulator.clientSecret}
demo user: ${demo.username} (watchlist limit ${demo.watchlistLimit})
  access_token=${tokens.access_token}
  refresh_token=${tokens.refresh_token}
controls: ${emulator.url}/_emulator (see test/emulators/trakt/README.md)`);

const stop = (): void => {
  emulator.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
