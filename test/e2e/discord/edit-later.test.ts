import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL_ID, shownText, startDiscordStack, type DiscordStack } from './harness.js';

/**
 * The outbox edits a message the bot sent earlier by channel id and message id: also a card that
 * was first sent as an interaction reply, after its interaction token expired (shortened here from
 * Discord's 15 minutes).
 */
const TOKEN_TTL_MS = 4_000;
let stack: DiscordStack;
beforeAll(async () => {
  stack = await startDiscordStack({ discord: { interactionTokenTtlMs: TOKEN_TTL_MS } });
});
afterAll(async () => {
  await stack?.close();
});

const channelEdits = (messageId: string) => stack.discord.calls.filter((c) => c.method === 'PATCH' && c.path.endsWith(`/channels/${CHANNEL_ID}/messages/${messageId}`));

describe('Discord: editing a card later through the outbox', () => {
  it('GIVEN a message sent through the outbox WHEN it is edited by its reference THEN the same message changes, by channel and message id', async () => {
    const ref = await stack.service.outbox.send({ platform: 'discord', chatId: CHANNEL_ID }, { text: 'Importing your list…' });
    expect(ref).toMatchObject({ platform: 'discord', chatId: CHANNEL_ID });
    const edited = await stack.service.outbox.edit(ref!, { text: 'Imported 12 titles.', buttons: [[{ label: 'Open Trakt', url: 'https://trakt.tv/users' }]] });
    expect(edited).toEqual(ref);
    const message = stack.discord.message(ref!.messageId);
    expect(message && shownText(message)).toBe('Imported 12 titles.');
    expect(channelEdits(ref!.messageId)).toHaveLength(1);
  });

  it('GIVEN a card sent as an interaction reply WHEN its token has expired and the outbox edits it THEN the card changes through the channel route', async () => {
    const { user } = await stack.linkedUser();
    const final = await stack.ask(user, 'search', { query: 'the avengers' });
    expect(final.ephemeral).toBe(false);
    const ref = { platform: 'discord' as const, chatId: final.message.channelId, messageId: final.message.id };
    await new Promise((resolve) => setTimeout(resolve, TOKEN_TTL_MS + 200));
    const edited = await stack.service.outbox.edit(ref, { text: 'Search closed.' });
    expect(edited).toEqual(ref);
    const message = stack.discord.message(ref.messageId);
    expect(message && shownText(message)).toBe('Search closed.');
    expect(message?.components).toEqual([]);
    expect(channelEdits(ref.messageId)).toHaveLength(1);
  });
});
