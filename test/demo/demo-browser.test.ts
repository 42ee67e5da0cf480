import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, playDemo } from '../../demo/browser.js';
import { startDemo, DEMO_TRAKT_USER, type Demo } from '../../demo/stack.js';

/**
 * The demo page in a real browser (Debian's headless Chromium through playwright-core), as a person plays
 * it. CI machines have no Chromium: then this skips and says why; test/demo/demo.test.ts still plays the
 * demo through the page's HTTP API.
 */
const missing = chromiumMissing();
if (missing !== null) console.warn(`test/demo/demo-browser.test.ts skipped: ${missing}`);

describe.skipIf(missing !== null)('the demo page in Chromium', () => {
  let demo: Demo;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    demo = await startDemo({ port: 0 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it('links on the Trakt consent page, searches dune, adds it with Confirm, and the card changes', async () => {
    await playDemo(browser.page, demo.url);
    const card = browser.page.locator('#telegram .messages .msg', { hasText: 'Added to your watchlist' }).last();
    expect(await card.innerText()).toContain('Dune (2021)');
    expect(await card.locator('img.photo').count()).toBe(1);
    expect(demo.trakt.watchlist(DEMO_TRAKT_USER).map((r) => r.title)).toContain('Dune');
  });
});
