// Users of the emulator: account flags, watchlists, watched state and the timestamps of
// GET /sync/last_activities.

import { createHash } from 'node:crypto';
import type { Catalog } from './catalog.js';
import { iso, slugify } from './catalog.js';
import type { EpisodeRecord } from './catalog-types.js';
import type { Category, ResolvedItem, Target } from './sync-body.js';
import { categoryOf, targetKey } from './sync-body.js';
import type { CatalogRef, EmulatedUser, UserPatch, WatchlistRecord } from './types.js';

export interface Counts {
  movies: number;
  shows: number;
  seasons: number;
  episodes: number;
}

export interface WatchlistItem {
  id: number;
  key: string;
  listedAt: number;
  listedAtIso: string;
  notes: string | null;
  target: Target;
}

export interface UserState {
  username: string;
  slug: string;
  uuid: string;
  traktId: number;
  name: string;
  vip: boolean;
  limitOverride: number | undefined;
  locked: boolean;
  /** A private profile (REFERENCE §11 `user.private`): only the user reads its `/users/:id/...` data. */
  private: boolean;
  joinedAt: number;
  watchlist: WatchlistItem[];
  byKey: Map<string, WatchlistItem>;
  sortBy: string;
  sortHow: 'asc' | 'desc';
  watchlistUpdatedAt: number;
  activities: Activities;
  watchedEpisodes: Map<number, number>;
  watchedMovies: Map<number, number>;
}

/** The shape of GET /sync/last_activities (fixture Sync/test_get_last_activity.json, plus the 2026
 * contract's `reacted_at` and `collaborations`, REFERENCE §10) */
export interface Activities {
  all: string;
  movies: Record<'watched_at' | 'collected_at' | 'rated_at' | 'watchlisted_at' | 'favorited_at' | 'commented_at' | 'paused_at' | 'hidden_at', string>;
  episodes: Record<'watched_at' | 'collected_at' | 'rated_at' | 'watchlisted_at' | 'commented_at' | 'paused_at', string>;
  shows: Record<'rated_at' | 'watchlisted_at' | 'favorited_at' | 'commented_at' | 'hidden_at' | 'dropped_at', string>;
  seasons: Record<'rated_at' | 'watchlisted_at' | 'commented_at' | 'hidden_at', string>;
  comments: Record<'liked_at' | 'reacted_at' | 'blocked_at', string>;
  lists: Record<'liked_at' | 'reacted_at' | 'updated_at' | 'commented_at', string>;
  watchlist: { updated_at: string };
  favorites: { updated_at: string };
  collaborations: { updated_at: string };
  account: Record<'settings_at' | 'followed_at' | 'following_at' | 'pending_at' | 'requested_at', string>;
  saved_filters: { updated_at: string };
  notes: { updated_at: string };
}

export class UnknownUserError extends Error {
  constructor(username: string) {
    super(`unknown emulated user: ${username}`);
  }
}

export function zeroCounts(): Counts {
  return { movies: 0, shows: 0, seasons: 0, episodes: 0 };
}

export class UserStore {
  private readonly users = new Map<string, UserState>();
  private nextTraktId = 100_001;
  private nextItemId = 1001;
  private lastStamp = 0;

  constructor(
    private readonly catalog: Catalog,
    private readonly limits: { free: number; vip: number },
  ) {}

  add(input: { username: string; vip?: boolean; watchlistLimit?: number; locked?: boolean; private?: boolean }): UserState {
    const slug = slugify(input.username);
    if (!slug) throw new Error(`invalid username: ${JSON.stringify(input.username)}`);
    if (this.users.has(slug)) throw new Error(`user already exists: ${input.username}`);
    const joinedAt = this.stamp();
    const joined = iso(joinedAt);
    const user: UserState = {
      username: input.username,
      slug,
      uuid: createHash('sha1').update(`emulated-user:${slug}`).digest('hex'),
      traktId: this.nextTraktId++,
      name: input.username,
      vip: input.vip ?? false,
      limitOverride: input.watchlistLimit,
      locked: input.locked ?? false,
      private: input.private ?? false,
      joinedAt,
      watchlist: [],
      byKey: new Map(),
      sortBy: 'rank',
      sortHow: 'asc',
      watchlistUpdatedAt: joinedAt,
      activities: initialActivities(joined),
      watchedEpisodes: new Map(),
      watchedMovies: new Map(),
    };
    this.users.set(slug, user);
    return user;
  }

  find(username: string): UserState | undefined {
    return this.users.get(username) ?? this.users.get(slugify(username));
  }

  get(username: string): UserState {
    const user = this.find(username);
    if (!user) throw new UnknownUserError(username);
    return user;
  }

  first(): UserState | undefined {
    return this.users.values().next().value;
  }

  all(): UserState[] {
    return [...this.users.values()];
  }

  patch(username: string, patch: UserPatch): UserState {
    const user = this.get(username);
    if (patch.vip !== undefined) user.vip = patch.vip;
    if (patch.watchlistLimit !== undefined) user.limitOverride = patch.watchlistLimit;
    if (patch.locked !== undefined) user.locked = patch.locked;
    if (patch.private !== undefined) user.private = patch.private;
    this.touch(user, ['account.settings_at']);
    return user;
  }

  /** REFERENCE §14: 2026 limits are 250 free / 5K VIP; a per-user override models older or special accounts */
  limitOf(user: UserState): number {
    return user.limitOverride ?? (user.vip ? this.limits.vip : this.limits.free);
  }

  publicUser(user: UserState): EmulatedUser {
    return {
      username: user.username,
      slug: user.slug,
      uuid: user.uuid,
      traktId: user.traktId,
      vip: user.vip,
      watchlistLimit: this.limitOf(user),
      private: user.private,
    };
  }

  /** Adds what is not there yet. Returns 'limit' (and adds nothing) when the result would pass the limit. */
  addToWatchlist(
    user: UserState,
    items: ResolvedItem[],
    options: { enforceLimit: boolean },
  ): { added: Counts; existing: Counts } | 'limit' {
    const added = zeroCounts();
    const existing = zeroCounts();
    const fresh = new Map<string, ResolvedItem>();
    for (const item of items) {
      const key = targetKey(item.target);
      if (user.byKey.has(key) || fresh.has(key)) existing[categoryOf(item.target)]++;
      else fresh.set(key, item);
    }
    if (options.enforceLimit && user.watchlist.length + fresh.size > this.limitOf(user)) return 'limit';
    if (fresh.size === 0) return { added, existing };
    const now = this.stamp();
    const categories = new Set<Category>();
    for (const [key, item] of fresh) {
      // S4: notes on watchlist items are a VIP feature; 500 characters max (S1/S4)
      const notes = user.vip && item.notes !== undefined ? item.notes.slice(0, 500) : null;
      const entry: WatchlistItem = { id: this.nextItemId++, key, listedAt: now, listedAtIso: iso(now), notes, target: item.target };
      user.watchlist.push(entry);
      user.byKey.set(key, entry);
      added[categoryOf(item.target)]++;
      categories.add(categoryOf(item.target));
    }
    this.watchlistChanged(user, categories, now);
    return { added, existing };
  }

  removeFromWatchlist(user: UserState, targets: Target[]): Counts {
    const deleted = zeroCounts();
    const keys = new Set<string>();
    const categories = new Set<Category>();
    for (const target of targets) {
      const key = targetKey(target);
      if (keys.has(key) || !user.byKey.has(key)) continue;
      keys.add(key);
      deleted[categoryOf(target)]++;
      categories.add(categoryOf(target));
    }
    if (keys.size === 0) return deleted;
    user.watchlist = user.watchlist.filter((item) => !keys.has(item.key));
    for (const key of keys) user.byKey.delete(key);
    this.watchlistChanged(user, categories, this.stamp());
    return deleted;
  }

  /** POST /sync/watchlist/reorder: listed ids move to the front in the given order (fixture reorder.200.json) */
  reorder(user: UserState, ids: unknown[]): { updated: number; skipped_ids: unknown[] } {
    const byId = new Map(user.watchlist.map((item) => [item.id, item]));
    const front: WatchlistItem[] = [];
    const skipped: unknown[] = [];
    const seen = new Set<number>();
    for (const id of ids) {
      const item = typeof id === 'number' ? byId.get(id) : undefined;
      if (!item || seen.has(item.id)) {
        skipped.push(id);
        continue;
      }
      seen.add(item.id);
      front.push(item);
    }
    if (front.length > 0) {
      user.watchlist = [...front, ...user.watchlist.filter((item) => !seen.has(item.id))];
      this.watchlistChanged(user, new Set(), this.stamp());
    }
    return { updated: front.length, skipped_ids: skipped };
  }

  setNotes(user: UserState, itemId: number, notes: string | null): boolean {
    const item = user.watchlist.find((i) => i.id === itemId);
    if (!item) return false;
    item.notes = notes;
    const now = this.stamp();
    this.touch(user, ['notes.updated_at'], now);
    this.watchlistChanged(user, new Set(), now);
    return true;
  }

  /**
   * Marks items watched. REFERENCE §8: "When an item is watched, it will be automatically removed from the
   * watchlist. For shows and seasons, watching 1 episode will remove the entire show or season."
   */
  markWatched(user: UserState, targets: Target[]): { movies: number; episodes: number } {
    const now = this.stamp();
    const episodes: EpisodeRecord[] = [];
    const removals: Target[] = [];
    let movies = 0;
    for (const target of targets) {
      switch (target.type) {
        case 'movie':
          user.watchedMovies.set(target.movie.ids.trakt, now);
          movies++;
          removals.push(target);
          break;
        case 'show':
          for (const season of target.show.seasons) episodes.push(...this.catalog.episodes(season).filter((e) => this.catalog.isAired(e)));
          break;
        case 'season':
          episodes.push(...this.catalog.episodes(target.season).filter((e) => this.catalog.isAired(e)));
          break;
        case 'episode':
          episodes.push(target.episode);
          break;
      }
    }
    for (const episode of episodes) {
      user.watchedEpisodes.set(episode.ids.trakt, now);
      removals.push({ type: 'episode', show: episode.show, episode });
      removals.push({ type: 'season', show: episode.show, season: episode.seasonRecord });
      removals.push({ type: 'show', show: episode.show });
    }
    const paths: string[] = [];
    if (movies > 0) paths.push('movies.watched_at');
    if (episodes.length > 0) paths.push('episodes.watched_at');
    if (paths.length > 0) this.touch(user, paths, now);
    this.removeFromWatchlist(user, removals);
    return { movies, episodes: episodes.length };
  }

  records(user: UserState): WatchlistRecord[] {
    return user.watchlist.map((item, i) => ({
      id: item.id,
      rank: i + 1,
      listed_at: item.listedAtIso,
      notes: item.notes,
      type: item.target.type,
      ref: refOf(item.target),
      title: labelOf(item.target),
    }));
  }

  /** A monotonic clock: two changes in the same millisecond still get distinct, ordered timestamps. */
  stamp(): number {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return this.lastStamp;
  }

  touch(user: UserState, paths: string[], at = this.stamp()): void {
    const value = iso(at);
    const activities = user.activities as unknown as Record<string, Record<string, string>>;
    for (const path of paths) {
      const [group, field] = path.split('.');
      const target = group === undefined ? undefined : activities[group];
      if (target && field !== undefined) target[field] = value;
    }
    user.activities.all = value;
  }

  private watchlistChanged(user: UserState, categories: Set<Category>, at: number): void {
    user.watchlistUpdatedAt = at;
    this.touch(user, ['watchlist.updated_at', ...[...categories].map((c) => `${c}.watchlisted_at`)], at);
  }
}

export function refOf(target: Target): CatalogRef {
  switch (target.type) {
    case 'movie':
      return { type: 'movie', trakt: target.movie.ids.trakt };
    case 'show':
      return { type: 'show', trakt: target.show.ids.trakt };
    case 'season':
      return { type: 'season', show: target.show.ids.trakt, season: target.season.number };
    case 'episode':
      return { type: 'episode', show: target.show.ids.trakt, season: target.episode.season, episode: target.episode.number };
  }
}

function labelOf(target: Target): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  switch (target.type) {
    case 'movie':
      return target.movie.title;
    case 'show':
      return target.show.title;
    case 'season':
      return `${target.show.title} S${pad(target.season.number)}`;
    case 'episode':
      return `${target.show.title} S${pad(target.episode.season)}E${pad(target.episode.number)} ${target.episode.title}`;
  }
}

/** CatalogRef → catalog item, or undefined when the catalog has no such thing */
export function targetOfRef(catalog: Catalog, ref: CatalogRef): Target | undefined {
  switch (ref.type) {
    case 'movie': {
      const movie = catalog.movieById('trakt', ref.trakt);
      return movie && { type: 'movie', movie };
    }
    case 'show': {
      const show = catalog.showById('trakt', ref.trakt);
      return show && { type: 'show', show };
    }
    case 'season': {
      const show = catalog.showById('trakt', ref.show);
      const season = show && catalog.season(show, ref.season);
      return show && season && { type: 'season', show, season };
    }
    case 'episode': {
      const show = catalog.showById('trakt', ref.show);
      const season = show && catalog.season(show, ref.season);
      const episode = season && catalog.episode(season, ref.episode);
      return show && episode && { type: 'episode', show, episode };
    }
  }
}

function initialActivities(at: string): Activities {
  return {
    all: at,
    movies: { watched_at: at, collected_at: at, rated_at: at, watchlisted_at: at, favorited_at: at, commented_at: at, paused_at: at, hidden_at: at },
    episodes: { watched_at: at, collected_at: at, rated_at: at, watchlisted_at: at, commented_at: at, paused_at: at },
    shows: { rated_at: at, watchlisted_at: at, favorited_at: at, commented_at: at, hidden_at: at, dropped_at: at },
    seasons: { rated_at: at, watchlisted_at: at, commented_at: at, hidden_at: at },
    comments: { liked_at: at, reacted_at: at, blocked_at: at },
    lists: { liked_at: at, reacted_at: at, updated_at: at, commented_at: at },
    watchlist: { updated_at: at },
    favorites: { updated_at: at },
    collaborations: { updated_at: at },
    account: { settings_at: at, followed_at: at, following_at: at, pending_at: at, requested_at: at },
    saved_filters: { updated_at: at },
    notes: { updated_at: at },
  };
}
