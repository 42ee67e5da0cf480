import { createHash, randomBytes } from 'node:crypto';
import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { rowsOf } from '../db/client.js';
import { decryptToken, encryptToken, secretAad, type KeyRing } from '../db/crypto.js';
import { decryptTokens, deleteTraktLink, findTraktLink, saveTraktLink } from '../db/queries/trakt-links.js';
import { linkAttempts, type LinkAttemptRow } from '../db/schema.js';
import type { DeviceLinkFailure, LinkEvent, LinkNoticeTarget, LinkStartInfo } from '../domain/link.js';
import type { Logger } from '../logger.js';
import { createPkcePair } from '../trakt/oauth.js';
import type { TraktClient } from '../trakt/client.js';
import type { TokenSet, UserSettings } from '../trakt/types.js';

/**
 * Linking a chat identity to a Trakt account: the authorization-code flow through our OAuth callback
 * (when the service has a public URL) and the device-code flow (always available). Every attempt is a
 * row in `link_attempts`, so a pending device link survives a restart and a callback can be checked
 * against exactly one owner.
 */
/** The chat a link attempt reports to, and what it reports: the core's link event types. */
export type NotifyTarget = LinkNoticeTarget;
export type LinkNotice = LinkEvent;
export type DeviceFailure = DeviceLinkFailure;

/** What the user does next to link: the core's `LinkStartInfo`. */
export type LinkStart = LinkStartInfo;

export type CallbackOutcome =
  | { ok: true; traktUsername: string }
  | { ok: false; reason: 'missing' | 'unknown' | 'expired' | 'used' | 'denied' | 'failed' };

export interface LinkServiceDeps {
  database: Database;
  ring: KeyRing;
  trakt: TraktClient;
  /** `PUBLIC_URL/oauth/callback`, or null when the service has no public URL (device code only). */
  redirectUri: string | null;
  logger: Logger;
  notify(notice: LinkNotice): Promise<void>;
  now?: () => Date;
}

/** How long an authorization link stays usable. */
export const OAUTH_STATE_TTL_MS = 10 * 60 * 1000;
/** Redirect URI for refreshes of device-code tokens, which have no redirect (REFERENCE §3.3). */
export const DEVICE_REDIRECT_URI = 'urn:ietf:wg:oauth:2.0:oob';

export interface LinkService {
  readonly supportsOAuth: boolean;
  /** Starts linking; `method` defaults to OAuth when there is a public URL, otherwise device code. */
  start(input: { identityId: number; notify: NotifyTarget; method?: 'oauth' | 'device' }): Promise<LinkStart>;
  /** The OAuth callback: checks `state`, exchanges the code, stores the link, notifies the chat. */
  completeCallback(query: { state?: string; code?: string; error?: string }): Promise<CallbackOutcome>;
  /** Polls every device attempt that is due; returns how many were polled. Safe from several processes. */
  pollDueDevices(): Promise<number>;
  unlink(identityId: number): Promise<{ wasLinked: boolean; revoked: boolean }>;
}

const ATTEMPTS = 'link_attempts';

export function hashState(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}

export function createLinkService(deps: LinkServiceDeps): LinkService {
  const now = deps.now ?? (() => new Date());
  const { db } = deps.database;

  /** Cancels the user's pending attempts; true when one of them was a device code still in time. */
  async function cancelPending(identityId: number): Promise<boolean> {
    const cancelled = await db
      .update(linkAttempts)
      .set({ status: 'cancelled' })
      .where(and(eq(linkAttempts.identityId, identityId), eq(linkAttempts.status, 'pending')))
      .returning({ kind: linkAttempts.kind, expiresAt: linkAttempts.expiresAt });
    return cancelled.some((row) => row.kind === 'device' && row.expiresAt.getTime() > now().getTime());
  }

  async function storeLink(identityId: number, tokens: TokenSet): Promise<UserSettings> {
    // Read who this is with the new token before anything is stored.
    const settings = await deps.trakt
      .forUser({ key: `link:${identityId}`, getAccessToken: () => Promise.resolve(tokens.accessToken) })
      .settings();
    await saveTraktLink(
      db,
      deps.ring,
      identityId,
      {
        username: settings.username,
        slug: settings.slug,
        uuid: settings.uuid ?? null,
        vip: settings.vip,
        watchlistLimit: settings.limits.watchlist ?? null,
      },
      tokens,
    );
    return settings;
  }

  async function announce(notice: LinkNotice): Promise<void> {
    try {
      await deps.notify(notice);
    } catch (error) {
      deps.logger.error({ err: error, identityId: notice.identityId }, 'could not tell the user about their link');
    }
  }

  async function startOAuth(identityId: number, target: NotifyTarget, redirectUri: string): Promise<LinkStart> {
    const id = randomBytes(12).toString('base64url');
    const state = randomBytes(32).toString('base64url');
    const pkce = createPkcePair();
    const expiresAt = new Date(now().getTime() + OAUTH_STATE_TTL_MS);
    await db.insert(linkAttempts).values({
      id,
      identityId,
      kind: 'oauth',
      stateHash: hashState(state),
      pkceVerifierEnc: encryptToken(deps.ring, pkce.verifier, secretAad(ATTEMPTS, 'pkce_verifier', id)),
      notify: target,
      expiresAt,
    });
    const url = deps.trakt.oauth.authorizeUrl({ redirectUri, state, codeChallenge: pkce.challenge });
    return { kind: 'oauth', url, expiresAt };
  }

  async function startDevice(identityId: number, target: NotifyTarget, replacedCode: boolean): Promise<LinkStart> {
    const code = await deps.trakt.oauth.requestDeviceCode();
    const id = randomBytes(12).toString('base64url');
    await db.insert(linkAttempts).values({
      id,
      identityId,
      kind: 'device',
      deviceCodeEnc: encryptToken(deps.ring, code.deviceCode, secretAad(ATTEMPTS, 'device_code', id)),
      userCode: code.userCode,
      verificationUrl: code.verificationUrl,
      pollIntervalSeconds: code.intervalSeconds,
      nextPollAt: new Date(now().getTime() + code.intervalSeconds * 1000),
      notify: target,
      expiresAt: code.expiresAt,
    });
    // Trakt's activation page takes the code in its path, so one tap opens it filled in (REFERENCE §3.7).
    const url = `${code.verificationUrl.replace(/\/+$/, '')}/${encodeURIComponent(code.userCode)}`;
    return { kind: 'device', url, userCode: code.userCode, expiresAt: code.expiresAt, ...(replacedCode ? { replacedCode } : {}) };
  }

  async function finishDevice(row: LinkAttemptRow, update: Partial<typeof linkAttempts.$inferInsert>): Promise<void> {
    await db.update(linkAttempts).set(update).where(eq(linkAttempts.id, row.id));
  }

  async function pollOne(row: LinkAttemptRow): Promise<void> {
    const target = row.notify;
    if (target === null || row.deviceCodeEnc === null) {
      await finishDevice(row, { status: 'failed' });
      return;
    }
    if (row.expiresAt.getTime() <= now().getTime()) {
      await finishDevice(row, { status: 'expired' });
      await announce({ kind: 'failed', identityId: row.identityId, target, reason: 'expired' });
      return;
    }
    const deviceCode = decryptToken(deps.ring, row.deviceCodeEnc, secretAad(ATTEMPTS, 'device_code', row.id));
    const interval = row.pollIntervalSeconds ?? 5;
    let result;
    try {
      result = await deps.trakt.oauth.pollDeviceToken(deviceCode);
    } catch (error) {
      // Trakt unavailable: try again at the next interval; the code's own expiry bounds this.
      deps.logger.warn({ err: error, attempt: row.id }, 'device poll failed; will retry');
      await finishDevice(row, { nextPollAt: new Date(now().getTime() + interval * 1000) });
      return;
    }
    switch (result.status) {
      case 'pending':
        await finishDevice(row, { nextPollAt: new Date(now().getTime() + interval * 1000) });
        return;
      case 'slow_down': {
        // RFC 8628 §3.5: add 5 seconds to the interval for this and every later poll.
        const slower = interval + 5;
        await finishDevice(row, { pollIntervalSeconds: slower, nextPollAt: new Date(now().getTime() + slower * 1000) });
        return;
      }
      case 'authorized': {
        await finishDevice(row, { status: 'linked', usedAt: now(), deviceCodeEnc: null });
        try {
          const settings = await storeLink(row.identityId, result.tokens);
          await announce({
            kind: 'linked',
            identityId: row.identityId,
            target,
            traktUsername: settings.username,
            vip: settings.vip,
            watchlistLimit: settings.limits.watchlist ?? null,
          });
        } catch (error) {
          deps.logger.error({ err: error, attempt: row.id }, 'device link approved but could not be stored');
          await finishDevice(row, { status: 'failed' });
          await announce({ kind: 'failed', identityId: row.identityId, target, reason: 'error' });
        }
        return;
      }
      case 'denied':
      case 'expired':
      case 'invalid_code':
      case 'already_used': {
        const status = result.status === 'denied' ? 'denied' : result.status === 'expired' ? 'expired' : 'failed';
        await finishDevice(row, { status, deviceCodeEnc: null });
        await announce({ kind: 'failed', identityId: row.identityId, target, reason: result.status });
        return;
      }
    }
  }

  return {
    supportsOAuth: deps.redirectUri !== null,

    async start({ identityId, notify, method }) {
      const replacedCode = await cancelPending(identityId);
      const redirectUri = deps.redirectUri;
      if ((method ?? (redirectUri !== null ? 'oauth' : 'device')) === 'oauth' && redirectUri !== null) {
        return startOAuth(identityId, notify, redirectUri);
      }
      return startDevice(identityId, notify, replacedCode);
    },

    async completeCallback(query) {
      const redirectUri = deps.redirectUri;
      if (redirectUri === null || typeof query.state !== 'string' || query.state === '' || query.state.length > 512) {
        return { ok: false, reason: 'missing' };
      }
      const [attempt] = await db
        .select()
        .from(linkAttempts)
        .where(and(eq(linkAttempts.stateHash, hashState(query.state)), eq(linkAttempts.kind, 'oauth')))
        .limit(1);
      if (attempt === undefined) return { ok: false, reason: 'unknown' };
      if (attempt.usedAt !== null || attempt.status !== 'pending') return { ok: false, reason: 'used' };
      // Claim the state before anything else: a second request with the same state finds it used.
      const claimed = await db
        .update(linkAttempts)
        .set({ usedAt: now(), pkceVerifierEnc: null })
        .where(and(eq(linkAttempts.id, attempt.id), sql`${linkAttempts.usedAt} is null`))
        .returning({ id: linkAttempts.id });
      if (claimed.length === 0) return { ok: false, reason: 'used' };
      if (attempt.expiresAt.getTime() <= now().getTime()) {
        await db.update(linkAttempts).set({ status: 'expired' }).where(eq(linkAttempts.id, attempt.id));
        return { ok: false, reason: 'expired' };
      }
      if (query.error !== undefined || typeof query.code !== 'string' || query.code === '') {
        await db.update(linkAttempts).set({ status: 'denied' }).where(eq(linkAttempts.id, attempt.id));
        return { ok: false, reason: 'denied' };
      }
      const target = attempt.notify;
      try {
        const verifier =
          attempt.pkceVerifierEnc === null
            ? undefined
            : decryptToken(deps.ring, attempt.pkceVerifierEnc, secretAad(ATTEMPTS, 'pkce_verifier', attempt.id));
        const tokens = await deps.trakt.oauth.exchangeCode({ code: query.code, redirectUri, codeVerifier: verifier });
        const settings = await storeLink(attempt.identityId, tokens);
        await db.update(linkAttempts).set({ status: 'linked' }).where(eq(linkAttempts.id, attempt.id));
        if (target !== null) {
          await announce({
            kind: 'linked',
            identityId: attempt.identityId,
            target,
            traktUsername: settings.username,
            vip: settings.vip,
            watchlistLimit: settings.limits.watchlist ?? null,
          });
        }
        return { ok: true, traktUsername: settings.username };
      } catch (error) {
        deps.logger.error({ err: error, attempt: attempt.id }, 'OAuth callback could not complete the link');
        await db.update(linkAttempts).set({ status: 'failed' }).where(eq(linkAttempts.id, attempt.id));
        if (target !== null) await announce({ kind: 'failed', identityId: attempt.identityId, target, reason: 'error' });
        return { ok: false, reason: 'failed' };
      }
    },

    async pollDueDevices() {
      // Claim due attempts for 30 s so that another process polling at the same moment skips them.
      const claimed = rowsOf<{ id: string }>(
        await db.execute(sql`
          update ${linkAttempts} set next_poll_at = now() + interval '30 seconds'
          where id in (
            select id from ${linkAttempts}
            where kind = 'device' and status = 'pending' and next_poll_at <= ${now()}
            order by next_poll_at
            limit 50
            for update skip locked
          )
          returning id`),
      );
      if (claimed.length === 0) return 0;
      const rows = await db
        .select()
        .from(linkAttempts)
        .where(inArray(linkAttempts.id, claimed.map((r) => r.id)));
      for (const row of rows) {
        try {
          await pollOne(row);
        } catch (error) {
          deps.logger.error({ err: error, attempt: row.id }, 'device poll step failed');
        }
      }
      return rows.length;
    },

    async unlink(identityId) {
      await cancelPending(identityId);
      const row = await findTraktLink(db, identityId);
      if (row === undefined) return { wasLinked: false, revoked: false };
      let revoked = false;
      try {
        const tokens = decryptTokens(deps.ring, row);
        await deps.trakt.oauth.revokeToken(tokens.accessToken);
        revoked = true;
      } catch (error) {
        // Best effort: the link is deleted here whatever Trakt says.
        deps.logger.warn({ err: error, identityId }, 'revoking the Trakt token failed; deleting the link anyway');
      }
      await deleteTraktLink(db, identityId);
      return { wasLinked: true, revoked };
    },
  };
}

/** Deletes finished or long-expired attempts; run now and then. */
export async function pruneLinkAttempts(database: Database, olderThan: Date): Promise<void> {
  await database.db.delete(linkAttempts).where(lte(linkAttempts.expiresAt, olderThan));
}
