// Trakt API v2 routes (api.trakt.tv): search, summaries, seasons, progress, watchlists, last activities,
// settings. Shapes follow the fixtures in test/fixtures/trakt; behaviour follows REFERENCE.md.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EpisodeRecord, ListRecord, MovieRecord, PersonRecord, ShowRecord } from './catalog-types.js';
import { iso } from './catalog.js';
import type { EmulatorContext, RouteMeta } from './context.js';
import { jsonError, notFound, paginate, params, positiveInt, query, sendJson } from './context.js';
import { UPGRADE_URL } from './gate.js';
import { renderImage } from './images.js';
import type { Extended } from './media-json.js';
import { jsonArray, parseExtended } from './media-json.js';
import { titleKey } from './search-index.js';
import { isObject, resolveSyncBody } from './sync-body.js';
import type { UserState } from './user-store.js';
import { WATCHLIST_TYPES, chooseSort, viewWatchlist, watchlistItemJson } from './watchlist-view.js';

const OPTIONAL: RouteMeta = { kind: 'api', auth: 'optional' };
const REQUIRED: RouteMeta = { kind: 'api', auth: 'required' };
const IMAGE: RouteMeta = { kind: 'image', auth: 'optional' };

const SEARCH_TYPES = new Set(['movie', 'show', 'episode', 'person', 'list']);
const ID_TYPES = new Set(['trakt', 'imdb', 'tmdb', 'tvdb']);
const SEARCH_CACHE_SIZE = 500;
const SEARCH_CACHE_HITS = 200_000;

type SearchRecord =
  | { type: 'movie'; record: MovieRecord }
  | { type: 'show'; record: ShowRecord }
  | { type: 'episode'; record: EpisodeRecord }
  | { type: 'person'; record: PersonRecord }
  | { type: 'list'; record: ListRecord };

interface ScoredResult {
  score: number | null;
  result: SearchRecord;
}

export function registerApiRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const { catalog, json, users } = ctx;
  // Benchmarks repeat queries; a small LRU of ranked results keeps search from scanning postings every time.
  const searchCache = new Map<string, ScoredResult[]>();
  let cachedHits = 0;

  // ---- search (REFERENCE §7) ----

  ctx.route(app, 'GET', '/search/:type', OPTIONAL, async (request, reply) => {
    const types = [...new Set(params(request).type?.split(',') ?? [])].sort();
    if (types.length === 0 || !types.every((t) => SEARCH_TYPES.has(t))) return notFound(reply);
    const q = query(request);
    const text = String(q.query ?? '');
    const cacheKey = `${types.join(',')}|${q.years ?? ''}|${text}`;
    let results = searchCache.get(cacheKey);
    if (results) {
      searchCache.delete(cacheKey);
    } else {
      const years = parseYears(q.years);
      results = [];
      for (const type of types) {
        for (const hit of searchType(ctx, type, text)) {
          if (years && !inYears(hit.result, years)) continue;
          results.push(hit);
        }
      }
      results.sort((a, b) => (b.score ?? 0) - (a.score ?? 0) || votesOf(b.result) - votesOf(a.result) || traktOf(a.result) - traktOf(b.result));
      cachedHits += results.length;
      while (searchCache.size >= SEARCH_CACHE_SIZE || cachedHits > SEARCH_CACHE_HITS) {
        const oldest = searchCache.keys().next();
        if (oldest.done) break;
        cachedHits -= searchCache.get(oldest.value)?.length ?? 0;
        searchCache.delete(oldest.value);
      }
    }
    searchCache.set(cacheKey, results);
    // REFERENCE §5: search returns 50 per page when no limit is sent (#925)
    const page = paginate(reply, results, q, 50);
    const ext = parseExtended(q.extended);
    return sendJson(reply, jsonArray(page.map((r) => searchResultJson(ctx, r, ext))));
  });

  ctx.route(app, 'GET', '/search/:idType/:id', OPTIONAL, async (request, reply) => {
    const { idType = '', id = '' } = params(request);
    const q = query(request);
    const ext = parseExtended(q.extended);
    if ((idType === 'movie' || idType === 'show') && id === 'exact') {
      // S1 search.exact: only titles equal to the query
      const text = String(q.query ?? '');
      const key = titleKey(text);
      const exact = searchType(ctx, idType, text).filter((r) => titleKey(titleOf(r.result)) === key);
      exact.sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
      return sendJson(reply, jsonArray(paginate(reply, exact, q, 50).map((r) => searchResultJson(ctx, r, ext))));
    }
    if (!ID_TYPES.has(idType)) return notFound(reply);
    const wanted = q.type ? new Set(q.type.split(',')) : undefined;
    const results: ScoredResult[] = [];
    const add = (result: SearchRecord | undefined): void => {
      if (result && (!wanted || wanted.has(result.type))) results.push({ score: null, result });
    };
    const kind = idType as 'trakt' | 'imdb' | 'tmdb' | 'tvdb';
    const movie = kind === 'tvdb' ? undefined : catalog.movieById(kind, id);
    add(movie && { type: 'movie', record: movie });
    const show = catalog.showById(kind, id);
    add(show && { type: 'show', record: show });
    const episode = catalog.episodeById(kind, id);
    add(episode && { type: 'episode', record: episode });
    const person = kind === 'tvdb' ? undefined : catalog.personById(kind, id);
    add(person && { type: 'person', record: person });
    const list = kind === 'trakt' ? catalog.listById('trakt', id) : undefined;
    add(list && { type: 'list', record: list });
    return sendJson(reply, jsonArray(paginate(reply, results, q, 50).map((r) => searchResultJson(ctx, r, ext))));
  });

  // ---- summaries (REFERENCE §12) ----

  ctx.route(app, 'GET', '/movies/:id', OPTIONAL, async (request, reply) => {
    const movie = catalog.movie(params(request).id ?? '');
    return movie ? sendJson(reply, json.movie(movie, parseExtended(query(request).extended))) : notFound(reply);
  });

  ctx.route(app, 'GET', '/shows/:id', OPTIONAL, async (request, reply) => {
    const show = catalog.show(params(request).id ?? '');
    return show ? sendJson(reply, json.show(show, parseExtended(query(request).extended))) : notFound(reply);
  });

  ctx.route(app, 'GET', '/shows/:id/seasons', OPTIONAL, async (request, reply) => {
    const show = catalog.show(params(request).id ?? '');
    if (!show) return notFound(reply);
    const ext = parseExtended(query(request).extended);
    return sendJson(reply, jsonArray(show.seasons.map((season) => json.season(season, ext))));
  });

  ctx.route(app, 'GET', '/shows/:id/seasons/:season', OPTIONAL, async (request, reply) => {
    const found = findSeason(ctx, request);
    if (!found) return notFound(reply);
    const ext = parseExtended(query(request).extended);
    return sendJson(reply, jsonArray(catalog.episodes(found.season).map((episode) => json.episode(episode, ext))));
  });

  ctx.route(app, 'GET', '/shows/:id/seasons/:season/info', OPTIONAL, async (request, reply) => {
    const found = findSeason(ctx, request);
    if (!found) return notFound(reply);
    return sendJson(reply, json.season(found.season, { ...parseExtended(query(request).extended), episodes: false }));
  });

  ctx.route(app, 'GET', '/shows/:id/seasons/:season/episodes/:episode', OPTIONAL, async (request, reply) => {
    const found = findSeason(ctx, request);
    const episode = found && catalog.episode(found.season, Number(params(request).episode));
    return episode ? sendJson(reply, json.episode(episode, parseExtended(query(request).extended))) : notFound(reply);
  });

  ctx.route(app, 'GET', '/shows/:id/last_episode', OPTIONAL, async (request, reply) => {
    const show = catalog.show(params(request).id ?? '');
    if (!show) return notFound(reply);
    const aired = regularEpisodes(ctx, show).filter((e) => catalog.isAired(e));
    const last = aired[aired.length - 1];
    // S3: 204 when there is no such episode
    return last ? sendJson(reply, json.episode(last, parseExtended(query(request).extended))) : reply.code(204).send();
  });

  ctx.route(app, 'GET', '/shows/:id/next_episode', OPTIONAL, async (request, reply) => {
    const show = catalog.show(params(request).id ?? '');
    if (!show) return notFound(reply);
    const next = regularEpisodes(ctx, show).find((e) => !catalog.isAired(e));
    return next ? sendJson(reply, json.episode(next, parseExtended(query(request).extended))) : reply.code(204).send();
  });

  ctx.route(app, 'GET', '/shows/:id/progress/watched', REQUIRED, async (request, reply) => {
    const show = catalog.show(params(request).id ?? '');
    if (!show) return notFound(reply);
    return watchedProgress(ctx, ctx.userOf(request), show, query(request));
  });

  // ---- watchlist (REFERENCE §8, §9) ----

  const syncWatchlist = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> =>
    watchlistResponse(ctx, ctx.userOf(request), request, reply);
  ctx.route(app, 'GET', '/sync/watchlist', REQUIRED, syncWatchlist);
  ctx.route(app, 'GET', '/sync/watchlist/:type', REQUIRED, syncWatchlist);
  ctx.route(app, 'GET', '/sync/watchlist/:type/:sort_by', REQUIRED, syncWatchlist);
  ctx.route(app, 'GET', '/sync/watchlist/:type/:sort_by/:sort_how', REQUIRED, syncWatchlist);

  const userWatchlist = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const user = profileUser(ctx, request);
    if (user === 'unauthorized') return jsonError(reply, 401, 'invalid_token', 'OAuth must be provided');
    if (user === 'private') return privateUser(reply);
    return user ? watchlistResponse(ctx, user, request, reply) : notFound(reply);
  };
  ctx.route(app, 'GET', '/users/:id/watchlist', OPTIONAL, userWatchlist);
  ctx.route(app, 'GET', '/users/:id/watchlist/:type', OPTIONAL, userWatchlist);
  ctx.route(app, 'GET', '/users/:id/watchlist/:type/:sort_by', OPTIONAL, userWatchlist);
  ctx.route(app, 'GET', '/users/:id/watchlist/:type/:sort_by/:sort_how', OPTIONAL, userWatchlist);

  ctx.route(app, 'POST', '/sync/watchlist', REQUIRED, async (request, reply) => {
    const user = ctx.userOf(request);
    const resolved = resolveSyncBody(catalog, request.body);
    const result = users.addToWatchlist(user, resolved.items, { enforceLimit: true });
    if (result === 'limit') {
      // REFERENCE §9/§13: 420 Account Limit Exceeded; nothing is added
      return reply
        .code(420)
        .header('X-Account-Limit', String(users.limitOf(user)))
        .header('X-VIP-User', String(user.vip))
        .header('X-Upgrade-URL', UPGRADE_URL)
        .send();
    }
    return reply.code(201).send({ ...result, not_found: resolved.notFound, list: listInfo(user) });
  });

  ctx.route(app, 'POST', '/sync/watchlist/remove', REQUIRED, async (request) => {
    const user = ctx.userOf(request);
    const resolved = resolveSyncBody(catalog, request.body);
    const deleted = users.removeFromWatchlist(user, resolved.items.map((i) => i.target));
    return { deleted, not_found: resolved.notFound, list: listInfo(user) };
  });

  ctx.route(app, 'POST', '/sync/watchlist/reorder', REQUIRED, async (request) => {
    const user = ctx.userOf(request);
    const rank = isObject(request.body) && Array.isArray(request.body.rank) ? (request.body.rank as unknown[]) : [];
    return { ...users.reorder(user, rank), list: listInfo(user) };
  });

  ctx.route(app, 'PUT', '/sync/watchlist/:list_item_id', REQUIRED, async (request, reply) => {
    const user = ctx.userOf(request);
    const body = isObject(request.body) ? request.body : {};
    const notes = body.notes === null ? null : typeof body.notes === 'string' ? body.notes : undefined;
    if (notes === undefined) return jsonError(reply, 422, 'validation_failed', 'notes must be a string or null');
    // S1/S4: notes are limited to 500 characters
    if (notes !== null && notes.length > 500) return jsonError(reply, 422, 'validation_failed', 'notes are limited to 500 characters');
    const id = positiveInt(params(request).list_item_id);
    if (id === undefined || !users.setNotes(user, id, notes)) return notFound(reply);
    return reply.code(204).send();
  });

  ctx.route(app, 'GET', '/sync/last_activities', REQUIRED, async (request) => ctx.userOf(request).activities);

  /** Marking watched removes the items from the watchlist (REFERENCE §8) */
  ctx.route(app, 'POST', '/sync/history', REQUIRED, async (request, reply) => {
    const user = ctx.userOf(request);
    const resolved = resolveSyncBody(catalog, request.body);
    const added = users.markWatched(user, resolved.items.map((i) => i.target));
    return reply.code(201).send({ added, not_found: { ...resolved.notFound, people: [] } });
  });

  // ---- users (REFERENCE §11) ----

  ctx.route(app, 'GET', '/users/settings', REQUIRED, async (request) => settingsJson(ctx, ctx.userOf(request)));

  ctx.route(app, 'GET', '/users/:id', OPTIONAL, async (request, reply) => {
    const user = profileUser(ctx, request);
    if (user === 'unauthorized') return jsonError(reply, 401, 'invalid_token', 'OAuth must be provided');
    if (user === 'private') return privateUser(reply);
    if (!user) return notFound(reply);
    const profile = userJson(user);
    if (query(request).extended?.includes('full')) {
      Object.assign(profile, { joined_at: iso(user.joinedAt), location: null, about: null, gender: null, age: null, images: avatar(user), vip_og: false, vip_years: user.vip ? 1 : 0 });
    }
    return profile;
  });

  // ---- images (REFERENCE §6): the CDN, not the API ----

  ctx.route(app, 'GET', '/images/:kind/:file', IMAGE, async (request, reply) => {
    const { kind = '', file = '' } = params(request);
    const body = renderImage(kind, file);
    if (!body) return notFound(reply);
    return reply
      .header('content-type', 'image/webp')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('etag', `"${kind}-${file}"`)
      .send(body);
  });
}

// ---- helpers ----

function searchType(ctx: EmulatorContext, type: string, text: string): ScoredResult[] {
  const { catalog } = ctx;
  const out: ScoredResult[] = [];
  switch (type) {
    case 'movie':
      for (const hit of catalog.movieIndex.search(text)) {
        const record = catalog.movies[hit.doc];
        if (record) out.push({ score: hit.score, result: { type: 'movie', record } });
      }
      break;
    case 'show':
      for (const hit of catalog.showIndex.search(text)) {
        const record = catalog.shows[hit.doc];
        if (record) out.push({ score: hit.score, result: { type: 'show', record } });
      }
      break;
    case 'episode': {
      // S1/S4: episodes are searched on `title` and `show_title`
      const { index, docs } = catalog.episodeIndex();
      const scores = new Map<number, { record: EpisodeRecord; score: number }>();
      for (const hit of index.search(text)) {
        const doc = docs[hit.doc];
        const record = doc && catalog.episode(doc.season, doc.number);
        if (record) scores.set(record.ids.trakt, { record, score: hit.score });
      }
      // episodes of the best matching shows, ranked below episodes whose own title matches
      const showHits = catalog.showIndex.search(text).sort((a, b) => b.score - a.score);
      const best = showHits[0]?.score ?? 0;
      for (const hit of showHits.slice(0, 3)) {
        const show = catalog.shows[hit.doc];
        if (!show || hit.score < best / 2) continue;
        const bonus = Number((hit.score / 1000).toPrecision(8));
        for (const season of show.seasons) {
          for (const record of catalog.episodes(season)) {
            const entry = scores.get(record.ids.trakt);
            scores.set(record.ids.trakt, { record, score: Number(((entry?.score ?? 0) + bonus).toPrecision(8)) });
          }
        }
      }
      for (const { record, score } of scores.values()) out.push({ score, result: { type: 'episode', record } });
      break;
    }
    case 'person':
      for (const hit of catalog.personIndex.search(text)) {
        const record = catalog.people[hit.doc];
        if (record) out.push({ score: hit.score, result: { type: 'person', record } });
      }
      break;
    case 'list':
      for (const hit of catalog.listIndex.search(text)) {
        const record = catalog.lists[hit.doc];
        if (record) out.push({ score: hit.score, result: { type: 'list', record } });
      }
      break;
  }
  return out;
}

/** `{type, score, movie|show|episode+show|person|list}` (S1 searchResultResponseSchema) as JSON text */
function searchResultJson(ctx: EmulatorContext, { score, result }: ScoredResult, ext: Extended): string {
  const { json } = ctx;
  const head = `{"type":"${result.type}","score":${JSON.stringify(score)}`;
  switch (result.type) {
    case 'movie':
      return `${head},"movie":${json.movie(result.record, ext)}}`;
    case 'show':
      return `${head},"show":${json.show(result.record, ext)}}`;
    case 'episode':
      return `${head},"episode":${json.episode(result.record, ext)},"show":${json.show(result.record.show, ext)}}`;
    case 'person':
      return `${head},"person":${json.person(result.record)}}`;
    case 'list':
      return `${head},"list":${json.list(result.record)}}`;
  }
}

/** `years=2012` or `years=2010-2015` (REFERENCE §7 filters) */
function parseYears(value: string | undefined): { from: number; to: number } | undefined {
  const match = value === undefined ? null : /^\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*$/.exec(value);
  if (!match?.[1]) return undefined;
  const from = Number(match[1]);
  const to = match[2] ? Number(match[2]) : from;
  return { from: Math.min(from, to), to: Math.max(from, to) };
}

function inYears(result: SearchRecord, years: { from: number; to: number }): boolean {
  let year: number | undefined;
  if (result.type === 'movie' || result.type === 'show') year = result.record.year;
  else if (result.type === 'episode') year = new Date(result.record.firstAiredMs).getUTCFullYear();
  return year === undefined || (year >= years.from && year <= years.to);
}

function votesOf(result: SearchRecord): number {
  return result.type === 'movie' || result.type === 'show' || result.type === 'episode' ? result.record.votes : 0;
}

function traktOf(result: SearchRecord): number {
  return result.record.ids.trakt;
}

function titleOf(result: SearchRecord): string {
  return result.type === 'person' || result.type === 'list' ? result.record.name : result.record.title;
}

function findSeason(ctx: EmulatorContext, request: FastifyRequest): { show: ShowRecord; season: NonNullable<ReturnType<EmulatorContext['catalog']['season']>> } | undefined {
  const p = params(request);
  const show = ctx.catalog.show(p.id ?? '');
  const season = show && /^\d+$/.test(p.season ?? '') ? ctx.catalog.season(show, Number(p.season)) : undefined;
  return show && season ? { show, season } : undefined;
}

function regularEpisodes(ctx: EmulatorContext, show: ShowRecord): EpisodeRecord[] {
  return show.seasons.filter((s) => s.number !== 0).flatMap((s) => ctx.catalog.episodes(s));
}

/**
 * `/users/:id/...`: `me` is the token's user; other users are looked up by slug. A private profile is
 * readable by its own user only; anyone else (no token, or another user's token) gets `'private'`.
 */
function profileUser(ctx: EmulatorContext, request: FastifyRequest): UserState | undefined | 'unauthorized' | 'private' {
  const id = params(request).id ?? '';
  const self = ctx.stateOf(request).user;
  if (id === 'me') return self ?? 'unauthorized';
  const user = ctx.users.find(id);
  if (user?.private && user !== self) return 'private';
  return user;
}

/** REFERENCE §13: reading a private user's data answers 401 with `X-Private-User: true` */
function privateUser(reply: FastifyReply): FastifyReply {
  return jsonError(reply.header('X-Private-User', 'true'), 401, 'private_user', 'This user is private');
}

async function watchlistResponse(ctx: EmulatorContext, user: UserState, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const p = params(request);
  // No `:type`: every type. A `:type` Trakt does not document (`all` included) is a 404.
  if (p.type !== undefined && !Object.hasOwn(WATCHLIST_TYPES, p.type)) return notFound(reply);
  const type = p.type === undefined ? undefined : WATCHLIST_TYPES[p.type as keyof typeof WATCHLIST_TYPES];
  const sort = chooseSort(user, p.sort_by, p.sort_how);
  reply.header('X-Sort-By', user.sortBy);
  reply.header('X-Sort-How', user.sortHow);
  reply.header('X-Applied-Sort-By', sort.sortBy);
  reply.header('X-Applied-Sort-How', sort.sortHow);
  const q = query(request);
  // REFERENCE §5: since 2026-04-15 a watchlist without page/limit returns 100 items, not all of them
  const page = paginate(reply, viewWatchlist(user, type, sort), q, 100);
  const ext = parseExtended(q.extended);
  return sendJson(reply, jsonArray(page.map(({ rank, item }) => watchlistItemJson(ctx.json, rank, item, ext))));
}

function listInfo(user: UserState): { updated_at: string; item_count: number } {
  return { updated_at: iso(user.watchlistUpdatedAt), item_count: user.watchlist.length };
}

function watchedProgress(ctx: EmulatorContext, user: UserState, show: ShowRecord, q: Record<string, string | undefined>): Record<string, unknown> {
  const { catalog } = ctx;
  const specials = q.specials === 'true';
  const countSpecials = q.count_specials !== 'false';
  let aired = 0;
  let completed = 0;
  let lastWatchedAt = 0;
  let lastEpisode: EpisodeRecord | undefined;
  let nextEpisode: EpisodeRecord | undefined;
  const seasons: unknown[] = [];
  for (const season of show.seasons) {
    if (season.number === 0 && !specials) continue;
    // REFERENCE §12: "Only aired episodes are used to calculate progress."
    const episodes = catalog.episodes(season).filter((e) => catalog.isAired(e));
    let seasonCompleted = 0;
    const episodeJson = episodes.map((episode) => {
      const watchedAt = user.watchedEpisodes.get(episode.ids.trakt);
      if (watchedAt !== undefined) {
        seasonCompleted++;
        if (watchedAt >= lastWatchedAt) {
          lastWatchedAt = watchedAt;
          lastEpisode = episode;
        }
      } else if (!nextEpisode && season.number !== 0) {
        nextEpisode = episode;
      }
      return { number: episode.number, completed: watchedAt !== undefined, last_watched_at: watchedAt === undefined ? null : iso(watchedAt) };
    });
    if (season.number !== 0 || countSpecials) {
      aired += episodes.length;
      completed += seasonCompleted;
    }
    seasons.push({ number: season.number, title: season.number === 0 ? 'Specials' : `Season ${season.number}`, aired: episodes.length, completed: seasonCompleted, episodes: episodeJson });
  }
  const minimal = (e: EpisodeRecord): Record<string, unknown> => ({ season: e.season, number: e.number, title: e.title, ids: e.ids });
  return {
    aired,
    completed,
    last_watched_at: lastWatchedAt === 0 ? null : iso(lastWatchedAt),
    reset_at: null,
    seasons,
    hidden_seasons: [],
    next_episode: nextEpisode ? minimal(nextEpisode) : null,
    last_episode: lastEpisode ? minimal(lastEpisode) : null,
  };
}

function userJson(user: UserState): Record<string, unknown> {
  return {
    username: user.username,
    private: user.private,
    deleted: false,
    name: user.name,
    vip: user.vip,
    vip_ep: false,
    director: false,
    ids: { slug: user.slug, trakt: user.traktId, uuid: user.uuid },
  };
}

function avatar(user: UserState): Record<string, unknown> {
  return { avatar: { full: `https://secure.gravatar.com/avatar/${user.uuid.slice(0, 32)}?d=mp&r=pg&s=256` } };
}

/** Fixture Users/test_get_settings.json; limits per REFERENCE §14 (2026 numbers) */
function settingsJson(ctx: EmulatorContext, user: UserState): Record<string, unknown> {
  const vip = user.vip;
  return {
    user: {
      ...userJson(user),
      joined_at: iso(user.joinedAt),
      location: null,
      about: null,
      gender: null,
      age: null,
      images: avatar(user),
      vip_og: false,
      vip_years: vip ? 1 : 0,
    },
    account: { timezone: 'UTC', date_format: 'mdy', time_24hr: false, cover_image: null, display_ads: !vip },
    connections: { facebook: false, twitter: false, mastodon: false, google: false, tumblr: false, medium: false, slack: false, apple: false, dropbox: false, microsoft: false },
    sharing_text: { watching: "I'm watching [item]", watched: 'I just watched [item]', rated: '[item] [stars]' },
    permissions: { commenting: true, liking: true, following: true },
    limits: {
      list: { count: vip ? 100 : 5, item_count: vip ? 5000 : 250 },
      watchlist: { item_count: ctx.users.limitOf(user) },
      favorites: { item_count: vip ? 100 : 50 },
      search: { recent_count: vip ? 25 : 5 },
      collection: { item_count: vip ? 10000 : 100 },
      notes: { item_count: vip ? 2000 : 100 },
    },
  };
}
