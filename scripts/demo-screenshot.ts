// `npm run demo:screenshot [file.png]`: starts the demo, plays it in headless Chromium (link on the Trakt
// consent page, /search dune, Add, Confirm; /search shows office on Discord) and saves a screenshot of the
// page (default demo-screenshot.png). Needs /usr/bin/chromium (`apt-get install -y chromium`).
import { resolve } from 'node:path';
import { chromiumMissing, launchChromium, playDemo } from '../demo/browser.js';
import { startDemo } from '../demo/stack.js';

const missing = chromiumMissing();
if (missing !== null) {
  process.stderr.write(`${missing}\n`);
  process.exit(2);
}
const file = resolve(process.argv[2] ?? 'demo-screenshot.png');
const demo = await startDemo({ port: 0 });
let failed = false;
try {
  const browser = await launchChromium();
  try {
    await playDemo(browser.page, demo.url);
    // let the last poll draw the posters
    await browser.page.waitForTimeout(1000);
    await browser.page.screenshot({ path: file });
    process.stdout.write(`screenshot: ${file}\n`);
  } catch (error) {
    failed = true;
    await browser.page.screenshot({ path: file }).catch(() => undefined);
    process.stderr.write(`the demo did not play through (page as it was: ${file}): ${String(error)}\n`);
  } finally {
    await browser.close();
  }
} finally {
  await demo.close();
}
process.exit(failed ? 1 : 0);
