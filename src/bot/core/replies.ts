import { randomBytes } from 'node:crypto';
import { RELINK_ACTION } from './notices.js';
import { AccountLockedError, NeedsLinkError, TraktRefusedAppError, UserFacingError, VipRequiredError, WatchlistFullError } from './errors.js';
import type { CoreLogger } from './ports.js';
import { plainText, type Button, type Reply } from './types.js';
import { EN, type Translator } from './i18n/index.js';

/** Words the adapters show on their own, kept here so every platform says the same thing. */
export interface Notices {
  sentPrivately: string;
  startPrivateChat: string;
  openPrivateChat: string;
  buttonInvalid: string;
  buttonStale: string;
  buttonForeign: string;
  genericError: string;
  working: string;
  /** A command whose answer turned out empty, after the platform was told to wait (Discord's deferral). */
  done: string;
  unknownCommand(command: string): string;
}

/** The adapters' own words in the reader's language. */
export function noticesIn(i18n: Translator): Notices {
  return {
    sentPrivately: i18n.t('notices:sentPrivately'),
    startPrivateChat: i18n.t('notices:startPrivateChat'),
    openPrivateChat: i18n.t('notices:openPrivateChatButton'),
    buttonInvalid: i18n.t('notices:buttonInvalidAck'),
    buttonStale: i18n.t('notices:buttonStaleAck'),
    buttonForeign: i18n.t('notices:buttonForeignAck'),
    genericError: i18n.t('notices:genericError'),
    working: i18n.t('notices:workingAck'),
    done: i18n.t('notices:done'),
    unknownCommand: (command) => i18n.t('notices:unknownCommandShort', { command }),
  };
}

/** In English (tests compare with these; code that knows its reader uses `noticesIn`). */
export const NOTICES: Readonly<Notices> = noticesIn(EN);

export const LINK_BUTTON_LABEL = EN.t('notices:linkButton');

export function linkButton(i18n: Translator): Button {
  return { label: i18n.t('notices:linkButton'), action: RELINK_ACTION, style: 'primary' };
}

/** What an unlinked user hears from anything that needs a link. */
export function linkPrompt(relink: boolean, i18n: Translator): Reply {
  return { text: new NeedsLinkError(relink).replyIn(i18n), buttons: [[linkButton(i18n)]] };
}

/** `15 minutes`, in the translator's language. */
export function formatMinutes(ms: number, i18n: Translator): string {
  return i18n.t('common:minutes', { count: Math.round(ms / 60_000) });
}

/** The one line users read before linking (PEERS: since 2026-07 a free account connects one app). English; `oneAppNote(i18n)` in the reader's. */
export const ONE_APP_NOTE = EN.t('notices:oneAppNote');

export function oneAppNote(i18n: Translator): string {
  return i18n.t('notices:oneAppNote');
}

function vipButton(url: string, i18n: Translator): Button {
  return { label: i18n.t('notices:vipButton'), url };
}

/** 420: "used / limit", and the upgrade link for free accounts. */
export function watchlistFullReply(error: WatchlistFullError, used: number | undefined, i18n: Translator): Reply {
  const limit = error.limit;
  const upgrade = error.vip !== true;
  const text =
    limit === undefined
      ? i18n.tr(upgrade ? 'notices:watchlistFullUpgrade' : 'notices:watchlistFull')
      : i18n.tr(upgrade ? 'notices:watchlistFullCountedUpgrade' : 'notices:watchlistFullCounted', { used: Math.max(used ?? limit, limit), limit });
  const buttons: Button[][] = error.vip === true || !error.upgradeUrl ? [] : [[vipButton(error.upgradeUrl, i18n)]];
  return { text, ...(buttons.length ? { buttons } : {}) };
}

/**
 * The translation point from errors to replies: user-facing errors say their safe message; anything
 * else is logged with context and answered with a short apology carrying a reference to find the log.
 */
/**
 * The one log line of a user action that failed with an answer the user can act on (Trakt down, a full
 * watchlist, a locked account …): its reason as the core names it, the error's class, and the HTTP
 * status and class of the Trakt failure behind it when there is one. Never the error's message text
 * (it may quote what the user typed); never a secret (errors carry none).
 */
export function logActionFailure(logger: CoreLogger, error: UserFacingError, context: Record<string, unknown>): void {
  const cause = error.cause as { name?: unknown; status?: unknown } | undefined;
  const line = {
    ...context,
    reason: error.code,
    error: error.name,
    ...(typeof cause?.name === 'string' ? { cause: cause.name } : {}),
    ...(typeof cause?.status === 'number' ? { status: cause.status } : {}),
  };
  if (error instanceof NeedsLinkError && !error.relink) logger.info(line, 'user action needs a linked account');
  else logger.warn(line, 'user action failed');
}

/** `i18n`: the reader's language (a handler passes `ctx.i18n`). */
export function errorReply(error: unknown, logger: CoreLogger, context: Record<string, unknown>, i18n: Translator): Reply {
  if (error instanceof UserFacingError) logActionFailure(logger, error, context);
  if (error instanceof NeedsLinkError) return linkPrompt(error.relink, i18n);
  if (error instanceof WatchlistFullError) return watchlistFullReply(error, undefined, i18n);
  if (error instanceof AccountLockedError) return { text: error.replyIn(i18n) };
  if (error instanceof VipRequiredError) {
    return { text: error.replyIn(i18n), ...(error.upgradeUrl ? { buttons: [[vipButton(error.upgradeUrl, i18n)]] } : {}) };
  }
  if (error instanceof TraktRefusedAppError) {
    // The user cannot fix this; whoever runs the bot must (TRAKT_CLIENT_ID, the app's state on trakt.tv).
    logger.error({ err: error.cause, ...context }, 'Trakt refused the app: check TRAKT_CLIENT_ID and the API app on trakt.tv');
    return { text: error.replyIn(i18n) };
  }
  if (error instanceof UserFacingError) return { text: error.replyIn(i18n) };
  const ref = randomBytes(4).toString('hex').toUpperCase();
  logger.error({ err: error, ref, ...context }, 'bot handler failed');
  return { text: i18n.tr('notices:genericErrorWithRef', { ref }) };
}

export function plain(reply: Reply): string {
  return plainText(reply.text);
}
