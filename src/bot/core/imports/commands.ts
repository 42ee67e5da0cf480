/**
 * `/import` (a file in, a preview, then a job with progress), `/export` (the watchlist out as a file),
 * and the buttons of the import's card. Everything about an import happens in the user's private chat.
 */
import { readImport } from '../../../imports/detect.js';
import { exportImdbCsv, exportLetterboxdCsv, exportMarqueeJson } from '../../../imports/export.js';
import { ImportError, KNOWN_FORMATS, MAX_FILE_BYTES, MAX_ZIP_BYTES } from '../../../imports/rows.js';
import type { CoreContext } from '../context.js';
import { InvalidInputError, UserFacingError } from '../errors.js';
import { defineAction, defineCommand } from '../handlers.js';
import type { DeliveryTarget } from '../notices.js';
import type { Target, WatchlistEntry } from '../ports.js';
import { targetLabel } from '../targets.js';
import { titleOf } from '../../../domain/target.js';
import { rich, type Reply, type Rich } from '../types.js';
import { cancelImport, IMPORT_ACTIONS, importCard, matchJobRef, notFoundFile, startApplying, storeOf, undoJobRef } from './flow.js';
import type { ImportRecord } from './ports.js';

const MB = 1024 * 1024;
const AMBIGUOUS_SHOWN = 1;

const HOW_TO: Rich = [
  rich.bold('Import a list into your Trakt watchlist'),
  rich.line,
  `Send me the file here with the caption /import (on Discord: /import with the file attached). Files up to ${MAX_FILE_BYTES / MB} MB, or a ZIP up to ${MAX_ZIP_BYTES / MB} MB.`,
  rich.line,
  rich.line,
  'I read, from what is inside the file (not its name):',
  ...KNOWN_FORMATS.flatMap((f) => [rich.line, `• ${f}`]),
  rich.line,
  rich.line,
  'You see a preview (matched, to choose, not found, already listed, what fits your account) before anything is written, and can Undo the import afterwards.',
];

function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b;
}

async function ownRecord(ctx: CoreContext, importId: number): Promise<ImportRecord> {
  const record = await storeOf(ctx.deps).byId(importId);
  if (record === undefined || record.identityId !== ctx.identityId) throw new UserFacingError('import-gone', 'This import no longer exists.');
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
    if (attachment === undefined) return [{ private: true, text: HOW_TO }];
    if (attachment.size > MAX_ZIP_BYTES) {
      throw new InvalidInputError(`That file is ${(attachment.size / MB).toFixed(1)} MB; I take files up to ${MAX_FILE_BYTES / MB} MB, or a ZIP up to ${MAX_ZIP_BYTES / MB} MB. Nothing was imported.`);
    }
    let bytes: Uint8Array;
    try {
      bytes = await attachment.download(MAX_ZIP_BYTES);
    } catch (error) {
      ctx.deps.logger.warn({ err: error, identityId: ctx.identityId }, 'import: the file could not be downloaded');
      throw new UserFacingError('import-download', 'I could not download that file. Please send it again.');
    }
    if (!isZip(bytes) && bytes.length > MAX_FILE_BYTES) {
      throw new InvalidInputError(`That file is ${(bytes.length / MB).toFixed(1)} MB; a CSV or JSON file may be up to ${MAX_FILE_BYTES / MB} MB (a ZIP up to ${MAX_ZIP_BYTES / MB} MB). Nothing was imported.`);
    }
    let result;
    try {
      result = await readImport(bytes);
    } catch (error) {
      if (error instanceof ImportError) throw new InvalidInputError([error.message, ' Nothing was imported.']);
      throw error;
    }
    if (result.rows.length === 0) throw new InvalidInputError(`The file holds no titles I can import (${result.format}). Nothing was imported.`);
    const store = storeOf(ctx.deps);
    const outbox = ctx.deps.outbox;
    const reading = {
      rows: result.rows.length,
      skipped: result.skipped,
      problems: result.problems.slice(0, 5).map((p) => `${p.line === undefined ? '' : `line ${p.line}: `}${p.message}`),
      problemCount: result.problems.length,
    };
    // The card lives in the private chat: sent there first, so the import knows where to redraw it.
    const draft = { identityId: ctx.identityId, platform: ctx.user.platform, format: result.format, fileName: attachment.fileName || 'file', reading, rows: result.rows };
    if (outbox === undefined || ctx.deps.jobs === undefined) throw new UserFacingError('imports-off', 'Imports are not available on this server.');
    const placeholder: Reply = { private: true, text: ['📥 Reading ', attachment.fileName.slice(0, 80), '…'] };
    const ref = await outbox.send(privateTarget(ctx), placeholder).catch((error: unknown) => {
      ctx.deps.logger.warn({ err: error, identityId: ctx.identityId }, 'import: the private chat could not be reached');
      return undefined;
    });
    if (ref === undefined) {
      return [{ private: true, text: 'I need our private chat for an import: open it (send me /start there), then send the file again.' }];
    }
    const record = await store.create({ ...draft, chatId: ref.chatId });
    await store.setCard(record.id, ref.messageId);
    await ctx.deps.jobs.enqueue(matchJobRef, { importId: record.id }, { ownerIdentityId: ctx.identityId, dedupeKey: `import-match:${record.id}` });
    const card = await importCard(ctx.deps, record);
    const edited = await outbox.edit(ref, card).catch(() => undefined);
    if (edited !== undefined && edited.messageId !== ref.messageId) await store.setCard(record.id, edited.messageId);
    if (edited !== undefined) await bindCard(ctx, card, edited);
    return ctx.chat.kind === 'private' ? [] : [{ private: true, text: 'Import started: its progress is in our private chat.' }];
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
  ack: 'Importing…',
  async run(ctx, payload) {
    const record = await ownRecord(ctx, payload.importId);
    await startApplying(ctx.deps, record);
    return { edit: await importCard(ctx.deps, (await storeOf(ctx.deps).byId(record.id)) ?? record) };
  },
});

export const importCancelAction = defineAction<ImportPayload>({
  action: IMPORT_ACTIONS.cancel,
  async run(ctx, payload) {
    const record = await ownRecord(ctx, payload.importId);
    await cancelImport(ctx.deps, record);
    return { edit: await importCard(ctx.deps, (await storeOf(ctx.deps).byId(record.id)) ?? record) };
  },
});

export const importUndoAction = defineAction<ImportPayload>({
  action: IMPORT_ACTIONS.undo,
  ack: 'Undoing the import…',
  async run(ctx, payload) {
    const record = await ownRecord(ctx, payload.importId);
    const store = storeOf(ctx.deps);
    if (await store.setStatus(record.id, ['done', 'cancelled'], 'undoing')) {
      await ctx.deps.jobs?.enqueue(undoJobRef, { importId: record.id }, { lane: `watchlist:${record.identityId}`, ownerIdentityId: record.identityId, dedupeKey: `import-undo:${record.id}` });
    }
    return { edit: await importCard(ctx.deps, (await store.byId(record.id)) ?? record) };
  },
});

export const importMissingAction = defineAction<ImportPayload>({
  action: IMPORT_ACTIONS.missing,
  async run(ctx, payload) {
    const record = await ownRecord(ctx, payload.importId);
    const store = storeOf(ctx.deps);
    const items = await store.items(record.id, { states: ['not-found'] });
    const edit = await importCard(ctx.deps, record);
    return {
      edit,
      send: [{ private: true, text: `${items.length} row${items.length === 1 ? '' : 's'} Trakt did not find, with their line in your file.`, file: notFoundFile(items) }],
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
  const store = storeOf(ctx.deps);
  const [next] = await store.items(record.id, { states: ['ambiguous'] }, AMBIGUOUS_SHOWN);
  if (next === undefined) return importCard(ctx.deps, record);
  const left = (await store.stateCounts(record.id)).ambiguous;
  const view = ctx.view();
  const candidates = (next.candidates ?? []).slice(0, 6);
  const labels = candidates.map((candidate) => `${targetLabel(candidate)} · ${candidate.kind}`);
  // Two candidates may share title, year and kind: their Trakt address tells them apart.
  const label = (candidate: Target, i: number): string => {
    const plain = labels[i] ?? '';
    if (labels.filter((l) => l === plain).length < 2) return plain;
    const title = titleOf(candidate);
    return `${plain} · ${title.ids.slug ?? `#${title.ids.trakt}`}`;
  };
  const buttons = candidates.map((candidate: Target, i) => [view.button(label(candidate, i).slice(0, 64), IMPORT_ACTIONS.pick, { importId: record.id, position: next.position, choice: i } satisfies ChoosePayload)]);
  buttons.push([view.button('⏭ Skip this one', IMPORT_ACTIONS.pick, { importId: record.id, position: next.position, choice: -1 } satisfies ChoosePayload)]);
  buttons.push([view.button('◀ Back to the preview', IMPORT_ACTIONS.choose, { importId: record.id, choice: -2 } satisfies ChoosePayload)]);
  await view.save(ctx.deps.pending);
  const row = next.row;
  return {
    text: [
      rich.bold(`Which one? (${left} to choose)`),
      rich.line,
      `Line ${row.line}: `,
      rich.bold(row.title ?? row.originalTitle ?? '?'),
      row.year === undefined ? '' : ` (${row.year})`,
      row.typeLabel === undefined ? '' : ` · ${row.typeLabel}`,
    ],
    buttons,
  };
}

export const importChooseAction = defineAction<ChoosePayload>({
  action: IMPORT_ACTIONS.choose,
  async run(ctx, payload) {
    const record = await ownRecord(ctx, payload.importId);
    if (payload.choice === -2 || record.status !== 'preview') return { edit: await importCard(ctx.deps, record) };
    return { edit: await chooser(ctx, record) };
  },
});

export const importPickAction = defineAction<ChoosePayload>({
  action: IMPORT_ACTIONS.pick,
  async run(ctx, payload) {
    const record = await ownRecord(ctx, payload.importId);
    const store = storeOf(ctx.deps);
    if (record.status !== 'preview' || payload.position === undefined) return { edit: await importCard(ctx.deps, record) };
    const [item] = (await store.items(record.id, { states: ['ambiguous'] })).filter((i) => i.position === payload.position);
    if (item !== undefined) {
      const chosen = payload.choice === undefined || payload.choice < 0 ? undefined : item.candidates?.[payload.choice];
      await store.saveMatch(record.id, item.position, chosen === undefined ? { state: 'skipped' } : { state: 'matched', target: chosen });
    }
    return { edit: await chooser(ctx, record) };
  },
});

const EXPORT_FORMATS = {
  json: { fileName: 'marquee-watchlist.json', contentType: 'application/json', write: exportMarqueeJson, label: 'Marquee JSON (complete; /import reads it back)' },
  letterboxd: { fileName: 'watchlist-letterboxd.csv', contentType: 'text/csv', write: exportLetterboxdCsv, label: 'Letterboxd import CSV (films only)' },
  imdb: { fileName: 'watchlist-imdb.csv', contentType: 'text/csv', write: exportImdbCsv, label: 'IMDb-style CSV' },
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
    const format = EXPORT_FORMATS[wanted as keyof typeof EXPORT_FORMATS];
    if (format === undefined) throw new InvalidInputError('Export as json (complete), letterboxd or imdb, e.g. /export letterboxd.');
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
        text: [`Your watchlist, ${state.itemCount} item${state.itemCount === 1 ? '' : 's'}: `, format.label, '.'],
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
