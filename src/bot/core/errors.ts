import { EN, type RichParams, type Translator } from './i18n/index.js';
import type { Rich } from './types.js';

/** A text from the catalogs, said in the reader's language when the reply is made. */
export interface CatalogText {
  key: string;
  params?: RichParams;
}

function isCatalogText(value: Rich | CatalogText): value is CatalogText {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'key' in value && !('kind' in value);
}

/**
 * The two error families of the bot (ARCHITECTURE principle 6). A `UserFacingError` carries a code
 * and a message that is safe to show as is; anything else is logged with context and shown as a
 * short apology with a reference the user can quote. The ports translate the outside world's errors
 * (Trakt statuses, token problems) into the subclasses below, so the core never sees an HTTP status.
 *
 * The message is a catalog key (said in the reader's language by `replyIn`, see errorReply), or rich
 * text already in the reader's language (built with `ctx.tr`).
 */
export class UserFacingError extends Error {
  override readonly name: string = 'UserFacingError';
  readonly code: string;
  private readonly text: Rich | CatalogText;

  constructor(code: string, reply: Rich | CatalogText, options?: { cause?: unknown }) {
    const english = isCatalogText(reply) ? EN.tr(reply.key, reply.params) : reply;
    super(typeof english === 'string' ? english : code, options);
    this.code = code;
    this.text = reply;
  }

  /** The message in English (tests, and callers not converted yet). */
  get reply(): Rich {
    return this.replyIn(EN);
  }

  /** The message in the reader's language. */
  replyIn(i18n: Translator): Rich {
    return isCatalogText(this.text) ? i18n.tr(this.text.key, this.text.params) : this.text;
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
      { key: relink ? 'errors:relinkRequired' : 'errors:notLinked' },
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
    super('watchlist-full', { key: 'errors:watchlistFull' }, { cause: input.cause });
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
      { key: 'errors:accountLocked' },
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
      { key: 'errors:traktRefusedApp' },
      options,
    );
  }
}

/** Trakt answered 426: this feature needs a Trakt VIP account (REFERENCE §13). */
export class VipRequiredError extends UserFacingError {
  override readonly name = 'VipRequiredError';
  readonly upgradeUrl: string | undefined;
  constructor(input: { upgradeUrl: string | undefined; cause?: unknown }) {
    super('vip-required', { key: 'errors:vipRequired' }, { cause: input.cause });
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
      { key: kind === 'rate-limited' ? 'errors:traktRateLimited' : kind === 'slow' ? 'errors:traktSlow' : 'errors:traktOutage' },
      options,
    );
    this.kind = kind;
  }
}

/** Bad input from the user (too long, empty, odd characters): say what is wrong, change nothing. */
export class InvalidInputError extends UserFacingError {
  override readonly name = 'InvalidInputError';
  /** `reply`: a catalog key (preferred) or rich text already in the reader's language. */
  constructor(reply: Rich | CatalogText) {
    super('invalid-input', reply);
  }
}

/** A Trakt profile whose watchlist only its owner may read (Trakt: 401 with `X-Private-User: true`). */
export class TraktProfilePrivateError extends UserFacingError {
  override readonly name = 'TraktProfilePrivateError';
  constructor(readonly username: string, options?: { cause?: unknown }) {
    super(
      'trakt-profile-private',
      { key: 'errors:profilePrivate', params: { username } },
      options,
    );
  }
}

/** No Trakt user has that name (Trakt: 404 on `/users/:id`). */
export class TraktUserUnknownError extends UserFacingError {
  override readonly name = 'TraktUserUnknownError';
  constructor(readonly username: string, options?: { cause?: unknown }) {
    super('trakt-user-unknown', { key: 'errors:userUnknown', params: { username } }, options);
  }
}
