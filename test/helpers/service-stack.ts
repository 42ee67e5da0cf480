import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyBase64 } from '../../src/db/crypto.js';
import { upsertChatIdentity } from '../../src/db/queries/identities.js';
import { saveTraktLink } from '../../src/db/queries/trakt-links.js';
import type { RunningService } from '../../src/main.js';
import type { TraktEmulator } from '../emulators/trakt/index.js';
import { TEST_DATABASE_URL, throwAwayDatabase, type ThrowAwayDatabase } from './db.js';

/**
 * Storage for one service started by an end-to-end test: a PGlite directory (memory-backed when the
 * machine has /dev/shm: migrations write many small files), or on Postgres a database of its own,
 * because the service polls device links and refreshes tokens across its whole database and must not
 * touch a neighbouring test's rows.
 */
export async function serviceStorage(prefix: string): Promise<{ env: Record<string, string>; dispose(): Promise<void> }> {
  const dataDir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), `${prefix}-`));
  const env: Record<string, string> = { DATA_DIR: dataDir };
  let own: ThrowAwayDatabase | undefined;
  if (TEST_DATABASE_URL !== null) {
    own = await throwAwayDatabase();
    env.DATABASE_URL = own.url ?? TEST_DATABASE_URL;
    env.TOKEN_ENCRYPTION_KEY = generateKeyBase64();
  }
  return {
    env,
    async dispose() {
      await own?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Links a chat user to a new emulated Trakt user with emulator-issued tokens, skipping the OAuth dance. */
export async function linkChatUser(
  service: RunningService,
  trakt: TraktEmulator,
  chatUser: { platform: 'telegram' | 'discord'; userId: string },
  opts: { vip?: boolean; watchlistLimit?: number } = {},
): Promise<{ username: string }> {
  const username = `u${randomInt(1, 2 ** 40).toString(36)}`;
  const traktUser = trakt.addUser({
    username,
    vip: opts.vip ?? false,
    ...(opts.watchlistLimit === undefined ? {} : { watchlistLimit: opts.watchlistLimit }),
  });
  const identity = await upsertChatIdentity(service.database.db, { platform: chatUser.platform, platformUserId: chatUser.userId });
  const issued = trakt.issueTokens(username);
  const createdAt = new Date(issued.created_at * 1000);
  await saveTraktLink(
    service.database.db,
    service.keyRing,
    identity.id,
    { username: traktUser.username, slug: traktUser.slug, uuid: traktUser.uuid, vip: traktUser.vip, watchlistLimit: traktUser.watchlistLimit },
    { accessToken: issued.access_token, refreshToken: issued.refresh_token, createdAt, expiresAt: new Date(createdAt.getTime() + issued.expires_in * 1000) },
  );
  return { username };
}
