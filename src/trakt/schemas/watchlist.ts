import { z } from 'zod';
import { episodeSchema, movieSchema, seasonSchema, showSchema } from './media.js';

/**
 * A watchlist (or list) item (REFERENCE §8): `{rank, id, listed_at, notes, type, movie|show|season(+show)|episode(+show)}`.
 * Older answers lack `id`, `notes` and even `rank` (fixtures sync/watchlist.json, users/me/watchlist.json).
 * Person items exist on user lists (TraktKit fixture); they are accepted and skipped by the mapper.
 */
export const watchlistItemSchema = z
  .object({
    rank: z.number().int().nullish(),
    id: z.number().int().nullish(),
    listed_at: z.string(),
    notes: z.string().nullish(),
    type: z.string(),
    movie: movieSchema.optional(),
    show: showSchema.optional(),
    season: seasonSchema.optional(),
    episode: episodeSchema.optional(),
  })
  .check((ctx) => {
    const v = ctx.value;
    const need = (key: 'movie' | 'show' | 'season' | 'episode'): void => {
      if (v[key] === undefined) {
        ctx.issues.push({ code: 'custom', message: `required for type "${v.type}"`, path: [key], input: v });
      }
    };
    if (v.type === 'movie') need('movie');
    if (v.type === 'show') need('show');
    if (v.type === 'season' || v.type === 'episode') {
      need(v.type);
      need('show');
    }
  });
export const watchlistItemsSchema = z.array(watchlistItemSchema);
export type WireWatchlistItem = z.infer<typeof watchlistItemSchema>;

/** Per-type counts in add/remove answers. A missing type counts as 0 (REFERENCE §9: counts may all be 0). */
const mutationCountsSchema = z.object({
  movies: z.number().int().optional(),
  shows: z.number().int().optional(),
  seasons: z.number().int().optional(),
  episodes: z.number().int().optional(),
});

/**
 * `not_found` echoes what we sent. It may carry extra keys (`people`, `users`, trakt/trakt-api#335) and
 * entries without `ids` (`{}`, trakt/trakt-api#236), so every key holds an array of loose objects.
 */
export const notFoundSchema = z.record(
  z.string(),
  z.array(
    z.looseObject({
      ids: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).optional(),
    }),
  ),
);

/** `list` is documented on both answers but missing from some (TraktKit remove fixture). */
const listSummarySchema = z.object({
  updated_at: z.string().nullish(),
  item_count: z.number().int().nullish(),
});

export const watchlistAddResponseSchema = z.object({
  added: mutationCountsSchema,
  existing: mutationCountsSchema.optional(),
  not_found: notFoundSchema.optional(),
  list: listSummarySchema.optional(),
});
export type WireWatchlistAddResponse = z.infer<typeof watchlistAddResponseSchema>;

export const watchlistRemoveResponseSchema = z.object({
  deleted: mutationCountsSchema,
  not_found: notFoundSchema.optional(),
  list: listSummarySchema.optional(),
});
export type WireWatchlistRemoveResponse = z.infer<typeof watchlistRemoveResponseSchema>;

/** POST /sync/watchlist/reorder answer (not used by the client yet; kept for fixture coverage). */
export const watchlistReorderResponseSchema = z.object({
  updated: z.number().int(),
  skipped_ids: z.array(z.number().int()).optional(),
  list: listSummarySchema.optional(),
});
