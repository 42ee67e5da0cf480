import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogRef } from '../../emulators/trakt/index.js';
import { buttonsOf, startStack, WAIT, type Stack } from './harness.js';

/**
 * /watchlist is served from the local copy: paging, sorting and filtering cost Trakt nothing, and the
 * copy is read again only when last_activities says the watchlist moved (REFERENCE §10).
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ trakt: { catalogSize: 6000 } });
});
afterAll(async () => {
  await stack?.close();
});

function refs(count: number): CatalogRef[] {
  const out: CatalogRef[] = [];
  for (const movie of stack.trakt.catalog.movies()) {
    if (out.length >= count) return out;
    out.push({ type: 'movie', trakt: movie.ids.trakt });
  }
  for (const show of stack.trakt.catalog.shows()) {
    if (out.length >= count) return out;
    out.push({ type: 'show', trakt: show.ids.trakt });
    for (const season of show.seasons) {
      if (out.length >= count) return out;
      if (season.number > 0) out.push({ type: 'season', show: show.ids.trakt, season: season.number });
    }
  }
  if (out.length < count) throw new Error(`catalog too small for ${count} items`);
  return out;
}

/** Trakt calls for the copy; show progress (one read per show on a page not seen before) is counted apart. */
function traktCalls(username: string) {
  const all = stack.trakt.requests.filter((r) => r.user === username);
  const progress = all.filter((r) => r.route === 'GET /shows/:id/progress/watched').length;
  const requests = all.filter((r) => r.route !== 'GET /shows/:id/progress/watched');
  return {
    watchlistReads: requests.filter((r) => r.method === 'GET' && r.path.startsWith('/sync/watchlist')).length,
    lastActivities: requests.filter((r) => r.path === '/sync/last_activities').length,
    total: requests.length,
    progress,
  };
}

describe('watchlist view', () => {
  it('GIVEN 12 items WHEN the user opens /watchlist and pages, sorts and filters THEN each view comes from the copy with "used / limit"', async () => {
    const { user, username } = await stack.linkedUser();
    stack.trakt.seedWatchlist(username, [{ type: 'show', trakt: 1388 }, ...refs(11)]);
    expect(stack.trakt.watchlist(username)).toHaveLength(12);
    const first = await stack.ask(user, user.id, '/watchlist');
    expect(first.text).toContain('Your watchlist · 12 / 250 used');
    expect(first.text).toContain('All · newest first · page 1 of 2');
    expect(first.text.split('\n').filter((l) => /^\d+\. /.test(l))).toHaveLength(10);
    const afterFirst = traktCalls(username);
    expect(afterFirst.watchlistReads).toBe(1);

    await stack.press(user, user.id, first, 'Next ▶');
    const second = await stack.telegram.waitForMessageState(user.id, first.messageId, (m) => m.text.includes('page 2 of 2'), WAIT);
    expect(second.text).toMatch(/^11\. /m);
    await stack.press(user, user.id, second, /^Title$/);
    const byTitle = await stack.telegram.waitForMessageState(user.id, first.messageId, (m) => m.text.includes('by title'), WAIT);
    // Sorted by title with the article dropped: "The Avengers" under A, before Breaking Bad and Captain America.
    const order = (title: string) => byTitle.text.indexOf(title);
    expect(order('The Avengers (2012)')).toBeLessThan(order('Breaking Bad'));
    expect(order('Breaking Bad')).toBeLessThan(order('Captain America: Civil War'));
    expect(byTitle.text).toMatch(/^1\. .*Avengers/m);
    await stack.press(user, user.id, byTitle, /^Movies$/);
    const movies = await stack.telegram.waitForMessageState(user.id, first.messageId, (m) => m.text.includes('Movies · by title'), WAIT);
    expect(movies.text).not.toContain('Breaking Bad');
    expect(movies.text).toContain('The Avengers (2012)');

    // Paging, sorting and filtering asked Trakt nothing but the progress of the one show (Breaking Bad), once.
    expect(traktCalls(username)).toEqual({ ...afterFirst, progress: 1 });
  });

  it('GIVEN the watchlist changed outside the bot WHEN the user sends /watchlist THEN last_activities shows it moved and the copy is read again; unchanged THEN it is not', async () => {
    const { user, username } = await stack.linkedUser();
    stack.trakt.seedWatchlist(username, [{ type: 'movie', trakt: 14701 }]);
    await stack.ask(user, user.id, '/watchlist');
    await stack.ask(user, user.id, '/watchlist');
    expect(traktCalls(username)).toMatchObject({ watchlistReads: 1, lastActivities: 2 });

    stack.trakt.seedWatchlist(username, [{ type: 'movie', trakt: 12601 }]);
    const changed = await stack.ask(user, user.id, '/watchlist');
    expect(changed.text).toContain('2 / 250 used');
    expect(changed.text).toContain('TRON: Legacy (2010)');
    expect(traktCalls(username)).toMatchObject({ watchlistReads: 2, lastActivities: 3 });
  });

  it('GIVEN our own add WHEN the user looks again THEN the copy already has it and Trakt is not re-read', async () => {
    const { user, username } = await stack.linkedUser();
    stack.trakt.seedWatchlist(username, [{ type: 'movie', trakt: 12601 }]);
    await stack.ask(user, user.id, '/watchlist');
    const card = await stack.ask(user, user.id, '/add tt0848228');
    await stack.press(user, user.id, card, 'Confirm');
    await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Added'), WAIT);
    const view = await stack.ask(user, user.id, '/watchlist');
    expect(view.text).toContain('2 / 250 used');
    expect(view.text).toContain('The Avengers (2012)');
    expect(traktCalls(username).watchlistReads).toBe(1);
  });

  it('GIVEN a 10,000-item watchlist and a 10-item one WHEN both users page, sort and filter THEN every press costs Trakt the same: nothing', async () => {
    const big = await stack.linkedUser({ vip: true });
    const small = await stack.linkedUser({ vip: true });
    stack.trakt.seedWatchlist(big.username, refs(10_000));
    stack.trakt.seedWatchlist(small.username, refs(10));

    const costs: Record<string, number[]> = {};
    for (const { user, username } of [big, small]) {
      const first = await stack.ask(user, user.id, '/watchlist title');
      let message = first;
      const perPress: number[] = [];
      const progressPerPress: number[] = [];
      const presses = username === big.username ? ['Next ▶', 'Next ▶', /^Year$/, /^Rating$/, /^Movies$/] : [/^Year$/, /^Rating$/, /^Movies$/];
      for (const label of presses) {
        const before = traktCalls(username);
        const edits = stack.telegram.message(user.id, first.messageId)?.edits.length ?? 0;
        await stack.press(user, user.id, message, label);
        message = await stack.telegram.waitForMessageState(user.id, first.messageId, (m) => m.edits.length > edits, WAIT);
        perPress.push(traktCalls(username).total - before.total);
        progressPerPress.push(traktCalls(username).progress - before.progress);
      }
      costs[username] = perPress;
      // Progress is read only for shows on a page not seen before: at most one read per title shown.
      for (const reads of progressPerPress) expect(reads).toBeLessThanOrEqual(10);
    }
    expect(costs[big.username]).toEqual([0, 0, 0, 0, 0]);
    expect(costs[small.username]).toEqual([0, 0, 0]);
    const bigView = stack.telegram.message(big.user.id, stack.telegram.botMessages(big.user.id).at(-1)?.messageId ?? 0);
    expect(bigView?.text).toContain('10000 / 5000 used');
    expect(bigView?.text).toContain('Movies · best rated first · page 1 of');
    expect(traktCalls(big.username).watchlistReads).toBe(40);
  });
});

let index: { movies: Map<number, ReturnType<Stack['trakt']['catalog']['movies']>[number]>; shows: Map<number, ReturnType<Stack['trakt']['catalog']['shows']>[number]> } | undefined;
function catalogIndex() {
  index ??= {
    movies: new Map(stack.trakt.catalog.movies().map((m) => [m.ids.trakt, m])),
    shows: new Map(stack.trakt.catalog.shows().map((s) => [s.ids.trakt, s])),
  };
  return index;
}

/** What the copy knows of a catalog ref: its kind and its title's (a season's: its show's) facts. */
function factsOf(ref: CatalogRef): { movie: boolean; genres: string[]; year: number; runtime: number | undefined } {
  if (ref.type === 'movie') {
    const movie = catalogIndex().movies.get(ref.trakt);
    if (movie === undefined) throw new Error(`no movie ${ref.trakt}`);
    return { movie: true, genres: movie.genres, year: movie.year, runtime: movie.runtime };
  }
  const id = ref.type === 'show' ? ref.trakt : 'show' in ref ? ref.show : -1;
  const show = catalogIndex().shows.get(id);
  if (show === undefined) throw new Error(`no show ${id}`);
  return { movie: false, genres: show.genres, year: show.year, runtime: (show as { runtime?: number }).runtime };
}

function numberedLines(text: string): string[] {
  return text.split('\n').filter((l) => /^\d+\. /.test(l));
}

type Message = Awaited<ReturnType<Stack['ask']>>;

/** Presses and waits for the answer: the message edited, or (a text turned into a photo card) sent anew. */
async function pressAndWait(user: Parameters<Stack['press']>[0], message: Message, label: string | RegExp, until: (text: string) => boolean): Promise<Message> {
  const before = stack.telegram.message(user.id, message.messageId)?.edits.length ?? 0;
  await stack.press(user, user.id, message, label);
  const deadline = Date.now() + WAIT.timeoutMs;
  for (;;) {
    const edited = stack.telegram.message(user.id, message.messageId);
    if (edited !== undefined && edited.edits.length > before && until(edited.text)) return edited;
    const sent = stack.telegram.botMessages(user.id).filter((m) => m.messageId > message.messageId && until(m.text)).at(-1);
    if (sent !== undefined) return stack.telegram.message(user.id, sent.messageId) ?? sent;
    if (Date.now() > deadline) throw new Error(`nothing matched after pressing ${String(label)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('watchlist filters, details and /random (issue 13)', () => {
  let big: Awaited<ReturnType<Stack['linkedUser']>>;
  let listed: CatalogRef[];
  beforeAll(async () => {
    big = await stack.linkedUser({ vip: true });
    listed = refs(10_000);
    stack.trakt.seedWatchlist(big.username, listed);
  });

  it('GIVEN 10,000 items WHEN /watchlist is filtered by type, genre, years and runtime THEN the header says what is applied and "x of y" with the true count, and the runtime sort orders the page', async () => {
    const { user } = big;
    const expected = listed.filter((ref) => {
      const f = factsOf(ref);
      return f.movie && f.genres.includes('drama') && f.year >= 2000 && f.year <= 2015 && f.runtime !== undefined && f.runtime <= 120;
    }).length;
    expect(expected).toBeGreaterThan(10);
    const view = await stack.ask(user, user.id, '/watchlist movies drama 2000-2015 2h runtime');
    expect(view.text).toContain('Movies · Drama · 2000–2015 · ≤ 2 h · shortest first · page 1 of');
    expect(view.text).toContain(`${expected} of 10000`);
    const minutes = numberedLines(view.text).map((l) => Number(/ (\d+) min/.exec(l)?.[1]));
    expect(minutes).toHaveLength(10);
    expect(minutes).toEqual([...minutes].sort((a, b) => a - b));
    expect(minutes.every((m) => m <= 120)).toBe(true);

    // The same as key=value arguments (what Discord's options send).
    const keyed = await stack.ask(user, user.id, '/watchlist type=movies genre=Drama years=2000-2015 runtime=120 sort=released');
    expect(keyed.text).toContain('Movies · Drama · 2000–2015 · ≤ 2 h · by release date, latest first');
    expect(keyed.text).toContain(`${expected} of 10000`);
    const dates = numberedLines(keyed.text).map((l) => /📅 (\d{4}-\d{2}-\d{2})/.exec(l)?.[1] ?? '');
    expect(dates.every((d) => d !== '')).toBe(true);
    expect(dates).toEqual([...dates].sort().reverse());

    // The filter row: the panel's genres come from the list; pressing one applies it with the rest kept.
    const panel = await pressAndWait(user, keyed, '🎛 Filters', (t) => t.includes('Filter your watchlist'));
    const horror = listed.filter((ref) => {
      const f = factsOf(ref);
      return f.movie && f.genres.includes('horror') && f.year >= 2000 && f.year <= 2015 && f.runtime !== undefined && f.runtime <= 120;
    }).length;
    const byHorror = await pressAndWait(user, panel, /^Horror \(\d+\)$/, (t) => t.includes('Your watchlist'));
    expect(byHorror.text).toContain('Movies · Horror · 2000–2015 · ≤ 2 h');
    expect(byHorror.text).toContain(`${horror} of 10000`);
    const shows = await pressAndWait(user, byHorror, /^Shows$/, (t) => t.includes('Shows · Horror'));
    const showsExpected = listed.filter((ref) => {
      const f = factsOf(ref);
      return !f.movie && f.genres.includes('horror') && f.year >= 2000 && f.year <= 2015 && (f.runtime ?? 0) <= 120;
    }).length;
    expect(shows.text).toContain(`${showsExpected} of 10000`);
    const cleared = await pressAndWait(user, shows, '✖ Clear', (t) => t.includes('All · by release date'));
    expect(cleared.text).toContain('10000 of 10000');
  });

  it('GIVEN a show and a movie on the list WHEN the user presses a title THEN its card has the details, the season picker for the show, and Remove takes the movie off', async () => {
    const { user, username } = await stack.linkedUser();
    stack.trakt.seedWatchlist(username, [{ type: 'show', trakt: 1388 }, { type: 'movie', trakt: 14701 }]);
    const list = await stack.ask(user, user.id, '/watchlist title');
    expect(list.text).toContain('2 of 2');
    const show = await pressAndWait(user, list, /^\d+\. Breaking Bad/, (t) => t.includes('Seasons:'));
    expect(show.kind).toBe('photo');
    expect(show.text).toContain('Walter White');
    expect(show.text).toMatch(/Seasons: S1 · \d+ ep/);
    expect(show.text).toContain('Drama');
    expect(show.text).toContain('★');
    const labels = buttonsOf(show).map((b) => b.label);
    expect(labels).toEqual(expect.arrayContaining(['📺 Pick a season or episode', '🗑 Remove', '◀ Back to the list']));
    const seasons = await pressAndWait(user, show, 'Pick a season or episode', (t) => t.includes('Which season?'));
    expect(buttonsOf(seasons).map((b) => b.label)).toEqual(expect.arrayContaining(['Season 1', 'Season 5']));

    const again = await stack.ask(user, user.id, '/watchlist title', (m) => m.messageId > seasons.messageId && m.text.includes('Your watchlist'));
    const movie = await pressAndWait(user, again, /^\d+\. The Avengers/, (t) => t.includes('On your watchlist'));
    expect(movie.text).toContain('2 h 23 min');
    expect(buttonsOf(movie).map((b) => b.label)).not.toContain('📺 Pick a season or episode');
    const ask = await pressAndWait(user, movie, '🗑 Remove', (t) => t.includes('Remove from your watchlist?'));
    await pressAndWait(user, ask, 'Confirm remove', (t) => t.includes('Removed'));
    expect(stack.trakt.watchlist(username).map((e) => e.type)).toEqual(['show']);
    const after = await stack.ask(user, user.id, '/watchlist', (m) => m.messageId > again.messageId && m.text.includes('Your watchlist'));
    expect(after.text).toContain('1 of 1');
  });

  it('GIVEN a show the user has started WHEN its details open THEN each season says how much of it was watched, and the next episode', async () => {
    const { user, username } = await stack.linkedUser();
    stack.trakt.markWatched(username, [
      { type: 'episode', show: 1388, season: 1, episode: 1 },
      { type: 'episode', show: 1388, season: 1, episode: 2 },
    ]);
    // Trakt takes a show off the watchlist once one of its episodes is watched: it is added back.
    stack.trakt.seedWatchlist(username, [{ type: 'show', trakt: 1388 }]);
    const list = await stack.ask(user, user.id, '/watchlist');
    const show = await pressAndWait(user, list, /^\d+\. Breaking Bad/, (t) => t.includes('Seasons:'));
    expect(show.text).toMatch(/Seasons: S1 · 2\/\d+ watched, S2 · 0\/\d+ watched/);
    expect(show.text).toMatch(/Watched 2 \/ \d+ · next S01E03/);
  });

  it('GIVEN 10,000 items WHEN the user asks /random with filters and presses Another THEN every pick matches and none repeats the one before', async () => {
    const { user } = big;
    const first = await stack.ask(user, user.id, '/random shows comedy 2000-');
    const matching = listed.filter((ref) => {
      const f = factsOf(ref);
      return !f.movie && f.genres.includes('comedy') && f.year >= 2000;
    }).length;
    expect(first.text).toContain(`🎲 From your watchlist · Shows · Comedy · 2000 or later · 1 of ${matching} (of 10000)`);
    let card = first;
    let previous = '';
    for (let i = 0; i < 5; i++) {
      expect(card.text).toMatch(/^(Show|Season)/m);
      expect(card.text).toContain('Comedy');
      const year = Number(/\((\d{4})\)/.exec(card.text)?.[1]);
      expect(year).toBeGreaterThanOrEqual(2000);
      const shown = card.text.split('\n')[2] ?? '';
      expect(shown).not.toBe(previous);
      previous = shown;
      const edits = stack.telegram.message(user.id, first.messageId)?.edits.length ?? 0;
      await stack.press(user, user.id, card, '🎲 Another');
      card = await stack.telegram.waitForMessageState(user.id, first.messageId, (m) => m.edits.length > edits, WAIT);
    }

    // One match: Another shows it again rather than nothing; none: says so.
    const { user: solo, username } = await stack.linkedUser();
    stack.trakt.seedWatchlist(username, [{ type: 'movie', trakt: 14701 }, { type: 'show', trakt: 1388 }]);
    const only = await stack.ask(solo, solo.id, '/random movies');
    expect(only.text).toContain('The Avengers');
    expect(only.text).toContain('1 of 1 (of 2)');
    const none = await stack.ask(solo, solo.id, '/random movies horror');
    expect(none.text).toContain('Nothing on your watchlist matches Movies · Horror');
  });
});
