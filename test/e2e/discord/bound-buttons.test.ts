import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTICES } from '../../../src/bot/core/replies.js';
import { findPendingAction } from '../../../src/db/queries/pending-actions.js';
import type { InteractionHandle } from '../../emulators/discord/index.js';
import { buttonId, EPHEMERAL, GUILD_ID, shownText, startDiscordStack, WAIT, type DiscordStack } from './harness.js';

/**
 * Bug 5: a button is bound to its owner, its channel and its message. An interaction that carries
 * Alice's real custom_id, from Alice's user id, on a message in another channel or on another of
 * the bot's messages must not make the bot edit or delete anything; Alice's card keeps working.
 */
const OTHER_CHANNEL_ID = '310000000000000099';
let stack: DiscordStack;
beforeAll(async () => {
  stack = await startDiscordStack();
  stack.discord.addChannel(GUILD_ID, { id: OTHER_CHANNEL_ID, name: 'mallory' });
});
afterAll(async () => {
  await stack?.close();
});

const changes = (since: number) => stack.discord.calls.slice(since).filter((c) => (c.method === 'PATCH' || c.method === 'DELETE') && c.path.includes('/messages/'));

async function refused(handle: InteractionHandle): Promise<void> {
  const answer = await handle.response();
  expect(answer.type).toBe(4);
  expect(Number(answer.data?.flags) & EPHEMERAL).toBe(EPHEMERAL);
  expect(String(answer.data?.content)).toContain(NOTICES.buttonStale);
}

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

describe('buttons bound to their channel and message', () => {
  it("GIVEN Alice's Confirm card WHEN her custom_id arrives, from her, on a message in another channel THEN nothing is edited or deleted, and her card still works", async () => {
    const alice = await stack.linkedUser({ name: 'alice' });
    const mallory = stack.newUser('mallory');
    const decoy = await stack.discord.slashCommand({ user: mallory, channelId: OTHER_CHANNEL_ID, guildId: GUILD_ID, name: 'help' }).waitForFinal(WAIT);
    const card = await stack.ask(alice.user, 'add', { title: 'tt0848228' });
    const customId = buttonId(card.message, 'Confirm');
    const since = stack.discord.calls.length;

    await refused(stack.discord.forgeButtonClick({ user: alice.user, message: decoy.message, customId }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(changes(since)).toEqual([]);
    expect(stack.discord.message(decoy.message.id)?.history).toHaveLength(decoy.message.history.length);
    expect(stack.trakt.watchlist(alice.username)).toEqual([]);

    const added = await stack.click(alice.user, card.message, 'Confirm').waitForFinal(WAIT);
    expect(shownText(added)).toContain('Added to your watchlist');
  });

  it("GIVEN Alice's Confirm card WHEN her custom_id arrives, from her, on another bot message in the same channel THEN nothing is edited or deleted, and her card still works", async () => {
    const alice = await stack.linkedUser({ name: 'alice' });
    const earlier = await stack.ask(alice.user, 'help');
    const card = await stack.ask(alice.user, 'add', { title: 'tt0848228' });
    const customId = buttonId(card.message, 'Confirm');
    expect(await boundMessageOf(customId)).toBe(card.message.id);
    const since = stack.discord.calls.length;

    await refused(stack.discord.forgeButtonClick({ user: alice.user, message: earlier.message, customId }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(changes(since)).toEqual([]);
    expect(stack.trakt.watchlist(alice.username)).toEqual([]);

    const added = await stack.click(alice.user, card.message, 'Confirm').waitForFinal(WAIT);
    expect(shownText(added)).toContain('Added to your watchlist');
  });
});
