// Files through the real Telegram adapter against the emulator, with a stand-in core that declares a
// command taking a file (/import) and one answering with a file (/export): documents reach the core
// as attachments (caption, reply to a document, a bare document in private), their bytes download
// within the size limit, and a reply's file goes out as a document with its caption and buttons.
import { afterEach, describe, expect, it } from 'vitest';
import type { BotCore } from '../../src/bot/core/bot-core.js';
import type { PosterSource } from '../../src/bot/core/ports.js';
import type { ActionInput, CommandInput, Reply } from '../../src/bot/core/types.js';
import { rich } from '../../src/bot/core/types.js';
import { AttachmentTooLargeError } from '../../src/bot/telegram/files.js';
import { renderHtml, splitRich } from '../../src/bot/telegram/render.js';
import { createTelegramAdapter, type TelegramAdapter } from '../../src/bot/telegram/telegram-bot.js';
import { startTelegramEmulator, type TelegramEmulator } from '../emulators/telegram/index.js';
import { captureLogs } from '../helpers/logs.js';

const WAIT = { timeoutMs: 10_000 };
const CSV = 'Const,Title,Year\ntt1160419,Dune,2021\ntt2543164,Arrival,2016\n';

interface Seen {
  input: CommandInput;
  bytes?: Uint8Array;
  error?: unknown;
}

/** /import downloads its attachment (within `maxBytes`) and says what it got; /export answers with a file. */
function standInCore(options: { maxBytes?: number; exportText?: string; withImport?: boolean } = {}) {
  const seen: Seen[] = [];
  const produced: string[] = [];
  const commands = [
    ...(options.withImport === false
      ? []
      : [{ name: 'import', description: 'Import a list', options: [{ name: 'file', description: 'The export file', required: true, attachment: true }] }]),
    { name: 'export', description: 'Export the watchlist' },
    { name: 'search', description: 'Search' },
  ];
  const core = {
    commands,
    jobKinds: [],
    knows: (name: string) => commands.some((c) => c.name === name),
    async handleCommand(input: CommandInput): Promise<Reply[]> {
      const entry: Seen = { input };
      seen.push(entry);
      if (input.command === 'export') {
        return [
          {
            text: options.exportText ?? 'Your watchlist: 2 titles.',
            file: {
              fileName: 'watchlist',
              contentType: 'text/csv',
              content: async function* () {
                produced.push('header');
                yield 'Title,Year\n';
                produced.push('row');
                yield new TextEncoder().encode('Dune,2021\n');
                yield 'Arrival,2016\n';
              },
            },
            buttons: [[{ label: 'Again', action: 'v1:again:1' }]],
          },
        ];
      }
      if (input.attachment === undefined) return [{ text: `${input.command} without a file args=[${input.args}]` }];
      try {
        entry.bytes = await input.attachment.download(options.maxBytes ?? 20 * 1024 * 1024);
        return [{ text: `got ${input.attachment.fileName} (${input.attachment.size} bytes) args=[${input.args}]` }];
      } catch (error) {
        entry.error = error;
        return [{ text: `refused: ${error instanceof Error ? error.message : String(error)}` }];
      }
    },
    async pressButton(_input: ActionInput) {
      return { ack: {} };
    },
    async bindMessage() {},
    async autocomplete() {
      return [];
    },
    close() {},
    traktAnswered() {},
  };
  return { core: core as unknown as BotCore, seen, produced };
}

const noPosters = {} as PosterSource;

describe('Telegram adapter: files', () => {
  let emu: TelegramEmulator;
  let adapter: TelegramAdapter;
  afterEach(async () => {
    await adapter?.stop();
    await emu?.close();
  });

  async function start(options: Parameters<typeof standInCore>[0] = {}) {
    emu = await startTelegramEmulator({ defaultWaitMs: WAIT.timeoutMs });
    const logs = captureLogs('debug');
    const stand = standInCore(options);
    adapter = createTelegramAdapter({ token: emu.token, apiRoot: emu.apiRoot, core: stand.core, posters: noPosters, logger: logs.logger, pollTimeoutSeconds: 1 });
    await adapter.start();
    const alice = emu.user({ id: 3001, firstName: 'Alice', username: 'alice' });
    emu.privateChat(alice);
    return { ...stand, logs, alice };
  }

  it('GIVEN a document whose caption is /import WHEN sent THEN the core gets the attachment, and its bytes download through getFile', async () => {
    const { seen, alice, logs } = await start();
    emu.sendDocument(alice, alice.id, { data: CSV, fileName: 'ratings.csv', caption: '/import imdb' });
    expect((await emu.waitForBotMessage(alice.id)).text).toBe(`got ratings.csv (${Buffer.byteLength(CSV)} bytes) args=[imdb]`);
    const input = seen[0]?.input;
    expect(input).toMatchObject({ command: 'import', args: 'imdb', attachment: { fileName: 'ratings.csv', size: Buffer.byteLength(CSV) } });
    expect(Buffer.from(seen[0]?.bytes ?? []).toString()).toBe(CSV);
    expect(emu.callsOf('getFile')).toHaveLength(1);
    expect(logs.text()).not.toContain(emu.token.split(':')[1]);
  });

  it('GIVEN /import@bot as a caption in a group, or /import replying to a document THEN the attachment comes along; a group document without a command is ignored', async () => {
    const { seen, alice } = await start();
    const group = emu.group({ id: -1003000000001, title: 'Movie Night', type: 'supergroup', botIsAdmin: true, creator: alice });
    emu.sendDocument(alice, group, { data: CSV, fileName: 'letterboxd.csv', caption: '/import@marquee_test_bot' });
    expect((await emu.waitForBotMessage(group)).text).toBe(`got letterboxd.csv (${Buffer.byteLength(CSV)} bytes) args=[]`);

    const plain = emu.sendDocument(alice, group, { data: 'a,b\n', fileName: 'trakt.csv' });
    emu.sendText(alice, group, '/import trakt', { replyToMessageId: plain.message_id });
    expect((await emu.waitForBotMessage(group)).text).toBe('got trakt.csv (4 bytes) args=[trakt]');
    expect(Buffer.from(seen.at(-1)?.bytes ?? []).toString()).toBe('a,b\n');
    // The document on its own (bot is admin, so it sees it) ran nothing: two commands in all.
    expect(seen.map((s) => s.input.command)).toEqual(['import', 'import']);

    // A command that takes no file gets none, even as a reply to a document.
    emu.sendText(alice, group, '/search dune', { replyToMessageId: plain.message_id });
    expect((await emu.waitForBotMessage(group)).text).toBe('search without a file args=[dune]');
    expect(seen.at(-1)?.input.attachment).toBeUndefined();
  });

  it('GIVEN a document with no caption in the private chat THEN the command that takes files runs; with no such command, nothing', async () => {
    const { seen, alice } = await start();
    emu.sendDocument(alice, alice.id, { data: CSV, fileName: 'watched.csv' });
    expect((await emu.waitForBotMessage(alice.id)).text).toBe(`got watched.csv (${Buffer.byteLength(CSV)} bytes) args=[]`);
    expect(seen[0]?.input.command).toBe('import');
    // A caption that is no command is no search either: the file still goes to /import.
    emu.sendDocument(alice, alice.id, { data: CSV, fileName: 'notes.csv', caption: 'my letterboxd export' });
    expect((await emu.waitForBotMessage(alice.id)).text).toBe(`got notes.csv (${Buffer.byteLength(CSV)} bytes) args=[]`);
    await adapter.stop();
    await emu.close();

    const second = await start({ withImport: false });
    emu.sendDocument(second.alice, second.alice.id, { data: CSV, fileName: 'watched.csv' });
    emu.sendText(second.alice, second.alice.id, '/search x');
    expect((await emu.waitForBotMessage(second.alice.id)).text).toBe('search without a file args=[x]');
    expect(second.seen.map((s) => s.input.command)).toEqual(['search']);
  });

  it('GIVEN a file larger than the limit THEN download rejects before any getFile; a size Telegram under-reports is cut off mid-download', async () => {
    const { seen, alice, logs } = await start({ maxBytes: 1024 });
    emu.sendDocument(alice, alice.id, { data: 'x'.repeat(2048), fileName: 'big.csv', caption: '/import' });
    expect((await emu.waitForBotMessage(alice.id)).text).toMatch(/^refused: .*larger than 1024 bytes/);
    expect(seen[0]?.error).toBeInstanceOf(AttachmentTooLargeError);
    expect(emu.callsOf('getFile')).toHaveLength(0);

    // file_size says 100 bytes, the download brings 4096: aborted once past the limit.
    emu.sendDocument(alice, alice.id, { data: 'y'.repeat(4096), fileName: 'liar.csv', caption: '/import', fileSize: 100 });
    expect((await emu.waitForBotMessage(alice.id)).text).toMatch(/^refused: .*larger than 1024 bytes/);
    expect(seen[1]?.error).toBeInstanceOf(AttachmentTooLargeError);
    expect(emu.callsOf('getFile')).toHaveLength(1);

    // Over Telegram's 20 MB a bot cannot download at all, whatever the caller allows.
    for (const text of [logs.text(), ...seen.map((s) => String(s.error))]) expect(text).not.toContain(emu.token.split(':')[1]);
    await adapter.stop();
    await emu.close();
    const huge = await start({ maxBytes: 100 * 1024 * 1024 });
    emu.sendDocument(huge.alice, huge.alice.id, { data: 'z', fileName: 'huge.zip', caption: '/import', fileSize: 25 * 1024 * 1024 });
    expect((await emu.waitForBotMessage(huge.alice.id)).text).toMatch(/^refused: .*larger than 20971520 bytes/);
    expect(emu.callsOf('getFile')).toHaveLength(0);
    expect(huge.seen[0]?.error).toBeInstanceOf(AttachmentTooLargeError);
    expect(huge.logs.text()).not.toContain(emu.token.split(':')[1]);
  });

  it('GIVEN the file server fails THEN the error names no token, and no log line does', async () => {
    const { seen, alice, logs } = await start();
    emu.failNext('getFile', { error_code: 400, description: 'Bad Request: wrong file identifier/HTTP URL specified' });
    emu.sendDocument(alice, alice.id, { data: CSV, fileName: 'a.csv', caption: '/import' });
    expect((await emu.waitForBotMessage(alice.id)).text).toMatch(/^refused: getFile failed: .*wrong file identifier/);

    const token = emu.token;
    for (const entry of seen) {
      const error = entry.error as Error | undefined;
      expect(`${String(error?.message)} ${String(error?.stack)}`).not.toContain(token);
    }
    expect(logs.text()).not.toContain(token.split(':')[1]);
  });

  it('GIVEN a reply with a file THEN it goes out as a document (streamed, named, typed) with the caption and the buttons', async () => {
    const { alice, produced, logs } = await start();
    emu.sendText(alice, alice.id, '/export');
    const message = await emu.waitForBotMessage(alice.id);
    expect(message).toMatchObject({ kind: 'document', caption: 'Your watchlist: 2 titles.' });
    expect(message.replyMarkup).toEqual({ inline_keyboard: [[{ text: 'Again', callback_data: 'v1:again:1' }]] });
    const document = emu.documentOf(message);
    expect(document).toMatchObject({ fileName: 'watchlist.csv', mimeType: 'text/csv' });
    expect(document.data.toString()).toBe('Title,Year\nDune,2021\nArrival,2016\n');
    expect(produced).toEqual(['header', 'row']);
    expect(emu.callsOf('sendDocument')[0]).toMatchObject({ transport: 'multipart', files: [{ filename: 'watchlist.csv' }] });
    expect(emu.chatActions(alice.id)).toContain('upload_document');
    expect(logs.text()).not.toContain(emu.token.split(':')[1]);
  });

  it('GIVEN a reply text over the 1024-character caption limit THEN the caption takes what fits and the rest follows as a message', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => `Line ${String(i + 1).padStart(2, '0')}: ${'n'.repeat(30)}`);
    const { alice } = await start({ exportText: lines.join('\n') });
    emu.sendText(alice, alice.id, '/export');
    const document = await emu.waitForBotMessage(alice.id);
    const rest = await emu.waitForBotMessage(alice.id);
    expect(document.kind).toBe('document');
    expect([...(document.caption ?? '')].length).toBeLessThanOrEqual(1024);
    expect(document.caption?.endsWith('n')).toBe(true);
    expect(rest).toMatchObject({ kind: 'text' });
    // The buttons are on the document; the text after it has none.
    expect(rest.replyMarkup).toEqual({ inline_keyboard: [] });
    expect(document.replyMarkup).toEqual({ inline_keyboard: [[{ text: 'Again', callback_data: 'v1:again:1' }]] });
    // Nothing lost, nothing doubled: the two messages hold the text, cut at a line break.
    expect(`${document.caption ?? ''}\n${rest.text}`).toBe(lines.join('\n'));
  });

  it('GIVEN the outbox sends a reply with a file THEN the document message is the one referenced', async () => {
    const { alice } = await start();
    emu.sendText(alice, alice.id, 'hi');
    await emu.waitForBotMessage(alice.id);
    const ref = await adapter.send(
      { platform: 'telegram', userId: String(alice.id) },
      {
        text: 'Your export',
        file: {
          fileName: 'export.json',
          contentType: 'application/json',
          content: async function* () {
            yield '{"titles":[]}';
          },
        },
      },
    );
    const message = emu.message(alice.id, Number(ref.messageId));
    expect(message).toMatchObject({ kind: 'document', caption: 'Your export', document: { file_name: 'export.json', mime_type: 'application/json' } });
    expect(message === undefined ? '' : emu.documentOf(message).data.toString()).toBe('{"titles":[]}');
  });
});

describe('Telegram attachments: download', () => {
  const token = '123456:SecretTokenThatMustNotLeak';

  it('GIVEN a file server that streams more than allowed without a content-length THEN the download is cut off past the limit', async () => {
    const { createServer } = await import('node:http');
    const TOTAL = 2 * 1024 * 1024;
    let served = 0;
    const server = createServer((req, res) => {
      expect(req.url).toBe(`/file/bot${token}/documents/file_1.csv`);
      res.writeHead(200, { 'content-type': 'text/csv' });
      let sent = 0;
      const write = () => {
        if (sent >= TOTAL || res.destroyed) return res.end();
        sent += 1024;
        served = Math.max(served, sent);
        res.write('x'.repeat(1024), () => setImmediate(write));
      };
      write();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const { attachmentOf } = await import('../../src/bot/telegram/files.js');
      const attachment = attachmentOf(
        { file_id: 'f', file_unique_id: 'u', file_name: 'a.csv', file_size: 10 },
        { getFile: async () => ({ file_path: 'documents/file_1.csv' }), apiRoot: `http://127.0.0.1:${port}`, token },
      );
      const error = await attachment.download(4096).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(AttachmentTooLargeError);
      expect(served).toBeLessThan(TOTAL);
      // Within the limit it arrives whole.
      const bytes = await attachment.download(TOTAL);
      expect(bytes.byteLength).toBe(TOTAL);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('GIVEN the file server cannot be reached THEN the error has no token', async () => {
    const { attachmentOf } = await import('../../src/bot/telegram/files.js');
    const attachment = attachmentOf(
      { file_id: 'f', file_unique_id: 'u', file_name: 'a.csv', file_size: 10 },
      { getFile: async () => ({ file_path: 'documents/file_1.csv' }), apiRoot: 'http://127.0.0.1:1', token },
    );
    const error = (await attachment.download(1024).then(() => undefined, (e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(`${error.message}\n${error.stack ?? ''}`).not.toContain(token);
    expect(error.message).toMatch(/downloading the file failed/);
  });
});

describe('Telegram captions: splitRich', () => {
  it('keeps short text whole, and cuts long text at a line break with formatting on both sides', () => {
    expect(splitRich('short', 1024)).toEqual({ head: 'short', rest: undefined });
    const text = ['Intro ', rich.bold('bold part that spans'), rich.line, 'second line ', rich.link('https://trakt.tv', 'link text')];
    const { head, rest } = splitRich(text, 30);
    expect(renderHtml(head, 30)).toBe('Intro <b>bold part that spans</b>');
    expect(rest === undefined ? '' : renderHtml(rest)).toBe('\nsecond line <a href="https://trakt.tv">link text</a>');
    // No break within reach: a hard cut, never inside a surrogate pair, inside a bold run too.
    const hard = splitRich(rich.bold(`${'a'.repeat(9)}😀tail`), 10);
    expect(renderHtml(hard.head, 10)).toBe(`<b>${'a'.repeat(9)}</b>`);
    expect(hard.rest === undefined ? '' : renderHtml(hard.rest)).toBe('<b>😀tail</b>');
  });
});
