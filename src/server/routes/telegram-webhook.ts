import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Update } from 'grammy/types';

export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';

export interface TelegramWebhookDeps {
  /** The value Telegram sends in `X-Telegram-Bot-Api-Secret-Token` (set with setWebhook). */
  secret: string;
  /**
   * Hands the update to the bot. `accepted` (handled in the background), `duplicate` (handled already)
   * and `in-progress` (another instance holds it; if that one dies, the update kept with its claim is
   * taken over) are acknowledged; `retry` (its claim could not be recorded) and `not-ready` answer 503,
   * so Telegram sends the update again later.
   */
  accept(update: Update): Promise<'accepted' | 'duplicate' | 'in-progress' | 'retry' | 'not-ready'>;
  path?: string;
}

function sameSecret(given: string, expected: string): boolean {
  // Hashing first gives equal lengths, so the comparison time says nothing about the secret.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * `POST /telegram/webhook`: updates from Telegram in webhook mode. Requests without the right secret
 * header are refused before the body is looked at. The update is claimed (by `update_id`, in the
 * database every instance behind the load balancer shares), acknowledged, and handled in the
 * background, so a slow Trakt call never makes Telegram time out and re-send it; a re-sent update is
 * acknowledged without being handled again.
 */
export function registerTelegramWebhook(app: FastifyInstance, deps: TelegramWebhookDeps): void {
  app.post(deps.path ?? TELEGRAM_WEBHOOK_PATH, async (request, reply) => {
    const header = request.headers['x-telegram-bot-api-secret-token'];
    if (typeof header !== 'string' || !sameSecret(header, deps.secret)) {
      return reply.code(401).send({ ok: false, description: 'Unauthorized' });
    }
    const body = request.body as Partial<Update> | undefined;
    if (body === undefined || body === null || typeof body !== 'object' || typeof body.update_id !== 'number') {
      return reply.code(400).send({ ok: false, description: 'Bad Request: not an update' });
    }
    const outcome = await deps.accept(body as Update);
    if (outcome === 'retry') return reply.code(503).send({ ok: false, description: 'Try again later' });
    if (outcome === 'not-ready') return reply.code(503).send({ ok: false, description: 'Not ready' });
    return reply.code(200).send({ ok: true });
  });
}
