// Documents over real HTTP with grammY: users send them (driver), the bot downloads them (getFile and
// the file URL) and sends its own (sendDocument, multipart), with Telegram's limits and error texts.
import { GrammyError, InlineKeyboard, InputFile, type Bot } from 'grammy';
import type { Message } from 'grammy/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makePng } from './images.js';
import { startTelegramEmulator } from './emulator.js';
import { emulatedBot, startPolling, type PollingBot } from './test-helpers.js';
import type { TelegramEmulator, User } from './types.js';

let emu: TelegramEmulator;
let bot: Bot;
let alice: User;
let running: PollingBot | undefined;

beforeEach(async () => {
  emu = await startTelegramEmulator();
  bot = emulatedBot(emu);
  alice = emu.user({ id: 1001, firstName: 'Alice', username: 'alice' });
  emu.privateChat(alice);
  running = undefined;
});

afterEach(async () => {
  await running?.stop();
  await emu.close();
});

async function apiError(promise: Promise<unknown>): Promise<{ error_code: number; description: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GrammyError) return { error_code: error.error_code, description: error.description };
    throw error;
  }
  throw new Error('expected the call to fail');
}

const CSV = 'Const,Title,Year\ntt0001,Dune,2021\ntt0002,Arrival,2016\n';

describe('documents from users', () => {
  it('GIVEN a document with a command caption WHEN the bot polls THEN it gets document, caption and a bot_command entity, and downloads the bytes', async () => {
    let got: (message: Message) => void = () => undefined;
    const arrived = new Promise<Message>((resolve) => {
      got = resolve;
    });
    bot.on('message:document', (ctx) => got(ctx.message));
    running = await startPolling(bot);
    const sent = emu.sendDocument(alice, alice.id, { data: CSV, fileName: 'ratings.csv', caption: '/import@marquee_test_bot imdb' });
    expect(sent.document).toMatchObject({ file_name: 'ratings.csv', mime_type: 'text/csv', file_size: Buffer.byteLength(CSV) });
    const message = await arrived;
    expect(message).toMatchObject({
      caption: '/import@marquee_test_bot imdb',
      caption_entities: [{ type: 'bot_command', offset: 0, length: 24 }],
      document: { file_id: sent.document?.file_id, file_name: 'ratings.csv' },
    });

    const file = await bot.api.getFile(sent.document?.file_id ?? '');
    expect(file.file_path).toMatch(/^documents\/file_\d+\.csv$/);
    expect(file.file_size).toBe(Buffer.byteLength(CSV));
    const res = await fetch(`${emu.apiRoot}/file/bot${emu.token}/${file.file_path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(await res.text()).toBe(CSV);
    // The file URL needs the right token.
    expect((await fetch(`${emu.apiRoot}/file/bot1:wrong/${file.file_path}`)).status).toBe(404);

    const state = emu.message(alice.id, sent.message_id);
    expect(state).toMatchObject({ kind: 'document', from: 'user', caption: '/import@marquee_test_bot imdb', document: { file_name: 'ratings.csv' } });
    expect(emu.documentOf(sent).data.toString()).toBe(CSV);
  });

  it('GIVEN a file over 20 MB WHEN the bot asks getFile THEN 400 "file is too big"; a reply to a document carries it as reply_to_message', async () => {
    const big = emu.sendDocument(alice, alice.id, { data: 'x', fileName: 'huge.zip', fileSize: 25 * 1024 * 1024 });
    expect(big.document).toMatchObject({ file_size: 25 * 1024 * 1024, mime_type: 'application/zip' });
    expect(await apiError(bot.api.getFile(big.document?.file_id ?? ''))).toEqual({ error_code: 400, description: 'Bad Request: file is too big' });
    expect(await apiError(bot.api.getFile('nope'))).toEqual({ error_code: 400, description: 'Bad Request: wrong file identifier/HTTP URL specified' });

    const reply = emu.sendText(alice, alice.id, '/import', { replyToMessageId: big.message_id });
    expect(reply.reply_to_message?.document?.file_id).toBe(big.document?.file_id);
  });

  it('GIVEN group privacy mode WHEN documents arrive THEN only one with a command caption (for this bot) reaches the bot', async () => {
    const group = emu.group({ id: -1001, title: 'Movie Night', type: 'supergroup' });
    const plain = emu.sendDocument(alice, group, { data: CSV, fileName: 'a.csv' });
    const other = emu.sendDocument(alice, group, { data: CSV, fileName: 'b.csv', caption: '/import@other_bot' });
    const ours = emu.sendDocument(alice, group, { data: CSV, fileName: 'c.csv', caption: '/import' });
    expect([plain, other, ours].map((m) => emu.message(group, m.message_id)?.deliveredToBot)).toEqual([false, false, true]);
  });

  it('rejects what a Telegram client would not send', () => {
    expect(() => emu.sendDocument(alice, alice.id, { data: '', fileName: 'empty.csv' })).toThrow(/empty/);
    expect(() => emu.sendDocument(alice, alice.id, { data: 'x', fileName: 'a.csv', caption: 'c'.repeat(1025) })).toThrow(/1024/);
  });
});

describe('documents from the bot', () => {
  it('GIVEN sendDocument with a streamed InputFile, caption and buttons THEN the emulator keeps the bytes, name and mime type', async () => {
    emu.sendText(alice, alice.id, '/export');
    async function* chunks(): AsyncIterable<Uint8Array> {
      yield new TextEncoder().encode('Title,Year\n');
      yield new TextEncoder().encode('Dune,2021\n');
    }
    const sent = await bot.api.sendDocument(alice.id, new InputFile(chunks(), 'watchlist.csv'), {
      caption: 'Your <b>watchlist</b>',
      parse_mode: 'HTML',
      reply_markup: new InlineKeyboard().text('Again', 'again'),
    });
    expect(sent.document).toMatchObject({ file_name: 'watchlist.csv', mime_type: 'text/csv', file_size: 21 });
    expect(sent).toMatchObject({ caption: 'Your watchlist', caption_entities: [{ type: 'bold', offset: 5, length: 9 }] });
    const state = await emu.waitForBotMessage(alice.id);
    expect(state).toMatchObject({ kind: 'document', caption: 'Your watchlist', text: 'Your watchlist' });
    expect(state.replyMarkup).toEqual({ inline_keyboard: [[{ text: 'Again', callback_data: 'again' }]] });
    const content = emu.documentOf(state);
    expect(content).toMatchObject({ fileName: 'watchlist.csv', mimeType: 'text/csv', size: 21 });
    expect(content.data.toString()).toBe('Title,Year\nDune,2021\n');
    expect(emu.callsOf('sendDocument')[0]).toMatchObject({ transport: 'multipart', files: [{ filename: 'watchlist.csv', size: 21 }] });

    // The same file again by file_id; a photo's file_id is not a document.
    const again = await bot.api.sendDocument(alice.id, sent.document.file_id);
    expect(again.document.file_id).toBe(sent.document.file_id);
    const photo = await bot.api.sendPhoto(alice.id, new InputFile(makePng(10, 10), 'p.png'));
    expect(await apiError(bot.api.sendDocument(alice.id, photo.photo.at(-1)?.file_id ?? ''))).toEqual({
      error_code: 400,
      description: "Bad Request: can't use file of type Photo as Document",
    });
    // Its caption can be edited; its text cannot.
    await bot.api.editMessageCaption(alice.id, sent.message_id, { caption: 'Updated' });
    expect(emu.message(alice.id, sent.message_id)?.caption).toBe('Updated');
    expect(await apiError(bot.api.editMessageText(alice.id, sent.message_id, 'x'))).toEqual({
      error_code: 400,
      description: 'Bad Request: there is no text in the message to edit',
    });
  });

  it("applies Telegram's limits: caption length, empty files, unknown file ids", async () => {
    emu.sendText(alice, alice.id, 'hi');
    expect(await apiError(bot.api.sendDocument(alice.id, new InputFile(new TextEncoder().encode('x'), 'a.txt'), { caption: 'c'.repeat(1025) }))).toEqual({
      error_code: 400,
      description: 'Bad Request: message caption is too long',
    });
    expect(await apiError(bot.api.sendDocument(alice.id, new InputFile(new Uint8Array(0), 'a.txt')))).toEqual({
      error_code: 400,
      description: 'Bad Request: file must be non-empty',
    });
    expect(await apiError(bot.api.sendDocument(alice.id, 'BQACAgIAAxkBAAIunknown'))).toEqual({
      error_code: 400,
      description: 'Bad Request: wrong file identifier/HTTP URL specified',
    });
  });
});

describe('documents over the control routes', () => {
  it('sends a document as a user, replies to it, and serves its bytes', async () => {
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${emu.apiRoot}/_emulator${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Message };
    };
    const doc = await post(`/chats/${alice.id}/documents`, { userId: alice.id, fileName: 'list.csv', text: CSV, caption: '/import' });
    expect(doc.status).toBe(201);
    expect(doc.body).toMatchObject({ caption: '/import', document: { file_name: 'list.csv', mime_type: 'text/csv' } });
    const b64 = await post(`/chats/${alice.id}/documents`, { userId: alice.id, fileName: 'x.bin', base64: Buffer.from([1, 2, 3]).toString('base64') });
    expect(b64.body.document).toMatchObject({ file_size: 3, mime_type: 'application/octet-stream' });
    const reply = await post(`/chats/${alice.id}/send`, { userId: alice.id, text: '/import', replyToMessageId: doc.body.message_id });
    expect(reply.body.reply_to_message?.document?.file_name).toBe('list.csv');
    const bytes = await fetch(`${emu.apiRoot}/_emulator/files/${doc.body.document?.file_id}`);
    expect(bytes.headers.get('content-type')).toContain('text/csv');
    expect(await bytes.text()).toBe(CSV);
    expect((await post(`/chats/${alice.id}/documents`, { userId: alice.id, fileName: 'x.csv' })).status).toBe(400);
  });
});
