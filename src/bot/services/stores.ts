import type { Db } from '../../db/client.js';
import {
  abandonJournalIntents,
  claimJournalResume,
  claimJournalUndo,
  completeJournalEntry,
  insertJournalIntent,
  journalEntryForJob,
  lastUndoableEntry,
  pendingJournalEntries,
  releaseJournalUndo,
  reopenJournalEntry,
} from '../../db/queries/action-journal.js';
import { bindPendingView, claimPendingView, deleteExpiredPendingActions, findPendingAction, insertPendingActions, pressPendingAction, releasePendingView } from '../../db/queries/pending-actions.js';
import {
  applyOwnWatchlistWrite,
  applyWatchlistChange,
  clearWatchlistCopy,
  findWatchlistItems,
  findWatchlistSync,
  findWatchlistSyncWithKeys,
  markWatchlistChecked,
  pageWatchlistItems,
  presentWatchlistKeys,
  randomWatchlistItem,
  watchlistGenres,
  replaceWatchlistItems,
  setWatchlistActivity,
  type WatchlistItemInput,
  type WatchlistNarrowing,
} from '../../db/queries/watchlist-copy.js';
import { inProgressCondition } from '../../db/queries/show-progress.js';
import type { ActionJournalRow, PendingActionRow, WatchlistItemRow } from '../../db/schema.js';
import type {
  JournalEntry,
  JournalStore,
  PendingAction,
  PendingActionStore,
  StoredWatchlistItem,
  Target,
  WatchlistEntry,
  WatchlistFilter,
  WatchlistQuery,
  WatchlistStore,
} from '../core/ports.js';
import { sortTitleOf, targetKey, titleOf } from '../core/targets.js';

/** Buttons are kept a day past their expiry, so a late press still hears "expired" rather than "invalid". */
const PENDING_KEPT_AFTER_EXPIRY_MS = 24 * 60 * 60_000;

export interface PrunablePendingActionStore extends PendingActionStore {
  /** Deletes buttons that expired more than a day before `now`; returns how many. For a periodic job. */
  pruneExpired(now: Date): Promise<number>;
}

function pendingOf(row: PendingActionRow): PendingAction {
  return {
    id: row.id,
    ownerIdentityId: row.ownerIdentityId,
    platform: row.platform,
    chatId: row.chatId,
    messageId: row.messageId,
    action: row.kind,
    payload: row.payload,
    expiresAt: row.expiresAt,
    consumedAt: row.consumedAt,
  };
}

export function createPendingActionStore(db: Db): PrunablePendingActionStore {
  return {
    pruneExpired: (now) => deleteExpiredPendingActions(db, new Date(now.getTime() - PENDING_KEPT_AFTER_EXPIRY_MS)),
    create: (rows) =>
      insertPendingActions(
        db,
        rows.map((r) => ({
          id: r.id,
          ownerIdentityId: r.ownerIdentityId,
          platform: r.platform,
          chatId: r.chatId,
          messageId: r.messageId ?? null,
          kind: r.action,
          payload: r.payload,
          expiresAt: r.expiresAt,
        })),
      ),
    async find(id) {
      const row = await findPendingAction(db, id);
      return row && pendingOf(row);
    },
    async press(id, viewId, check, now, languages) {
      const { action, ...rest } = check;
      const pressed = await pressPendingAction(db, id, viewId, { kind: action, ...rest }, now, languages);
      if (pressed === undefined) return undefined;
      const stored = pressed.languages;
      return {
        pending: pendingOf(pressed.row),
        claimed: pressed.claimed,
        ...(stored === undefined ? {} : { languages: { user: stored.language, client: stored.locale, chat: stored.chatLanguage } }),
      };
    },
    claimView: (viewId, now) => claimPendingView(db, viewId, now),
    releaseView: (viewId, claimedAt) => releasePendingView(db, viewId, claimedAt),
    bindMessage: (viewId, where) => bindPendingView(db, viewId, where.chatId, where.messageId),
  };
}

function toJournalEntry(row: ActionJournalRow): JournalEntry {
  const requested = row.items as Target[];
  return {
    id: row.id,
    identityId: row.identityId,
    kind: row.kind,
    // Rows from before the writer journaled what changed carry only what was asked for.
    targets: row.status === 'pending' ? requested : ((row.changed as Target[] | null) ?? requested),
    requested,
    status: row.status,
    result: row.result,
    jobId: row.jobId,
    undoes: row.undoes,
    createdAt: row.createdAt,
    undoneAt: row.undoneAt,
  };
}

export function createJournalStore(db: Db): JournalStore {
  return {
    async begin(input) {
      const row = await insertJournalIntent(db, {
        identityId: input.identityId,
        kind: input.kind,
        items: input.targets,
        ...(input.undoes === undefined ? {} : { undoes: input.undoes }),
        ...(input.jobId === undefined ? {} : { jobId: input.jobId }),
      });
      return toJournalEntry(row);
    },
    async complete(id, input) {
      const row = await completeJournalEntry(db, id, { status: input.status, changed: input.changed, result: input.result, completedAt: input.at });
      if (row === undefined) throw new Error('journal entry to complete is gone');
      return toJournalEntry(row);
    },
    async pendingBefore(before) {
      return (await pendingJournalEntries(db, before)).map(toJournalEntry);
    },
    abandon: (ids, at) => abandonJournalIntents(db, ids, at),
    async forJob(jobId) {
      const row = await journalEntryForJob(db, jobId);
      return row && toJournalEntry(row);
    },
    async reopen(id) {
      const row = await reopenJournalEntry(db, id);
      return row && toJournalEntry(row);
    },
    async claimResume(id, at, staleBefore) {
      const row = await claimJournalResume(db, id, at, staleBefore);
      return row && toJournalEntry(row);
    },
    async lastUndoable(identityId, since) {
      const row = await lastUndoableEntry(db, identityId, since);
      return row && toJournalEntry(row);
    },
    async claimUndo(id, identityId, now) {
      const row = await claimJournalUndo(db, id, identityId, now);
      return row && toJournalEntry(row);
    },
    releaseUndo: (id) => releaseJournalUndo(db, id),
  };
}

/** The target a watchlist entry stands for. */
export function targetOfEntry(entry: WatchlistEntry): Target | undefined {
  switch (entry.type) {
    case 'movie':
    case 'show':
      return { kind: entry.type, title: entry.title };
    case 'season':
      return entry.season === undefined ? undefined : { kind: 'season', show: entry.title, season: entry.season };
    case 'episode':
      return entry.episode === undefined
        ? undefined
        : {
            kind: 'episode',
            show: entry.title,
            season: entry.episode.season,
            episode: entry.episode.number,
            ...(entry.episode.title ? { episodeTitle: entry.episode.title } : {}),
          };
  }
}

function itemRow(target: Target, listedAt: Date, rank: number | null): WatchlistItemInput {
  const title = titleOf(target);
  return {
    itemKey: targetKey(target),
    type: target.kind,
    traktId: title.ids.trakt,
    title: title.title,
    sortTitle: sortTitleOf(title.title),
    year: title.year,
    rating: title.rating ?? null,
    listedAt,
    rank,
    data: { target },
  };
}

function storedItem(row: WatchlistItemRow): StoredWatchlistItem {
  return { key: row.itemKey, target: (row.data as { target: Target }).target, listedAt: row.listedAt };
}

const KINDS: Record<WatchlistFilter, Array<WatchlistItemRow['type']> | null> = {
  all: null,
  movies: ['movie'],
  shows: ['show', 'season', 'episode'],
  progress: ['show'],
};

function narrowingOf(query: WatchlistQuery): WatchlistNarrowing {
  return {
    kinds: KINDS[query.filter],
    ...(query.genre === undefined ? {} : { genre: query.genre }),
    ...(query.yearFrom === undefined ? {} : { yearFrom: query.yearFrom }),
    ...(query.yearTo === undefined ? {} : { yearTo: query.yearTo }),
    ...(query.maxRuntime === undefined ? {} : { maxRuntime: query.maxRuntime }),
    ...(query.filter === 'progress' ? { where: inProgressCondition() } : {}),
  };
}

export function createWatchlistStore(db: Db): WatchlistStore {
  return {
    async state(identityId) {
      const row = await findWatchlistSync(db, identityId);
      return row && { activityAt: row.activityAt, checkedAt: row.checkedAt, itemCount: row.itemCount };
    },
    replace(identityId, entries, activityAt, now) {
      const rows: WatchlistItemInput[] = [];
      for (const entry of entries) {
        const target = targetOfEntry(entry);
        if (target !== undefined) rows.push(itemRow(target, entry.listedAt, entry.rank));
      }
      return replaceWatchlistItems(db, identityId, rows, activityAt, now);
    },
    markChecked: (identityId, now) => markWatchlistChecked(db, identityId, now),
    applyWrite: (identityId, change) =>
      applyWatchlistChange(db, identityId, {
        upsert: (change.added ?? []).map((t) => itemRow(t, change.listedAt, null)),
        removeKeys: (change.removed ?? []).map(targetKey),
      }),
    setActivity: (identityId, activityAt) => setWatchlistActivity(db, identityId, activityAt),
    applyOwnWrite: (identityId, change, trust) =>
      applyOwnWatchlistWrite(
        db,
        identityId,
        { upsert: (change.added ?? []).map((t) => itemRow(t, change.listedAt, null)), removeKeys: (change.removed ?? []).map(targetKey) },
        trust,
      ),
    async page(identityId, query) {
      const { items, total } = await pageWatchlistItems(db, identityId, { ...narrowingOf(query), order: query.sort, offset: query.offset, limit: query.limit });
      return { items: items.map(storedItem), total };
    },
    async random(identityId, query, avoid) {
      const { item, total } = await randomWatchlistItem(db, identityId, narrowingOf(query), avoid);
      return { item: item === undefined ? undefined : storedItem(item), total };
    },
    genres: (identityId, query, limit) => watchlistGenres(db, identityId, narrowingOf(query), limit),
    present: (identityId, keys) => presentWatchlistKeys(db, identityId, keys),
    async stateWithPresent(identityId, keys) {
      const found = await findWatchlistSyncWithKeys(db, identityId, keys);
      if (found === undefined) return { state: undefined, present: new Set<string>() };
      const { sync } = found;
      return { state: { activityAt: sync.activityAt, checkedAt: sync.checkedAt, itemCount: sync.itemCount }, present: found.present };
    },
    async find(identityId, text, limit) {
      return (await findWatchlistItems(db, identityId, text, sortTitleOf(text), limit)).map(storedItem);
    },
    clear: (identityId) => clearWatchlistCopy(db, identityId),
  };
}
