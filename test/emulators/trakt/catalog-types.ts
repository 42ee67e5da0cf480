// Internal shapes of the emulated catalog. Field names follow Trakt's JSON (snake_case) so that the
// serializers in media-json.ts can copy them without renaming.

import type { CatalogMovie, CatalogSeason, CatalogShow, EpisodeIds, MovieIds, SeasonIds, ShowIds } from './types.js';

export interface Airs {
  day: string;
  time: string;
  timezone: string;
}

export interface MovieRecord extends CatalogMovie {
  tagline: string;
  country: string;
  trailer: string | null;
  homepage: string | null;
  status: string;
  comment_count: number;
  updated_at: string;
  language: string;
  languages: string[];
  available_translations: string[];
  certification: string | null;
  original_title: string;
  /** lower-cased title for title sorts */
  sortTitle: string;
  releasedMs: number;
}

export interface ShowRecord extends CatalogShow {
  tagline: string;
  first_aired: string | null;
  airs: Airs;
  runtime: number;
  certification: string | null;
  country: string;
  trailer: string | null;
  homepage: string | null;
  comment_count: number;
  updated_at: string;
  language: string;
  languages: string[];
  available_translations: string[];
  original_title: string;
  seasons: SeasonRecord[];
  sortTitle: string;
  firstAiredMs: number;
}

/** Ids of episode 1 of a season; episode n has base + n - 1 (generated episodes only). */
export interface EpisodeIdBase {
  trakt: number;
  tvdb: number;
  tmdb: number;
  /** numeric part of the imdb id, or null when the season's episodes have no imdb id */
  imdb: number | null;
}

export interface SeasonRecord extends CatalogSeason {
  show: ShowRecord;
  ids: SeasonIds;
  firstAiredMs: number;
  /** episode n airs at firstAiredMs + (n - 1) * intervalMs */
  intervalMs: number;
  idBase: EpisodeIdBase;
  /** number_abs of episode 1 (null for specials) */
  absBase: number | null;
  /** real episodes (from fixtures) that replace the generated ones with the same number */
  explicit: Map<number, EpisodeRecord> | undefined;
  /** known episode titles by number - 1 */
  titles: string[] | undefined;
  aired_episodes: number;
  rating: number;
  votes: number;
}

export interface EpisodeRecord {
  show: ShowRecord;
  seasonRecord: SeasonRecord;
  season: number;
  number: number;
  title: string;
  ids: EpisodeIds;
  number_abs: number | null;
  overview: string;
  firstAiredMs: number;
  runtime: number;
  rating: number;
  votes: number;
}

export interface PersonRecord {
  name: string;
  ids: { trakt: number; slug: string; imdb: string | null; tmdb: number | null };
}

export interface ListRecord {
  name: string;
  description: string;
  privacy: 'public';
  share_link: string;
  type: 'personal';
  display_numbers: boolean;
  allow_comments: boolean;
  sort_by: string;
  sort_how: string;
  created_at: string;
  updated_at: string;
  item_count: number;
  comment_count: number;
  likes: number;
  ids: { trakt: number; slug: string };
  user: { username: string; private: boolean; name: string; vip: boolean; vip_ep: boolean; ids: { slug: string } };
}

export type MediaRecord = MovieRecord | ShowRecord;

// ---- fixture input shapes (fixture-catalog.ts) ----

export interface FixtureMovie {
  title: string;
  year: number;
  ids: MovieIds;
  full?: Partial<Omit<MovieRecord, 'ids' | 'title' | 'year' | 'type'>>;
}

export interface FixtureEpisodeDetails {
  overview?: string;
  first_aired?: string;
  runtime?: number;
  rating?: number;
  votes?: number;
  number_abs?: number | null;
}

export interface FixtureEpisode {
  season: number;
  number: number;
  title: string;
  ids: EpisodeIds;
  details?: FixtureEpisodeDetails;
}

export interface FixtureSeason {
  number: number;
  episodes: number;
  firstAired: string;
  ids?: SeasonIds;
  /** the show's real episode trakt ids run consecutively from this one */
  firstEpisodeTrakt?: number;
}

export interface FixtureShow {
  title: string;
  year: number;
  ids: ShowIds;
  full?: Partial<Omit<ShowRecord, 'ids' | 'title' | 'year' | 'type' | 'seasons'>>;
  seasons: FixtureSeason[];
  episodes: FixtureEpisode[];
  titles?: Record<number, string[]>;
}

export interface FixturePerson {
  name: string;
  ids: PersonRecord['ids'];
}

export interface FixtureList {
  name: string;
  description: string;
  ids: { trakt: number; slug: string };
  item_count: number;
  likes: number;
  created_at: string;
  updated_at: string;
  username: string;
  name_of_user: string;
}
