/**
 * Wire shapes shared by many endpoints: ids, images, movie, show, season, episode.
 *
 * Tolerance rules (REFERENCE §7, §8, §20 fixtures): unknown keys are allowed and dropped (Trakt adds
 * fields over time, e.g. `tvrage` ids that it no longer fills); external ids may be missing or null;
 * everything `extended=full` adds is optional, since the same objects arrive in minimal form too.
 */
import { z } from 'zod';

/** Movie, show and episode ids: `trakt` is what we key on; the rest may be absent or null. */
export const mediaIdsSchema = z.object({
  trakt: z.number().int(),
  slug: z.string().nullish(),
  imdb: z.string().nullish(),
  tmdb: z.number().int().nullish(),
  tvdb: z.number().int().nullish(),
});
export type WireMediaIds = z.infer<typeof mediaIdsSchema>;

/** Season ids: old watchlist answers carry seasons without a `trakt` id (fixture sync/watchlist.json). */
export const seasonIdsSchema = z.object({
  trakt: z.number().int().nullish(),
  tmdb: z.number().int().nullish(),
  tvdb: z.number().int().nullish(),
});

/**
 * `images`: arrays of scheme-less URLs per kind (REFERENCE §6). Kinds vary by media (`screenshot` on
 * episodes, `avatar` elsewhere), so any key is accepted.
 */
export const imagesSchema = z.record(z.string(), z.array(z.string()));

/** Fields `extended=full` adds to movies and shows. All optional: minimal objects lack them. */
const extendedFields = {
  overview: z.string().nullish(),
  rating: z.number().nullish(),
  votes: z.number().int().nullish(),
  runtime: z.number().int().nullish(),
  genres: z.array(z.string()).nullish(),
  certification: z.string().nullish(),
  language: z.string().nullish(),
  updated_at: z.string().nullish(),
  images: imagesSchema.optional(),
};

export const movieSchema = z.object({
  title: z.string(),
  /** Null for titles without a release year yet. */
  year: z.number().int().nullable().optional(),
  ids: mediaIdsSchema,
  released: z.string().nullish(),
  tagline: z.string().nullish(),
  ...extendedFields,
});
export type WireMovie = z.infer<typeof movieSchema>;

export const showSchema = z.object({
  title: z.string(),
  year: z.number().int().nullable().optional(),
  ids: mediaIdsSchema,
  first_aired: z.string().nullish(),
  status: z.string().nullish(),
  network: z.string().nullish(),
  country: z.string().nullish(),
  aired_episodes: z.number().int().nullish(),
  ...extendedFields,
});
export type WireShow = z.infer<typeof showSchema>;

export const episodeSchema = z.object({
  season: z.number().int(),
  number: z.number().int(),
  /** Unnamed episodes have a null title. */
  title: z.string().nullish(),
  ids: mediaIdsSchema,
  number_abs: z.number().int().nullish(),
  overview: z.string().nullish(),
  first_aired: z.string().nullish(),
  rating: z.number().nullish(),
  votes: z.number().int().nullish(),
  runtime: z.number().int().nullish(),
  images: imagesSchema.optional(),
});
export type WireEpisode = z.infer<typeof episodeSchema>;

export const seasonSchema = z.object({
  number: z.number().int(),
  ids: seasonIdsSchema,
  title: z.string().nullish(),
  overview: z.string().nullish(),
  episode_count: z.number().int().nullish(),
  aired_episodes: z.number().int().nullish(),
  first_aired: z.string().nullish(),
  rating: z.number().nullish(),
  votes: z.number().int().nullish(),
  network: z.string().nullish(),
  images: imagesSchema.optional(),
  /** Present with `?extended=episodes` on GET /shows/:id/seasons (REFERENCE §12). */
  episodes: z.array(episodeSchema).optional(),
});
export type WireSeason = z.infer<typeof seasonSchema>;
