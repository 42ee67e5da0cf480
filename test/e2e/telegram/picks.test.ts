import { createHash, randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessageState, User } from '../../emulators/telegram/index.js';
import type { CatalogMovie } from '../../emulators/trakt/types.js';
import { buttonData, buttonsOf, startStack, WAIT, type Stack } from './harness.js';

/** Issue 11: group picks in a Telegram group, end to end through the real service. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const AVENGERS = 14701;

/** Movies with distinct ratings (so the ballot's order is known), none of them The Avengers. */
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

function newGroup(title = 'Movie night') {
  return stack.telegram.group({ id: -randomInt(10_000, 2 ** 40), title, type: 'supergroup' });
}

/** A callback query as a stale client or a forger would send it: any data on any message. */
function injectPress(from: User, message: ChatMessageState, data: string): string {
  const id = String(randomInt(1, 2 ** 40));
  stack.telegram.injectUpdate({ callback_query: { id, from, chat_instance: '1', data, message: message.message } });
  return id;
}

/** The bot's answer to an injected query (the emulator did not issue its id, so it refuses the call; what was said counts). */
async function injectedAnswer(queryId: string): Promise<{ text?: string; show_alert?: boolean }> {
  const call = await stack.telegram.waitForCall((c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === queryId, WAIT);
  return call.params as { text?: string; show_alert?: boolean };
}

async function answerOf(query: string): Promise<{ text?: string; show_alert?: boolean }> {
  return (await stack.telegram.callbackAnswer(query, WAIT)) as { text?: string; show_alert?: boolean };
}

function card(chatId: number, messageId: number): ChatMessageState {
  const message = stack.telegram.message(chatId, messageId);
  if (message === undefined) throw new Error('card gone');
  return message;
}

async function pressOn(user: User, chatId: number, messageId: number, label: string | RegExp): Promise<{ text?: string; show_alert?: boolean }> {
  const query = stack.telegram.pressButton(user, chatId, messageId, buttonData(card(chatId, messageId), label));
  return answerOf(query);
}

/** Votes shown for ballot title number `n`. */
const votesOf = (text: string, n: number): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${n}. `));
  const match = line === undefined ? null : /(\d+) votes?/.exec(line);
  return match ? Number(match[1]) : -1;
};

describe('a group pick on Telegram', () => {
  it('GIVEN 3 linked members and 1 who links during the session THEN the ballot ranks by how many want a title, votes and caps hold, the host closes and Add to my watchlist writes only to the presser’s list', async () => {
    const [m0, m1, m2, m3, m4] = movies(5) as [CatalogMovie, CatalogMovie, CatalogMovie, CatalogMovie, CatalogMovie];
    const { user: alice, username: aliceTrakt } = await stack.linkedUser({ name: 'Alice' });
    const { user: bob, username: bobTrakt } = await stack.linkedUser({ name: 'Bob' });
    const { user: carol, username: carolTrakt } = await stack.linkedUser({ name: 'Carol' });
    const dave = stack.newUser('Dave');
    await stack.ask(dave, dave.id, '/start');
    const daveTrakt = `dave${dave.id}`;
    stack.trakt.addUser({ username: daveTrakt });
    seed(aliceTrakt, [m0, m1, m2]);
    seed(bobTrakt, [m0, m1, m3]);
    seed(carolTrakt, [m0, m4]);
    seed(daveTrakt, [m0, m2]);
    const group = newGroup();

    const opened = await stack.ask(alice, group.id, '/pick movies ballot=5');
    expect(opened.text).toContain('Group pick');
    expect(opened.text).toContain('Joined (1): Alice');
    const cardId = opened.messageId;

    expect((await pressOn(bob, group.id, cardId, 'Join')).text).toContain('You joined');
    expect((await pressOn(carol, group.id, cardId, 'Join')).text).toContain('You joined');
    await stack.telegram.waitForMessageState(group.id, cardId, (m) => m.text.includes('Joined (3): Alice, Bob, Carol'), WAIT);

    // Dave is not linked: Join brings the link flow to his private chat, and he is counted once linked.
    await pressOn(dave, group.id, cardId, 'Join');
    const prompt = await stack.telegram.waitForBotMessage(dave.id, (m) => /enter the code/i.test(m.text), WAIT);
    await stack.telegram.waitForMessageState(group.id, cardId, (m) => m.text.includes('Linking to join: Dave'), WAIT);
    const code = /enter the code ([0-9A-F]{8})/i.exec(prompt.text)?.[1] ?? '';
    stack.trakt.approveDevice(code, daveTrakt);
    await stack.telegram.waitForMessageState(group.id, cardId, (m) => m.text.includes('Joined (4): Alice, Bob, Carol, Dave'), { timeoutMs: 20_000 });

    // Nominations: a member nominates by IMDb id; a non-member may not.
    const eve = stack.newUser('Eve');
    const refused = await stack.ask(eve, group.id, '/nominate tt0848228', (m) => m.text.includes('Join the pick'));
    expect(refused.text).toContain('Join the pick first');
    const nominated = await stack.ask(bob, group.id, '/nominate tt0848228', (m) => m.text.includes('Nominated'));
    expect(nominated.text).toContain('Nominated for the group pick');
    await stack.telegram.waitForMessageState(group.id, cardId, (m) => m.text.includes('Nominated') && m.text.includes('The Avengers'), WAIT);

    // Only the host (or a moderator) starts the vote.
    expect((await pressOn(bob, group.id, cardId, 'Start vote')).text).toContain('Only the host');
    await pressOn(alice, group.id, cardId, 'Start vote');
    const voting = await stack.telegram.waitForMessageState(group.id, cardId, (m) => m.text.includes('Vote: what do we watch?'), { timeoutMs: 20_000 });
    // Nomination first, then by wanted-by (m0 by all 4; m1 and m2 by 2, by rating; one of m3/m4 by rating).
    const pair = [m1, m2].sort((a, b) => b.rating - a.rating);
    const single = [m3, m4].sort((a, b) => b.rating - a.rating)[0] as CatalogMovie;
    const order = ['The Avengers', m0.title, pair[0]?.title ?? '', pair[1]?.title ?? '', single.title];
    const ballotLines = voting.text.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(ballotLines).toHaveLength(5);
    order.forEach((title, i) => expect(ballotLines[i]).toContain(`${i + 1}. ${title}`));
    expect(ballotLines[1]).toContain('wanted by 4 of 4');
    expect(ballotLines[0]).toContain('nominated');
    expect(voting.text).toContain('Approve up to 2 titles');
    // The ballot never says whose list a title came from.
    for (const name of ['Alice', 'Bob', 'Carol', 'Dave']) expect(ballotLines.join('\n')).not.toContain(name);

    // Votes: approve, change, cap; a non-member's press changes nothing.
    const vote = (user: User, n: number) => pressOn(user, group.id, cardId, new RegExp(`^${n}\\. `));
    expect((await vote(alice, 2)).text).toContain('You approve 2.');
    expect((await vote(alice, 3)).text).toContain('(2 of 2)');
    const capped = await vote(alice, 4);
    expect(capped.show_alert).toBe(true);
    expect(capped.text).toContain('up to 2');
    expect((await vote(bob, 2)).text).toContain('You approve 2.');
    expect((await vote(bob, 2)).text).toContain('You approve nothing');
    expect((await vote(bob, 3)).text).toContain('You approve 3.');
    expect((await vote(carol, 2)).text).toContain('You approve 2.');
    const outsider = await vote(eve, 2);
    expect(outsider).toMatchObject({ show_alert: true });
    expect(outsider.text).toContain('press 🙋 Join first');
    const tallied = await stack.telegram.waitForMessageState(group.id, cardId, (m) => votesOf(m.text, 2) === 2 && votesOf(m.text, 3) === 2, WAIT);
    expect(tallied.text).toContain('Voted: 3 of 4 members');

    // Only the host or a moderator closes; Bob is neither.
    expect((await pressOn(bob, group.id, cardId, 'Close vote')).text).toContain('Only the host');
    await pressOn(alice, group.id, cardId, 'Close vote');
    const result = await stack.telegram.waitForBotMessage(group.id, (m) => m.text.includes('Tonight'), WAIT);
    // m0 and pair[0] have 2 votes each; m0 is wanted by 4, so it wins on wanted-by.
    expect(result.text).toContain(m0.title);
    expect(result.text).toContain('Wanted by 4 of 4');
    expect(result.text).toContain('wanted by the most members');
    const closed = await stack.telegram.waitForMessageState(group.id, cardId, (m) => m.text.includes('The vote is closed'), WAIT);
    expect(closed.text).toContain('Final tally');

    // A stale press on the closed card changes nothing.
    expect(buttonsOf(closed)).toHaveLength(0);
    const voteData = buttonData(voting, new RegExp(`^1\\. `));
    const stale = injectPress(carol, closed, voteData);
    expect(await injectedAnswer(stale)).toMatchObject({ text: 'This vote is closed.', show_alert: true });
    // The same data pressed in another chat is not this session's button.
    const elsewhere = await stack.ask(eve, eve.id, '/start');
    expect(await injectedAnswer(injectPress(eve, elsewhere, voteData))).toMatchObject({ show_alert: true });
    expect(votesOf(card(group.id, cardId).text, 1)).toBe(votesOf(closed.text, 1));

    // Add to my watchlist writes to the presser's own list only.
    // The answer is private: the presser must have a private chat with the bot.
    await stack.ask(carol, carol.id, '/start');
    await stack.ask(bob, bob.id, '/start');
    const before = { alice: stack.trakt.watchlist(aliceTrakt).length, bob: stack.trakt.watchlist(bobTrakt).length };
    await stack.press(carol, group.id, result, 'Add to my watchlist');
    await stack.telegram.waitForBotMessage(carol.id, (m) => m.text.includes('Already on your watchlist') || m.text.includes('Added'), WAIT);
    await stack.press(bob, group.id, result, 'Add to my watchlist');
    await stack.telegram.waitForBotMessage(bob.id, (m) => m.text.includes('Already on your watchlist'), WAIT);
    expect(stack.trakt.watchlist(aliceTrakt)).toHaveLength(before.alice);
    expect(stack.trakt.watchlist(bobTrakt)).toHaveLength(before.bob);
    // Eve never joined and is linked now: the winner lands on her list only.
    const eveTrakt = `eve${eve.id}`;
    stack.trakt.addUser({ username: eveTrakt });
    await stack.ask(eve, eve.id, '/link', (m) => /enter the code/i.test(m.text)).then((m) => stack.trakt.approveDevice(/enter the code ([0-9A-F]{8})/i.exec(m.text)?.[1] ?? '', eveTrakt));
    await stack.telegram.waitForBotMessage(eve.id, (m) => m.text.includes('Linked to Trakt'), { timeoutMs: 15_000 });
    await stack.press(eve, group.id, result, 'Add to my watchlist');
    await stack.telegram.waitForBotMessage(eve.id, (m) => m.text.includes('Added to your watchlist'), WAIT);
    expect(stack.trakt.watchlist(eveTrakt).map((r) => r.ref)).toEqual([{ type: 'movie', trakt: m0.ids.trakt }]);
    expect(stack.trakt.watchlist(aliceTrakt)).toHaveLength(before.alice);

    const history = await stack.ask(alice, group.id, '/pick history', (m) => m.text.includes('Last picks'));
    expect(history.text).toContain(m0.title);
  });

  it('GIVEN /pick in a private chat THEN it explains it is for groups; GIVEN a live pick THEN a second /pick shows the first', async () => {
    const { user } = await stack.linkedUser({ name: 'Solo' });
    const reply = await stack.ask(user, user.id, '/pick');
    expect(reply.text).toContain('/pick is for groups');
    const group = newGroup('Twice');
    const first = await stack.ask(user, group.id, '/pick');
    stack.telegram.sendText(user, group.id, '/pick shows');
    const again = await stack.telegram.waitForBotMessage(group.id, (m) => m.messageId > first.messageId && m.text.includes('Group pick'), WAIT);
    const note = stack.telegram.botMessages(group.id).find((m) => m.text.includes('already running'));
    expect(note).toBeDefined();
    expect(again.text).toContain('Movies and shows');
  });

  it('GIVEN 20 members voting within the same second THEN every vote is counted once and the card ends showing all of them', async () => {
    const group = newGroup('Crowd');
    const [target] = movies(1, 5) as [CatalogMovie];
    const members: User[] = [];
    for (let i = 0; i < 20; i++) {
      const { user, username } = await stack.linkedUser({ name: `M${i}` });
      seed(username, [target]);
      members.push(user);
    }
    const host = members[0] as User;
    const opened = await stack.ask(host, group.id, '/pick movies');
    const cardId = opened.messageId;
    for (const member of members.slice(1)) await pressOn(member, group.id, cardId, 'Join');
    await stack.telegram.waitForMessageState(group.id, cardId, (m) => m.text.includes('Joined (20)'), WAIT);
    await pressOn(host, group.id, cardId, 'Start vote');
    const voting = await stack.telegram.waitForMessageState(group.id, cardId, (m) => m.text.includes('Vote: what do we watch?'), { timeoutMs: 30_000 });
    const data = buttonData(voting, /^1\. /);
    const editsBefore = stack.telegram.calls.filter((c) => c.method.startsWith('edit') && c.params.message_id === cardId).length;
    const queries = members.map((member) => stack.telegram.pressButton(member, group.id, cardId, data));
    const answers = await Promise.all(queries.map(answerOf));
    for (const answer of answers) expect(answer.text).toContain('You approve 1.');
    const final = await stack.telegram.waitForMessageState(group.id, cardId, (m) => votesOf(m.text, 1) === 20, { timeoutMs: 15_000 });
    expect(final.text).toContain('Voted: 20 of 20 members');
    const edits = stack.telegram.calls.filter((c) => c.method.startsWith('edit') && c.params.message_id === cardId).length - editsBefore;
    // Coalesced: far fewer edits than votes, and the last one shows them all.
    expect(edits).toBeLessThan(20);
  });

  it('GIVEN a draw THEN the result card shows the seed and session, and the winner can be recomputed from them by the rule in /help pick', async () => {
    const group = newGroup('Draw');
    const [a, b] = movies(2, 7) as [CatalogMovie, CatalogMovie];
    const { user: host, username: hostTrakt } = await stack.linkedUser({ name: 'Host' });
    const { user: guest, username: guestTrakt } = await stack.linkedUser({ name: 'Guest' });
    seed(hostTrakt, [a, b]);
    seed(guestTrakt, [a, b]);
    const opened = await stack.ask(host, group.id, '/pick movies ballot=2');
    await pressOn(guest, group.id, opened.messageId, 'Join');
    await pressOn(host, group.id, opened.messageId, 'Start vote');
    await stack.telegram.waitForMessageState(group.id, opened.messageId, (m) => m.text.includes('Vote: what'), { timeoutMs: 20_000 });
    await pressOn(host, group.id, opened.messageId, /^1\. /);
    await pressOn(guest, group.id, opened.messageId, /^2\. /);
    await stack.telegram.waitForMessageState(group.id, opened.messageId, (m) => m.text.includes('Voted: 2 of 2'), WAIT);
    await pressOn(host, group.id, opened.messageId, 'Close vote');
    const result = await stack.telegram.waitForBotMessage(group.id, (m) => m.text.includes('Tonight'), WAIT);
    const seedShown = /seed ([0-9a-f]{16})/.exec(result.text)?.[1];
    const session = /session ([A-Za-z0-9_-]{12})/.exec(result.text)?.[1];
    expect(seedShown).toBeDefined();
    expect(session).toBeDefined();
    const recomputed = createHash('sha256').update(`${session ?? ''}\n1 1\n2 1`).digest('hex').slice(0, 16);
    expect(seedShown).toBe(recomputed);
    const closed = await stack.telegram.waitForMessageState(group.id, opened.messageId, (m) => m.text.includes('Final tally'), WAIT);
    const ballot = closed.text.split('\n').filter((l) => /^\d+\. /.test(l));
    const winner = ballot[Number(BigInt(`0x${recomputed}`) % 2n)] ?? '';
    expect(result.text).toContain(winner.replace(/^\d+\. /, '').split(' — ')[0] ?? '?');

    const help = await stack.ask(host, host.id, '/help pick');
    expect(help.text).toContain('SHA-256');
  });
});
