import type { WatchlistCopy } from './copy.js';
import type { WriterTrakt } from './ports.js';

/**
 * The background watchlist sync (issue 13): every run, for linked users active in the last day who
 * have a local copy, one `last_activities` request says whether the watchlist moved on Trakt, and only then is it read again
 * (REFERENCE §10, through the copy's own single-flight sync, so it shares work with users' commands).
 *
 * It never competes with users' own commands: it sends at most `perMinute` requests a minute (after a
 * user, it waits as long as that user's requests are worth at that pace), and at most one interval's
 * worth per run, so a run is over before the next starts. Users it does not reach wait for the next
 * run, least recently checked first; users whose copy was checked within the interval (by their own
 * commands) are skipped.
 */
export interface BackgroundSyncDeps {
  /**
   * Linked users seen since `activeSince` whose copy was last checked before `checkedBefore`, least
   * recently checked first. Users without a copy are not among them: theirs is made when a command
   * first needs it, and until then there is nothing to keep in step.
   */
  candidates(input: { activeSince: Date; checkedBefore: Date; limit: number }): Promise<number[]>;
  traktFor(identityId: number): Promise<Pick<WriterTrakt, 'watchlistActivity' | 'watchlistAll'>>;
  copy: WatchlistCopy;
  now(): Date;
  everyMs: number;
  perMinute: number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  logger: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export interface BackgroundSyncReport {
  /** Users whose last_activities was asked. */
  checked: number;
  /** Of those, users whose watchlist had moved and was read again. */
  refreshed: number;
  failed: number;
  /** Trakt requests sent (a full read counts one per page of 250). */
  requests: number;
  /** Users left for the next run when the run's budget was spent. */
  deferred: number;
}

/** "Active": seen in the last day. */
export const SYNC_ACTIVE_MS = 24 * 60 * 60_000;
/** The watchlist is read in pages of this many (src/trakt/client.ts, WATCHLIST_PAGE_LIMIT). */
const PAGE = 250;

/** The requests one run may send: one interval's worth at `perMinute`. */
export function syncBudget(everyMs: number, perMinute: number): number {
  return Math.max(1, Math.floor((perMinute * everyMs) / 60_000));
}

export async function runBackgroundSync(deps: BackgroundSyncDeps, signal?: AbortSignal): Promise<BackgroundSyncReport> {
  const now = deps.now();
  const budget = syncBudget(deps.everyMs, deps.perMinute);
  const gapMs = 60_000 / deps.perMinute;
  const ids = await deps.candidates({
    activeSince: new Date(now.getTime() - SYNC_ACTIVE_MS),
    checkedBefore: new Date(now.getTime() - deps.everyMs),
    // Each user costs at least one request.
    limit: budget,
  });
  const report: BackgroundSyncReport = { checked: 0, refreshed: 0, failed: 0, requests: 0, deferred: 0 };
  for (let i = 0; i < ids.length; i += 1) {
    const identityId = ids[i] as number;
    if (report.requests >= budget || signal?.aborted === true) {
      report.deferred = ids.length - i;
      break;
    }
    let cost = 0;
    try {
      const trakt = await deps.traktFor(identityId);
      await deps.copy.current(
        identityId,
        {
          watchlistActivity: () => {
            cost += 1;
            report.checked += 1;
            return trakt.watchlistActivity();
          },
          watchlistAll: async () => {
            cost += 1;
            report.refreshed += 1;
            const entries = await trakt.watchlistAll();
            cost += Math.max(0, Math.ceil(entries.length / PAGE) - 1);
            return entries;
          },
        },
        { recheck: true },
      );
    } catch (error) {
      report.failed += 1;
      deps.logger.warn({ err: error, identityId }, 'background sync: watchlist not checked');
    }
    report.requests += cost;
    if (cost > 0 && i + 1 < ids.length) await deps.sleep(cost * gapMs, signal).catch(() => undefined);
  }
  if (ids.length > 0) deps.logger.info({ ...report }, 'background sync: active watchlists checked');
  return report;
}
