import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findWatchlistSync } from '../../../src/db/queries/watchlist-copy.js';
import { chatIdentities } from '../../../src/db/schema.js';
import type { User } from '../../emulators/telegram/index.js';
import { buttonsOf, startStack, WAIT, type Stack } from './harness.js';

/**
 * Issue 13, "Search and caching": searches and title lookups are cached for every user (a repeated one
 * costs no Trakt request), a search that finds nothing suggests the closest known titles or a looser
 * query, and a background job keeps active users' copies in step with changes made on Trakt itself.
 */
let stack: Stack;
const SYNC_MS = 1500;
beforeAll(async () => {
  stack = await startStack({ env: { WATCHLIST_SYNC_MS: String(SYNC_MS), WATCHLIST_SYNC_PER_MINUTE: '6000' } });
});
afterAll(async () => {
  await stack?.close();
});

const apiRequests = (test: (r: Stack['trakt']['requests'][number]) => boolean) => stack.trakt.requests.filter((r) => r.host === 'api' && test(r));
const searchesFor = (query: string) => apiRequests((r) => r.route === 'GET /search/:type' && r.query.query?.toLowerCase() === query);

async function identityOf(user: User): Promise<number> {
  const [row] = await stack.service.database.db.select().from(chatIdentities).where(eq(chatIdentities.platformUserId, String(user.id)));
  if (row === undefined) throw new Error('no identity');
  return row.id;
}

describe('shared search and metadata caches', () => {
  it('GIVEN two users WHEN both run the same /search THEN Trakt is searched once', async () => {
    const a = await stack.linkedUser();
    const b = stack.newUser(); // not linked: the app-level catalog
    const c = await stack.linkedUser();
    const first = await stack.ask(a.user, a.user.id, '/search Severance');
    const second = await stack.ask(b, b.id, '/search severance');
    const third = await stack.ask(c.user, c.user.id, '/search  SEVERANCE ');
    for (const card of [first, second, third]) expect(card.text).toContain('Severance (2022)');
    expect(searchesFor('severance')).toHaveLength(1);
  });

  it('GIVEN two users WHEN both /add the same IMDb id THEN Trakt looks it up once', async () => {
    const a = await stack.linkedUser();
    const b = await stack.linkedUser();
    const first = await stack.ask(a.user, a.user.id, '/add tt0087182');
    const second = await stack.ask(b.user, b.user.id, '/add tt0087182');
    expect(first.text).toContain('Dune (1984)');
    expect(second.text).toContain('Dune (1984)');
    expect(apiRequests((r) => r.path.includes('tt0087182'))).toHaveLength(1);
  });
});

describe('suggestions when a search finds nothing', () => {
  it.each([
    ['dune', '/search dnue', 'Dune (2021)'],
    ['the avengers', '/search the avengres', 'The Avengers (2012)'],
  ])('GIVEN the bot has seen %s WHEN a user types %s THEN the closest title is offered, and pressing it opens its card', async (seen, typo, shown) => {
    const { user } = await stack.linkedUser();
    await stack.ask(user, user.id, `/search ${seen}`);
    const nothing = await stack.ask(user, user.id, typo);
    expect(nothing.text).toContain('I found no');
    expect(nothing.text).toContain('Did you mean');
    expect(buttonsOf(nothing).map((b) => b.label)).toContain(`🔎 ${shown}`);
    // A text message cannot become a photo: the card replaces it.
    const next = stack.telegram.waitForBotMessage(user.id, (m) => m.messageId !== nothing.messageId, WAIT);
    await stack.press(user, user.id, nothing, shown);
    const card = await next;
    expect(card.text).toContain(shown);
  });

  it('GIVEN no close title WHEN the query has a year that finds nothing THEN the looser query (without the year) is offered', async () => {
    const { user } = await stack.linkedUser();
    const nothing = await stack.ask(user, user.id, '/search tron legacy (1999)');
    expect(nothing.text).toContain('I found no');
    expect(nothing.text).toContain('“tron legacy” finds something');
    const next = stack.telegram.waitForBotMessage(user.id, (m) => m.messageId !== nothing.messageId, WAIT);
    await stack.press(user, user.id, nothing, 'Search “tron legacy”');
    const card = await next;
    expect(card.text).toContain('TRON: Legacy (2010)');
  });
});

describe('background watchlist sync', () => {
  it('GIVEN active users A and B and a user inactive for 2 days WHEN A changes the list on Trakt THEN the job re-reads only A; B gets last_activities only; the inactive user nothing', async () => {
    const a = await stack.linkedUser();
    const b = await stack.linkedUser();
    const idle = await stack.linkedUser();
    // Each has a copy (made by a command), so the job has something to compare with.
    for (const u of [a, b, idle]) await stack.ask(u.user, u.user.id, '/watchlist');
    const [idA, idIdle] = [await identityOf(a.user), await identityOf(idle.user)];
    await stack.service.database.db
      .update(chatIdentities)
      .set({ lastSeenAt: new Date(Date.now() - 2 * 24 * 60 * 60_000) })
      .where(eq(chatIdentities.id, idIdle));
    const since = Date.now();
    const dune = stack.trakt.catalog.findByTitle('Dune');
    if (dune === undefined) throw new Error('no Dune in the catalog');
    stack.trakt.seedWatchlist(a.username, [{ type: 'movie', trakt: dune.ids.trakt }]);

    const of = (username: string) => apiRequests((r) => r.user === username && r.at >= since).map((r) => r.route);
    const deadline = Date.now() + 4 * SYNC_MS + 5000;
    while (!(of(a.username).includes('GET /sync/watchlist') && of(b.username).includes('GET /sync/last_activities'))) {
      if (Date.now() > deadline) throw new Error(`no sync seen: A ${of(a.username).join(', ')}; B ${of(b.username).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Another full interval: the inactive user is still never asked about, B never re-read.
    await new Promise((resolve) => setTimeout(resolve, SYNC_MS + 500));
    expect(of(a.username)).toContain('GET /sync/last_activities');
    expect(new Set(of(b.username))).toEqual(new Set(['GET /sync/last_activities']));
    expect(of(idle.username)).toEqual([]);
    expect((await findWatchlistSync(stack.service.database.db, idA))?.itemCount).toBe(1);
    const list = await stack.ask(a.user, a.user.id, '/watchlist');
    expect(list.text).toContain('Dune');
  });
});
