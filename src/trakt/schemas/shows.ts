import { z } from 'zod';
import { episodeSchema, seasonIdsSchema, seasonSchema } from './media.js';

/** GET /shows/:id/seasons (optionally `?extended=episodes`). */
export const seasonsSchema = z.array(seasonSchema);
/** GET /shows/:id/seasons/:n: that season's episodes. */
export const seasonEpisodesSchema = z.array(episodeSchema);

/**
 * GET /shows/:id/progress/watched (REFERENCE §12). The collection variant has the same shape with
 * `collected_at` instead of `last_watched_at`, so one schema reads both.
 */
export const showProgressSchema = z.object({
  aired: z.number().int(),
  completed: z.number().int(),
  last_watched_at: z.string().nullish(),
  reset_at: z.string().nullish(),
  seasons: z.array(
    z.object({
      number: z.number().int(),
      title: z.string().nullish(),
      aired: z.number().int(),
      completed: z.number().int(),
      episodes: z.array(
        z.object({
          number: z.number().int(),
          completed: z.boolean(),
          last_watched_at: z.string().nullish(),
        }),
      ),
    }),
  ),
  hidden_seasons: z.array(z.object({ number: z.number().int(), ids: seasonIdsSchema.optional() })).nullish(),
  next_episode: episodeSchema.nullish(),
  last_episode: episodeSchema.nullish(),
});
export type WireShowProgress = z.infer<typeof showProgressSchema>;
