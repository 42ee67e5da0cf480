// The demo page in a real browser: Debian's headless Chromium driven through playwright-core. Used by
// scripts/demo-screenshot.ts and test/demo/demo-browser.test.ts; the same steps a person takes.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (Debian) to run the browser test`;
}

/** Headless Chromium with a fresh profile, nothing phoning home; `close()` also removes the profile. */
export async function launchChromium(): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), 'marquee-demo-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1500, height: 940 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

const WAIT = { timeout: 20_000 };

async function type(pane: Locator, text: string): Promise<void> {
  await pane.locator('.composer input').fill(text);
  await pane.locator('.composer input').press('Enter');
}

/** The last message of a pane that contains `text`. */
function message(pane: Locator, text: string | RegExp): Locator {
  return pane.locator('.messages .msg', { hasText: text }).last();
}

/**
 * Plays the demo as a person would: links Alice on Telegram (approving on the Trakt consent page in the
 * page's Trakt pane), searches `dune`, adds it with Confirm and waits for the card to say so; then
 * searches shows on Discord so both panes show a card.
 */
export async function playDemo(page: Page, demoUrl: string): Promise<void> {
  await page.goto(demoUrl);
  const telegram = page.locator('#telegram');
  await telegram.locator('.who option').first().waitFor({ state: 'attached', ...WAIT });

  await type(telegram, '/link');
  await message(telegram, 'Open Trakt').getByRole('button', { name: /Open Trakt/ }).click(WAIT);
  const trakt = page.frameLocator('#trakt-frame');
  await trakt.getByRole('button', { name: 'Yes, allow' }).click(WAIT);
  await trakt.getByText('Trakt account linked').waitFor(WAIT);
  await message(telegram, 'Linked to Trakt as demo').waitFor(WAIT);

  await type(telegram, '/search dune');
  const card = message(telegram, 'Result 1 of');
  await card.getByRole('button', { name: /Add/ }).click(WAIT);
  await message(telegram, 'Add to your watchlist?').getByRole('button', { name: /Confirm/ }).click(WAIT);
  await message(telegram, 'Added to your watchlist').getByRole('button', { name: /Undo/ }).waitFor(WAIT);
  await page.locator('#watchlist li', { hasText: /^Dune/ }).waitFor(WAIT);

  const discord = page.locator('#discord');
  await type(discord, '/search shows office');
  await message(discord, 'The Office (2005)').locator('.embed img').first().waitFor(WAIT);
}
