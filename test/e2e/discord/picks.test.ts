import { createHash, randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InteractionHandle, MessageRecord, UserRecord } from '../../emulators/discord/index.js';
import type { CatalogMovie } from '../../emulators/trakt/types.js';
import { buttonLabels, componentsOf, EPHEMERAL, GUILD_ID, shownText, startDiscordStack, until, WAIT, type DiscordStack } from './harness.js';

/** Issue 11: group picks in a Discord guild channel, end to end through the real service. */
let stack: DiscordStack;
beforeAll(async () => {
  // The bot's commands are registered to the test guild only; a DM command (what global commands
  // allow in production) needs the driver to send a command it does not find registered there.
  stack = await startDiscordStack({ discord: { requireRegisteredCommands: false } });
});
afterAll(async () => {
  await stack?.close();
});

const AVENGERS = 14701;
const SLOW = { timeoutMs: 20_000 };

/** Movies with distinct ratings (so the ballot's order is known), none of them The Avengers, each title unique in the catalog. */
function movies(count: number, skip = 0): CatalogMovie[] {
  const seen = new Set<number>();
  const out: CatalogMovie[] = [];
  for (const movie of stack.trakt.catalog.movies()) {
    if (movie.ids.trakt === AVENGERS || /avengers/i.test(movie.title) || seen.has(movie.rating) || movie.rating <= 0) continue;
    if (stack.trakt.catalog.movies().filter((m) => m.title === movie.title).length > 1) continue;
    seen.add(movie.rating);
    out.push(movie);
  }
  return out.slice(skip, skip + count);
}

function seed(username: string, list: CatalogMovie[]): void {
  stack.trakt.seedWatchlist(username, list.map((m) => ({ type: 'movie' as const, trakt: m.ids.trakt })));
}

/** A fresh channel of the guild: one live pick per channel. */
function newChannel(name = 'movie-night'): string {
  const id = `32${String(randomInt(2 ** 47)).padStart(16, '0')}`;
  stack.discord.addChannel(GUILD_ID, { id, name });
  return id;
}

/** The Discord name the bot shows for a user (no global name: the username). */
const nameOf = (user: UserRecord): string => user.globalName ?? user.username;

function run(user: UserRecord, channelId: string, name: string, options: Record<string, string> = {}): InteractionHandle {
  return stack.discord.slashCommand({ user, channelId, guildId: GUILD_ID, name, options: Object.entries(options).map(([n, value]) => ({ name: n, value })) });
}

function current(message: MessageRecord | string): MessageRecord {
  const id = typeof message === 'string' ? message : message.id;
  const found = stack.discord.message(id);
  if (found === undefined) throw new Error(`message ${id} gone`);
  return found;
}

/** The card once it shows what `predicate` wants (the card is edited in the background, coalesced). */
async function cardWhen(card: MessageRecord | string, predicate: (text: string, message: MessageRecord) => boolean, timeoutMs = WAIT.timeoutMs): Promise<MessageRecord> {
  await until(() => predicate(shownText(current(card)), current(card)), `the card to show what the test waits for (now: ${shownText(current(card)).slice(0, 400)})`, timeoutMs);
  return current(card);
}

function clickOn(user: UserRecord, card: MessageRecord | string, label: string | RegExp): InteractionHandle {
  return stack.click(user, current(card), label);
}

/** The ballot's select menu on the voting card. */
function ballotMenu(card: MessageRecord | string): Record<string, unknown> {
  const menu = componentsOf(current(card)).find((c) => c.type === 3);
  if (menu === undefined) throw new Error('no ballot menu on the card');
  return menu;
}

function vote(user: UserRecord, card: MessageRecord | string, positions: number[]): InteractionHandle {
  return stack.discord.selectMenu({ user, message: current(card), customId: String(ballotMenu(card).custom_id), values: positions.map((n) => String(n - 1)) });
}

/**
 * What the presser alone was told: the ephemeral reply to the press (type 4), or, when the bot
 * acknowledged first (type 6), its first follow-up.
 */
async function privateAnswer(handle: InteractionHandle): Promise<{ text: string; ephemeral: boolean }> {
  const response = await handle.response();
  if (response.type === 4) {
    const data = response.data ?? {};
    const embeds = (data.embeds ?? []) as Array<Record<string, unknown>>;
    return { text: String(data.content ?? '') + (embeds.length > 0 ? shownText({ embeds }) : ''), ephemeral: (Number(data.flags ?? 0) & EPHEMERAL) === EPHEMERAL };
  }
  expect(response.type).toBe(6);
  const [followUp] = await handle.waitForFollowUps(1, WAIT);
  if (followUp === undefined) throw new Error('no follow-up');
  return { text: followUp.content + shownText(followUp), ephemeral: (followUp.flags & EPHEMERAL) === EPHEMERAL };
}

/** The press was acknowledged without a message (the card changes instead). */
async function silentlyAcknowledged(handle: InteractionHandle): Promise<void> {
  expect((await handle.response()).type).toBe(6);
}

/** Votes shown for ballot title number `n`. */
const votesOf = (text: string, n: number): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${n}. `));
  const match = line === undefined ? null : /(\d+) votes?/.exec(line);
  return match ? Number(match[1]) : -1;
};

const ballotLines = (text: string): string[] => text.split('\n').filter((l) => /^\d+\. /.test(l));

/** Nothing went wrong behind the scenes: no emulator 500s, no failed interaction in the bot's log. */
function noFailures(): void {
  expect(stack.discord.internalErrors).toEqual([]);
  expect(stack.logs.text()).not.toContain('Discord interaction failed');
}

function resultCardIn(channelId: string): MessageRecord | undefined {
  return stack.discord.messages(channelId).find((m) => !m.deleted && shownText(m).includes('Tonight\'s pick') && buttonLabels(m).some((l) => l.includes('Add to my watchlist')));
}

async function resultIn(channelId: string): Promise<MessageRecord> {
  await until(() => resultCardIn(channelId) !== undefined, 'the result card', SLOW.timeoutMs);
  return resultCardIn(channelId) as MessageRecord;
}

describe('a group pick on Discord', () => {
  it('GIVEN 3 linked members and 1 who links during the session THEN the ballot ranks by how many want a title, votes through the menu and the cap hold, a moderator closes and Add to my watchlist writes only to the presser’s list', async () => {
    const [m0, m1, m2, m3, m4] = movies(5) as [CatalogMovie, CatalogMovie, CatalogMovie, CatalogMovie, CatalogMovie];
    const { user: alice, username: aliceTrakt } = await stack.linkedUser({ name: 'Alice' });
    const { user: bob, username: bobTrakt } = await stack.linkedUser({ name: 'Bob' });
    const { user: carol, username: carolTrakt } = await stack.linkedUser({ name: 'Carol' });
    const dave = stack.newUser('Dave');
    const daveTrakt = `dave${dave.id.slice(-8)}`;
    stack.trakt.addUser({ username: daveTrakt });
    seed(aliceTrakt, [m0, m1, m2]);
    seed(bobTrakt, [m0, m1, m3]);
    seed(carolTrakt, [m0, m4]);
    seed(daveTrakt, [m0, m2]);
    const channel = newChannel();

    const opened = await run(alice, channel, 'pick', { type: 'movies', ballot: '5' }).waitForFinal(WAIT);
    expect(opened.ephemeral).toBe(false);
    expect(shownText(opened)).toContain('Group pick');
    expect(shownText(opened)).toContain('Movies');
    expect(shownText(opened)).toContain(`Joined (1): ${nameOf(alice)}`);
    const card = opened.message.id;

    for (const member of [bob, carol]) {
      const joined = await privateAnswer(clickOn(member, card, 'Join'));
      expect(joined.ephemeral).toBe(true);
      expect(joined.text).toContain('You joined');
    }
    await cardWhen(card, (t) => t.includes(`Joined (3): ${nameOf(alice)}, ${nameOf(bob)}, ${nameOf(carol)}`));

    // Dave is not linked: Join brings him the link flow, seen by him alone, and he is counted once linked.
    const daveJoin = clickOn(dave, card, 'Join');
    const prompt = await privateAnswer(daveJoin);
    expect(prompt.ephemeral).toBe(true);
    expect(prompt.text).toContain('To join the group pick, link your Trakt account');
    await cardWhen(card, (t) => t.includes(`Linking to join: ${nameOf(dave)}`) && t.includes('Joined (3)'));
    const code = /enter the code ([0-9A-F]{8})/i.exec(prompt.text)?.[1];
    expect(code).toBeDefined();
    stack.trakt.approveDevice(code ?? '', daveTrakt);
    await cardWhen(card, (t) => t.includes(`Joined (4): ${nameOf(alice)}, ${nameOf(bob)}, ${nameOf(carol)}, ${nameOf(dave)}`) && !t.includes('Linking to join'), SLOW.timeoutMs);

    // Nominations: a member nominates by IMDb id; a non-member may not.
    const eve = stack.newUser('Eve');
    const refused = await run(eve, channel, 'nominate', { title: 'tt0848228' }).waitForFinal(WAIT);
    expect(shownText(refused) + refused.content).toContain('Join the pick first');
    const nominated = await run(bob, channel, 'nominate', { title: 'tt0848228' }).waitForFinal(WAIT);
    expect(shownText(nominated)).toContain('Nominated for the group pick');
    expect(shownText(nominated)).toContain('The Avengers');
    await cardWhen(card, (t) => t.includes('Nominated') && t.includes('The Avengers'));

    // Only the host (or a moderator) starts the vote.
    const bobStarts = await privateAnswer(clickOn(bob, card, 'Start vote'));
    expect(bobStarts).toMatchObject({ ephemeral: true });
    expect(bobStarts.text).toContain('Only the host');
    expect(shownText(current(card))).not.toContain('Vote: what do we watch?');
    await silentlyAcknowledged(clickOn(alice, card, 'Start vote'));
    const voting = await cardWhen(card, (t) => t.includes('Vote: what do we watch?'), SLOW.timeoutMs);
    const text = shownText(voting);
    // Nomination first, then by wanted-by (m0 by all 4; m1 and m2 by 2, by rating; one of m3/m4 by rating).
    const pair = [m1, m2].sort((a, b) => b.rating - a.rating);
    const single = [m3, m4].sort((a, b) => b.rating - a.rating)[0] as CatalogMovie;
    const order = ['The Avengers', m0.title, pair[0]?.title ?? '', pair[1]?.title ?? '', single.title];
    const lines = ballotLines(text);
    expect(lines).toHaveLength(5);
    order.forEach((title, i) => expect(lines[i]).toContain(`${i + 1}. ${title}`));
    expect(lines[1]).toContain('wanted by 4 of 4');
    expect(lines[0]).toContain('nominated');
    expect(text).toContain('Approve up to 2 titles');
    // The ballot never says whose list a title came from.
    for (const user of [alice, bob, carol, dave]) expect(lines.join('\n')).not.toContain(nameOf(user));

    // On Discord the ballot is one multi-select (at most the cap), not a button per title.
    const menu = ballotMenu(voting);
    expect(menu).toMatchObject({ min_values: 0, max_values: 2 });
    expect((menu.options as Array<{ label: string; value: string }>).map((o) => o.label)).toEqual(order.map((title, i) => `${i + 1}. ${title}`.slice(0, 100)));
    expect(buttonLabels(voting).filter((l) => /^\d+\. /.test(l))).toEqual([]);
    expect(buttonLabels(voting)).toEqual(expect.arrayContaining(['🙋 Join', '👋 Leave', '🏁 Close vote']));

    // Votes: approve, change (select again with other values), clear, cap.
    const told = async (handle: InteractionHandle) => {
      const answer = await privateAnswer(handle);
      expect(answer.ephemeral).toBe(true);
      return answer.text;
    };
    expect(await told(vote(alice, card, [2]))).toContain('You approve 2.');
    expect(await told(vote(alice, card, [2, 3]))).toContain('(2 of 2)');
    // Discord itself refuses more values than max_values…
    expect(() => vote(alice, card, [2, 3, 4])).toThrow(/takes 0\.\.2 values/);
    // …and a forged pick with more (a modified client) is refused by the bot, changing nothing.
    const forged = stack.discord.forgeSelectMenu({ user: alice, message: current(card), customId: String(menu.custom_id), values: ['0', '1', '2'] });
    const capped = await told(forged);
    expect(capped).toContain('up to 2');
    expect(await told(vote(bob, card, [4]))).toContain('You approve 4.');
    expect(await told(vote(bob, card, [3]))).toContain('You approve 3.');
    expect(await told(vote(carol, card, [1]))).toContain('You approve 1.');
    expect(await told(vote(carol, card, []))).toContain('You approve nothing');
    expect(await told(vote(carol, card, [2]))).toContain('You approve 2.');
    // Someone who did not join: asked to join, seen by them alone, and the tally does not move.
    const outsider = await privateAnswer(vote(eve, card, [1]));
    expect(outsider.ephemeral).toBe(true);
    expect(outsider.text).toContain('press 🙋 Join first');
    const tallied = await cardWhen(card, (t) => votesOf(t, 2) === 2 && votesOf(t, 3) === 2 && t.includes('Voted: 3 of 4 members'));
    // Exact: the forged pick (1, 2, 3) and Eve's (1) left no trace; Bob's change took his 4 back.
    expect([1, 2, 3, 4, 5].map((n) => votesOf(shownText(tallied), n))).toEqual([0, 2, 2, 0, 0]);

    // Only the host or a moderator closes; Bob is neither. Carol (not the host) gets Manage Messages.
    const bobCloses = await privateAnswer(clickOn(bob, card, 'Close vote'));
    expect(bobCloses.ephemeral).toBe(true);
    expect(bobCloses.text).toContain('Only the host');
    expect(resultCardIn(channel)).toBeUndefined();
    stack.discord.grantPermissions(GUILD_ID, carol, ['ManageMessages']);
    await silentlyAcknowledged(clickOn(carol, card, 'Close vote'));
    const result = await resultIn(channel);
    expect(result.flags & EPHEMERAL).toBe(0);
    // m0 and pair[0] have 2 votes each; m0 is wanted by 4, so it wins on wanted-by.
    expect(shownText(result)).toContain(m0.title);
    expect(shownText(result)).toContain('Wanted by 4 of 4');
    expect(shownText(result)).toContain('wanted by the most members');
    const closed = await cardWhen(card, (t) => t.includes('The vote is closed'));
    expect(shownText(closed)).toContain('Final tally');
    expect(componentsOf(closed)).toHaveLength(0);
    const resultCards = () => stack.discord.messages(channel).filter((m) => shownText(m).includes('Tonight\'s pick'));
    expect(resultCards()).toHaveLength(1);

    // Add to my watchlist writes to the presser's own list only, and answers the presser alone.
    const publicMessages = () => stack.discord.messages(channel).filter((m) => (m.flags & EPHEMERAL) === 0).length;
    const publicBefore = publicMessages();
    const before = { alice: stack.trakt.watchlist(aliceTrakt).length, bob: stack.trakt.watchlist(bobTrakt).length, carol: stack.trakt.watchlist(carolTrakt).length };
    const carolAdds = await privateAnswer(clickOn(carol, result, 'Add to my watchlist'));
    expect(carolAdds.ephemeral).toBe(true);
    expect(carolAdds.text).toContain('Already on your watchlist');
    const bobAdds = await privateAnswer(clickOn(bob, result, 'Add to my watchlist'));
    expect(bobAdds.ephemeral).toBe(true);
    expect(bobAdds.text).toContain('Already on your watchlist');
    expect(stack.trakt.watchlist(aliceTrakt)).toHaveLength(before.alice);
    expect(stack.trakt.watchlist(bobTrakt)).toHaveLength(before.bob);
    expect(stack.trakt.watchlist(carolTrakt)).toHaveLength(before.carol);
    // Eve never joined; once linked, the winner lands on her list only.
    const eveTrakt = `eve${eve.id.slice(-8)}`;
    stack.trakt.addUser({ username: eveTrakt });
    const link = await run(eve, channel, 'link').waitForFinal(WAIT);
    expect(link.ephemeral).toBe(true);
    stack.trakt.approveDevice(/code ([0-9A-F]{8})/i.exec(shownText(link))?.[1] ?? '', eveTrakt);
    await until(() => stack.discord.messages(eve.dmChannelId).some((m) => shownText(m).includes(`Linked to Trakt as ${eveTrakt}`)), 'Eve linked', SLOW.timeoutMs);
    const eveAdds = await privateAnswer(clickOn(eve, result, 'Add to my watchlist'));
    expect(eveAdds.ephemeral).toBe(true);
    expect(eveAdds.text).toContain('Added to your watchlist');
    expect(stack.trakt.watchlist(eveTrakt).map((r) => r.ref)).toEqual([{ type: 'movie', trakt: m0.ids.trakt }]);
    expect(stack.trakt.watchlist(aliceTrakt)).toHaveLength(before.alice);
    expect(stack.trakt.watchlist(bobTrakt)).toHaveLength(before.bob);
    expect(stack.trakt.watchlist(carolTrakt)).toHaveLength(before.carol);
    // The shared result card itself did not change, and nothing about the adds was posted for all.
    expect(current(result).history).toHaveLength(result.history.length);
    expect(publicMessages()).toBe(publicBefore);
    expect(resultCards()).toHaveLength(1);

    const history = await run(alice, channel, 'pick', { show: 'history' }).waitForFinal(WAIT);
    expect(shownText(history)).toContain('Last picks');
    expect(shownText(history)).toContain(m0.title);
    noFailures();
  });

  it('GIVEN 20 members voting through the menu within the same second THEN every vote is counted once and the card ends showing all of them', async () => {
    const channel = newChannel('crowd');
    const [target] = movies(1, 5) as [CatalogMovie];
    const members: UserRecord[] = [];
    for (let i = 0; i < 20; i++) {
      const { user, username } = await stack.linkedUser({ name: `M${i}` });
      seed(username, [target]);
      members.push(user);
    }
    const host = members[0] as UserRecord;
    const opened = await run(host, channel, 'pick', { type: 'movies' }).waitForFinal(WAIT);
    const card = opened.message.id;
    for (const member of members.slice(1)) expect((await privateAnswer(clickOn(member, card, 'Join'))).text).toContain('You joined');
    await cardWhen(card, (t) => t.includes('Joined (20)'));
    await silentlyAcknowledged(clickOn(host, card, 'Start vote'));
    const voting = await cardWhen(card, (t) => t.includes('Vote: what do we watch?'), 30_000);
    expect(ballotLines(shownText(voting))[0]).toContain(`1. ${target.title}`);
    const patches = () => stack.discord.calls.filter((c) => c.method === 'PATCH' && c.path.endsWith(`/messages/${card}`)).length;
    const editsBefore = patches();
    // All twenty picks are sent at once, before any answer.
    const presses = members.map((member) => vote(member, voting, [1]));
    const answers = await Promise.all(presses.map(privateAnswer));
    for (const answer of answers) expect(answer.text).toContain('You approve 1.');
    const final = await cardWhen(card, (t) => votesOf(t, 1) === 20 && t.includes('Voted: 20 of 20 members'), 15_000);
    expect(ballotLines(shownText(final))[0]).toContain('20 votes');
    // Coalesced: far fewer edits than votes, and the last one shows them all.
    expect(patches() - editsBefore).toBeLessThan(20);
    noFailures();
  });

  it('GIVEN a draw THEN the result card shows the seed and session, and the winner can be recomputed from them by the rule in /help pick', async () => {
    const channel = newChannel('draw');
    const [a, b] = movies(2, 7) as [CatalogMovie, CatalogMovie];
    const { user: host, username: hostTrakt } = await stack.linkedUser({ name: 'Host' });
    const { user: guest, username: guestTrakt } = await stack.linkedUser({ name: 'Guest' });
    seed(hostTrakt, [a, b]);
    seed(guestTrakt, [a, b]);
    const opened = await run(host, channel, 'pick', { type: 'movies', ballot: '2' }).waitForFinal(WAIT);
    const card = opened.message.id;
    expect((await privateAnswer(clickOn(guest, card, 'Join'))).text).toContain('You joined');
    await cardWhen(card, (t) => t.includes('Joined (2)'));
    await silentlyAcknowledged(clickOn(host, card, 'Start vote'));
    await cardWhen(card, (t) => t.includes('Vote: what'), SLOW.timeoutMs);
    expect(ballotMenu(card)).toMatchObject({ max_values: 1 });
    expect((await privateAnswer(vote(host, card, [1]))).text).toContain('You approve 1.');
    expect((await privateAnswer(vote(guest, card, [2]))).text).toContain('You approve 2.');
    await cardWhen(card, (t) => t.includes('Voted: 2 of 2'));
    await silentlyAcknowledged(clickOn(host, card, 'Close vote'));
    const result = await resultIn(channel);
    // Read from the markdown itself: inside code spans nothing is escaped (a session id may hold `_`).
    const raw = String(result.embeds[0]?.description ?? '');
    const seedShown = /seed `([0-9a-f]{16})`/.exec(raw)?.[1];
    const session = /session `([A-Za-z0-9_-]{12})`/.exec(raw)?.[1];
    expect(seedShown).toBeDefined();
    expect(session).toBeDefined();
    const recomputed = createHash('sha256').update(`${session ?? ''}\n1 1\n2 1`).digest('hex').slice(0, 16);
    expect(seedShown).toBe(recomputed);
    const closed = await cardWhen(card, (t) => t.includes('Final tally'));
    const ballot = ballotLines(shownText(closed));
    expect(ballot).toHaveLength(2);
    const winner = ballot[Number(BigInt(`0x${recomputed}`) % 2n)] ?? '';
    const winnerTitle = winner.replace(/^\d+\. /, '').split(' — ')[0] ?? '?';
    expect([a.title, b.title]).toContain(winnerTitle);
    expect(shownText(result)).toContain(winnerTitle);
    expect(shownText(closed)).toContain(`Session ${session ?? '?'}`);

    const help = await run(host, channel, 'pick', { show: 'help' }).waitForFinal(WAIT);
    expect(shownText(help)).toContain('SHA-256');
    noFailures();
  });

  it('GIVEN /pick in a DM THEN it explains it is for groups; GIVEN a live pick THEN a second /pick in the channel shows the first', async () => {
    const { user } = await stack.linkedUser({ name: 'Solo' });
    const dm = await stack.discord.slashCommand({ user, channelId: user.dmChannelId, name: 'pick', options: [] }).waitForFinal(WAIT);
    expect(shownText(dm)).toContain('/pick is for groups');

    const channel = newChannel('twice');
    const first = await run(user, channel, 'pick').waitForFinal(WAIT);
    expect(shownText(first)).toContain('Movies and shows');
    const again = run(user, channel, 'pick', { type: 'shows' });
    const note = await again.waitForFinal(WAIT);
    expect(shownText(note) + note.content).toContain('already running');
    const [shown] = await again.waitForFollowUps(1, WAIT);
    expect(shown).toBeDefined();
    // The first pick, as it was opened (movies and shows), not a new one for shows.
    expect(shownText(shown as MessageRecord)).toContain('Group pick');
    expect(shownText(shown as MessageRecord)).toContain('Movies and shows');
    expect(shownText(shown as MessageRecord)).toContain(`Joined (1): ${nameOf(user)}`);
    expect(buttonLabels(shown as MessageRecord)).toEqual(buttonLabels(first));
    // It is the live card now: a Join there shows on it.
    const { user: friend } = await stack.linkedUser({ name: 'Friend' });
    expect((await privateAnswer(clickOn(friend, shown as MessageRecord, 'Join'))).text).toContain('You joined');
    await cardWhen(shown as MessageRecord, (t) => t.includes(`Joined (2): ${nameOf(user)}, ${nameOf(friend)}`));
    noFailures();
  });
});
