import { randomBytes } from 'node:crypto';
import { RELINK_ACTION } from './notices.js';
import { AccountLockedError, NeedsLinkError, TraktRefusedAppError, UserFacingError, VipRequiredError, WatchlistFullError } from './errors.js';
import type { CoreLogger } from './ports.js';
import { plainText, rich, type Button, type Reply } from './types.js';
import { EN, type Translator } from './i18n/index.js';

/** Words the adapters show on their own, kept here so every platform says the same thing. */
export const NOTICES = {
  sentPrivately: 'I answered you in our private chat.',
  startPrivateChat: 'I need to answer you privately, but we have no private chat yet. Open one with the button, then try again.',
  openPrivateChat: 'Open private chat',
  buttonInvalid: 'This button is not valid.',
  buttonStale: 'This button has expired or was already used. Send the command again.',
  buttonForeign: 'This button belongs to someone else. Send the command yourself to get your own.',
  genericError: 'Sorry, something went wrong on my side.',
  working: 'Working on it…',
} as const;

export const LINK_BUTTON_LABEL = EN.t('notices:linkButton');

export function linkButton(i18n: Translator = EN): Button {
  return { label: i18n.t('notices:linkButton'), action: RELINK_ACTION, style: 'primary' };
}

/** What an unlinked user hears from anything that needs a link. */
export function linkPrompt(relink: boolean): Reply {
  return { text: new NeedsLinkError(relink).reply, buttons: [[linkButton()]] };
}

/** `15 minutes`, in the translator's language. */
export function formatMinutes(ms: number, i18n: Translator = EN): string {
  return i18n.t('common:minutes', { count: Math.round(ms / 60_000) });
}

/** The one line users read before linking (PEERS: since 2026-07 a free account connects one app). */
export const ONE_APP_NOTE =
  'Good to know: a free Trakt account can connect only one app at a time, so linking Marquee uses that slot (VIP accounts can connect more).';

/** 420: "used / limit", and the upgrade link for free accounts. */
export function watchlistFullReply(error: WatchlistFullError, used: number | undefined): Reply {
  const limit = error.limit;
  const numbers = limit === undefined ? '' : ` (${Math.max(used ?? limit, limit)} / ${limit} used)`;
  const text = [
    `Your Trakt watchlist is full${numbers}, so nothing was added. Remove something first with /remove`,
    error.vip === true ? '.' : ', or upgrade to Trakt VIP for more room.',
  ].join('');
  const buttons: Button[][] = error.vip === true || !error.upgradeUrl ? [] : [[{ label: 'Trakt VIP', url: error.upgradeUrl }]];
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

export function errorReply(error: unknown, logger: CoreLogger, context: Record<string, unknown>): Reply {
  if (error instanceof UserFacingError) logActionFailure(logger, error, context);
  if (error instanceof NeedsLinkError) return linkPrompt(error.relink);
  if (error instanceof WatchlistFullError) return watchlistFullReply(error, undefined);
  if (error instanceof AccountLockedError) return { text: error.reply };
  if (error instanceof VipRequiredError) {
    return { text: error.reply, ...(error.upgradeUrl ? { buttons: [[{ label: 'Trakt VIP', url: error.upgradeUrl }]] } : {}) };
  }
  if (error instanceof TraktRefusedAppError) {
    // The user cannot fix this; whoever runs the bot must (TRAKT_CLIENT_ID, the app's state on trakt.tv).
    logger.error({ err: error.cause, ...context }, 'Trakt refused the app: check TRAKT_CLIENT_ID and the API app on trakt.tv');
    return { text: error.reply };
  }
  if (error instanceof UserFacingError) return { text: error.reply };
  const ref = randomBytes(4).toString('hex').toUpperCase();
  logger.error({ err: error, ref, ...context }, 'bot handler failed');
  return { text: [NOTICES.genericError, ' Please try again; if it keeps happening, quote reference ', rich.code(ref), '.'] };
}

export function plain(reply: Reply): string {
  return plainText(reply.text);
}
