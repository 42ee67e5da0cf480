import { and, eq } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import type { Db } from '../client.js';
import { decryptToken, encryptToken, keyIdOfCiphertext, secretAad, TokenDecryptionError, type KeyRing } from '../crypto.js';
import { traktLinks, type TraktLinkRow } from '../schema.js';

export interface StoredTokens {
  accessToken: string;
  refreshToken: string;
  /** Trakt's `created_at`. */
  createdAt: Date;
  /** Trakt's `created_at + expires_in`. */
  expiresAt: Date;
}

export interface TraktAccount {
  username: string;
  slug: string;
  uuid: string | null;
  vip: boolean;
  watchlistLimit: number | null;
}

const TABLE = 'trakt_links';

export function encryptTokensFor(ring: KeyRing, identityId: number, tokens: Pick<StoredTokens, 'accessToken' | 'refreshToken'>) {
  return {
    accessTokenEnc: encryptToken(ring, tokens.accessToken, secretAad(TABLE, 'access_token', identityId)),
    refreshTokenEnc: encryptToken(ring, tokens.refreshToken, secretAad(TABLE, 'refresh_token', identityId)),
    keyId: ring.current.id,
  };
}

/** Decrypts a link row's tokens; throws TokenDecryptionError when the row was tampered with or moved. */
export function decryptTokens(ring: KeyRing, row: TraktLinkRow): StoredTokens {
  return {
    accessToken: decryptToken(ring, row.accessTokenEnc, secretAad(TABLE, 'access_token', row.identityId)),
    refreshToken: decryptToken(ring, row.refreshTokenEnc, secretAad(TABLE, 'refresh_token', row.identityId)),
    createdAt: row.tokenCreatedAt,
    expiresAt: row.expiresAt,
  };
}

/** Creates or replaces the Trakt link of a chat identity (a re-link replaces the old tokens). */
export async function saveTraktLink(
  db: Db,
  ring: KeyRing,
  identityId: number,
  account: TraktAccount,
  tokens: StoredTokens,
): Promise<TraktLinkRow> {
  const values = {
    traktUsername: account.username,
    traktSlug: account.slug,
    traktUuid: account.uuid,
    vip: account.vip,
    watchlistLimit: account.watchlistLimit,
    ...encryptTokensFor(ring, identityId, tokens),
    tokenCreatedAt: tokens.createdAt,
    expiresAt: tokens.expiresAt,
    status: 'active' as const,
    relinkNotifiedAt: null,
    updatedAt: new Date(),
  };
  forgetSharedTraktLink(db, identityId);
  const [row] = await db
    .insert(traktLinks)
    .values({ identityId, ...values, linkedAt: new Date() })
    .onConflictDoUpdate({ target: traktLinks.identityId, set: values })
    .returning();
  forgetSharedTraktLink(db, identityId);
  if (row === undefined) throw new Error('saving the Trakt link returned no row');
  return row;
}

export async function findTraktLink(db: Db, identityId: number): Promise<TraktLinkRow | undefined> {
  const [row] = await db.select().from(traktLinks).where(eq(traktLinks.identityId, identityId)).limit(1);
  return row;
}

/**
 * How long a link read is shared: long enough for the reads one chat update makes (is this user
 * linked; the token provider; the access token) to be one round trip, short enough that a change made
 * by another process is seen by the next update. Every write in this process forgets the link at once.
 */
export const LINK_SHARE_MS = 2000;
const SHARED_MAX = 10_000;
const shared = new WeakMap<Db, LRUCache<number, Promise<TraktLinkRow | undefined>>>();

/**
 * `findTraktLink`, shared for `LINK_SHARE_MS` among callers on the same `db` (and with a read still in
 * flight). Only a link found is shared: a link made just now is always seen.
 */
export function findTraktLinkShared(db: Db, identityId: number): Promise<TraktLinkRow | undefined> {
  let cache = shared.get(db);
  if (cache === undefined) {
    cache = new LRUCache({ max: SHARED_MAX, ttl: LINK_SHARE_MS });
    shared.set(db, cache);
  }
  const known = cache.get(identityId);
  if (known !== undefined) return known;
  const read = findTraktLink(db, identityId);
  cache.set(identityId, read);
  const drop = () => {
    if (cache.peek(identityId) === read) cache.delete(identityId);
  };
  read.then((row) => {
    if (row === undefined) drop();
  }, drop);
  return read;
}

/** Forgets a shared link read after a write to it (or to every link, without an id). */
export function forgetSharedTraktLink(db: Db, identityId?: number): void {
  const cache = shared.get(db);
  if (cache === undefined) return;
  if (identityId === undefined) cache.clear();
  else cache.delete(identityId);
}

export async function deleteTraktLink(db: Db, identityId: number): Promise<boolean> {
  forgetSharedTraktLink(db, identityId);
  const deleted = await db.delete(traktLinks).where(eq(traktLinks.identityId, identityId)).returning({ id: traktLinks.identityId });
  forgetSharedTraktLink(db, identityId);
  return deleted.length > 0;
}

export interface ReencryptResult {
  checked: number;
  reencrypted: number;
  /** Links whose tokens no configured key opens (tampered, or their key was dropped); left as they are. */
  unreadable: number[];
}

/**
 * Re-encrypts every stored token under the ring's current key. Rows already under it are left alone,
 * so the command can be run again after an interruption; a row no key opens is reported, not fatal.
 */
export async function reencryptTraktLinks(db: Db, ring: KeyRing): Promise<ReencryptResult> {
  const rows = await db.select().from(traktLinks);
  let reencrypted = 0;
  const unreadable: number[] = [];
  for (const row of rows) {
    const current =
      keyIdOfCiphertext(row.accessTokenEnc) === ring.current.id && keyIdOfCiphertext(row.refreshTokenEnc) === ring.current.id;
    if (current) continue;
    let tokens: StoredTokens;
    try {
      tokens = decryptTokens(ring, row);
    } catch (error) {
      if (!(error instanceof TokenDecryptionError)) throw error;
      unreadable.push(row.identityId);
      continue;
    }
    await db
      .update(traktLinks)
      .set({ ...encryptTokensFor(ring, row.identityId, tokens), updatedAt: new Date() })
      // Only if no refresh replaced the tokens meanwhile: the service may be running.
      .where(and(eq(traktLinks.identityId, row.identityId), eq(traktLinks.accessTokenEnc, row.accessTokenEnc)));
    reencrypted += 1;
  }
  forgetSharedTraktLink(db);
  return { checked: rows.length, reencrypted, unreadable };
}
