import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database, Db } from '../db/client.js';
import type { KeyRing } from '../db/crypto.js';
import { decryptTokens, encryptTokensFor, findTraktLinkShared, forgetSharedTraktLink, type StoredTokens } from '../db/queries/trakt-links.js';
import { traktLinks, type TraktLinkRow } from '../db/schema.js';
import type { RelinkRequiredEvent } from '../domain/link.js';
import type { Logger } from '../logger.js';
import { TraktRefreshRejectedError } from '../trakt/errors.js';
import type { AccessTokenProvider, TokenSet } from '../trakt/types.js';

/**
 * Keeps users' Trakt tokens alive.
 *
 * Trakt's refresh tokens are single-use (REFERENCE §3.5): two refreshes racing with the same token log
 * the user out. So a refresh is single-flight per link: within a process through a shared promise,
 * across processes sharing a Postgres through a row lock (`select ... for update`) held while the
 * refresh request is in flight. The loser of the race then reads the winner's new tokens instead of
 * refreshing again.
 *
 * Tokens are refreshed ahead of expiry, at a share of their own lifetime (`created_at + expires_in`
 * as Trakt sent them; never a hard-coded lifetime, REFERENCE §3.4), and once after a 401.
 */
export class NotLinkedError extends Error {
  constructor() {
    super('This chat account is not linked to Trakt.');
    this.name = 'NotLinkedError';
  }
}

export class RelinkRequiredError extends Error {
  constructor() {
    super('The Trakt link stopped working and must be renewed.');
    this.name = 'RelinkRequiredError';
  }
}

/** What `onRelinkRequired` receives: the core's event type. */
export type RelinkNotice = RelinkRequiredEvent;

export interface TokenManagerDeps {
  database: Database;
  ring: KeyRing;
  oauth: { refreshToken(input: { refreshToken: string; redirectUri: string }): Promise<TokenSet> };
  /** The redirect URI the app is registered with (Trakt wants it on refresh too, REFERENCE §3.3). */
  redirectUri: string;
  logger: Logger;
  now?: () => Date;
  /** Share of a token's lifetime after which it is refreshed ahead of expiry (REFERENCE §3.4: 50-80 %). */
  refreshAtShare?: number;
  /**
   * Called once per broken link (refresh refused): tell the user, with a re-link button. Never called
   * again for the same link until it is linked anew.
   */
  onRelinkRequired(notice: RelinkNotice): Promise<void>;
}

export interface TokenManager {
  /** An access-token provider for the Trakt client, for one linked chat identity. */
  providerFor(identityId: number): Promise<AccessTokenProvider>;
  /** A valid access token, refreshed first when due. Throws NotLinkedError or RelinkRequiredError. */
  accessToken(identityId: number): Promise<string>;
  /**
   * Refreshes every active link that is due, so users who stay away for longer than a token lives
   * still find their link working. Returns how many were due.
   */
  refreshDue(limit?: number): Promise<number>;
}

export function createTokenManager(deps: TokenManagerDeps): TokenManager {
  const now = deps.now ?? (() => new Date());
  const share = deps.refreshAtShare ?? 0.75;
  const inFlight = new Map<number, Promise<string>>();

  const isDue = (tokens: Pick<StoredTokens, 'createdAt' | 'expiresAt'>): boolean => {
    const lifetime = tokens.expiresAt.getTime() - tokens.createdAt.getTime();
    return now().getTime() >= tokens.createdAt.getTime() + lifetime * share;
  };

  async function loadUsable(identityId: number): Promise<{ row: TraktLinkRow; tokens: StoredTokens }> {
    // Shared with the other reads of the same update (is this user linked, the provider): one round trip.
    const row = await findTraktLinkShared(deps.database.db, identityId);
    if (row === undefined) throw new NotLinkedError();
    if (row.status !== 'active') throw new RelinkRequiredError();
    return { row, tokens: decryptTokens(deps.ring, row) };
  }

  /**
   * Refreshes unless someone else already did. `staleAccessToken` is the token the caller saw: when the
   * stored one differs, another refresh won the race and its result is used.
   */
  function refresh(identityId: number, staleAccessToken: string | null): Promise<string> {
    const existing = inFlight.get(identityId);
    if (existing !== undefined) return existing;
    const running = (async () => {
      // The lock's transaction must commit, so a refused refresh is reported out of it and recorded after.
      const outcome = await withLinkLock(identityId, async (db): Promise<{ token: string } | { refused: TraktLinkRow }> => {
        const [row] = await lockedRow(db, identityId);
        if (row === undefined) throw new NotLinkedError();
        if (row.status !== 'active') throw new RelinkRequiredError();
        const tokens = decryptTokens(deps.ring, row);
        const replacedMeanwhile = staleAccessToken !== null && tokens.accessToken !== staleAccessToken;
        if (replacedMeanwhile || (staleAccessToken === null && !isDue(tokens))) return { token: tokens.accessToken };

        let fresh: TokenSet;
        try {
          fresh = await deps.oauth.refreshToken({ refreshToken: tokens.refreshToken, redirectUri: deps.redirectUri });
        } catch (error) {
          if (error instanceof TraktRefreshRejectedError) return { refused: row };
          throw error;
        }
        await db
          .update(traktLinks)
          .set({
            ...encryptTokensFor(deps.ring, identityId, fresh),
            tokenCreatedAt: fresh.createdAt,
            expiresAt: fresh.expiresAt,
            updatedAt: now(),
          })
          .where(eq(traktLinks.identityId, identityId));
        forgetSharedTraktLink(deps.database.db, identityId);
        deps.logger.info({ identityId, expiresAt: fresh.expiresAt.toISOString() }, 'Trakt token refreshed');
        return { token: fresh.accessToken };
      });
      if ('token' in outcome) return outcome.token;
      await markRelinkRequired(deps.database.db, outcome.refused);
      throw new RelinkRequiredError();
    })().finally(() => {
      inFlight.delete(identityId);
      forgetSharedTraktLink(deps.database.db, identityId);
    });
    inFlight.set(identityId, running);
    return running;
  }

  async function markRelinkRequired(db: Db, row: TraktLinkRow): Promise<void> {
    await db
      .update(traktLinks)
      .set({ status: 'needs_relink', updatedAt: now() })
      .where(eq(traktLinks.identityId, row.identityId));
    forgetSharedTraktLink(deps.database.db, row.identityId);
    // Only the update that sets relink_notified_at tells the user, so they hear it once.
    const claimed = await db
      .update(traktLinks)
      .set({ relinkNotifiedAt: now() })
      .where(and(eq(traktLinks.identityId, row.identityId), isNull(traktLinks.relinkNotifiedAt)))
      .returning({ id: traktLinks.identityId });
    deps.logger.warn({ identityId: row.identityId }, 'Trakt refused the refresh token; the link needs renewing');
    if (claimed.length > 0) {
      deps
        .onRelinkRequired({ identityId: row.identityId, traktUsername: row.traktUsername })
        .catch((error: unknown) => deps.logger.error({ err: error, identityId: row.identityId }, 'relink notice failed'));
    }
  }

  /**
   * Runs `work` holding the link's row lock. On Postgres the lock is a row lock inside a transaction,
   * which also serializes processes. An embedded PGlite belongs to one process, where the in-flight
   * map already serializes; holding its only connection during an HTTP call would stall every query.
   */
  async function withLinkLock<T>(identityId: number, work: (db: Db) => Promise<T>): Promise<T> {
    if (deps.database.driver === 'pglite') return work(deps.database.db);
    return deps.database.db.transaction(async (tx) => work(tx as unknown as Db));
  }

  async function lockedRow(db: Db, identityId: number): Promise<TraktLinkRow[]> {
    if (deps.database.driver === 'pglite') {
      return db.select().from(traktLinks).where(eq(traktLinks.identityId, identityId));
    }
    return db.select().from(traktLinks).where(eq(traktLinks.identityId, identityId)).for('update');
  }

  async function accessToken(identityId: number): Promise<string> {
    const { tokens } = await loadUsable(identityId);
    if (!isDue(tokens)) return tokens.accessToken;
    return refresh(identityId, null);
  }

  return {
    accessToken,
    async refreshDue(limit = 50) {
      const due = await linksDueForRefresh(deps.database.db, now(), share, limit);
      for (const identityId of due) {
        try {
          await accessToken(identityId);
        } catch (error) {
          // A refused refresh has already been recorded and told; anything else is tried next round.
          if (!(error instanceof RelinkRequiredError || error instanceof NotLinkedError)) {
            deps.logger.warn({ err: error, identityId }, 'background token refresh failed; will retry');
          }
        }
      }
      return due.length;
    },
    async providerFor(identityId) {
      const { row } = await loadUsable(identityId);
      return {
        // The limiter key: the Trakt account, so two chat identities linked to one account share limits.
        key: `trakt:${row.traktSlug}`,
        getAccessToken: () => accessToken(identityId),
        refreshAfterUnauthorized: async (rejectedToken) => {
          try {
            return await refresh(identityId, rejectedToken);
          } catch (error) {
            if (error instanceof RelinkRequiredError || error instanceof NotLinkedError) return null;
            throw error;
          }
        },
      };
    },
  };
}

/** Active links past `share` of their token's lifetime at `at`, oldest first. */
async function linksDueForRefresh(db: Db, at: Date, share: number, limit: number): Promise<number[]> {
  const rows = await db
    .select({ id: traktLinks.identityId })
    .from(traktLinks)
    .where(
      and(
        eq(traktLinks.status, 'active'),
        sql`${traktLinks.tokenCreatedAt} + (${traktLinks.expiresAt} - ${traktLinks.tokenCreatedAt}) * ${share} <= ${at}`,
      ),
    )
    .orderBy(traktLinks.expiresAt)
    .limit(limit);
  return rows.map((r) => r.id);
}
