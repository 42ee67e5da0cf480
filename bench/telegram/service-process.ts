/**
 * The Marquee service for the Telegram benchmark, in its own process (as in production), started with
 * `startService` from the environment the parent passes. It also links benchmark users: it stores
 * emulator-issued tokens the way a completed link does (`saveTraktLink`).
 *
 * parent → child: { type: 'link', links } | { type: 'stop' }
 * child → parent: { type: 'ready', url } | { type: 'linked' } | { type: 'failed', message }
 */
import { upsertChatIdentity } from '../../src/db/queries/identities.js';
import { saveTraktLink } from '../../src/db/queries/trakt-links.js';
import { createLogger } from '../../src/logger.js';
import { startService } from '../../src/main.js';
import type { BenchUser } from './trakt-process.js';

const send = (message: unknown): void => {
  process.send?.(message);
};

const service = await startService({
  env: process.env,
  logger: createLogger({ level: (process.env.LOG_LEVEL as 'warn' | undefined) ?? 'warn' }),
}).catch((error: unknown) => {
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
send({ type: 'ready', url: service.url });

async function link(links: Array<{ telegramId: number; user: BenchUser }>): Promise<void> {
  for (const { telegramId, user } of links) {
    const identity = await upsertChatIdentity(service.database.db, { platform: 'telegram', platformUserId: String(telegramId) });
    const createdAt = new Date(user.createdAt * 1000);
    await saveTraktLink(
      service.database.db,
      service.keyRing,
      identity.id,
      { username: user.username, slug: user.slug, uuid: user.uuid, vip: true, watchlistLimit: 5000 },
      { accessToken: user.accessToken, refreshToken: user.refreshToken, createdAt, expiresAt: new Date(createdAt.getTime() + user.expiresIn * 1000) },
    );
  }
}

process.on('message', (message: { type: string; links?: Array<{ telegramId: number; user: BenchUser }> }) => {
  if (message.type === 'link') {
    link(message.links ?? []).then(
      () => send({ type: 'linked' }),
      (error: unknown) => send({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
    );
  }
  if (message.type === 'stop') void service.stop('benchmark over').then(() => process.exit(0));
});
process.on('disconnect', () => void service.stop('parent gone').then(() => process.exit(0)));
