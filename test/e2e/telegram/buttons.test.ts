import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTICES } from '../../../src/bot/core/replies.js';
import type { ApiCallRecord, ChatMessageState, User } from '../../emulators/telegram/index.js';
import { buttonData, startStack, WAIT, type Stack } from './harness.js';

/** Buttons under pressure: double presses, other people's presses, stale and forged data, escaping. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const writesOf = (username: string) => stack.trakt.requests.filter((r) => r.route === 'POST /sync/watchlist' && r.user === username);

function answerCall(queryId: string): Promise<ApiCallRecord> {
  return stack.telegram.waitForCall((c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === queryId, WAIT);
}

/** A press of data Telegram would deliver, e.g. from a keyboard the client still shows after an edit. */
function injectPress(user: User, message: ChatMessageState, data: string): string {
  const id = String(randomInt(1, 2 ** 40));
  stack.telegram.injectUpdate({
    callback_query: {
      id,
      from: user,
      chat_instance: '1',
      data,
      message: message.message,
    },
  });
  return id;
}

describe('double presses', () => {
  it('GIVEN a Confirm button WHEN it is pressed twice at once THEN Trakt gets one write, both presses are answered, the second with a polite alert', async () => {
    const { user, username } = await stack.linkedUser();
    const card = await stack.ask(user, user.id, '/add tt0848228');
    const data = buttonData(card, 'Confirm');
    const first = stack.telegram.pressButton(user, user.id, card.messageId, data);
    const second = stack.telegram.pressButton(user, user.id, card.messageId, data);
    await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Added'), WAIT);
    const answers = [await stack.telegram.callbackAnswer(first, WAIT), await stack.telegram.callbackAnswer(second, WAIT)];
    expect(answers.filter((a) => a.show_alert === true).map((a) => a.text)).toEqual([NOTICES.buttonStale]);
    expect(writesOf(username)).toHaveLength(1);
    expect(stack.trakt.watchlist(username)).toHaveLength(1);
  });
});

describe('stale, forged and foreign buttons', () => {
  it('GIVEN a Confirm that was already used WHEN its old data arrives again THEN the user gets a polite alert and nothing is written', async () => {
    const { user, username } = await stack.linkedUser();
    const card = await stack.ask(user, user.id, '/add tt0848228');
    const data = buttonData(card, 'Confirm');
    stack.telegram.pressButton(user, user.id, card.messageId, data);
    const added = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Added'), WAIT);
    const stale = injectPress(user, added, data);
    expect((await answerCall(stale)).params).toMatchObject({ text: NOTICES.buttonStale, show_alert: true });
    expect(writesOf(username)).toHaveLength(1);
  });

  it('GIVEN forged callback data WHEN it arrives THEN the answer is an alert and nothing happens', async () => {
    const { user, username } = await stack.linkedUser();
    const card = await stack.ask(user, user.id, '/add tt0848228');
    const calls = stack.telegram.calls.length;
    const forged = [
      injectPress(user, card, 'v1:confirm:AAAAAAAAAAAAAA'),
      injectPress(user, card, 'v2:confirm:x'),
      injectPress(user, card, '{"op":"add"}'),
      injectPress(user, card, `v1:undo:${buttonData(card, 'Confirm').split(':')[2] ?? ''}`),
    ];
    for (const id of forged) expect((await answerCall(id)).params.show_alert).toBe(true);
    expect(writesOf(username)).toHaveLength(0);
    const edits = stack.telegram.calls.slice(calls).filter((c) => c.method.startsWith('edit') || c.method.startsWith('send'));
    expect(edits).toEqual([]);
  });

  it('GIVEN a card in a group WHEN someone else presses Confirm THEN they get a short alert and nothing changes; the owner\'s press then acts', async () => {
    const { user: alice, username } = await stack.linkedUser({ name: 'Alice' });
    const bob = stack.newUser('Bob');
    const group = stack.telegram.group({ id: -randomInt(10_000, 2 ** 40), title: 'Movie night', type: 'supergroup' });
    const card = await stack.ask(alice, group.id, `/add@${stack.telegram.botUser.username ?? ''} tt0848228`);
    expect(card.text).toContain('The Avengers');

    const foreign = stack.telegram.pressButton(bob, group.id, card.messageId, buttonData(card, 'Confirm'));
    expect(await stack.telegram.callbackAnswer(foreign, WAIT)).toMatchObject({ text: NOTICES.buttonForeign, show_alert: true });
    expect(stack.telegram.message(group.id, card.messageId)?.text).toEqual(card.text);
    expect(writesOf(username)).toHaveLength(0);

    await stack.press(alice, group.id, card, 'Confirm');
    await stack.telegram.waitForMessageState(group.id, card.messageId, (m) => m.text.includes('Added'), WAIT);
    expect(writesOf(username)).toHaveLength(1);
  });

  it('GIVEN a press WHEN the bot handles it THEN the callback query is answered before any Trakt work shows in the chat', async () => {
    const { user } = await stack.linkedUser();
    const card = await stack.ask(user, user.id, '/add tt0848228');
    const query = await stack.press(user, user.id, card, 'Confirm');
    await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Added'), WAIT);
    const answered = await answerCall(query);
    const edit = stack.telegram.calls.find((c) => c.method.startsWith('edit') && c.params.message_id === card.messageId && c.params.chat_id === user.id);
    expect(edit).toBeDefined();
    expect(answered.seq).toBeLessThan(edit?.seq ?? 0);
    expect(answered.params).toMatchObject({ text: 'Working on it…' });
  });
});

describe('commands in groups', () => {
  it('GIVEN a group WHEN a command is addressed to another bot THEN Marquee stays silent; addressed to Marquee THEN it answers', async () => {
    const alice = stack.newUser('Alice');
    const group = stack.telegram.group({ id: -randomInt(10_000, 2 ** 40), title: 'Film club', type: 'group' });
    stack.telegram.sendText(alice, group.id, '/help@some_other_bot');
    const reply = await stack.ask(alice, group.id, `/help@${stack.telegram.botUser.username ?? ''}`);
    expect(reply.text).toContain('Marquee keeps your Trakt watchlist at hand');
    expect(stack.telegram.botMessages(group.id)).toHaveLength(1);
  });
});

describe('HTML escaping and limits', () => {
  it('GIVEN titles with <, & and " WHEN they appear on cards THEN they render exactly as written', async () => {
    const { user } = await stack.linkedUser();
    const movie = await stack.ask(user, user.id, '/search movies Tom & Jerry: "The Chase" 2021');
    expect(movie.text).toContain('Tom & Jerry: "The Chase" <Director\'s Cut> (2021)');
    expect(movie.source).toContain('Tom &amp; Jerry: &quot;The Chase&quot; &lt;Director\'s Cut&gt;');
    const show = await stack.ask(user, user.id, '/search shows the bold beautiful');
    expect(show.text).toContain('The <b>Bold</b> & the "Beautiful" (2019)');
    expect(show.entities.filter((e) => e.type === 'bold').length).toBeGreaterThan(0);
    const entity = await stack.ask(user, user.id, '/search fish chips live');
    expect(entity.text).toContain('Fish &amp; Chips &lt;Live&gt;');
  });

  it('GIVEN any message the bot sent WHEN checked THEN Telegram accepted every text, caption and button (no over-long text, bad entity or oversized callback data)', () => {
    for (const call of stack.telegram.calls) {
      const markup = call.params.reply_markup as { inline_keyboard?: Array<Array<{ callback_data?: string }>> } | undefined;
      for (const button of markup?.inline_keyboard?.flat() ?? []) {
        if (button.callback_data !== undefined) expect(Buffer.byteLength(button.callback_data)).toBeLessThanOrEqual(64);
      }
      expect(call.ok ? '' : `${call.method}: ${call.error ?? ''}`).not.toMatch(/too long|MESSAGE_TOO_LONG|BUTTON_DATA_INVALID|can't parse entities/i);
    }
  });
});
