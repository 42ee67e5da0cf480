import type { LinkEvent } from './ports.js';
import { rich, type MessageRef, type Reply } from './types.js';

/** Messages the service sends on its own (not as an answer), e.g. when a link completes. */
/** A chat, or a user to reach privately (Telegram: their private chat; Discord: a DM). */
export type DeliveryTarget =
  | { platform: 'telegram' | 'discord'; chatId: string }
  | { platform: 'telegram' | 'discord'; userId: string };

/**
 * Sends and edits messages outside an answer to an update: link notices, late outcomes, and
 * background work updating a card it sent earlier. Both resolve to the message as it now is: `edit`
 * returns a new reference when the platform could not change the message in place (Telegram cannot
 * turn a text message into a photo card, so it is replaced). Undefined when no adapter serves the
 * platform.
 */
export interface Outbox {
  send(target: DeliveryTarget, reply: Reply): Promise<MessageRef | undefined>;
  edit(ref: MessageRef, reply: Reply): Promise<MessageRef | undefined>;
}

/** What each chat adapter gives the outbox. */
export interface OutboxSender {
  send(target: DeliveryTarget, reply: Reply): Promise<MessageRef>;
  edit(ref: MessageRef, reply: Reply): Promise<MessageRef>;
}

/** Collects the adapters' senders; a platform without an adapter drops messages with a log line. */
export function createOutbox(onMissing: (platform: string) => void): Outbox & {
  register(platform: 'telegram' | 'discord', sender: OutboxSender): void;
} {
  const senders = new Map<string, OutboxSender>();
  return {
    register(platform, sender) {
      senders.set(platform, sender);
    },
    async send(target, reply) {
      const sender = senders.get(target.platform);
      if (sender === undefined) {
        onMissing(target.platform);
        return undefined;
      }
      return sender.send(target, reply);
    },
    async edit(ref, reply) {
      const sender = senders.get(ref.platform);
      if (sender === undefined) {
        onMissing(ref.platform);
        return undefined;
      }
      return sender.edit(ref, reply);
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
