import { z } from 'zod';
import { episodeSchema, movieSchema, showSchema } from './media.js';

/**
 * `GET /calendars/my/{movies,streaming,dvd}/:start_date/:days`: one row per release in the window,
 * `released` a UTC calendar date `YYYY-MM-DD` (Trakt: "all dates are in UTC").
 */
export const calendarMoviesSchema = z.array(z.object({ released: z.string(), movie: movieSchema }));
export type WireCalendarMovie = z.infer<typeof calendarMoviesSchema>[number];

/**
 * `GET /calendars/my/shows[/premieres|/new]/:start_date/:days` (fixture calendars/my/shows.json): one row per
 * episode airing in the window, `first_aired` an ISO timestamp.
 */
export const calendarShowsSchema = z.array(z.object({ first_aired: z.string(), episode: episodeSchema, show: showSchema }));
export type WireCalendarShow = z.infer<typeof calendarShowsSchema>[number];

/**
 * `GET /movies/:id/releases[/:country]`: `release_type` is one of unknown, premiere, limited, theatrical,
 * digital, physical, tv (any other string is kept, not refused: Trakt adds values over time).
 */
export const movieReleasesSchema = z.array(
  z.object({
    country: z.string(),
    certification: z.string().nullish(),
    release_date: z.string().nullish(),
    release_type: z.string(),
    note: z.string().nullish(),
  }),
);
export type WireMovieRelease = z.infer<typeof movieReleasesSchema>[number];
