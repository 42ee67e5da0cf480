// OAuth state: access/refresh token pairs, authorization codes and device codes (REFERENCE §3).

import { createHash, randomBytes } from 'node:crypto';
import type { RefreshFailureMode, TokenSet } from './types.js';

export interface TokenRecord {
  accessToken: string;
  refreshToken: string;
  username: string;
  createdAtMs: number;
  expiresIn: number;
  expiresAtMs: number;
  /** issued to a client that proved itself with PKCE instead of the client secret */
  pkce: boolean;
}

export interface AuthCode {
  code: string;
  username: string;
  redirectUri: string;
  codeChallenge: string | undefined;
  codeChallengeMethod: 'S256' | 'plain';
  expiresAtMs: number;
}

export type DeviceStatus = 'pending' | 'approved' | 'denied' | 'used';

export interface DeviceCode {
  deviceCode: string;
  userCode: string;
  expiresAtMs: number;
  intervalMs: number;
  status: DeviceStatus;
  username: string | undefined;
  lastPollMs: number | undefined;
}

export type AccessCheck = { ok: true; token: TokenRecord } | { ok: false; reason: 'invalid' | 'expired' };

/** "Your app will get an authorization code … valid for 10 minutes" (S3 /oauth/authorize) */
const CODE_TTL_MS = 10 * 60 * 1000;
const USER_CODE_ALPHABET = '0123456789ABCDEF';

export class AuthStore {
  private readonly byAccess = new Map<string, TokenRecord>();
  private readonly byRefresh = new Map<string, TokenRecord>();
  private readonly byUser = new Map<string, Set<TokenRecord>>();
  private readonly codes = new Map<string, AuthCode>();
  private readonly devices = new Map<string, DeviceCode>();
  private readonly devicesByUserCode = new Map<string, DeviceCode>();
  readonly refreshFailures = new Map<string, RefreshFailureMode>();

  issue(username: string, expiresIn: number, pkce: boolean): TokenRecord {
    const now = Date.now();
    const token: TokenRecord = {
      accessToken: randomToken(),
      refreshToken: randomToken(),
      username,
      createdAtMs: now,
      expiresIn,
      expiresAtMs: now + expiresIn * 1000,
      pkce,
    };
    this.byAccess.set(token.accessToken, token);
    this.byRefresh.set(token.refreshToken, token);
    let set = this.byUser.get(username);
    if (!set) {
      set = new Set();
      this.byUser.set(username, set);
    }
    set.add(token);
    return token;
  }

  checkAccess(accessToken: string): AccessCheck {
    const token = this.byAccess.get(accessToken);
    if (!token) return { ok: false, reason: 'invalid' };
    if (Date.now() >= token.expiresAtMs) return { ok: false, reason: 'expired' };
    return { ok: true, token };
  }

  findRefresh(refreshToken: string): TokenRecord | undefined {
    return this.byRefresh.get(refreshToken);
  }

  /** Ends a pair: both its access token and its refresh token stop working. */
  revoke(token: TokenRecord): void {
    this.byAccess.delete(token.accessToken);
    this.byRefresh.delete(token.refreshToken);
    this.byUser.get(token.username)?.delete(token);
  }

  revokeByValue(value: string): void {
    const token = this.byAccess.get(value) ?? this.byRefresh.get(value);
    if (token) this.revoke(token);
  }

  revokeAll(username: string): void {
    for (const token of [...(this.byUser.get(username) ?? [])]) this.revoke(token);
  }

  expireAll(username: string): void {
    const now = Date.now();
    for (const token of this.byUser.get(username) ?? []) token.expiresAtMs = Math.min(token.expiresAtMs, now);
  }

  createCode(input: Omit<AuthCode, 'code' | 'expiresAtMs'>): AuthCode {
    if (this.codes.size > 10_000) sweep(this.codes);
    const code: AuthCode = { ...input, code: randomToken().slice(0, 32), expiresAtMs: Date.now() + CODE_TTL_MS };
    this.codes.set(code.code, code);
    return code;
  }

  /** Codes are single-use: taking one removes it, whatever the outcome of the exchange. */
  takeCode(code: string): AuthCode | undefined {
    const found = this.codes.get(code);
    if (!found) return undefined;
    this.codes.delete(code);
    return Date.now() < found.expiresAtMs ? found : undefined;
  }

  createDevice(ttlSeconds: number, intervalSeconds: number): DeviceCode {
    if (this.devices.size > 10_000) {
      sweep(this.devices);
      for (const [userCode, device] of this.devicesByUserCode) if (!this.devices.has(device.deviceCode)) this.devicesByUserCode.delete(userCode);
    }
    let userCode: string;
    do {
      const bytes = randomBytes(8);
      userCode = [...bytes].map((b) => USER_CODE_ALPHABET[b % 16]).join('');
    } while (this.devicesByUserCode.has(userCode));
    const device: DeviceCode = {
      deviceCode: randomToken(),
      userCode,
      expiresAtMs: Date.now() + ttlSeconds * 1000,
      intervalMs: intervalSeconds * 1000,
      status: 'pending',
      username: undefined,
      lastPollMs: undefined,
    };
    this.devices.set(device.deviceCode, device);
    this.devicesByUserCode.set(userCode, device);
    return device;
  }

  device(deviceCode: string): DeviceCode | undefined {
    return this.devices.get(deviceCode);
  }

  deviceByUserCode(userCode: string): DeviceCode | undefined {
    return this.devicesByUserCode.get(userCode.trim().toUpperCase());
  }
}

export function tokenSet(token: TokenRecord): TokenSet {
  return {
    access_token: token.accessToken,
    token_type: 'bearer',
    expires_in: token.expiresIn,
    refresh_token: token.refreshToken,
    scope: 'public',
    created_at: Math.floor(token.createdAtMs / 1000),
  };
}

export function pkceMatches(verifier: string, challenge: string, method: 'S256' | 'plain'): boolean {
  if (method === 'plain') return verifier === challenge;
  return createHash('sha256').update(verifier).digest('base64url') === challenge;
}

/** Drops expired entries (long benchmarks start many flows that nobody finishes) */
function sweep(map: Map<string, { expiresAtMs: number }>): void {
  const now = Date.now();
  for (const [key, value] of map) if (value.expiresAtMs <= now) map.delete(key);
}

function randomToken(): string {
  return randomBytes(32).toString('hex');
}
