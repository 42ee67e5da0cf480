/** Shared set-up for tests that talk to the Trakt emulator over real HTTP. */
import { randomUUID } from 'node:crypto';
import { startTraktEmulator, type TraktEmulator, type TraktEmulatorOptions } from '../emulators/trakt/index.js';
import { createTraktClient, type TraktClient, type TraktClientOptions } from '../../src/trakt/client.js';
import type { AccessTokenProvider, TokenSet } from '../../src/trakt/types.js';

export { startTraktEmulator, type TraktEmulator };

export function startEmulator(options: TraktEmulatorOptions = {}): Promise<TraktEmulator> {
  return startTraktEmulator({ deviceIntervalSeconds: 1, ...options });
}

/** A client against the emulator with short backoffs, so retry tests stay quick. */
export function clientFor(emulator: TraktEmulator, extra: Partial<TraktClientOptions> = {}): TraktClient {
  return createTraktClient({
    apiUrl: emulator.url,
    authUrl: emulator.authUrl,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    userAgent: 'Marquee/test',
    timeoutMs: 2000,
    ...extra,
    retry: { retries: 3, baseDelayMs: 10, maxDelayMs: 50, maxRetryTimeMs: 20_000, ...extra.retry },
  });
}

export function uniqueName(prefix = 'user'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/**
 * A token provider as the DB-backed one will behave: it holds the user's tokens and, on a 401,
 * refreshes once through the client's OAuth (single-flight is the caller's job; tests are simple).
 */
export class TestTokens implements AccessTokenProvider {
  refreshCalls = 0;
  constructor(
    readonly key: string,
    public tokens: { accessToken: string; refreshToken: string },
    private readonly refresh?: (refreshToken: string) => Promise<TokenSet | null>,
  ) {}

  getAccessToken(): Promise<string> {
    return Promise.resolve(this.tokens.accessToken);
  }

  async refreshAfterUnauthorized(rejected: string): Promise<string | null> {
    this.refreshCalls += 1;
    if (!this.refresh) return null;
    if (rejected !== this.tokens.accessToken) return this.tokens.accessToken;
    const next = await this.refresh(this.tokens.refreshToken);
    if (!next) return null;
    this.tokens = { accessToken: next.accessToken, refreshToken: next.refreshToken };
    return next.accessToken;
  }
}

/** Adds a user to the emulator and returns a provider holding fresh tokens. */
export function emulatedUser(
  emulator: TraktEmulator,
  client: TraktClient | undefined,
  input: { vip?: boolean; watchlistLimit?: number; locked?: boolean; refresh?: boolean } = {},
): TestTokens {
  const username = uniqueName();
  emulator.addUser({
    username,
    ...(input.vip === undefined ? {} : { vip: input.vip }),
    ...(input.watchlistLimit === undefined ? {} : { watchlistLimit: input.watchlistLimit }),
    ...(input.locked === undefined ? {} : { locked: input.locked }),
  });
  const t = emulator.issueTokens(username);
  const refresh =
    input.refresh && client
      ? (refreshToken: string) => client.oauth.refreshToken({ refreshToken, redirectUri: 'urn:ietf:wg:oauth:2.0:oob' })
      : undefined;
  return new TestTokens(username, { accessToken: t.access_token, refreshToken: t.refresh_token }, refresh);
}

/** Requests the emulator received for a route pattern such as 'POST /sync/watchlist' (clear the log per test). */
export function requestsTo(emulator: TraktEmulator, route: string): TraktEmulator['requests'][number][] {
  return emulator.requests.filter((r) => r.route === route);
}
