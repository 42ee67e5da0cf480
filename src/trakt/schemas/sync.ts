import { z } from 'zod';

const ts = z.string().nullish();

/**
 * GET /sync/last_activities (REFERENCE §10). Trakt adds groups and keys over time and fixtures lack some
 * (`reacted_at`, `collaborations`), so every key is optional; only the ones the bot reads are named.
 */
export const lastActivitiesSchema = z.object({
  all: ts,
  watchlist: z.object({ updated_at: ts }).optional(),
  movies: z.object({ watchlisted_at: ts }).optional(),
  shows: z.object({ watchlisted_at: ts }).optional(),
  seasons: z.object({ watchlisted_at: ts }).optional(),
  episodes: z.object({ watchlisted_at: ts, watched_at: ts }).optional(),
  lists: z.object({ updated_at: ts }).optional(),
  account: z.object({ settings_at: ts }).optional(),
});
export type WireLastActivities = z.infer<typeof lastActivitiesSchema>;
