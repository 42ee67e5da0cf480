/**
 * What the core needs from the outside world. `src/bot/services/` implements these over the
 * database (`src/db/queries`), the account services (`src/accounts`) and the Trakt client
 * (`src/trakt`); unit tests implement them in memory. The core speaks the shared media model
 * (`src/domain`), never Trakt's client, types or errors: the ports translate failures into the
 * errors of `./errors.ts`.
 */
import type { CalendarEpisode, CalendarMovie, Episode, MovieRelease, Season, ShowProgress, Title, WatchlistEntry, WatchlistWriteResult } from '../../domain/media.js';
import type { DeviceLinkFailure, LinkEvent, LinkNoticeTarget, LinkStartInfo, RelinkRequiredEvent } from '../../domain/link.js';
import type { Target } from '../../domain/target.js';
import type { StoredLanguages } from './i18n/ports.js';
import type { ChatUserRef, Platform } from './types.js';

export type { CalendarEpisode, CalendarMovie, MovieRelease, ShowProgress, DeviceLinkFailure, Episode, LinkEvent, LinkNoticeTarget, LinkStartInfo, RelinkRequiredEvent, Season, Target, Title, WatchlistEntry, WatchlistWriteResult };

export interface LinkedAccount {
  username: string;
  vip: boolean;
  /** `limits.watchlist.item_count` from Trakt; null when Trakt did not say. */
  watchlistLimit: number | null;
}

export interface AccountPort {
  /** Finds or creates the identity of a chat user; returns its id. */
  identify(user: ChatUserRef): Promise<number>;
  /**
   * Optional, `identify` and the languages an answer needs in one round trip: when finding the identity
   * takes a statement (this instance has not seen the user lately), that statement also returns the
   * user's stored languages and, given a chat, the chat's setting (as `LanguageStore.languages`).
   * Otherwise `languages` is absent and the core asks its LanguageStore. Never a copy kept from an
   * earlier update: another instance may have changed them since.
   */
  identifyWithLanguages?(user: ChatUserRef, chat?: { platform: Platform; chatId: string }): Promise<{ identityId: number; languages?: StoredLanguages }>;
  /** The user's Trakt link; null when not linked. Throws NeedsLinkError(relink) when it needs renewing. */
  linkedAccount(identityId: number): Promise<LinkedAccount | null>;
  startLink(input: { identityId: number; platform: Platform; notifyChatId: string }): Promise<LinkStartInfo>;
  unlink(identityId: number): Promise<{ wasLinked: boolean }>;
  /** The chat user behind an identity (to reach them privately from background work). */
  chatUserOf?(identityId: number): Promise<{ platform: Platform; userId: string } | undefined>;
  /** Stores what Trakt said about the account (VIP, limit) after reading its settings. */
  rememberSettings(identityId: number, settings: LinkedAccount): Promise<void>;
}

export interface SearchPage {
  hits: Title[];
  /** Results in all pages, when Trakt said. */
  total: number;
}

export interface SearchRequest {
  query: string;
  types: Array<'movie' | 'show'>;
  year?: number;
  page: number;
  limit: number;
}

/** What an id lookup found: a movie or show, or an episode with its show. */
export type IdLookupHit =
  | { type: 'movie' | 'show'; title: Title }
  | { type: 'episode'; show: Title; season: number; episode: number; episodeTitle?: string };

/** Trakt calls that need no user (the application's own limits). */
export interface TraktCatalogPort {
  /**
   * Items by an external or Trakt id (`/search/{id_type}/{id}`): empty when Trakt knows none. TMDb and
   * TVDB ids are per kind: pass `type`. Optional: imports use it, other callers `lookupImdb`.
   */
  lookupIds?(input: { idType: 'imdb' | 'tmdb' | 'tvdb' | 'trakt'; id: string | number; type?: 'movie' | 'show' | 'episode' }): Promise<IdLookupHit[]>;
  search(request: SearchRequest): Promise<SearchPage>;
  /** Movie or show by IMDb id. */
  lookupImdb(imdbId: string): Promise<Title | undefined>;
  /** Movie or show by Trakt slug, as in `trakt.tv/movies/<slug>`. */
  lookupSlug(type: 'movie' | 'show', slug: string): Promise<Title | undefined>;
  seasons(showTraktId: number): Promise<Season[]>;
  episodes(showTraktId: number, season: number): Promise<Episode[]>;
  /** Every release of a movie Trakt knows (`/movies/:id/releases`), with its type. Optional: release notices use it. */
  movieReleases?(movieTraktId: number): Promise<MovieRelease[]>;
}

/** Trakt calls on behalf of one linked user. Failures arrive as core errors (WatchlistFull, AccountLocked ...). */
export interface TraktUserPort extends TraktCatalogPort {
  add(targets: Target[]): Promise<WatchlistWriteResult>;
  remove(targets: Target[]): Promise<WatchlistWriteResult>;
  /** `last_activities.watchlist.updated_at` (REFERENCE §10). */
  watchlistActivity(): Promise<Date | null>;
  watchlistAll(): Promise<WatchlistEntry[]>;
  settings(): Promise<LinkedAccount>;
  /**
   * The user's calendars (Trakt's `/calendars/my/...`, UTC dates, 1–33 days from `startDate`). `released`
   * is the movie's release date, `digital` and `physical` its home releases. Optional: release notices use them.
   */
  movieCalendar?(kind: 'released' | 'digital' | 'physical', startDate: string, days: number): Promise<CalendarMovie[]>;
  /** Episodes airing in the window, of the shows the user follows (watchlisted, watched or collected). */
  episodeCalendar?(startDate: string, days: number): Promise<CalendarEpisode[]>;
  /** The user's watched progress on a show (`GET /shows/:id/progress/watched`). Optional: show progress uses it. */
  showProgress?(showTraktId: number): Promise<ShowProgress>;
  /**
   * `last_activities.episodes.watched_at` (null when Trakt has none), from this user's last
   * `last_activities` answer (the copy's check reads it too) when that is younger than `maxAgeMs`,
   * else read now. Optional: show progress uses it.
   */
  episodesWatchedActivity?(maxAgeMs: number): Promise<Date | null>;
}

export interface TraktPort {
  catalog(): TraktCatalogPort;
  /** Throws NeedsLinkError when the identity has no usable link. */
  forIdentity(identityId: number): Promise<TraktUserPort>;
  /**
   * A public profile's whole watchlist (`GET /users/:id/watchlist`, app credentials, no token): for a
   * member who joins a group pick read-only. Throws TraktProfilePrivateError for a private profile,
   * TraktUserUnknownError for a name Trakt does not know, TraktUnavailableError when Trakt is down.
   */
  publicWatchlist(username: string): Promise<WatchlistEntry[]>;
}

/** State behind one button: the button itself carries only `v1:<action>:<id>`. */
export interface PendingAction {
  id: string;
  ownerIdentityId: number;
  platform: Platform;
  /** The chat the button was made for, then the one its message was sent to. */
  chatId: string;
  /** The message that carries the button, once the adapter has sent it (see bindMessage). */
  messageId: string | null;
  action: string;
  payload: unknown;
  expiresAt: Date;
  consumedAt: Date | null;
}

export interface NewPendingAction {
  id: string;
  ownerIdentityId: number;
  platform: Platform;
  chatId: string;
  /**
   * The message that will carry the button, when it is known before the button is stored (a card that
   * replaces the message whose button was pressed): the row is stored bound to it, with no bind after.
   */
  messageId?: string;
  action: string;
  payload: unknown;
  expiresAt: Date;
}

export interface PendingActionStore {
  create(rows: NewPendingAction[]): Promise<void>;
  find(id: string): Promise<PendingAction | undefined>;
  /**
   * Consumes every button of a view (the buttons of one message share the view id as a prefix of their
   * ids) if none was consumed yet and they have not expired. True for exactly one caller: this is what
   * turns two quick presses into one action.
   */
  claimView(viewId: string, now: Date): Promise<boolean>;
  /**
   * Optional, one round trip for `find` and `claimView`: the pressed button as it was, and whether its
   * view was claimed, which happens only when the button matches `check` (action, owner, chat, message)
   * and is neither consumed nor expired.
   *
   * With `languages`, the same statement also reads the presser's (`check.ownerIdentityId`) stored
   * languages, and the chat's setting when a chat is given (as `LanguageStore.languages`), and returns
   * them with the button: the press needs no read of its own for its answer's language. Undefined (no
   * such button) carries none: the caller reads them then.
   */
  press?(
    id: string,
    viewId: string,
    check: { action: string; ownerIdentityId: number; platform: Platform; chatId: string; messageId: string | null },
    now: Date,
    languages?: { chat?: { platform: Platform; chatId: string } },
  ): Promise<{ pending: PendingAction; claimed: boolean; languages?: StoredLanguages } | undefined>;
  /**
   * Gives back a claim made at `claimedAt` (the press failed before changing anything), so the view's
   * buttons work again. A later claim of the same view is left alone.
   */
  releaseView(viewId: string, claimedAt: Date): Promise<void>;
  /** Records which message (in which chat) carries the view's buttons; presses elsewhere are refused. */
  bindMessage(viewId: string, where: { chatId: string; messageId: string }): Promise<void>;
}

/** The journal and the copy's state are the watchlist writer's (src/watchlist), which the core writes through. */
export type { JournalEntry, WatchlistCopyState, WriteJournal as JournalStore } from '../../watchlist/ports.js';
import type { EnqueueOptions, JobKindRef, JobRecord, RunNowResult } from '../../jobs/types.js';
import type { WatchlistCopyStore } from '../../watchlist/ports.js';

/** `progress`: shows started but not finished, by the cached show progress (show-progress.ts). */
export type WatchlistFilter = 'all' | 'movies' | 'shows' | 'progress';
export type WatchlistSort = 'added' | 'title' | 'year' | 'rating' | 'runtime' | 'released';

/**
 * What narrows the list besides its type (`filter`): a Trakt genre slug (`science-fiction`), a year
 * range (inclusive) and the longest runtime in minutes (a show's episode runtime). The `progress`
 * filter narrows further to shows started but not finished (see show-progress.ts).
 */
export interface WatchlistNarrowing {
  genre?: string;
  yearFrom?: number;
  yearTo?: number;
  maxRuntime?: number;
}

export interface WatchlistQuery extends WatchlistNarrowing {
  filter: WatchlistFilter;
}

export interface StoredWatchlistItem {
  key: string;
  target: Target;
  listedAt: Date;
}

/** The local copy of users' watchlists: what the writer keeps current, plus what the core reads. */
export interface WatchlistStore extends WatchlistCopyStore {
  /** One page under the query, sorted, with how many items the query leaves (`total`). */
  page(identityId: number, query: WatchlistQuery & { sort: WatchlistSort; offset: number; limit: number }): Promise<{ items: StoredWatchlistItem[]; total: number }>;
  /**
   * One item at random under the query, and how many it leaves; the item keyed `avoid` only when it is
   * the only one left.
   */
  random(identityId: number, query: WatchlistQuery, avoid?: string): Promise<{ item: StoredWatchlistItem | undefined; total: number }>;
  /** The genres (slugs) on the list under the query's other filters, most common first. */
  genres(identityId: number, query: WatchlistQuery, limit: number): Promise<Array<{ genre: string; count: number }>>;
  /** Items whose title contains the text (best matches first). */
  find(identityId: number, text: string, limit: number): Promise<StoredWatchlistItem[]>;
  clear(identityId: number): Promise<void>;
}

/**
 * Poster images for cards, for the chat adapters (Trakt forbids hot-linking its images, REFERENCE §6:
 * each is downloaded once and kept; each platform uploads it once and reuses its own handle).
 */
export interface PosterSource {
  /** The image bytes, or undefined when they cannot be had. */
  image(url: string): Promise<{ data: Buffer; contentType: string } | undefined>;
  fileId(platform: Platform, url: string): Promise<string | undefined>;
  /**
   * The platform's handle for an image when it has one, and nothing else (no image read along): for
   * listings that show only posters already uploaded (Telegram's inline results). Optional.
   */
  knownFileId?(platform: Platform, url: string): Promise<string | undefined>;
  rememberFileId(platform: Platform, url: string, fileId: string): Promise<void>;
  forgetFileId(platform: Platform, url: string): Promise<void>;
  /**
   * Starts getting the image of a card that is about to be shown, when the platform has no handle for
   * it yet, so its download overlaps the card's other work (a search card's watchlist sync). Never
   * throws; the adapter's later `fileId` / `image` calls take the result. Optional.
   */
  warm?(platform: Platform, url: string): void;
}

export interface CoreLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface Clock {
  now(): Date;
}

/**
 * Durable background work (src/jobs), as the core uses it: the offline queue of confirmed writes is a
 * job kind of the core's (queued-writes.ts). `main.ts` hands in the runner and its store.
 */
export interface JobsPort {
  enqueue<P>(kind: JobKindRef<P>, payload: P, options?: EnqueueOptions): Promise<JobRecord | undefined>;
  runNow<R>(id: number): Promise<RunNowResult<R>>;
  /** Jobs of this kind waiting for a retry run now. */
  hurry(kind: string): Promise<number>;
  /** Cancels a queued job of this owner; undefined when it is not queued any more. */
  cancel(id: number, owner: number): Promise<JobRecord | undefined>;
  listLive(input: { ownerIdentityId: number; kind?: string }): Promise<JobRecord[]>;
}

/**
 * What the core reports of the updates it handles, for metrics (src/metrics implements it; `main.ts`
 * wires it). Called synchronously and never awaited; a failing observer changes nothing.
 */
export interface CoreObserver {
  /** One update reached the core: a command, a button press (its first step), an inline query or an autocomplete. */
  onUpdate?(event: { platform: Platform; kind: 'command' | 'button' | 'inline' | 'autocomplete'; outcome: UpdateOutcome }): void;
  /** One command handled: its registry name (`unknown` when not one of ours), outcome and time to the replies. */
  onCommand?(event: { platform: Platform; command: string; outcome: UpdateOutcome; ms: number }): void;
}

/**
 * `ok`: answered as asked; `user_error`: answered with a safe explanation (not linked, Trakt down, a full
 * watchlist); `error`: an unexpected failure (the apology with a reference); `refused`: a stale, foreign
 * or invalid button; `unknown`: a command that is not ours.
 */
export type UpdateOutcome = 'ok' | 'user_error' | 'error' | 'refused' | 'unknown';
