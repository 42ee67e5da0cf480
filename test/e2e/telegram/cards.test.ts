import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTICE_PLACES } from '../../../src/bot/core/commands/link.js';
import { NOTICES } from '../../../src/bot/core/replies.js';
import { buttonsOf, startStack, WAIT, type Stack } from './harness.js';

/** Issue 15: cards a user can always act on (Telegram). */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const traktLink = (message: Parameters<typeof buttonsOf>[0]) => buttonsOf(message).find((b) => b.label.includes('Open on Trakt'))?.url;

describe('Open on Trakt', () => {
  it('GIVEN a search result, the /add Confirm card and the outcome cards THEN each has an Open on Trakt link to the title on trakt.tv', async () => {
    const { user } = await stack.linkedUser();
    const result = await stack.ask(user, user.id, '/search the avengers 2012');
    expect(result.text).toContain('The Avengers (2012)');
    expect(traktLink(result)).toBe('https://trakt.tv/movies/the-avengers-2012');

    const card = await stack.ask(user, user.id, '/add tt0848228');
    expect(traktLink(card)).toBe('https://trakt.tv/movies/the-avengers-2012');
    await stack.press(user, user.id, card, 'Confirm');
    const added = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Added to your watchlist'), WAIT);
    expect(buttonsOf(added).map((b) => b.label)).toEqual(['↩ Undo', '🌐 Open on Trakt']);
    expect(traktLink(added)).toBe('https://trakt.tv/movies/the-avengers-2012');
    await stack.press(user, user.id, added, 'Undo');
    const undone = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Undone'), WAIT);
    expect(traktLink(undone)).toBe('https://trakt.tv/movies/the-avengers-2012');
  });

  it('GIVEN a season and an episode card THEN the link goes to that season or episode', async () => {
    const { user } = await stack.linkedUser();
    const season = await stack.ask(user, user.id, '/add https://trakt.tv/shows/breaking-bad/seasons/5');
    expect(season.text).toContain('Season 5');
    expect(traktLink(season)).toBe('https://trakt.tv/shows/breaking-bad/seasons/5');
    const episode = await stack.ask(user, user.id, '/add https://trakt.tv/shows/breaking-bad/seasons/5/episodes/14');
    expect(episode.text).toContain('S05E14');
    expect(traktLink(episode)).toBe('https://trakt.tv/shows/breaking-bad/seasons/5/episodes/14');
  });
});

describe('Add again after Undo', () => {
  it('GIVEN an add that was undone WHEN the user presses Add again on the same card THEN the title is added again, with Undo', async () => {
    const { user, username } = await stack.linkedUser();
    const card = await stack.ask(user, user.id, '/add tt0848228');
    await stack.press(user, user.id, card, 'Confirm');
    const added = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Added to your watchlist'), WAIT);
    await stack.press(user, user.id, added, 'Undo');
    const undone = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Undone'), WAIT);
    expect(buttonsOf(undone).map((b) => b.label)).toEqual(['🔁 Add again', '🌐 Open on Trakt']);
    expect(stack.trakt.watchlist(username)).toEqual([]);

    await stack.press(user, user.id, undone, 'Add again');
    const again = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Added to your watchlist'), WAIT);
    expect(buttonsOf(again).map((b) => b.label)).toEqual(['↩ Undo', '🌐 Open on Trakt']);
    expect(stack.trakt.watchlist(username).map((r) => r.ref)).toEqual([{ type: 'movie', trakt: 14701 }]);
  });
});

describe('after Undo the card keeps a way on', () => {
  it('GIVEN a search result added with Confirm and undone THEN the card offers Add again and Back to results, and Back to results shows the search card again', async () => {
    const { user, username } = await stack.linkedUser();
    const result = await stack.ask(user, user.id, '/search the avengers 2012');
    expect(result.text).toContain('Result 1 of');
    await stack.press(user, user.id, result, /Add$/);
    const confirm = await stack.telegram.waitForMessageState(user.id, result.messageId, (m) => m.text.includes('Add to your watchlist?'), WAIT);
    await stack.press(user, user.id, confirm, 'Confirm');
    const added = await stack.telegram.waitForMessageState(user.id, result.messageId, (m) => m.text.includes('Added to your watchlist'), WAIT);
    await stack.press(user, user.id, added, 'Undo');
    const undone = await stack.telegram.waitForMessageState(user.id, result.messageId, (m) => m.text.includes('Undone'), WAIT);
    expect(buttonsOf(undone).map((b) => b.label)).toEqual(['🔁 Add again', '◀ Back to results', '🌐 Open on Trakt']);
    expect(stack.trakt.watchlist(username)).toEqual([]);

    await stack.press(user, user.id, undone, 'Back to results');
    const back = await stack.telegram.waitForMessageState(user.id, result.messageId, (m) => m.text.includes('Result 1 of'), WAIT);
    expect(back.text).toContain('The Avengers (2012)');
    expect(back.text).toContain('for “the avengers” (2012)');
    expect(buttonsOf(back).map((b) => b.label)).toEqual(['➕ Add', 'Movies', 'Shows', '• Both', '🌐 Open on Trakt']);
  });

  it('GIVEN a removal that was undone WHEN the user presses Remove again on the same card THEN the title is removed again, with Undo', async () => {
    const { user, username } = await stack.linkedUser();
    stack.trakt.seedWatchlist(username, [{ type: 'movie', trakt: 14701 }]);
    const card = await stack.ask(user, user.id, '/remove the avengers');
    expect(card.text).toContain('Remove from your watchlist?');
    await stack.press(user, user.id, card, 'Confirm remove');
    const removed = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Removed from your watchlist'), WAIT);
    await stack.press(user, user.id, removed, 'Undo');
    const undone = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('back on your watchlist'), WAIT);
    expect(buttonsOf(undone).map((b) => b.label)).toEqual(['🗑 Remove again', '🌐 Open on Trakt']);
    expect(stack.trakt.watchlist(username).map((r) => r.ref)).toEqual([{ type: 'movie', trakt: 14701 }]);

    await stack.press(user, user.id, undone, 'Remove again');
    const again = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Removed from your watchlist'), WAIT);
    expect(buttonsOf(again).map((b) => b.label)).toEqual(['↩ Undo', '🌐 Open on Trakt']);
    expect(stack.trakt.watchlist(username)).toEqual([]);
  });
});

describe('a second /link', () => {
  it('GIVEN a pending device code WHEN the user sends /link again THEN the new answer says the previous code no longer works, and the new code links', async () => {
    const user = stack.newUser('Rhea');
    const username = `rhea${user.id}`;
    stack.trakt.addUser({ username });
    const codeOf = (text: string) => /enter the code ([0-9A-F]{8})/i.exec(text)?.[1];
    const first = await stack.ask(user, user.id, '/link');
    expect(first.text).not.toContain('previous code');
    const second = await stack.ask(user, user.id, '/link');
    expect(second.text).toContain('Your previous code no longer works; use this one.');
    const code = codeOf(second.text);
    expect(code).toBeDefined();
    expect(code).not.toBe(codeOf(first.text));

    stack.trakt.approveDevice(code ?? '', username);
    const linked = await stack.telegram.waitForBotMessage(user.id, (m) => m.text.includes('Linked to Trakt'), { timeoutMs: 15_000 });
    expect(linked.text).toContain(`Linked to Trakt as ${username}`);
  });
});

describe('IMDb ids and Trakt links in /search and plain messages', () => {
  it('GIVEN an IMDb id, an IMDb URL or a Trakt link WHEN sent with /search or as a plain private message THEN the card is that title (or episode), with Add', async () => {
    const { user } = await stack.linkedUser();
    const byId = await stack.ask(user, user.id, '/search tt1160419');
    expect(byId.text).toContain('Dune (2021)');
    expect(byId.text).not.toContain('I found no');
    expect(buttonsOf(byId).map((b) => b.label)).toEqual(['➕ Add', '🌐 Open on Trakt']);

    const imdbUrl = await stack.ask(user, user.id, 'https://www.imdb.com/title/tt0848228/');
    expect(imdbUrl.text).toContain('The Avengers (2012)');
    const plainId = await stack.ask(user, user.id, 'tt1104001');
    expect(plainId.text).toContain('TRON: Legacy (2010)');
    const episode = await stack.ask(user, user.id, 'https://trakt.tv/shows/breaking-bad/seasons/5/episodes/14');
    expect(episode.text).toContain('S05E14');
    expect(episode.text).toContain('Ozymandias');

    await stack.press(user, user.id, byId, 'Add');
    const confirm = await stack.telegram.waitForMessageState(user.id, byId.messageId, (m) => m.text.includes('Add to your watchlist?'), WAIT);
    expect(confirm.text).toContain('Dune (2021)');
  });

  it('GIVEN an IMDb id Trakt does not know WHEN /add or /search THEN the bot says Trakt does not know it, not to try fewer words', async () => {
    const { user } = await stack.linkedUser();
    const add = await stack.ask(user, user.id, '/add tt9999999');
    expect(add.text).toContain('Trakt does not know tt9999999');
    expect(add.text).not.toContain('fewer words');
    const search = await stack.ask(user, user.id, '/search tt9999999');
    expect(search.text).toContain('Trakt does not know tt9999999');
    expect(search.text).not.toContain('fewer words');
  });
});

describe('season and episode cards show their own facts', () => {
  it('GIVEN a season card and an episode picked from its picker THEN they show that season\'s episode count and air date, the episode\'s title and air date, not the whole show\'s numbers', async () => {
    const { user } = await stack.linkedUser();
    const season = await stack.ask(user, user.id, '/add https://trakt.tv/shows/breaking-bad/seasons/5');
    expect(season.text).toContain('Season 5');
    expect(season.text).toContain('16 episodes');
    expect(season.text).toContain('📅 2012-07-16');
    expect(season.text).not.toContain('★ 9.4');

    await stack.press(user, user.id, season, 'Pick an episode');
    const picker = await stack.telegram.waitForMessageState(user.id, season.messageId, (m) => m.text.includes('Which episode'), WAIT);
    expect(picker.text).toContain('16 episodes');
    expect(buttonsOf(picker).map((b) => b.label)).toEqual(expect.arrayContaining(['E14 Ozymandias', "E13 To'hajiilee", 'E16 Felina']));
    await stack.press(user, user.id, picker, 'E14 Ozymandias');
    const episode = await stack.telegram.waitForMessageState(user.id, season.messageId, (m) => m.text.includes('S05E14'), WAIT);
    expect(episode.text).toContain('Ozymandias');
    expect(episode.text).toMatch(/📅 \d{4}-\d{2}-\d{2}/);
    expect(episode.text).not.toContain('★ 9.4');
    expect(episode.text).not.toContain('16 episodes');
  });
});

describe('Not this one', () => {
  it('GIVEN /add of words with several matches WHEN the user presses Not this one and picks another match THEN that title\'s Add card comes, and Confirm adds that title', async () => {
    const { user, username } = await stack.linkedUser();
    const card = await stack.ask(user, user.id, '/add dune');
    expect(card.text).toContain('Add to your watchlist?');
    expect(card.text).toContain('Dune (2021)');
    expect(buttonsOf(card).map((b) => b.label)).toEqual(['✅ Confirm', '🔄 Not this one', '✖ Cancel', '🌐 Open on Trakt']);

    await stack.press(user, user.id, card, 'Not this one');
    // The poster card becomes a text list and back: Telegram cannot turn a photo into text, so each comes as a new message.
    const shown = (check: (text: string) => boolean) => stack.telegram.waitForBotMessage(user.id, (m) => check(m.text), WAIT);
    const list = await shown((t) => t.includes('Other matches for “dune”'));
    const labels = buttonsOf(list).map((b) => b.label);
    expect(labels).toEqual(expect.arrayContaining(['Dune (1984)', 'Dune: Part Two (2024)', '✖ Cancel']));
    expect(labels).not.toContain('Dune (2021)');
    expect(labels.length).toBeLessThanOrEqual(5);

    await stack.press(user, user.id, list, 'Dune (1984)');
    const picked = await shown((t) => t.includes('Add to your watchlist?') && t.includes('Dune (1984)'));
    expect(buttonsOf(picked).map((b) => b.label)).toEqual(['✅ Confirm', '🔄 Not this one', '✖ Cancel', '🌐 Open on Trakt']);
    await stack.press(user, user.id, picked, 'Confirm');
    await stack.telegram.waitForMessageState(user.id, picked.messageId, (m) => m.text.includes('Added to your watchlist'), WAIT);
    const dune1984 = stack.trakt.catalog.movies().find((m) => m.ids.imdb === 'tt0087182');
    expect(dune1984?.year).toBe(1984);
    expect(stack.trakt.watchlist(username).map((r) => r.ref)).toEqual([{ type: 'movie', trakt: dune1984?.ids.trakt }]);
  });

  it('GIVEN /add of an IMDb id THEN the card has no Not this one', async () => {
    const { user } = await stack.linkedUser();
    const card = await stack.ask(user, user.id, '/add tt1160419');
    expect(card.text).toContain('Dune (2021)');
    expect(buttonsOf(card).map((b) => b.label)).toEqual(['✅ Confirm', '✖ Cancel', '🌐 Open on Trakt']);
  });
});

describe('in a group: whose a card is, and account replies in private', () => {
  const newGroup = () => stack.telegram.group({ id: -randomInt(10_000, 2 ** 40), title: 'Movie night', type: 'supergroup' });
  const bot = () => `@${stack.telegram.botUser.username ?? ''}`;

  it('GIVEN a user with a Telegram @username WHEN they /add in a group and confirm THEN each card says "for @username" (no watchlist usage); in the private chat it does not', async () => {
    const handle = `alice_${randomInt(1000, 9999)}`;
    const { user } = await stack.linkedUser({ name: 'Alice', handle });
    const group = newGroup();
    const card = await stack.ask(user, group.id, `/add${bot()} tt0848228`);
    expect(card.text).toContain('The Avengers (2012)');
    expect(card.text).toContain(`for @${handle}`);
    await stack.press(user, group.id, card, 'Confirm');
    const added = await stack.telegram.waitForMessageState(group.id, card.messageId, (m) => m.text.includes('Added to your watchlist'), WAIT);
    expect(added.text).toContain(`for @${handle}`);
    expect(added.text).not.toContain('Watchlist:');

    const search = await stack.ask(user, group.id, `/search${bot()} dune 2021`);
    expect(search.text).toContain(`for @${handle}`);

    const own = await stack.ask(user, user.id, '/add tt1160419');
    expect(own.text).toContain('Dune (2021)');
    expect(own.text).not.toContain('for @');
  });

  it('GIVEN a user without a @username WHEN they /add in a group THEN the card names them by their display name', async () => {
    const { user } = await stack.linkedUser({ name: 'Bruno' });
    const card = await stack.ask(user, newGroup().id, `/add${bot()} tt0848228`);
    expect(card.text).toContain('for @Bruno');
  });

  it('GIVEN a group WHEN a user sends /watchlist or /status THEN the group gets a pointer and the answer arrives in their private chat; with share THEN it is posted in the group', async () => {
    const handle = `carol_${randomInt(1000, 9999)}`;
    const { user, username } = await stack.linkedUser({ name: 'Carol', handle });
    stack.trakt.seedWatchlist(username, [{ type: 'movie', trakt: 14701 }]);
    // The user has talked to the bot privately before (Telegram bots cannot start a private chat).
    await stack.ask(user, user.id, '/help');
    const group = newGroup();

    const pointer = await stack.ask(user, group.id, `/watchlist${bot()}`);
    expect(pointer.text).toBe(NOTICES.sentPrivately);
    const list = await stack.telegram.waitForBotMessage(user.id, (m) => m.text.includes('Your watchlist'), WAIT);
    expect(list.text).toContain('The Avengers');
    expect(stack.telegram.botMessages(group.id).map((m) => m.text).join('\n')).not.toContain('The Avengers');

    const statusPointer = await stack.ask(user, group.id, `/status${bot()}`, (m) => m.messageId !== pointer.messageId);
    expect(statusPointer.text).toBe(NOTICES.sentPrivately);
    const status = await stack.telegram.waitForBotMessage(user.id, (m) => m.text.includes('Linked to Trakt as'), WAIT);
    expect(status.text).toContain('Watchlist: 1');
    expect(stack.telegram.botMessages(group.id).map((m) => m.text).join('\n')).not.toContain('Linked to Trakt');

    const shared = await stack.ask(user, group.id, `/watchlist${bot()} share`, (m) => m.text.includes('Your watchlist'));
    expect(shared.text).toContain('The Avengers');
    expect(shared.text).toContain(`for @${handle}`);
    const sharedStatus = await stack.ask(user, group.id, `/status${bot()} share`, (m) => m.text.includes('Linked to Trakt as'));
    expect(sharedStatus.text).toContain(`Linked to Trakt as ${username}`);
    expect(sharedStatus.text).toContain(`for @${handle}`);
  });
});

describe('where the link confirmation arrives', () => {
  it('GIVEN /link in a group THEN the answer in the private chat says "I will tell you here", and the confirmation arrives there, not in the group', async () => {
    const user = stack.newUser('Gus');
    const username = `gus${user.id}`;
    stack.trakt.addUser({ username });
    await stack.ask(user, user.id, '/help');
    const group = stack.telegram.group({ id: -randomInt(10_000, 2 ** 40), title: 'Den', type: 'supergroup' });
    const pointer = await stack.ask(user, group.id, `/link@${stack.telegram.botUser.username ?? ''}`);
    expect(pointer.text).toBe(NOTICES.sentPrivately);
    const answer = await stack.telegram.waitForBotMessage(user.id, (m) => m.text.includes('enter the code'), WAIT);
    expect(answer.text).toContain(NOTICE_PLACES.here);
    const code = /enter the code ([0-9A-F]{8})/i.exec(answer.text)?.[1] ?? '';

    stack.trakt.approveDevice(code, username);
    const linked = await stack.telegram.waitForBotMessage(user.id, (m) => m.text.includes('Linked to Trakt'), { timeoutMs: 15_000 });
    expect(linked.text).toContain(`Linked to Trakt as ${username}`);
    expect(stack.telegram.botMessages(group.id).map((m) => m.text).join('\n')).not.toContain('Linked to Trakt');
  });
});
