import { NotLinkedError, RelinkRequiredError } from '../../accounts/token-manager.js';
import {
  TraktAccountLimitError,
  TraktForbiddenError,
  TraktLockedError,
  TraktRateLimitedError,
  TraktUnauthorizedError,
  TraktUnavailableError as ClientUnavailableError,
  TraktVipOnlyError,
} from '../../trakt/errors.js';
import { AccountLockedError, NeedsLinkError, TraktRefusedAppError, TraktUnavailableError, VipRequiredError, WatchlistFullError } from '../core/errors.js';

/**
 * Translates what the Trakt client and the token manager throw into the core's errors. Anything not
 * listed passes through unchanged and ends as a logged error with a reference.
 */
export function toCoreError(error: unknown): unknown {
  if (error instanceof NotLinkedError) return new NeedsLinkError(false);
  if (error instanceof RelinkRequiredError) return new NeedsLinkError(true);
  if (error instanceof TraktUnauthorizedError && !error.privateUser) return new NeedsLinkError(true);
  if (error instanceof TraktAccountLimitError) {
    return new WatchlistFullError({ limit: error.limit, vip: error.vip, upgradeUrl: error.upgradeUrl, cause: error });
  }
  if (error instanceof TraktLockedError) return new AccountLockedError({ cause: error });
  if (error instanceof TraktForbiddenError) return new TraktRefusedAppError({ cause: error });
  if (error instanceof TraktVipOnlyError) return new VipRequiredError({ upgradeUrl: error.upgradeUrl, cause: error });
  if (error instanceof TraktRateLimitedError) return new TraktUnavailableError('rate-limited', { cause: error });
  if (error instanceof ClientUnavailableError) {
    return new TraktUnavailableError(error.kind === 'timeout' ? 'slow' : 'outage', { cause: error });
  }
  return error;
}

/** Runs a Trakt call and rethrows its failure as a core error. */
export async function translated<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toCoreError(error);
  }
}
