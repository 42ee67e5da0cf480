// A real grammY Bot (long polling) against the emulator over HTTP.
import { GrammyError, InlineKeyboard, InputFile, type Bot } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makePng } from './images.js';
import { startTelegramEmulator } from './emulator.js';
import { emulatedBot, startPolling, type PollingBot } from './test-helpers.js';
import { NOT_MODIFIED } from './methods.js';
import type { TelegramEmulator, User } from './types.js';

let emu: TelegramEmulator;
let bot: Bot;
let alice: User;
let running: PollingBot | undefined;

beforeEach(async () => {
  emu = await startTelegramEmulator();
  bot = emulatedBot(emu);
  alice = emu.user({ id: 1001, firstName: 'Alice', username: 'alice', languageCode: 'en' });
  emu.privateChat(alice);
  running = undefined;
});

afterEach(async () => {
  await running?.stop();
  await emu.close();
});

/** Rejection of a grammY call as { error_code, description }. */
async function apiError(promise: Promise<unknown>): Promise<{ error_code: number; description: string; retry_after?: number }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GrammyError) {
      return { error_code: error.error_code, description: error.description, ...(error.parameters.retry_after ? { retry_after: error.parameters.retry_after } : {}) };
    }
    throw error;
  }
  throw new Error('expected the call to fail');
}

// Our bot escapes like this before using parse_mode HTML.
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

describe('long polling', () => {
  it('starts, answers a command in a private chat and stops cleanly', async () => {
    bot.command('start', (ctx) => ctx.reply(`Hi ${ctx.from?.first_name ?? ''}!`));
    running = await startPolling(bot);
    expect(emu.calls.slice(0, 2).map((c) => c.method).sort()).toEqual(['deleteWebhook', 'getMe']);

    const sent = emu.sendText(alice, alice.id, '/start');
    expect(sent.entities).toEqual([{ type: 'bot_command', offset: 0, length: 6 }]);
    const reply = await emu.waitForBotMessage(alice.id);
    expect(reply).toMatchObject({ from: 'bot', text: 'Hi Alice!', kind: 'text', messageId: sent.message_id + 1 });
    const call = await emu.waitForCall('sendMessage');
    expect(call.params).toMatchObject({ chat_id: alice.id, text: 'Hi Alice!' });

    await emu.waitForPoll();
    await running.stop();
    running = undefined;
    // grammY aborts its pending long poll, then confirms what it handled with one last getUpdates
    const confirm = emu.callsOf('getUpdates').find((c) => c.params.limit === 1);
    expect(confirm?.params).toMatchObject({ offset: (emu.updates.at(-1)?.update_id ?? 0) + 1 });
    expect(emu.pendingUpdateCount()).toBe(0);
    expect(bot.isRunning()).toBe(false);
  });

  it('handles /cmd@botname in a group and respects privacy mode', async () => {
    const group = emu.group({ id: -1001234567890, title: 'Movie night', type: 'supergroup' });
    const bob = emu.user({ id: 1002, firstName: 'Bob' });
    const seen: string[] = [];
    bot.on('message:text', async (ctx, next) => {
      seen.push(ctx.message.text);
      await next();
    });
    bot.command('search', (ctx) => ctx.reply(`Searching for “${ctx.match}”`, { reply_parameters: { message_id: ctx.msg.message_id } }));
    running = await startPolling(bot);

    const chatter = emu.sendText(bob, group, 'anyone up for a film?');
    const otherBot = emu.sendText(bob, group, '/search@some_other_bot dune');
    const cmd = emu.sendText(alice, group, '/search@marquee_test_bot dune');
    expect(cmd.entities).toEqual([{ type: 'bot_command', offset: 0, length: 24 }]);

    const reply = await emu.waitForBotMessage(group.id);
    expect(reply).toMatchObject({ text: 'Searching for “dune”', replyToMessageId: cmd.message_id });
    expect(reply.message.reply_to_message?.message_id).toBe(cmd.message_id);
    expect(emu.message(group.id, chatter.message_id)?.deliveredToBot).toBe(false);
    expect(emu.message(group.id, otherBot.message_id)?.deliveredToBot).toBe(false);
    await emu.waitForPoll();
    expect(seen).toEqual(['/search@marquee_test_bot dune']);
  });

  it('runs an inline keyboard → callback query → answer → edit round trip', async () => {
    bot.command('add', (ctx) =>
      ctx.reply('Add <b>Dune</b> to your watchlist?', {
        parse_mode: 'HTML',
        reply_markup: new InlineKeyboard().text('✅ Confirm', 'add:movie:438631').text('Cancel', 'cancel'),
      }),
    );
    bot.callbackQuery(/^add:/, async (ctx) => {
      await ctx.answerCallbackQuery({ text: 'Added!' });
      await ctx.editMessageText('Dune was added to your watchlist.');
    });
    bot.callbackQuery('cancel', (ctx) => ctx.answerCallbackQuery({ text: 'Really cancel?', show_alert: true }));
    running = await startPolling(bot);

    emu.sendText(alice, alice.id, '/add');
    const prompt = await emu.waitForBotMessage(alice.id);
    expect(prompt.text).toBe('Add Dune to your watchlist?');
    expect(prompt.entities).toEqual([{ type: 'bold', offset: 4, length: 4 }]);
    expect(() => emu.pressButton(alice, alice.id, prompt.messageId, 'nope')).toThrow(/no button with callback_data "nope"/);

    const cancelId = emu.pressButton(alice, alice.id, prompt.messageId, 'cancel');
    expect(await emu.callbackAnswer(cancelId)).toEqual({ callback_query_id: cancelId, text: 'Really cancel?', show_alert: true });
    const queryId = emu.pressButtonLabeled(alice, alice.id, prompt.messageId, /Confirm/);
    const answer = await emu.callbackAnswer(queryId);
    expect(answer).toEqual({ callback_query_id: queryId, text: 'Added!' });

    const edited = await emu.waitForMessageState(alice.id, prompt.messageId, (m) => m.edits.length === 1);
    expect(edited.text).toBe('Dune was added to your watchlist.');
    expect(edited.replyMarkup).toBeUndefined(); // editMessageText without reply_markup removes the keyboard
    expect(edited.edits[0]).toMatchObject({ via: 'sendMessage', text: 'Add Dune to your watchlist?' });
    expect(edited.editDate).toBeDefined();

    // a query can be answered once
    expect(await apiError(bot.api.answerCallbackQuery(queryId))).toEqual({
      error_code: 400,
      description: 'Bad Request: query is too old and response timeout expired or query ID is invalid',
    });
    // the keyboard is gone, so the driver refuses to press it again
    expect(() => emu.pressButton(alice, alice.id, prompt.messageId, 'cancel')).toThrow(/no button/);
  });

  it('uploads a photo with InputFile (multipart) and reuses the returned file_id', async () => {
    const png = makePng(600, 900);
    const fileIds: string[] = [];
    bot.command('poster', async (ctx) => {
      const first = await ctx.replyWithPhoto(new InputFile(png, 'dune.png'), {
        caption: '<b>Dune</b> (2021)',
        parse_mode: 'HTML',
        reply_markup: new InlineKeyboard().text('Add', 'add:1'),
      });
      const id = first.photo.at(-1)?.file_id ?? '';
      fileIds.push(id);
      await ctx.replyWithPhoto(id, { caption: 'Again' });
    });
    running = await startPolling(bot);

    emu.sendText(alice, alice.id, '/poster');
    const first = await emu.waitForBotMessage(alice.id);
    const second = await emu.waitForBotMessage(alice.id);

    const [upload, reuse] = emu.callsOf('sendPhoto');
    expect(upload?.transport).toBe('multipart');
    expect(upload?.files).toEqual([{ field: expect.any(String) as unknown, filename: 'dune.png', contentType: 'application/octet-stream', size: png.length }]);
    expect(upload?.params.photo).toBe(`attach://${upload?.files[0]?.field}`);
    expect(upload?.params.reply_markup).toEqual({ inline_keyboard: [[{ text: 'Add', callback_data: 'add:1' }]] });
    expect(reuse?.transport).toBe('json');
    expect(reuse?.params.photo).toBe(fileIds[0]);

    expect(first).toMatchObject({ kind: 'photo', text: 'Dune (2021)', caption: 'Dune (2021)', photoFileId: fileIds[0] });
    expect(first.entities).toEqual([{ type: 'bold', offset: 0, length: 4 }]);
    expect(first.photo?.at(-1)).toMatchObject({ width: 600, height: 900 });
    expect(first.photo?.map((p) => p.width)).toEqual([60, 213, 533, 600]);
    expect(second.photo).toEqual(first.photo);
    expect(second.replyMarkup).toBeUndefined();

    // the stored bytes can be downloaded, and a loopback URL is fetched like Telegram fetches URLs
    const file = await bot.api.getFile(fileIds[0] ?? '');
    const download = await fetch(`${emu.apiRoot}/file/bot${emu.token}/${file.file_path}`);
    expect(Buffer.from(await download.arrayBuffer()).equals(png)).toBe(true);
    const byUrl = await bot.api.sendPhoto(alice.id, `${emu.apiRoot}/file/bot${emu.token}/${file.file_path}`);
    expect(byUrl.photo.at(-1)).toMatchObject({ width: 600, height: 900 });

    expect(await apiError(bot.api.sendPhoto(alice.id, 'https://image.tmdb.org/t/p/w500/dune.jpg'))).toEqual({
      error_code: 400,
      description: 'Bad Request: wrong file identifier/HTTP URL specified',
    });
    expect(await apiError(bot.api.sendPhoto(alice.id, new InputFile(Buffer.from('not an image'), 'x.jpg')))).toEqual({
      error_code: 400,
      description: 'Bad Request: IMAGE_PROCESS_FAILED',
    });
  });
});

describe('validation through grammY', () => {
  beforeEach(() => {
    emu.sendText(alice, alice.id, '/start'); // Alice has started the bot
  });

  it('renders escaped HTML as written and rejects the unescaped title with the parse error', async () => {
    const title = 'Tom & Jerry: "The <Lost> Episode"';
    const ok = await bot.api.sendMessage(alice.id, `<b>${esc(title)}</b> added`, { parse_mode: 'HTML' });
    expect(ok.text).toBe(`${title} added`);
    expect(ok.entities).toEqual([{ type: 'bold', offset: 0, length: title.length }]);
    expect(emu.botMessages(alice.id).at(-1)).toMatchObject({ source: `<b>${esc(title)}</b> added`, parseMode: 'HTML', text: `${title} added` });

    expect(await apiError(bot.api.sendMessage(alice.id, `<b>${title}</b> added`, { parse_mode: 'HTML' }))).toEqual({
      error_code: 400,
      description: 'Bad Request: can\'t parse entities: Unsupported start tag "lost" at byte offset 21',
    });
    expect(await apiError(bot.api.sendMessage(alice.id, '<b>Dune', { parse_mode: 'HTML' }))).toEqual({
      error_code: 400,
      description: 'Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "b"',
    });
  });

  it('limits callback_data to 64 bytes, counting UTF-8 bytes not characters', async () => {
    const fits = `add:${'я'.repeat(30)}`; // 4 + 60 = 64 bytes, 34 characters
    const tooLong = `add:${'я'.repeat(30)}!`; // 65 bytes
    const sent = await bot.api.sendMessage(alice.id, 'Pick', { reply_markup: new InlineKeyboard().text('Add', fits) });
    expect(sent.reply_markup?.inline_keyboard[0]?.[0]).toEqual({ text: 'Add', callback_data: fits });
    expect(await apiError(bot.api.sendMessage(alice.id, 'Pick', { reply_markup: new InlineKeyboard().text('Add', tooLong) }))).toEqual({
      error_code: 400,
      description: 'Bad Request: BUTTON_DATA_INVALID',
    });
  });

  it('rejects empty and too long texts, counting after entity parsing', async () => {
    expect(await apiError(bot.api.sendMessage(alice.id, ''))).toEqual({ error_code: 400, description: 'Bad Request: message text is empty' });
    expect(await apiError(bot.api.sendMessage(alice.id, 'x'.repeat(4097)))).toEqual({ error_code: 400, description: 'Bad Request: message is too long' });
    const long = await bot.api.sendMessage(alice.id, `<b>${'x'.repeat(4096)}</b>`, { parse_mode: 'HTML' });
    expect(long.text).toHaveLength(4096);
    const photo = (await bot.api.sendPhoto(alice.id, new InputFile(makePng(10, 10)))).photo.at(-1)?.file_id ?? '';
    expect(await apiError(bot.api.sendPhoto(alice.id, photo, { caption: 'c'.repeat(1025) }))).toEqual({
      error_code: 400,
      description: 'Bad Request: message caption is too long',
    });
  });

  it('reports "message is not modified", unknown messages and deletions', async () => {
    const keyboard = new InlineKeyboard().text('Refresh', 'refresh');
    const msg = await bot.api.sendMessage(alice.id, 'Watchlist: 3 items', { reply_markup: keyboard });
    expect(await apiError(bot.api.editMessageText(alice.id, msg.message_id, 'Watchlist: 3 items', { reply_markup: keyboard }))).toEqual({
      error_code: 400,
      description: `Bad Request: ${NOT_MODIFIED}`,
    });
    // same text, keyboard dropped: that is a modification
    await bot.api.editMessageText(alice.id, msg.message_id, 'Watchlist: 3 items');
    expect(await apiError(bot.api.editMessageReplyMarkup(alice.id, msg.message_id))).toEqual({
      error_code: 400,
      description: `Bad Request: ${NOT_MODIFIED}`,
    });
    expect(await apiError(bot.api.editMessageText(alice.id, 999, 'x'))).toEqual({ error_code: 400, description: 'Bad Request: message to edit not found' });
    await bot.api.deleteMessage(alice.id, msg.message_id);
    expect(await apiError(bot.api.deleteMessage(alice.id, msg.message_id))).toEqual({
      error_code: 400,
      description: 'Bad Request: message to delete not found',
    });
    expect(emu.message(alice.id, msg.message_id)).toMatchObject({ deleted: true, edits: [expect.objectContaining({ text: 'Watchlist: 3 items' }) as unknown] });
  });

  it('knows who the bot may write to', async () => {
    const carol = emu.user({ id: 1003, firstName: 'Carol' });
    emu.privateChat(carol);
    expect(await apiError(bot.api.sendMessage(carol.id, 'hello'))).toEqual({
      error_code: 403,
      description: "Forbidden: bot can't initiate conversation with a user",
    });
    expect(await apiError(bot.api.sendMessage(424242, 'hello'))).toEqual({ error_code: 400, description: 'Bad Request: chat not found' });
    emu.blockBot(alice);
    expect(await apiError(bot.api.sendMessage(alice.id, 'hello'))).toEqual({ error_code: 403, description: 'Forbidden: bot was blocked by the user' });
  });

  it('answers 429 with retry_after after setFlood', async () => {
    emu.setFlood(alice.id, 3);
    expect(await apiError(bot.api.sendMessage(alice.id, 'hi'))).toEqual({
      error_code: 429,
      description: 'Too Many Requests: retry after 3',
      retry_after: 3,
    });
    await bot.api.sendMessage(alice.id, 'hi');
  });

  it('records setMyCommands per scope and language', async () => {
    await bot.api.setMyCommands([
      { command: 'search', description: 'Search a film or show' },
      { command: 'watchlist', description: 'Show your watchlist' },
    ]);
    await bot.api.setMyCommands([{ command: 'suche', description: 'Film suchen' }], { language_code: 'de', scope: { type: 'all_private_chats' } });
    expect(emu.commands()?.map((c) => c.command)).toEqual(['search', 'watchlist']);
    expect(emu.commands({ type: 'all_private_chats' }, 'de')).toEqual([{ command: 'suche', description: 'Film suchen' }]);
    expect(await bot.api.getMyCommands({ scope: { type: 'all_private_chats' }, language_code: 'de' })).toEqual([
      { command: 'suche', description: 'Film suchen' },
    ]);
    expect(await bot.api.getMyCommands({ language_code: 'de' })).toEqual([]);
    expect(await apiError(bot.api.setMyCommands([{ command: 'Search', description: 'x' }]))).toEqual({
      error_code: 400,
      description: 'Bad Request: BOT_COMMAND_INVALID',
    });
    await bot.api.deleteMyCommands();
    expect(emu.commands()).toBeUndefined();
    expect((await emu.waitForCall('setMyCommands')).params).toMatchObject({ commands: [{ command: 'search' }, { command: 'watchlist' }] });
  });

  it('records chat actions and serves getChat', async () => {
    await bot.api.sendChatAction(alice.id, 'typing');
    expect(emu.chatActions(alice.id)).toEqual(['typing']);
    expect(await apiError(bot.api.sendChatAction(alice.id, 'dancing' as 'typing'))).toEqual({
      error_code: 400,
      description: 'Bad Request: wrong parameter action in request',
    });
    expect(await bot.api.getChat(alice.id)).toMatchObject({ id: alice.id, type: 'private', first_name: 'Alice', username: 'alice' });
  });
});
