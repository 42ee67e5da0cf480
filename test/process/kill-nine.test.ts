import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessageState, TelegramEmulator, User } from '../emulators/telegram/index.js';
import type { TraktEmulator } from '../emulators/trakt/index.js';
import { buttonsOf } from '../e2e/telegram/harness.js';
import { startProcessStack, type ProcessStack } from '../helpers/process-stack.js';

/**
 * Nothing the user confirmed is lost by a crash (issue 10): the service process is killed with
 * SIGKILL while one write hangs at Trakt, two more wait behind it, and another user's write was
 * applied by Trakt but its answer never came back. After a restart every confirmed change is applied
 * once, every card says what is true, and Undo reaches the change whose answer was lost.
 */
let stack: ProcessStack;
let trakt: TraktEmulator;
let telegram: TelegramEmulator;
const WAIT = { timeoutMs: 20_000 };
const RECOVERY = { timeoutMs: 45_000 };

beforeAll(async () => {
  stack = await startProcessStack('marquee-kill', { catalogSize: 500, waitMs: WAIT.timeoutMs });
  ({ trakt, telegram } = stack);
});
afterAll(async () => {
  await stack?.close();
});

const start = () => stack.start();
const until = (check: () => boolean, what: string) => stack.until(check, what);

async function card(user: User, imdb: string): Promise<ChatMessageState> {
  telegram.sendText(user, user.id, `/add ${imdb}`);
  return telegram.waitForBotMessage(user.id, (m) => /Add (this show )?to your watchlist\?/.test(m.text), WAIT);
}

function confirm(user: User, message: ChatMessageState): void {
  const data = buttonsOf(message).find((b) => b.label.includes('Confirm'))?.data;
  if (data === undefined) throw new Error('no Confirm button');
  telegram.pressButton(user, user.id, message.messageId, data);
}

function movieId(imdb: string): number {
  const movie = trakt.catalog.movies().find((m) => m.ids.imdb === imdb);
  if (movie === undefined) throw new Error(`no catalog movie ${imdb}`);
  return movie.ids.trakt;
}

function listed(username: string): Array<number | undefined> {
  return trakt.watchlist(username).map((r) => ('trakt' in r.ref ? r.ref.trakt : undefined));
}

describe('kill -9 between Confirm and Trakt’s answer', () => {
  it('GIVEN a write hanging at Trakt, two queued behind it and a write whose answer was lost WHEN the process is killed and restarted THEN each is applied once and its card edited, with Undo', { timeout: 180_000 }, async () => {
    const first = await start();
    await telegram.waitForPoll(WAIT);
    const { user: ana, username: anaName } = await stack.linkedUser('Ana');
    const { user: ben, username: benName } = await stack.linkedUser('Ben');
    const imdb = ['tt0848228', 'tt0118661', 'tt0458339'];
    const anaCards = [];
    for (const id of imdb) anaCards.push(await card(ana, id));
    const benCard = await card(ben, 'tt0903747');

    // Ben's write is applied by Trakt, its answer lost; the resend then hangs.
    trakt.setFault('POST /sync/watchlist', { loseAnswer: true, count: 1 });
    confirm(ben, benCard);
    await until(() => trakt.watchlist(benName).length === 1, "Ben's write to land");
    trakt.setFault('POST /sync/watchlist', { hang: true });
    // A hung request is logged before Trakt knows its user: count them by route.
    const hung = () => trakt.requests.filter((r) => r.route === 'POST /sync/watchlist' && r.status === 0).length;
    await until(() => hung() >= 1, "Ben's resend");

    // Ana's first write hangs at Trakt; her next two wait behind it.
    for (const message of anaCards) confirm(ana, message);
    await until(() => hung() >= 2, "Ana's write to reach Trakt");
    for (const message of anaCards.slice(1)) {
      await telegram.waitForMessageState(ana.id, message.messageId, (m) => /queued/i.test(m.text), WAIT);
    }

    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    trakt.clearFaults();
    expect(trakt.watchlist(anaName)).toEqual([]);

    await start();
    for (const message of anaCards) {
      const done = await telegram.waitForMessageState(ana.id, message.messageId, (m) => m.text.includes('Added to your watchlist'), RECOVERY);
      expect(buttonsOf(done).map((b) => b.label)).toEqual(['↩ Undo', '🌐 Open on Trakt']);
    }
    expect(listed(anaName)).toEqual(imdb.map(movieId));
    expect(trakt.requests.filter((r) => r.route === 'POST /sync/watchlist' && r.user === anaName && r.status === 201)).toHaveLength(3);

    // Ben's write had landed before the crash: it is reported as his change, and Undo takes it back.
    const benDone = await telegram.waitForMessageState(ben.id, benCard.messageId, (m) => m.text.includes('Added to your watchlist'), RECOVERY);
    expect(benDone.text).not.toContain('Already');
    const undo = buttonsOf(benDone).find((b) => b.label.includes('Undo'))?.data;
    expect(undo).toBeDefined();
    telegram.pressButton(ben, ben.id, benCard.messageId, undo ?? '');
    await telegram.waitForMessageState(ben.id, benCard.messageId, (m) => m.text.includes('Undone'), WAIT);
    expect(trakt.watchlist(benName)).toEqual([]);
  });
});
