/**
 * Pure functions from wire shapes (snake_case, nullable, optional) to domain types (camelCase).
 * `null` and absent both become an absent property, so callers test one thing.
 */
import type {
  WireCalendarMovie,
  WireCalendarShow,
  WireMovieRelease,
  WireEpisode,
  WireLastActivities,
  WireMovie,
  WireSearchResult,
  WireSeason,
  WireShow,
  WireShowProgress,
  WireTokenResponse,
  WireUserSettings,
  WireWatchlistItem,
} from './schemas/index.js';
import type { seasonIdsSchema, mediaIdsSchema, imagesSchema } from './schemas/media.js';
import type { z } from 'zod';
import type {
  CalendarEpisode,
  CalendarMovie,
  MovieRelease,
  Episode,
  EpisodeIds,
  LastActivities,
  MediaCounts,
  NotFoundEntry,
  SearchHit,
  Season,
  SeasonIds,
  ShowProgress,
  Title,
  TitleIds,
  TokenSet,
  UserSettings,
  WatchlistEntry,
} from './types.js';

/** Copies only the keys whose value is neither null nor undefined. */
function defined<T extends object>(obj: { [K in keyof T]: T[K] | null | undefined }): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(obj) as Array<keyof T>) {
    const value = obj[key];
    if (value !== null && value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * Trakt's image URLs have no scheme (`walter-r2.trakt.tv/...`, REFERENCE §6); full URLs (an emulator's
 * `http://127.0.0.1:…`) are kept as they are.
 */
export function toImageUrl(raw: string | undefined): string | null {
  if (raw === undefined || raw.trim() === '') return null;
  if (/^https?:\/\//i.test(raw)) return raw;
  return `https://${raw.replace(/^\/\//, '')}`;
}

function firstImage(images: z.infer<typeof imagesSchema> | undefined, kind: string): string | null {
  return toImageUrl(images?.[kind]?.[0]);
}

export function mapToTitleIds(ids: z.infer<typeof mediaIdsSchema>): TitleIds {
  return { trakt: ids.trakt, ...defined({ slug: ids.slug, imdb: ids.imdb, tmdb: ids.tmdb, tvdb: ids.tvdb }) };
}

export function mapToEpisodeIds(ids: z.infer<typeof mediaIdsSchema>): EpisodeIds {
  return { trakt: ids.trakt, ...defined({ imdb: ids.imdb, tmdb: ids.tmdb, tvdb: ids.tvdb }) };
}

export function mapToSeasonIds(ids: z.infer<typeof seasonIdsSchema>): SeasonIds {
  return defined({ trakt: ids.trakt, tmdb: ids.tmdb, tvdb: ids.tvdb });
}

function commonTitleFields(wire: WireMovie | WireShow): Partial<Title> {
  return defined({
    overview: wire.overview,
    rating: wire.rating,
    votes: wire.votes,
    runtime: wire.runtime,
    genres: wire.genres,
    certification: wire.certification,
  });
}

export function mapToMovie(wire: WireMovie): Title {
  return {
    type: 'movie',
    ids: mapToTitleIds(wire.ids),
    title: wire.title,
    year: wire.year ?? null,
    ...commonTitleFields(wire),
    ...defined({ released: wire.released }),
    posterUrl: firstImage(wire.images, 'poster'),
  };
}

export function mapToShow(wire: WireShow): Title {
  return {
    type: 'show',
    ids: mapToTitleIds(wire.ids),
    title: wire.title,
    year: wire.year ?? null,
    ...commonTitleFields(wire),
    ...defined({
      firstAired: wire.first_aired,
      status: wire.status,
      network: wire.network,
      airedEpisodes: wire.aired_episodes,
    }),
    posterUrl: firstImage(wire.images, 'poster'),
  };
}

export function mapToEpisode(wire: WireEpisode): Episode {
  const image = firstImage(wire.images, 'screenshot');
  return {
    season: wire.season,
    number: wire.number,
    ids: mapToEpisodeIds(wire.ids),
    ...defined({
      title: wire.title,
      overview: wire.overview,
      firstAired: wire.first_aired,
      runtime: wire.runtime,
      rating: wire.rating,
      imageUrl: image,
    }),
  };
}

export function mapToSeason(wire: WireSeason): Season {
  return {
    number: wire.number,
    ids: mapToSeasonIds(wire.ids),
    ...defined({
      title: wire.title,
      episodeCount: wire.episode_count,
      airedEpisodes: wire.aired_episodes,
      firstAired: wire.first_aired,
    }),
    ...(wire.episodes === undefined ? {} : { episodes: wire.episodes.map(mapToEpisode) }),
  };
}

/** Null for result kinds the bot does not handle (people, lists). */
export function mapToSearchHit(wire: WireSearchResult): SearchHit | null {
  const score = wire.score ?? null;
  if (wire.type === 'movie' && wire.movie) return { score, title: mapToMovie(wire.movie) };
  if (wire.type === 'show' && wire.show) return { score, title: mapToShow(wire.show) };
  if (wire.type === 'episode' && wire.episode && wire.show) {
    return { score, title: { type: 'episode', show: mapToShow(wire.show), episode: mapToEpisode(wire.episode) } };
  }
  return null;
}

function toDate(value: string | null | undefined): Date | undefined {
  if (value === null || value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** Null for item kinds the bot does not handle (a person on a list). */
export function mapToWatchlistEntry(wire: WireWatchlistItem): WatchlistEntry | null {
  const base = {
    rank: wire.rank ?? null,
    ...defined({ listItemId: wire.id, notes: wire.notes }),
    // listed_at is required by the schema; an unparsable value falls back to the epoch rather than failing the page.
    listedAt: toDate(wire.listed_at) ?? new Date(0),
  };
  switch (wire.type) {
    case 'movie':
      return wire.movie ? { ...base, type: 'movie', title: mapToMovie(wire.movie) } : null;
    case 'show':
      return wire.show ? { ...base, type: 'show', title: mapToShow(wire.show) } : null;
    case 'season':
      return wire.show && wire.season
        ? {
            ...base,
            type: 'season',
            title: mapToShow(wire.show),
            season: wire.season.number,
            seasonIds: mapToSeasonIds(wire.season.ids),
          }
        : null;
    case 'episode':
      return wire.show && wire.episode
        ? { ...base, type: 'episode', title: mapToShow(wire.show), episode: mapToEpisode(wire.episode) }
        : null;
    default:
      return null;
  }
}

export function mapToMediaCounts(
  wire: { movies?: number | undefined; shows?: number | undefined; seasons?: number | undefined; episodes?: number | undefined } | undefined,
): MediaCounts {
  return {
    movies: wire?.movies ?? 0,
    shows: wire?.shows ?? 0,
    seasons: wire?.seasons ?? 0,
    episodes: wire?.episodes ?? 0,
  };
}

export function mapToNotFound(
  wire: Record<string, Array<{ ids?: Record<string, string | number | null> | undefined }>> | undefined,
): NotFoundEntry[] {
  if (!wire) return [];
  const out: NotFoundEntry[] = [];
  for (const [kind, entries] of Object.entries(wire)) {
    for (const entry of entries) out.push(entry.ids ? { kind, ids: entry.ids } : { kind });
  }
  return out;
}

export function mapToUserSettings(wire: WireUserSettings): UserSettings {
  const limits = wire.limits;
  return {
    username: wire.user.username,
    slug: wire.user.ids.slug,
    vip: wire.user.vip ?? false,
    ...defined({
      uuid: wire.user.ids.uuid,
      traktId: wire.user.ids.trakt,
      name: wire.user.name,
      private: wire.user.private,
      timezone: wire.account?.timezone,
    }),
    limits: defined({
      watchlist: limits?.watchlist?.item_count,
      lists: limits?.list?.count,
      listItems: limits?.list?.item_count,
      favorites: limits?.favorites?.item_count,
      collection: limits?.collection?.item_count,
      notes: limits?.notes?.item_count,
    }),
  };
}

export function mapToLastActivities(wire: WireLastActivities): LastActivities {
  return defined({
    all: toDate(wire.all),
    watchlistUpdatedAt: toDate(wire.watchlist?.updated_at),
    moviesWatchlistedAt: toDate(wire.movies?.watchlisted_at),
    showsWatchlistedAt: toDate(wire.shows?.watchlisted_at),
    seasonsWatchlistedAt: toDate(wire.seasons?.watchlisted_at),
    episodesWatchlistedAt: toDate(wire.episodes?.watchlisted_at),
    episodesWatchedAt: toDate(wire.episodes?.watched_at),
    settingsAt: toDate(wire.account?.settings_at),
  });
}

export function mapToShowProgress(wire: WireShowProgress): ShowProgress {
  return {
    aired: wire.aired,
    completed: wire.completed,
    seasons: wire.seasons.map((s) => ({ number: s.number, aired: s.aired, completed: s.completed })),
    ...defined({
      lastWatchedAt: toDate(wire.last_watched_at),
      resetAt: toDate(wire.reset_at),
      nextEpisode: wire.next_episode ? mapToEpisode(wire.next_episode) : undefined,
      lastEpisode: wire.last_episode ? mapToEpisode(wire.last_episode) : undefined,
    }),
  };
}

/**
 * `expiresAt = created_at + expires_in` (REFERENCE §3.4). If Trakt omitted `created_at`, the time the
 * answer arrived stands in for it: that errs towards refreshing early, never late.
 */
export function mapToTokenSet(wire: WireTokenResponse, receivedAt: Date): TokenSet {
  const createdAtMs = wire.created_at !== undefined ? wire.created_at * 1000 : receivedAt.getTime();
  return {
    accessToken: wire.access_token,
    refreshToken: wire.refresh_token,
    createdAt: new Date(createdAtMs),
    expiresAt: new Date(createdAtMs + wire.expires_in * 1000),
    scope: wire.scope ?? 'public',
  };
}

export function mapToCalendarMovie(wire: WireCalendarMovie): CalendarMovie {
  return { released: wire.released, movie: mapToMovie(wire.movie) };
}

export function mapToCalendarEpisode(wire: WireCalendarShow): CalendarEpisode {
  return { firstAired: wire.first_aired, show: mapToShow(wire.show), episode: mapToEpisode(wire.episode) };
}

export function mapToMovieRelease(wire: WireMovieRelease): MovieRelease {
  return {
    country: wire.country.toLowerCase(),
    releaseType: wire.release_type,
    ...defined({ releaseDate: wire.release_date, certification: wire.certification, note: wire.note }),
  };
}
