import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, WAIT, type Stack } from './harness.js';

/**
 * Issue 15: a failed Trakt call is logged once per user action with its reason (the core's code, the
 * error class, the HTTP status behind it), and a write that is given up gets a final log line.
 */
let stack: Stack;
beforeAll(async () => {
  // A short retry budget, so an outage is told (and logged) as Trakt's own 503, not as impatience.
  stack = await startStack({ env: { TRAKT_RETRY_MS: '500' } });
});
afterAll(async () => {
  await stack?.close();
});

type Line = Record<string, unknown> & { msg?: string };
const linesOf = (msg: string, from: number): Line[] =>
  stack.logs.lines
    .slice(from)
    .map((l) => JSON.parse(l) as Line)
    .filter((l) => l.msg === msg);

describe('failure log lines', () => {
  it('GIVEN Trakt answering 503 to a search THEN the user is told and exactly one line says why, with the status and class', async () => {
    const { user } = await stack.linkedUser({ name: 'Logan' });
    const from = stack.logs.lines.length;
    stack.trakt.setFault('GET /search/:type', { statuses: [503] });
    try {
      const reply = await stack.ask(user, user.id, '/search dune');
      expect(reply.text).toContain('Trakt is not answering');
    } finally {
      stack.trakt.clearFaults();
    }
    const failed = linesOf('user action failed', from);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ reason: 'trakt-outage', error: 'TraktUnavailableError', status: 503, command: 'search' });
    expect(JSON.stringify(failed[0])).not.toContain('dune');
  });

  it('GIVEN a full watchlist WHEN Confirm is pressed THEN the card says so, one line gives the reason (420), and the write gets its final line', async () => {
    const { user, username } = await stack.linkedUser({ name: 'Fuller', watchlistLimit: 1 });
    stack.trakt.seedWatchlist(username, [{ type: 'show', trakt: 1388 }]);
    const card = await stack.ask(user, user.id, '/add tt0848228');
    const from = stack.logs.lines.length;
    await stack.press(user, user.id, card, 'Confirm');
    await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('watchlist is full'), WAIT);
    const deadline = Date.now() + WAIT.timeoutMs;
    while (linesOf('queued watchlist write given up', from).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const failed = linesOf('user action failed', from);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ reason: 'watchlist-full', status: 420, step: 'watchlist-write' });
    const givenUp = linesOf('queued watchlist write given up', from);
    expect(givenUp).toHaveLength(1);
    expect(givenUp[0]).toMatchObject({ op: 'add', items: 1, error: 'WatchlistFullError' });
  });
});
