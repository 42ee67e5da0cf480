import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonsOf, startStack, WAIT, type Stack } from './harness.js';

/** Issue 13: Telegram inline mode (`@bot dune` in any chat → a card with Add to my watchlist for whoever presses it). */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ telegram: { inlineMode: true } });
});
afterAll(async () => {
  await stack?.close();
});

const searches = () => stack.trakt.requests.filter((r) => r.route.startsWith('GET /search/')).length;

function newGroup(title: string) {
  return stack.telegram.group({ id: -randomInt(1_000_000, 2 ** 40), title, type: 'supergroup' });
}

describe('Telegram inline mode', () => {
  it('GIVEN @bot dune THEN the answer lists Dune within Telegram’s limits, briefly cached and personal; the same query again costs no Trakt search', async () => {
    const user = stack.newUser('Ina');
    const before = searches();
    const first = await stack.telegram.inlineAnswer(stack.telegram.inlineQuery(user, 'dune'), WAIT);
    expect(first.results.length).toBeGreaterThan(0);
    expect(first.results.length).toBeLessThanOrEqual(50);
    expect(new Set(first.results.map((r) => r.id)).size).toBe(first.results.length);
    for (const r of first.results) expect(Buffer.byteLength(r.id)).toBeLessThanOrEqual(64);
    expect(first.results.map((r) => r.title)).toContain('Dune (2021)');
    expect(first.is_personal).toBe(true);
    expect(first.cache_time).toBeGreaterThan(0);
    expect(first.cache_time).toBeLessThanOrEqual(300);
    // No poster was uploaded yet: articles without a thumbnail (Trakt's images are never hot-linked).
    const dune = first.results.find((r) => r.title === 'Dune (2021)');
    expect(dune).toMatchObject({ type: 'article' });
    expect(JSON.stringify(first.results)).not.toContain('/images/');
    expect(searches() - before).toBe(1);

    const again = await stack.telegram.inlineAnswer(stack.telegram.inlineQuery(user, 'dune'), WAIT);
    expect(again.results.map((r) => r.id)).toEqual(first.results.map((r) => r.id));
    expect(searches() - before).toBe(1);
  });

  it('GIVEN a chosen result in a group THEN its card is posted via the bot; Add to my watchlist writes to the presser’s list only and answers privately; an unlinked presser gets the link prompt privately', async () => {
    const chooser = await stack.linkedUser({ name: 'Chooser' });
    const member = await stack.linkedUser({ name: 'Member' });
    const stranger = stack.newUser('Stranger');
    for (const u of [member.user, stranger]) await stack.ask(u, u.id, '/start');
    const group = newGroup('Movie night');

    const queryId = stack.telegram.inlineQuery(chooser.user, 'dune', { chatType: 'supergroup' });
    const answer = await stack.telegram.inlineAnswer(queryId, WAIT);
    const dune = answer.results.find((r) => r.title === 'Dune (2021)');
    expect(dune).toBeDefined();
    const sent = stack.telegram.chooseInlineResult(chooser.user, group.id, queryId, dune!.id);
    expect(sent.via_bot?.username).toBe(stack.telegram.botUser.username);
    const card = stack.telegram.message(group.id, sent.message_id)!;
    expect(card.text).toContain('Dune');
    expect(card.text).toContain('2021');
    expect(buttonsOf(card).map((b) => b.label)).toEqual(['➕ Add to my watchlist', '🌐 Open on Trakt']);
    expect(stack.telegram.inlineMessageIdOf(group.id, sent.message_id)).toBeDefined();

    // A linked member: the title lands on their list only, and the answer comes in their private chat.
    const press = await stack.press(member.user, group.id, card, 'Add to my watchlist');
    expect(await stack.telegram.callbackAnswer(press, WAIT)).toMatchObject({ text: 'Adding it to your watchlist…' });
    await stack.telegram.waitForBotMessage(member.user.id, (m) => m.text.includes('Added to your watchlist') && m.text.includes('Dune'), WAIT);
    expect(stack.trakt.watchlist(member.username).map((r) => r.ref.type)).toEqual(['movie']);
    expect(stack.trakt.watchlist(chooser.username)).toEqual([]);

    // Unlinked: the link prompt, privately; nothing written anywhere.
    const strangerPress = await stack.press(stranger, group.id, card, 'Add to my watchlist');
    await stack.telegram.callbackAnswer(strangerPress, WAIT);
    const prompt = await stack.telegram.waitForBotMessage(stranger.id, (m) => m.text.includes('Link it first'), WAIT);
    expect(buttonsOf(prompt).length).toBeGreaterThan(0);
    expect(stack.trakt.watchlist(chooser.username)).toEqual([]);

    // A user's own button (bound to their private chat) pressed as if it sat on the inline message acts nowhere.
    const own = await stack.ask(member.user, member.user.id, '/add dune 1984', (m) => buttonsOf(m).some((b) => b.label.includes('Confirm')));
    const forged = String(randomInt(1, 2 ** 40));
    const inlineMessageId = stack.telegram.inlineMessageIdOf(group.id, sent.message_id)!;
    stack.telegram.injectUpdate({ callback_query: { id: forged, from: member.user, chat_instance: '1', inline_message_id: inlineMessageId, data: buttonsOf(own).find((b) => b.label.includes('Confirm'))!.data! } });
    const refused = await stack.telegram.waitForCall((c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === forged, WAIT);
    expect(refused.params).toMatchObject({ show_alert: true });
    expect(stack.trakt.watchlist(member.username)).toHaveLength(1);

    // The bot said nothing in the group, and the shared card is unchanged.
    expect(stack.telegram.botMessages(group.id)).toEqual([]);
    expect(stack.telegram.message(group.id, sent.message_id)?.edits).toEqual([]);
  });

  it('GIVEN a title whose poster was uploaded for a card before THEN its inline result is a cached photo, and choosing it posts the card with the poster', async () => {
    const { user } = await stack.linkedUser({ name: 'Poster' });
    const shown = await stack.ask(user, user.id, '/add dune');
    expect(shown.kind).toBe('photo');
    const queryId = stack.telegram.inlineQuery(user, 'dune');
    const answer = await stack.telegram.inlineAnswer(queryId, WAIT);
    const dune = answer.results.find((r) => r.title === 'Dune (2021)');
    expect(dune).toMatchObject({ type: 'photo', photo_file_id: shown.photoFileId });
    const group = newGroup('Posters');
    const sent = stack.telegram.chooseInlineResult(user, group.id, queryId, dune!.id);
    const card = stack.telegram.message(group.id, sent.message_id)!;
    expect(card.kind).toBe('photo');
    expect(card.photoFileId).toBe(shown.photoFileId);
    expect(buttonsOf(card).map((b) => b.label)).toContain('➕ Add to my watchlist');
  });
});
