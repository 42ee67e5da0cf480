import { LRUCache } from 'lru-cache';
import type { CoreLogger, StoredWatchlistItem, Title, TraktCatalogPort } from './ports.js';
import type { Translator } from './i18n/index.js';
import { kindWord, targetLabel } from './targets.js';
import { normalizeForMatch, type TitleIndex } from './title-index.js';
import type { ChatUserRef } from './types.js';

/**
 * Suggestions while a user types an option (Discord's autocomplete). Platforms give very little time
 * (Discord: 3 s for the answer) and send one request per keystroke, so suggestions come from a local
 * index of titles already seen; Trakt is asked at most once at a time per user, for the newest input
 * only, after a short pause in typing, and whatever it has not answered by the deadline is left out
 * of this answer (its results land in the index and serve the next keystroke).
 */

/** What an option suggests: titles to search for, titles to add (exact references), or the user's own watchlist items. */
export type CompletionSource = 'title-query' | 'title-ref' | 'watchlist-item';

export interface AutocompleteInput {
  user: ChatUserRef;
  command: string;
  option: string;
  /** What the user has typed so far. */
  text: string;
  /** When the answer must be on its way (the platform's deadline less a margin for sending it). */
  answerBy: Date;
}

/** `label` is shown, `value` is what the option then holds (both at most 100 characters). */
export interface AutocompleteChoice {
  label: string;
  value: string;
}

/** Platforms' caps on choices and their lengths (Discord: 25 choices, 1-100 characters each). */
export const MAX_CHOICES = 25;
export const MAX_CHOICE_CHARS = 100;

export interface TitleSuggesterOptions {
  /** Typing pause before Trakt is asked. Default 250 ms. */
  debounceMs?: number;
  /** Trakt is asked at the latest this long after the first unanswered keystroke, pause or not. Default 900 ms. */
  maxWaitMs?: number;
  /** Queries shorter than this (after normalising) are answered from the index only. Default 2. */
  minQueryChars?: number;
  /** Trakt results kept per query. Default 500 queries for 10 minutes. */
  cacheSize?: number;
  cacheTtlMs?: number;
  /** After a failed search the user's suggestions come from the index only for this long. Default 5 s. */
  failureBackoffMs?: number;
  /** Results asked of Trakt per search. Default 10. */
  traktLimit?: number;
  /** Two searches of one user start at least this far apart. Default 1 s. */
  minIntervalMs?: number;
}

interface Wanted {
  norm: string;
  text: string;
}

interface UserState {
  /** Bumped on every keystroke, so older waiters know they were superseded. */
  seq: number;
  wanted: Wanted | undefined;
  /** When the oldest keystroke not yet searched for arrived. */
  pendingSince: number | undefined;
  timer: NodeJS.Timeout | undefined;
  inFlight: boolean;
  lastStartAt: number;
  backoffUntil: number;
  listeners: Set<() => void>;
  lastUsed: number;
}

const MAX_USERS = 10_000;

/** Title suggestions for one keystroke: the index at once, Trakt when it answers in time. */
export class TitleSuggester {
  private readonly users = new Map<string, UserState>();
  /** Trakt's answers per normalised query. */
  private readonly cache: LRUCache<string, Title[]>;
  /** Searches running per normalised query, shared by users typing the same thing. */
  private readonly running = new Map<string, Promise<void>>();
  private readonly opts: Required<TitleSuggesterOptions>;
  private closed = false;

  constructor(
    private readonly catalog: () => TraktCatalogPort,
    private readonly index: TitleIndex,
    private readonly logger: CoreLogger,
    options: TitleSuggesterOptions = {},
  ) {
    this.opts = {
      debounceMs: options.debounceMs ?? 250,
      maxWaitMs: options.maxWaitMs ?? 900,
      minQueryChars: options.minQueryChars ?? 2,
      cacheSize: options.cacheSize ?? 500,
      cacheTtlMs: options.cacheTtlMs ?? 10 * 60_000,
      failureBackoffMs: options.failureBackoffMs ?? 5_000,
      traktLimit: options.traktLimit ?? 10,
      minIntervalMs: options.minIntervalMs ?? 1_000,
    };
    this.cache = new LRUCache({ max: this.opts.cacheSize, ttl: this.opts.cacheTtlMs });
  }

  /** Titles for what `userKey` typed, best first. Resolves by `answerBy` at the latest. */
  async suggest(userKey: string, text: string, answerBy: number, limit: number): Promise<Title[]> {
    const norm = normalizeForMatch(text);
    const state = this.stateOf(userKey);
    const seq = ++state.seq;
    const fromIndex = () => this.index.match(norm, limit);
    if (norm.length < this.opts.minQueryChars || this.closed) {
      this.cancelPending(state);
      return fromIndex();
    }
    const cached = this.cached(norm);
    if (cached !== undefined) {
      this.cancelPending(state);
      return merge(cached, fromIndex(), limit);
    }
    if (this.covered(norm) || startsNewWord(norm)) {
      this.cancelPending(state);
      return fromIndex();
    }
    state.wanted = { norm, text: text.trim() };
    state.pendingSince ??= Date.now();
    if (!state.inFlight && Date.now() >= state.backoffUntil) this.schedule(userKey, state);
    this.notify(state);

    // Wait for Trakt's answer to this very input, a newer keystroke, or the deadline, whichever is first.
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        state.listeners.delete(check);
        resolve();
      };
      const check = () => {
        if (state.seq !== seq || this.cached(norm) !== undefined || (!state.inFlight && state.timer === undefined)) done();
      };
      const timer = setTimeout(done, Math.max(0, answerBy - Date.now()));
      timer.unref();
      state.listeners.add(check);
      check(); // nothing may be coming at all (Trakt backing off)
    });
    const hits = this.cached(norm);
    return hits === undefined ? fromIndex() : merge(hits, fromIndex(), limit);
  }

  close(): void {
    this.closed = true;
    for (const state of this.users.values()) this.cancelPending(state);
  }

  private stateOf(userKey: string): UserState {
    let state = this.users.get(userKey);
    if (state === undefined) {
      if (this.users.size >= MAX_USERS) this.pruneUsers();
      state = { seq: 0, wanted: undefined, pendingSince: undefined, timer: undefined, inFlight: false, lastStartAt: 0, backoffUntil: 0, listeners: new Set(), lastUsed: 0 };
      this.users.set(userKey, state);
    }
    state.lastUsed = Date.now();
    return state;
  }

  private pruneUsers(): void {
    const idle = Date.now() - 5 * 60_000;
    for (const [key, state] of this.users) {
      if (state.lastUsed < idle && !state.inFlight && state.timer === undefined) this.users.delete(key);
    }
    if (this.users.size >= MAX_USERS) {
      const oldest = this.users.keys().next().value;
      if (oldest !== undefined) this.users.delete(oldest);
    }
  }

  private cancelPending(state: UserState): void {
    if (state.timer !== undefined) clearTimeout(state.timer);
    state.timer = undefined;
    state.wanted = undefined;
    state.pendingSince = undefined;
    this.notify(state);
  }

  private notify(state: UserState): void {
    for (const listener of [...state.listeners]) listener();
  }

  private cached(norm: string): Title[] | undefined {
    return this.cache.get(norm);
  }

  /**
   * The user is typing towards a title Trakt already gave us for a shorter version of this input:
   * the index answers, and Trakt is asked again only where the typing leaves every known title
   * behind. This is what keeps a slow typist (a pause after every keystroke) from costing a search
   * per letter.
   */
  private covered(norm: string): boolean {
    if (norm.length <= this.opts.minQueryChars) return false;
    let searchedPrefix = false;
    for (let end = norm.length - 1; end >= this.opts.minQueryChars && !searchedPrefix; end--) {
      searchedPrefix = this.cached(norm.slice(0, end).trimEnd()) !== undefined;
    }
    return searchedPrefix && this.index.hasTitleStartingWith(norm);
  }

  /** Debounce with a ceiling: after a pause in typing, or `maxWaitMs` after the first keystroke waiting. */
  private schedule(userKey: string, state: UserState): void {
    if (state.timer !== undefined) clearTimeout(state.timer);
    const since = state.pendingSince ?? Date.now();
    const now = Date.now();
    const debounced = Math.min(this.opts.debounceMs, since + this.opts.maxWaitMs - now);
    const delay = Math.max(0, debounced, state.lastStartAt + this.opts.minIntervalMs - now);
    state.timer = setTimeout(() => {
      state.timer = undefined;
      void this.searchNewest(userKey, state);
    }, delay);
    state.timer.unref();
  }

  private async searchNewest(userKey: string, state: UserState): Promise<void> {
    const wanted = state.wanted;
    if (wanted === undefined || this.closed) return;
    state.pendingSince = undefined;
    // What arrived meanwhile (another user's search, this user's previous one) may answer it already.
    if (this.cached(wanted.norm) !== undefined || this.covered(wanted.norm)) {
      state.wanted = undefined;
      this.notify(state);
      return;
    }
    state.inFlight = true;
    state.lastStartAt = Date.now();
    try {
      await this.searchShared(wanted);
    } catch (error) {
      state.backoffUntil = Date.now() + this.opts.failureBackoffMs;
      this.logger.warn({ err: error }, 'title suggestions: Trakt search failed; suggesting from the index for a while');
    } finally {
      state.inFlight = false;
    }
    // Typing went on while Trakt was busy: now search for the newest input (only).
    const next = state.wanted;
    if (
      next !== undefined &&
      next.norm !== wanted.norm &&
      this.cached(next.norm) === undefined &&
      !this.covered(next.norm) &&
      Date.now() >= state.backoffUntil &&
      this.users.get(userKey) === state
    ) {
      state.pendingSince ??= Date.now();
      this.schedule(userKey, state);
    } else {
      state.wanted = undefined;
    }
    this.notify(state);
  }

  private searchShared(wanted: Wanted): Promise<void> {
    const running = this.running.get(wanted.norm);
    if (running !== undefined) return running;
    const work = this.catalog()
      .search({ query: wanted.text, types: ['movie', 'show'], page: 1, limit: this.opts.traktLimit })
      .then((page) => {
        this.index.add(page.hits);
        this.cache.set(wanted.norm, page.hits);
      })
      .finally(() => this.running.delete(wanted.norm));
    this.running.set(wanted.norm, work);
    return work;
  }
}

/**
 * A new word of one letter (`sun of c`): Trakt's prefix match on one letter returns noise, and the
 * next keystroke narrows it far better, so such input is answered from the index only.
 */
function startsNewWord(norm: string): boolean {
  const words = norm.split(' ');
  return words.length > 1 && (words.at(-1)?.length ?? 0) < 2;
}

function merge(first: Title[], second: Title[], limit: number): Title[] {
  const seen = new Set<string>();
  const out: Title[] = [];
  for (const title of [...first, ...second]) {
    const key = `${title.type}:${title.ids.trakt}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(title);
    if (out.length >= limit) break;
  }
  return out;
}

function cut(text: string, max = MAX_CHOICE_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max - 1).trimEnd()}…`;
}

/** `Dune (2021) · Movie` */
export function titleChoiceLabel(title: Title, i18n: Translator): string {
  const kind = kindWord({ kind: title.type, title } as const, i18n);
  const suffix = `${title.year === null ? '' : ` (${title.year})`} · ${kind}`;
  return `${cut(title.title, MAX_CHOICE_CHARS - suffix.length)}${suffix}`;
}

/**
 * What a chosen title puts in the option. For a search: its words and year, which Trakt's search
 * finds again. For an add: an exact reference (IMDb id, else the Trakt URL), so the add takes the
 * title the user picked and not a namesake.
 */
export function titleChoiceValue(title: Title, source: 'title-query' | 'title-ref'): string {
  if (source === 'title-ref') {
    if (title.ids.imdb) return title.ids.imdb;
    const url = `https://trakt.tv/${title.type}s/${title.ids.slug}`;
    if (url.length <= MAX_CHOICE_CHARS) return url;
  }
  const year = title.year === null ? '' : ` ${title.year}`;
  return `${cut(title.title.replace(/\s+/g, ' ').trim(), MAX_CHOICE_CHARS - year.length)}${year}`;
}

export function titleChoices(titles: Title[], source: 'title-query' | 'title-ref', i18n: Translator): AutocompleteChoice[] {
  const seen = new Set<string>();
  const choices: AutocompleteChoice[] = [];
  for (const title of titles) {
    const choice = { label: titleChoiceLabel(title, i18n), value: titleChoiceValue(title, source) };
    if (seen.has(choice.value) || choice.value.trim() === '') continue;
    seen.add(choice.value);
    choices.push(choice);
  }
  return choices.slice(0, MAX_CHOICES);
}

/** Watchlist items as choices; the value is the title, which `/remove` looks up on the watchlist. */
export function watchlistChoices(items: StoredWatchlistItem[], i18n: Translator): AutocompleteChoice[] {
  const seen = new Set<string>();
  const choices: AutocompleteChoice[] = [];
  for (const item of items) {
    const label = cut(targetLabel(item.target, i18n));
    const title = 'title' in item.target ? item.target.title : item.target.show;
    const value = cut(title.title.replace(/\s+/g, ' ').trim());
    if (seen.has(label) || value === '') continue;
    seen.add(label);
    choices.push({ label, value });
  }
  return choices.slice(0, MAX_CHOICES);
}
