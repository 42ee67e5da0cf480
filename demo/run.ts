// `npm run demo`: the emulators, the real service between them and the demo page; prints the one URL to open.
import { startDemo } from './stack.js';

const port = Number(process.env.DEMO_PORT ?? 4000);
process.stdout.write('Starting the Marquee demo (emulated Trakt, Telegram and Discord; embedded database in a temporary folder)…\n');
const demo = await startDemo({ port, onServiceLog: (line) => process.stderr.write(`${line}\n`) });
process.stdout.write(`\nMarquee demo: open ${demo.url}\n\nCtrl-C stops it (and forgets everything).\n`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void demo.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
