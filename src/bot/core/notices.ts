import type { LinkEvent } from './ports.js';
import { rich, type Button, type MessageRef, type Reply } from './types.js';
import type { Translator } from './i18n/index.js';

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

/** The message for a finished link attempt, in the user's language (`translatorForIdentity`). */
export function linkNoticeReply(notice: LinkEvent, i18n: Translator): Reply {
  if (notice.kind === 'linked') {
    const linked = i18n.tr(notice.vip ? 'notices:linkedVip' : 'notices:linked', { username: notice.traktUsername });
    const limit = notice.watchlistLimit === null ? [] : [' ', i18n.tr('notices:watchlistHolds', { count: notice.watchlistLimit })];
    return { private: true, text: [linked, ...limit, rich.line, i18n.tr('notices:trySearch')] };
  }
  const reasons: Record<typeof notice.reason, string> = {
    denied: 'notices:linkDenied',
    expired: 'notices:linkExpired',
    invalid_code: 'notices:linkInvalidCode',
    already_used: 'notices:linkAlreadyUsed',
    error: 'notices:linkFailed',
  };
  return { private: true, text: i18n.tr(reasons[notice.reason]), buttons: [[linkAgainButton(i18n)]] };
}

function linkAgainButton(i18n: Translator): Button {
  return { label: i18n.t('notices:linkAgainButton'), action: RELINK_ACTION, style: 'primary' };
}

export function relinkRequiredReply(traktUsername: string, i18n: Translator): Reply {
  return {
    private: true,
    text: i18n.tr('notices:relinkRequired', { username: traktUsername }),
    buttons: [[linkAgainButton(i18n)]],
  };
}
