import { randomInt } from 'node:crypto';
import type { Database } from '../../src/db/client.js';
import { createKeyRing, generateKeyBase64, type KeyRing } from '../../src/db/crypto.js';
import { upsertChatIdentity } from '../../src/db/queries/identities.js';
import { saveTraktLink } from '../../src/db/queries/trakt-links.js';
import type { Logger } from '../../src/logger.js';
import { createTraktClient, type TraktClient } from '../../src/trakt/client.js';
import type { TraktEmulator } from '../emulators/trakt/index.js';

/** A Trakt client pointed at an emulator, with quick retries so fault tests stay short. */
export function traktClientFor(emulator: TraktEmulator, logger?: Logger): TraktClient {
  return createTraktClient({
    apiUrl: emulator.url,
    authUrl: emulator.authUrl,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    userAgent: 'Marquee/test',
    timeoutMs: 5_000,
    retry: { retries: 2, baseDelayMs: 20, maxDelayMs: 200, maxRetryTimeMs: 5_000 },
    ...(logger === undefined ? {} : { logger }),
  });
}

export function testKeyRing(): KeyRing {
  return createKeyRing([generateKeyBase64()]);
}

export function uniqueName(prefix: string): string {
  return `${prefix}${randomInt(1, 2 ** 40).toString(36)}`;
}

/** A chat identity linked to a fresh emulated Trakt user with emulator-issued tokens (no OAuth dance). */
export async function linkedIdentity(
  database: Database,
  ring: KeyRing,
  emulator: TraktEmulator,
  options: { platform?: 'telegram' | 'discord'; vip?: boolean; expiresIn?: number; createdAt?: Date } = {},
) {
  const username = uniqueName('user');
  const user = emulator.addUser({ username, vip: options.vip ?? false });
  const identity = await upsertChatIdentity(database.db, {
    platform: options.platform ?? 'telegram',
    platformUserId: String(randomInt(1, 2 ** 47)),
  });
  const issued = emulator.issueTokens(username, options.expiresIn === undefined ? {} : { expiresIn: options.expiresIn });
  const createdAt = options.createdAt ?? new Date(issued.created_at * 1000);
  await saveTraktLink(
    database.db,
    ring,
    identity.id,
    { username: user.username, slug: user.slug, uuid: user.uuid, vip: user.vip, watchlistLimit: user.watchlistLimit },
    {
      accessToken: issued.access_token,
      refreshToken: issued.refresh_token,
      createdAt,
      expiresAt: new Date(createdAt.getTime() + issued.expires_in * 1000),
    },
  );
  return { identity, user, issued };
}
