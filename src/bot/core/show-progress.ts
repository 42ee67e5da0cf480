/**
 * Show progress on the watchlist view (issue 13): "watched 12 / 30 · next S02E04" for the shows on the
 * page, from Trakt's watched progress (`GET /shows/:id/progress/watched`, REFERENCE §12).
 *
 * Cost in Trakt requests:
 * - cold: one progress read per show on the page that has no current cached row (≤ 10 a page);
 * - warm: none. A cached row is current while `last_activities.episodes.watched_at` still equals the
 *   time it was read under, and for PROGRESS_TTL_MS at most (episodes air without that time moving).
 *   That time comes from the user's last `last_activities` answer, which the copy's own check (every
 *   /watchlist command, and every press once the copy's freshness window is over) has just read, so
 *   it normally costs nothing. Only when no answer younger than ACTIVITY_MAX_AGE_MS is remembered in
 *   this process (a restart while the copy is fresh) is `last_activities` read once for the page.
 *
 * The "in progress" filter needs progress for every show on the list, which is one request per show.
 * It is bounded: the filter lists only shows whose cached progress says started-but-unfinished, and
 * each view with the filter first reads progress for at most FILTER_FILL_CAP shows whose progress is
 * missing or not current (newest listed first). The header says how many are still unchecked, so
 * opening it again checks the next ones; pages viewed without the filter fill the cache too.
 */
import type { CoreContext } from './context.js';
import type { Translator } from './i18n/index.js';
import type { StoredWatchlistItem, TraktUserPort } from './ports.js';

/** A `last_activities` answer this young is trusted for the episodes-watched time. */
export const ACTIVITY_MAX_AGE_MS = 60_000;
/** Cached progress is read again after this long even when nothing was watched (new episodes air). */
export const PROGRESS_TTL_MS = 24 * 60 * 60_000;
/** Progress reads a view with the "in progress" filter makes at most. */
export const FILTER_FILL_CAP = 10;
/** Progress reads in flight at once for one view. */
const CONCURRENCY = 4;

export interface CachedShowProgress {
  showTraktId: number;
  aired: number;
  completed: number;
  next?: { season: number; number: number; title?: string };
  /** `last_activities.episodes.watched_at` when read (null: Trakt had none). */
  activityAt: Date | null;
  fetchedAt: Date;
}

/** The cache of show progress (`show_progress`), per identity and show. */
export interface ShowProgressStore {
  find(identityId: number, showTraktIds: number[]): Promise<CachedShowProgress[]>;
  save(identityId: number, rows: CachedShowProgress[]): Promise<void>;
  /**
   * Shows on the identity's watchlist copy whose cached progress is missing or not current (another
   * activity time, or fetched before `fetchedAfter`), newest listed first, at most `limit`; with the
   * number of shows on the copy and of unsettled ones.
   */
  unsettled(identityId: number, query: { activityAt: Date | null; fetchedAfter: Date; limit: number }): Promise<{ showTraktIds: number[]; shows: number; unsettled: number }>;
}

/** What the "in progress" filter could check: `unchecked` of `shows` have no current progress yet. */
export interface ProgressCoverage {
  shows: number;
  unchecked: number;
}

type Ready = { store: ShowProgressStore; trakt: Required<Pick<TraktUserPort, 'showProgress' | 'episodesWatchedActivity'>> };

function ready(ctx: CoreContext, trakt: TraktUserPort): Ready | undefined {
  const store = ctx.deps.showProgress;
  const { showProgress, episodesWatchedActivity } = trakt;
  if (store === undefined || showProgress === undefined || episodesWatchedActivity === undefined) return undefined;
  return { store, trakt: { showProgress: showProgress.bind(trakt), episodesWatchedActivity: episodesWatchedActivity.bind(trakt) } };
}

function current(row: CachedShowProgress, activityAt: Date | null, now: Date): boolean {
  const same = row.activityAt === null || activityAt === null ? row.activityAt === activityAt : row.activityAt.getTime() === activityAt.getTime();
  return same && now.getTime() - row.fetchedAt.getTime() < PROGRESS_TTL_MS;
}

/**
 * Reads progress for these shows from Trakt (CONCURRENCY at a time) and saves it. Waits at most the
 * user's patience: what is not read by then keeps going and is saved for the next view. A show whose
 * read failed is left out (logged).
 */
async function fetchAndSave(ctx: CoreContext, on: Ready, showTraktIds: number[], activityAt: Date | null): Promise<CachedShowProgress[]> {
  const queue = [...showTraktIds];
  const got: CachedShowProgress[] = [];
  const worker = async (): Promise<void> => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      try {
        const progress = await on.trakt.showProgress(id);
        const next = progress.nextEpisode;
        const row: CachedShowProgress = {
          showTraktId: id,
          aired: progress.aired,
          completed: progress.completed,
          ...(next === undefined ? {} : { next: { season: next.season, number: next.number, ...(next.title === undefined ? {} : { title: next.title }) } }),
          activityAt,
          fetchedAt: ctx.now(),
        };
        got.push(row);
      } catch (error) {
        ctx.deps.logger.warn({ err: error, identityId: ctx.identityId, show: id }, 'show progress read failed');
      }
    }
  };
  const work = Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker)).then(async () => {
    await on.store.save(ctx.identityId, got);
    return got;
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ctx.options.traktPatienceMs);
  });
  try {
    const done = await Promise.race([work, late]);
    if (done === undefined) {
      void work.catch((error: unknown) => ctx.deps.logger.warn({ err: error, identityId: ctx.identityId }, 'show progress save failed'));
      return [...got];
    }
    return done;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Progress for the shows among these items (a page of the watchlist), by show Trakt id: cached rows
 * that are current, and one Trakt read for each show without one. Nothing (and no Trakt call) when
 * the page has no show or the ports lack progress.
 */
export async function progressForPage(ctx: CoreContext, trakt: TraktUserPort, items: StoredWatchlistItem[]): Promise<Map<number, CachedShowProgress>> {
  const found = new Map<number, CachedShowProgress>();
  const on = ready(ctx, trakt);
  const ids = [...new Set(items.flatMap((item) => (item.target.kind === 'show' ? [item.target.title.ids.trakt] : [])))];
  if (on === undefined || ids.length === 0) return found;
  const [activityAt, cached] = await Promise.all([on.trakt.episodesWatchedActivity(ACTIVITY_MAX_AGE_MS), on.store.find(ctx.identityId, ids)]);
  const now = ctx.now();
  const stale = new Map<number, CachedShowProgress>();
  for (const row of cached) (current(row, activityAt, now) ? found : stale).set(row.showTraktId, row);
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) {
    for (const row of await fetchAndSave(ctx, on, missing, activityAt)) found.set(row.showTraktId, row);
    // A read that failed or is late: the older figures are better than none.
    for (const id of missing) {
      const old = stale.get(id);
      if (!found.has(id) && old !== undefined) found.set(id, old);
    }
  }
  return found;
}

/**
 * Before a page with the "in progress" filter: reads progress for up to FILTER_FILL_CAP shows of the
 * list whose progress is missing or not current, and says how many are still unchecked after that.
 */
export async function fillProgressForFilter(ctx: CoreContext, trakt: TraktUserPort): Promise<ProgressCoverage | undefined> {
  const on = ready(ctx, trakt);
  if (on === undefined) return undefined;
  const activityAt = await on.trakt.episodesWatchedActivity(ACTIVITY_MAX_AGE_MS);
  const fetchedAfter = new Date(ctx.now().getTime() - PROGRESS_TTL_MS);
  const open = await on.store.unsettled(ctx.identityId, { activityAt, fetchedAfter, limit: FILTER_FILL_CAP });
  if (open.showTraktIds.length === 0) return { shows: open.shows, unchecked: open.unsettled };
  const got = await fetchAndSave(ctx, on, open.showTraktIds, activityAt);
  return { shows: open.shows, unchecked: Math.max(0, open.unsettled - got.length) };
}

/** "watched 12 / 30 · next S02E04" for a show with progress; nothing for other items or no aired episode. */
export function progressFacts(item: StoredWatchlistItem, progress: Map<number, CachedShowProgress>, i18n: Translator): string[] {
  if (item.target.kind !== 'show') return [];
  const p = progress.get(item.target.title.ids.trakt);
  if (p === undefined || p.aired === 0) return [];
  const watched = { completed: p.completed, aired: p.aired };
  if (p.next === undefined) return [i18n.t('watchlist:progress.watched', watched)];
  return [i18n.t('watchlist:progress.watchedNext', { ...watched, episode: `S${pad(p.next.season)}E${pad(p.next.number)}` })];
}

/** The header's note when the "in progress" filter could not check every show yet. */
export function coverageNote(coverage: ProgressCoverage | undefined, i18n: Translator): string | undefined {
  if (coverage === undefined || coverage.unchecked === 0) return undefined;
  const checked = coverage.shows - coverage.unchecked;
  return i18n.t('watchlist:progress.coverage', { count: coverage.shows, checked, more: FILTER_FILL_CAP });
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
