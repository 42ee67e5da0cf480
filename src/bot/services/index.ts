import type { LinkService } from '../../accounts/linking.js';
import type { TokenManager } from '../../accounts/token-manager.js';
import type { Database } from '../../db/client.js';
import { deleteExpiredPendingActions } from '../../db/queries/pending-actions.js';
import type { TraktClient } from '../../trakt/client.js';
import { createBotCore, type BotCore } from '../core/bot-core.js';
import type { CoreOptions } from '../core/context.js';
import type { Outbox } from '../core/notices.js';
import type { CoreLogger } from '../core/ports.js';
import { createAccountPort } from './accounts-port.js';
import { createPosterSource, type PosterSource } from './posters.js';
import { createJournalStore, createPendingActionStore, createWatchlistStore } from './stores.js';
import { createTraktPort } from './trakt-port.js';

export interface BotServicesDeps {
  database: Database;
  trakt: TraktClient;
  tokens: TokenManager;
  links: LinkService;
  outbox: Outbox;
  logger: CoreLogger;
  userAgent?: string;
  options?: CoreOptions;
}

/** Builds the platform-free core on the real ports; every chat adapter shares the result. */
export function createBotServices(deps: BotServicesDeps): { core: BotCore; posters: PosterSource; prune(now: Date): Promise<number> } {
  const { db } = deps.database;
  const trakt = createTraktPort({ trakt: deps.trakt, tokens: deps.tokens });
  const core = createBotCore({
    accounts: createAccountPort({ db, links: deps.links, onLinkChanged: (identityId) => trakt.forget(identityId) }),
    trakt,
    pending: createPendingActionStore(db),
    journal: createJournalStore(db),
    watchlists: createWatchlistStore(db),
    logger: deps.logger,
    outbox: deps.outbox,
    ...(deps.options === undefined ? {} : { options: deps.options }),
  });
  const posters = createPosterSource({ db, logger: deps.logger, ...(deps.userAgent ? { userAgent: deps.userAgent } : {}) });
  // Buttons are kept a day past their expiry, so a late press still hears "expired" rather than "invalid".
  const prune = (now: Date) => deleteExpiredPendingActions(db, new Date(now.getTime() - 24 * 60 * 60_000));
  return { core, posters, prune };
}
