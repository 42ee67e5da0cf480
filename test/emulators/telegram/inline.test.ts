// Inline mode, spoken without grammY: inline queries, answerInlineQuery's checks, choosing a result,
// presses on and edits of messages sent via the bot.
import { afterEach, describe, expect, it } from 'vitest';
import { makePng } from './images.js';
import { startTelegramEmulator } from './emulator.js';
import type { TelegramEmulator, TelegramEmulatorOptions, Update, User } from './types.js';

let emu: TelegramEmulator;
let alice: User;
let bob: User;

async function start(options: TelegramEmulatorOptions = {}): Promise<void> {
  emu = await startTelegramEmulator({ inlineMode: true, ...options });
  alice = emu.user({ id: 1001, firstName: 'Alice', username: 'alice' });
  bob = emu.user({ id: 1002, firstName: 'Bob' });
  emu.privateChat(alice);
  emu.privateChat(bob);
}
afterEach(async () => {
  await emu.close();
});

async function call(method: string, payload: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${emu.apiRoot}/bot${emu.token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const keyboard = { inline_keyboard: [[{ text: 'Add', callback_data: 'add:m1' }]] };
const article = (id: string, extra: Record<string, unknown> = {}) => ({
  type: 'article',
  id,
  title: `Title ${id}`,
  input_message_content: { message_text: `<b>Card</b> ${id}`, parse_mode: 'HTML' },
  reply_markup: keyboard,
  ...extra,
});

describe('inline queries', () => {
  it('GIVEN inline mode off THEN getMe says so and users cannot send inline queries', async () => {
    await start({ inlineMode: false });
    expect((await call('getMe', {})).body.result).toMatchObject({ supports_inline_queries: false });
    expect(() => emu.inlineQuery(alice, 'dune')).toThrow(/inline mode is off/);
  });

  it('GIVEN a query THEN an inline_query update comes; answerInlineQuery is checked as Telegram checks it and answers once', async () => {
    await start();
    expect((await call('getMe', {})).body.result).toMatchObject({ supports_inline_queries: true });
    const id = emu.inlineQuery(alice, 'dune', { chatType: 'group' });
    const update = emu.updates.at(-1) as Update;
    expect(update.inline_query).toMatchObject({ id, query: 'dune', offset: '', chat_type: 'group', from: { id: alice.id } });

    const bad = async (results: unknown, description: string) =>
      expect((await call('answerInlineQuery', { inline_query_id: id, results })).body).toMatchObject({ ok: false, error_code: 400, description: `Bad Request: ${description}` });
    await bad(Array.from({ length: 51 }, (_, i) => article(`a${i}`)), 'RESULTS_TOO_MUCH');
    await bad([article('x'.repeat(65))], 'RESULT_ID_INVALID');
    await bad([article('a'), article('a')], 'RESULT_ID_DUPLICATE');
    await bad([article('a', { title: '' })], 'RESULT_TITLE_EMPTY');
    await bad([{ type: 'nonsense', id: 'a' }], 'RESULT_TYPE_INVALID');
    await bad([{ type: 'photo', id: 'p', photo_file_id: 'AgACnope' }], 'wrong file identifier/HTTP URL specified');
    await bad([article('a', { reply_markup: { inline_keyboard: [[{ text: 'x', callback_data: 'y'.repeat(65) }]] } })], 'BUTTON_DATA_INVALID');
    await bad([article('a', { input_message_content: { message_text: '<b>open', parse_mode: 'HTML' } })], 'can\'t parse entities: Can\'t find end tag corresponding to start tag "b"');

    const ok = await call('answerInlineQuery', { inline_query_id: id, results: [article('a')], cache_time: 30, is_personal: true });
    expect(ok.body).toEqual({ ok: true, result: true });
    expect(await emu.inlineAnswer(id)).toMatchObject({ cache_time: 30, is_personal: true, results: [{ id: 'a', type: 'article' }] });
    expect((await call('answerInlineQuery', { inline_query_id: id, results: [] })).body).toMatchObject({
      ok: false,
      description: 'Bad Request: query is too old and response timeout expired or query ID is invalid',
    });
  });
});

describe('chosen results and inline messages', () => {
  it('GIVEN a chosen article THEN it is posted via the bot with an inline_message_id; a press carries that id and no message; edits by inline_message_id answer True', async () => {
    await start({ inlineFeedback: true });
    const group = emu.group({ id: -500, title: 'G', type: 'supergroup' });
    const id = emu.inlineQuery(alice, 'dune');
    await call('answerInlineQuery', { inline_query_id: id, results: [article('a'), article('b')] });
    expect(() => emu.chooseInlineResult(bob, group.id, id, 'a')).toThrow(/not 1002's|1001's/);
    expect(() => emu.chooseInlineResult(alice, group.id, id, 'zz')).toThrow(/no answered result/);

    const sent = emu.chooseInlineResult(alice, group.id, id, 'b');
    expect(sent).toMatchObject({ from: { id: alice.id }, via_bot: { id: emu.botUser.id }, text: 'Card b', reply_markup: keyboard });
    const inlineId = emu.inlineMessageIdOf(group.id, sent.message_id);
    expect(inlineId).toBeDefined();
    expect(emu.updates.at(-1)?.chosen_inline_result).toMatchObject({ result_id: 'b', query: 'dune', inline_message_id: inlineId });

    const queryId = emu.pressButton(bob, group.id, sent.message_id, 'add:m1');
    const press = emu.updates.at(-1)?.callback_query;
    expect(press).toMatchObject({ id: queryId, inline_message_id: inlineId, data: 'add:m1', from: { id: bob.id } });
    expect(press?.message).toBeUndefined();

    const edited = await call('editMessageText', { inline_message_id: inlineId, text: 'Edited', reply_markup: keyboard });
    expect(edited.body).toEqual({ ok: true, result: true });
    expect(emu.message(group.id, sent.message_id)?.text).toBe('Edited');
    expect((await call('editMessageCaption', { inline_message_id: inlineId, caption: 'x' })).body).toMatchObject({
      description: 'Bad Request: there is no caption in the message to edit',
    });
    expect((await call('editMessageText', { inline_message_id: 'nope', text: 'x' })).body).toMatchObject({ description: 'Bad Request: MESSAGE_ID_INVALID' });
    // A message the user wrote themselves is still not the bot's to edit.
    const own = emu.sendText(alice, group.id, 'mine');
    expect((await call('editMessageText', { chat_id: group.id, message_id: own.message_id, text: 'x' })).body).toMatchObject({
      description: "Bad Request: message can't be edited",
    });
  });

  it('GIVEN a cached photo result THEN choosing it posts the photo with its caption', async () => {
    await start();
    emu.sendText(alice, alice.id, 'hi');
    const form = new FormData();
    form.set('chat_id', String(alice.id));
    form.set('photo', new Blob([makePng(4, 6)]), 'p.png');
    const res = await fetch(`${emu.apiRoot}/bot${emu.token}/sendPhoto`, { method: 'POST', body: form });
    const photo = ((await res.json()) as { result: { photo: Array<{ file_id: string }> } }).result.photo.at(-1)!.file_id;
    const id = emu.inlineQuery(alice, 'dune');
    const answered = await call('answerInlineQuery', {
      inline_query_id: id,
      results: [{ type: 'photo', id: 'p', photo_file_id: photo, title: 'Dune', caption: '<i>Dune</i>', parse_mode: 'HTML', reply_markup: keyboard }],
    });
    expect(answered.body.ok).toBe(true);
    const sent = emu.chooseInlineResult(alice, alice.id, id, 'p');
    const shown = emu.message(alice.id, sent.message_id);
    expect(shown).toMatchObject({ kind: 'photo', photoFileId: photo, caption: 'Dune' });
  });
});
