// Calendars (`/calendars/my/...`) and a movie's releases (`/movies/:id/releases[/:country]`), answered from
// the catalog's release and air dates, with per-emulator overrides so a test can make a title come out today.
//
// Trakt's documentation (calendar section): dates are UTC; `start_date` defaults to today and `days` to 7,
// at most 33 days. The *my* calendars hold what the user watched, collected or watchlisted; this emulator
// keeps only the watchlist (it has no collection, and watched shows are not followed): a watchlisted show or
// season brings all the show's episodes, a watchlisted episode only itself.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EpisodeRecord, MovieRecord, ShowRecord } from './catalog-types.js';
import type { EmulatorContext, RouteMeta } from './context.js';
import { jsonError, notFound, params, query, sendJson } from './context.js';
import { jsonArray, parseExtended } from './media-json.js';
import type { UserState } from './user-store.js';

const OPTIONAL: RouteMeta = { kind: 'api', auth: 'optional' };
const REQUIRED: RouteMeta = { kind: 'api', auth: 'required' };
const DAY_MS = 86_400_000;
export const MAX_CALENDAR_DAYS = 33;

/** A movie's dates (`YYYY-MM-DD`): `released` replaces the catalog's; digital/physical exist only when set. */
export interface MovieDates {
  released?: string;
  digital?: string | null;
  physical?: string | null;
}

interface Overrides {
  movies: Map<number, MovieDates>;
  /** `show:season:episode` → air time (ms). */
  episodes: Map<string, number>;
}

const overrides = new WeakMap<EmulatorContext, Overrides>();

function overridesOf(ctx: EmulatorContext): Overrides {
  let found = overrides.get(ctx);
  if (!found) {
    found = { movies: new Map(), episodes: new Map() };
    overrides.set(ctx, found);
  }
  return found;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function setMovieDates(ctx: EmulatorContext, trakt: number, dates: MovieDates): void {
  if (!ctx.catalog.movieById('trakt', trakt)) throw new Error(`no movie ${trakt} in the emulated catalog`);
  for (const value of [dates.released, dates.digital, dates.physical]) {
    if (typeof value === 'string' && !DATE.test(value)) throw new Error(`not a YYYY-MM-DD date: ${value}`);
  }
  const current = overridesOf(ctx).movies.get(trakt) ?? {};
  overridesOf(ctx).movies.set(trakt, { ...current, ...dates });
}

export function setEpisodeAired(ctx: EmulatorContext, show: number, season: number, episode: number, firstAired: string): void {
  const record = episodeOf(ctx, show, season, episode);
  if (!record) throw new Error(`no episode ${show} S${season}E${episode} in the emulated catalog`);
  const ms = Date.parse(firstAired);
  if (Number.isNaN(ms)) throw new Error(`not a timestamp: ${firstAired}`);
  overridesOf(ctx).episodes.set(`${show}:${season}:${episode}`, ms);
}

export function clearDates(ctx: EmulatorContext): void {
  overrides.delete(ctx);
}

function episodeOf(ctx: EmulatorContext, show: number, season: number, episode: number): EpisodeRecord | undefined {
  const showRecord = ctx.catalog.showById('trakt', show);
  const seasonRecord = showRecord && ctx.catalog.season(showRecord, season);
  return seasonRecord && ctx.catalog.episode(seasonRecord, episode);
}

function movieDates(ctx: EmulatorContext, movie: MovieRecord): { released: string; digital: string | null; physical: string | null } {
  const set = overridesOf(ctx).movies.get(movie.ids.trakt);
  return { released: set?.released ?? movie.released, digital: set?.digital ?? null, physical: set?.physical ?? null };
}

function airedMs(ctx: EmulatorContext, episode: EpisodeRecord): number {
  return overridesOf(ctx).episodes.get(`${episode.show.ids.trakt}:${episode.season}:${episode.number}`) ?? episode.firstAiredMs;
}

/** `[start, start + days)` in UTC ms, or an error text. */
function windowOf(request: FastifyRequest): { from: number; to: number } | string {
  const { start_date: start, days } = params(request);
  const from = start === undefined ? Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) : Date.parse(`${start}T00:00:00.000Z`);
  if (start !== undefined && (!DATE.test(start) || Number.isNaN(from))) return 'start_date must be YYYY-MM-DD';
  const count = days === undefined ? 7 : Number(days);
  // ⚠ Trakt documents the 33-day maximum; what it answers past it is not documented. The emulator says 400.
  if (!Number.isInteger(count) || count < 1 || count > MAX_CALENDAR_DAYS) return `days must be 1-${MAX_CALENDAR_DAYS}`;
  return { from, to: from + count * DAY_MS };
}

function watchlistedMovies(user: UserState): MovieRecord[] {
  const out: MovieRecord[] = [];
  for (const item of user.watchlist) if (item.target.type === 'movie') out.push(item.target.movie);
  return out;
}

/** Episodes the user's calendar follows: all of a watchlisted show's (or season's show's), and watchlisted episodes. */
function followedEpisodes(ctx: EmulatorContext, user: UserState): EpisodeRecord[] {
  const shows = new Map<number, ShowRecord>();
  const single: EpisodeRecord[] = [];
  for (const item of user.watchlist) {
    const target = item.target;
    if (target.type === 'show' || target.type === 'season') shows.set(target.show.ids.trakt, target.show);
    else if (target.type === 'episode') single.push(target.episode);
  }
  const out = [...shows.values()].flatMap((show) => show.seasons.filter((s) => s.number !== 0).flatMap((s) => ctx.catalog.episodes(s)));
  for (const episode of single) if (!shows.has(episode.show.ids.trakt)) out.push(episode);
  return out;
}

type MovieCalendar = 'movies' | 'streaming' | 'dvd';
type ShowCalendar = 'all' | 'premieres' | 'new';

export function registerCalendarRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const movieCalendar = (kind: MovieCalendar) => async (request: FastifyRequest, reply: FastifyReply) => {
    const window = windowOf(request);
    if (typeof window === 'string') return jsonError(reply, 400, 'invalid_parameter', window);
    const ext = parseExtended(query(request).extended);
    const rows: Array<{ released: string; movie: MovieRecord }> = [];
    for (const movie of watchlistedMovies(ctx.userOf(request))) {
      const dates = movieDates(ctx, movie);
      const date = kind === 'movies' ? dates.released : kind === 'streaming' ? dates.digital : dates.physical;
      if (date === null) continue;
      const ms = Date.parse(`${date}T00:00:00.000Z`);
      if (ms >= window.from && ms < window.to) rows.push({ released: date, movie: kind === 'movies' ? { ...movie, released: date } : movie });
    }
    rows.sort((a, b) => a.released.localeCompare(b.released) || a.movie.ids.trakt - b.movie.ids.trakt);
    return sendJson(reply, jsonArray(rows.map((r) => `{"released":${JSON.stringify(r.released)},"movie":${ctx.json.movie(r.movie, ext)}}`)));
  };

  const showCalendar = (kind: ShowCalendar) => async (request: FastifyRequest, reply: FastifyReply) => {
    const window = windowOf(request);
    if (typeof window === 'string') return jsonError(reply, 400, 'invalid_parameter', window);
    const ext = parseExtended(query(request).extended);
    const rows: Array<{ ms: number; episode: EpisodeRecord }> = [];
    for (const episode of followedEpisodes(ctx, ctx.userOf(request))) {
      if (kind === 'premieres' && episode.number !== 1) continue;
      if (kind === 'new' && (episode.season !== 1 || episode.number !== 1)) continue;
      const ms = airedMs(ctx, episode);
      if (ms >= window.from && ms < window.to) rows.push({ ms, episode: ms === episode.firstAiredMs ? episode : { ...episode, firstAiredMs: ms } });
    }
    rows.sort((a, b) => a.ms - b.ms || a.episode.ids.trakt - b.episode.ids.trakt);
    return sendJson(
      reply,
      jsonArray(
        rows.map(
          (r) =>
            `{"first_aired":${JSON.stringify(new Date(r.ms).toISOString())},"episode":${ctx.json.episode(r.episode, ext)},"show":${ctx.json.show(r.episode.show, ext)}}`,
        ),
      ),
    );
  };

  for (const suffix of ['', '/:start_date', '/:start_date/:days']) {
    ctx.route(app, 'GET', `/calendars/my/movies${suffix}`, REQUIRED, movieCalendar('movies'));
    ctx.route(app, 'GET', `/calendars/my/streaming${suffix}`, REQUIRED, movieCalendar('streaming'));
    ctx.route(app, 'GET', `/calendars/my/dvd${suffix}`, REQUIRED, movieCalendar('dvd'));
    ctx.route(app, 'GET', `/calendars/my/shows/premieres${suffix}`, REQUIRED, showCalendar('premieres'));
    ctx.route(app, 'GET', `/calendars/my/shows/new${suffix}`, REQUIRED, showCalendar('new'));
  }
  // `/calendars/my/shows/:start_date/:days`; `/calendars/my/shows` alone is today + 7 days.
  ctx.route(app, 'GET', '/calendars/my/shows', REQUIRED, showCalendar('all'));
  ctx.route(app, 'GET', '/calendars/my/shows/:start_date', REQUIRED, async (request, reply) => {
    const start = params(request).start_date ?? '';
    // `premieres` and `new` are their own routes above; anything else not a date is unknown.
    if (!DATE.test(start)) return notFound(reply);
    return showCalendar('all')(request, reply);
  });
  ctx.route(app, 'GET', '/calendars/my/shows/:start_date/:days', REQUIRED, showCalendar('all'));

  const releases = async (request: FastifyRequest, reply: FastifyReply) => {
    const movie = ctx.catalog.movie(params(request).id ?? '');
    if (!movie) return notFound(reply);
    const country = params(request).country?.toLowerCase();
    const dates = movieDates(ctx, movie);
    const home = (movie.country || 'us').toLowerCase();
    const rows = [
      { type: 'theatrical', date: dates.released },
      { type: 'digital', date: dates.digital },
      { type: 'physical', date: dates.physical },
    ]
      .filter((r): r is { type: string; date: string } => r.date !== null)
      .map((r) => ({ country: home, certification: movie.certification ?? '', release_date: r.date, release_type: r.type, note: null }));
    return sendJson(reply, JSON.stringify(country === undefined ? rows : rows.filter((r) => r.country === country)));
  };
  ctx.route(app, 'GET', '/movies/:id/releases', OPTIONAL, releases);
  ctx.route(app, 'GET', '/movies/:id/releases/:country', OPTIONAL, releases);
}
