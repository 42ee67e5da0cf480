/**
 * `/import` (a file in, a preview, then a job with progress), `/export` (the watchlist out as a file),
 * and the buttons of the import's card. Everything about an import happens in the user's private chat.
 */
import { knownFormatsList, readImport } from '../../../imports/detect.js';
import { exportImdbCsv, exportLetterboxdCsv, exportMarqueeJson } from '../../../imports/export.js';
import { ImportError, MAX_FILE_BYTES, MAX_ZIP_BYTES } from '../../../imports/rows.js';
import type { CoreContext } from '../context.js';
import { InvalidInputError, UserFacingError } from '../errors.js';
import { defineAction, defineCommand } from '../handlers.js';
import type { DeliveryTarget } from '../notices.js';
import type { Target, WatchlistEntry } from '../ports.js';
import { targetLabel } from '../targets.js';
import { titleOf } from '../../../domain/target.js';
import { rich, type Reply, type Rich } from '../types.js';
import type { Translator } from '../i18n/index.js';
import { cancelImport, IMPORT_ACTIONS, importCard, matchJobRef, notFoundFile, startApplying, storeOf, undoJobRef } from './flow.js';
import type { ImportRecord } from './ports.js';

const MB = 1024 * 1024;
const AMBIGUOUS_SHOWN = 1;

/** The size limits as the texts say them (`imports:*` take `fileMb` and `zipMb`). */
const LIMITS_MB = { fileMb: MAX_FILE_BYTES / MB, zipMb: MAX_ZIP_BYTES / MB };

/** A file's size in MB with one decimal, in the language's notation (3.5 · 3,5). */
function megabytes(bytes: number, i18n: Translator): string {
  return new Intl.NumberFormat(i18n.locale, { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false }).format(bytes / MB);
}

/**
 * Why the reader refused the file: in the user's language where its words depend only on the error's
 * code and details (the catalog's English is the reader's, word for word: test/i18n/lists-limits.test.ts);
 * otherwise the reader's own explanation (src/imports, English), which names lines and files.
 */
export function readerError(error: ImportError, i18n: Translator): Rich {
  switch (error.code) {
    case 'empty':
      return i18n.tr('imports:readerError.empty');
    case 'truncated-zip':
      return i18n.tr('imports:readerError.truncatedZip');
    case 'people-list':
      return i18n.tr('imports:readerError.peopleList');
    case 'too-many-rows': {
      const { rows, limit } = error.details;
      if (rows === undefined || limit === undefined) break;
      return i18n.tr('imports:readerError.tooManyRows', { rows: rows.toLocaleString(i18n.locale), limit: limit.toLocaleString(i18n.locale) });
    }
    case 'unknown-format':
      if (error.details.hint === 'lists-index') return i18n.tr('imports:readerError.listsIndex');
      if (error.details.hint === 'letterboxd-no-table') return i18n.tr('imports:readerError.letterboxdNoTable');
      return i18n.tr('imports:readerError.unknownFormat', { formats: knownFormatsList() });
    case 'no-watchlist-in-zip':
      if (error.details.export === undefined) break;
      return i18n.tr(error.details.export === 'trakt' ? 'imports:readerError.noWatchlistTrakt' : 'imports:readerError.noWatchlistLetterboxd');
    case 'broken-csv': {
      const { line, quoting, detail } = error.details;
      if (line === undefined || quoting === undefined) break;
      if (quoting === 'other') return i18n.tr('imports:readerError.brokenCsvOther', { line, detail: detail ?? '' });
      return i18n.tr(quoting === 'unclosed' ? 'imports:readerError.brokenCsvUnclosed' : quoting === 'closing' ? 'imports:readerError.brokenCsvClosing' : 'imports:readerError.brokenCsvOpening', { line });
    }
    case 'broken-json':
      if (error.details.detail === undefined) break;
      return i18n.tr('imports:readerError.brokenJson', { detail: error.details.detail });
    default:
      break;
  }
  return error.message;
}

function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b;
}

async function ownRecord(ctx: CoreContext, importId: number): Promise<ImportRecord> {
  const record = await storeOf(ctx.deps).byId(importId);
  if (record === undefined || record.identityId !== ctx.identityId) throw new UserFacingError('import-gone', ctx.t('imports:gone'));
  return record;
}

/** Where the import's card lives: the user's private chat (a DM on Discord). */
function privateTarget(ctx: CoreContext): DeliveryTarget {
  return { platform: ctx.user.platform, userId: ctx.user.userId };
}

export const importCommand = defineCommand({
  name: 'import',
  description: 'Import a list from IMDb, Letterboxd or a Trakt export into your watchlist',
  listed: true,
  private: true,
  options: [{ name: 'file', description: `The export file (CSV, JSON or ZIP; up to ${MAX_ZIP_BYTES / MB} MB)`, attachment: true }],
  async run(ctx) {
    await ctx.requireAccount();
    const attachment = ctx.attachment;
    // The formats the how-to lists are src/imports' KNOWN_FORMATS, said in the catalog.
    if (attachment === undefined) return [{ private: true, text: ctx.tr('imports:howTo', LIMITS_MB) }];
    if (attachment.size > MAX_ZIP_BYTES) {
      throw new InvalidInputError(ctx.t('imports:tooBig', { size: megabytes(attachment.size, ctx.i18n), ...LIMITS_MB }));
    }
    let bytes: Uint8Array;
    try {
      bytes = await attachment.download(MAX_ZIP_BYTES);
    } catch (error) {
      ctx.deps.logger.warn({ err: error, identityId: ctx.identityId }, 'import: the file could not be downloaded');
      throw new UserFacingError('import-download', ctx.t('imports:downloadFailed'));
    }
    if (!isZip(bytes) && bytes.length > MAX_FILE_BYTES) {
      throw new InvalidInputError(ctx.t('imports:fileTooBig', { size: megabytes(bytes.length, ctx.i18n), ...LIMITS_MB }));
    }
    let result;
    try {
      result = await readImport(bytes);
    } catch (error) {
      if (error instanceof ImportError) throw new InvalidInputError([readerError(error, ctx.i18n), ' ', ctx.tr('imports:nothingImported')]);
      throw error;
    }
    if (result.rows.length === 0) throw new InvalidInputError(ctx.t('imports:noTitles', { format: result.format }));
    const store = storeOf(ctx.deps, ctx.i18n);
    const outbox = ctx.deps.outbox;
    const reading = {
      rows: result.rows.length,
      skipped: result.skipped,
      problems: result.problems.slice(0, 5).map((p) => `${p.line === undefined ? '' : `line ${p.line}: `}${p.message}`),
      problemCount: result.problems.length,
    };
    // The card lives in the private chat: sent there first, so the import knows where to redraw it.
    const draft = { identityId: ctx.identityId, platform: ctx.user.platform, format: result.format, fileName: attachment.fileName || 'file', reading, rows: result.rows };
    if (outbox === undefined || ctx.deps.jobs === undefined) throw new UserFacingError('imports-off', ctx.t('imports:unavailable'));
    const placeholder: Reply = { private: true, text: ctx.tr('imports:reading', { file: attachment.fileName.slice(0, 80) }) };
    const ref = await outbox.send(privateTarget(ctx), placeholder).catch((error: unknown) => {
      ctx.deps.logger.warn({ err: error, identityId: ctx.identityId }, 'import: the private chat could not be reached');
      return undefined;
    });
    if (ref === undefined) {
      return [{ private: true, text: ctx.tr('imports:needsPrivateChat') }];
    }
    const record = await store.create({ ...draft, chatId: ref.chatId });
    await store.setCard(record.id, ref.messageId);
    await ctx.deps.jobs.enqueue(matchJobRef, { importId: record.id }, { ownerIdentityId: ctx.identityId, dedupeKey: `import-match:${record.id}` });
    const card = await importCard(ctx.deps, record, ctx.i18n);
    const edited = await outbox.edit(ref, card).catch(() => undefined);
    if (edited !== undefined && edited.messageId !== ref.messageId) await store.setCard(record.id, edited.messageId);
    if (edited !== undefined) await bindCard(ctx, card, edited);
    return ctx.chat.kind === 'private' ? [] : [{ private: true, text: ctx.tr('imports:started') }];
  },
});

async function bindCard(ctx: CoreContext, card: Reply, ref: { platform: 'telegram' | 'discord'; chatId: string; messageId: string }): Promise<void> {
  const views = new Set<string>();
  for (const data of (card.buttons ?? []).flat().flatMap((b) => ('action' in b ? [b.action] : []))) {
    const id = data.split(':')[2];
    if (id !== undefined) views.add(id.slice(0, -2));
  }
  for (const viewId of views) await ctx.deps.pending.bindMessage(viewId, { chatId: ref.chatId, messageId: ref.messageId }).catch(() => undefined);
}

interface ImportPayload {
  importId: number;
}

export const importApplyAction = defineAction<ImportPayload>({
  action: IMPORT_ACTIONS.apply,
  ack: (i18n) => i18n.t('imports:ack.importing'),
  async run(ctx, payload) {
    const record = await ownRecord(ctx, payload.importId);
    await startApplying(ctx.deps, record, ctx.i18n);
    return { edit: await importCard(ctx.deps, (await storeOf(ctx.deps, ctx.i18n).byId(record.id)) ?? record, ctx.i18n) };
  },
});

export const importCancelAction = defineAction<ImportPayload>({
  action: IMPORT_ACTIONS.cancel,
  async run(ctx, payload) {
    const record = await ownRecord(ctx, payload.importId);
    await cancelImport(ctx.deps, record);
    return { edit: await importCard(ctx.deps, (await storeOf(ctx.deps, ctx.i18n).byId(record.id)) ?? record, ctx.i18n) };
  },
});

export const importUndoAction = defineAction<ImportPayload>({
  action: IMPORT_ACTIONS.undo,
  ack: (i18n) => i18n.t('imports:ack.undoing'),
  async run(ctx, payload) {
    const record = await ownRecord(ctx, payload.importId);
    const store = storeOf(ctx.deps, ctx.i18n);
    if (await store.setStatus(record.id, ['done', 'cancelled'], 'undoing')) {
      await ctx.deps.jobs?.enqueue(undoJobRef, { importId: record.id }, { lane: `watchlist:${record.identityId}`, ownerIdentityId: record.identityId, dedupeKey: `import-undo:${record.id}` });
    }
    return { edit: await importCard(ctx.deps, (await store.byId(record.id)) ?? record, ctx.i18n) };
  },
});

export const importMissingAction = defineAction<ImportPayload>({
  action: IMPORT_ACTIONS.missing,
  async run(ctx, payload) {
    const record = await ownRecord(ctx, payload.importId);
    const store = storeOf(ctx.deps, ctx.i18n);
    const items = await store.items(record.id, { states: ['not-found'] });
    const edit = await importCard(ctx.deps, record, ctx.i18n);
    return {
      edit,
      send: [{ private: true, text: ctx.tr('imports:notFoundFile', { count: items.length }), file: notFoundFile(items) }],
    };
  },
});

interface ChoosePayload extends ImportPayload {
  position?: number;
  /** Index into the row's candidates; -1 skips the row. */
  choice?: number;
}

/** The next row to choose for, with its candidates as buttons, and Skip. */
async function chooser(ctx: CoreContext, record: ImportRecord): Promise<Reply> {
  const store = storeOf(ctx.deps, ctx.i18n);
  const [next] = await store.items(record.id, { states: ['ambiguous'] }, AMBIGUOUS_SHOWN);
  if (next === undefined) return importCard(ctx.deps, record, ctx.i18n);
  const left = (await store.stateCounts(record.id)).ambiguous;
  const view = ctx.view();
  const candidates = (next.candidates ?? []).slice(0, 6);
  const labels = candidates.map((candidate) => ctx.t('imports:chooser.candidate', { title: targetLabel(candidate, ctx.i18n), kind: ctx.t(`imports:chooser.kind.${candidate.kind}`) }));
  // Two candidates may share title, year and kind: their Trakt address tells them apart.
  const label = (candidate: Target, i: number): string => {
    const plain = labels[i] ?? '';
    if (labels.filter((l) => l === plain).length < 2) return plain;
    const title = titleOf(candidate);
    return `${plain} · ${title.ids.slug ?? `#${title.ids.trakt}`}`;
  };
  const buttons = candidates.map((candidate: Target, i) => [view.button(label(candidate, i).slice(0, 64), IMPORT_ACTIONS.pick, { importId: record.id, position: next.position, choice: i } satisfies ChoosePayload)]);
  buttons.push([view.button(ctx.t('imports:button.skip'), IMPORT_ACTIONS.pick, { importId: record.id, position: next.position, choice: -1 } satisfies ChoosePayload)]);
  buttons.push([view.button(ctx.t('imports:button.backToPreview'), IMPORT_ACTIONS.choose, { importId: record.id, choice: -2 } satisfies ChoosePayload)]);
  await view.save(ctx.deps.pending);
  const row = next.row;
  // The row as the file has it: its title in bold, its year and its type's label (the file's own words).
  const title = [rich.bold(row.title ?? row.originalTitle ?? '?'), row.year === undefined ? '' : ` (${row.year})`, row.typeLabel === undefined ? '' : ` · ${row.typeLabel}`];
  return {
    text: [ctx.tr('imports:chooser.heading', { left }), rich.line, ctx.tr('imports:chooser.row', { line: row.line, title })],
    buttons,
  };
}

export const importChooseAction = defineAction<ChoosePayload>({
  action: IMPORT_ACTIONS.choose,
  async run(ctx, payload) {
    const record = await ownRecord(ctx, payload.importId);
    if (payload.choice === -2 || record.status !== 'preview') return { edit: await importCard(ctx.deps, record, ctx.i18n) };
    return { edit: await chooser(ctx, record) };
  },
});

export const importPickAction = defineAction<ChoosePayload>({
  action: IMPORT_ACTIONS.pick,
  async run(ctx, payload) {
    const record = await ownRecord(ctx, payload.importId);
    const store = storeOf(ctx.deps, ctx.i18n);
    if (record.status !== 'preview' || payload.position === undefined) return { edit: await importCard(ctx.deps, record, ctx.i18n) };
    const [item] = (await store.items(record.id, { states: ['ambiguous'] })).filter((i) => i.position === payload.position);
    if (item !== undefined) {
      const chosen = payload.choice === undefined || payload.choice < 0 ? undefined : item.candidates?.[payload.choice];
      await store.saveMatch(record.id, item.position, chosen === undefined ? { state: 'skipped' } : { state: 'matched', target: chosen });
    }
    return { edit: await chooser(ctx, record) };
  },
});

const EXPORT_FORMATS = {
  json: { fileName: 'marquee-watchlist.json', contentType: 'application/json', write: exportMarqueeJson },
  letterboxd: { fileName: 'watchlist-letterboxd.csv', contentType: 'text/csv', write: exportLetterboxdCsv },
  imdb: { fileName: 'watchlist-imdb.csv', contentType: 'text/csv', write: exportImdbCsv },
} as const;

/** Items read from the copy per page while exporting. */
const EXPORT_PAGE = 2_500;

export const exportCommand = defineCommand({
  name: 'export',
  description: 'Your watchlist as a file: json (complete), letterboxd or imdb',
  listed: true,
  private: true,
  options: [
    {
      name: 'format',
      description: 'json (complete, re-importable), letterboxd (films, CSV) or imdb (CSV)',
      choices: [
        { name: 'json', value: 'json' },
        { name: 'letterboxd', value: 'letterboxd' },
        { name: 'imdb', value: 'imdb' },
      ],
    },
  ],
  async run(ctx, args) {
    await ctx.requireAccount();
    const wanted = args.trim().toLowerCase() || 'json';
    const format = Object.hasOwn(EXPORT_FORMATS, wanted) ? EXPORT_FORMATS[wanted as keyof typeof EXPORT_FORMATS] : undefined;
    if (format === undefined) throw new InvalidInputError(ctx.t('imports:export.usage'));
    const state = await ctx.freshCopy(true);
    const identityId = ctx.identityId;
    const watchlists = ctx.deps.watchlists;
    // Streamed from the local copy, a page at a time: the file is never one string in memory. Each page
    // reads the whole copy once (its total is counted over every row before OFFSET), so pages are large:
    // 10,000 items are 4 reads, not 20 (bench/import: /export json of 10,000 items 1.8 s → 0.6 s).
    async function* entries(): AsyncGenerator<WatchlistEntry> {
      const page = EXPORT_PAGE;
      for (let offset = 0; ; offset += page) {
        const { items } = await watchlists.page(identityId, { filter: 'all', sort: 'added', offset, limit: page });
        for (const item of items) yield entryOf(item.target, item.listedAt);
        if (items.length < page) return;
      }
    }
    return [
      {
        private: true,
        text: ctx.tr('imports:export.done', { count: state.itemCount, format: ctx.t(`imports:export.format.${wanted}`) }),
        file: { fileName: format.fileName, contentType: format.contentType, content: () => format.write(entries()) },
      },
    ];
  },
});

function entryOf(target: Target, listedAt: Date): WatchlistEntry {
  switch (target.kind) {
    case 'movie':
    case 'show':
      return { rank: null, listedAt, type: target.kind, title: target.title };
    case 'season':
      return { rank: null, listedAt, type: 'season', title: target.show, season: target.season };
    case 'episode':
      return {
        rank: null,
        listedAt,
        type: 'episode',
        title: target.show,
        episode: { season: target.season, number: target.episode, ids: { trakt: 0 }, ...(target.episodeTitle ? { title: target.episodeTitle } : {}) },
      };
  }
}

export const IMPORT_COMMANDS = [importCommand, exportCommand];
export const IMPORT_ACTION_MODULES = [importApplyAction, importCancelAction, importUndoAction, importMissingAction, importChooseAction, importPickAction];
