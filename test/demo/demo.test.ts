import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, DEMO_TRAKT_USER, type Demo } from '../../demo/stack.js';
import { buttons, demoClient } from './client.js';

/**
 * `npm run demo` in-process: the emulators, the real service and the demo page's server. Everything goes
 * through the page's own HTTP API, as the page does (the browser test, demo-browser.test.ts, clicks the page).
 */
describe('the demo', () => {
  let demo: Demo;
  let client: ReturnType<typeof demoClient>;
  let alice: { chatId: number; userId: number };

  beforeAll(async () => {
    demo = await startDemo({ port: 0 });
    client = demoClient(demo.url);
    const world = await client.world();
    const first = world.telegram.conversations[0];
    if (first === undefined) throw new Error('the demo has no Telegram conversation');
    alice = first;
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('serves the page on 127.0.0.1', async () => {
    expect(new URL(demo.url).hostname).toBe('127.0.0.1');
    const page = await (await fetch(demo.url)).text();
    expect(page).toContain('<section class="pane chat" id="telegram">');
    expect((await client.traktWatchlist(DEMO_TRAKT_USER)).map((i) => i.title)).toContain('The Avengers');
  });

  it('links the demo user on the consent page, searches dune, adds it with Confirm, and the card says so', async () => {
    const { telegram } = client;
    await telegram.send(alice.chatId, alice.userId, '/link');
    const linkMessage = await telegram.waitFor(alice.chatId, (m) => buttons(m).some((b) => b.url !== undefined), 'the Link button');
    const authorizeUrl = buttons(linkMessage).find((b) => b.url !== undefined)?.url ?? '';
    expect(authorizeUrl.startsWith((await client.world()).traktAuthUrl)).toBe(true);

    const { consentPage, callbackPage } = await client.approveOnTrakt(authorizeUrl, DEMO_TRAKT_USER);
    expect(consentPage).toContain('Authorize Marquee');
    expect(callbackPage).toContain('Trakt account linked');
    await telegram.waitFor(alice.chatId, (m) => m.text.includes(`Linked to Trakt as ${DEMO_TRAKT_USER}`), 'the link notice');

    await telegram.send(alice.chatId, alice.userId, '/search dune');
    const card = await telegram.waitFor(alice.chatId, (m) => m.text.startsWith('Dune (2021)'), 'the search card');
    expect(card.photoFileId).toBeDefined();
    await telegram.press(alice.chatId, alice.userId, card, /Add/);
    const confirm = await telegram.waitFor(alice.chatId, (m) => m.messageId === card.messageId && buttons(m).some((b) => /Confirm/.test(b.text)), 'Confirm');
    await telegram.press(alice.chatId, alice.userId, confirm, /Confirm/);
    const added = await telegram.waitFor(alice.chatId, (m) => m.messageId === card.messageId && m.text.includes('Added to your watchlist'), 'the card to change');
    expect(buttons(added).map((b) => b.text).join(' ')).toMatch(/Undo/);
    expect((await client.traktWatchlist(DEMO_TRAKT_USER)).map((i) => i.title)).toContain('Dune');
  });

  it('plays a Discord user: a slash command gets its card, and a button on it pages', async () => {
    const where = (await client.world()).discord.conversations[0];
    if (where === undefined) throw new Error('the demo has no Discord conversation');
    const { discord } = client;
    const { id } = await discord.command(where, 'search', { query: 'shows office' });
    const isCard = (m: { interaction: { id: string } | null; embeds: Array<Record<string, unknown>> }) =>
      m.interaction?.id === id && String(m.embeds[0]?.description ?? '').includes('Result 1 of 2');
    const card = await discord.waitFor(where.channelId, isCard, 'the search card');
    expect(card.interaction?.username).toBe('alice');
    expect(String(card.embeds[0]?.description)).toContain('The Office');
    const next = card.components.flatMap((row) => (row.components as Array<Record<string, unknown>>)).find((c) => String(c.label).includes('Next'));
    await discord.click(where.userId, card, String(next?.custom_id));
    const paged = await discord.waitFor(where.channelId, (m) => m.id === card.id && String(m.embeds[0]?.description ?? '').includes('Result 2 of 2'), 'page 2');
    expect(String(paged.embeds[0]?.description)).toContain('The Office');
  });

  // The examples of the README, /help and the error texts, each answered with a card, not "nothing found".
  it.each([
    ['/search dune 2021', /^Dune \(2021\)/],
    ['/search shows office', /^The Office \(2005\)/],
    ['/search shows severance', /^Severance \(2022\)/],
    ['/search blade runner 2049', /^Blade Runner 2049 \(2017\)/],
    ['/add dune 2021', /Dune \(2021\)/],
    ['/add tt1160419', /Dune \(2021\)/],
    ['/add https://trakt.tv/shows/severance/seasons/2', /Severance \(2022\)/],
    ['/add The Avengers', /The Avengers \(2012\)/],
    ['/remove dune', /Dune \(2021\)/],
  ])('the example %s works', async (command, shown) => {
    // alice was linked, and Dune added, by the test above (tests in a file run in order)
    const { telegram } = client;
    const sent = (await telegram.send(alice.chatId, alice.userId, command)) as { message_id: number };
    const reply = await telegram.waitFor(alice.chatId, (m) => m.messageId > sent.message_id, `the answer to ${command}`);
    expect(reply.text).toMatch(shown);
    expect(buttons(reply).length).toBeGreaterThan(0);
  });
});
