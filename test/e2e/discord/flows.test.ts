import { like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/bot/core/commands/index.js';
import { pendingActions } from '../../../src/db/schema.js';
import {
  buttonId,
  buttonLabels,
  componentsOf,
  EPHEMERAL,
  GUILD_ID,
  nextRevision,
  shownText,
  startDiscordStack,
  traktWrites,
  until,
  WAIT,
  type DiscordStack,
} from './harness.js';

/** The same user journeys as on Telegram, through Discord's slash commands, embeds and buttons. */
let stack: DiscordStack;
beforeAll(async () => {
  stack = await startDiscordStack();
});
afterAll(async () => {
  await stack?.close();
});

function catalogTitle(title: string) {
  const found = stack.trakt.catalog.findByTitle(title);
  if (found === undefined) throw new Error(`no ${title} in the Trakt emulator's catalog`);
  return found;
}

describe('Discord: slash commands from the core registry', () => {
  it('GIVEN the service started THEN every listed core command is registered to the guild, with its options', () => {
    const registered = stack.discord.commands(GUILD_ID);
    const listed = COMMANDS.filter((c) => c.listed).map((c) => c.name);
    expect(registered.map((c) => c.name).sort()).toEqual([...listed].sort());
    expect(listed).toEqual(expect.arrayContaining(['search', 'add', 'remove', 'watchlist', 'undo', 'link', 'unlink', 'status', 'help']));
    const option = (command: string, name: string) =>
      ((registered.find((c) => c.name === command)?.options ?? []) as Array<Record<string, unknown>>).find((o) => o.name === name);
    expect(option('search', 'query')).toMatchObject({ required: true, autocomplete: true });
    expect(option('add', 'title')).toMatchObject({ required: true, autocomplete: true });
    expect(option('remove', 'title')).toMatchObject({ required: true, autocomplete: true });
    expect(option('watchlist', 'sort')?.choices).toHaveLength(6);
    expect(option('watchlist', 'genre')?.choices).toHaveLength(25);
    expect(option('random', 'runtime')?.choices).toHaveLength(5);
  });

  it('GIVEN /help THEN it explains the commands', async () => {
    const final = await stack.ask(stack.newUser(), 'help');
    expect(shownText(final)).toContain('/search title — find movies and shows');
    expect(buttonLabels(final)).toEqual(['🔗 Link Trakt account']);
  });
});

describe('Discord: linking', () => {
  it('GIVEN an unlinked user WHEN they /link and approve the code on Trakt THEN the code was private and a DM confirms the link', async () => {
    const user = stack.newUser();
    const traktUser = stack.trakt.addUser({ username: `dlink${user.id.slice(-6)}` });
    const prompt = await stack.ask(user, 'link');
    expect(prompt.ephemeral).toBe(true);
    const code = /`([0-9A-F]{8})`/i.exec(String(prompt.embeds[0]?.description))?.[1];
    expect(code).toBeDefined();
    expect(buttonLabels(prompt)).toEqual(['🔗 Open Trakt to link']);
    stack.trakt.approveDevice(code ?? '', traktUser.username);
    await until(() => stack.discord.messages(user.dmChannelId).some((m) => shownText(m).includes(`Linked to Trakt as ${traktUser.username}`)), 'the link notice in DMs');
    const status = await stack.ask(user, 'status');
    expect(status.ephemeral).toBe(true);
    expect(shownText(status)).toContain(`Linked to Trakt as ${traktUser.username}`);
  });

  it('GIVEN an unlinked user WHEN they add THEN only they see the link prompt', async () => {
    const final = await stack.ask(stack.newUser(), 'add', { title: 'dune' });
    expect(final.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(shownText(final)).toContain('Link it first');
    expect(buttonLabels(final)).toEqual(['🔗 Link Trakt account']);
  });
});

describe('Discord: search, add, remove, undo', () => {
  it('GIVEN a linked user WHEN they search THEN a public card with the attached poster, Add and paging arrives', async () => {
    const { user } = await stack.linkedUser();
    const final = await stack.ask(user, 'search', { query: 'the avengers' });
    expect(shownText(final)).toContain('The Avengers');
    expect(final.ephemeral).toBe(false);
    expect(final.attachments).toHaveLength(1);
    // The poster is our upload (attachment://), never Trakt's URL (hot-linking is forbidden).
    const thumbnail = String((final.embeds[0]?.thumbnail as { url?: string } | undefined)?.url);
    expect(thumbnail).toContain('/attachments/');
    expect(thumbnail).not.toContain(stack.trakt.url);
    expect(buttonLabels(final)).toEqual(expect.arrayContaining(['➕ Add', 'Next ▶']));
    const next = await stack.click(user, final.message, 'Next').waitForFinal(WAIT);
    expect(shownText(next)).toContain('Result 2 of');
  });

  it('GIVEN a card WHEN the user adds, confirms and undoes THEN Trakt holds the title, then not', async () => {
    const { user, username } = await stack.linkedUser();
    const card = await stack.ask(user, 'add', { title: 'tt0848228' });
    expect(shownText(card)).toContain('Add to your watchlist?');
    const added = await stack.click(user, card.message, 'Confirm').waitForFinal(WAIT);
    expect(shownText(added)).toContain('Added to your watchlist');
    expect(stack.trakt.watchlist(username).map((r) => r.title)).toEqual(['The Avengers']);
    const undone = await stack.click(user, added.message, 'Undo').waitForFinal(WAIT);
    expect(shownText(undone)).toContain('off your watchlist again');
    expect(stack.trakt.watchlist(username)).toEqual([]);
    expect(buttonLabels(undone)).toEqual(['🔁 Add again', '🌐 Open on Trakt']);
  });

  it('GIVEN a title on the watchlist WHEN the user removes, confirms and undoes THEN it is gone, then back', async () => {
    const { user, username } = await stack.linkedUser();
    const severance = catalogTitle('Severance');
    stack.trakt.seedWatchlist(username, [{ type: 'show', trakt: severance.ids.trakt }]);
    const card = await stack.ask(user, 'remove', { title: 'severance' });
    expect(shownText(card)).toContain('Remove from your watchlist?');
    const removed = await stack.click(user, card.message, 'Confirm remove').waitForFinal(WAIT);
    expect(shownText(removed)).toContain('Removed from your watchlist');
    expect(stack.trakt.watchlist(username)).toEqual([]);
    const undone = await stack.click(user, removed.message, 'Undo').waitForFinal(WAIT);
    expect(shownText(undone)).toContain('back on your watchlist');
    expect(stack.trakt.watchlist(username).map((r) => r.title)).toEqual(['Severance']);
  });

  it('GIVEN a title already listed WHEN the user adds it THEN the card says so and offers Remove instead of Confirm', async () => {
    const { user, username } = await stack.linkedUser();
    stack.trakt.seedWatchlist(username, [{ type: 'movie', trakt: 14701 }]);
    const card = await stack.ask(user, 'add', { title: 'tt0848228' });
    expect(shownText(card)).toContain('Already on your watchlist');
    expect(buttonLabels(card)).toEqual(['🗑 Remove', '✖ Cancel', '🌐 Open on Trakt']);
  });

  it('GIVEN the title got listed elsewhere after the card WHEN the user confirms THEN nothing changes and there is no Undo', async () => {
    const { user, username } = await stack.linkedUser();
    const card = await stack.ask(user, 'add', { title: 'tt0848228' });
    stack.trakt.seedWatchlist(username, [{ type: 'movie', trakt: 14701 }]);
    const outcome = await stack.click(user, card.message, 'Confirm').waitForFinal(WAIT);
    expect(shownText(outcome)).toContain('Already on your watchlist, so nothing changed');
    expect(buttonLabels(outcome)).toEqual(['🌐 Open on Trakt']);
    expect(stack.trakt.watchlist(username)).toHaveLength(1);
  });

  it('GIVEN a full watchlist (Trakt 420) WHEN the user confirms an add THEN the card shows used / limit and nothing is added', async () => {
    const { user, username } = await stack.linkedUser({ watchlistLimit: 1 });
    stack.trakt.seedWatchlist(username, [{ type: 'show', trakt: catalogTitle('Severance').ids.trakt }]);
    const card = await stack.ask(user, 'add', { title: 'tt0848228' });
    const outcome = await stack.click(user, card.message, 'Confirm').waitForFinal(WAIT);
    expect(shownText(outcome)).toContain('Your Trakt watchlist is full (1 / 1 used)');
    expect(buttonLabels(outcome)).toEqual(['Trakt VIP', '🌐 Open on Trakt']);
    expect(stack.trakt.watchlist(username).map((r) => r.title)).toEqual(['Severance']);
  });

  it('GIVEN a watchlist WHEN the user pages it THEN the page is edited in place', async () => {
    const { user, username } = await stack.linkedUser();
    const shows = stack.trakt.catalog.shows().slice(0, 12);
    stack.trakt.seedWatchlist(username, shows.map((s) => ({ type: 'show' as const, trakt: s.ids.trakt })));
    const page = await stack.ask(user, 'watchlist', { type: 'shows', sort: 'title' });
    expect(shownText(page)).toContain('page 1 of 2');
    const second = await stack.click(user, page.message, 'Next').waitForFinal(WAIT);
    expect(second.message.id).toBe(page.message.id);
    expect(shownText(second)).toContain('page 2 of 2');
  });
});

describe('Discord: acknowledge first, then work', () => {
  it('GIVEN Trakt answering 2 s late WHEN a user searches THEN the command is deferred in time and the card replaces "thinking"', async () => {
    const { user } = await stack.linkedUser();
    stack.trakt.setFault('GET /search/*', { latencyMs: 2000 });
    try {
      const run = stack.command(user, 'search', { query: 'severance' });
      const first = await run.response();
      expect(first).toMatchObject({ type: 5, withinDeadline: true });
      expect(Number(first.data?.flags ?? 0) & EPHEMERAL).toBe(0);
      const final = await run.waitForFinal(WAIT);
      expect(shownText(final)).toContain('Severance');
      expect(final.ephemeral).toBe(false);
    } finally {
      stack.trakt.setFault('GET /search/*', null);
    }
  });

  it('GIVEN Trakt answering 2 s late WHEN a user asks for /status THEN the deferral is already private, and so is the answer', async () => {
    const { user, username } = await stack.linkedUser();
    stack.trakt.setFault('GET /users/settings', { latencyMs: 2000 });
    try {
      const run = stack.command(user, 'status');
      const first = await run.response();
      expect(first).toMatchObject({ type: 5, withinDeadline: true });
      expect(Number(first.data?.flags) & EPHEMERAL).toBe(EPHEMERAL);
      const final = await run.waitForFinal(WAIT);
      expect(final.ephemeral).toBe(true);
      expect(shownText(final)).toContain(`Linked to Trakt as ${username}`);
    } finally {
      stack.trakt.setFault('GET /users/settings', null);
    }
  });

  // /watchlist is private unless shared: shared, its "thinking" is public, and the link error still goes to the user alone.
  it('GIVEN a slow Trakt and a link Trakt no longer accepts WHEN the user opens /watchlist share THEN the public "thinking" goes away and only they read why', async () => {
    const { user, username } = await stack.linkedUser();
    stack.trakt.revokeAllTokens(username);
    stack.trakt.expireAccessTokens(username);
    stack.trakt.setFault('GET /sync/last_activities', { latencyMs: 2000 });
    try {
      const run = stack.command(user, 'watchlist', { share: true });
      const first = await run.response();
      expect(first.type).toBe(5);
      expect(Number(first.data?.flags ?? 0) & EPHEMERAL).toBe(0);
      const [notice] = await run.waitForFollowUps(1, WAIT);
      expect((notice?.flags ?? 0) & EPHEMERAL).toBe(EPHEMERAL);
      expect(shownText(notice ?? { embeds: [] })).toContain('Your Trakt link stopped working');
      expect(run.original?.deleted).toBe(true);
    } finally {
      stack.trakt.setFault('GET /sync/last_activities', null);
    }
  });
});

describe('Discord: rendering', () => {
  it('GIVEN titles full of markdown characters THEN cards show them exactly as written', async () => {
    const { user } = await stack.linkedUser();
    for (const name of ['M*A*S*H', 'C:\\Users\\Ghost\\Desktop', '[REC]', '#Alive']) {
      const title = catalogTitle(name);
      const card = await stack.ask(user, 'add', { title: `https://trakt.tv/${title.type}s/${title.ids.slug}` });
      expect(shownText(card)).toContain(`${name} (${title.year})`);
      const raw = String(card.embeds[0]?.description);
      // Every markdown character of the title is escaped inside the bold markup.
      expect(raw).toContain(`**${name.replace(/[\\*_~`|[\]()<>#\-+:]/g, '\\$&')}**`);
    }
  });

  it('GIVEN a very long title THEN the card and its buttons stay within Discord limits', async () => {
    const { user } = await stack.linkedUser();
    const long = stack.trakt.catalog.movies().find((m) => m.title.length > 300);
    if (long === undefined) throw new Error('the catalog has no long title');
    const card = await stack.ask(user, 'search', { query: 'extraordinarily long winding tale' });
    expect(shownText(card)).toContain(long.title.slice(0, 100));
    const add = await stack.click(user, card.message, 'Add').waitForFinal(WAIT);
    expect(shownText(add)).toContain('Add to your watchlist?');
    expect(stack.discord.internalErrors).toEqual([]);
  });
});

describe('Discord: a Trakt outage mid-flow', () => {
  it('GIVEN Trakt fails the write twice with 503 WHEN the user confirms THEN it is retried, added once, and the card says so', async () => {
    const { user, username } = await stack.linkedUser();
    const card = await stack.ask(user, 'add', { title: 'tt0848228' });
    const before = stack.trakt.requests.length;
    stack.trakt.setFault('POST /sync/watchlist', { statuses: [503], count: 2 });
    try {
      const click = stack.click(user, card.message, 'Confirm');
      expect((await click.response()).type).toBe(6); // acknowledged at once, the edit follows
      const outcome = await nextRevision(stack.discord, card.message, (m) => shownText(m).includes('Added to your watchlist'));
      expect(shownText(outcome)).toContain('Added to your watchlist');
    } finally {
      stack.trakt.setFault('POST /sync/watchlist', null);
    }
    expect(stack.trakt.watchlist(username).map((r) => r.title)).toEqual(['The Avengers']);
    const writes = stack.trakt.requests.slice(before).filter((r) => r.route === 'POST /sync/watchlist');
    expect(writes.map((w) => w.status)).toEqual([503, 503, 201]);
  });
});

/* Buttons and select menus: who may press them, when, how often; a batch add in one Trakt write; a gateway drop. */
const BUTTON_FOREIGN = 'This button belongs to someone else';
const BUTTON_STALE = 'This button has expired or was already used';

describe('Discord: components belong to their owner', () => {
  it('GIVEN Alice\'s card WHEN Bob presses Confirm THEN only Bob hears a refusal and nothing changes', async () => {
    const alice = await stack.linkedUser({ name: 'alice' });
    const bob = await stack.linkedUser({ name: 'bob' });
    const card = await stack.ask(alice.user, 'add', { title: 'tt0848228' });
    const press = stack.click(bob.user, card.message, 'Confirm');
    const answer = await press.response();
    expect(answer.type).toBe(4);
    expect(Number(answer.data?.flags) & EPHEMERAL).toBe(EPHEMERAL);
    expect(String(answer.data?.content)).toContain(BUTTON_FOREIGN);
    expect(stack.discord.message(card.message.id)?.history).toHaveLength(card.message.history.length);
    expect(stack.trakt.watchlist(alice.username)).toEqual([]);
    expect(stack.trakt.watchlist(bob.username)).toEqual([]);
    // Alice's own press still works afterwards.
    const added = await stack.click(alice.user, card.message, 'Confirm').waitForFinal(WAIT);
    expect(shownText(added)).toContain('Added to your watchlist');
  });

  it('GIVEN a card WHEN its owner presses Confirm twice at once THEN Trakt is written once and the second press is told it was used', async () => {
    const { user, username } = await stack.linkedUser();
    const card = await stack.ask(user, 'add', { title: 'tt0848228' });
    const before = stack.trakt.requests.length;
    const first = stack.click(user, card.message, 'Confirm');
    const second = stack.click(user, card.message, 'Confirm');
    const answers = await Promise.all([first.response(), second.response()]);
    const refusals = answers.filter((a) => a.type === 4);
    expect(refusals).toHaveLength(1);
    expect(String(refusals[0]?.data?.content)).toContain(BUTTON_STALE);
    // Either press may be the one that wins; wait for the winner's outcome.
    const winner = answers[0]?.type === 4 ? second : first;
    await winner.waitForFinal(WAIT);
    expect(shownText(stack.discord.message(card.message.id) ?? card.message)).toContain('Added to your watchlist');
    expect(traktWrites(stack.trakt, before)).toBe(1);
    expect(stack.trakt.watchlist(username)).toHaveLength(1);
  });

  it('GIVEN a card left until its buttons expired WHEN the owner presses Cancel THEN a polite note says so and the card stays', async () => {
    const { user } = await stack.linkedUser();
    const card = await stack.ask(user, 'add', { title: 'tt0848228' });
    const viewId = buttonId(card, 'Cancel').split(':')[2]?.slice(0, -2) ?? '';
    await stack.service.database.db
      .update(pendingActions)
      .set({ expiresAt: sql`now() - interval '1 minute'` })
      .where(like(pendingActions.id, `${viewId}%`));
    const answer = await stack.click(user, card.message, 'Cancel').response();
    expect(answer.type).toBe(4);
    expect(Number(answer.data?.flags) & EPHEMERAL).toBe(EPHEMERAL);
    expect(String(answer.data?.content)).toContain(BUTTON_STALE);
    expect(stack.discord.message(card.message.id)?.history).toHaveLength(card.message.history.length);
  });

  it('GIVEN custom ids THEN every one is at most 100 characters and unique on its message', async () => {
    const { user } = await stack.linkedUser();
    const card = await stack.ask(user, 'search', { query: 'game of thrones' });
    const ids = componentsOf(card).map((c) => String(c.custom_id ?? c.url));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id.length).toBeLessThanOrEqual(100);
  });

  it('GIVEN a show with many seasons WHEN the user picks a season THEN buttons beyond Discord\'s 5 rows become a menu that works', async () => {
    const { user } = await stack.linkedUser();
    const big = stack.trakt.catalog.shows().find((s) => s.seasons.filter((n) => n.number > 0).length >= 14);
    if (big === undefined) throw new Error('no show with many seasons in the catalog');
    const card = await stack.ask(user, 'add', { title: `https://trakt.tv/shows/${big.ids.slug}` });
    const picker = await stack.click(user, card.message, 'Pick a season').waitForFinal(WAIT);
    expect(picker.components.length).toBeLessThanOrEqual(5);
    const menu = componentsOf(picker).find((c) => c.type === 3);
    const options = (menu?.options ?? []) as Array<{ label: string; value: string }>;
    const first = options[0];
    const number = /^Season (\d+)$/.exec(first?.label ?? '')?.[1];
    expect(number).toBeDefined();
    const chosen = stack.discord.selectMenu({ user, message: picker.message, customId: String(menu?.custom_id), values: [first?.value ?? ''] });
    const season = await chosen.waitForFinal(WAIT);
    expect(shownText(season)).toContain(`Add season ${number} to your watchlist?`);
  });
});

describe('Discord: several results at once', () => {
  it('GIVEN search results WHEN the user picks three in the menu and confirms THEN one Trakt write adds all three; Undo takes all three back', async () => {
    const { user, username } = await stack.linkedUser();
    const card = await stack.ask(user, 'search', { query: 'avengers' });
    const menu = componentsOf(card).find((c) => c.type === 3);
    expect(menu).toBeDefined();
    const options = (menu?.options ?? []) as Array<{ label: string; value: string }>;
    expect(options.length).toBeGreaterThanOrEqual(3);
    const picked = options.slice(0, 3);
    const chosen = await stack.discord
      .selectMenu({ user, message: card.message, customId: String(menu?.custom_id), values: picked.map((o) => o.value) })
      .waitForFinal(WAIT);
    expect(shownText(chosen)).toContain('Add these 3 to your watchlist?');
    for (const option of picked) expect(shownText(chosen)).toContain(option.label);

    const before = stack.trakt.requests.length;
    const added = await stack.click(user, chosen.message, 'Confirm').waitForFinal(WAIT);
    expect(shownText(added)).toContain('Added to your watchlist');
    expect(shownText(added)).toContain('Together with 2 more');
    expect(traktWrites(stack.trakt, before)).toBe(1);
    expect(stack.trakt.watchlist(username)).toHaveLength(3);

    const undone = await stack.click(user, added.message, 'Undo').waitForFinal(WAIT);
    expect(shownText(undone)).toContain('Undone');
    expect(stack.trakt.watchlist(username)).toEqual([]);
  });
});

describe('Discord: the gateway connection drops mid-flow', () => {
  it('GIVEN a card WHEN the connection drops and the user presses Confirm meanwhile THEN the bot resumes, gets the press and adds', async () => {
    const { user, username } = await stack.linkedUser();
    const card = await stack.ask(user, 'add', { title: 'tt0848228' });
    const identifies = stack.discord.identifyCount;
    const resumed = stack.discord.waitForResume(WAIT);
    expect(stack.discord.dropConnection()).toBeGreaterThan(0);
    const press = stack.click(user, card.message, 'Confirm');
    await resumed;
    const answer = await press.response();
    expect(answer.withinDeadline).toBe(true);
    const added = await press.waitForFinal(WAIT);
    expect(shownText(added)).toContain('Added to your watchlist');
    expect(stack.trakt.watchlist(username)).toHaveLength(1);
    expect(stack.discord.identifyCount).toBe(identifies); // resumed, not a new session
    expect(buttonLabels(added)).toEqual(['↩ Undo', '🌐 Open on Trakt']);
  });

  it('GIVEN a drop after which the session cannot be resumed THEN the bot identifies anew and the card\'s buttons still work', async () => {
    const { user, username } = await stack.linkedUser();
    const card = await stack.ask(user, 'add', { title: 'tt0848228' });
    const identified = stack.discord.waitForIdentify(WAIT);
    stack.discord.dropConnection({ resumable: false });
    await identified;
    await stack.discord.waitForReady(WAIT);
    const added = await stack.click(user, card.message, 'Confirm').waitForFinal(WAIT);
    expect(shownText(added)).toContain('Added to your watchlist');
    expect(stack.trakt.watchlist(username)).toHaveLength(1);
  });
});

describe('Discord: what the bot sent', () => {
  it('GIVEN all of the above THEN Discord refused none of the bot\'s calls (limits, deadlines, double answers)', () => {
    const refused = stack.discord.calls.filter((c) => c.status >= 400).map((c) => `${c.method} ${c.route} → ${c.status} ${JSON.stringify(c.response)}`);
    expect(refused).toEqual([]);
    expect(stack.discord.internalErrors).toEqual([]);
    const late = stack.discord.interactions.filter((i) => i.response !== null && !i.response.withinDeadline);
    expect(late).toEqual([]);
  });

  it('GIVEN all of the above THEN no token (bot, interaction or Trakt) was ever logged', () => {
    const text = stack.logs.text();
    expect(text).not.toContain(stack.discord.token);
    for (const interaction of stack.discord.interactions) expect(text).not.toContain(interaction.token);
    expect(text).not.toMatch(/Bearer [A-Za-z0-9]/);
  });
});
