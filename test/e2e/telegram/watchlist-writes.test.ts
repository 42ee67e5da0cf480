import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonsOf, startStack, WAIT, type Stack } from './harness.js';

/**
 * Add, remove, Confirm and Undo through the real service: what the user sees at the Telegram emulator
 * and what the watchlist holds at the Trakt emulator.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const AVENGERS = 14701;
const writesOf = (username: string, route = 'POST /sync/watchlist') =>
  stack.trakt.requests.filter((r) => r.route === route && r.user === username);

describe('add → Confirm → Undo', () => {
  it('GIVEN a linked user WHEN they /add an IMDb id and press Confirm THEN the card is edited in place to "Added" with Undo, and Undo takes it off again', async () => {
    const { user, username } = await stack.linkedUser();
    const card = await stack.ask(user, user.id, '/add tt0848228');
    expect(card.kind).toBe('photo');
    expect(card.text).toContain('Add to your watchlist?');
    expect(card.text).toContain('The Avengers (2012)');
    expect(buttonsOf(card).map((b) => b.label)).toEqual(['✅ Confirm', '✖ Cancel', '🌐 Open on Trakt']);
    expect(stack.trakt.watchlist(username)).toEqual([]);

    const query = await stack.press(user, user.id, card, 'Confirm');
    const added = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Added to your watchlist'), WAIT);
    expect(added.text).toContain('Watchlist: 1 / 250 used');
    expect(buttonsOf(added).map((b) => b.label)).toEqual(['↩ Undo', '🌐 Open on Trakt']);
    expect(stack.trakt.watchlist(username).map((r) => r.ref)).toEqual([{ type: 'movie', trakt: AVENGERS }]);
    expect(await stack.telegram.callbackAnswer(query)).toBeDefined();

    await stack.press(user, user.id, added, 'Undo');
    const undone = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Undone'), WAIT);
    expect(undone.text).toContain('The Avengers (2012) is off your watchlist again');
    expect(buttonsOf(undone).map((b) => b.label)).toEqual(['🔁 Add again', '🌐 Open on Trakt']);
    expect(stack.trakt.watchlist(username)).toEqual([]);
  });

  it('GIVEN a card WHEN the user presses Cancel THEN nothing is written', async () => {
    const { user, username } = await stack.linkedUser();
    const card = await stack.ask(user, user.id, '/add https://trakt.tv/movies/tron-legacy-2010');
    expect(card.text).toContain('TRON: Legacy (2010)');
    await stack.press(user, user.id, card, 'Cancel');
    const cancelled = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Cancelled'), WAIT);
    expect(buttonsOf(cancelled).map((b) => b.label)).toEqual(['🌐 Open on Trakt']);
    expect(writesOf(username)).toHaveLength(0);
  });

  it('GIVEN a show WHEN the user picks a season, then an episode THEN exactly that episode is added', async () => {
    const { user, username } = await stack.linkedUser();
    const card = await stack.ask(user, user.id, '/add tt0903747');
    expect(card.text).toContain('Breaking Bad (2008)');
    expect(card.text).toMatch(/\d+ seasons/);
    expect(buttonsOf(card).map((b) => b.label)).toEqual(['✅ Confirm: whole show', '📺 Pick a season', '✖ Cancel', '🌐 Open on Trakt']);

    await stack.press(user, user.id, card, 'Pick a season');
    const seasons = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Which season?'), WAIT);
    await stack.press(user, user.id, seasons, /^Season 5$/);
    const season = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Add season 5'), WAIT);
    await stack.press(user, user.id, season, 'Pick an episode');
    const episodes = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Which episode'), WAIT);
    await stack.press(user, user.id, episodes, /^E14\b/);
    const episode = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('S05E14'), WAIT);
    expect(episode.text).toContain('Ozymandias');
    await stack.press(user, user.id, episode, 'Confirm');
    await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Added to your watchlist'), WAIT);
    expect(stack.trakt.watchlist(username).map((r) => r.ref)).toEqual([{ type: 'episode', show: 1388, season: 5, episode: 14 }]);
  });
});

describe('duplicates, limits and locks', () => {
  it('GIVEN a title already on the watchlist WHEN the user /adds it THEN the card says so and offers Remove, not Confirm', async () => {
    const { user, username } = await stack.linkedUser();
    stack.trakt.seedWatchlist(username, [{ type: 'movie', trakt: AVENGERS }]);
    const card = await stack.ask(user, user.id, '/add tt0848228');
    expect(card.text).toContain('Already on your watchlist');
    expect(buttonsOf(card).map((b) => b.label)).toEqual(['🗑 Remove', '✖ Cancel', '🌐 Open on Trakt']);
  });

  it('GIVEN the item was added elsewhere after the card was shown WHEN the user confirms THEN Trakt\'s "existing" is reported and there is no Undo', async () => {
    const { user, username } = await stack.linkedUser();
    const card = await stack.ask(user, user.id, '/add tt0848228');
    stack.trakt.seedWatchlist(username, [{ type: 'movie', trakt: AVENGERS }]);
    await stack.press(user, user.id, card, 'Confirm');
    const outcome = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Already on your watchlist'), WAIT);
    expect(buttonsOf(outcome).map((b) => b.label)).toEqual(['🌐 Open on Trakt']);
    expect(stack.trakt.watchlist(username)).toHaveLength(1);
  });

  it('GIVEN a full watchlist WHEN the user confirms an add THEN they read "used / limit" from Trakt\'s 420 and nothing is added', async () => {
    const { user, username } = await stack.linkedUser({ watchlistLimit: 2 });
    stack.trakt.seedWatchlist(username, [
      { type: 'movie', trakt: 12601 },
      { type: 'movie', trakt: 71938 },
    ]);
    const card = await stack.ask(user, user.id, '/add tt0848228');
    await stack.press(user, user.id, card, 'Confirm');
    const full = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('full'), WAIT);
    expect(full.text).toContain('Your Trakt watchlist is full (2 / 2 used)');
    expect(buttonsOf(full).some((b) => b.url === 'https://app.trakt.tv/vip')).toBe(true);
    expect(stack.trakt.watchlist(username)).toHaveLength(2);
  });

  it('GIVEN a locked Trakt account WHEN the user confirms THEN they are told to contact Trakt support', async () => {
    const { user, username } = await stack.linkedUser();
    const card = await stack.ask(user, user.id, '/add tt0848228');
    stack.trakt.setUser(username, { locked: true });
    await stack.press(user, user.id, card, 'Confirm');
    const locked = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('locked'), WAIT);
    expect(locked.text).toContain('contact their support');
  });
});

describe('remove → Confirm → Undo', () => {
  it('GIVEN two matching items WHEN the user /removes and picks one, confirms, then undoes THEN it is removed and comes back', async () => {
    const { user, username } = await stack.linkedUser();
    stack.trakt.seedWatchlist(username, [
      { type: 'movie', trakt: AVENGERS },
      { type: 'movie', trakt: 71938 },
      { type: 'movie', trakt: 12601 },
    ]);
    const choice = await stack.ask(user, user.id, '/remove avengers');
    expect(choice.text).toContain('Which one should I remove?');
    expect(buttonsOf(choice).map((b) => b.label)).toEqual(
      expect.arrayContaining(['🗑 Remove The Avengers (2012)', '🗑 Remove Avengers: Age of Ultron (2015)']),
    );
    await stack.press(user, user.id, choice, 'Remove The Avengers (2012)');
    // The list was text; the confirm card has a poster, so it replaces the list.
    const card = await stack.telegram.waitForBotMessage(user.id, (m) => m.text.includes('Remove from your watchlist?'), WAIT);
    await stack.press(user, user.id, card, 'Confirm remove');
    const removed = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Removed from your watchlist'), WAIT);
    expect(removed.text).toContain('Watchlist: 2 / 250 used');
    expect(stack.trakt.watchlist(username).map((r) => r.ref.type === 'movie' && r.ref.trakt)).toEqual([71938, 12601]);

    await stack.press(user, user.id, removed, 'Undo');
    await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('is back on your watchlist'), WAIT);
    expect(stack.trakt.watchlist(username)).toHaveLength(3);
  });

  it('GIVEN a recent change WHEN the user sends /undo THEN it is undone, and a second /undo finds nothing', async () => {
    const { user, username } = await stack.linkedUser();
    const card = await stack.ask(user, user.id, '/add tt0848228');
    await stack.press(user, user.id, card, 'Confirm');
    await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Added'), WAIT);
    const undone = await stack.ask(user, user.id, '/undo');
    expect(undone.text).toContain('is off your watchlist again');
    expect(stack.trakt.watchlist(username)).toEqual([]);
    const nothing = await stack.ask(user, user.id, '/undo');
    expect(nothing.text).toContain('Nothing to undo: changes can be undone for 15 minutes');
  });
});

describe('search', () => {
  it('GIVEN a linked user with a title on the watchlist WHEN they search THEN cards flip through results, mark the listed one, and filter by type', async () => {
    const { user, username } = await stack.linkedUser();
    stack.trakt.seedWatchlist(username, [{ type: 'movie', trakt: AVENGERS }]);
    const card = await stack.ask(user, user.id, '/search the avengers 2012');
    expect(card.kind).toBe('photo');
    expect(card.text).toContain('The Avengers (2012)');
    expect(card.text).toContain('✓ On your watchlist');
    expect(card.text).toMatch(/Result 1 of \d+ for “the avengers” \(2012\)/);
    expect(buttonsOf(card).map((b) => b.label)).toContain('🗑 Remove');

    const all = await stack.ask(user, user.id, '/search avengers');
    expect(buttonsOf(all).map((b) => b.label)).toEqual(expect.arrayContaining(['➕ Add', 'Next ▶', 'Movies', 'Shows', '• Both']));
    const first = all.text;
    await stack.press(user, user.id, all, 'Next ▶');
    const second = await stack.telegram.waitForMessageState(user.id, all.messageId, (m) => m.text.includes('Result 2 of'), WAIT);
    expect(second.text).not.toEqual(first);
    expect(buttonsOf(second).map((b) => b.label)).toContain('◀ Previous');

    await stack.press(user, user.id, second, 'Shows');
    const shows = await stack.telegram.waitForMessageState(user.id, all.messageId, (m) => m.text.includes('Result 1 of'), WAIT);
    expect(shows.text).toMatch(/\nShow ·/);
    expect(buttonsOf(shows).map((b) => b.label)).toContain('• Shows');
  });

  it('GIVEN a search card WHEN the user presses Add, Confirm THEN the title is added', async () => {
    const { user, username } = await stack.linkedUser();
    const card = await stack.ask(user, user.id, '/search tron legacy');
    expect(card.text).toContain('TRON: Legacy');
    await stack.press(user, user.id, card, 'Add');
    const confirm = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Add to your watchlist?'), WAIT);
    await stack.press(user, user.id, confirm, 'Confirm');
    await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Added'), WAIT);
    expect(stack.trakt.watchlist(username).map((r) => r.ref)).toEqual([{ type: 'movie', trakt: 12601 }]);
  });

  it('GIVEN a query with no match WHEN the user searches THEN they are told so and get a hint to loosen it', async () => {
    const user = stack.newUser();
    const reply = await stack.ask(user, user.id, '/search zzqxv wobblefrotz 1999');
    expect(reply.text).toContain('I found no movies or shows for “zzqxv wobblefrotz” (1999). Try it without the year');
  });
});

describe('posters', () => {
  it('GIVEN two users seeing the same title WHEN their cards are sent THEN the poster was fetched from Trakt once and uploaded to Telegram once, then reused by file_id', async () => {
    const a = await stack.linkedUser();
    const b = await stack.linkedUser();
    const poster = '/images/posters/movie-4618.webp';
    const before = stack.trakt.requests.filter((r) => r.path === poster).length;
    const first = await stack.ask(a.user, a.user.id, '/add tt0118661');
    const second = await stack.ask(b.user, b.user.id, '/add tt0118661');
    expect(first.kind).toBe('photo');
    expect(second.kind).toBe('photo');
    expect(second.photoFileId).toBe(first.photoFileId);
    expect(stack.trakt.requests.filter((r) => r.path === poster).length - before).toBe(1);
    const uploads = stack.telegram.callsOf('sendPhoto').filter((c) => c.files.length > 0 && c.params.chat_id === a.user.id);
    const reused = stack.telegram.callsOf('sendPhoto').filter((c) => c.params.chat_id === b.user.id);
    expect(uploads).toHaveLength(1);
    expect(reused.at(-1)?.params.photo).toBe(first.photoFileId);
  });

  it('GIVEN the poster cannot be fetched WHEN a card is sent THEN it goes out as text with every detail', async () => {
    const { user } = await stack.linkedUser();
    stack.trakt.setFault('GET /images/*', { statuses: [500] });
    try {
      const card = await stack.ask(user, user.id, '/add tt0458339');
      expect(card.kind).toBe('text');
      expect(card.text).toContain('Captain America: The First Avenger (2011)');
      expect(buttonsOf(card).map((b) => b.label)).toContain('✅ Confirm');
    } finally {
      stack.trakt.clearFaults();
    }
  });
});
