import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../../../src/main.js';
import { startTelegramEmulator, type ChatMessageState, type TelegramEmulator, type User } from '../../emulators/telegram/index.js';
import { startTraktEmulator, type TraktEmulator } from '../../emulators/trakt/index.js';
import type { CatalogMovie } from '../../emulators/trakt/types.js';
import { captureLogs } from '../../helpers/logs.js';
import { linkChatUser, serviceStorage } from '../../helpers/service-stack.js';
import { buttonData, serviceEnv, WAIT } from './harness.js';

/**
 * Issue 11, the edges of a group pick on Telegram: a moderator closes, the deadline closes after a
 * restart, read-only members, Trakt down while pooling, leaving withdraws votes, a member unlinking
 * mid-vote, and the private "tonight's pick" notice.
 */
let trakt: TraktEmulator;
let telegram: TelegramEmulator;
let storage: Awaited<ReturnType<typeof serviceStorage>>;
let service: RunningService;
const logs = captureLogs('info');

async function start(): Promise<RunningService> {
  const started = await startService({ env: serviceEnv({ telegram, trakt, storageEnv: storage.env }), logger: logs.logger });
  await telegram.waitForPoll(WAIT);
  return started;
}

beforeAll(async () => {
  trakt = await startTraktEmulator({ deviceIntervalSeconds: 1, catalogSize: 800 });
  telegram = await startTelegramEmulator({ defaultWaitMs: WAIT.timeoutMs });
  storage = await serviceStorage('marquee-picks-edges');
  service = await start();
});
afterAll(async () => {
  await service?.stop('test over');
  await Promise.allSettled([telegram?.close(), trakt?.close()]);
  await storage?.dispose();
});

let nextMovie = 0;
/** Fresh movies for each test (distinct ratings, unique titles). */
function movies(count: number): CatalogMovie[] {
  const all = trakt.catalog.movies();
  const seen = new Set<number>();
  const out: CatalogMovie[] = [];
  for (const movie of all) {
    if (movie.rating <= 0 || seen.has(movie.rating) || all.filter((m) => m.title === movie.title).length > 1) continue;
    seen.add(movie.rating);
    out.push(movie);
  }
  const picked = out.slice(nextMovie, nextMovie + count);
  nextMovie += count;
  return picked;
}

async function member(name: string, list: CatalogMovie[]): Promise<{ user: User; username: string }> {
  const user = telegram.user({ id: randomInt(10_000, 2 ** 40), firstName: name, languageCode: 'en' });
  telegram.privateChat(user);
  const { username } = await linkChatUser(service, trakt, { platform: 'telegram', userId: String(user.id) });
  trakt.seedWatchlist(username, list.map((m) => ({ type: 'movie' as const, trakt: m.ids.trakt })));
  return { user, username };
}

function group(title: string) {
  return telegram.group({ id: -randomInt(10_000, 2 ** 40), title, type: 'supergroup' });
}

async function ask(user: User, chat: number, text: string, predicate?: (m: ChatMessageState) => boolean): Promise<ChatMessageState> {
  telegram.sendText(user, chat, text);
  return telegram.waitForBotMessage(chat, predicate, WAIT);
}

async function press(user: User, chat: number, messageId: number, label: string | RegExp): Promise<{ text?: string; show_alert?: boolean }> {
  const current = telegram.message(chat, messageId);
  if (current === undefined) throw new Error('no such message');
  const query = telegram.pressButton(user, chat, messageId, buttonData(current, label));
  return (await telegram.callbackAnswer(query, WAIT)) as { text?: string; show_alert?: boolean };
}

const until = (chat: number, messageId: number, predicate: (m: ChatMessageState) => boolean, timeoutMs = WAIT.timeoutMs) =>
  telegram.waitForMessageState(chat, messageId, predicate, { timeoutMs });

/** The title of ballot line `n` on a voting or closed card. */
function ballotTitle(chat: number, messageId: number, n: number): string {
  const text = telegram.message(chat, messageId)?.text ?? '';
  const line = text.split('\n').find((l) => l.startsWith(`${n}. `)) ?? '';
  return /^\d+\. (.*?)(?: \(\d{4}| — )/.exec(line)?.[1] ?? `<no line ${n}>`;
}

async function openAndStart(host: User, others: User[], chat: number, args: string): Promise<number> {
  const card = await ask(host, chat, `/pick ${args}`, (m) => m.text.includes('Group pick'));
  for (const other of others) await press(other, chat, card.messageId, 'Join');
  await until(chat, card.messageId, (m) => m.text.includes(`Joined (${others.length + 1})`));
  await press(host, chat, card.messageId, 'Start vote');
  await until(chat, card.messageId, (m) => m.text.includes('Vote: what do we watch?'), 20_000);
  return card.messageId;
}

describe('group pick edges on Telegram', () => {
  it('GIVEN a vote WHEN a chat administrator who is not the host presses Close THEN it closes; a plain member cannot', async () => {
    const list = movies(2);
    const host = await member('Host', list);
    const plain = await member('Plain', list);
    const admin = await member('Admin', list);
    const chat = group('Admins');
    telegram.addMembers(chat, [host.user, plain.user, admin.user]);
    telegram.makeAdmin(chat, admin.user);
    const cardId = await openAndStart(host.user, [plain.user, admin.user], chat.id, 'movies');
    await press(plain.user, chat.id, cardId, /^1\. /);
    expect((await press(plain.user, chat.id, cardId, 'Close vote')).text).toContain('Only the host');
    expect((await press(admin.user, chat.id, cardId, 'Close vote')).text).toContain('Closing');
    await telegram.waitForBotMessage(chat.id, (m) => m.text.includes('Tonight'), WAIT);
  });

  it('GIVEN members who leave after voting or unlink mid-vote THEN a leaver’s votes are withdrawn, the unlinked member’s card keeps working, and a member who asked is told the result privately', async () => {
    const list = movies(3);
    const host = await member('Hana', list);
    const leaver = await member('Leo', list);
    const unlinker = await member('Uma', list);
    const chat = group('Leavers');
    const cardId = await openAndStart(host.user, [leaver.user, unlinker.user], chat.id, 'movies ballot=3');
    await press(leaver.user, chat.id, cardId, /^3\. /);
    await until(chat.id, cardId, (m) => /^3\. .* 1 vote$/m.test(m.text));
    expect((await press(leaver.user, chat.id, cardId, 'Leave')).text).toContain('votes were withdrawn');
    await until(chat.id, cardId, (m) => /^3\. .* 0 votes$/m.test(m.text) && m.text.includes('of 2 members'));
    expect((await press(leaver.user, chat.id, cardId, /^3\. /)).text).toContain('Join first');

    await press(unlinker.user, chat.id, cardId, /^2\. /);
    await ask(unlinker.user, unlinker.user.id, '/unlink', (m) => /unlink/i.test(m.text));
    // Still a member of this vote: the ballot was made already; their vote stands and they may change it.
    expect((await press(unlinker.user, chat.id, cardId, /^2\. /)).text).toContain('You approve nothing');
    expect((await press(unlinker.user, chat.id, cardId, /^1\. /)).text).toContain('You approve 1.');

    await ask(host.user, host.user.id, '/start');
    expect((await press(host.user, chat.id, cardId, 'Tell me')).text).toContain('privately');
    await press(host.user, chat.id, cardId, /^1\. /);
    await until(chat.id, cardId, (m) => /^1\. .* 2 votes$/m.test(m.text));
    await press(host.user, chat.id, cardId, 'Close vote');
    const first = ballotTitle(chat.id, cardId, 1);
    const result = await telegram.waitForBotMessage(chat.id, (m) => m.text.includes('Tonight'), WAIT);
    expect(result.text).toContain(first);
    const notice = await telegram.waitForBotMessage(host.user.id, (m) => m.text.includes('Tonight’s pick'), WAIT);
    expect(notice.text).toContain(first);
  });

  it('GIVEN a member without a link WHEN they /join with a public Trakt username THEN their public list is pooled; a private profile gets a clear answer and joins nothing', async () => {
    const [shared, other] = movies(2) as [CatalogMovie, CatalogMovie];
    const host = await member('Pia', [shared, other]);
    const publicName = `pub${randomInt(1, 2 ** 30)}`;
    trakt.addUser({ username: publicName });
    trakt.seedWatchlist(publicName, [{ type: 'movie', trakt: shared.ids.trakt }]);
    const privateName = `priv${randomInt(1, 2 ** 30)}`;
    trakt.addUser({ username: privateName, private: true });
    const reader = telegram.user({ id: randomInt(10_000, 2 ** 40), firstName: 'Rex', languageCode: 'en' });
    const secretive = telegram.user({ id: randomInt(10_000, 2 ** 40), firstName: 'Sid', languageCode: 'en' });
    const chat = group('Readers');
    const card = await ask(host.user, chat.id, '/pick movies', (m) => m.text.includes('Group pick'));

    const refused = await ask(secretive, chat.id, `/join ${privateName}`, (m) => m.text.includes('private'));
    expect(refused.text).toContain('is private');
    const unknown = await ask(secretive, chat.id, '/join no-such-user-xyz', (m) => m.text.includes('no user'));
    expect(unknown.text).toContain('Trakt has no user called');
    const joined = await ask(reader, chat.id, `/join ${publicName}`, (m) => m.text.includes('joined read-only'));
    expect(joined.text).toContain('(1 title on its watchlist)');
    const gathered = await until(chat.id, card.messageId, (m) => m.text.includes('Joined (2): Pia, Rex'));
    expect(gathered.text).not.toContain('Sid');
    await press(host.user, chat.id, card.messageId, 'Start vote');
    const voting = await until(chat.id, card.messageId, (m) => m.text.includes('Vote: what'), 20_000);
    expect(voting.text).toMatch(new RegExp(`1\\. ${shared.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*wanted by 2 of 2`));
    expect((await press(reader, chat.id, card.messageId, /^1\. /)).text).toContain('You approve 1.');
  });

  it('GIVEN Trakt down when the vote starts THEN the ballot is made from the copies we have and the card says how old they are', async () => {
    const list = movies(2);
    const host = await member('Tess', list);
    const guest = await member('Gus', list);
    const chat = group('Outage');
    const card = await ask(host.user, chat.id, '/pick movies', (m) => m.text.includes('Group pick'));
    await press(guest.user, chat.id, card.messageId, 'Join');
    // Both copies are synced (the joins refresh them), then Trakt goes down.
    await until(chat.id, card.messageId, (m) => m.text.includes('In common so far'));
    trakt.setFault('GET /sync/last_activities', { statuses: [503] });
    try {
      await press(host.user, chat.id, card.messageId, 'Start vote');
      const voting = await until(chat.id, card.messageId, (m) => m.text.includes('Vote: what'), 30_000);
      expect(voting.text).toContain('Trakt was not answering while pooling: used the copies we had');
      expect(voting.text).toMatch(/Tess: \d+ min old/);
      expect(voting.text).toContain('wanted by 2 of 2');
    } finally {
      trakt.clearFaults();
    }
  });

  it('GIVEN a vote with a deadline WHEN the service restarts during the vote THEN the votes are kept and the vote closes on time', async () => {
    const list = movies(2);
    const host = await member('Dora', list);
    const guest = await member('Gil', list);
    const chat = group('Deadline');
    const cardId = await openAndStart(host.user, [guest.user], chat.id, 'movies time=15s');
    await press(host.user, chat.id, cardId, /^2\. /);
    await press(guest.user, chat.id, cardId, /^2\. /);
    await until(chat.id, cardId, (m) => /^2\. .* 2 votes$/m.test(m.text));

    const second = ballotTitle(chat.id, cardId, 2);
    await service.stop('test: restart during a vote');
    service = await start();
    const result = await telegram.waitForBotMessage(chat.id, (m) => m.text.includes('Tonight'), { timeoutMs: 30_000 });
    expect(result.text).toContain(second);
    expect(result.text).toContain('2 votes from 2 voters');
    await until(chat.id, cardId, (m) => m.text.includes('The vote is closed'));
  });
});
