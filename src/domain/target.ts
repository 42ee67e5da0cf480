import type { Title } from './media.js';

/** One thing on (or for) a watchlist: a movie, a show, one season or one episode of a show. */
export type Target =
  | { kind: 'movie' | 'show'; title: Title }
  | { kind: 'season'; show: Title; season: number }
  | { kind: 'episode'; show: Title; season: number; episode: number; episodeTitle?: string };
