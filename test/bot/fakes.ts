import type { CoreDeps } from '../../src/bot/core/context.js';
import type {
  AccountPort,
  JournalEntry,
  JournalStore,
  LinkedAccount,
  PendingAction,
  PendingActionStore,
  StoredWatchlistItem,
  Target,
  Title,
  TraktCatalogPort,
  TraktPort,
  TraktUserPort,
  WatchlistCopyState,
  WatchlistEntry,
  WatchlistStore,
  WatchlistWriteResult,
} from '../../src/bot/core/ports.js';
import { TraktProfilePrivateError, TraktUserUnknownError } from '../../src/bot/core/errors.js';
import { targetKey } from '../../src/bot/core/targets.js';
import type { ActionInput, CommandInput } from '../../src/bot/core/types.js';

/**
 * In-memory implementations of the core's ports, so the core's decisions can be tested without a
 * database, Trakt or a chat platform. They behave like the real ones where the core relies on it
 * (claims are exclusive, the watchlist copy pages and filters).
 */
export function title(id: number, name: string, type: 'movie' | 'show' = 'movie', extra: Partial<Title> = {}): Title {
  return { type, ids: { trakt: id, slug: name.toLowerCase().replace(/\W+/g, '-') }, title: name, year: 2020, posterUrl: null, ...extra };
}

export class FakeClock {
  constructor(public at = new Date('2026-11-23T12:00:00Z')) {}
  now = (): Date => new Date(this.at);
  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}

export class FakeTrakt implements TraktUserPort {
  catalog: Title[] = [];
  watchlist = new Map<string, Target>();
  activity = new Date('2026-11-01T00:00:00Z');
  limit = 250;
  calls: string[] = [];
  /** Makes the next calls fail (or hang) with this. */
  failWith: Error | 'hang' | undefined;

  private async call<T>(name: string, work: () => T): Promise<T> {
    this.calls.push(name);
    if (this.failWith === 'hang') return new Promise<T>(() => undefined);
    if (this.failWith !== undefined) throw this.failWith;
    return work();
  }

  search: TraktCatalogPort['search'] = (request) =>
    this.call('search', () => {
      const hits = this.catalog.filter(
        (t) => t.title.toLowerCase().includes(request.query.toLowerCase()) && request.types.includes(t.type) && (request.year === undefined || t.year === request.year),
      );
      return { hits: hits.slice((request.page - 1) * request.limit, request.page * request.limit), total: hits.length };
    });
  lookupImdb: TraktCatalogPort['lookupImdb'] = (imdb) => this.call('lookupImdb', () => this.catalog.find((t) => t.ids.imdb === imdb));
  lookupSlug: TraktCatalogPort['lookupSlug'] = (_type, slug) => this.call('lookupSlug', () => this.catalog.find((t) => t.ids.slug === slug));
  seasons: TraktCatalogPort['seasons'] = () => this.call('seasons', () => [{ number: 1, ids: {} }, { number: 2, ids: {} }]);
  episodes: TraktCatalogPort['episodes'] = (_show, season) =>
    this.call('episodes', () => [1, 2, 3].map((number) => ({ season, number, ids: { trakt: season * 100 + number } })));

  private result(changed: number, existing: number): WatchlistWriteResult {
    const zero = { movies: 0, shows: 0, seasons: 0, episodes: 0 };
    return {
      changed: { ...zero, movies: changed },
      existing: { ...zero, movies: existing },
      notFound: [],
      itemCount: this.watchlist.size,
      updatedAt: this.activity,
      requests: 1,
      items: changed + existing,
    };
  }

  add = (targets: Target[]) =>
    this.call('add', () => {
      let changed = 0;
      let existing = 0;
      for (const t of targets) {
        if (this.watchlist.has(targetKey(t))) existing++;
        else {
          if (this.watchlist.size >= this.limit) throw this.limitError?.() ?? new Error('limit');
          this.watchlist.set(targetKey(t), t);
          changed++;
        }
      }
      if (changed > 0) this.activity = new Date(this.activity.getTime() + 1000);
      return this.result(changed, existing);
    });
  limitError: (() => Error) | undefined;
  remove = (targets: Target[]) =>
    this.call('remove', () => {
      let changed = 0;
      for (const t of targets) if (this.watchlist.delete(targetKey(t))) changed++;
      if (changed > 0) this.activity = new Date(this.activity.getTime() + 1000);
      return this.result(changed, 0);
    });
  watchlistActivity = () => this.call('lastActivities', () => this.activity);
  watchlistAll = () =>
    this.call('watchlistAll', () =>
      [...this.watchlist.values()].map((t) => ({
        rank: null,
        listedAt: new Date('2026-11-01T00:00:00Z'),
        type: t.kind,
        title: 'title' in t ? t.title : t.show,
        ...(t.kind === 'season' ? { season: t.season } : {}),
        ...(t.kind === 'episode' ? { episode: { season: t.season, number: t.episode, ids: { trakt: 1 } } } : {}),
      })),
    );
  settings = () => this.call('settings', (): LinkedAccount => ({ username: 'alice', vip: false, watchlistLimit: this.limit }));

  /**
   * Public Trakt profiles for `TraktPort.publicWatchlist`, by username: their watchlists, or `'private'`.
   * A name not in the map is a user Trakt does not know.
   */
  publicLists = new Map<string, WatchlistEntry[] | 'private'>();
  publicWatchlist = (username: string) =>
    this.call('publicWatchlist', (): WatchlistEntry[] => {
      const list = this.publicLists.get(username);
      if (list === undefined) throw new TraktUserUnknownError(username);
      if (list === 'private') throw new TraktProfilePrivateError(username);
      return [...list];
    });
}

export class FakeWatchlists implements WatchlistStore {
  copies = new Map<number, { state: WatchlistCopyState; items: Map<string, StoredWatchlistItem> }>();
  async state(id: number) {
    return this.copies.get(id)?.state;
  }
  async replace(id: number, entries: Awaited<ReturnType<FakeTrakt['watchlistAll']>>, activityAt: Date | null, now: Date) {
    const items = new Map<string, StoredWatchlistItem>();
    for (const e of entries) {
      const target: Target = e.type === 'movie' || e.type === 'show' ? { kind: e.type, title: e.title } : { kind: 'season', show: e.title, season: e.season ?? 1 };
      items.set(targetKey(target), { key: targetKey(target), target, listedAt: e.listedAt });
    }
    this.copies.set(id, { state: { activityAt, checkedAt: now, itemCount: items.size }, items });
    return items.size;
  }
  async markChecked(id: number, now: Date) {
    const copy = this.copies.get(id);
    if (copy) copy.state.checkedAt = now;
  }
  async applyWrite(id: number, change: { added?: Target[]; removed?: Target[]; listedAt: Date }) {
    const copy = this.copies.get(id);
    if (!copy) return 0;
    for (const t of change.added ?? []) copy.items.set(targetKey(t), { key: targetKey(t), target: t, listedAt: change.listedAt });
    for (const t of change.removed ?? []) copy.items.delete(targetKey(t));
    copy.state.itemCount = copy.items.size;
    return copy.items.size;
  }
  async setActivity(id: number, activityAt: Date | null) {
    const copy = this.copies.get(id);
    if (copy) copy.state.activityAt = activityAt;
  }
  async page(id: number, query: { offset: number; limit: number }) {
    const items = [...(this.copies.get(id)?.items.values() ?? [])];
    return { items: items.slice(query.offset, query.offset + query.limit), total: items.length };
  }
  async random(id: number, _query: unknown, avoid?: string) {
    const items = [...(this.copies.get(id)?.items.values() ?? [])];
    const item = items.find((i) => i.key !== avoid) ?? items[0];
    return { item, total: items.length };
  }
  async genres() {
    return [];
  }
  async present(id: number, keys: string[]) {
    const items = this.copies.get(id)?.items;
    return new Set(keys.filter((k) => items?.has(k)));
  }
  async find(id: number, text: string, limit: number) {
    return [...(this.copies.get(id)?.items.values() ?? [])]
      .filter((i) => ('title' in i.target ? i.target.title : i.target.show).title.toLowerCase().includes(text.toLowerCase()))
      .slice(0, limit);
  }
  async clear(id: number) {
    this.copies.delete(id);
  }
}

export class FakePending implements PendingActionStore {
  rows = new Map<string, PendingAction>();
  async create(rows: Parameters<PendingActionStore['create']>[0]) {
    for (const r of rows) this.rows.set(r.id, { id: r.id, ownerIdentityId: r.ownerIdentityId, platform: r.platform, chatId: r.chatId, messageId: r.messageId ?? null, action: r.action, payload: structuredClone(r.payload), expiresAt: r.expiresAt, consumedAt: null });
  }
  async find(id: string) {
    return this.rows.get(id);
  }
  async claimView(viewId: string, now: Date) {
    const view = [...this.rows.values()].filter((r) => r.id.startsWith(viewId) && r.consumedAt === null && r.expiresAt > now);
    for (const r of view) r.consumedAt = now;
    return view.length > 0;
  }
  async bindMessage(viewId: string, where: { chatId: string; messageId: string }) {
    for (const r of this.rows.values()) if (r.id.length === viewId.length + 2 && r.id.startsWith(viewId)) Object.assign(r, where);
  }
  async releaseView(viewId: string, claimedAt: Date) {
    for (const r of this.rows.values()) if (r.id.startsWith(viewId) && r.consumedAt?.getTime() === claimedAt.getTime()) r.consumedAt = null;
  }
}

export class FakeJournal implements JournalStore {
  entries: JournalEntry[] = [];
  constructor(private readonly clock: FakeClock) {}
  private resumedAt = new Map<number, Date>();
  async begin(input: { identityId: number; kind: 'add' | 'remove'; targets: Target[]; undoes?: number }) {
    const entry: JournalEntry = {
      id: this.entries.length + 1,
      identityId: input.identityId,
      kind: input.kind,
      targets: input.targets,
      requested: input.targets,
      status: 'pending',
      undoes: input.undoes ?? null,
      createdAt: this.clock.now(),
      undoneAt: null,
    };
    this.entries.push(entry);
    return entry;
  }
  async complete(id: number, input: { status: 'done' | 'failed'; changed: Target[] }) {
    const entry = this.entries.find((e) => e.id === id);
    if (entry === undefined) throw new Error('no such entry');
    entry.status = input.status;
    entry.targets = input.changed;
    return entry;
  }
  private readonly abandoned = new Set<number>();
  async pendingBefore(before: Date) {
    return this.entries.filter((e) => e.status === 'pending' && (e.createdAt < before || this.abandoned.has(e.id)));
  }
  async abandon(ids: number[]) {
    for (const id of ids) if (this.entries.some((e) => e.id === id && e.status === 'pending')) this.abandoned.add(id);
  }
  async claimResume(id: number, at: Date, staleBefore: Date) {
    const entry = this.entries.find((e) => e.id === id && e.status === 'pending');
    const last = this.resumedAt.get(id);
    if (entry === undefined || (last !== undefined && last >= staleBefore)) return undefined;
    this.resumedAt.set(id, at);
    return entry;
  }
  private undoable(e: JournalEntry) {
    return e.status === 'done' && e.undoes === null && e.undoneAt === null && e.targets.length > 0;
  }
  async lastUndoable(identityId: number, since: Date) {
    return [...this.entries].reverse().find((e) => e.identityId === identityId && this.undoable(e) && e.createdAt > since);
  }
  async claimUndo(id: number, identityId: number, now: Date) {
    const entry = this.entries.find((e) => e.id === id && e.identityId === identityId && this.undoable(e));
    if (entry) entry.undoneAt = now;
    return entry;
  }
  async releaseUndo(id: number) {
    const entry = this.entries.find((e) => e.id === id);
    if (entry) entry.undoneAt = null;
  }
}

export interface FakeWorld {
  deps: CoreDeps;
  clock: FakeClock;
  trakt: FakeTrakt;
  pending: FakePending;
  journal: FakeJournal;
  watchlists: FakeWatchlists;
  linked: Map<number, LinkedAccount>;
  logged: Array<{ obj: object; msg?: string }>;
  command(userId: string, command: string, args?: string, chat?: { chatId: string; kind: 'private' | 'group' }): CommandInput;
  press(userId: string, data: string, chat?: { chatId: string; kind: 'private' | 'group' }): ActionInput;
}

export function fakeWorld(options: { traktPatienceMs?: number } = {}): FakeWorld {
  const clock = new FakeClock();
  const trakt = new FakeTrakt();
  const pending = new FakePending();
  const journal = new FakeJournal(clock);
  const watchlists = new FakeWatchlists();
  const linked = new Map<number, LinkedAccount>();
  const logged: Array<{ obj: object; msg?: string }> = [];
  const log = (obj: object, msg?: string) => logged.push({ obj, ...(msg === undefined ? {} : { msg }) });
  const accounts: AccountPort = {
    identify: async (user) => Number(user.userId),
    linkedAccount: async (id) => linked.get(id) ?? null,
    startLink: async () => ({ kind: 'device', url: 'https://trakt.example/activate/ABCD1234', userCode: 'ABCD1234', expiresAt: new Date(clock.now().getTime() + 600_000) }),
    unlink: async (id) => ({ wasLinked: linked.delete(id) }),
    rememberSettings: async () => undefined,
  };
  const traktPort: TraktPort = {
    catalog: () => trakt,
    forIdentity: async (id) => {
      if (!linked.has(id)) throw new (await import('../../src/bot/core/errors.js')).NeedsLinkError(false);
      return trakt;
    },
    publicWatchlist: (username) => trakt.publicWatchlist(username),
  };
  const deps: CoreDeps = {
    accounts,
    trakt: traktPort,
    pending,
    journal,
    watchlists,
    logger: { info: log, warn: log, error: log },
    clock,
    options: { traktPatienceMs: options.traktPatienceMs ?? 200 },
  };
  const chatOf = (userId: string, chat?: { chatId: string; kind: 'private' | 'group' }) => ({ platform: 'telegram' as const, chatId: chat?.chatId ?? userId, kind: chat?.kind ?? ('private' as const) });
  return {
    deps,
    clock,
    trakt,
    pending,
    journal,
    watchlists,
    linked,
    logged,
    command: (userId, command, args = '', chat) => ({ user: { platform: 'telegram', userId }, chat: chatOf(userId, chat), command, args, privateChatId: userId }),
    press: (userId, data, chat) => ({ user: { platform: 'telegram', userId }, chat: chatOf(userId, chat), data, privateChatId: userId }),
  };
}
