import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogRef } from '../../emulators/trakt/index.js';
import type { ChatMessageState, User } from '../../emulators/telegram/index.js';
import { buttonsOf, startStack, WAIT, type Stack } from './harness.js';

/**
 * Bulk changes (issue 12): a Select mode on /watchlist and on search results, a selection that
 * survives paging, sorting and filtering, one Confirm, one write job (one request per 100 titles) and
 * one Undo for all of them.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ trakt: { catalogSize: 1500 } });
});
afterAll(async () => {
  await stack?.close();
});

function movies(count: number): CatalogRef[] {
  const out = stack.trakt.catalog.movies().slice(0, count).map((m): CatalogRef => ({ type: 'movie', trakt: m.ids.trakt }));
  if (out.length < count) throw new Error(`catalog too small for ${count} movies`);
  return out;
}

function writes(username: string, route: 'POST /sync/watchlist' | 'POST /sync/watchlist/remove') {
  return stack.trakt.requests.filter((r) => r.user === username && r.route === route);
}

/** Titles a write request carried. */
function carried(body: unknown): number {
  const b = body as { movies?: unknown[]; shows?: unknown[]; seasons?: unknown[]; episodes?: unknown[] };
  return (b.movies?.length ?? 0) + (b.shows?.length ?? 0) + (b.seasons?.length ?? 0) + (b.episodes?.length ?? 0);
}

/** Presses a button and waits until the message was edited and matches `until`. */
/**
 * Presses a button and waits for the card to match `until`: the same message edited, or the message
 * that replaced it (Telegram cannot edit a text message into a photo card, so the adapter sends anew).
 */
async function step(user: User, message: ChatMessageState, label: string | RegExp, until: (m: ChatMessageState) => boolean): Promise<ChatMessageState> {
  const edits = stack.telegram.message(user.id, message.messageId)?.edits.length ?? 0;
  await stack.press(user, user.id, message, label);
  const deadline = Date.now() + WAIT.timeoutMs;
  for (;;) {
    const same = stack.telegram.message(user.id, message.messageId);
    if (same !== undefined && !same.deleted && same.edits.length > edits && until(same)) return same;
    const last = stack.telegram.botMessages(user.id).at(-1);
    if (last !== undefined && last.messageId > message.messageId && until(last)) return last;
    if (Date.now() > deadline) throw new Error(`no card matching after pressing ${String(label)}: ${last?.text ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The toggle buttons of a page that are checked. */
function checked(view: ChatMessageState): string[] {
  return buttonsOf(view).filter((b) => /^✅ \d+\. /.test(b.label)).map((b) => b.label);
}

describe('bulk remove from /watchlist', () => {
  it('GIVEN 12 titles WHEN the user selects two on page 1 and one on page 2, sorts and filters, and removes the selection THEN one Confirm, one request with all three, and one Undo puts all three back', async () => {
    const { user, username } = await stack.linkedUser();
    stack.trakt.seedWatchlist(username, movies(12));
    const first = await stack.ask(user, user.id, '/watchlist');
    expect(first.text).toContain('page 1 of 2');
    let view = await step(user, first, '☑ Select', (m) => m.text.includes('0 selected'));
    // A toggle per title (Telegram), unchecked.
    expect(buttonsOf(view).filter((b) => b.label.startsWith('⬜ '))).toHaveLength(10);
    view = await step(user, view, /^⬜ 1\. /, (m) => m.text.includes('1 selected'));
    view = await step(user, view, /^⬜ 2\. /, (m) => m.text.includes('2 selected'));
    expect(checked(view)).toHaveLength(2);
    view = await step(user, view, 'Next ▶', (m) => m.text.includes('page 2 of 2'));
    // The selection survived paging.
    expect(view.text).toContain('2 selected');
    view = await step(user, view, /^⬜ 11\. /, (m) => m.text.includes('3 selected'));
    view = await step(user, view, '◀ Previous', (m) => m.text.includes('page 1 of 2'));
    expect(checked(view)).toHaveLength(2);
    // …and sorting and filtering.
    view = await step(user, view, /^Title$/, (m) => m.text.includes('by title'));
    expect(view.text).toContain('3 selected');
    view = await step(user, view, /^Movies$/, (m) => m.text.includes('Movies · by title'));
    expect(view.text).toContain('3 selected');

    const confirm = await step(user, view, 'Remove 3 selected', (m) => m.text.includes('Remove these 3'));
    const before = writes(username, 'POST /sync/watchlist/remove').length;
    const removed = await step(user, confirm, 'Confirm: remove 3', (m) => m.text.includes('Removed from your watchlist'));
    const requests = writes(username, 'POST /sync/watchlist/remove').slice(before);
    expect(requests).toHaveLength(1);
    expect(carried(requests[0]?.body)).toBe(3);
    expect(stack.trakt.watchlist(username)).toHaveLength(9);
    expect(removed.text).toContain('Together with 2 more');

    const addsBefore = writes(username, 'POST /sync/watchlist').length;
    const undone = await step(user, removed, 'Undo', (m) => m.text.includes('Undone'));
    expect(undone.text).toContain('is back on your watchlist');
    const undoRequests = writes(username, 'POST /sync/watchlist').slice(addsBefore);
    expect(undoRequests).toHaveLength(1);
    expect(carried(undoRequests[0]?.body)).toBe(3);
    expect(stack.trakt.watchlist(username)).toHaveLength(12);
  });

  it('GIVEN 300 titles WHEN the user selects all and removes them THEN one Confirm: the card says it is removing 300, Trakt gets three requests of 100, and one Undo puts all back', async () => {
    const { user, username } = await stack.linkedUser({ vip: true });
    stack.trakt.seedWatchlist(username, movies(300));
    const first = await stack.ask(user, user.id, '/watchlist');
    let view = await step(user, first, '☑ Select', (m) => m.text.includes('0 selected'));
    view = await step(user, view, 'Select all 300', (m) => m.text.includes('300 selected'));
    view = await step(user, view, 'Next ▶', (m) => m.text.includes('page 2 of 30'));
    expect(checked(view)).toHaveLength(10);
    const confirm = await step(user, view, 'Remove 300 selected', (m) => m.text.includes('Remove these 300'));
    expect(confirm.text).toContain('…and 285 more.');
    const before = writes(username, 'POST /sync/watchlist/remove').length;
    // The card says at once that 300 go out (Telegram: a new photo card in place of the text one), then the outcome.
    const removing = await step(user, confirm, 'Confirm: remove 300', (m) => m.text.includes('Removing 300 titles') || m.text.includes('Removed'));
    const said = [removing.text, ...removing.edits.map((e) => JSON.stringify(e))].join('\n');
    expect(said).toContain('Removing 300 titles');
    const removed = await stack.telegram.waitForMessageState(user.id, removing.messageId, (m) => m.text.includes('Removed from your watchlist'), WAIT);
    const requests = writes(username, 'POST /sync/watchlist/remove').slice(before);
    expect(requests.map((r) => carried(r.body))).toEqual([100, 100, 100]);
    expect(stack.trakt.watchlist(username)).toHaveLength(0);
    expect(removed.text).toContain('and 289 more');

    await step(user, removed, 'Undo', (m) => m.text.includes('Undone'));
    expect(stack.trakt.watchlist(username)).toHaveLength(300);
  });
});

describe('bulk add from search results', () => {
  it('GIVEN search results WHEN the user selects several across two pages and adds them THEN one Confirm, one request with all, and one Undo takes all back', async () => {
    const { user, username } = await stack.linkedUser();
    const card = await stack.ask(user, user.id, '/search the');
    let view = await step(user, card, '☑ Select several', (m) => m.text.includes('0 selected'));
    expect(view.text).toContain('Page 1 of');
    view = await step(user, view, /^⬜ 1\. /, (m) => m.text.includes('1 selected'));
    view = await step(user, view, /^⬜ 3\. /, (m) => m.text.includes('2 selected'));
    view = await step(user, view, 'Next ▶', (m) => m.text.includes('Page 2 of'));
    expect(view.text).toContain('2 selected');
    view = await step(user, view, /^⬜ 12\. /, (m) => m.text.includes('3 selected'));
    view = await step(user, view, '◀ Previous', (m) => m.text.includes('Page 1 of'));
    expect(checked(view).map((l) => l.slice(0, 5))).toEqual(['✅ 1. ', '✅ 3. ']);

    const confirm = await step(user, view, 'Add 3 selected', (m) => m.text.includes('Add these 3'));
    const before = writes(username, 'POST /sync/watchlist').length;
    const added = await step(user, confirm, 'Confirm: add 3', (m) => m.text.includes('Added to your watchlist'));
    const requests = writes(username, 'POST /sync/watchlist').slice(before);
    expect(requests).toHaveLength(1);
    expect(carried(requests[0]?.body)).toBe(3);
    expect(stack.trakt.watchlist(username)).toHaveLength(3);

    const removesBefore = writes(username, 'POST /sync/watchlist/remove').length;
    const undone = await step(user, added, 'Undo', (m) => m.text.includes('Undone'));
    expect(undone.text).toContain('off your watchlist again');
    expect(writes(username, 'POST /sync/watchlist/remove').slice(removesBefore)).toHaveLength(1);
    expect(stack.trakt.watchlist(username)).toHaveLength(0);
  });
});
