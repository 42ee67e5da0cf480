import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogRef } from '../../emulators/trakt/types.js';
import { buttonLabels, componentsOf, shownText, startDiscordStack, WAIT, type DiscordStack } from './harness.js';

/**
 * Bug 1 of issue 9: Undo inverts exactly what the write changed, as Trakt reported it, not every title
 * on the Confirm card. A title that was already on the watchlist (here: added on trakt.tv after the
 * card was shown, so the bot's copy may even be stale) survives Undo.
 */
let stack: DiscordStack;
beforeAll(async () => {
  stack = await startDiscordStack();
});
afterAll(async () => {
  await stack?.close();
});

/** The catalog reference of a search result, from its label `Title (Year)`. */
function refOfLabel(label: string): CatalogRef {
  const match = /^(.*) \((\d{4})\)$/.exec(label);
  const [title, year] = match ? [match[1] ?? '', Number(match[2])] : [label, null];
  const movie = stack.trakt.catalog.movies().find((m) => m.title === title && (year === null || m.year === year));
  if (movie !== undefined) return { type: 'movie', trakt: movie.ids.trakt };
  const show = stack.trakt.catalog.shows().find((s) => s.title === title && (year === null || s.year === year));
  if (show !== undefined) return { type: 'show', trakt: show.ids.trakt };
  throw new Error(`no catalog title for ${label}`);
}

describe('Undo of a batch add', () => {
  it('GIVEN three picked titles, one added on trakt.tv after the card was shown WHEN the user confirms and then undoes THEN the one already there stays', async () => {
    const { user, username } = await stack.linkedUser();
    const card = await stack.ask(user, 'search', { query: 'avengers' });
    const menu = componentsOf(card).find((c) => c.type === 3);
    const options = (menu?.options ?? []) as Array<{ label: string; value: string }>;
    expect(options.length).toBeGreaterThanOrEqual(3);
    const picked = options.slice(0, 3);
    const chosen = await stack.discord
      .selectMenu({ user, message: card.message, customId: String(menu?.custom_id), values: picked.map((o) => o.value) })
      .waitForFinal(WAIT);
    expect(shownText(chosen)).toContain('Add these 3 to your watchlist?');

    const already = refOfLabel(picked[1]?.label ?? '');
    stack.trakt.seedWatchlist(username, [already]);

    const added = await stack.click(user, chosen.message, 'Confirm').waitForFinal(WAIT);
    expect(shownText(added)).toContain('Added to your watchlist');
    expect(stack.trakt.watchlist(username)).toHaveLength(3);

    const undone = await stack.click(user, added.message, 'Undo').waitForFinal(WAIT);
    expect(shownText(undone)).toContain('Undone');
    expect(stack.trakt.watchlist(username).map((r) => r.ref)).toEqual([already]);
  });

  it('GIVEN a single title added on trakt.tv after its card was shown WHEN the user confirms THEN nothing is offered to undo and /undo leaves it listed', async () => {
    const { user, username } = await stack.linkedUser();
    const card = await stack.ask(user, 'add', { title: 'tt0848228' });
    stack.trakt.seedWatchlist(username, [{ type: 'movie', trakt: 14701 }]);
    const outcome = await stack.click(user, card.message, 'Confirm').waitForFinal(WAIT);
    expect(shownText(outcome)).toContain('Already on your watchlist');
    expect(buttonLabels(outcome)).toEqual(['🌐 Open on Trakt']);
    const undo = await stack.ask(user, 'undo');
    expect(shownText(undo)).toContain('Nothing to undo');
    expect(stack.trakt.watchlist(username)).toHaveLength(1);
  });
});
