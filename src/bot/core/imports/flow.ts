/**
 * An import's life after the file is read: matching each row to a Trakt title (ID first, src/imports),
 * the preview, the apply plan (what is new, what fits the account's limit), applying in batches by jobs
 * in the user's write lane, and Undo import. Cards are rendered from the stored rows, so any step can
 * redraw the one progress card, from the press or from a job.
 */
import { z } from 'zod';
import { defineJobKind, PermanentJobError, RetryJobLater, type JobKind, type JobKindRef } from '../../../jobs/types.js';
import { rowToEntry } from '../../../imports/entries.js';
import { matchRow, type Candidate, type Lookup } from '../../../imports/match.js';
import type { ImportRow } from '../../../imports/rows.js';
import { ViewBuilder } from '../actions.js';
import type { CoreDeps } from '../context.js';
import { TraktUnavailableError, UserFacingError } from '../errors.js';
import type { Target, TraktCatalogPort } from '../ports.js';
import { targetKey, titleTarget } from '../targets.js';
import { titleOf } from '../../../domain/target.js';
import { rich, type Button, type MessageRef, type Reply, type Rich } from '../types.js';
import type { WatchlistWriter } from '../../../watchlist/writer.js';
import type { ImportItem, ImportRecord, ImportStore, ImportSummary, ItemOutcome } from './ports.js';
import { EN, translatorForIdentity, type Translator } from '../i18n/index.js';

/** Items per write: the client sends up to 100 per request, so one batch is one request. */
export const IMPORT_BATCH = 100;
/** How long an import's buttons work: as long as anyone would come back to a preview or an undo. */
const IMPORT_BUTTON_TTL_MS = 7 * 24 * 60 * 60_000;
/** Undo import works this long after the import (it removes exactly what the import added). */
const UNDO_IMPORT_MS = 30 * 24 * 60 * 60_000;
/** Rows matched per step of the matching job before its progress is saved and shown. */
const MATCH_STEP = 25;

export const IMPORT_ACTIONS = {
  apply: 'imp-apply',
  choose: 'imp-choose',
  pick: 'imp-pick',
  missing: 'imp-missing',
  cancel: 'imp-cancel',
  undo: 'imp-undo',
} as const;

/** Formats the readers name (src/imports); their names are `imports:format.<format>`. */
const FORMATS: ReadonlySet<string> = new Set([
  'imdb-list',
  'imdb-ratings',
  'letterboxd-watchlist',
  'letterboxd-ratings',
  'letterboxd-diary',
  'letterboxd-list',
  'letterboxd-import',
  'letterboxd-export-zip',
  'trakt-export',
  'trakt-export-zip',
  'trakt-backup',
  'tmdb',
  'marquee',
]);

export function formatName(format: string, i18n: Translator): string {
  return FORMATS.has(format) ? i18n.t(`imports:format.${format}`) : format;
}

/** The import store; `i18n` says the error in the user's language when the server has no imports. */
export function storeOf(deps: CoreDeps, i18n: Translator = EN): ImportStore {
  if (deps.imports === undefined) throw new UserFacingError('imports-off', i18n.t('imports:unavailable'));
  return deps.imports;
}

/** A count with the language's digit grouping (1,234 · 1.234 · 1 234). */
function number(n: number, i18n: Translator): string {
  return n.toLocaleString(i18n.locale);
}

// ---------------------------------------------------------------------------------------------------
// Matching

/** One row matched through Trakt's catalog: the lookups src/imports plans, answered by the port. */
export async function matchImportRow(catalog: TraktCatalogPort, row: ImportRow): Promise<{ state: 'matched' | 'ambiguous' | 'not-found'; target?: Target; candidates?: Target[] }> {
  const targets = new Map<Candidate, Target>();
  const candidate = (target: Target): Candidate => {
    const title = titleOf(target);
    const c: Candidate = { type: target.kind, ids: { ...title.ids }, title: title.title, year: title.year };
    targets.set(c, target);
    return c;
  };
  const search = async (lookup: Lookup): Promise<Candidate[]> => {
    switch (lookup.by) {
      case 'trakt': {
        // Our own and Trakt's exports carry the Trakt item: no lookup needed.
        const entry = row.kind === lookup.type ? rowToEntry(row) : undefined;
        if (entry !== undefined) return [candidate(targetOfEntry(entry))];
        return idHits(catalog, { idType: 'trakt', id: lookup.id, ...(lookup.type === 'movie' || lookup.type === 'show' || lookup.type === 'episode' ? { type: lookup.type } : {}) }, candidate);
      }
      case 'imdb':
        return idHits(catalog, { idType: 'imdb', id: lookup.id }, candidate);
      case 'tmdb':
      case 'tvdb':
        return idHits(catalog, { idType: lookup.by, id: lookup.id, type: lookup.type }, candidate);
      case 'show': {
        const shows = (await search(lookup.show)).flatMap((c) => {
          const t = targets.get(c);
          return t !== undefined && t.kind === 'show' ? [titleOf(t)] : [];
        });
        return shows.map((show) =>
          candidate(lookup.episode !== undefined ? { kind: 'episode', show, season: lookup.season, episode: lookup.episode } : { kind: 'season', show, season: lookup.season }),
        );
      }
      case 'title': {
        const types = lookup.types.filter((t): t is 'movie' | 'show' => t === 'movie' || t === 'show');
        if (types.length === 0) return [];
        const page = await catalog.search({ query: lookup.query, types, page: 1, limit: 10, ...(lookup.year === undefined ? {} : { year: lookup.year }) });
        return page.hits.map((title) => candidate(titleTarget(title)));
      }
    }
  };
  const verdict = await matchRow(row, search);
  if (verdict.status === 'matched') {
    const target = targets.get(verdict.candidate);
    return target === undefined ? { state: 'not-found' } : { state: 'matched', target };
  }
  if (verdict.status === 'ambiguous') {
    const candidates = verdict.candidates.flatMap((c) => {
      const t = targets.get(c);
      return t === undefined ? [] : [t];
    });
    return candidates.length === 0 ? { state: 'not-found' } : { state: 'ambiguous', candidates: candidates.slice(0, 8) };
  }
  return { state: 'not-found' };
}

async function idHits(
  catalog: TraktCatalogPort,
  input: { idType: 'imdb' | 'tmdb' | 'tvdb' | 'trakt'; id: string | number; type?: 'movie' | 'show' | 'episode' },
  candidate: (target: Target) => Candidate,
): Promise<Candidate[]> {
  if (catalog.lookupIds === undefined) {
    if (input.idType !== 'imdb') return [];
    const title = await catalog.lookupImdb(String(input.id));
    return title === undefined ? [] : [candidate(titleTarget(title))];
  }
  const hits = await catalog.lookupIds(input);
  return hits.map((hit) =>
    candidate(hit.type === 'episode' ? { kind: 'episode', show: hit.show, season: hit.season, episode: hit.episode, ...(hit.episodeTitle ? { episodeTitle: hit.episodeTitle } : {}) } : titleTarget(hit.title)),
  );
}

function targetOfEntry(entry: NonNullable<ReturnType<typeof rowToEntry>>): Target {
  if (entry.type === 'season' && entry.season !== undefined) return { kind: 'season', show: entry.title, season: entry.season };
  if (entry.type === 'episode' && entry.episode !== undefined) {
    return { kind: 'episode', show: entry.title, season: entry.episode.season, episode: entry.episode.number, ...(entry.episode.title ? { episodeTitle: entry.episode.title } : {}) };
  }
  return titleTarget(entry.title);
}

// ---------------------------------------------------------------------------------------------------
// Cards

function readingLines(record: ImportRecord, i18n: Translator): Rich[] {
  const lines: Rich[] = [];
  const s = record.reading.skipped;
  // Each kind of row left out, counted; listed in one sentence.
  const notes = [
    s.duplicates > 0 ? i18n.t('imports:card.skippedDuplicates', { count: s.duplicates, n: number(s.duplicates, i18n) }) : '',
    s.noTitle > 0 ? i18n.t('imports:card.skippedNoTitle', { n: number(s.noTitle, i18n) }) : '',
    s.people > 0 ? i18n.t('imports:card.skippedPeople', { count: s.people, n: number(s.people, i18n) }) : '',
    s.unsupported > 0 ? i18n.t('imports:card.skippedUnsupported', { n: number(s.unsupported, i18n) }) : '',
    s.invalid > 0 ? i18n.t('imports:card.skippedInvalid', { count: s.invalid, n: number(s.invalid, i18n) }) : '',
  ].filter((n) => n !== '');
  if (notes.length > 0) lines.push(rich.line, i18n.tr('imports:card.leftOut', { notes: notes.join(', ') }));
  return lines;
}

function header(record: ImportRecord, i18n: Translator): Rich[] {
  const rows = record.reading.rows;
  return [i18n.tr('imports:card.header', { count: rows, n: number(rows, i18n), format: formatName(record.format, i18n), file: record.fileName.slice(0, 80) })];
}

function view(record: ImportRecord, now: Date): ViewBuilder {
  return new ViewBuilder({ identityId: record.identityId, platform: record.platform, chatId: record.chatId }, new Date(now.getTime() + IMPORT_BUTTON_TTL_MS));
}

/** The import's one card as it is now, in `i18n`'s language (the user's: a job asks translatorForIdentity). */
export async function importCard(deps: CoreDeps, record: ImportRecord, i18n: Translator): Promise<Reply> {
  const store = storeOf(deps, i18n);
  const now = deps.clock?.now() ?? new Date();
  const counts = await store.stateCounts(record.id);
  const num = (n: number): string => number(n, i18n);
  const lines: Rich[] = [...header(record, i18n)];
  const v = view(record, now);
  const buttons: Button[][] = [];
  const payload = { importId: record.id };
  if (record.status === 'matching') {
    const done = record.reading.rows - counts.pending;
    lines.push(rich.line, rich.line, i18n.tr('imports:card.matching', { done: num(done), total: num(record.reading.rows) }), ...readingLines(record, i18n));
    buttons.push([v.button(i18n.t('imports:button.cancel'), IMPORT_ACTIONS.cancel, payload)]);
  } else if (record.status === 'preview') {
    const plan = await planImport(deps, record, { dryRun: true });
    lines.push(rich.line, rich.line, i18n.tr('imports:card.beforeWriting'));
    lines.push(rich.line, i18n.tr('imports:card.matched', { n: num(counts.matched) }));
    if (counts.ambiguous > 0) lines.push(rich.line, i18n.tr('imports:card.ambiguous', { n: num(counts.ambiguous) }));
    if (counts['not-found'] > 0) lines.push(rich.line, i18n.tr('imports:card.notFound', { n: num(counts['not-found']) }));
    if (plan.listed > 0) lines.push(rich.line, i18n.tr('imports:card.listed', { n: num(plan.listed) }));
    if (plan.duplicates > 0) lines.push(rich.line, i18n.tr('imports:card.duplicates', { n: num(plan.duplicates) }));
    lines.push(rich.line, limitText(plan, i18n));
    lines.push(...readingLines(record, i18n));
    if (plan.fits > 0) buttons.push([v.button(i18n.t('imports:button.import', { n: num(plan.fits) }), IMPORT_ACTIONS.apply, payload, 'primary')]);
    if (counts.ambiguous > 0) buttons.push([v.button(i18n.t('imports:button.choose', { n: num(counts.ambiguous) }), IMPORT_ACTIONS.choose, payload)]);
    if (counts['not-found'] > 0) buttons.push([v.button(i18n.t('imports:button.notFoundFile'), IMPORT_ACTIONS.missing, payload)]);
    buttons.push([v.button(i18n.t('imports:button.cancel'), IMPORT_ACTIONS.cancel, payload)]);
    if (plan.fits === 0) lines.push(rich.line, rich.line, i18n.tr('imports:card.nothingNew'));
  } else if (record.status === 'applying') {
    const progress = await store.progress(record.id);
    lines.push(rich.line, rich.line, applyingText(record, progress, now, i18n));
    buttons.push([v.button(i18n.t('imports:button.cancel'), IMPORT_ACTIONS.cancel, payload)]);
  } else {
    const summary = record.summary;
    const outcome = await store.outcomeCounts(record.id);
    if (record.status === 'cancelled' && (summary === null || (outcome.added ?? 0) === 0)) {
      lines.push(rich.line, rich.line, i18n.tr('imports:card.cancelledNothing'));
    } else if (record.status === 'undone' || record.status === 'undoing') {
      const undone = summary?.undone ?? 0;
      lines.push(rich.line, rich.line, record.status === 'undoing' ? i18n.tr('imports:card.undoing') : i18n.tr('imports:card.undone', { count: undone, n: num(undone) }));
    } else {
      lines.push(rich.line, rich.line, i18n.tr(record.status === 'cancelled' ? 'imports:card.cancelledPartWay' : 'imports:card.done'));
      lines.push(rich.line, i18n.tr('imports:card.added', { n: num(outcome.added ?? 0) }));
      if ((outcome.existing ?? 0) + (outcome.listed ?? 0) > 0) lines.push(rich.line, i18n.tr('imports:card.alreadyListed', { n: num((outcome.existing ?? 0) + (outcome.listed ?? 0)) }));
      if ((outcome['over-limit'] ?? 0) > 0) lines.push(rich.line, i18n.tr('imports:card.overLimitSkipped', { n: num(outcome['over-limit'] ?? 0) }));
      if (counts['not-found'] + (outcome['not-found'] ?? 0) > 0) lines.push(rich.line, i18n.tr('imports:card.notFoundTotal', { n: num(counts['not-found'] + (outcome['not-found'] ?? 0)) }));
      if ((outcome.added ?? 0) > 0 && now.getTime() - record.createdAt.getTime() < UNDO_IMPORT_MS) buttons.push([v.button(i18n.t('imports:button.undo'), IMPORT_ACTIONS.undo, payload)]);
      if (counts['not-found'] > 0) buttons.push([v.button(i18n.t('imports:button.notFoundFile'), IMPORT_ACTIONS.missing, payload)]);
    }
  }
  await v.save(deps.pending);
  return { text: lines, ...(buttons.length > 0 ? { buttons } : {}) };
}

/** "Adding to your watchlist: 200 / 1,000", with the time left once a batch has been written. */
function applyingText(record: ImportRecord, progress: { batches: number; done: number; applied: number; items: number }, now: Date, i18n: Translator): Rich {
  const counts = { done: number(progress.applied, i18n), total: number(progress.items, i18n) };
  const startedAt = record.summary === null ? undefined : (record.summary as ImportSummary & { startedAt?: string }).startedAt;
  if (startedAt === undefined || progress.done === 0) return i18n.tr('imports:card.applying', counts);
  const perBatch = (now.getTime() - Date.parse(startedAt)) / progress.done;
  const left = Math.max(1, Math.round(((progress.batches - progress.done) * perBatch) / 1000));
  return left < 90 ? i18n.tr('imports:card.applyingSeconds', { ...counts, seconds: left }) : i18n.tr('imports:card.applyingMinutes', { ...counts, minutes: Math.round(left / 60) });
}

// ---------------------------------------------------------------------------------------------------
// The plan: what is new, what fits

interface Plan {
  fits: number;
  listed: number;
  duplicates: number;
  overLimit: number;
  /** The watchlist's items and limit (null: none known) when planned, and whether the account is VIP. */
  used: number;
  limit: number | null;
  vip: boolean;
  entries: Array<{ position: number; batch: number | null; outcome: ItemOutcome | null }>;
}

/** Which matched titles are new and fit the account's limit, in file order; batches of IMPORT_BATCH. */
export async function planImport(deps: CoreDeps, record: ImportRecord, options: { dryRun: boolean }): Promise<Plan> {
  const store = storeOf(deps);
  const matched = await store.items(record.id, { states: ['matched'] });
  const seen = new Set<string>();
  const keys = matched.flatMap((item) => (item.target === null ? [] : [targetKey(item.target)]));
  const present = await deps.watchlists.present(record.identityId, keys).catch(() => new Set<string>());
  const state = await deps.watchlists.state(record.identityId).catch(() => undefined);
  const account = await deps.accounts.linkedAccount(record.identityId).catch(() => null);
  const used = state?.itemCount ?? 0;
  const limit = account?.watchlistLimit ?? null;
  let room = limit === null ? Number.POSITIVE_INFINITY : Math.max(0, limit - used);
  const entries: Plan['entries'] = [];
  let fits = 0;
  let listed = 0;
  let duplicates = 0;
  let overLimit = 0;
  for (const item of matched) {
    if (item.target === null) continue;
    const key = targetKey(item.target);
    if (seen.has(key)) {
      duplicates++;
      entries.push({ position: item.position, batch: null, outcome: 'duplicate' });
      continue;
    }
    seen.add(key);
    if (present.has(key)) {
      listed++;
      entries.push({ position: item.position, batch: null, outcome: 'listed' });
      continue;
    }
    if (room <= 0) {
      overLimit++;
      entries.push({ position: item.position, batch: null, outcome: 'over-limit' });
      continue;
    }
    room--;
    entries.push({ position: item.position, batch: Math.floor(fits / IMPORT_BATCH), outcome: null });
    fits++;
  }
  const plan = { fits, listed, duplicates, overLimit, used, limit, vip: account?.vip === true, entries };
  if (!options.dryRun) await store.plan(record.id, entries);
  return plan;
}

/** What fits the account's limit, in words. */
function limitText(plan: Plan, i18n: Translator): Rich {
  const n = (value: number): string => number(value, i18n);
  const { fits, overLimit, used, limit } = plan;
  if (limit === null) return i18n.tr('imports:card.noLimit', { count: fits, n: n(fits) });
  if (overLimit === 0) return i18n.tr('imports:card.allFit', { count: fits, n: n(fits), used: n(used), limit: n(limit) });
  return i18n.tr(plan.vip ? 'imports:card.overLimitVip' : 'imports:card.overLimit', { used: n(used), limit: n(limit), fits: n(fits), total: n(fits + overLimit), over: n(overLimit) });
}

// ---------------------------------------------------------------------------------------------------
// Jobs

export const IMPORT_MATCH_KIND = 'import-match';
export const IMPORT_BATCH_KIND = 'import-batch';
export const IMPORT_UNDO_KIND = 'import-undo';

const importJobSchema = z.object({ importId: z.number().int().positive() });
const batchJobSchema = z.object({ importId: z.number().int().positive(), identityId: z.number().int().positive(), batch: z.number().int().min(0) });
export const matchJobRef = { kind: IMPORT_MATCH_KIND, schema: importJobSchema, maxAttempts: 500 } satisfies JobKindRef<z.infer<typeof importJobSchema>>;
export const batchJobRef = { kind: IMPORT_BATCH_KIND, schema: batchJobSchema, maxAttempts: 2_000 } satisfies JobKindRef<z.infer<typeof batchJobSchema>>;
export const undoJobRef = { kind: IMPORT_UNDO_KIND, schema: importJobSchema, maxAttempts: 500 } satisfies JobKindRef<z.infer<typeof importJobSchema>>;

function backoff(attempt: number): number {
  return Math.min(30_000, 2_000 * 2 ** Math.max(0, attempt - 1));
}

export interface ImportJobDeps {
  deps: CoreDeps;
  writer: WatchlistWriter;
  bindMessage(reply: Reply, ref: MessageRef): Promise<void>;
}

/** Redraws the import's card now (coalesced with other redraws of it). */
export function refreshImportCard(kindDeps: ImportJobDeps, importId: number): void {
  const { deps } = kindDeps;
  const updates = deps.cardUpdates;
  if (updates === undefined || deps.outbox === undefined) return;
  updates.touch(`import:${importId}`, () => redraw(kindDeps, importId));
}

async function redraw(kindDeps: ImportJobDeps, importId: number): Promise<void> {
  const { deps } = kindDeps;
  const record = await storeOf(deps).byId(importId);
  if (record === undefined || record.cardMessageId === null || deps.outbox === undefined) return;
  // The card lives in the user's private chat: in their language.
  const reply = await importCard(deps, record, await translatorForIdentity(deps, record.identityId));
  const ref = { platform: record.platform, chatId: record.chatId, messageId: record.cardMessageId };
  const edited = await deps.outbox.edit(ref, reply);
  if (edited !== undefined) {
    await kindDeps.bindMessage(reply, edited);
    if (edited.messageId !== ref.messageId) await storeOf(deps).setCard(importId, edited.messageId);
  }
}

function unavailable(error: unknown): boolean {
  return error instanceof TraktUnavailableError;
}

export function createImportJobKinds(kindDeps: ImportJobDeps): Array<JobKind<never, unknown>> {
  const { deps, writer } = kindDeps;

  const match = defineJobKind({
    ...matchJobRef,
    leaseMs: 60_000,
    backoffMs: backoff,
    async run(job, run) {
      const store = storeOf(deps);
      const catalog = deps.trakt.catalog();
      for (;;) {
        const record = await store.byId(job.importId);
        if (record === undefined || record.status !== 'matching') return;
        const pending = await store.items(job.importId, { states: ['pending'] }, MATCH_STEP);
        if (pending.length === 0) break;
        for (const item of pending) {
          if (run.signal.aborted) return;
          try {
            const verdict = await matchImportRow(catalog, item.row);
            await store.saveMatch(job.importId, item.position, verdict);
          } catch (error) {
            if (unavailable(error)) throw new RetryJobLater(backoff(run.attempt), 'Trakt unavailable while matching', { cause: error });
            // A row Trakt refuses (a malformed id) is not found; the rest goes on.
            deps.logger.warn({ err: error, importId: job.importId, line: item.row.line }, 'import: a row could not be matched');
            await store.saveMatch(job.importId, item.position, { state: 'not-found' });
          }
        }
        refreshImportCard(kindDeps, job.importId);
      }
      // The preview compares with the watchlist as it is on Trakt now (what is already listed, what fits).
      const record = await store.byId(job.importId);
      if (record !== undefined) {
        try {
          await writer.copy.current(record.identityId, await deps.trakt.forIdentity(record.identityId), { recheck: true });
        } catch (error) {
          if (unavailable(error)) throw new RetryJobLater(backoff(run.attempt), 'Trakt unavailable before the preview', { cause: error });
          throw error;
        }
      }
      if (await store.setStatus(job.importId, ['matching'], 'preview')) refreshImportCard(kindDeps, job.importId);
    },
  });

  const batch = defineJobKind({
    ...batchJobRef,
    leaseMs: 30_000,
    backoffMs: backoff,
    async run(job, run) {
      const store = storeOf(deps);
      const record = await store.byId(job.importId);
      if (record === undefined) return;
      const items = (await store.items(job.importId, { batch: job.batch })).filter((i) => i.target !== null && i.outcome === null);
      if (record.status !== 'applying' || items.length === 0) {
        await finishIfDone(job.importId);
        return;
      }
      const targets = items.map((i) => i.target as Target);
      let outcome;
      try {
        outcome = await writer.write({ identityId: job.identityId, op: 'add', targets, jobId: run.id, firstAttempt: false });
      } catch (error) {
        if (unavailable(error)) throw new RetryJobLater(backoff(run.attempt), 'Trakt unavailable while importing', { cause: error });
        throw new PermanentJobError(error instanceof Error ? error.name : 'import write refused', { cause: error });
      }
      const changed = new Set(outcome.changed.map(targetKey));
      const missing = new Set(outcome.notFound.map(targetKey));
      const outcomes = items.map((i) => {
        const key = targetKey(i.target as Target);
        const result: ItemOutcome = changed.has(key) ? 'added' : missing.has(key) ? 'not-found' : 'existing';
        return { position: i.position, outcome: result };
      });
      await store.finishBatch(job.importId, job.batch, outcome.entry.id, outcomes);
      await finishIfDone(job.importId);
    },
    async onFailed(job, error) {
      if (job === undefined) return;
      deps.logger.warn({ importId: job.importId, batch: job.batch, error: error instanceof Error ? error.name : typeof error }, 'import batch given up');
      const store = storeOf(deps);
      await store.setStatus(job.importId, ['applying'], 'cancelled');
      refreshImportCard(kindDeps, job.importId);
    },
  });

  async function finishIfDone(importId: number): Promise<void> {
    const store = storeOf(deps);
    const progress = await store.progress(importId);
    if (progress.done >= progress.batches && (await store.setStatus(importId, ['applying'], 'done'))) {
      deps.logger.info({ importId, items: progress.items }, 'import applied');
    }
    refreshImportCard(kindDeps, importId);
  }

  const undo = defineJobKind({
    ...undoJobRef,
    leaseMs: 60_000,
    backoffMs: backoff,
    async run(job) {
      const store = storeOf(deps);
      const record = await store.byId(job.importId);
      if (record === undefined || record.status !== 'undoing') return;
      let undone = record.summary?.undone ?? 0;
      for (const journalId of await store.journalIds(job.importId)) {
        const result = await writer.undo({ identityId: record.identityId, journalId, windowMs: UNDO_IMPORT_MS });
        if (result.kind === 'failed') {
          if (unavailable(result.error)) throw new RetryJobLater(backoff(1), 'Trakt unavailable while undoing an import', { cause: result.error });
          throw new PermanentJobError('undo of an import batch failed', { cause: result.error });
        }
        if (result.kind === 'undone') {
          undone += result.write.changed.length;
          await store.setSummary(job.importId, { ...(record.summary ?? emptySummary()), undone });
        }
      }
      await store.setStatus(job.importId, ['undoing'], 'undone');
      refreshImportCard(kindDeps, job.importId);
    },
  });

  return [match, batch, undo] as Array<JobKind<never, unknown>>;
}

export function emptySummary(): ImportSummary {
  return { added: 0, existing: 0, overLimit: 0, listed: 0, notFound: 0 };
}

/** Applies the plan: batches become jobs in the user's write lane (after their earlier changes). */
export async function startApplying(deps: CoreDeps, record: ImportRecord, i18n: Translator): Promise<number> {
  const store = storeOf(deps, i18n);
  const jobs = deps.jobs;
  if (jobs === undefined) throw new UserFacingError('imports-off', i18n.t('imports:needsJobs'));
  if (!(await store.setStatus(record.id, ['preview'], 'applying'))) return 0;
  const plan = await planImport(deps, record, { dryRun: false });
  const now = deps.clock?.now() ?? new Date();
  await store.setSummary(record.id, { ...emptySummary(), startedAt: now.toISOString() } as ImportSummary);
  const batches = Math.ceil(plan.fits / IMPORT_BATCH);
  for (let b = 0; b < batches; b++) {
    await jobs.enqueue(batchJobRef, { importId: record.id, identityId: record.identityId, batch: b }, { lane: `watchlist:${record.identityId}`, ownerIdentityId: record.identityId, dedupeKey: `import:${record.id}:${b}` });
  }
  if (batches === 0) await store.setStatus(record.id, ['applying'], 'done');
  return plan.fits;
}

/** Cancel: matching stops, queued batches are cancelled (a running one finishes); what was added stays, with Undo import. */
export async function cancelImport(deps: CoreDeps, record: ImportRecord): Promise<void> {
  const store = storeOf(deps);
  await store.setStatus(record.id, ['matching', 'preview', 'applying'], 'cancelled');
  const jobs = deps.jobs;
  if (jobs === undefined) return;
  for (const job of await jobs.listLive({ ownerIdentityId: record.identityId, kind: IMPORT_BATCH_KIND })) {
    const payload = batchJobSchema.safeParse(job.payload);
    if (payload.success && payload.data.importId === record.id) await jobs.cancel(job.id, record.identityId);
  }
}

/** The rows not found, as a CSV the user can fix and send again. */
export function notFoundFile(items: ImportItem[]): Reply['file'] {
  const esc = (value: string | number | undefined): string => {
    const text = value === undefined ? '' : String(value);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return {
    fileName: 'not-found.csv',
    contentType: 'text/csv',
    content: async function* () {
      yield 'Line,Title,Year,Type,IMDb ID,TMDb ID,Trakt ID\n';
      for (const item of items) {
        const r = item.row;
        yield `${[r.line, esc(r.title ?? r.originalTitle), r.year, r.kind, r.ids.imdb, r.ids.tmdb, r.ids.trakt].map((v) => (typeof v === 'string' && v.startsWith('"') ? v : esc(v))).join(',')}\n`;
      }
    },
  };
}
