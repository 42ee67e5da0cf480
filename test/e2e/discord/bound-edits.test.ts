import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTICES } from '../../../src/bot/core/replies.js';
import { findPendingAction } from '../../../src/db/queries/pending-actions.js';
import { buttonId, EPHEMERAL, shownText, startDiscordStack, WAIT, type DiscordStack } from './harness.js';

/**
 * The buttons of a card that a click edits in place are stored bound to that message when they are
 * made (no bind after the edit); they act from that message only, as bound-buttons.test.ts checks
 * for new cards.
 */
let stack: DiscordStack;
beforeAll(async () => {
  stack = await startDiscordStack();
});
afterAll(async () => {
  await stack?.close();
});

const changes = (since: number) => stack.discord.calls.slice(since).filter((c) => (c.method === 'PATCH' || c.method === 'DELETE') && c.path.includes('/messages/'));

describe('buttons of an edited card', () => {
  it("GIVEN Alice's card edited in place by Confirm THEN its Undo is bound to that message; WHEN Undo's custom_id arrives on another bot message THEN nothing is edited, and Undo still works", async () => {
    const alice = await stack.linkedUser({ name: 'alice' });
    const earlier = await stack.ask(alice.user, 'help');
    const card = await stack.ask(alice.user, 'add', { title: 'tt0848228' });
    const added = await stack.click(alice.user, card.message, 'Confirm').waitForFinal(WAIT);
    expect(added.message.id).toBe(card.message.id);
    expect(shownText(added)).toContain('Added to your watchlist');
    const undo = buttonId(added.message, 'Undo');
    expect(await findPendingAction(stack.service.database.db, undo.split(':')[2] ?? '')).toMatchObject({ messageId: card.message.id });
    const since = stack.discord.calls.length;

    const answer = await stack.discord.forgeButtonClick({ user: alice.user, message: earlier.message, customId: undo }).response();
    expect(answer.type).toBe(4);
    expect(Number(answer.data?.flags) & EPHEMERAL).toBe(EPHEMERAL);
    expect(String(answer.data?.content)).toContain(NOTICES.buttonStale);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(changes(since)).toEqual([]);
    expect(stack.trakt.watchlist(alice.username)).toHaveLength(1);

    const undone = await stack.click(alice.user, added.message, 'Undo').waitForFinal(WAIT);
    expect(shownText(undone)).toContain('off your watchlist');
    expect(stack.trakt.watchlist(alice.username)).toEqual([]);
  });
});
