/**
 * The media model every part of Marquee speaks: movies, shows, seasons, episodes and watchlist
 * entries, camelCase and free of wire quirks. Neither Trakt nor chat owns it: `src/trakt` maps its
 * wire shapes into these types, the core and the database use them as they are.
 */

export interface TitleIds {
  trakt: number;
  slug?: string;
  imdb?: string;
  tmdb?: number;
  tvdb?: number;
}

/** A movie or a show. */
export interface Title {
  type: 'movie' | 'show';
  ids: TitleIds;
  title: string;
  /** Null for titles without a (known) year. */
  year: number | null;
  overview?: string;
  rating?: number;
  votes?: number;
  runtime?: number;
  genres?: string[];
  certification?: string;
  /** Movies: release date `YYYY-MM-DD`. */
  released?: string;
  /** Shows: ISO timestamp of the first airing. */
  firstAired?: string;
  /** Shows: `returning series`, `ended` … */
  status?: string;
  network?: string;
  airedEpisodes?: number;
  /**
   * First poster, with `https://` added to Trakt's scheme-less URLs (REFERENCE §6). Trakt forbids
   * hot-linking: download and re-host it, never embed this URL in a chat message.
   */
  posterUrl: string | null;
}

export interface EpisodeIds {
  trakt: number;
  imdb?: string;
  tmdb?: number;
  tvdb?: number;
}

export interface Episode {
  season: number;
  number: number;
  title?: string;
  ids: EpisodeIds;
  overview?: string;
  firstAired?: string;
  runtime?: number;
  rating?: number;
  /** Screenshot, with a scheme (see `Title.posterUrl` for the caching rule). */
  imageUrl?: string;
}

export interface SeasonIds {
  trakt?: number;
  tmdb?: number;
  tvdb?: number;
}

export interface Season {
  number: number;
  ids: SeasonIds;
  title?: string;
  episodeCount?: number;
  airedEpisodes?: number;
  firstAired?: string;
  /** Only with `withEpisodes`. */
  episodes?: Episode[];
}

export type WatchlistEntryType = 'movie' | 'show' | 'season' | 'episode';

export interface WatchlistEntry {
  /** Position in the user's ranking; null on old-shape answers that lack it. */
  rank: number | null;
  /** The list-item id used by reorder/notes; absent on old-shape answers (REFERENCE §8). */
  listItemId?: number;
  listedAt: Date;
  notes?: string;
  type: WatchlistEntryType;
  /** The movie or show; for a season or episode entry, its show. */
  title: Title;
  /** Season entries: the season number. */
  season?: number;
  seasonIds?: SeasonIds;
  /** Episode entries. */
  episode?: Episode;
}

export interface MediaCounts {
  movies: number;
  shows: number;
  seasons: number;
  episodes: number;
}

export interface NotFoundEntry {
  /** The body key Trakt echoed it under: `movies`, `shows`, `seasons`, `episodes` (or `people`, `users`). */
  kind: string;
  /** Absent when Trakt echoed an entry without ids (REFERENCE §9). */
  ids?: Record<string, string | number | null>;
}

export interface WatchlistWriteResult {
  /** Added (for an add) or deleted (for a remove). */
  changed: MediaCounts;
  /** Already on the list (adds only). */
  existing: MediaCounts;
  notFound: NotFoundEntry[];
  /** `list.item_count` of the last batch's answer: compare with `UserSettings.limits.watchlist`. */
  itemCount?: number;
  updatedAt?: Date;
  /**
   * A request of this write was sent again after an attempt that may have reached Trakt (timeout,
   * reset, 5xx): what that attempt did shows up here as `existing` (add) or as not deleted (remove).
   */
  retried?: boolean;
  /** Requests sent and items carried by them. */
  requests: number;
  items: number;
}

/** A movie's release in a calendar: `released` is a UTC calendar date `YYYY-MM-DD`. */
export interface CalendarMovie {
  released: string;
  movie: Title;
}

/** An episode airing in a calendar, with its show; `firstAired` is an ISO timestamp. */
export interface CalendarEpisode {
  firstAired: string;
  show: Title;
  episode: Episode;
}

/** Trakt's release types (`/movies/:id/releases`); other strings may come and are kept as they are. */
export type ReleaseType = 'unknown' | 'premiere' | 'limited' | 'theatrical' | 'digital' | 'physical' | 'tv';

export interface MovieRelease {
  /** Two-letter country code, lower case. */
  country: string;
  releaseType: ReleaseType | (string & {});
  /** `YYYY-MM-DD`; absent when Trakt has none. */
  releaseDate?: string;
  certification?: string;
  note?: string;
}

/** A user's watched progress on a show (`GET /shows/:id/progress/watched`, REFERENCE §12): aired episodes only. */
export interface ShowProgress {
  aired: number;
  completed: number;
  lastWatchedAt?: Date;
  resetAt?: Date;
  seasons: Array<{ number: number; aired: number; completed: number }>;
  /** The first aired episode not watched yet; absent when all aired ones are. */
  nextEpisode?: Episode;
  lastEpisode?: Episode;
}
