import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonsOf, startStack, WAIT, type Stack } from './harness.js';

/**
 * Trakt failing mid-flow: users read plain sentences (never a stack trace), a write that outlasts
 * their patience is followed up when Trakt answers, and the bot keeps taking updates throughout.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const SLOW = { timeoutMs: 20_000 };

function looksLikeStackTrace(text: string): boolean {
  return /\bat .+\(.+:\d+:\d+\)|Error:|TraktUnavailable|ECONN|undefined/.test(text);
}

describe('Trakt outage mid-flow', () => {
  it('GIVEN a card on screen WHEN Trakt goes down THEN a search gets a plain sentence, Confirm says Trakt is slow and finishes once Trakt is back', async () => {
    const searcher = await stack.linkedUser();
    const adder = await stack.linkedUser();
    const card = await stack.ask(adder.user, adder.user.id, '/add tt0848228');
    expect(buttonsOf(card).map((b) => b.label)).toContain('✅ Confirm');

    stack.trakt.setFault('*', { statuses: [503] });
    await stack.press(adder.user, adder.user.id, card, 'Confirm');
    const search = stack.ask(searcher.user, searcher.user.id, '/search dune');

    const slow = await stack.telegram.waitForMessageState(adder.user.id, card.messageId, (m) => m.text.includes('Trakt is slow'), SLOW);
    expect(slow.text).toContain('Adding… Trakt is slow to answer; I will update this message when it does.');
    expect(buttonsOf(slow).map((b) => b.label)).toEqual(['🌐 Open on Trakt']);
    const failedSearch = await search;
    expect(failedSearch.text).toMatch(/^Trakt is (taking too long to answer|not answering) right now\. Please try again/);

    // While Trakt is down the bot still answers what needs no Trakt.
    const help = await stack.ask(searcher.user, searcher.user.id, '/help');
    expect(help.text).toContain('/search');

    stack.trakt.clearFaults();
    const done = await stack.telegram.waitForMessageState(adder.user.id, card.messageId, (m) => m.text.includes('Added to your watchlist'), SLOW);
    expect(buttonsOf(done).map((b) => b.label)).toEqual(['↩ Undo', '🌐 Open on Trakt']);
    expect(stack.trakt.watchlist(adder.username)).toHaveLength(1);

    for (const chat of [searcher.user.id, adder.user.id]) {
      for (const message of stack.telegram.botMessages(chat)) {
        expect(looksLikeStackTrace(message.text)).toBe(false);
        for (const edit of message.edits) expect(looksLikeStackTrace(edit.text)).toBe(false);
      }
    }
  });

  it('GIVEN Trakt rate-limits us for longer than a user waits WHEN they search THEN they read one plain sentence at once', async () => {
    const { user } = await stack.linkedUser();
    stack.trakt.setFault('GET /search/*', { statuses: [429], retryAfter: 600 });
    try {
      // Not searched before in this file: a repeated search is answered from the shared cache.
      const reply = await stack.ask(user, user.id, '/search blade runner');
      expect(reply.text).toBe('Trakt asked me to slow down. Please try again in a minute.');
    } finally {
      stack.trakt.clearFaults();
    }
  });

  it('GIVEN Telegram fails one of our calls WHEN the next update comes THEN the update loop is still running', async () => {
    const user = stack.newUser();
    stack.telegram.failNext('sendMessage', { error_code: 500, description: 'Internal Server Error' });
    stack.telegram.sendText(user, user.id, '/help');
    await stack.telegram.waitForCall((c) => c.method === 'sendMessage' && !c.ok, WAIT);
    const reply = await stack.ask(user, user.id, '/help');
    expect(reply.text).toContain('/search');
    expect(stack.logs.text()).toContain('Telegram update failed');
  });

  it('GIVEN something unexpected fails WHEN the user is answered THEN they get a short apology with a reference that is in the log', async () => {
    const { user } = await stack.linkedUser();
    // A schema-breaking answer from Trakt: not a known failure, so it is logged with a reference.
    stack.trakt.setFault('GET /search/*', { statuses: [418] });
    try {
      const reply = await stack.ask(user, user.id, '/search severance');
      const ref = /reference ([0-9A-F]{8})/.exec(reply.text)?.[1];
      expect(reply.text).toContain('Sorry, something went wrong on my side.');
      expect(ref).toBeDefined();
      expect(stack.logs.lines.some((line) => line.includes(ref ?? 'none') && line.includes('bot handler failed'))).toBe(true);
    } finally {
      stack.trakt.clearFaults();
    }
  });
});
