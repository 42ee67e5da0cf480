import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTraktEmulator } from './index.js';
import type { TraktEmulator } from './index.js';
import { call } from './test-client.js';

interface MovieRow {
  released: string;
  movie: { title: string; ids: { trakt: number } };
}
interface ShowRow {
  first_aired: string;
  episode: { season: number; number: number; first_aired?: string };
  show: { ids: { trakt: number } };
}

describe('Trakt emulator: calendars and releases', () => {
  let trakt: TraktEmulator;
  let token: string;
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    trakt = await startTraktEmulator({ catalogSize: 300, rateLimits: false });
    trakt.addUser({ username: 'cal' });
    token = trakt.issueTokens('cal').access_token;
  });
  afterAll(async () => {
    await trakt?.close();
  });

  it('GIVEN movie dates set for watchlisted movies THEN each calendar lists its kind of release in the window, and /releases names the types', async () => {
    const [a, b, off] = trakt.catalog.movies().slice(10, 13);
    if (!a || !b || !off) throw new Error('catalog too small');
    trakt.seedWatchlist('cal', [
      { type: 'movie', trakt: a.ids.trakt },
      { type: 'movie', trakt: b.ids.trakt },
    ]);
    trakt.setMovieDates(a.ids.trakt, { released: day(0), digital: day(1) });
    trakt.setMovieDates(b.ids.trakt, { physical: day(-1) });
    trakt.setMovieDates(off.ids.trakt, { released: day(0) }); // not on the watchlist

    const movies = await call<MovieRow[]>(trakt, `/calendars/my/movies/${day(-2)}/5`, { token });
    expect(movies.status).toBe(200);
    expect(movies.json.map((r) => [r.movie.ids.trakt, r.released])).toEqual([[a.ids.trakt, day(0)]]);
    expect((await call<MovieRow[]>(trakt, `/calendars/my/streaming/${day(-2)}/5`, { token })).json.map((r) => r.movie.ids.trakt)).toEqual([a.ids.trakt]);
    expect((await call<MovieRow[]>(trakt, `/calendars/my/streaming/${day(-2)}/3`, { token })).json).toEqual([]);
    expect((await call<MovieRow[]>(trakt, `/calendars/my/dvd/${day(-2)}/5`, { token })).json.map((r) => r.released)).toEqual([day(-1)]);

    const releases = await call<Array<{ release_type: string; release_date: string }>>(trakt, `/movies/${a.ids.trakt}/releases`);
    expect(releases.json.map((r) => [r.release_type, r.release_date])).toEqual([
      ['theatrical', day(0)],
      ['digital', day(1)],
    ]);
    expect((await call(trakt, `/calendars/my/movies/${day(0)}/34`, { token })).status).toBe(400);
    expect((await call(trakt, `/calendars/my/movies/${day(0)}/7`)).status).toBe(401);
  });

  it('GIVEN an episode of a watchlisted show set to air today THEN the shows and premieres calendars list it with its air time', async () => {
    const show = trakt.catalog.shows().find((s) => s.seasons.filter((x) => x.number > 0).length >= 2);
    if (!show) throw new Error('no show with two seasons');
    trakt.seedWatchlist('cal', [{ type: 'show', trakt: show.ids.trakt }]);
    const aired = new Date(Date.parse(`${day(0)}T12:00:00.000Z`)).toISOString();
    trakt.setEpisodeAired(show.ids.trakt, 2, 1, aired);

    const all = await call<ShowRow[]>(trakt, `/calendars/my/shows/${day(0)}/1`, { token });
    expect(all.status).toBe(200);
    const row = all.json.find((r) => r.show.ids.trakt === show.ids.trakt && r.episode.season === 2 && r.episode.number === 1);
    expect(row?.first_aired).toBe(aired);
    const premieres = await call<ShowRow[]>(trakt, `/calendars/my/shows/premieres/${day(0)}/1`, { token });
    expect(premieres.json.every((r) => r.episode.number === 1)).toBe(true);
    expect(premieres.json.some((r) => r.show.ids.trakt === show.ids.trakt)).toBe(true);
    const fresh = await call<ShowRow[]>(trakt, `/calendars/my/shows/new/${day(0)}/1`, { token });
    expect(fresh.json.some((r) => r.show.ids.trakt === show.ids.trakt && r.episode.season === 2)).toBe(false);
    expect((await call(trakt, `/calendars/my/shows/not-a-date`, { token })).status).toBe(404);
  });
});
