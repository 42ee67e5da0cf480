// State shared by the emulator's route modules, and small reply helpers.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthStore } from './auth-store.js';
import type { Catalog } from './catalog.js';
import { FaultTable } from './faults.js';
import { MediaJson } from './media-json.js';
import { createRng } from './random.js';
import { RateLimiter } from './rate-limiter.js';
import { UserStore } from './user-store.js';
import type { UserState } from './user-store.js';
import type { RateLimitClass, RequestLogEntry, TraktEmulatorOptions } from './types.js';

export interface ResolvedOptions {
  clientId: string;
  clientSecret: string;
  accessTokenTtlSeconds: number;
  deviceCodeTtlSeconds: number;
  deviceIntervalSeconds: number;
  catalogSize: number;
  seed: number;
  freeWatchlistLimit: number;
  vipWatchlistLimit: number;
  rateLimits: false | { authedGet: RateLimitClass; authedPost: RateLimitClass; unauthedGet: RateLimitClass };
  port: number;
  authPort: number;
  requestLogLimit: number;
  consentPage: boolean;
}

export function resolveOptions(options: TraktEmulatorOptions = {}): ResolvedOptions {
  return {
    clientId: options.clientId ?? 'emulator-client-id',
    clientSecret: options.clientSecret ?? 'emulator-client-secret',
    // REFERENCE §3.4: the current docs say access tokens last 7 days
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 604_800,
    deviceCodeTtlSeconds: options.deviceCodeTtlSeconds ?? 600,
    deviceIntervalSeconds: options.deviceIntervalSeconds ?? 5,
    catalogSize: options.catalogSize ?? 6000,
    seed: options.seed ?? 1,
    // REFERENCE §14: 2026 limits
    freeWatchlistLimit: options.freeWatchlistLimit ?? 250,
    vipWatchlistLimit: options.vipWatchlistLimit ?? 5000,
    rateLimits:
      options.rateLimits === false
        ? false
        : (options.rateLimits ?? {
            authedGet: { limit: 1000, periodSeconds: 300 },
            authedPost: { limit: 1, periodSeconds: 1 },
            unauthedGet: { limit: 1000, periodSeconds: 300 },
          }),
    port: options.port ?? 0,
    authPort: options.authPort ?? 0,
    requestLogLimit: options.requestLogLimit ?? 100_000,
    consentPage: options.consentPage ?? false,
  };
}

export type RouteKind = 'api' | 'oauth' | 'image' | 'control';
export type AuthMode = 'optional' | 'required';

export interface RouteMeta {
  kind: RouteKind;
  auth: AuthMode;
}

export interface RequestState {
  entry: RequestLogEntry | undefined;
  user: UserState | undefined;
  hung: boolean;
  /** Carried out, but the answer is never sent (FaultSpec.loseAnswer). */
  loseAnswer?: boolean;
}

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export class EmulatorContext {
  /** The API host's base URL (`emulator.url`). */
  baseUrl = '';
  /** The OAuth host's base URL (`emulator.authUrl`), a separate server as auth.trakt.tv is. */
  authBaseUrl = '';
  readonly users: UserStore;
  readonly auth = new AuthStore();
  readonly faults: FaultTable;
  readonly limiter = new RateLimiter();
  readonly json: MediaJson;
  readonly log: RequestLogEntry[] = [];
  readonly hung = new Set<() => void>();
  readonly closing = new AbortController();
  authorizeDecision: { username: string; approve: boolean } | undefined;
  private readonly meta = new Map<string, RouteMeta>();
  private readonly states = new WeakMap<FastifyRequest, RequestState>();

  constructor(
    readonly options: ResolvedOptions,
    readonly catalog: Catalog,
  ) {
    this.users = new UserStore(catalog, { free: options.freeWatchlistLimit, vip: options.vipWatchlistLimit });
    this.faults = new FaultTable(createRng(options.seed ^ 0x5eed));
    this.json = new MediaJson(catalog, () => this.baseUrl);
  }

  route(app: FastifyInstance, method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH', url: string, meta: RouteMeta, handler: Handler): void {
    this.meta.set(`${method} ${url}`, meta);
    app.route({ method, url, handler });
  }

  metaOf(method: string, url: string | undefined): RouteMeta | undefined {
    if (url === undefined) return undefined;
    return this.meta.get(`${method === 'HEAD' ? 'GET' : method} ${url}`);
  }

  stateOf(request: FastifyRequest): RequestState {
    let state = this.states.get(request);
    if (!state) {
      state = { entry: undefined, user: undefined, hung: false };
      this.states.set(request, state);
    }
    return state;
  }

  /** The authenticated user of an auth-required route (the gate has already answered 401 without one) */
  userOf(request: FastifyRequest): UserState {
    const user = this.stateOf(request).user;
    if (!user) throw new Error('route needs an authenticated user');
    return user;
  }

  pushLog(entry: RequestLogEntry): void {
    const limit = this.options.requestLogLimit;
    if (limit <= 0) return;
    this.log.push(entry);
    // trim in batches so the array is not shifted on every request
    if (this.log.length > limit + Math.max(100, limit / 10)) this.log.splice(0, this.log.length - limit);
  }
}

export function params(request: FastifyRequest): Record<string, string> {
  return request.params as Record<string, string>;
}

export function query(request: FastifyRequest): Record<string, string | undefined> {
  return request.query as Record<string, string | undefined>;
}

/** Positive integer query value, or undefined */
export function positiveInt(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 1 ? n : undefined;
}

/**
 * REFERENCE §5: `?page=&limit=`, headers X-Pagination-Page/-Limit/-Page-Count/-Item-Count. Since 2026 a
 * missing limit gives the endpoint's default (100 for watchlists, 50 for search) and larger limits are
 * clamped to 250, not rejected.
 */
export function paginate<T>(reply: FastifyReply, items: T[], q: Record<string, string | undefined>, defaultLimit: number): T[] {
  const page = positiveInt(q.page) ?? 1;
  const limit = Math.min(250, positiveInt(q.limit) ?? defaultLimit);
  reply.header('X-Pagination-Page', String(page));
  reply.header('X-Pagination-Limit', String(limit));
  reply.header('X-Pagination-Page-Count', String(Math.ceil(items.length / limit)));
  reply.header('X-Pagination-Item-Count', String(items.length));
  return items.slice((page - 1) * limit, page * limit);
}

/** Sends JSON text built by MediaJson (already serialized) */
export function sendJson(reply: FastifyReply, text: string): FastifyReply {
  return reply.header('content-type', 'application/json; charset=utf-8').send(text);
}

export function jsonError(reply: FastifyReply, status: number, error: string, description: string): FastifyReply {
  return reply.code(status).send({ error, error_description: description });
}

/** Trakt answers a missing record with an empty 404 */
export function notFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).send();
}

export function html(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).header('content-type', 'text/html; charset=UTF-8').send(body);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
