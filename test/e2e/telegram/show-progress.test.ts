import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogRef } from '../../emulators/trakt/index.js';
import { startStack, WAIT, type Stack } from './harness.js';

/**
 * Show progress on /watchlist (issue 13): "watched x / y · next SxxEyy" from Trakt's watched progress,
 * read for the page's shows once, then from the cache until last_activities says episodes were watched.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ trakt: { catalogSize: 300 } });
});
afterAll(async () => {
  await stack?.close();
});

/** Shows whose first season has at least 4 aired episodes, with that season's aired count. */
function airedShows(count: number): Array<{ trakt: number; title: string }> {
  const now = Date.now();
  const out: Array<{ trakt: number; title: string }> = [];
  for (const show of stack.trakt.catalog.shows()) {
    const e4 = stack.trakt.catalog.episode(show.ids.trakt, 1, 4);
    if (e4?.first_aired == null || Date.parse(e4.first_aired) > now) continue;
    out.push({ trakt: show.ids.trakt, title: show.title });
    if (out.length === count) return out;
  }
  throw new Error(`catalog has fewer than ${count} aired shows`);
}

function traktCalls(username: string) {
  const requests = stack.trakt.requests.filter((r) => r.user === username);
  return {
    progress: requests.filter((r) => r.route === 'GET /shows/:id/progress/watched').length,
    lastActivities: requests.filter((r) => r.path === '/sync/last_activities').length,
  };
}

/** The line of the view that names the show. */
function lineOf(text: string, title: string): string {
  return text.split('\n').find((l) => l.includes(title)) ?? '';
}

const episode = (show: number, season: number, number: number): CatalogRef => ({ type: 'episode', show, season, episode: number });

describe('show progress on the watchlist', () => {
  it('GIVEN a page of 10 shows WHEN viewed, viewed again, and an episode is watched on Trakt THEN the lines come from Trakt once, then from the cache, then refreshed', async () => {
    const { user, username } = await stack.linkedUser();
    const shows = airedShows(10);
    const [started, finished, untouched] = shows as [(typeof shows)[number], (typeof shows)[number], (typeof shows)[number]];
    const startedAired = stack.trakt.catalog.show(started.trakt)?.aired_episodes ?? 0;
    // Watched elsewhere first (Trakt drops a show from the watchlist when one of its episodes is watched), then listed.
    stack.trakt.markWatched(username, [episode(started.trakt, 1, 1), episode(started.trakt, 1, 2), { type: 'show', trakt: finished.trakt }]);
    stack.trakt.seedWatchlist(username, shows.map((s) => ({ type: 'show', trakt: s.trakt })));

    const first = await stack.ask(user, user.id, '/watchlist shows');
    expect(lineOf(first.text, started.title)).toMatch(/· watched 2 \/ \d+ · next S01E03$/);
    expect(lineOf(first.text, finished.title)).toMatch(/· watched (\d+) \/ \1$/);
    expect(lineOf(first.text, untouched.title)).toMatch(/· watched 0 \/ \d+ · next S01E01$/);
    const cold = traktCalls(username);
    expect(cold.progress).toBe(10);
    // The episodes-watched time came from the copy's own last_activities check: no extra read.
    expect(cold.lastActivities).toBe(1);

    const again = await stack.ask(user, user.id, '/watchlist shows');
    expect(lineOf(again.text, started.title)).toContain('watched 2 / ');
    expect(traktCalls(username)).toEqual({ progress: 10, lastActivities: 2 });
    // Pages and presses within the copy's freshness window cost nothing either.
    await stack.press(user, user.id, again, 'Title');
    await stack.telegram.waitForMessageState(user.id, again.messageId, (m) => m.text.includes('Shows · by title'), WAIT);
    expect(traktCalls(username)).toEqual({ progress: 10, lastActivities: 2 });

    // Another episode watched on Trakt: episodes.watched_at moves (and Trakt drops the show; it is listed again).
    stack.trakt.markWatched(username, [episode(started.trakt, 1, 3)]);
    stack.trakt.seedWatchlist(username, [{ type: 'show', trakt: started.trakt }]);
    const moved = await stack.ask(user, user.id, '/watchlist shows');
    expect(lineOf(moved.text, started.title)).toMatch(/· watched 3 \/ \d+ · next S01E04$/);
    expect(lineOf(moved.text, started.title)).toContain(`watched 3 / ${startedAired}`);
    const after = traktCalls(username);
    expect(after.progress - 10).toBeLessThanOrEqual(10);
    expect(after.lastActivities).toBe(3);
  });

  it('GIVEN started, finished and untouched shows and a movie WHEN the user picks In progress THEN only the started-but-unfinished shows are listed', async () => {
    const { user, username } = await stack.linkedUser();
    const shows = airedShows(14).slice(10);
    const [a, b, done, fresh] = shows as [(typeof shows)[number], (typeof shows)[number], (typeof shows)[number], (typeof shows)[number]];
    stack.trakt.markWatched(username, [episode(a.trakt, 1, 1), episode(b.trakt, 1, 1), episode(b.trakt, 1, 2), { type: 'show', trakt: done.trakt }]);
    const movie = stack.trakt.catalog.movies()[0];
    stack.trakt.seedWatchlist(username, [...shows.map((s): CatalogRef => ({ type: 'show', trakt: s.trakt })), { type: 'movie', trakt: movie?.ids.trakt ?? 0 }]);

    const all = await stack.ask(user, user.id, '/watchlist');
    await stack.press(user, user.id, all, 'In progress');
    const filtered = await stack.telegram.waitForMessageState(user.id, all.messageId, (m) => m.text.includes('In progress · newest first'), WAIT);
    expect(filtered.text).toContain(a.title);
    expect(filtered.text).toContain(b.title);
    expect(filtered.text).not.toContain(done.title);
    expect(filtered.text).not.toContain(fresh.title);
    expect(filtered.text).not.toContain(movie?.title ?? '?');
    expect(filtered.text).toContain('page 1 of 1');
    // The first view read the 4 shows' progress; the filter found them cached and current.
    expect(traktCalls(username).progress).toBe(4);

    const typed = await stack.ask(user, user.id, '/watchlist in progress title');
    expect(typed.text).toContain('In progress · by title');
    expect(typed.text.split('\n').filter((l) => /^\d+\. /.test(l))).toHaveLength(2);
    expect(traktCalls(username).progress).toBe(4);
  });

  it('GIVEN 13 shows whose progress was never read WHEN the user opens In progress twice THEN each view reads at most 10 and says how many are unchecked', async () => {
    const { user, username } = await stack.linkedUser();
    const shows = airedShows(27).slice(14);
    stack.trakt.markWatched(username, shows.map((s) => episode(s.trakt, 1, 1)));
    stack.trakt.seedWatchlist(username, shows.map((s): CatalogRef => ({ type: 'show', trakt: s.trakt })));

    const first = await stack.ask(user, user.id, '/watchlist progress');
    expect(first.text).toContain('Progress checked for 10 of 13 shows so far');
    expect(first.text.split('\n').filter((l) => /^\d+\. /.test(l))).toHaveLength(10);
    expect(traktCalls(username).progress).toBe(10);

    const second = await stack.ask(user, user.id, '/watchlist progress');
    expect(second.text).not.toContain('Progress checked for');
    expect(second.text).toContain('page 1 of 2');
    expect(traktCalls(username).progress).toBe(13);
  });
});
