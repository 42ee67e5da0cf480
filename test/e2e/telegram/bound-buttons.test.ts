import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPendingAction } from '../../../src/db/queries/pending-actions.js';
import { buttonData, startStack, WAIT, type Stack } from './harness.js';

/**
 * Bug 5: a button is bound to its owner, its chat and its message. A forged callback query that
 * carries Alice's real callback data on another chat's message, or on another of her messages, must
 * not make the bot edit or delete anything anywhere; Alice's card keeps working.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const writesOf = (username: string) => stack.trakt.requests.filter((r) => r.route === 'POST /sync/watchlist' && r.user === username);
const EDITS = /^(edit|delete)/;


/** The message id the card's buttons are bound to, once the adapter has bound them (undefined if it never does). */
async function boundMessageOf(data: string): Promise<string | undefined> {
  const id = data.split(':')[2] ?? '';
  const deadline = Date.now() + 2_000;
  while (Date.now() < deadline) {
    const row = await findPendingAction(stack.service.database.db, id);
    if (row?.messageId != null) return row.messageId;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return undefined;
}

describe('buttons bound to their chat and message', () => {
  it("GIVEN Alice's Confirm card WHEN her callback data arrives on a message in Mallory's chat THEN nothing is edited or deleted anywhere, and her card still works", async () => {
    const { user: alice, username } = await stack.linkedUser({ name: 'Alice' });
    const mallory = stack.newUser('Mallory');
    const decoy = await stack.ask(mallory, mallory.id, '/start');
    const card = await stack.ask(alice, alice.id, '/add tt0848228');
    const data = buttonData(card, 'Confirm');
    const calls = stack.telegram.calls.length;

    const forged = [stack.injectPress(alice, decoy, data), stack.injectPress(mallory, decoy, data)];
    for (const id of forged) expect((await stack.answerOf(id)).params.show_alert).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stack.telegram.calls.slice(calls).filter((c) => EDITS.test(c.method))).toEqual([]);
    expect(writesOf(username)).toHaveLength(0);
    expect(stack.telegram.message(mallory.id, decoy.messageId)?.edits).toEqual([]);

    stack.telegram.pressButton(alice, alice.id, card.messageId, data);
    await stack.telegram.waitForMessageState(alice.id, card.messageId, (m) => m.text.includes('Added'), WAIT);
    expect(writesOf(username)).toHaveLength(1);
  });

  it("GIVEN Alice's Confirm card WHEN its data arrives on another message of her own chat THEN nothing is edited or deleted, and the card still works", async () => {
    const { user: alice, username } = await stack.linkedUser({ name: 'Alice' });
    const earlier = await stack.ask(alice, alice.id, '/help');
    const card = await stack.ask(alice, alice.id, '/add tt0848228');
    const data = buttonData(card, 'Confirm');
    expect(await boundMessageOf(data)).toBe(String(card.messageId));
    const calls = stack.telegram.calls.length;

    const forged = stack.injectPress(alice, earlier, data);
    expect((await stack.answerOf(forged)).params.show_alert).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stack.telegram.calls.slice(calls).filter((c) => EDITS.test(c.method))).toEqual([]);
    expect(writesOf(username)).toHaveLength(0);

    stack.telegram.pressButton(alice, alice.id, card.messageId, data);
    await stack.telegram.waitForMessageState(alice.id, card.messageId, (m) => m.text.includes('Added'), WAIT);
    expect(writesOf(username)).toHaveLength(1);
  });
});
