import { ViewBuilder } from './actions.js';
import { NeedsLinkError, TraktUnavailableError } from './errors.js';
import type {
  AccountPort,
  Clock,
  CoreLogger,
  CoreObserver,
  JobsPort,
  JournalStore,
  LinkedAccount,
  NewPendingAction,
  PendingActionStore,
  PosterSource,
  TraktPort,
  TraktUserPort,
  WatchlistCopyState,
  WatchlistStore,
} from './ports.js';
import type { Outbox } from './notices.js';
import type { CardUpdater } from './card-updates.js';
import type { PickStore } from './picks/ports.js';
import type { ImportStore } from './imports/ports.js';
import type { NoticeStore } from './release-notices.js';
import { errorReply } from './replies.js';
import { ownerLine } from './cards.js';
import type { Attachment, ChatRef, ChatUserRef, MessageRef, Reply, Rich } from './types.js';
import type { WatchlistCopy } from './watchlist-copy.js';
import type { TitleIndex } from './title-index.js';
import type { ShowProgressStore } from './show-progress.js';
import type { WatchlistWriter } from '../../watchlist/writer.js';
import { EN, type Locale, type Params, type RichParams, type Translator } from './i18n/index.js';
import type { LanguageStore } from './i18n/ports.js';

export interface CoreOptions {
  /** How long a user may undo their last change (said in /help). Default 15 minutes. */
  undoWindowMs?: number;
  /** How long buttons of a card stay usable. Default 30 minutes. */
  buttonTtlMs?: number;
  /**
   * How long a chat user waits for Trakt before hearing that it is slow. Reads are then abandoned;
   * a write keeps going and its message is updated when Trakt answers. Default 6 s.
   */
  traktPatienceMs?: number;
  /** The local watchlist copy is trusted without asking Trakt for this long after a check. Default 30 s. */
  watchlistFreshMs?: number;
}

export interface CoreDeps {
  accounts: AccountPort;
  trakt: TraktPort;
  pending: PendingActionStore;
  journal: JournalStore;
  watchlists: WatchlistStore;
  logger: CoreLogger;
  /**
   * The one watchlist writer (src/watchlist). `main.ts` passes the one it built (and resumes interrupted
   * writes with); without it the core builds one on its own ports.
   */
  writer?: WatchlistWriter;
  /** Sends messages that come later than the answer (a write that finished after Trakt was slow). */
  outbox?: Outbox;
  /**
   * Durable jobs: with them every confirmed write is queued before the press is answered and applied
   * through the offline queue (queued-writes.ts); without them (unit tests) it is written directly.
   */
  jobs?: JobsPort;
  /** Group picks' sessions, members, ballots and votes (src/bot/core/picks). Without it `/pick` says it is not available. */
  picks?: PickStore;
  /** Imports' rows and their states (src/bot/core/imports). Without it `/import` says it is not available. */
  imports?: ImportStore;
  /** Release notices' settings and sent notices (release-notices.ts). Without it `/notify` says it is not available. */
  notices?: NoticeStore;
  /** Cached show progress (show-progress.ts). Without it the watchlist shows no progress. */
  showProgress?: ShowProgressStore;
  /** Coalesced edits of shared cards; the core makes one when none is given. */
  cardUpdates?: CardUpdater;
  clock?: Clock;
  options?: CoreOptions;
  /** Every title the bot has seen (title-index.ts); the core sets it. Suggestions for empty searches come from it. */
  titles?: TitleIndex;
  /** Told of every update and command handled (metrics). */
  observer?: CoreObserver;
  /** Users' and chats' `/language` settings (i18n). Without it users hear their client's language, and `/language` says it cannot remember. */
  languages?: LanguageStore;
  /** Posters of cards: the core only asks for one to be fetched early (`warm`); the adapters show them. */
  posters?: Pick<PosterSource, 'warm'>;
}

export interface ResolvedOptions {
  undoWindowMs: number;
  buttonTtlMs: number;
  traktPatienceMs: number;
  watchlistFreshMs: number;
}

export function resolveOptions(options: CoreOptions | undefined): ResolvedOptions {
  return {
    undoWindowMs: options?.undoWindowMs ?? 15 * 60_000,
    buttonTtlMs: options?.buttonTtlMs ?? 30 * 60_000,
    traktPatienceMs: options?.traktPatienceMs ?? 6_000,
    watchlistFreshMs: options?.watchlistFreshMs ?? 30_000,
  };
}

/** Everything a command or action handler works with. */
export class CoreContext {
  readonly options: ResolvedOptions;
  /** A file sent with the command, for commands that take one (`/import`). */
  attachment: Attachment | undefined;
  /** The language of this answer (see i18n/resolve.ts); the core sets it when it makes the context. English until then. */
  i18n: Translator = EN;
  /** The user's own language, for what goes to them privately from a group (the same as `i18n` in a private chat). */
  userI18n: Translator = EN;
  /** See CommandInput.groupLocale. */
  groupLocale: string | undefined;
  /** See CommandInput.chatAdmin (commands that act for the chat, such as `/language` in a group). */
  chatAdmin: (() => Promise<boolean>) | undefined;
  /** In a press: the message whose button was pressed, which the press's card replaces. */
  pressed: MessageRef | undefined;
  /**
   * While a press makes its card, the views saved (by id), not stored yet: the core stores them with
   * the outcome, in one insert as ever, bound to the pressed message already when the card replaces
   * it in place (see bot-core.ts). Undefined: views are stored when saved.
   */
  heldViews: Map<string, NewPendingAction[]> | undefined;
  private account: Promise<LinkedAccount | null> | undefined;
  private traktUser: Promise<TraktUserPort> | undefined;
  private copyState: Promise<WatchlistCopyState> | undefined;

  constructor(
    readonly deps: CoreDeps,
    readonly copy: WatchlistCopy,
    readonly writer: WatchlistWriter,
    readonly user: ChatUserRef,
    readonly chat: ChatRef,
    readonly identityId: number,
    readonly privateChatId: string | undefined,
    /** See CommandInput.reachPrivately. */
    readonly reachPrivately?: (reply: Reply) => Promise<boolean>,
  ) {
    this.options = resolveOptions(deps.options);
  }

  get locale(): Locale {
    return this.i18n.locale;
  }

  /** Plain text from the catalog in this answer's language (see i18n/README.md). */
  t(key: string, params?: Params): string {
    return this.i18n.t(key, params);
  }

  /** Rich text from the catalog in this answer's language (see i18n/README.md). */
  tr(key: string, params?: RichParams): Rich {
    return this.i18n.tr(key, params);
  }

  now(): Date {
    return this.deps.clock?.now() ?? new Date();
  }

  /** The same user and services, answering in another chat (a group press answered in the private chat). */
  inChat(chat: ChatRef): CoreContext {
    const ctx = new CoreContext(this.deps, this.copy, this.writer, this.user, chat, this.identityId, this.privateChatId, this.reachPrivately);
    // Answering the user in their private chat speaks their language; another chat keeps this answer's.
    ctx.i18n = chat.kind === 'private' ? this.userI18n : this.i18n;
    ctx.userI18n = this.userI18n;
    ctx.groupLocale = this.groupLocale;
    return ctx;
  }

  /** In a group, the line that says whose a card is (`for @alice`); undefined in a private chat. */
  get owner(): Rich | undefined {
    return ownerLine(this.user, this.chat, this.i18n);
  }

  /** A view whose buttons act for this user in this chat. */
  view(ttlMs = this.options.buttonTtlMs): ViewBuilder {
    return new ViewBuilder(
      { identityId: this.identityId, platform: this.user.platform, chatId: this.chat.chatId },
      new Date(this.now().getTime() + ttlMs),
      (viewId, rows) => {
        if (this.heldViews === undefined) return false;
        this.heldViews.set(viewId, rows);
        return true;
      },
    );
  }

  linkedAccount(): Promise<LinkedAccount | null> {
    this.account ??= this.deps.accounts.linkedAccount(this.identityId);
    return this.account;
  }

  /** The linked account, or NeedsLinkError. */
  async requireAccount(): Promise<LinkedAccount> {
    const account = await this.linkedAccount();
    if (account === null) throw new NeedsLinkError(false);
    return account;
  }

  /** Trakt on behalf of this user; NeedsLinkError when not linked. */
  /**
   * Brings the local watchlist copy up to date, once per context: callers start it early so it runs
   * alongside their other Trakt calls, and later callers share it.
   */
  freshCopy(recheck = false): Promise<WatchlistCopyState> {
    this.copyState ??= this.traktForUser().then((trakt) => this.copy.current(this, trakt, { recheck }));
    return this.copyState;
  }

  /**
   * Which of `keys` are on the up-to-date copy. When nothing in this context has asked for the copy
   * yet, its state and the keys are read together (one round trip instead of two), and the state is
   * kept for later callers as `freshCopy` keeps it.
   */
  async onFreshCopy(keys: string[], recheck = false): Promise<Set<string>> {
    if (this.copyState === undefined) {
      const both = this.traktForUser().then((trakt) => this.copy.currentWithPresent(this, trakt, keys, { recheck }));
      this.copyState = both.then((r) => r.state);
      // A failure is the caller's (below); a later freshCopy() still sees it.
      this.copyState.catch(() => undefined);
      return (await both).present;
    }
    await this.copyState;
    return this.deps.watchlists.present(this.identityId, keys);
  }

  traktForUser(): Promise<TraktUserPort> {
    this.traktUser ??= this.deps.trakt.forIdentity(this.identityId);
    return this.traktUser;
  }

  /** Sends a reply to this chat once `later` settles (errors are translated like any other). */
  sendLater(later: Promise<Reply>): void {
    const target = { platform: this.chat.platform, chatId: this.chat.chatId };
    void later
      .catch((error: unknown) => errorReply(error, this.deps.logger, { identityId: this.identityId, late: true }, this.i18n))
      .then((reply) => this.deps.outbox?.send(target, reply))
      .catch((error: unknown) => this.deps.logger.error({ err: error, identityId: this.identityId }, 'late reply not delivered'));
  }

  /** A Trakt read bounded by the user's patience: past it, the user hears Trakt is slow. */
  patiently<T>(work: Promise<T>): Promise<T> {
    return withPatience(work, this.options.traktPatienceMs);
  }
}

export const PATIENCE_EXCEEDED = Symbol('patience exceeded');

/** Resolves with the work's result, or rejects with TraktUnavailableError('slow') after `ms`. */
export function withPatience<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TraktUnavailableError('slow')), ms);
    timer.unref();
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Races work against the patience; the work keeps running either way. */
export async function raceTimeout<T>(work: Promise<T>, ms: number): Promise<T | typeof PATIENCE_EXCEEDED> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof PATIENCE_EXCEEDED>((resolve) => {
    timer = setTimeout(() => resolve(PATIENCE_EXCEEDED), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
