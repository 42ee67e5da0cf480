/**
 * Linking a chat user to their Trakt account, as every part of Marquee speaks of it. The account
 * service (src/accounts) emits these; the core turns them into messages. Neither owns them, so the
 * account service needs nothing of the chat core and the core nothing of the account service.
 */

/** The chat platforms Marquee serves. */
export type Platform = 'telegram' | 'discord';

/** What the user does next to link: open Trakt's consent page, or enter a code on Trakt's device page. */
export type LinkStartInfo =
  | { kind: 'oauth'; url: string; expiresAt: Date }
  /** `replacedCode`: an earlier device code of this user was still pending and no longer works. */
  | { kind: 'device'; url: string; userCode: string; expiresAt: Date; replacedCode?: boolean };

/** Where a link event is announced: the chat the user started linking from. */
export interface LinkNoticeTarget {
  platform: Platform;
  chatId: string;
}

/** Why a device-code link ended without a link (Trakt's device-token answers, REFERENCE §3.3). */
export type DeviceLinkFailure = 'denied' | 'expired' | 'invalid_code' | 'already_used';

/** A link attempt finished, on its own time (the OAuth callback or a device-code poll). */
export type LinkEvent =
  | { kind: 'linked'; identityId: number; target: LinkNoticeTarget; traktUsername: string; vip: boolean; watchlistLimit: number | null }
  | { kind: 'failed'; identityId: number; target: LinkNoticeTarget; reason: DeviceLinkFailure | 'error' };

/** A stored link stopped working (Trakt refused its refresh); the user must link again. */
export interface RelinkRequiredEvent {
  identityId: number;
  traktUsername: string;
}
