import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPendingAction } from '../../../src/db/queries/pending-actions.js';
import { buttonData, startStack, WAIT, type Stack } from './harness.js';

/**
 * The buttons of a card that a press edits in place are stored bound to that message when they are
 * made (no bind after the edit); a card Telegram has to send as a new message is bound to that one.
 * Either way its buttons act from their own message only, as bound-buttons.test.ts checks for new cards.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const EDITS = /^(edit|delete)/;
const writesOf = (username: string) => stack.trakt.requests.filter((r) => r.route === 'POST /sync/watchlist' && r.user === username);


const rowOf = (data: string) => findPendingAction(stack.service.database.db, data.split(':')[2] ?? '');

describe('buttons of an edited card', () => {
  it("GIVEN Alice's card edited in place by Confirm THEN its Undo is bound to that message; WHEN Undo's data arrives on another of her messages THEN nothing is edited, and Undo still works", async () => {
    const { user: alice, username } = await stack.linkedUser({ name: 'Alice' });
    const earlier = await stack.ask(alice, alice.id, '/help');
    const card = await stack.ask(alice, alice.id, '/add tt0848228');
    await stack.press(alice, alice.id, card, 'Confirm');
    const added = await stack.telegram.waitForMessageState(alice.id, card.messageId, (m) => m.text.includes('Added'), WAIT);
    const undo = buttonData(added, 'Undo');
    expect(await rowOf(undo)).toMatchObject({ chatId: String(alice.id), messageId: String(card.messageId) });
    const calls = stack.telegram.calls.length;

    expect((await stack.answerOf(stack.injectPress(alice, earlier, undo))).params.show_alert).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stack.telegram.calls.slice(calls).filter((c) => EDITS.test(c.method))).toEqual([]);
    expect(writesOf(username)).toHaveLength(1);

    stack.telegram.pressButton(alice, alice.id, card.messageId, undo);
    await stack.telegram.waitForMessageState(alice.id, card.messageId, (m) => m.text.includes('off your watchlist'), WAIT);
  });

  it('GIVEN a poster card that a press turns into a text list (sent as a new message) THEN the list is bound to the new message, not the pressed one', async () => {
    const { user } = await stack.linkedUser();
    const card = await stack.ask(user, user.id, '/add dune');
    await stack.press(user, user.id, card, 'Not this one');
    const list = await stack.telegram.waitForBotMessage(user.id, (m) => m.text.includes('Other matches'), WAIT);
    expect(list.messageId).not.toBe(card.messageId);
    const pick = buttonData(list, 'Dune (1984)');
    await expect.poll(async () => (await rowOf(pick))?.messageId, { timeout: WAIT.timeoutMs }).toBe(String(list.messageId));

    expect((await stack.answerOf(stack.injectPress(user, card, pick))).params.show_alert).toBe(true);
    stack.telegram.pressButton(user, user.id, list.messageId, pick);
    await stack.telegram.waitForBotMessage(user.id, (m) => m.text.includes('Dune (1984)') && m.text.includes('Add to your watchlist?'), WAIT);
  });
});
