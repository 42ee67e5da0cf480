import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTICE_PLACES, PRIVATE_NOTE } from '../../../src/bot/core/commands/link.js';
import { buttonLabels, CHANNEL_ID, componentsOf, EPHEMERAL, GUILD_ID, shownText, startDiscordStack, until, WAIT, type DiscordStack } from './harness.js';

/** Issue 15: cards a user can always act on (Discord). */
let stack: DiscordStack;
beforeAll(async () => {
  stack = await startDiscordStack();
});
afterAll(async () => {
  await stack?.close();
});

type Message = Parameters<typeof componentsOf>[0];
/** The Open on Trakt link button: a link-style button (5) with a URL and no custom id. */
function traktLink(message: Message): string | undefined {
  const link = componentsOf(message).find((c) => c.type === 2 && String(c.label).includes('Open on Trakt'));
  if (link === undefined) return undefined;
  expect(link).toMatchObject({ style: 5 });
  expect(link.custom_id).toBeUndefined();
  return String(link.url);
}

function withinLimits(message: Message): void {
  const rows = (message.components as Array<{ components?: unknown[] }>);
  expect(rows.length).toBeLessThanOrEqual(5);
  for (const row of rows) expect((row.components ?? []).length).toBeLessThanOrEqual(5);
}

describe('Discord: Open on Trakt', () => {
  it('GIVEN a search result, the /add Confirm card and the outcome cards THEN each has an Open on Trakt link button to the title on trakt.tv', async () => {
    const { user } = await stack.linkedUser();
    const result = await stack.ask(user, 'search', { query: 'the avengers 2012' });
    expect(shownText(result)).toContain('The Avengers (2012)');
    expect(traktLink(result)).toBe('https://trakt.tv/movies/the-avengers-2012');
    withinLimits(result);

    const card = await stack.ask(user, 'add', { title: 'tt0848228' });
    expect(traktLink(card)).toBe('https://trakt.tv/movies/the-avengers-2012');
    const added = await stack.click(user, card.message, 'Confirm').waitForFinal(WAIT);
    expect(shownText(added)).toContain('Added to your watchlist');
    expect(buttonLabels(added)).toEqual(['↩ Undo', '🌐 Open on Trakt']);
    expect(traktLink(added)).toBe('https://trakt.tv/movies/the-avengers-2012');
    const undone = await stack.click(user, added.message, 'Undo').waitForFinal(WAIT);
    expect(shownText(undone)).toContain('off your watchlist again');
    expect(traktLink(undone)).toBe('https://trakt.tv/movies/the-avengers-2012');
  });

  it('GIVEN a season card, its episode picker and an episode card THEN the link goes to that season or episode, within Discord limits', async () => {
    const { user } = await stack.linkedUser();
    const season = await stack.ask(user, 'add', { title: 'https://trakt.tv/shows/breaking-bad/seasons/5' });
    expect(shownText(season)).toContain('Season 5');
    expect(traktLink(season)).toBe('https://trakt.tv/shows/breaking-bad/seasons/5');
    const picker = await stack.click(user, season.message, 'Pick an episode').waitForFinal(WAIT);
    expect(shownText(picker)).toContain('Which episode');
    withinLimits(picker);
    expect(traktLink(picker)).toBe('https://trakt.tv/shows/breaking-bad/seasons/5');
    expect(buttonLabels(picker)).toContain('✅ Confirm: season 5');
    const episode = await stack.ask(user, 'add', { title: 'https://trakt.tv/shows/breaking-bad/seasons/5/episodes/14' });
    expect(shownText(episode)).toContain('S05E14');
    expect(traktLink(episode)).toBe('https://trakt.tv/shows/breaking-bad/seasons/5/episodes/14');
  });
});

describe('Discord: Add again after Undo', () => {
  it('GIVEN an add that was undone WHEN the user presses Add again on the same card THEN the title is added again, with Undo', async () => {
    const { user, username } = await stack.linkedUser();
    const card = await stack.ask(user, 'add', { title: 'tt0848228' });
    const added = await stack.click(user, card.message, 'Confirm').waitForFinal(WAIT);
    const undone = await stack.click(user, added.message, 'Undo').waitForFinal(WAIT);
    expect(shownText(undone)).toContain('off your watchlist again');
    expect(buttonLabels(undone)).toEqual(['🔁 Add again', '🌐 Open on Trakt']);
    expect(stack.trakt.watchlist(username)).toEqual([]);

    const again = await stack.click(user, undone.message, 'Add again').waitForFinal(WAIT);
    expect(shownText(again)).toContain('Added to your watchlist');
    expect(buttonLabels(again)).toEqual(['↩ Undo', '🌐 Open on Trakt']);
    expect(stack.trakt.watchlist(username).map((r) => r.title)).toEqual(['The Avengers']);
  });
});

describe('Discord: after Undo the card keeps a way on', () => {
  it('GIVEN a search result added with Confirm and undone THEN the card offers Add again and Back to results, and Back to results shows the search card again', async () => {
    const { user, username } = await stack.linkedUser();
    const result = await stack.ask(user, 'search', { query: 'the avengers 2012' });
    expect(shownText(result)).toContain('Result 1 of');
    const confirm = await stack.click(user, result.message, /Add$/).waitForFinal(WAIT);
    expect(shownText(confirm)).toContain('Add to your watchlist?');
    const added = await stack.click(user, confirm.message, 'Confirm').waitForFinal(WAIT);
    expect(shownText(added)).toContain('Added to your watchlist');
    const undone = await stack.click(user, added.message, 'Undo').waitForFinal(WAIT);
    expect(shownText(undone)).toContain('off your watchlist again');
    expect(buttonLabels(undone)).toEqual(['🔁 Add again', '◀ Back to results', '🌐 Open on Trakt']);
    withinLimits(undone);
    expect(stack.trakt.watchlist(username)).toEqual([]);

    const back = await stack.click(user, undone.message, 'Back to results').waitForFinal(WAIT);
    expect(back.message.id).toBe(result.message.id);
    expect(shownText(back)).toContain('The Avengers (2012)');
    expect(shownText(back)).toContain('Result 1 of 1 for “the avengers” (2012)');
    expect(buttonLabels(back)).toEqual(['➕ Add', 'Movies', 'Shows', '• Both', '🌐 Open on Trakt']);
  });

  it('GIVEN a removal that was undone WHEN the user presses Remove again on the same card THEN the title is removed again, with Undo', async () => {
    const { user, username } = await stack.linkedUser();
    stack.trakt.seedWatchlist(username, [{ type: 'movie', trakt: 14701 }]);
    const card = await stack.ask(user, 'remove', { title: 'the avengers' });
    expect(shownText(card)).toContain('Remove from your watchlist?');
    const removed = await stack.click(user, card.message, 'Confirm remove').waitForFinal(WAIT);
    expect(shownText(removed)).toContain('Removed from your watchlist');
    const undone = await stack.click(user, removed.message, 'Undo').waitForFinal(WAIT);
    expect(shownText(undone)).toContain('back on your watchlist');
    expect(buttonLabels(undone)).toEqual(['🗑 Remove again', '🌐 Open on Trakt']);
    expect(stack.trakt.watchlist(username).map((r) => r.title)).toEqual(['The Avengers']);

    const again = await stack.click(user, undone.message, 'Remove again').waitForFinal(WAIT);
    expect(shownText(again)).toContain('Removed from your watchlist');
    expect(buttonLabels(again)).toEqual(['↩ Undo', '🌐 Open on Trakt']);
    expect(stack.trakt.watchlist(username)).toEqual([]);
  });
});

describe('Discord: a second /link', () => {
  it('GIVEN a pending device code WHEN the user runs /link again THEN the new answer says the previous code no longer works, and the new code links', async () => {
    const user = stack.newUser();
    const traktUser = stack.trakt.addUser({ username: `drelink${user.id.slice(-6)}` });
    const codeOf = (message: Parameters<typeof shownText>[0]) => /code ([0-9A-F]{8})/i.exec(shownText(message))?.[1];
    const first = await stack.ask(user, 'link');
    expect(shownText(first)).not.toContain('previous code');
    const second = await stack.ask(user, 'link');
    expect(second.ephemeral).toBe(true);
    expect(shownText(second)).toContain('Your previous code no longer works; use this one.');
    const code = codeOf(second);
    expect(code).toBeDefined();
    expect(code).not.toBe(codeOf(first));

    stack.trakt.approveDevice(code ?? '', traktUser.username);
    await until(() => stack.discord.messages(user.dmChannelId).some((m) => shownText(m).includes(`Linked to Trakt as ${traktUser.username}`)), 'the link notice in DMs');
  });
});

describe('Discord: IMDb ids and Trakt links in /search', () => {
  it('GIVEN an IMDb id or a Trakt link WHEN sent with /search THEN the card is that title (or episode), with Add', async () => {
    const { user } = await stack.linkedUser();
    const byId = await stack.ask(user, 'search', { query: 'tt1160419' });
    expect(shownText(byId)).toContain('Dune (2021)');
    expect(buttonLabels(byId)).toEqual(['➕ Add', '🌐 Open on Trakt']);
    const episode = await stack.ask(user, 'search', { query: 'https://trakt.tv/shows/breaking-bad/seasons/5/episodes/14' });
    expect(shownText(episode)).toContain('S05E14');
    const confirm = await stack.click(user, byId.message, 'Add').waitForFinal(WAIT);
    expect(shownText(confirm)).toContain('Add to your watchlist?');
  });

  it('GIVEN an IMDb id Trakt does not know WHEN /add or /search THEN the bot says Trakt does not know it, not to try fewer words', async () => {
    const { user } = await stack.linkedUser();
    const add = await stack.ask(user, 'add', { title: 'tt9999999' });
    expect(shownText(add)).toContain('Trakt does not know tt9999999');
    expect(shownText(add)).not.toContain('fewer words');
    const search = await stack.ask(user, 'search', { query: 'tt9999999' });
    expect(shownText(search)).toContain('Trakt does not know tt9999999');
  });
});

describe('Discord: season and episode cards show their own facts', () => {
  it('GIVEN a season card and an episode picked from its picker THEN they show that season\'s episode count and air date, the episode\'s title and air date, not the whole show\'s numbers', async () => {
    const { user } = await stack.linkedUser();
    const season = await stack.ask(user, 'add', { title: 'https://trakt.tv/shows/breaking-bad/seasons/5' });
    expect(shownText(season)).toContain('16 episodes');
    expect(shownText(season)).toContain('📅 2012-07-16');
    expect(shownText(season)).not.toContain('★ 9.4');

    const picker = await stack.click(user, season.message, 'Pick an episode').waitForFinal(WAIT);
    expect(shownText(picker)).toContain('16 episodes');
    withinLimits(picker);
    // 16 episodes do not fit Discord's rows: the first fold into a menu, the last stay buttons, with their titles.
    expect(componentsOf(picker).some((c) => c.type === 3)).toBe(true);
    expect(buttonLabels(picker)).toEqual(expect.arrayContaining(["E13 To'hajiilee", 'E14 Ozymandias', 'E16 Felina']));
    const episode = await stack.click(user, picker.message, 'E14 Ozymandias').waitForFinal(WAIT);
    expect(shownText(episode)).toContain('S05E14');
    expect(shownText(episode)).toContain('Ozymandias');
    expect(shownText(episode)).toMatch(/📅 \d{4}-\d{2}-\d{2}/);
    expect(shownText(episode)).not.toContain('★ 9.4');
  });
});

describe('Discord: Not this one', () => {
  it('GIVEN /add of words with several matches WHEN the user presses Not this one and picks another match THEN that title\'s Add card comes, and Confirm adds that title', async () => {
    const { user, username } = await stack.linkedUser();
    const card = await stack.ask(user, 'add', { title: 'dune' });
    expect(shownText(card)).toContain('Add to your watchlist?');
    expect(shownText(card)).toContain('Dune (2021)');
    expect(buttonLabels(card)).toEqual(['✅ Confirm', '🔄 Not this one', '✖ Cancel', '🌐 Open on Trakt']);
    withinLimits(card);

    const list = await stack.click(user, card.message, 'Not this one').waitForFinal(WAIT);
    expect(shownText(list)).toContain('Other matches for “dune”');
    withinLimits(list);
    expect(componentsOf(list).every((c) => c.type === 2 && String(c.label).length <= 80)).toBe(true);
    expect(buttonLabels(list)).toEqual(expect.arrayContaining(['Dune (1984)', 'Dune: Part Two (2024)', '✖ Cancel']));
    expect(buttonLabels(list)).not.toContain('Dune (2021)');

    const picked = await stack.click(user, list.message, 'Dune (1984)').waitForFinal(WAIT);
    expect(shownText(picked)).toContain('Add to your watchlist?');
    expect(shownText(picked)).toContain('Dune (1984)');
    expect(buttonLabels(picked)).toEqual(['✅ Confirm', '🔄 Not this one', '✖ Cancel', '🌐 Open on Trakt']);
    const added = await stack.click(user, picked.message, 'Confirm').waitForFinal(WAIT);
    expect(shownText(added)).toContain('Added to your watchlist');
    const dune1984 = stack.trakt.catalog.movies().find((m) => m.ids.imdb === 'tt0087182');
    expect(dune1984?.year).toBe(1984);
    expect(stack.trakt.watchlist(username).map((r) => r.ref)).toEqual([{ type: 'movie', trakt: dune1984?.ids.trakt }]);
  });

  it('GIVEN /add of an IMDb id THEN the card has no Not this one', async () => {
    const { user } = await stack.linkedUser();
    const card = await stack.ask(user, 'add', { title: 'tt1160419' });
    expect(shownText(card)).toContain('Dune (2021)');
    expect(buttonLabels(card)).toEqual(['✅ Confirm', '✖ Cancel', '🌐 Open on Trakt']);
  });
});

describe('Discord: in a guild channel, whose a card is, and account replies only to the user', () => {
  it('GIVEN a guild channel WHEN a user adds and confirms THEN each card says "for @name" (no watchlist usage)', async () => {
    const { user } = await stack.linkedUser({ name: 'alice' });
    const card = await stack.ask(user, 'add', { title: 'tt0848228' });
    expect(card.ephemeral).toBe(false);
    expect(shownText(card)).toContain(`for @${user.username}`);
    const added = await stack.click(user, card.message, 'Confirm').waitForFinal(WAIT);
    expect(shownText(added)).toContain('Added to your watchlist');
    expect(shownText(added)).toContain(`for @${user.username}`);
    expect(shownText(added)).not.toContain('Watchlist:');
  });

  it('GIVEN a guild channel WHEN a user runs /watchlist or /status THEN only they see it; with share True THEN it is posted in the channel', async () => {
    const { user, username } = await stack.linkedUser({ name: 'carol' });
    stack.trakt.seedWatchlist(username, [{ type: 'movie', trakt: 14701 }]);
    const share = stack.discord.commands(GUILD_ID).find((c) => c.name === 'watchlist') as { options?: Array<{ name: string; type: number }> } | undefined;
    expect(share?.options?.find((o) => o.name === 'share')?.type).toBe(5);

    const list = await stack.ask(user, 'watchlist');
    expect(list.ephemeral).toBe(true);
    expect(shownText(list)).toContain('The Avengers');
    const status = await stack.ask(user, 'status');
    expect(status.ephemeral).toBe(true);
    expect(shownText(status)).toContain('Watchlist: 1');

    const sharedList = await stack.ask(user, 'watchlist', { share: true });
    expect(sharedList.ephemeral).toBe(false);
    expect(shownText(sharedList)).toContain('The Avengers');
    expect(shownText(sharedList)).toContain(`for @${user.username}`);
    const sharedStatus = await stack.ask(user, 'status', { share: true });
    expect(sharedStatus.ephemeral).toBe(false);
    expect(shownText(sharedStatus)).toContain(`Linked to Trakt as ${username}`);
  });

  it('GIVEN Trakt answering 2 s late WHEN a user runs /status with share True THEN the deferral is public, and so is the answer', async () => {
    const { user, username } = await stack.linkedUser();
    stack.trakt.setFault('GET /users/settings', { latencyMs: 2000 });
    try {
      const run = stack.command(user, 'status', { share: true });
      const first = await run.response();
      expect(first).toMatchObject({ type: 5, withinDeadline: true });
      expect(Number(first.data?.flags ?? 0) & EPHEMERAL).toBe(0);
      const final = await run.waitForFinal(WAIT);
      expect(final.ephemeral).toBe(false);
      expect(shownText(final)).toContain(`Linked to Trakt as ${username}`);
    } finally {
      stack.trakt.setFault('GET /users/settings', null);
    }
  });
});

describe('Discord: where the link confirmation arrives', () => {
  const codeOf = (message: Parameters<typeof shownText>[0]) => /code ([0-9A-F]{8})/i.exec(shownText(message))?.[1] ?? '';
  const linkedIn = (channelId: string, username: string) => stack.discord.messages(channelId).some((m) => shownText(m).includes(`Linked to Trakt as ${username}`));

  it('GIVEN a user who takes DMs WHEN they /link in a channel THEN the answer says a DM will tell them, a DM says so too, and the confirmation arrives there', async () => {
    const user = stack.newUser('dmopen');
    const traktUser = stack.trakt.addUser({ username: `dopen${user.id.slice(-6)}` });
    const answer = await stack.ask(user, 'link');
    expect(answer.ephemeral).toBe(true);
    expect(shownText(answer)).toContain(NOTICE_PLACES.private);
    expect(stack.discord.messages(user.dmChannelId).map((m) => m.content || shownText(m))).toEqual([PRIVATE_NOTE]);

    stack.trakt.approveDevice(codeOf(answer), traktUser.username);
    await until(() => linkedIn(user.dmChannelId, traktUser.username), 'the link notice in DMs');
    expect(linkedIn(CHANNEL_ID, traktUser.username)).toBe(false);
  });

  it('GIVEN a user whose DMs are closed (Discord refuses with 50007) WHEN they /link in a channel THEN the answer says the channel will tell them, and the confirmation arrives in the channel', async () => {
    const user = stack.newUser('dmclosed');
    stack.discord.setDmsClosed(user);
    const traktUser = stack.trakt.addUser({ username: `dshut${user.id.slice(-6)}` });
    const answer = await stack.ask(user, 'link');
    expect(answer.ephemeral).toBe(true);
    expect(shownText(answer)).toContain(NOTICE_PLACES.chat);
    expect(shownText(answer)).not.toContain(NOTICE_PLACES.private);
    // The DM was tried and refused as Discord refuses it.
    expect(stack.discord.calls.some((c) => c.path === `/channels/${user.dmChannelId}/messages` && c.status === 403)).toBe(true);

    stack.trakt.approveDevice(codeOf(answer), traktUser.username);
    await until(() => linkedIn(CHANNEL_ID, traktUser.username), 'the link notice in the channel');
    expect(stack.discord.messages(user.dmChannelId)).toEqual([]);
  });
});
