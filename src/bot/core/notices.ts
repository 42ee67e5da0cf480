import type { LinkEvent } from './ports.js';
import { rich, type Reply } from './types.js';

/** Messages the service sends on its own (not as an answer), e.g. when a link completes. */
/** A chat, or a user to reach privately (Telegram: their private chat; Discord: a DM). */
export type DeliveryTarget =
  | { platform: 'telegram' | 'discord'; chatId: string }
  | { platform: 'telegram' | 'discord'; userId: string };

export interface Outbox {
  send(target: DeliveryTarget, reply: Reply): Promise<void>;
}

/** Collects the adapters' senders; a platform without an adapter drops messages with a log line. */
export function createOutbox(onMissing: (platform: string) => void): Outbox & {
  register(platform: 'telegram' | 'discord', send: Outbox['send']): void;
} {
  const senders = new Map<string, Outbox['send']>();
  return {
    register(platform, send) {
      senders.set(platform, send);
    },
    async send(target, reply) {
      const send = senders.get(target.platform);
      if (send === undefined) {
        onMissing(target.platform);
        return;
      }
      await send(target, reply);
    },
  };
}

export const RELINK_ACTION = 'v1:link:new';

/** The message for a finished link attempt. */
export function linkNoticeReply(notice: LinkEvent): Reply {
  if (notice.kind === 'linked') {
    const limit = notice.watchlistLimit === null ? '' : ` Your watchlist holds up to ${notice.watchlistLimit} items.`;
    return {
      private: true,
      text: ['Linked to Trakt as ', rich.bold(notice.traktUsername), notice.vip ? ' (VIP).' : '.', limit, rich.line, 'Try /search to find something to add.'],
    };
  }
  const reasons: Record<typeof notice.reason, string> = {
    denied: 'You declined the request on Trakt, so nothing was linked.',
    expired: 'The code expired before it was used. Send /link to get a new one.',
    invalid_code: 'Trakt no longer knows that code. Send /link to get a new one.',
    already_used: 'That code was already used. If you are not linked yet, send /link again.',
    error: 'Trakt did not complete the link. Please try /link again in a moment.',
  };
  return { private: true, text: reasons[notice.reason], buttons: [[{ label: 'Link again', action: RELINK_ACTION, style: 'primary' }]] };
}

export function relinkRequiredReply(traktUsername: string): Reply {
  return {
    private: true,
    text: [
      'Your Trakt link for ',
      rich.bold(traktUsername),
      ' stopped working (Trakt no longer accepts its token), so I paused Trakt calls for you. Link again to continue.',
    ],
    buttons: [[{ label: 'Link again', action: RELINK_ACTION, style: 'primary' }]],
  };
}
