import type { Title, WatchlistEntry } from './media.js';

/** One thing on (or for) a watchlist: a movie, a show, one season or one episode of a show. */
export type Target =
  | { kind: 'movie' | 'show'; title: Title }
  | { kind: 'season'; show: Title; season: number }
  | { kind: 'episode'; show: Title; season: number; episode: number; episodeTitle?: string };

/** The key of a target in the local watchlist copy (also `watchlist_items.item_key`). */
export function targetKey(target: Target): string {
  switch (target.kind) {
    case 'movie':
    case 'show':
      return `${target.kind}:${target.title.ids.trakt}`;
    case 'season':
      return `season:${target.show.ids.trakt}:${target.season}`;
    case 'episode':
      return `episode:${target.show.ids.trakt}:${target.season}:${target.episode}`;
  }
}

/** The movie or show a target belongs to. */
export function titleOf(target: Target): Title {
  return 'title' in target ? target.title : target.show;
}

/** The key of what a watchlist entry stands for; undefined for an entry missing its season or episode. */
export function entryKey(entry: WatchlistEntry): string | undefined {
  const show = entry.title.ids.trakt;
  switch (entry.type) {
    case 'movie':
    case 'show':
      return `${entry.type}:${show}`;
    case 'season':
      return entry.season === undefined ? undefined : `season:${show}:${entry.season}`;
    case 'episode':
      return entry.episode === undefined ? undefined : `episode:${show}:${entry.episode.season}:${entry.episode.number}`;
  }
}
