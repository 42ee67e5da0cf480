import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogRef } from '../../emulators/trakt/types.js';
import type { FinalMessage, UserRecord } from '../../emulators/discord/index.js';
import { buttonLabels, componentsOf, shownText, startDiscordStack, WAIT, type DiscordStack } from './harness.js';

/**
 * Bulk changes on Discord (issue 12): /watchlist's Select mode shows a multi-select menu per page
 * (the options already selected come checked), the selection survives paging, and Remove N selected
 * goes through one Confirm, one write request and one Undo. The search card keeps its menu (Telegram's
 * Select several button is left out for it).
 */
let stack: DiscordStack;
beforeAll(async () => {
  stack = await startDiscordStack();
});
afterAll(async () => {
  await stack?.close();
});

type Json = Record<string, unknown>;

function movies(count: number): CatalogRef[] {
  return stack.trakt.catalog.movies().slice(0, count).map((m): CatalogRef => ({ type: 'movie', trakt: m.ids.trakt }));
}

function menuOf(message: FinalMessage): { customId: string; options: Array<{ value: string; label: string; default?: boolean }> } {
  const menu = componentsOf(message.message).find((c) => c.type === 3);
  if (menu === undefined) throw new Error(`no menu: ${buttonLabels(message.message).join(' | ')}`);
  return { customId: String(menu.custom_id), options: (menu.options ?? []) as Array<{ value: string; label: string; default?: boolean }> };
}

function select(user: UserRecord, message: FinalMessage, values: string[]): Promise<FinalMessage> {
  return stack.discord.selectMenu({ user, message: message.message, customId: menuOf(message).customId, values }).waitForFinal(WAIT);
}

function removeRequests(username: string): Json[] {
  return stack.trakt.requests.filter((r) => r.user === username && r.route === 'POST /sync/watchlist/remove').map((r) => r.body as Json);
}

describe('bulk remove from /watchlist on Discord', () => {
  it('GIVEN 12 titles WHEN the user picks two in the menu of page 1 and one on page 2 and removes them THEN one request carries all three and one Undo puts them back', async () => {
    const { user, username } = await stack.linkedUser();
    stack.trakt.seedWatchlist(username, movies(12));
    const first = await stack.ask(user, 'watchlist');
    expect(shownText(first)).toContain('page 1 of 2');
    let view = await stack.click(user, first.message, 'Select').waitForFinal(WAIT);
    expect(shownText(view)).toContain('0 selected');
    // The menu stands for the toggles: no toggle buttons on Discord.
    expect(buttonLabels(view.message).some((l) => /^[✅⬜] \d+\. /.test(l))).toBe(false);
    expect(menuOf(view).options).toHaveLength(10);

    view = await select(user, view, ['0', '1']);
    expect(shownText(view)).toContain('2 selected');
    expect(menuOf(view).options.filter((o) => o.default === true).map((o) => o.value)).toEqual(['0', '1']);
    view = await stack.click(user, view.message, 'Next ▶').waitForFinal(WAIT);
    expect(shownText(view)).toContain('page 2 of 2');
    expect(shownText(view)).toContain('2 selected');
    view = await select(user, view, ['0']);
    expect(shownText(view)).toContain('3 selected');
    view = await stack.click(user, view.message, '◀ Previous').waitForFinal(WAIT);
    // Back on page 1, its two are still checked.
    expect(menuOf(view).options.filter((o) => o.default === true)).toHaveLength(2);

    const confirm = await stack.click(user, view.message, 'Remove 3 selected').waitForFinal(WAIT);
    expect(shownText(confirm)).toContain('Remove these 3 from your watchlist?');
    const before = removeRequests(username).length;
    const removed = await stack.click(user, confirm.message, 'Confirm: remove 3').waitForFinal(WAIT);
    expect(shownText(removed)).toContain('Removed from your watchlist');
    const requests = removeRequests(username).slice(before);
    expect(requests).toHaveLength(1);
    expect((requests[0]?.movies as unknown[] | undefined)?.length).toBe(3);
    expect(stack.trakt.watchlist(username)).toHaveLength(9);

    const undone = await stack.click(user, removed.message, 'Undo').waitForFinal(WAIT);
    expect(shownText(undone)).toContain('back on your watchlist');
    expect(stack.trakt.watchlist(username)).toHaveLength(12);
  });

  it('GIVEN a search card WHEN a linked user sees it THEN it has the menu to add several and not the Select several button', async () => {
    const { user } = await stack.linkedUser();
    const card = await stack.ask(user, 'search', { query: 'avengers' });
    expect(menuOf(card).options.length).toBeGreaterThanOrEqual(2);
    expect(buttonLabels(card.message).some((l) => l.includes('Select several'))).toBe(false);
    expect(buttonLabels(card.message).some((l) => l.includes('Both'))).toBe(true);
  });
});
