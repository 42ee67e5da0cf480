import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonsOf, startStack, WAIT, type Stack } from './harness.js';

/**
 * Bug 4 of issue 9: a press that needs Trakt (Next, a season, an episode) used to consume the card's
 * buttons before the work ran, so one Trakt hiccup left a card whose every button said "expired".
 * A failed press leaves its card usable: the user reads a short line, and the same button works once
 * Trakt is back.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const SLOW = { timeoutMs: 20_000 };

/** Trakt is back: clears the faults and waits until the route answered (retries in flight have ended). */
async function traktBack(route: RegExp): Promise<void> {
  const since = Date.now();
  stack.trakt.clearFaults();
  const deadline = Date.now() + 30_000;
  while (!stack.trakt.requests.some((r) => r.at >= since && route.test(r.route) && r.status === 200)) {
    if (Date.now() > deadline) throw new Error(`Trakt did not answer ${String(route)} after the faults were cleared`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a Trakt failure on a press leaves the card usable', () => {
  it('GIVEN a search card WHEN a filter fails because Trakt is down THEN the user hears so, and the same button works once Trakt is back', async () => {
    const { user } = await stack.linkedUser();
    const card = await stack.ask(user, user.id, '/search avengers');
    expect(buttonsOf(card).map((b) => b.label)).toContain('Next ▶');
    const firstText = card.text;

    // Next within the first page is served from the shared search cache (no Trakt request, issue 13);
    // another type filter is a new search.
    stack.trakt.setFault('GET /search/*', { statuses: [503] });
    try {
      await stack.press(user, user.id, card, 'Movies');
      const notice = await stack.telegram.waitForBotMessage(user.id, (m) => m.messageId > card.messageId, SLOW);
      expect(notice.text).toMatch(/Trakt/);
      expect(stack.telegram.botMessages(user.id).find((m) => m.messageId === card.messageId)?.text).toBe(firstText);
    } finally {
      await traktBack(/^GET \/search\//);
    }
    await stack.press(user, user.id, card, 'Movies');
    const movies = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => buttonsOf(m).some((b) => b.label === '• Movies'), WAIT);
    expect(movies.text).not.toContain('expired');
  });

  it('GIVEN a season card WHEN Pick an episode fails because Trakt is down THEN the same button works once Trakt is back', async () => {
    const { user } = await stack.linkedUser();
    const card = await stack.ask(user, user.id, '/add tt0903747');
    await stack.press(user, user.id, card, 'Pick a season');
    const seasons = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Which season?'), WAIT);
    await stack.press(user, user.id, seasons, /^Season 4$/);
    const season = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Add season 4'), WAIT);

    stack.trakt.setFault('GET /shows/*', { statuses: [503] });
    await stack.press(user, user.id, season, 'Pick an episode');
    const notice = await stack.telegram.waitForBotMessage(user.id, (m) => m.messageId > card.messageId, SLOW);
    expect(notice.text).toMatch(/Trakt/);

    await traktBack(/^GET \/shows\//);
    await stack.press(user, user.id, season, 'Pick an episode');
    const episodes = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Which episode'), WAIT);
    expect(buttonsOf(episodes).some((b) => /^E\d+\b/.test(b.label))).toBe(true);
  });
});
