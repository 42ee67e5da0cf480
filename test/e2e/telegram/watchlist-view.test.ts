import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogRef } from '../../emulators/trakt/index.js';
import { startStack, WAIT, type Stack } from './harness.js';

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
    await stack.press(user, user.id, second, 'Title');
    const byTitle = await stack.telegram.waitForMessageState(user.id, first.messageId, (m) => m.text.includes('by title'), WAIT);
    // Sorted by title with the article dropped: "The Avengers" under A, before Breaking Bad and Captain America.
    const order = (title: string) => byTitle.text.indexOf(title);
    expect(order('The Avengers (2012)')).toBeLessThan(order('Breaking Bad'));
    expect(order('Breaking Bad')).toBeLessThan(order('Captain America: Civil War'));
    expect(byTitle.text).toMatch(/^1\. .*Avengers/m);
    await stack.press(user, user.id, byTitle, 'Movies');
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
      const presses = username === big.username ? ['Next ▶', 'Next ▶', 'Year', 'Rating', 'Movies'] : ['Year', 'Rating', 'Movies'];
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
