/**
 * OAuth against Trakt's auth host (REFERENCE §1, §3): authorize URL with PKCE, code exchange, refresh,
 * revoke and the device flow.
 *
 * Rules that differ from API calls:
 * - OAuth requests go to `authUrl`, not the API host ("Do not use the API hostname", REFERENCE §1).
 * - They are not subject to the API rate limiters (those count API calls per user, REFERENCE §4).
 * - They are never retried here. Codes and refresh tokens are single-use (REFERENCE §3.5): a request
 *   whose answer was lost may already have consumed its token, and sending a used refresh token again
 *   can end the user's session. The caller decides what happens next.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  type TraktError,
  TraktForbiddenError,
  TraktRefreshRejectedError,
  TraktSchemaError,
  TraktUnavailableError,
  errorFromFetchFailure,
  errorFromResponse,
  parseRetryAfter,
} from './errors.js';
import { mapToTokenSet } from './map.js';
import type { FetchFunction } from './request.js';
import { endpointClassOf } from './endpoint-class.js';
import { failureStatus, parseJsonBody, parseWire, timeoutSignal, type TraktRequestInfo } from './request.js';
import { deviceCodeResponseSchema, oauthErrorSchema, revokeResponseSchema, tokenResponseSchema } from './schemas/oauth.js';
import type { StatsRecorder } from './stats.js';
import type { DeviceCode, DevicePollResult, TokenSet, TraktLogger } from './types.js';

export interface OAuthDeps {
  authUrl: string;
  clientId: string;
  clientSecret: string;
  userAgent: string;
  fetch: FetchFunction;
  timeoutMs: number;
  stats: StatsRecorder;
  logger: TraktLogger | undefined;
  /** Told of every request sent (see request.ts): metrics. */
  onRequest?: ((request: TraktRequestInfo) => void) | undefined;
}

export interface PkcePair {
  /** Keep server-side with the `state`; send with the code exchange. */
  verifier: string;
  challenge: string;
  method: 'S256';
}

function base64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

/** RFC 7636: a 64-character verifier (43–128 allowed) and its S256 challenge. */
export function createPkcePair(): PkcePair {
  const verifier = base64url(randomBytes(48));
  const challenge = base64url(createHash('sha256').update(verifier).digest());
  return { verifier, challenge, method: 'S256' };
}

export interface TraktOAuth {
  /** Where to send the user's browser (REFERENCE §3.2). */
  authorizeUrl(input: { redirectUri: string; state: string; codeChallenge: string; signup?: boolean; forceLogin?: boolean }): string;
  exchangeCode(input: { code: string; redirectUri: string; codeVerifier?: string }): Promise<TokenSet>;
  /**
   * Trades a refresh token for new tokens. Throws `TraktRefreshRejectedError` when the token is dead
   * (400/401 `invalid_grant`, an empty 400, or this process already sent it once): mark the account
   * for re-linking. Throws `TraktUnavailableError` on a timeout or 5xx: after a timeout, 500, 504, 520
   * or 524 the token may be used up and is never sent again (a later call gets `already_sent`); after
   * 502, 503 or 521–523 the auth server was not reached and a later call may send it.
   * Concurrent calls with the same token share one request.
   */
  refreshToken(input: { refreshToken: string; redirectUri: string }): Promise<TokenSet>;
  revokeToken(token: string): Promise<void>;
  requestDeviceCode(): Promise<DeviceCode>;
  /** One poll of the device-token endpoint (REFERENCE §3.7). */
  pollDeviceToken(deviceCode: string): Promise<DevicePollResult>;
  /**
   * Polls at the given interval until the user acts or the code expires. Returns a final result
   * (never `pending` or `slow_down`). On `slow_down` the interval grows by 5 s (RFC 8628 §3.5).
   */
  waitForDeviceToken(
    code: DeviceCode,
    options?: { signal?: AbortSignal; sleep?: (ms: number, signal?: AbortSignal) => Promise<void> },
  ): Promise<Exclude<DevicePollResult, { status: 'pending' } | { status: 'slow_down' }>>;
}

/** Remembers refresh tokens this process has sent (as hashes), so none is ever sent twice. */
class SentTokenGuard {
  private readonly hashes = new Set<string>();
  constructor(private readonly capacity = 10_000) {}

  static hash(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }

  has(hash: string): boolean {
    return this.hashes.has(hash);
  }

  add(hash: string): void {
    this.hashes.add(hash);
    if (this.hashes.size > this.capacity) {
      const oldest = this.hashes.values().next().value;
      if (oldest !== undefined) this.hashes.delete(oldest);
    }
  }

  forget(hash: string): void {
    this.hashes.delete(hash);
  }
}

const ORIGIN_NOT_REACHED = new Set([502, 503, 521, 522, 523]);

/** Failures where the request provably never left: safe to forget that the token was "sent". */
function neverSent(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : '';
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
  receivedAt: Date;
}

export function createOAuth(deps: OAuthDeps): TraktOAuth {
  const base = deps.authUrl.replace(/\/+$/, '');
  const guard = new SentTokenGuard();
  const refreshesInFlight = new Map<string, Promise<TokenSet>>();

  async function post(path: string, body: Record<string, unknown>): Promise<RawAnswer> {
    const { signal, clear } = timeoutSignal(deps.timeoutMs);
    const ctx = { method: 'POST', path };
    const startedAt = performance.now();
    const observe = (status: TraktRequestInfo['status']) => {
      try {
        deps.onRequest?.({ cls: 'oauth', endpoint: endpointClassOf(path), method: 'POST', status, ms: performance.now() - startedAt, queuedMs: 0 });
      } catch {
        // metrics are best effort
      }
    };
    deps.stats.sent('oauth');
    try {
      const response = await deps.fetch(`${base}${path}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': deps.userAgent,
          'trakt-api-key': deps.clientId,
          'trakt-api-version': '2',
        },
        body: JSON.stringify(body),
        signal,
      });
      const text = await response.text();
      deps.stats.answered(response.status, false);
      observe(response.status);
      // Only the path and status: bodies here carry codes and tokens.
      deps.logger?.debug({ method: 'POST', path, status: response.status }, 'Trakt OAuth request');
      return { status: response.status, headers: response.headers, text, receivedAt: new Date() };
    } catch (error) {
      const failure = errorFromFetchFailure(error, ctx, signal.aborted);
      observe(failureStatus(failure));
      throw failure;
    } finally {
      clear();
    }
  }

  function tokensFrom(answer: RawAnswer, path: string): TokenSet {
    const ctx = { method: 'POST', path, status: answer.status };
    return mapToTokenSet(parseWire(tokenResponseSchema, parseJsonBody(answer.text, ctx), ctx), answer.receivedAt);
  }

  /** OAuth `error` code of an error body, if it has one. */
  function oauthErrorOf(answer: RawAnswer): string | undefined {
    try {
      const parsed = oauthErrorSchema.safeParse(JSON.parse(answer.text));
      return parsed.success ? parsed.data.error : undefined;
    } catch {
      return undefined;
    }
  }

  function fail(answer: RawAnswer, path: string): TraktError {
    // `invalid_client` (401 on the OAuth host) is about the app's credentials, not the user's grant:
    // re-linking the user cannot fix it (REFERENCE §3.8: deleted or non-VIP apps).
    if (oauthErrorOf(answer) === 'invalid_client') {
      return new TraktForbiddenError({ method: 'POST', path, reason: 'app', status: answer.status });
    }
    return errorFromResponse(answer, answer.text, { method: 'POST', path });
  }

  async function doRefresh(refreshToken: string, redirectUri: string, hash: string): Promise<TokenSet> {
    const path = '/oauth/token';
    guard.add(hash);
    let answer: RawAnswer;
    try {
      answer = await post(path, {
        refresh_token: refreshToken,
        client_id: deps.clientId,
        client_secret: deps.clientSecret,
        redirect_uri: redirectUri,
        grant_type: 'refresh_token',
      });
    } catch (error) {
      if (neverSent((error as TraktError).cause)) guard.forget(hash);
      // A timeout or reset: Trakt may have rotated the token and the answer is lost. Not re-sent.
      deps.logger?.warn({ path, kind: (error as TraktUnavailableError).kind }, 'Trakt token refresh got no answer');
      throw error;
    }
    if (answer.status === 200) return tokensFrom(answer, path);
    // 400 (current docs) or 401 (older docs) both mean "refresh failed → re-auth" (REFERENCE §3.3).
    if (answer.status === 400 || answer.status === 401) {
      if (answer.text.trim() === '') {
        // Tokens from before the July-2026 auth migration get an empty 400 (trakt/trakt-api#888).
        throw new TraktRefreshRejectedError({ method: 'POST', path, status: answer.status, reason: 'empty_body' });
      }
      const oauthError = oauthErrorOf(answer);
      if (oauthError === 'invalid_client') {
        // Client authentication failed before the grant was looked at: the token is unused.
        guard.forget(hash);
        throw fail(answer, path);
      }
      // Any other 400/401 (invalid_grant, or a body that is not JSON) means the grant is dead.
      throw new TraktRefreshRejectedError({
        method: 'POST',
        path,
        status: answer.status,
        reason: 'invalid_grant',
        ...(oauthError === undefined ? {} : { oauthError }),
      });
    }
    // The edge said the auth server was not reached (502 bad gateway, 503 unavailable, 521–523 origin
    // down or unreachable): the token is unused and a later call may send it. After 500, 504, 520 or
    // 524 the server may have rotated it, so it stays "sent" (REFERENCE §3.5).
    if (ORIGIN_NOT_REACHED.has(answer.status)) guard.forget(hash);
    throw fail(answer, path);
  }

  const oauth: TraktOAuth = {
    authorizeUrl({ redirectUri, state, codeChallenge, signup, forceLogin }) {
      const url = new URL(`${base}/oauth/authorize`);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('client_id', deps.clientId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('state', state);
      // PKCE works on Trakt since 2023 (REFERENCE §3.1); S256 is the only method we send.
      url.searchParams.set('code_challenge', codeChallenge);
      url.searchParams.set('code_challenge_method', 'S256');
      if (signup) url.searchParams.set('signup', 'true');
      if (forceLogin) url.searchParams.set('prompt', 'login');
      return url.toString();
    },

    async exchangeCode({ code, redirectUri, codeVerifier }) {
      const path = '/oauth/token';
      const answer = await post(path, {
        code,
        client_id: deps.clientId,
        client_secret: deps.clientSecret,
        redirect_uri: redirectUri,
        grant_type: 'authorization_code',
        ...(codeVerifier === undefined ? {} : { code_verifier: codeVerifier }),
      });
      if (answer.status === 200) return tokensFrom(answer, path);
      throw fail(answer, path);
    },

    refreshToken({ refreshToken, redirectUri }) {
      const hash = SentTokenGuard.hash(refreshToken);
      const shared = refreshesInFlight.get(hash);
      if (shared) return shared;
      if (guard.has(hash)) {
        return Promise.reject(
          new TraktRefreshRejectedError({ method: 'POST', path: '/oauth/token', reason: 'already_sent' }),
        );
      }
      const promise = doRefresh(refreshToken, redirectUri, hash).finally(() => refreshesInFlight.delete(hash));
      refreshesInFlight.set(hash, promise);
      return promise;
    },

    async revokeToken(token) {
      const path = '/oauth/revoke';
      const answer = await post(path, { token, client_id: deps.clientId, client_secret: deps.clientSecret });
      if (answer.status >= 200 && answer.status < 300) {
        // 200 with an empty body (REFERENCE §3.6); `{}` in the docs.
        const ctx = { method: 'POST', path, status: answer.status };
        const parsed = parseJsonBody(answer.text, ctx);
        if (parsed !== undefined) parseWire(revokeResponseSchema, parsed, ctx);
        return;
      }
      throw fail(answer, path);
    },

    async requestDeviceCode() {
      const path = '/oauth/device/code';
      const answer = await post(path, { client_id: deps.clientId });
      if (answer.status !== 200) throw fail(answer, path);
      const ctx = { method: 'POST', path, status: answer.status };
      const wire = parseWire(deviceCodeResponseSchema, parseJsonBody(answer.text, ctx), ctx);
      return {
        deviceCode: wire.device_code,
        userCode: wire.user_code,
        verificationUrl: wire.verification_url,
        expiresAt: new Date(answer.receivedAt.getTime() + wire.expires_in * 1000),
        intervalSeconds: wire.interval,
      };
    },

    async pollDeviceToken(deviceCode) {
      const path = '/oauth/device/token';
      // The field is `code`, not RFC 8628's `device_code` (REFERENCE §3.7).
      const answer = await post(path, { code: deviceCode, client_id: deps.clientId, client_secret: deps.clientSecret });
      switch (answer.status) {
        case 200:
          return { status: 'authorized', tokens: tokensFrom(answer, path) };
        case 400:
          // "Pending"; its body is not valid JSON, so it is not read (REFERENCE §3.7).
          return { status: 'pending' };
        case 404:
          return { status: 'invalid_code' };
        case 409:
          return { status: 'already_used' };
        case 410:
          return { status: 'expired' };
        case 418:
          return { status: 'denied' };
        case 429: {
          const retryAfterSeconds = parseRetryAfter(answer.headers.get('retry-after'));
          return retryAfterSeconds === undefined ? { status: 'slow_down' } : { status: 'slow_down', retryAfterSeconds };
        }
        default:
          throw fail(answer, path);
      }
    },

    async waitForDeviceToken(code, options = {}) {
      const sleep = options.sleep ?? defaultSleep;
      let intervalMs = code.intervalSeconds * 1000;
      for (;;) {
        const left = code.expiresAt.getTime() - Date.now();
        if (left <= 0) return { status: 'expired' };
        await sleep(Math.min(intervalMs, left), options.signal);
        let result: DevicePollResult;
        try {
          result = await oauth.pollDeviceToken(code.deviceCode);
        } catch (error) {
          // A passing outage must not end a flow the user is in the middle of: poll again later.
          if (error instanceof TraktUnavailableError || error instanceof TraktSchemaError) {
            deps.logger?.warn({ path: '/oauth/device/token', kind: (error as TraktUnavailableError).kind }, 'device poll failed');
            continue;
          }
          throw error;
        }
        if (result.status === 'pending') continue;
        if (result.status === 'slow_down') {
          intervalMs = Math.max(intervalMs + 5000, (result.retryAfterSeconds ?? 0) * 1000);
          continue;
        }
        return result;
      }
    },
  };
  return oauth;
}
