import type { Rich } from './types.js';

/**
 * The two error families of the bot (ARCHITECTURE principle 6). A `UserFacingError` carries a code
 * and a message that is safe to show as is; anything else is logged with context and shown as a
 * short apology with a reference the user can quote. The ports translate the outside world's errors
 * (Trakt statuses, token problems) into the subclasses below, so the core never sees an HTTP status.
 */
export class UserFacingError extends Error {
  override readonly name: string = 'UserFacingError';
  readonly code: string;
  readonly reply: Rich;

  constructor(code: string, reply: Rich, options?: { cause?: unknown }) {
    super(typeof reply === 'string' ? reply : code, options);
    this.code = code;
    this.reply = reply;
  }
}

/** The user has no usable Trakt link: answer with a Link button. */
export class NeedsLinkError extends UserFacingError {
  override readonly name = 'NeedsLinkError';
  /** True when a link existed but Trakt no longer accepts it. */
  readonly relink: boolean;

  constructor(relink: boolean) {
    super(
      relink ? 'relink-required' : 'not-linked',
      relink
        ? 'Your Trakt link stopped working (Trakt no longer accepts it). Link again to continue.'
        : 'This needs your Trakt account. Link it first: it takes a minute.',
    );
    this.relink = relink;
  }
}

/** Trakt answered 420: the watchlist is at its limit. The numbers come from Trakt, never from constants. */
export class WatchlistFullError extends UserFacingError {
  override readonly name = 'WatchlistFullError';
  readonly limit: number | undefined;
  readonly vip: boolean | undefined;
  readonly upgradeUrl: string | undefined;

  constructor(input: { limit: number | undefined; vip: boolean | undefined; upgradeUrl: string | undefined; cause?: unknown }) {
    super('watchlist-full', 'Your Trakt watchlist is full.', { cause: input.cause });
    this.limit = input.limit;
    this.vip = input.vip;
    this.upgradeUrl = input.upgradeUrl;
  }
}

/** Trakt answered 423. */
export class AccountLockedError extends UserFacingError {
  override readonly name = 'AccountLockedError';
  constructor(options?: { cause?: unknown }) {
    super(
      'account-locked',
      'Trakt says your account is locked, so nothing was changed. Trakt asks you to contact their support (support@trakt.tv) to unlock it.',
      options,
    );
  }
}

/**
 * Trakt answered 403 (or 401 `invalid_client`): it refuses the app itself (client id invalid, app
 * unapproved, blocked or deleted; REFERENCE §13), so nothing works for anyone until whoever runs the bot
 * fixes the app. Not retried; logged for the operator.
 */
export class TraktRefusedAppError extends UserFacingError {
  override readonly name = 'TraktRefusedAppError';
  constructor(options?: { cause?: unknown }) {
    super(
      'trakt-refused-app',
      "Trakt refused this app's request (the app may be blocked or its API key no longer valid), so nothing was done. Please tell whoever runs this bot.",
      options,
    );
  }
}

/** Trakt answered 426: this feature needs a Trakt VIP account (REFERENCE §13). */
export class VipRequiredError extends UserFacingError {
  override readonly name = 'VipRequiredError';
  readonly upgradeUrl: string | undefined;
  constructor(input: { upgradeUrl: string | undefined; cause?: unknown }) {
    super('vip-required', 'This needs Trakt VIP: Trakt offers it to VIP accounts only, so nothing was done.', { cause: input.cause });
    this.upgradeUrl = input.upgradeUrl;
  }
}

export type UnavailableKind = 'outage' | 'rate-limited' | 'slow';

/** Trakt is down, rate-limiting us, or slower than a chat user should wait. */
export class TraktUnavailableError extends UserFacingError {
  override readonly name = 'TraktUnavailableError';
  readonly kind: UnavailableKind;

  constructor(kind: UnavailableKind, options?: { cause?: unknown }) {
    super(
      `trakt-${kind}`,
      kind === 'rate-limited'
        ? 'Trakt asked me to slow down. Please try again in a minute.'
        : kind === 'slow'
          ? 'Trakt is taking too long to answer right now. Please try again in a minute.'
          : 'Trakt is not answering right now. Please try again in a few minutes.',
      options,
    );
    this.kind = kind;
  }
}

/** Bad input from the user (too long, empty, odd characters): say what is wrong, change nothing. */
export class InvalidInputError extends UserFacingError {
  override readonly name = 'InvalidInputError';
  constructor(reply: Rich) {
    super('invalid-input', reply);
  }
}

/** A Trakt profile whose watchlist only its owner may read (Trakt: 401 with `X-Private-User: true`). */
export class TraktProfilePrivateError extends UserFacingError {
  override readonly name = 'TraktProfilePrivateError';
  constructor(readonly username: string, options?: { cause?: unknown }) {
    super(
      'trakt-profile-private',
      [`The Trakt profile `, username, ` is private, so its watchlist cannot be read without linking. Make the profile public on trakt.tv (Settings → Privacy), or link your account instead.`],
      options,
    );
  }
}

/** No Trakt user has that name (Trakt: 404 on `/users/:id`). */
export class TraktUserUnknownError extends UserFacingError {
  override readonly name = 'TraktUserUnknownError';
  constructor(readonly username: string, options?: { cause?: unknown }) {
    super('trakt-user-unknown', [`Trakt has no user called `, username, `. Check the spelling of your Trakt username (it is in your profile's address, trakt.tv/users/…).`], options);
  }
}
