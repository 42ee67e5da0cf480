/**
 * Every sample response under test/fixtures/trakt must parse with the schema of its endpoint, so the
 * client's schemas stay as tolerant as real Trakt answers require (REFERENCE §20). Where each file comes
 * from and its licence: test/fixtures/trakt/SOURCE.md.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  mapToLastActivities,
  mapToSearchHit,
  mapToShow,
  mapToTokenSet,
  mapToUserSettings,
  mapToWatchlistEntry,
} from '../../src/trakt/map.js';
import { parseWire } from '../../src/trakt/request.js';
import { TraktSchemaError } from '../../src/trakt/errors.js';
import {
  deviceCodeResponseSchema,
  episodeSchema,
  lastActivitiesSchema,
  movieSchema,
  oauthErrorSchema,
  revokeResponseSchema,
  searchResultsSchema,
  seasonEpisodesSchema,
  seasonsSchema,
  showProgressSchema,
  showSchema,
  tokenResponseSchema,
  userSettingsSchema,
  watchlistAddResponseSchema,
  watchlistItemsSchema,
  watchlistRemoveResponseSchema,
  watchlistReorderResponseSchema,
} from '../../src/trakt/schemas/index.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const fixturesDir = path.resolve(repoRoot, 'test/fixtures/trakt');

/** GET /calendars/my/shows is not a client endpoint, but its items are built from our show/episode shapes. */
const calendarShowsSchema = z.array(z.object({ first_aired: z.string(), episode: episodeSchema, show: showSchema }));

const TK = 'traktkit/Tests/TraktKitTests/Models';

/** Fixture file (relative to fixtures/) → the schema of the endpoint it came from. */
const SCHEMA_BY_FILE: Record<string, z.ZodType> = {
  'api.trakt.tv/calendars/my/shows.json': calendarShowsSchema,
  'api.trakt.tv/movies/12601.json': movieSchema,
  'api.trakt.tv/movies/tt1104001.json': movieSchema,
  'api.trakt.tv/search/episode/#query/Breaking Bad.json': searchResultsSchema,
  'api.trakt.tv/search/imdb/tt0848228/#extended/full.json': searchResultsSchema,
  'api.trakt.tv/search/imdb/tt0903747/#extended/full.json': searchResultsSchema,
  'api.trakt.tv/search/imdb/tt0959621/#extended/full.json': searchResultsSchema,
  'api.trakt.tv/search/movie/#query/The Avengers.json': searchResultsSchema,
  'api.trakt.tv/search/show/#query/Breaking Bad.json': searchResultsSchema,
  'api.trakt.tv/shows/1390.json': showSchema,
  'api.trakt.tv/shows/1390/last_episode.json': episodeSchema,
  // The collection variant has the watched shape with collected_at instead of last_watched_at.
  'api.trakt.tv/shows/1390/progress/collection.json': showProgressSchema,
  'api.trakt.tv/shows/1390/progress/watched.json': showProgressSchema,
  'api.trakt.tv/shows/1390/seasons.json': seasonsSchema,
  'api.trakt.tv/shows/1390/seasons/1.json': seasonEpisodesSchema,
  'api.trakt.tv/shows/1390/seasons/1/episodes/1.json': episodeSchema,
  'api.trakt.tv/sync/watchlist.json': watchlistItemsSchema,
  'api.trakt.tv/sync/watchlist/movies.json': watchlistItemsSchema,
  // Custom-list items share the watchlist item shape (S1 listedMediaResponseSchema).
  'api.trakt.tv/users/me/lists/shows/items.json': watchlistItemsSchema,
  'api.trakt.tv/users/me/watchlist.json': watchlistItemsSchema,

  'apiary-examples/oauth/device/code.200.json': deviceCodeResponseSchema,
  'apiary-examples/oauth/device/token.200.json': tokenResponseSchema,
  'apiary-examples/oauth/revoke.200.json': revokeResponseSchema,
  'apiary-examples/oauth/token.refresh.200.json': tokenResponseSchema,
  'apiary-examples/oauth/token.refresh.401.json': oauthErrorSchema,
  'apiary-examples/sync/watchlist/add.201.json': watchlistAddResponseSchema,
  'apiary-examples/sync/watchlist/episodes.rank.200.json': watchlistItemsSchema,
  'apiary-examples/sync/watchlist/remove.200.json': watchlistRemoveResponseSchema,
  'apiary-examples/sync/watchlist/reorder.200.json': watchlistReorderResponseSchema,
  'apiary-examples/users/settings.200.json': userSettingsSchema,

  [`${TK}/Authentication/AuthenticationInfo.json`]: tokenResponseSchema,
  [`${TK}/Episodes/Episode_Full.json`]: episodeSchema,
  [`${TK}/Episodes/Episode_Images.json`]: episodeSchema,
  [`${TK}/Movies/Movie_Full.json`]: movieSchema,
  [`${TK}/Movies/Movie_Min.json`]: movieSchema,
  [`${TK}/Search/test_id_lookup.json`]: searchResultsSchema,
  [`${TK}/Search/test_search_query.json`]: searchResultsSchema,
  [`${TK}/Seasons/test_get_all_seasons.json`]: seasonsSchema,
  [`${TK}/Seasons/test_get_season.json`]: seasonEpisodesSchema,
  [`${TK}/Shows/ShowCollectionProgress.json`]: showProgressSchema,
  [`${TK}/Shows/Show_Full.json`]: showSchema,
  [`${TK}/Shows/Show_Images.json`]: showSchema,
  [`${TK}/Shows/Show_Min.json`]: showSchema,
  [`${TK}/Shows/test_get_wathced_progress.json`]: showProgressSchema,
  [`${TK}/Sync/test_add_items_to_watchlist.json`]: watchlistAddResponseSchema,
  [`${TK}/Sync/test_get_last_activity.json`]: lastActivitiesSchema,
  [`${TK}/Sync/test_get_watchlist.json`]: watchlistItemsSchema,
  [`${TK}/Sync/test_remove_items_from_watchlist.json`]: watchlistRemoveResponseSchema,
  [`${TK}/Users/test_get_settings.json`]: userSettingsSchema,
  [`${TK}/Users/test_get_user_watchlist.json`]: watchlistItemsSchema,
};

/** Files deliberately not parsed, with the reason. */
const NOT_PARSED: Record<string, string> = {
  'apiary-examples/oauth/device/code.request.json': 'request body we send, not an answer',
  'apiary-examples/oauth/device/token.request.json': 'request body we send, not an answer',
  'apiary-examples/oauth/revoke.request.json': 'request body we send, not an answer',
  'apiary-examples/oauth/token.refresh.request.json': 'request body we send, not an answer',
  'apiary-examples/sync/watchlist/add.request.json': 'request body we send, not an answer',
  'api.trakt.tv/users/me/lists.json': 'custom lists: no client call reads them',
  'api.trakt.tv/users/me/lists/shows.json': 'custom list summary: no client call reads it',
};

function listJsonFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

function load(rel: string): unknown {
  return JSON.parse(readFileSync(path.join(fixturesDir, rel), 'utf8')) as unknown;
}

const files = listJsonFiles(fixturesDir);

describe('Trakt fixtures', () => {
  it('GIVEN the fixture folder THEN every JSON file is either mapped to a schema or listed with a reason', () => {
    expect(files.length).toBeGreaterThan(50);
    const unaccounted = files.filter((f) => !(f in SCHEMA_BY_FILE) && !(f in NOT_PARSED));
    expect(unaccounted).toEqual([]);
    const stale = [...Object.keys(SCHEMA_BY_FILE), ...Object.keys(NOT_PARSED)].filter((f) => !files.includes(f));
    expect(stale).toEqual([]);
  });

  it.each(Object.entries(SCHEMA_BY_FILE))('parses %s', (rel, schema) => {
    const result = schema.safeParse(load(rel));
    expect(result.error?.issues ?? []).toEqual([]);
  });
});

describe('mapping fixtures to domain types', () => {
  it('keeps float scores and null scores of ID lookups', () => {
    const text = searchResultsSchema.parse(load('api.trakt.tv/search/show/#query/Breaking Bad.json'));
    const hit = mapToSearchHit(text[0]!);
    expect(hit?.score).toBeCloseTo(6935.3633, 3);
    const lookup = searchResultsSchema.parse(load(`${TK}/Search/test_id_lookup.json`));
    expect(mapToSearchHit(lookup[0]!)).toMatchObject({ score: null, title: { type: 'movie', ids: { trakt: 12601 } } });
  });

  it('maps an episode hit with its show', () => {
    const wire = searchResultsSchema.parse(load('api.trakt.tv/search/imdb/tt0959621/#extended/full.json'));
    const hit = mapToSearchHit(wire[0]!);
    expect(hit?.title).toMatchObject({ type: 'episode', episode: { season: 1, number: 1, title: 'Pilot' }, show: { type: 'show' } });
  });

  it('prepends https:// to scheme-less image URLs and drops null ids', () => {
    const show = mapToShow(showSchema.parse(load(`${TK}/Shows/Show_Images.json`)));
    expect(show.posterUrl).toBe('https://walter-r2.trakt.tv/images/shows/000/154/997/posters/thumb/f60ddb06de.jpg.webp');
    expect(show.ids).toEqual({ trakt: 154997, slug: 'severance', tvdb: 371980, imdb: 'tt11280740', tmdb: 95396 });
    expect(mapToShow(showSchema.parse(load(`${TK}/Shows/Show_Min.json`))).posterUrl).toBeNull();
  });

  it('maps old-shape watchlist items (no rank, id or notes; season without a trakt id)', () => {
    const items = watchlistItemsSchema.parse(load('api.trakt.tv/sync/watchlist.json')).map(mapToWatchlistEntry);
    expect(items.map((e) => e?.type)).toEqual(['movie', 'show', 'season', 'episode']);
    expect(items[0]).toMatchObject({ rank: null, listedAt: new Date('2014-09-01T09:10:11.000Z') });
    expect(items[0]).not.toHaveProperty('listItemId');
    expect(items[2]).toMatchObject({ season: 3, seasonIds: { tvdb: 171641, tmdb: 3575 }, title: { title: 'Breaking Bad' } });
    expect(items[3]).toMatchObject({ episode: { season: 4, number: 1, ids: { trakt: 49 } } });
  });

  it('skips a person on a list instead of failing', () => {
    const items = watchlistItemsSchema.parse(load(`${TK}/Users/test_get_user_watchlist.json`)).map(mapToWatchlistEntry);
    expect(items.filter((e) => e === null)).toHaveLength(1);
    expect(items[0]).toMatchObject({ rank: 1, listItemId: 101, notes: expect.any(String) as string });
  });

  it('reads limits and VIP from settings', () => {
    const s = mapToUserSettings(userSettingsSchema.parse(load(`${TK}/Users/test_get_settings.json`)));
    expect(s).toMatchObject({ username: 'justin', slug: 'justin', vip: true, limits: { watchlist: 100, lists: 2, listItems: 100 } });
  });

  it('reads the watchlist timestamp of last_activities', () => {
    const a = mapToLastActivities(lastActivitiesSchema.parse(load(`${TK}/Sync/test_get_last_activity.json`)));
    expect(a.watchlistUpdatedAt).toEqual(new Date('2014-11-20T06:52:18.000Z'));
  });

  it('computes expiry as created_at + expires_in, never a constant', () => {
    const tokens = mapToTokenSet(tokenResponseSchema.parse(load('apiary-examples/oauth/token.refresh.200.json')), new Date());
    expect(tokens.createdAt).toEqual(new Date(1487889741 * 1000));
    expect(tokens.expiresAt).toEqual(new Date((1487889741 + 7200) * 1000));
  });

  it('names the failing field of a drifted answer, e.g. items[3].movie.ids.trakt', () => {
    const items = load(`${TK}/Users/test_get_user_watchlist.json`) as Array<Record<string, unknown>>;
    const drifted = structuredClone(items);
    drifted[3] = { ...drifted[0], movie: { title: 'X', year: 2000, ids: { trakt: 'not-a-number' } } };
    try {
      parseWire(watchlistItemsSchema, drifted, { method: 'GET', path: '/sync/watchlist' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TraktSchemaError);
      expect((error as TraktSchemaError).fieldPath).toBe('items[3].movie.ids.trakt');
    }
  });
});
