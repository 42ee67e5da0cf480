// The emulator's controls over HTTP (/_emulator/*, JSON bodies), so a benchmark or a dev run in another
// process can drive it. Each route calls the same method as the in-process API. These routes are not logged,
// faulted, rate limited or checked for Trakt headers.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { plainMovie, plainShow } from './catalog.js';
import type { EmulatorContext, RouteMeta } from './context.js';
import { positiveInt, query } from './context.js';
import type { TraktEmulator } from './types.js';
import { UnknownUserError } from './user-store.js';

const CONTROL: RouteMeta = { kind: 'control', auth: 'optional' };

const username = z.string().min(1);
const userPatch = z.object({
  vip: z.boolean().optional(),
  watchlistLimit: z.number().int().nonnegative().optional(),
  locked: z.boolean().optional(),
  private: z.boolean().optional(),
});
const catalogRef = z.union([
  z.object({ type: z.enum(['movie', 'show']), trakt: z.number().int() }),
  z.object({ type: z.literal('season'), show: z.number().int(), season: z.number().int() }),
  z.object({ type: z.literal('episode'), show: z.number().int(), season: z.number().int(), episode: z.number().int() }),
]);
const fault = z.object({
  statuses: z.array(z.number().int().min(100).max(599)).optional(),
  share: z.number().min(0).max(1).optional(),
  count: z.number().int().optional(),
  latencyMs: z.number().nonnegative().optional(),
  hang: z.boolean().optional(),
  retryAfter: z.number().int().nonnegative().optional(),
});

const schemas = {
  user: userPatch.extend({ username }),
  tokens: z.object({ username, expiresIn: z.number().int().positive().optional() }),
  byUser: z.object({ username }),
  refreshFailure: z.object({ username, mode: z.enum(['invalid_grant_400', 'invalid_grant_401', 'empty_400']).nullable() }),
  decision: z.object({ username, approve: z.boolean() }),
  approve: z.object({ user_code: z.string().min(1), username }),
  userCode: z.object({ user_code: z.string().min(1) }),
  refs: z.object({ refs: z.array(catalogRef) }),
  fault: z.object({ route: z.string().min(1), fault: fault.nullable() }),
  movieDates: z.object({
    trakt: z.number().int(),
    released: z.string().optional(),
    digital: z.string().nullable().optional(),
    physical: z.string().nullable().optional(),
  }),
  episodeAired: z.object({ show: z.number().int(), season: z.number().int(), episode: z.number().int(), firstAired: z.string() }),
};

type Handler = (request: FastifyRequest, reply: FastifyReply) => unknown;

export function registerControlRoutes(app: FastifyInstance, ctx: EmulatorContext, emulator: TraktEmulator): void {
  const route = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, handler: Handler): void => {
    ctx.route(app, method, url, CONTROL, async (request, reply) => {
      try {
        const result = await handler(request, reply);
        return result === undefined && !reply.sent ? reply.code(204).send() : result;
      } catch (error) {
        if (error instanceof z.ZodError) return reply.code(400).send({ error: 'invalid_body', issues: error.issues });
        const status = error instanceof UnknownUserError ? 404 : 400;
        return reply.code(status).send({ error: error instanceof Error ? error.message : String(error) });
      }
    });
  };
  const name = (request: FastifyRequest): string => (request.params as Record<string, string>).username ?? '';

  route('GET', '/_emulator', () => ({
    url: emulator.url,
    authUrl: emulator.authUrl,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
  }));

  route('GET', '/_emulator/users', () => ctx.users.all().map((u) => ({ ...ctx.users.publicUser(u), locked: u.locked })));
  route('POST', '/_emulator/users', (request, reply) => reply.code(201).send(emulator.addUser(schemas.user.parse(request.body))));
  route('PATCH', '/_emulator/users/:username', (request) => {
    emulator.setUser(name(request), userPatch.parse(request.body));
    return ctx.users.publicUser(ctx.users.get(name(request)));
  });

  route('POST', '/_emulator/tokens', (request) => {
    const body = schemas.tokens.parse(request.body);
    return emulator.issueTokens(body.username, { expiresIn: body.expiresIn });
  });
  route('POST', '/_emulator/tokens/revoke', (request) => emulator.revokeAllTokens(schemas.byUser.parse(request.body).username));
  route('POST', '/_emulator/tokens/expire', (request) => emulator.expireAccessTokens(schemas.byUser.parse(request.body).username));
  route('POST', '/_emulator/refresh-failure', (request) => {
    const body = schemas.refreshFailure.parse(request.body);
    emulator.setRefreshFailure(body.username, body.mode);
  });

  route('POST', '/_emulator/authorize-decision', (request) => emulator.setAuthorizeDecision(schemas.decision.parse(request.body)));
  route('POST', '/_emulator/device/approve', (request) => {
    const body = schemas.approve.parse(request.body);
    emulator.approveDevice(body.user_code, body.username);
  });
  route('POST', '/_emulator/device/deny', (request) => emulator.denyDevice(schemas.userCode.parse(request.body).user_code));
  route('POST', '/_emulator/device/expire', (request) => emulator.expireDevice(schemas.userCode.parse(request.body).user_code));

  route('GET', '/_emulator/watchlist/:username', (request) => emulator.watchlist(name(request)));
  route('POST', '/_emulator/watchlist/:username', (request) => emulator.seedWatchlist(name(request), schemas.refs.parse(request.body).refs));
  route('POST', '/_emulator/watched/:username', (request) => emulator.markWatched(name(request), schemas.refs.parse(request.body).refs));

  route('GET', '/_emulator/catalog/movies', (request) => page(request, emulator.catalog.movies().map(plainMovie)));
  route('GET', '/_emulator/catalog/shows', (request) => page(request, emulator.catalog.shows().map(plainShow)));
  route('GET', '/_emulator/catalog/find', (request, reply) => {
    const found = emulator.catalog.findByTitle(query(request).title ?? '');
    if (!found) return reply.code(404).send({ error: 'not found' });
    return found.type === 'movie' ? plainMovie(found) : plainShow(found);
  });
  route('GET', '/_emulator/catalog/episode', (request, reply) => {
    const q = query(request);
    const episode = emulator.catalog.episode(Number(q.show), Number(q.season), Number(q.episode));
    return episode ?? reply.code(404).send({ error: 'not found' });
  });

  route('POST', '/_emulator/dates/movie', (request) => {
    const { trakt, ...dates } = schemas.movieDates.parse(request.body);
    emulator.setMovieDates(trakt, dates);
  });
  route('POST', '/_emulator/dates/episode', (request) => {
    const body = schemas.episodeAired.parse(request.body);
    emulator.setEpisodeAired(body.show, body.season, body.episode, body.firstAired);
  });
  route('DELETE', '/_emulator/dates', () => emulator.clearDates());

  route('POST', '/_emulator/faults', (request) => {
    const body = schemas.fault.parse(request.body);
    emulator.setFault(body.route, body.fault);
  });
  route('DELETE', '/_emulator/faults', () => emulator.clearFaults());

  route('GET', '/_emulator/requests', (request) => {
    const q = query(request);
    const since = Number(q.since ?? 0) || 0;
    return emulator.requests
      .slice(since)
      .filter((r) => (q.route === undefined || r.route === q.route) && (q.user === undefined || r.user === q.user));
  });
  route('DELETE', '/_emulator/requests', () => emulator.clearRequests());
}

function page<T>(request: FastifyRequest, items: T[]): { total: number; items: T[] } {
  const q = query(request);
  const offset = Number(q.offset ?? 0) || 0;
  const limit = positiveInt(q.limit) ?? 100;
  return { total: items.length, items: items.slice(offset, offset + limit) };
}
