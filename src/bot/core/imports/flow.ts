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
import { targetKey, targetLabel, titleTarget } from '../targets.js';
import { titleOf } from '../../../domain/target.js';
import { rich, type Button, type MessageRef, type Reply, type Rich } from '../types.js';
import type { WatchlistWriter } from '../../../watchlist/writer.js';
import type { ImportItem, ImportRecord, ImportStore, ImportSummary, ItemOutcome } from './ports.js';

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

const FORMAT_NAMES: Record<string, string> = {
  'imdb-list': 'IMDb list',
  'imdb-ratings': 'IMDb ratings',
  'letterboxd-watchlist': 'Letterboxd watchlist',
  'letterboxd-ratings': 'Letterboxd ratings',
  'letterboxd-diary': 'Letterboxd diary',
  'letterboxd-list': 'Letterboxd list',
  'letterboxd-import': 'Letterboxd import CSV',
  'letterboxd-export-zip': 'Letterboxd export',
  'trakt-export': 'Trakt export',
  'trakt-export-zip': 'Trakt export',
  'trakt-backup': 'Trakt backup',
  tmdb: 'TMDb export',
  marquee: 'Marquee export',
};

export function formatName(format: string): string {
  return FORMAT_NAMES[format] ?? format;
}

export function storeOf(deps: CoreDeps): ImportStore {
  if (deps.imports === undefined) throw new UserFacingError('imports-off', 'Imports are not available on this server.');
  return deps.imports;
}

function number(n: number): string {
  return n.toLocaleString('en-US');
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

function readingLines(record: ImportRecord): Rich[] {
  const lines: Rich[] = [];
  const s = record.reading.skipped;
  const notes = [
    s.duplicates > 0 ? `${number(s.duplicates)} duplicate row${s.duplicates === 1 ? '' : 's'}` : '',
    s.noTitle > 0 ? `${number(s.noTitle)} without a title or id` : '',
    s.people > 0 ? `${number(s.people)} people (not titles)` : '',
    s.unsupported > 0 ? `${number(s.unsupported)} of types Trakt does not list (games, podcasts…)` : '',
    s.invalid > 0 ? `${number(s.invalid)} unreadable` : '',
  ].filter((n) => n !== '');
  if (notes.length > 0) lines.push(rich.line, rich.italic(`Left out while reading: ${notes.join(', ')}.`));
  return lines;
}

function header(record: ImportRecord): Rich[] {
  return [rich.bold(`📥 Import: ${formatName(record.format)}`), ` (${record.fileName.slice(0, 80)}, ${number(record.reading.rows)} title${record.reading.rows === 1 ? '' : 's'})`];
}

function view(record: ImportRecord, now: Date): ViewBuilder {
  return new ViewBuilder({ identityId: record.identityId, platform: record.platform, chatId: record.chatId }, new Date(now.getTime() + IMPORT_BUTTON_TTL_MS));
}

/** The import's one card as it is now. */
export async function importCard(deps: CoreDeps, record: ImportRecord): Promise<Reply> {
  const store = storeOf(deps);
  const now = deps.clock?.now() ?? new Date();
  const counts = await store.stateCounts(record.id);
  const lines: Rich[] = [...header(record)];
  const v = view(record, now);
  const buttons: Button[][] = [];
  const payload = { importId: record.id };
  if (record.status === 'matching') {
    const done = record.reading.rows - counts.pending;
    lines.push(rich.line, rich.line, `Matching with Trakt: ${number(done)} / ${number(record.reading.rows)}…`, ...readingLines(record));
    buttons.push([v.button('✖ Cancel', IMPORT_ACTIONS.cancel, payload)]);
  } else if (record.status === 'preview') {
    const plan = await planImport(deps, record, { dryRun: true });
    lines.push(rich.line, rich.line, rich.bold('Before anything is written:'));
    lines.push(rich.line, `✓ ${number(counts.matched)} matched`);
    if (counts.ambiguous > 0) lines.push(rich.line, `❓ ${number(counts.ambiguous)} to choose (several titles fit)`);
    if (counts['not-found'] > 0) lines.push(rich.line, `✗ ${number(counts['not-found'])} not found on Trakt`);
    if (plan.listed > 0) lines.push(rich.line, `• ${number(plan.listed)} already on your watchlist`);
    if (plan.duplicates > 0) lines.push(rich.line, `• ${number(plan.duplicates)} twice in the file (added once)`);
    lines.push(rich.line, plan.limitText);
    lines.push(...readingLines(record));
    if (plan.fits > 0) buttons.push([v.button(`✅ Import ${number(plan.fits)}`, IMPORT_ACTIONS.apply, payload, 'primary')]);
    if (counts.ambiguous > 0) buttons.push([v.button(`❓ Choose ${number(counts.ambiguous)}`, IMPORT_ACTIONS.choose, payload)]);
    if (counts['not-found'] > 0) buttons.push([v.button('📄 Not found (file)', IMPORT_ACTIONS.missing, payload)]);
    buttons.push([v.button('✖ Cancel', IMPORT_ACTIONS.cancel, payload)]);
    if (plan.fits === 0) lines.push(rich.line, rich.line, 'Nothing new to add.');
  } else if (record.status === 'applying') {
    const progress = await store.progress(record.id);
    const eta = etaText(record, progress, now);
    lines.push(rich.line, rich.line, `Adding to your watchlist: ${number(progress.applied)} / ${number(progress.items)}${eta}`);
    buttons.push([v.button('✖ Cancel', IMPORT_ACTIONS.cancel, payload)]);
  } else {
    const summary = record.summary;
    const outcome = await store.outcomeCounts(record.id);
    if (record.status === 'cancelled' && (summary === null || (outcome.added ?? 0) === 0)) {
      lines.push(rich.line, rich.line, 'Cancelled. Nothing was added.');
    } else if (record.status === 'undone' || record.status === 'undoing') {
      lines.push(rich.line, rich.line, record.status === 'undoing' ? '↩ Undoing the import…' : `↩ Import undone: ${number(summary?.undone ?? 0)} title${summary?.undone === 1 ? '' : 's'} it added were removed again.`);
    } else {
      lines.push(rich.line, rich.line, record.status === 'cancelled' ? rich.bold('Cancelled part way.') : rich.bold('✅ Import done.'));
      lines.push(rich.line, `Added: ${number(outcome.added ?? 0)}`);
      if ((outcome.existing ?? 0) + (outcome.listed ?? 0) > 0) lines.push(rich.line, `Already on your watchlist: ${number((outcome.existing ?? 0) + (outcome.listed ?? 0))}`);
      if ((outcome['over-limit'] ?? 0) > 0) lines.push(rich.line, `Skipped, over your watchlist's limit: ${number(outcome['over-limit'] ?? 0)}`);
      if (counts['not-found'] + (outcome['not-found'] ?? 0) > 0) lines.push(rich.line, `Not found on Trakt: ${number(counts['not-found'] + (outcome['not-found'] ?? 0))}`);
      if ((outcome.added ?? 0) > 0 && now.getTime() - record.createdAt.getTime() < UNDO_IMPORT_MS) buttons.push([v.button('↩ Undo import', IMPORT_ACTIONS.undo, payload)]);
      if (counts['not-found'] > 0) buttons.push([v.button('📄 Not found (file)', IMPORT_ACTIONS.missing, payload)]);
    }
  }
  await v.save(deps.pending);
  return { text: lines, ...(buttons.length > 0 ? { buttons } : {}) };
}

function etaText(record: ImportRecord, progress: { batches: number; done: number }, now: Date): string {
  const startedAt = record.summary === null ? undefined : (record.summary as ImportSummary & { startedAt?: string }).startedAt;
  if (startedAt === undefined || progress.done === 0) return '…';
  const perBatch = (now.getTime() - Date.parse(startedAt)) / progress.done;
  const left = Math.max(1, Math.round(((progress.batches - progress.done) * perBatch) / 1000));
  return left < 90 ? ` (about ${left} s left)` : ` (about ${Math.round(left / 60)} min left)`;
}

// ---------------------------------------------------------------------------------------------------
// The plan: what is new, what fits

interface Plan {
  fits: number;
  listed: number;
  duplicates: number;
  overLimit: number;
  limitText: string;
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
  const limitText =
    limit === null
      ? `All ${number(fits)} new title${fits === 1 ? '' : 's'} can be added.`
      : overLimit === 0
        ? `Your watchlist: ${number(used)} / ${number(limit)} used; all ${number(fits)} new title${fits === 1 ? '' : 's'} fit.`
        : `Your watchlist: ${number(used)} / ${number(limit)} used: only ${number(fits)} of the ${number(fits + overLimit)} new titles fit; the other ${number(overLimit)} are skipped${account?.vip === true ? '' : ' (Trakt VIP holds more)'}.`;
  const plan = { fits, listed, duplicates, overLimit, limitText, entries };
  if (!options.dryRun) await store.plan(record.id, entries);
  return plan;
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
  const reply = await importCard(deps, record);
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
export async function startApplying(deps: CoreDeps, record: ImportRecord): Promise<number> {
  const store = storeOf(deps);
  const jobs = deps.jobs;
  if (jobs === undefined) throw new UserFacingError('imports-off', 'Imports need the job runner.');
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

export function describeTarget(target: Target): string {
  return targetLabel(target);
}
