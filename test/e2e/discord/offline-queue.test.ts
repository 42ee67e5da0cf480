import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonLabels, nextRevision, shownText, startDiscordStack, WAIT, type DiscordStack } from './harness.js';

/**
 * The offline queue on Discord (issue 10): writes confirmed while Trakt is down are queued, applied in
 * the order they were confirmed once it is back, and their cards are edited (through the channel's
 * message route, as background work holds no interaction token) to the outcome with Undo.
 */
let stack: DiscordStack;
beforeAll(async () => {
  stack = await startDiscordStack({ env: { TRAKT_RETRY_MS: '300' } });
});
afterAll(async () => {
  await stack?.close();
});

const RECOVERY = 30_000;
const IMDB_IDS = ['tt0848228', 'tt0118661', 'tt0458339'];

/** Trakt ids of the movies on a user's emulated watchlist, in the order they were listed. */
function listedIds(username: string): Array<number | undefined> {
  return stack.trakt.watchlist(username).map((r) => ('trakt' in r.ref ? r.ref.trakt : undefined));
}

function traktIdOf(imdb: string): number {
  const movie = stack.trakt.catalog.movies().find((m) => m.ids.imdb === imdb);
  if (movie === undefined) throw new Error(`no catalog movie ${imdb}`);
  return movie.ids.trakt;
}

async function until(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('offline queue (Discord)', () => {
  it('GIVEN Trakt down WHEN a user confirms three adds THEN three queued cards; WHEN Trakt is back THEN they are applied in order, the cards edited, and Undo works', async () => {
    const { user, username } = await stack.linkedUser();
    const cards = [];
    for (const imdb of IMDB_IDS) cards.push(await stack.ask(user, 'add', { title: imdb }));

    stack.trakt.setFault('*', { statuses: [503] });
    for (const card of cards) {
      const queued = await stack.click(user, card.message, 'Confirm').waitForFinal({ timeoutMs: RECOVERY });
      const settled = /queued/i.test(shownText(queued)) ? queued.message : await nextRevision(stack.discord, card.message, (m) => /queued/i.test(shownText(m)));
      expect(buttonLabels(settled)).toEqual(['✖ Cancel', '🌐 Open on Trakt']);
    }
    expect(shownText(stack.discord.message(cards[0]?.message.id ?? '') ?? cards[0]!.message)).toContain(
      'Trakt is not answering; your add is queued and will be applied when Trakt is back.',
    );
    expect(stack.trakt.watchlist(username)).toEqual([]);
    const list = await stack.ask(user, 'queue');
    expect(shownText(list)).toContain('3 changes wait for Trakt');

    stack.trakt.clearFaults();
    for (const card of cards) {
      await until(() => shownText(stack.discord.message(card.message.id) ?? card.message).includes('Added to your watchlist'), `card ${card.message.id} applied`, RECOVERY);
    }
    expect(listedIds(username)).toEqual(IMDB_IDS.map(traktIdOf));
    const second = stack.discord.message(cards[1]?.message.id ?? '');
    if (second === undefined) throw new Error('no second card');
    expect(buttonLabels(second)).toEqual(['↩ Undo', '🌐 Open on Trakt']);

    const undone = await stack.click(user, second, 'Undo').waitForFinal(WAIT);
    expect(shownText(undone)).toContain('Undone');
    expect(listedIds(username)).toEqual([traktIdOf(IMDB_IDS[0] ?? ''), traktIdOf(IMDB_IDS[2] ?? '')]);
  });
});
