/**
 * Trakt errors: one class per meaning, keyed by HTTP status (REFERENCE §13).
 *
 * Contract: an error carries the method, the path (never the query string, which may hold a
 * user's search text) and the status. It never carries request or response headers or bodies,
 * so no token, client secret, code or refresh token can reach a log line through it.
 */
import type { WatchlistWriteResult } from './types.js';

export type TraktErrorMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface TraktErrorContext {
  method: string;
  path: string;
}

export class TraktError extends Error {
  override readonly name: string = 'TraktError';
  /** HTTP status, or undefined when no response arrived (timeout, connection error). */
  readonly status: number | undefined;
  readonly method: string;
  readonly path: string;
  /**
   * Set when a batched watchlist add/remove failed (a 420 mid-way, say): what the earlier batches
   * wrote before it (all zeros when the first batch failed).
   */
  written?: WatchlistWriteResult;

  constructor(message: string, context: TraktErrorContext & { status?: number; cause?: unknown }) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.status = context.status;
    this.method = context.method;
    this.path = context.path;
  }
}

function describe(context: TraktErrorContext, status?: number): string {
  return `${context.method} ${context.path}${status === undefined ? '' : ` → ${status}`}`;
}

/** 401: the access token is missing, expired or revoked (or the profile is private). */
export class TraktUnauthorizedError extends TraktError {
  override readonly name = 'TraktUnauthorizedError';
  /** `X-Private-User: true`: a valid token reading another user's private data (REFERENCE §13). */
  readonly privateUser: boolean;
  constructor(context: TraktErrorContext & { privateUser?: boolean }) {
    super(`Trakt rejected the access token (${describe(context, 401)})`, { ...context, status: 401 });
    this.privateUser = context.privateUser ?? false;
  }
}

/**
 * 403: invalid API key or unapproved/deleted app (REFERENCE §3.8), or Cloudflare's WAF, which blocks
 * requests without a User-Agent with an HTML page or "error code: 1010" (REFERENCE §2).
 */
export class TraktForbiddenError extends TraktError {
  override readonly name = 'TraktForbiddenError';
  readonly reason: 'app' | 'cloudflare';
  /** `status` is 403, except an OAuth `invalid_client`, which Trakt answers with 401 (same meaning: the app). */
  constructor(context: TraktErrorContext & { reason: 'app' | 'cloudflare'; status?: number }) {
    const status = context.status ?? 403;
    super(
      context.reason === 'cloudflare'
        ? `Trakt's firewall blocked the request (${describe(context, status)})`
        : `Trakt refused the app: invalid or unapproved client credentials (${describe(context, status)})`,
      { ...context, status },
    );
    this.reason = context.reason;
  }
}

export class TraktNotFoundError extends TraktError {
  override readonly name = 'TraktNotFoundError';
  constructor(context: TraktErrorContext) {
    super(`Trakt has no such record (${describe(context, 404)})`, { ...context, status: 404 });
  }
}

export class TraktConflictError extends TraktError {
  override readonly name = 'TraktConflictError';
  constructor(context: TraktErrorContext) {
    super(`Trakt reports a conflict (${describe(context, 409)})`, { ...context, status: 409 });
  }
}

/** 400 / 422 (and the rarer 405 / 412): the request itself is wrong; retrying cannot help. */
export class TraktValidationError extends TraktError {
  override readonly name = 'TraktValidationError';
  constructor(context: TraktErrorContext & { status: number }) {
    super(`Trakt rejected the request as invalid (${describe(context, context.status)})`, context);
  }
}

/**
 * 420: account limit (watchlist items, lists …) reached. The numbers come from the response headers,
 * never from constants: limits changed several times (REFERENCE §9, §14).
 */
export class TraktAccountLimitError extends TraktError {
  override readonly name = 'TraktAccountLimitError';
  /** `X-Account-Limit`: the allowed number of items, when sent. */
  readonly limit: number | undefined;
  /** `X-VIP-User`: whether the user already is VIP (then no upgrade can help). */
  readonly vip: boolean | undefined;
  /** `X-Upgrade-URL` as sent (trakt.tv/vip or app.trakt.tv/vip, REFERENCE §19.7). */
  readonly upgradeUrl: string | undefined;
  constructor(
    context: TraktErrorContext & { limit: number | undefined; vip: boolean | undefined; upgradeUrl: string | undefined },
  ) {
    super(
      `Trakt account limit reached${context.limit === undefined ? '' : ` (limit ${context.limit})`} (${describe(context, 420)})`,
      { ...context, status: 420 },
    );
    this.limit = context.limit;
    this.vip = context.vip;
    this.upgradeUrl = context.upgradeUrl;
  }
}

/** 423: locked or deactivated account; the user must contact Trakt support (REFERENCE §13). */
export class TraktLockedError extends TraktError {
  override readonly name = 'TraktLockedError';
  readonly locked: boolean;
  readonly deactivated: boolean;
  constructor(context: TraktErrorContext & { locked: boolean; deactivated: boolean }) {
    super(`Trakt account is locked (${describe(context, 423)})`, { ...context, status: 423 });
    this.locked = context.locked;
    this.deactivated = context.deactivated;
  }
}

/** 426: VIP-only feature (REFERENCE §13). */
export class TraktVipOnlyError extends TraktError {
  override readonly name = 'TraktVipOnlyError';
  readonly upgradeUrl: string | undefined;
  constructor(context: TraktErrorContext & { upgradeUrl: string | undefined }) {
    super(`This Trakt feature needs VIP (${describe(context, 426)})`, { ...context, status: 426 });
    this.upgradeUrl = context.upgradeUrl;
  }
}

/** Parsed `X-Ratelimit` header (REFERENCE §4): JSON inside a header. */
export interface TraktRateLimitInfo {
  name?: string;
  period?: number;
  limit?: number;
  remaining?: number;
  /** ISO timestamp at which the window resets. */
  until?: string;
}

/** 429 from the API. `retryAfterSeconds` is absent when Trakt's edge answered (REFERENCE §4). */
export class TraktRateLimitedError extends TraktError {
  override readonly name = 'TraktRateLimitedError';
  readonly retryAfterSeconds: number | undefined;
  readonly rateLimit: TraktRateLimitInfo | undefined;
  constructor(
    context: TraktErrorContext & { retryAfterSeconds: number | undefined; rateLimit: TraktRateLimitInfo | undefined },
  ) {
    super(
      `Trakt rate limit exceeded${context.rateLimit?.name ? ` (${context.rateLimit.name})` : ''} (${describe(context, 429)})`,
      { ...context, status: 429 },
    );
    this.retryAfterSeconds = context.retryAfterSeconds;
    this.rateLimit = context.rateLimit;
  }
}

export type TraktUnavailableKind = 'server' | 'cloudflare' | 'timeout' | 'network';

/** 5xx, Cloudflare 520–524, timeouts and connection errors: worth a later retry. */
export class TraktUnavailableError extends TraktError {
  override readonly name = 'TraktUnavailableError';
  readonly kind: TraktUnavailableKind;
  constructor(context: TraktErrorContext & { kind: TraktUnavailableKind; status?: number; cause?: unknown }) {
    super(
      context.kind === 'timeout'
        ? `Trakt did not answer in time (${describe(context)})`
        : context.kind === 'network'
          ? `Could not reach Trakt (${describe(context)})`
          : `Trakt is unavailable (${describe(context, context.status)})`,
      context,
    );
    this.kind = context.kind;
  }
}

/** Any other status we have no meaning for. */
export class TraktUnexpectedStatusError extends TraktError {
  override readonly name = 'TraktUnexpectedStatusError';
  constructor(context: TraktErrorContext & { status: number }) {
    super(`Unexpected answer from Trakt (${describe(context, context.status)})`, context);
  }
}

/** The answer did not fit our schema. `fieldPath` names the first failing field, e.g. `items[3].movie.ids.trakt`. */
export class TraktSchemaError extends TraktError {
  override readonly name = 'TraktSchemaError';
  readonly fieldPath: string;
  /** Every failing field, with zod's message (no values, so nothing user-provided or secret). */
  readonly issues: ReadonlyArray<{ path: string; message: string }>;
  constructor(
    context: TraktErrorContext & { status?: number; issues: ReadonlyArray<{ path: string; message: string }> },
  ) {
    const first = context.issues[0] ?? { path: '(root)', message: 'invalid' };
    super(
      `Trakt answer did not fit the expected shape at ${first.path}: ${first.message} (${describe(context, context.status)})`,
      context,
    );
    this.fieldPath = first.path;
    this.issues = context.issues;
  }
}

export type TraktRefreshRejectedReason =
  /** 400/401 with `invalid_grant`, or another OAuth error body. */
  | 'invalid_grant'
  /** 400 with an empty body: token issued before the July-2026 auth migration (REFERENCE §3.3). */
  | 'empty_body'
  /** This process already sent this refresh token once; refresh tokens are single-use (REFERENCE §3.5). */
  | 'already_sent';

/**
 * The refresh token is dead: the caller must mark the account for re-linking. Never retried.
 * Carries only the reason and status, never the token.
 */
export class TraktRefreshRejectedError extends TraktError {
  override readonly name = 'TraktRefreshRejectedError';
  readonly reason: TraktRefreshRejectedReason;
  /** OAuth `error` code from the body (e.g. `invalid_grant`), when one was sent. */
  readonly oauthError: string | undefined;
  constructor(
    context: TraktErrorContext & { status?: number; reason: TraktRefreshRejectedReason; oauthError?: string },
  ) {
    super(`Trakt rejected the refresh token: ${context.reason} (${describe(context, context.status)})`, context);
    this.reason = context.reason;
    this.oauthError = context.oauthError;
  }
}

/** True for statuses that Cloudflare produces in front of Trakt (REFERENCE §13). */
function isCloudflareStatus(status: number): boolean {
  return status >= 520 && status <= 524;
}

function parseBooleanHeader(value: string | null): boolean | undefined {
  if (value === null) return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return undefined;
}

function parseIntegerHeader(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? Math.trunc(n) : undefined;
}

/**
 * `Retry-After` is seconds in practice (REFERENCE §4); an HTTP date is accepted too (RFC 9110).
 * Returns undefined when missing or unreadable, so the caller falls back to backoff.
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, (date - now) / 1000);
}

/** `X-Ratelimit` is JSON in a header (REFERENCE §4). A malformed value is ignored, not fatal. */
export function parseRateLimitHeader(value: string | null): TraktRateLimitInfo | undefined {
  if (value === null || value.trim() === '') return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const info: TraktRateLimitInfo = {};
  if (typeof r['name'] === 'string') info.name = r['name'];
  const period = num(r['period']);
  if (period !== undefined) info.period = period;
  const limit = num(r['limit']);
  if (limit !== undefined) info.limit = limit;
  const remaining = num(r['remaining']);
  if (remaining !== undefined) info.remaining = remaining;
  if (typeof r['until'] === 'string') info.until = r['until'];
  return info;
}

/** Cloudflare's WAF answers with HTML or "error code: 1010" instead of Trakt's JSON (REFERENCE §2). */
function looksLikeCloudflare(headers: Headers, bodyText: string): boolean {
  const type = headers.get('content-type') ?? '';
  return type.includes('text/html') || /error code: 10\d\d/i.test(bodyText) || headers.has('cf-mitigated');
}

/**
 * Maps a non-2xx API response to its error class. `bodyText` is only inspected for a Cloudflare
 * marker; it is never copied into the error.
 */
export function errorFromResponse(
  response: { status: number; headers: Headers },
  bodyText: string,
  context: TraktErrorContext,
): TraktError {
  const { status, headers } = response;
  switch (status) {
    case 401:
      return new TraktUnauthorizedError({
        ...context,
        privateUser: parseBooleanHeader(headers.get('x-private-user')) === true,
      });
    case 403:
      return new TraktForbiddenError({ ...context, reason: looksLikeCloudflare(headers, bodyText) ? 'cloudflare' : 'app' });
    case 404:
      return new TraktNotFoundError(context);
    case 409:
      return new TraktConflictError(context);
    case 400:
    case 405:
    case 412:
    case 422:
      return new TraktValidationError({ ...context, status });
    case 420:
      return new TraktAccountLimitError({
        ...context,
        limit: parseIntegerHeader(headers.get('x-account-limit')),
        vip: parseBooleanHeader(headers.get('x-vip-user')),
        upgradeUrl: headers.get('x-upgrade-url') ?? undefined,
      });
    case 423:
      return new TraktLockedError({
        ...context,
        locked: parseBooleanHeader(headers.get('x-account-locked')) ?? true,
        deactivated: parseBooleanHeader(headers.get('x-account-deactivated')) ?? false,
      });
    case 426:
      return new TraktVipOnlyError({ ...context, upgradeUrl: headers.get('x-upgrade-url') ?? undefined });
    case 429:
      return new TraktRateLimitedError({
        ...context,
        retryAfterSeconds: parseRetryAfter(headers.get('retry-after')),
        rateLimit: parseRateLimitHeader(headers.get('x-ratelimit')),
      });
    default:
      if (status >= 500) {
        return new TraktUnavailableError({ ...context, status, kind: isCloudflareStatus(status) ? 'cloudflare' : 'server' });
      }
      return new TraktUnexpectedStatusError({ ...context, status });
  }
}

/**
 * Classifies what `fetch` threw: our own timeout signal, or a connection-level failure.
 * Anything else (a programming error) is passed through unchanged.
 */
export function errorFromFetchFailure(error: unknown, context: TraktErrorContext, timedOut: boolean): unknown {
  if (error instanceof TraktError) return error;
  if (timedOut) return new TraktUnavailableError({ ...context, kind: 'timeout', cause: error });
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return new TraktUnavailableError({ ...context, kind: 'timeout', cause: error });
    // undici reports connection failures as TypeError('fetch failed') with a cause (ECONNRESET, ECONNREFUSED …),
    // and a body cut mid-stream as a TypeError/`terminated` or a SocketError.
    if (error instanceof TypeError || error.name === 'SocketError' || /terminated|ECONN|socket/i.test(error.message)) {
      return new TraktUnavailableError({ ...context, kind: 'network', cause: error });
    }
  }
  return error;
}

/** Whether the error says Trakt (or the way to it) failed transiently. */
export function isTransient(error: unknown): error is TraktUnavailableError | TraktRateLimitedError {
  return error instanceof TraktUnavailableError || error instanceof TraktRateLimitedError;
}
