// What every request passes before its handler, in Trakt's order: the request log, injected faults (they
// stand for the edge: Cloudflare, load balancers), Cloudflare's WAF, the API key and version, the bearer
// token, account locks, and the rate limiter.

import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorContext, RequestState, RouteMeta } from './context.js';
import { html, jsonError } from './context.js';
import type { FaultAction } from './faults.js';
import type { LimitName } from './rate-limiter.js';
import type { RequestLogEntry, RateLimitClass } from './types.js';

/** Unknown paths get Trakt's checks too (and then Fastify's 404) */
const UNMATCHED: RouteMeta = { kind: 'api', auth: 'optional' };

export const UPGRADE_URL = 'https://app.trakt.tv/vip';

export async function gate(
  ctx: EmulatorContext,
  host: 'api' | 'auth',
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply | undefined> {
  const routeUrl = request.routeOptions.url;
  const meta = ctx.metaOf(request.method, routeUrl) ?? UNMATCHED;
  if (meta.kind === 'control') return undefined;

  const state = ctx.stateOf(request);
  const queryIndex = request.url.indexOf('?');
  const path = queryIndex === -1 ? request.url : request.url.slice(0, queryIndex);
  if (ctx.options.requestLogLimit > 0) {
    const entry: RequestLogEntry = {
      method: request.method,
      path,
      query: request.query as Record<string, string>,
      headers: request.headers as Record<string, string>,
      body: undefined,
      status: 0,
      at: Date.now(),
      route: `${request.method} ${routeUrl ?? path}`,
      host,
    };
    state.entry = entry;
    ctx.pushLog(entry);
  }

  if (ctx.faults.size > 0) {
    const action = ctx.faults.take(request.method, path, routeUrl);
    if (action) {
      if (action.latencyMs > 0) {
        try {
          await sleep(action.latencyMs, undefined, { signal: ctx.closing.signal });
        } catch {
          // the emulator is closing: drop the connection as a stopped server would
          state.hung = true;
          reply.hijack();
          request.raw.socket.destroy();
          return reply;
        }
      }
      if (action.hang) return hang(ctx, request, reply, state);
      if (action.status !== undefined) return sendFault(ctx, reply, action.status, action);
      if (action.loseAnswer) state.loseAnswer = true;
    }
  }
  if (meta.kind === 'image') return undefined;

  // REFERENCE §2: Cloudflare's WAF blocks requests without a User-Agent before they reach Trakt.
  const userAgent = request.headers['user-agent'];
  if (userAgent === undefined || userAgent.trim() === '') return html(reply, 403, 'error code: 1010');
  if (meta.kind === 'oauth') return undefined;

  // REFERENCE §2, §13: an invalid API key is a 403.
  if (request.headers['trakt-api-key'] !== ctx.options.clientId) {
    return jsonError(reply, 403, 'forbidden', 'Invalid API key or unapproved app (trakt-api-key header).');
  }
  if (request.headers['trakt-api-version'] !== '2') {
    return jsonError(reply, 400, 'bad_request', 'Send the trakt-api-version: 2 header.');
  }
  // REFERENCE §13: 412 "Precondition Failed - use application/json content type"
  if (hasBody(request) && !String(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
    return jsonError(reply, 412, 'precondition_failed', 'Use the application/json content type.');
  }

  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    const check = match?.[1] ? ctx.auth.checkAccess(match[1]) : ({ ok: false, reason: 'invalid' } as const);
    if (check.ok) {
      state.user = ctx.users.find(check.token.username);
    } else if (meta.auth === 'required') {
      return unauthorized(reply, check.reason);
    }
    // Emulator choice: on optional-auth routes a bad token counts as no token (Doorkeeper's optional auth).
  }
  if (meta.auth === 'required' && !state.user) return unauthorized(reply, 'missing');

  if (state.user?.locked) {
    // REFERENCE §13: 423 Locked User Account
    return reply.code(423).header('X-Account-Locked', 'true').header('X-Account-Deactivated', 'false').send();
  }

  const limits = ctx.options.rateLimits;
  if (limits) {
    const read = request.method === 'GET' || request.method === 'HEAD';
    let limit: { name: LimitName; subject: string; cls: RateLimitClass } | undefined;
    if (state.user) {
      limit = read
        ? { name: 'AUTHED_API_GET_LIMIT', subject: state.user.slug, cls: limits.authedGet }
        : { name: 'AUTHED_API_POST_LIMIT', subject: state.user.slug, cls: limits.authedPost };
    } else if (read) {
      limit = { name: 'UNAUTHED_API_GET_LIMIT', subject: ctx.options.clientId, cls: limits.unauthedGet };
    }
    if (limit) {
      const decision = ctx.limiter.hit(limit.name, limit.subject, limit.cls);
      reply.header('X-Ratelimit', decision.header);
      if (!decision.allowed) {
        return reply
          .code(429)
          .header('Retry-After', String(decision.retryAfterSeconds))
          .header('content-type', 'text/plain; charset=utf-8')
          .send(`${limit.name} rate limit exceeded. Please wait ${decision.retryAfterSeconds} seconds then retry your request.`);
      }
    }
  }
  return undefined;
}

export function recordResponse(ctx: EmulatorContext, request: FastifyRequest, reply: FastifyReply): void {
  const state = ctx.stateOf(request);
  const entry = state.entry;
  if (!entry || state.hung) return;
  entry.status = reply.statusCode;
  entry.body = request.body;
  if (state.user) entry.user = state.user.username;
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

function unauthorized(reply: FastifyReply, reason: 'invalid' | 'expired' | 'missing'): FastifyReply {
  const description =
    reason === 'expired' ? 'The access token expired' : reason === 'missing' ? 'OAuth must be provided' : 'The access token is invalid';
  return reply
    .code(401)
    .header('WWW-Authenticate', `Bearer realm="Trakt", error="invalid_token", error_description="${description}"`)
    .send({ error: 'invalid_token', error_description: description });
}

/** Never answers: the socket stays open until the client gives up or the emulator closes. */
function hang(ctx: EmulatorContext, request: FastifyRequest, reply: FastifyReply, state: RequestState): FastifyReply {
  state.hung = true;
  reply.hijack();
  const end = (): void => {
    request.raw.socket.destroy();
  };
  ctx.hung.add(end);
  reply.raw.once('close', () => ctx.hung.delete(end));
  return reply;
}

function sendFault(ctx: EmulatorContext, reply: FastifyReply, status: number, action: FaultAction): FastifyReply {
  if (status === 429) {
    // REFERENCE §4: a 429 from the security layer may come without X-Ratelimit (and here, Retry-After only if asked)
    if (action.retryAfter !== undefined) reply.header('Retry-After', String(action.retryAfter));
    return reply.code(429).header('content-type', 'text/plain; charset=utf-8').send('Too Many Requests');
  }
  if (status >= 520 || status === 502 || status === 503 || status === 504) return html(reply, status, cloudflarePage(status));
  if (status >= 500) return html(reply, status, '<html><body><h1>Internal Server Error</h1></body></html>');
  switch (status) {
    case 401:
      return unauthorized(reply, 'invalid');
    case 420:
      return reply
        .code(420)
        .header('X-Account-Limit', String(ctx.options.freeWatchlistLimit))
        .header('X-VIP-User', 'false')
        .header('X-Upgrade-URL', UPGRADE_URL)
        .send();
    case 423:
      return reply.code(423).header('X-Account-Locked', 'true').header('X-Account-Deactivated', 'false').send();
    case 426:
      return reply.code(426).header('X-Upgrade-URL', UPGRADE_URL).send();
    default:
      return reply.code(status).send();
  }
}

const CLOUDFLARE_TITLES: Record<number, string> = {
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway time-out',
  520: 'Web server is returning an unknown error',
  521: 'Web server is down',
  522: 'Connection timed out',
  523: 'Origin is unreachable',
  524: 'A timeout occurred',
};

/** REFERENCE §13: 520-524 come from Cloudflare, as an HTML error page */
function cloudflarePage(status: number): string {
  const title = CLOUDFLARE_TITLES[status] ?? 'Error';
  return (
    `<!DOCTYPE html>\n<html lang="en-US"><head><title>api.trakt.tv | ${status}: ${title}</title></head>` +
    `<body><div id="cf-error-details"><h1>${title}</h1><span>Error code ${status}</span>` +
    `<p>Visit <a href="https://www.cloudflare.com/">cloudflare.com</a> for more information.</p>` +
    `<p>Cloudflare Ray ID: ${Math.floor(Math.random() * 2 ** 48).toString(16)}</p></div></body></html>`
  );
}

/** A request carried out whose answer is lost (FaultSpec.loseAnswer): the connection drops instead. */
export async function loseAnswer(ctx: EmulatorContext, request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  const state = ctx.stateOf(request);
  if (state.loseAnswer !== true) return payload;
  if (state.entry) {
    state.entry.status = reply.statusCode;
    state.entry.body = request.body;
    if (state.user) state.entry.user = state.user.username;
  }
  state.hung = true;
  request.raw.socket.destroy();
  return payload;
}
