import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonsOf, startStack, type Stack } from './harness.js';

/**
 * Trakt answering 403 (the app is refused: blocked, unapproved or deleted, REFERENCE §13) or 426 (the
 * feature needs VIP) is not "something went wrong": the user reads what happened, and a refused app
 * is logged for whoever runs the bot.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

describe('Trakt refusals', () => {
  it('GIVEN Trakt answers 403 WHEN a user searches THEN they read that Trakt refused the app, and the log says so', async () => {
    const { user } = await stack.linkedUser();
    stack.trakt.setFault('GET /search/*', { statuses: [403] });
    try {
      const reply = await stack.ask(user, user.id, '/search dune');
      expect(reply.text).toContain("Trakt refused this app's request (the app may be blocked");
      expect(reply.text).not.toContain('Sorry, something went wrong');
      expect(stack.logs.lines.some((line) => line.includes('Trakt refused the app') && line.includes('"status":403'))).toBe(true);
    } finally {
      stack.trakt.clearFaults();
    }
  });

  it('GIVEN Trakt answers 426 WHEN a user searches THEN they read that this needs Trakt VIP, with the upgrade link', async () => {
    const { user } = await stack.linkedUser();
    stack.trakt.setFault('GET /search/*', { statuses: [426] });
    try {
      const reply = await stack.ask(user, user.id, '/search dune');
      expect(reply.text).toContain('This needs Trakt VIP');
      expect(reply.text).not.toContain('Sorry, something went wrong');
      expect(buttonsOf(reply).some((b) => b.url !== undefined && /trakt\.tv\/vip/.test(b.url))).toBe(true);
    } finally {
      stack.trakt.clearFaults();
    }
  });
});
