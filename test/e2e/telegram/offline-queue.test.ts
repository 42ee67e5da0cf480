import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonsOf, startStack, WAIT, type Stack } from './harness.js';

/**
 * The offline queue (issue 10): writes confirmed while Trakt is down are kept, applied in the order
 * they were confirmed once Trakt is back, and their cards are edited to the outcome with Undo.
 * TRAKT_RETRY_MS is short here so that a failing write gives up its retries (and is queued) at once.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { TRAKT_RETRY_MS: '300' } });
});
afterAll(async () => {
  await stack?.close();
});

const RECOVERY = { timeoutMs: 30_000 };
const IMDB_IDS = ['tt0848228', 'tt0118661', 'tt0458339'];

/** Trakt ids of the movies on a user's emulated watchlist, in the order they were listed. */
function listedIds(username: string): Array<number | undefined> {
  return stack.trakt.watchlist(username).map((r) => ('trakt' in r.ref ? r.ref.trakt : undefined));
}

/** /queue, asked until it is empty: a job is marked done just after it has edited its card. */
async function queueOnceEmpty(user: Awaited<ReturnType<Stack['linkedUser']>>['user']): Promise<string> {
  let text = '';
  for (let i = 0; i < 20; i++) {
    text = (await stack.ask(user, user.id, '/queue')).text;
    if (text.includes('Nothing is queued')) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return text;
}

function traktIdOf(imdb: string): number {
  const movie = stack.trakt.catalog.movies().find((m) => m.ids.imdb === imdb);
  if (movie === undefined) throw new Error(`no catalog movie ${imdb}`);
  return movie.ids.trakt;
}

describe('offline queue (Telegram)', () => {
  it('GIVEN Trakt down WHEN a user confirms three adds THEN three queued cards; WHEN Trakt is back THEN they are applied in order, the cards edited, and Undo works', async () => {
    const { user, username } = await stack.linkedUser();
    const cards = [];
    for (const imdb of IMDB_IDS) cards.push(await stack.ask(user, user.id, `/add ${imdb}`, (m) => m.text.includes('Add to your watchlist?')));

    stack.trakt.setFault('*', { statuses: [503] });
    const queued = [];
    for (const card of cards) {
      await stack.press(user, user.id, card, 'Confirm');
      queued.push(await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('queued') || m.text.includes('Queued'), RECOVERY));
    }
    expect(queued[0]?.text).toContain('Trakt is not answering; your add is queued and will be applied when Trakt is back.');
    for (const card of queued) expect(buttonsOf(card).map((b) => b.label)).toEqual(['✖ Cancel', '🌐 Open on Trakt']);
    expect(stack.trakt.watchlist(username)).toEqual([]);

    const list = await stack.ask(user, user.id, '/queue');
    expect(list.text).toContain('3 changes wait for Trakt');
    expect(list.text.indexOf('The Avengers (2012)')).toBeLessThan(list.text.indexOf('The Avengers (1998)'));
    const status = await stack.ask(user, user.id, '/status');
    expect(status.text).toContain('Waiting for Trakt: 3 changes');

    stack.trakt.clearFaults();
    const done = [];
    for (const card of cards) {
      done.push(await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Added to your watchlist'), RECOVERY));
    }
    for (const card of done) expect(buttonsOf(card).map((b) => b.label)).toEqual(['↩ Undo', '🌐 Open on Trakt']);
    // Applied in the order they were confirmed: Trakt stamps listed_at as each write arrives.
    const listed = listedIds(username);
    expect(listed).toEqual(IMDB_IDS.map(traktIdOf));
    const writes = stack.trakt.requests.filter((r) => r.route === 'POST /sync/watchlist' && r.user === username && r.status === 201);
    expect(writes).toHaveLength(3);

    const second = done[1];
    if (second === undefined) throw new Error('no second card');
    await stack.press(user, user.id, second, 'Undo');
    await stack.telegram.waitForMessageState(user.id, second.messageId, (m) => m.text.includes('Undone'), WAIT);
    expect(listedIds(username)).toEqual([traktIdOf(IMDB_IDS[0] ?? ''), traktIdOf(IMDB_IDS[2] ?? '')]);
    expect(await queueOnceEmpty(user)).toContain('Nothing is queued');
  });

  it('GIVEN two queued adds WHEN the user cancels the second THEN only the first reaches Trakt', async () => {
    const { user, username } = await stack.linkedUser();
    const first = await stack.ask(user, user.id, `/add ${IMDB_IDS[0] ?? ''}`, (m) => m.text.includes('Add to your watchlist?'));
    const second = await stack.ask(user, user.id, `/add ${IMDB_IDS[1] ?? ''}`, (m) => m.text.includes('Add to your watchlist?'));
    stack.trakt.setFault(`POST /sync/watchlist`, { statuses: [502] });
    try {
      for (const card of [first, second]) {
        await stack.press(user, user.id, card, 'Confirm');
        await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => /queued/i.test(m.text), RECOVERY);
      }
      await stack.press(user, user.id, second, 'Cancel');
      const cancelled = await stack.telegram.waitForMessageState(user.id, second.messageId, (m) => m.text.includes('Cancelled'), WAIT);
      expect(cancelled.text).toContain('this change will not be made');
    } finally {
      stack.trakt.clearFaults();
    }
    await stack.telegram.waitForMessageState(user.id, first.messageId, (m) => m.text.includes('Added to your watchlist'), RECOVERY);
    expect(listedIds(username)).toEqual([traktIdOf(IMDB_IDS[0] ?? '')]);
    expect(await queueOnceEmpty(user)).toContain('Nothing is queued');
  });

  it('GIVEN a queued write WHEN Trakt answers 420 (watchlist full) once it is back THEN the card says so and nothing is retried', async () => {
    const { user, username } = await stack.linkedUser({ watchlistLimit: 0 });
    const card = await stack.ask(user, user.id, `/add ${IMDB_IDS[2] ?? ''}`, (m) => m.text.includes('Add to your watchlist?'));
    stack.trakt.setFault('POST /sync/watchlist', { statuses: [503] });
    await stack.press(user, user.id, card, 'Confirm');
    await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => /queued/i.test(m.text), RECOVERY);
    stack.trakt.clearFaults();
    const full = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => /full|limit/i.test(m.text) && !/queued/i.test(m.text), RECOVERY);
    expect(full.text).not.toContain('Added');
    const tries = stack.trakt.requests.filter((r) => r.route === 'POST /sync/watchlist' && r.user === username && r.status === 420);
    expect(tries).toHaveLength(1);
    expect(stack.trakt.watchlist(username)).toEqual([]);
  });
});
