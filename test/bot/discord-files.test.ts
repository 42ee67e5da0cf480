// Files through the real Discord adapter against the emulator: an attachment option's file reaches
// the core as `input.attachment` (and its download keeps to the size it is given), replies' files go
// out as message attachments (ephemeral ones, deferred ones, the outbox's), and a file over Discord's
// upload limit is named in the text instead.
import { afterEach, describe, expect, it } from 'vitest';
import type { BotCore } from '../../src/bot/core/bot-core.js';
import type { CommandOption } from '../../src/bot/core/handlers.js';
import type { PosterSource } from '../../src/bot/core/ports.js';
import type { CommandInput, Reply, ReplyFile } from '../../src/bot/core/types.js';
import { createDiscordAdapter, type DiscordAdapter } from '../../src/bot/discord/discord-bot.js';
import { unescapeMarkdown } from '../../src/bot/discord/render.js';
import { AttachmentTooLargeError, toAttachment } from '../../src/bot/discord/to-core.js';
import { startDiscordEmulator, type DiscordEmulator, type DiscordEmulatorOptions } from '../emulators/discord/index.js';
import { captureLogs } from '../helpers/logs.js';

const WAIT = { timeoutMs: 10_000 };
const GUILD = '230000000000000001';
const CHANNEL = '330000000000000001';
const USER = '430000000000000001';
const CSV = 'Const,Title,Year\ntt1160419,Dune,2021\ntt15239678,Dune: Part Two,2024\n';

const IMPORT_OPTIONS: CommandOption[] = [
  { name: 'file', description: 'An IMDb, Letterboxd or Trakt export', required: true, attachment: true },
  { name: 'list', description: 'Which list', keyed: true },
];

/** A file made of chunks, strings and bytes mixed, as a core export produces it. */
function fileOf(fileName: string, chunks: Array<string | Uint8Array>, contentType = 'text/csv'): ReplyFile {
  return {
    fileName,
    contentType,
    async *content() {
      for (const chunk of chunks) yield chunk;
    },
  };
}

interface Seen {
  input: CommandInput;
  downloaded?: Uint8Array;
  error?: unknown;
}

/**
 * A stand-in core: /import downloads the attachment with the `maxBytes` of `downloadLimit` and says
 * what arrived; /export answers with `exportReply()`; /secret is a private command whose answer is
 * private and carries a file. `delayMs` makes the core slow (the adapter defers first).
 */
function standInCore(opts: { downloadLimit?: number; exportReply?: () => Reply; delayMs?: number } = {}) {
  const seen: Seen[] = [];
  const core = {
    commands: [
      { name: 'import', description: 'Import a watchlist export', options: IMPORT_OPTIONS },
      { name: 'export', description: 'Export your watchlist' },
      { name: 'secret', description: 'A private export', private: true },
    ],
    jobKinds: [],
    knows: (name: string) => ['import', 'export', 'secret'].includes(name),
    async handleCommand(input: CommandInput): Promise<Reply[]> {
      if (opts.delayMs) await new Promise((resolve) => setTimeout(resolve, opts.delayMs));
      const entry: Seen = { input };
      seen.push(entry);
      if (input.command === 'import') {
        const a = input.attachment;
        if (a === undefined) return [{ text: 'no file' }];
        try {
          entry.downloaded = await a.download(opts.downloadLimit ?? 20 * 1024 * 1024);
          return [{ text: `got ${a.fileName} (${a.size} bytes, ${entry.downloaded.length} read) args=[${input.args}]` }];
        } catch (error) {
          entry.error = error;
          return [{ text: `refused ${a.fileName} (${a.size} bytes)` }];
        }
      }
      if (input.command === 'secret') return [{ text: 'Your export', private: true, file: fileOf('secret.csv', [CSV]) }];
      return [opts.exportReply?.() ?? { text: 'Your export', file: fileOf('watchlist.csv', ['Title,Year\n', new TextEncoder().encode('Dune,2021\n'), 'Arrival,2016\n']) }];
    },
    async pressButton() {
      return { ack: {} };
    },
    async bindMessage() {},
    async autocomplete() {
      return [];
    },
    close() {},
    traktAnswered() {},
  };
  return { core: core as unknown as BotCore, seen };
}

const noPosters = {} as PosterSource;

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT.timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const shown = (final: { embeds: Array<Record<string, unknown>>; content: string }): string => unescapeMarkdown(String(final.embeds[0]?.description ?? final.content));

describe('Discord adapter: files', () => {
  let emu: DiscordEmulator;
  let adapter: DiscordAdapter;
  afterEach(async () => {
    await adapter?.stop();
    await emu?.close();
  });

  async function start(core: BotCore, options: DiscordEmulatorOptions = {}) {
    emu = await startDiscordEmulator({ heartbeatIntervalMs: 1000, ...options });
    emu.addUser({ id: USER, username: 'alice' });
    emu.addGuild({ id: GUILD, name: 'Movie Night', channels: [{ id: CHANNEL, name: 'watchlist' }] });
    const logs = captureLogs('info');
    adapter = createDiscordAdapter({ token: emu.token, applicationId: emu.applicationId, apiUrl: emu.apiUrl, guildId: null, core, posters: noPosters, logger: logs.logger });
    await adapter.start();
    await emu.waitForReady(WAIT);
    await until(() => emu.commands().length > 0 && logs.text().includes('Discord bot connected'), 'the bot ready');
    return logs;
  }

  const downloadsOf = (attachmentId: string) => emu.calls.filter((c) => c.method === 'GET' && c.path.includes(`/ephemeral-attachments/${CHANNEL}/${attachmentId}/`));

  it('GIVEN an attachment option WHEN a user runs /import with a file THEN it is an Attachment option, and the core gets name, size and bytes (not in args)', async () => {
    const { core, seen } = standInCore();
    await start(core);
    expect(emu.commands().find((c) => c.name === 'import')).toMatchObject({
      options: [
        { name: 'file', type: 11, required: true },
        { name: 'list', type: 3 },
      ],
    });

    const final = await emu
      .slashCommand({ user: USER, channelId: CHANNEL, name: 'import', options: [{ name: 'file', attachment: { filename: 'imdb.csv', data: CSV } }, { name: 'list', value: 'watchlist' }] })
      .waitForFinal(WAIT);
    const size = Buffer.byteLength(CSV);
    expect(shown(final)).toBe(`got imdb.csv (${size} bytes, ${size} read) args=[list=watchlist]`);
    const [entry] = seen;
    expect(entry?.input.attachment).toMatchObject({ fileName: 'imdb.csv', size });
    expect(Buffer.from(entry?.downloaded ?? []).toString('utf8')).toBe(CSV);
    expect(entry?.input.args).toBe('list=watchlist');
    expect(emu.internalErrors).toEqual([]);
  });

  it('GIVEN a file larger than the command takes WHEN it is downloaded THEN it is refused before any request; a smaller reported size does not let a larger body through', async () => {
    const { core, seen } = standInCore({ downloadLimit: 50 });
    await start(core);
    const big = 'x'.repeat(200);

    const refused = await emu
      .slashCommand({ user: USER, channelId: CHANNEL, name: 'import', options: [{ name: 'file', attachment: { filename: 'big.csv', data: big } }] })
      .waitForFinal(WAIT);
    expect(shown(refused)).toBe('refused big.csv (200 bytes)');
    expect(String(seen[0]?.error)).toMatch(/larger than 50 bytes/);
    expect(downloadsOf(emu.commandAttachments[0]?.id ?? '')).toEqual([]);

    // Discord said 10 bytes; the body is 200: the download stops at the limit, nothing is returned.
    const lied = await emu
      .slashCommand({ user: USER, channelId: CHANNEL, name: 'import', options: [{ name: 'file', attachment: { filename: 'lie.csv', data: big, reportedSize: 10 } }] })
      .waitForFinal(WAIT);
    expect(shown(lied)).toBe('refused lie.csv (10 bytes)');
    expect(String(seen[1]?.error)).toMatch(/larger than 50 bytes/);
    expect(seen[1]?.downloaded).toBeUndefined();
    expect(downloadsOf(emu.commandAttachments[1]?.id ?? '')).toHaveLength(1);
  });

  it('GIVEN a reply with a file WHEN /export answers THEN the message carries it as an attachment with the streamed bytes', async () => {
    const { core } = standInCore();
    await start(core);
    const final = await emu.slashCommand({ user: USER, channelId: CHANNEL, name: 'export' }).waitForFinal(WAIT);
    expect(shown(final)).toBe('Your export');
    expect(final.ephemeral).toBe(false);
    expect(final.attachments.map((a) => [a.filename, a.size, a.contentType])).toEqual([['watchlist.csv', 34, 'text/csv; charset=utf-8']]);
    expect(emu.attachment(final.attachments[0]?.id ?? '')?.data.toString('utf8')).toBe('Title,Year\nDune,2021\nArrival,2016\n');
    // It went as multipart: payload_json + files[0].
    const call = emu.calls.find((c) => c.route?.endsWith('/callback'));
    expect(call?.files).toEqual([{ field: 'files[0]', filename: 'watchlist.csv', contentType: expect.any(String) as string }]);
  });

  it('GIVEN a private command in a guild WHEN its private answer has a file, quick or deferred THEN the ephemeral message carries the file', async () => {
    const quick = standInCore();
    await start(quick.core);
    const final = await emu.slashCommand({ user: USER, channelId: CHANNEL, name: 'secret' }).waitForFinal(WAIT);
    expect(final.ephemeral).toBe(true);
    expect(final.attachments.map((a) => a.filename)).toEqual(['secret.csv']);
    expect(emu.attachment(final.attachments[0]?.id ?? '')?.data.toString('utf8')).toBe(CSV);
    await adapter.stop();
    await emu.close();

    // Slow core: deferred ephemerally, then the deferred reply is edited with the file.
    const slow = standInCore({ delayMs: 1_800 });
    await start(slow.core);
    const h = emu.slashCommand({ user: USER, channelId: CHANNEL, name: 'secret' });
    const deferred = await h.waitForFinal(WAIT);
    expect((await h.response()).type).toBe(5);
    expect(deferred.ephemeral).toBe(true);
    expect(deferred.attachments.map((a) => [a.filename, a.size])).toEqual([['secret.csv', Buffer.byteLength(CSV)]]);
    expect(emu.attachment(deferred.attachments[0]?.id ?? '')?.data.toString('utf8')).toBe(CSV);
  });

  it('GIVEN a file over the upload limit the interaction reports WHEN it is sent THEN the text says so and nothing is attached', async () => {
    const { core } = standInCore({ exportReply: () => ({ text: 'Your export', file: fileOf('huge.csv', ['y'.repeat(1500), 'z'.repeat(1500)]) }) });
    const logs = await start(core, { attachmentSizeLimit: 2048 });
    const final = await emu.slashCommand({ user: USER, channelId: CHANNEL, name: 'export' }).waitForFinal(WAIT);
    expect(final.attachments).toEqual([]);
    expect(shown(final)).toBe('Your export\n\n_The file huge.csv is larger than Discord lets me send here (2 KB), so it is not attached._');
    expect(logs.text()).toContain("reply file over Discord's upload limit");
    expect(emu.calls.filter((c) => c.status === 413)).toEqual([]);
  });

  it('GIVEN the outbox sends a reply with a file THEN the channel message carries it; a file that fails while made is named in the text', async () => {
    const { core } = standInCore();
    await start(core);
    const ref = await adapter.send({ platform: 'discord', chatId: CHANNEL }, { text: 'Import done', file: fileOf('not-found.csv', ['Title\n', 'Nope\n']) });
    const message = emu.message(ref.messageId);
    expect(message?.attachments.map((a) => [a.filename, a.data.toString('utf8')])).toEqual([['not-found.csv', 'Title\nNope\n']]);

    const failing: ReplyFile = {
      fileName: 'broken.csv',
      contentType: 'text/csv',
      async *content() {
        yield 'Title\n';
        throw new Error('Trakt went away');
      },
    };
    const second = emu.message((await adapter.send({ platform: 'discord', userId: USER }, { text: 'Export', file: failing })).messageId);
    expect(second?.attachments).toEqual([]);
    expect(unescapeMarkdown(String(second?.embeds[0]?.description))).toBe('Export\n\n_The file broken.csv could not be made, so it is not attached. Please try again later._');
  });
});

describe('Discord attachment download (toAttachment)', () => {
  /** A fetch whose body comes in 10-byte chunks without content-length; counts the chunks pulled. */
  function chunkedFetch(total: number) {
    const state = { pulled: 0, cancelled: false };
    const fetchImpl = (async () => {
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (state.pulled * 10 >= total) return controller.close();
          state.pulled += 1;
          controller.enqueue(new Uint8Array(10).fill(65));
        },
        cancel() {
          state.cancelled = true;
        },
      });
      return new Response(body, { status: 200 });
    }) as typeof fetch;
    return { fetchImpl, state };
  }

  it('GIVEN a body without content-length larger than maxBytes THEN reading stops just past it and the download rejects', async () => {
    const { fetchImpl, state } = chunkedFetch(1_000);
    const attachment = toAttachment({ name: 'x.csv', size: 5, url: 'http://cdn.invalid/x.csv' }, fetchImpl);
    await expect(attachment.download(35)).rejects.toBeInstanceOf(AttachmentTooLargeError);
    expect(state.pulled).toBeLessThanOrEqual(5);
    expect(state.cancelled).toBe(true);
  });

  it('GIVEN a body within maxBytes THEN all of it; a failed response rejects', async () => {
    const { fetchImpl } = chunkedFetch(30);
    expect((await toAttachment({ name: 'x.csv', size: 30, url: 'http://cdn.invalid/x.csv' }, fetchImpl).download(30)).length).toBe(30);
    const notFound = (async () => new Response('gone', { status: 404 })) as typeof fetch;
    await expect(toAttachment({ name: 'x.csv', size: 4, url: 'http://cdn.invalid/x.csv' }, notFound).download(30)).rejects.toThrow(/HTTP 404/);
  });
});
