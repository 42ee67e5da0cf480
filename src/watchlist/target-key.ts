import type { Title, WatchlistEntry } from '../domain/media.js';
import type { Target } from '../domain/target.js';

/**
 * The key of a target in the local watchlist copy (`watchlist_items.item_key`). Must agree with the
 * core's `targetKey` (src/bot/core/targets.ts), which the copy's store uses; a test holds them together.
 */
export function keyOfTarget(target: Target): string {
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

export function titleOfTarget(target: Target): Title {
  return 'title' in target ? target.title : target.show;
}

/** The copy's key of what a watchlist entry stands for; undefined for an entry missing its season or episode. */
export function keyOfEntry(entry: WatchlistEntry): string | undefined {
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
