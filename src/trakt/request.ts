/**
 * The one place that calls the Trakt API: dedupe → retry → limiter → fetch (with timeout) → status → schema.
 *
 * Each attempt passes the limiter on its own (rather than the limiter wrapping all retries), so a retried
 * write is spaced like any other write and a 429 hold applies to the retry as well.
 */
import pRetry from 'p-retry';
import type { z } from 'zod';
import {
  TraktRateLimitedError,
  TraktSchemaError,
  TraktUnauthorizedError,
  TraktUnavailableError,
  errorFromFetchFailure,
  errorFromResponse,
  parseRateLimitHeader,
  type TraktRateLimitInfo,
} from './errors.js';
import { endpointClassOf } from './endpoint-class.js';
import type { LimiterPool, RequestClass } from './limits.js';
import type { StatsRecorder } from './stats.js';
import type { AccessTokenProvider, Pagination, TraktLogger } from './types.js';

export type FetchFunction = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface RetryOptions {
  /** Retries after the first attempt (default 4). Bounds 429 waits too. */
  retries?: number;
  /** Total time across attempts and waits (default 60 s). */
  maxRetryTimeMs?: number;
  /** First backoff delay (default 1 s); doubles per retry, times a random factor in [1, 2). */
  baseDelayMs?: number;
  /** Largest single backoff delay (default 30 s, REFERENCE §13: "try again in 30s"). */
  maxDelayMs?: number;
}

export interface RequestDeps {
  apiUrl: string;
  clientId: string;
  userAgent: string;
  fetch: FetchFunction;
  timeoutMs: number;
  retry: Required<RetryOptions>;
  limiters: LimiterPool;
  stats: StatsRecorder;
  logger: TraktLogger | undefined;
  /** Told of every HTTP answer (any status; not of timeouts and network failures). */
  onAnswer: ((answer: TraktAnswerInfo) => void) | undefined;
  /** Told of every attempt that left the process (answers, timeouts, network failures): metrics. */
  onRequest?: ((request: TraktRequestInfo) => void) | undefined;
}

/** What `onRequest` hears of one attempt. */
export interface TraktRequestInfo {
  cls: RequestClass | 'oauth';
  /** The route template (`/search/:type`), never a raw id (see endpoint-class.ts). */
  endpoint: string;
  method: HttpMethod;
  /** The HTTP status, or how the attempt failed without an answer. */
  status: number | 'timeout' | 'network' | 'error';
  /** From the request leaving to its answer's body read (or the failure). */
  ms: number;
  /** How long the attempt waited for the client-side limiter before it was sent. */
  queuedMs: number;
}

/** `onRequest`'s status for an attempt that got no answer. */
export function failureStatus(error: unknown): TraktRequestInfo['status'] {
  return error instanceof TraktUnavailableError && (error.kind === 'timeout' || error.kind === 'network') ? error.kind : 'error';
}

/** What `onAnswer` hears of an answer. */
export interface TraktAnswerInfo {
  method: HttpMethod;
  class: RequestClass;
  status: number;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ApiRequest<T> {
  method: HttpMethod;
  /** Path below the API root, starting with `/`; segments already encoded. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  schema: z.ZodType<T>;
  /** User-scoped call: sends `Authorization` and counts against that user's limits. */
  auth?: AccessTokenProvider;
  /**
   * A non-GET that may be sent again after a timeout or 5xx because repeating it changes nothing
   * (watchlist add/remove: adding a listed title reports it as `existing`, removing an absent one as
   * `not_found`, REFERENCE §9).
   */
  idempotent?: boolean;
}

export interface ApiResult<T> {
  data: T;
  status: number;
  pagination: Pagination | undefined;
  rateLimit: TraktRateLimitInfo | undefined;
  appliedSort: { by?: string; how?: string } | undefined;
  /**
   * Attempts this answer took (1: the first). More than one on a write means an earlier attempt
   * failed in a way that may have reached Trakt (a timeout, a reset, a 5xx): its effect may already
   * be in this answer's `existing` / not-deleted counts.
   */
  attempts: number;
}

/** zod issue path → `items[3].movie.ids.trakt`. */
export function formatIssuePath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  if (out === '') return '(root)';
  return out.startsWith('[') ? `items${out}` : out;
}

/** Validates parsed JSON; failures name the failing fields, never their values. */
export function parseWire<T>(
  schema: z.ZodType<T>,
  value: unknown,
  context: { method: string; path: string; status?: number },
): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new TraktSchemaError({
    ...context,
    issues: result.error.issues.map((issue) => ({ path: formatIssuePath(issue.path), message: issue.message })),
  });
}

export function parseJsonBody(text: string, context: { method: string; path: string; status?: number }): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new TraktSchemaError({ ...context, issues: [{ path: '(body)', message: 'not valid JSON' }] });
  }
}

function intHeader(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null) return undefined;
  const n = Number.parseInt(raw, 10);
  return Number.isFinite(n) ? n : undefined;
}

/** `X-Pagination-*` (REFERENCE §5). Undefined unless all four are present. */
export function parsePagination(headers: Headers): Pagination | undefined {
  const page = intHeader(headers, 'x-pagination-page');
  const limit = intHeader(headers, 'x-pagination-limit');
  const pageCount = intHeader(headers, 'x-pagination-page-count');
  const itemCount = intHeader(headers, 'x-pagination-item-count');
  if (page === undefined || limit === undefined || pageCount === undefined || itemCount === undefined) return undefined;
  return { page, limit, pageCount, itemCount };
}

function buildUrl(base: string, path: string, query: ApiRequest<unknown>['query']): string {
  const url = new URL(base.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
}

/**
 * An abort signal that fires after `ms`, covering headers and body. A plain controller and timer:
 * `AbortSignal.timeout()` builds a transferable signal, which costs measurably at hundreds of requests/s.
 */
export function timeoutSignal(ms: number): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The operation timed out.', 'TimeoutError')), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/** How long a 429 asks us to wait, if it says so (Retry-After, else X-Ratelimit `until`). */
function rateLimitWaitMs(error: TraktRateLimitedError): number | undefined {
  if (error.retryAfterSeconds !== undefined) return error.retryAfterSeconds * 1000;
  const until = error.rateLimit?.until === undefined ? NaN : Date.parse(error.rateLimit.until);
  if (Number.isNaN(until)) return undefined;
  const periodMs = (error.rateLimit?.period ?? 300) * 1000;
  return Math.min(Math.max(0, until - Date.now()), periodMs);
}

export class Requester {
  private readonly inFlight = new Map<string, Promise<ApiResult<unknown>>>();

  constructor(private readonly deps: RequestDeps) {}

  send<T>(req: ApiRequest<T>): Promise<ApiResult<T>> {
    if (req.method !== 'GET' && !req.auth) {
      // Trakt requires OAuth on every POST/PUT/DELETE (REFERENCE §2); failing here saves a 401.
      return Promise.reject(new Error(`Trakt ${req.method} ${req.path} needs a user token`));
    }
    const url = buildUrl(this.deps.apiUrl, req.path, req.query);
    if (req.method !== 'GET') return this.withRetry(req, url);

    // Identical concurrent GETs (same user, same URL) share one request: the docs ask for de-duplication (REFERENCE §4).
    const key = `${req.auth?.key ?? ''}\u0000${url}`;
    const shared = this.inFlight.get(key) as Promise<ApiResult<T>> | undefined;
    if (shared) {
      this.deps.stats.deduped();
      return shared;
    }
    const promise = this.withRetry(req, url).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise as Promise<ApiResult<unknown>>);
    return promise;
  }

  private classOf(req: ApiRequest<unknown>): RequestClass {
    if (req.method !== 'GET') return 'write';
    return req.auth ? 'userGet' : 'appGet';
  }

  private async withRetry<T>(req: ApiRequest<T>, url: string): Promise<ApiResult<T>> {
    const { retry, logger } = this.deps;
    const started = performance.now();
    const canRetryUnavailable = req.method === 'GET' || req.idempotent === true;

    return pRetry((attemptNumber) => this.attempt(req, url, attemptNumber), {
      retries: retry.retries,
      factor: 2,
      minTimeout: retry.baseDelayMs,
      maxTimeout: retry.maxDelayMs,
      randomize: true,
      maxRetryTime: retry.maxRetryTimeMs,
      // A 429 that says how long to wait has already put a hold on the limiter; the next attempt
      // waits there, so no extra backoff on top (and it does not grow the backoff of later 5xx).
      shouldConsumeRetry: ({ error }) => !(error instanceof TraktRateLimitedError && rateLimitWaitMs(error) !== undefined),
      shouldRetry: ({ error, attemptNumber }) => {
        // `retries` bounds attempts even when a 429 did not consume a retry.
        if (attemptNumber > retry.retries) return false;
        if (error instanceof TraktRateLimitedError) {
          const wait = rateLimitWaitMs(error) ?? 0;
          return performance.now() - started + wait <= retry.maxRetryTimeMs;
        }
        // 400/401/403/404/409/420/422/423/426 and schema errors are never retried: the answer would be the same.
        return error instanceof TraktUnavailableError && canRetryUnavailable;
      },
      onFailedAttempt: ({ error, attemptNumber }) => {
        if (!(error instanceof TraktRateLimitedError || error instanceof TraktUnavailableError)) return;
        logger?.warn(
          {
            method: req.method,
            path: req.path,
            status: (error as TraktUnavailableError).status,
            kind: error instanceof TraktUnavailableError ? error.kind : 'rate_limited',
            attempt: attemptNumber,
            user: req.auth?.key,
          },
          'Trakt request failed',
        );
      },
    });
  }

  private async attempt<T>(req: ApiRequest<T>, url: string, attemptNumber: number): Promise<ApiResult<T>> {
    const cls = this.classOf(req);
    const key = req.auth?.key ?? 'app';
    const ctx = { method: req.method, path: req.path };

    if (attemptNumber > 1) this.deps.stats.retried();
    let token = req.auth ? await req.auth.getAccessToken() : undefined;
    let refreshed = false;
    for (;;) {
      const sentToken = token;
      const answer = await this.exchange(req, url, cls, key, sentToken, attemptNumber);
      this.deps.onAnswer?.({ method: req.method, class: cls, status: answer.status });
      const rateLimit = parseRateLimitHeader(answer.headers.get('x-ratelimit'));
      if (rateLimit) this.deps.limiters.observe(cls, key, rateLimit);

      if (answer.status === 401 && req.auth && sentToken !== undefined && !refreshed) {
        // One refresh, one re-send (REFERENCE §3.4 "refresh reactively on 401"); a second 401 is final.
        refreshed = true;
        const next = req.auth.refreshAfterUnauthorized ? await req.auth.refreshAfterUnauthorized(sentToken) : null;
        if (next !== null) {
          token = next;
          continue;
        }
      }

      if (answer.status < 200 || answer.status >= 300) {
        const error = errorFromResponse(answer, answer.text, ctx);
        if (error instanceof TraktRateLimitedError) {
          const wait = rateLimitWaitMs(error);
          if (wait !== undefined) this.deps.limiters.hold(cls, key, wait);
        }
        if (error instanceof TraktUnauthorizedError && refreshed) {
          this.deps.logger?.info({ ...ctx, user: req.auth?.key }, 'Trakt refused the token again after a refresh');
        }
        throw error;
      }

      const statusCtx = { ...ctx, status: answer.status };
      const data = parseWire(req.schema, parseJsonBody(answer.text, statusCtx), statusCtx);
      return {
        data,
        status: answer.status,
        pagination: parsePagination(answer.headers),
        rateLimit,
        appliedSort: answer.headers.has('x-applied-sort-by')
          ? {
              ...(answer.headers.get('x-applied-sort-by') ? { by: answer.headers.get('x-applied-sort-by') ?? '' } : {}),
              ...(answer.headers.get('x-applied-sort-how') ? { how: answer.headers.get('x-applied-sort-how') ?? '' } : {}),
            }
          : undefined,
        attempts: attemptNumber,
      };
    }
  }

  /** Tells `onRequest`; an observer's failure never fails the request. */
  private observe(info: TraktRequestInfo): void {
    try {
      this.deps.onRequest?.(info);
    } catch {
      // metrics are best effort
    }
  }

  /** One HTTP exchange through the limiter. The timeout covers headers and body. */
  private async exchange(
    req: ApiRequest<unknown>,
    url: string,
    cls: RequestClass,
    key: string,
    token: string | undefined,
    attemptNumber: number,
  ): Promise<RawAnswer> {
    const { limiters, stats, logger, timeoutMs } = this.deps;
    const ctx = { method: req.method, path: req.path };
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'trakt-api-key': this.deps.clientId,
      'trakt-api-version': '2',
      // Cloudflare blocks requests without a User-Agent (REFERENCE §2).
      'User-Agent': this.deps.userAgent,
    };
    if (token !== undefined) headers['Authorization'] = `Bearer ${token}`;

    const enqueuedAt = performance.now();
    const { value, queuedMs } = await limiters.schedule(cls, key, async (answered) => {
      const { signal, clear } = timeoutSignal(timeoutMs);
      const startedAt = performance.now();
      const observe = (status: TraktRequestInfo['status']) =>
        this.observe({ cls, endpoint: endpointClassOf(req.path), method: req.method, status, ms: performance.now() - startedAt, queuedMs: startedAt - enqueuedAt });
      stats.sent(cls);
      try {
        const response = await this.deps.fetch(url, {
          method: req.method,
          headers,
          ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
          signal,
        });
        answered();
        const text = await response.text();
        stats.answered(response.status, true);
        observe(response.status);
        logger?.debug(
          { ...ctx, status: response.status, ms: Math.round(performance.now() - startedAt), attempt: attemptNumber, user: req.auth?.key },
          'Trakt request',
        );
        return { status: response.status, headers: response.headers, text };
      } catch (error) {
        const failure = errorFromFetchFailure(error, ctx, signal.aborted);
        observe(failureStatus(failure));
        throw failure;
      } finally {
        clear();
      }
    });
    stats.queuedFor(cls, queuedMs);
    return value;
  }
}
