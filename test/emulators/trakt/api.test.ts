import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTraktEmulator } from './index.js';
import type { TraktEmulator } from './index.js';
import { call } from './test-client.js';

interface SearchItem {
  type: string;
  score: number | null;
  movie?: { title: string; year: number; ids: { trakt: number; imdb: string | null }; images?: { poster: string[] }; overview?: string };
  show?: { title: string; year: number; ids: { trakt: number } };
  episode?: { season: number; number: number; title: string; ids: { trakt: number } };
}

describe('Trakt emulator: headers, search, summaries, images', () => {
  let trakt: TraktEmulator;

  beforeAll(async () => {
    trakt = await startTraktEmulator({ rateLimits: false });
  });
  afterAll(async () => {
    await trakt.close();
  });

  describe('required headers (REFERENCE §2)', () => {
    it('GIVEN no User-Agent THEN Cloudflare answers 403 with an "error code: 1010" page', async () => {
      const res = await call(trakt, '/movies/14701', { headers: { 'user-agent': '' } });
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.text).toBe('error code: 1010');
    });

    it('GIVEN a wrong trakt-api-key THEN 403 with a JSON error', async () => {
      const res = await call<{ error: string }>(trakt, '/movies/14701', { headers: { 'trakt-api-key': 'nope' } });
      expect(res.status).toBe(403);
      expect(res.json.error).toBeTruthy();
    });

    it('GIVEN no trakt-api-version THEN the request is refused', async () => {
      const res = await call(trakt, '/movies/14701', { headers: { 'trakt-api-version': '' } });
      expect(res.status).toBe(400);
    });

    it('GIVEN a POST that is not JSON THEN 412 Precondition Failed', async () => {
      trakt.addUser({ username: 'form-poster' });
      const { access_token } = trakt.issueTokens('form-poster');
      const res = await fetch(`${trakt.url}/sync/watchlist`, {
        method: 'POST',
        headers: { 'trakt-api-key': trakt.clientId, 'trakt-api-version': '2', authorization: `Bearer ${access_token}`, 'content-type': 'text/plain' },
        body: 'movies',
      });
      expect(res.status).toBe(412);
    });

    it('GIVEN a locked account THEN 423 with X-Account-Locked', async () => {
      trakt.addUser({ username: 'locked-out', locked: true });
      const res = await call(trakt, '/sync/watchlist', { token: trakt.issueTokens('locked-out').access_token });
      expect(res.status).toBe(423);
      expect(res.headers.get('x-account-locked')).toBe('true');
      expect(res.headers.get('x-account-deactivated')).toBe('false');
    });

    it('GIVEN an unknown, an expired or a revoked token on an auth-required route THEN 401', async () => {
      trakt.addUser({ username: 'token-owner' });
      expect((await call(trakt, '/sync/watchlist', { token: 'not-a-token' })).status).toBe(401);
      expect((await call(trakt, '/sync/watchlist')).status).toBe(401);

      const expiring = trakt.issueTokens('token-owner');
      expect((await call(trakt, '/sync/watchlist', { token: expiring.access_token })).status).toBe(200);
      trakt.expireAccessTokens('token-owner');
      expect((await call(trakt, '/sync/watchlist', { token: expiring.access_token })).status).toBe(401);

      const revoked = trakt.issueTokens('token-owner');
      trakt.revokeAllTokens('token-owner');
      expect((await call(trakt, '/sync/watchlist', { token: revoked.access_token })).status).toBe(401);
    });
  });

  describe('text search (REFERENCE §7)', () => {
    it('ranks the exact title first, with float scores', async () => {
      const res = await call<SearchItem[]>(trakt, '/search/movie?query=The%20Avengers');
      expect(res.status).toBe(200);
      const [first, second] = res.json;
      expect(first?.movie?.ids.trakt).toBe(14701);
      expect(first?.type).toBe('movie');
      expect(typeof first?.score).toBe('number');
      expect(first?.score).toBeGreaterThan(second?.score ?? Infinity);
      const scores = res.json.map((r) => r.score ?? 0);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    });

    it('finds shows and mixes types by relevance', async () => {
      const shows = await call<SearchItem[]>(trakt, '/search/show?query=breaking%20bad');
      expect(shows.json[0]?.show?.title).toBe('Breaking Bad');
      const mixed = await call<SearchItem[]>(trakt, '/search/movie,show?query=tron');
      const types = new Set(mixed.json.map((r) => r.type));
      expect(types).toEqual(new Set(['movie', 'show']));
      expect(mixed.json[0]?.movie?.title ?? mixed.json[0]?.show?.title).toMatch(/tron/i);
    });

    it('searches episodes with their show', async () => {
      const res = await call<SearchItem[]>(trakt, '/search/episode?query=Ozymandias');
      expect(res.json[0]?.episode?.ids.trakt).toBe(73541);
      expect(res.json[0]?.show?.ids.trakt).toBe(1388);
    });

    it('filters by years, a single year or a range', async () => {
      const single = await call<SearchItem[]>(trakt, '/search/movie?query=The%20Avengers&years=1998');
      expect(single.json.length).toBeGreaterThan(0);
      expect(single.json.every((r) => r.movie?.year === 1998)).toBe(true);
      expect(single.json[0]?.movie?.ids.trakt).toBe(4618);

      const range = await call<SearchItem[]>(trakt, '/search/movie?query=avengers&years=2010-2015');
      expect(range.json.length).toBeGreaterThan(0);
      expect(range.json.every((r) => (r.movie?.year ?? 0) >= 2010 && (r.movie?.year ?? 0) <= 2015)).toBe(true);
    });

    it('pages 50 by default and clamps limit to 250', async () => {
      const byDefault = await call<SearchItem[]>(trakt, '/search/movie,show?query=the');
      expect(byDefault.headers.get('x-pagination-limit')).toBe('50');
      expect(byDefault.json).toHaveLength(50);
      const total = Number(byDefault.headers.get('x-pagination-item-count'));
      expect(total).toBeGreaterThan(250);
      expect(Number(byDefault.headers.get('x-pagination-page-count'))).toBe(Math.ceil(total / 50));

      const clamped = await call<SearchItem[]>(trakt, '/search/movie,show?query=the&limit=1000&page=2');
      expect(clamped.headers.get('x-pagination-limit')).toBe('250');
      expect(clamped.headers.get('x-pagination-page')).toBe('2');
      expect(clamped.json).toHaveLength(Math.min(250, total - 250));
    });

    it('keeps awkward titles intact', async () => {
      const res = await call<SearchItem[]>(trakt, '/search/movie?query=tom%20jerry%20chase');
      expect(res.json[0]?.movie?.title).toBe('Tom & Jerry: "The Chase" <Director\'s Cut>');
      const cjk = await call<SearchItem[]>(trakt, `/search/movie?query=${encodeURIComponent('千と千尋の神隠し')}`);
      expect(cjk.json[0]?.movie?.title).toBe('千と千尋の神隠し');
    });
  });

  describe('ID lookup', () => {
    it('finds a movie by imdb id with a null score', async () => {
      const res = await call<SearchItem[]>(trakt, '/search/imdb/tt0848228?extended=full');
      expect(res.json).toHaveLength(1);
      expect(res.json[0]?.score).toBeNull();
      expect(res.json[0]?.movie?.title).toBe('The Avengers');
      expect(res.json[0]?.movie?.overview).toContain('Nick Fury');
    });

    it('returns every type sharing a tmdb id unless ?type= narrows it', async () => {
      const all = await call<SearchItem[]>(trakt, '/search/tmdb/24428');
      expect(all.json.map((r) => r.type).sort()).toEqual(['movie', 'show']);
      const movies = await call<SearchItem[]>(trakt, '/search/tmdb/24428?type=movie');
      expect(movies.json.map((r) => r.type)).toEqual(['movie']);
    });

    it('finds episodes by imdb and by trakt id', async () => {
      const res = await call<SearchItem[]>(trakt, '/search/imdb/tt0959621');
      expect(res.json[0]?.type).toBe('episode');
      expect(res.json[0]?.episode).toMatchObject({ season: 1, number: 1, title: 'Pilot' });
      const byTrakt = await call<SearchItem[]>(trakt, '/search/trakt/73640?type=episode');
      expect(byTrakt.json[0]?.episode?.title).toBe('Winter Is Coming');
    });
  });

  describe('summaries, seasons and images', () => {
    it('serves a movie by trakt id, slug and imdb id', async () => {
      for (const id of ['12601', 'tron-legacy-2010', 'tt1104001']) {
        const res = await call<{ title: string; ids: { trakt: number } }>(trakt, `/movies/${id}`);
        expect(res.json).toMatchObject({ title: 'TRON: Legacy', year: 2010, ids: { trakt: 12601, imdb: 'tt1104001' } });
      }
      expect((await call(trakt, '/movies/999999999')).status).toBe(404);
    });

    it('adds summary fields and images with extended=full', async () => {
      const res = await call<Record<string, unknown>>(trakt, '/shows/1390?extended=full');
      expect(res.json).toMatchObject({ title: 'Game of Thrones', network: 'HBO', status: 'ended', aired_episodes: 73 });
      expect(res.json.images).toBeDefined();
      const min = await call<Record<string, unknown>>(trakt, '/shows/1390');
      expect(Object.keys(min.json)).toEqual(['title', 'year', 'ids']);
    });

    it('lists seasons, a season\'s episodes and one episode', async () => {
      const seasons = await call<Array<{ number: number; episodes?: unknown[] }>>(trakt, '/shows/game-of-thrones/seasons?extended=episodes');
      expect(seasons.json.map((s) => s.number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
      expect(seasons.json[1]?.episodes).toHaveLength(10);
      const season = await call<Array<{ title: string }>>(trakt, '/shows/1390/seasons/1');
      expect(season.json[0]?.title).toBe('Winter Is Coming');
      const episode = await call<{ ids: { trakt: number } }>(trakt, '/shows/1390/seasons/1/episodes/1');
      expect(episode.json.ids.trakt).toBe(73640);
      expect((await call(trakt, '/shows/1390/seasons/42')).status).toBe(404);
    });

    it('serves the WebP posters its image URLs point at', async () => {
      const res = await call<{ images: { poster: string[] } }>(trakt, '/movies/14701?extended=images');
      const poster = res.json.images.poster[0] ?? '';
      expect(poster.startsWith(`${trakt.url}/images/posters/`)).toBe(true);
      const image = await fetch(poster);
      expect(image.status).toBe(200);
      expect(image.headers.get('content-type')).toBe('image/webp');
      const bytes = Buffer.from(await image.arrayBuffer());
      expect(bytes.subarray(0, 4).toString('ascii')).toBe('RIFF');
      expect(bytes.subarray(8, 12).toString('ascii')).toBe('WEBP');
      const again = Buffer.from(await (await fetch(poster)).arrayBuffer());
      expect(again.equals(bytes)).toBe(true);
    });

    it('answers watched progress for a user', async () => {
      trakt.addUser({ username: 'progress-viewer' });
      const token = trakt.issueTokens('progress-viewer').access_token;
      trakt.markWatched('progress-viewer', [{ type: 'episode', show: 1390, season: 1, episode: 1 }]);
      const res = await call<{ aired: number; completed: number; next_episode: { number: number } }>(trakt, '/shows/1390/progress/watched', { token });
      expect(res.json).toMatchObject({ aired: 73, completed: 1, next_episode: { season: 1, number: 2 } });
    });
  });
});
