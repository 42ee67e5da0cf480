import { beforeEach, describe, expect, it } from 'vitest';
import { createBotCore, type BotCore } from '../../src/bot/core/bot-core.js';
import { TraktUnavailableError, WatchlistFullError } from '../../src/bot/core/errors.js';
import { NOTICES } from '../../src/bot/core/replies.js';
import { plainText, type Button, type Reply } from '../../src/bot/core/types.js';
import { fakeWorld, title, type FakeWorld } from './fakes.js';

/** The core's decisions against in-memory ports: no database, no Trakt, no chat platform. */
let world: FakeWorld;
let core: BotCore;

const ALICE = '101';
const BOB = '202';
const AVENGERS = title(14701, 'The Avengers', 'movie', { ids: { trakt: 14701, slug: 'the-avengers-2012', imdb: 'tt0848228' }, year: 2012 });
const SEVERANCE = title(154997, 'Severance', 'show', { year: 2022 });

beforeEach(() => {
  world = fakeWorld();
  world.trakt.catalog = [AVENGERS, SEVERANCE, title(12601, 'TRON: Legacy')];
  world.linked.set(Number(ALICE), { username: 'alice', vip: false, watchlistLimit: 250 });
  core = createBotCore(world.deps);
});

function text(reply: Reply | undefined): string {
  return reply === undefined ? '' : plainText(reply.text);
}

function button(reply: Reply | undefined, label: string): string {
  const found = (reply?.buttons ?? []).flat().find((b): b is Extract<Button, { action: string }> => 'action' in b && b.label.includes(label));
  if (found === undefined) throw new Error(`no button ${label} in ${JSON.stringify(reply?.buttons)}`);
  return found.action;
}

async function press(userId: string, data: string) {
  const step = await core.pressButton(world.press(userId, data));
  const outcome = step.work ? await step.work() : undefined;
  return { ack: step.ack, outcome };
}

describe('commands', () => {
  it('GIVEN an unlinked user WHEN they /add THEN the answer is a Link button and Trakt is not called', async () => {
    const [reply] = await core.handleCommand(world.command(BOB, 'add', 'avengers'));
    expect(text(reply)).toContain('This needs your Trakt account');
    expect(button(reply, 'Link')).toBe('v1:link:new');
    expect(world.trakt.calls).toEqual([]);
  });

  it('GIVEN /link WHEN answered THEN it is private and says first that a free account connects one app', async () => {
    const [reply] = await core.handleCommand(world.command(BOB, 'link', '', { chatId: '-5', kind: 'group' }));
    expect(reply?.private).toBe(true);
    expect(text(reply)).toMatch(/^Good to know: a free Trakt account can connect only one app/);
    expect(text(reply)).toContain('ABCD1234');
  });

  it('GIVEN an unknown command WHEN sent in a group THEN the core stays silent; in private it points to /help', async () => {
    expect(await core.handleCommand(world.command(ALICE, 'frob', '', { chatId: '-5', kind: 'group' }))).toEqual([]);
    expect(text((await core.handleCommand(world.command(ALICE, 'frob')))[0])).toContain('/help');
  });

  it('GIVEN a show WHEN the user /adds it THEN the card offers the whole show, a season, or cancelling', async () => {
    const [reply] = await core.handleCommand(world.command(ALICE, 'add', 'severance'));
    expect((reply?.buttons ?? []).flat().map((b) => b.label)).toEqual(['✅ Confirm: whole show', '📺 Pick a season', '✖ Cancel', '🌐 Open on Trakt']);
    expect(text(reply)).toContain('2 seasons');
  });

  it('GIVEN an unexpected failure WHEN a command runs THEN the user gets an apology with a reference and the log has it', async () => {
    world.trakt.failWith = new Error('boom: secret-ish internals');
    const [reply] = await core.handleCommand(world.command(ALICE, 'search', 'avengers'));
    const ref = /reference ([0-9A-F]{8})/.exec(text(reply))?.[1];
    expect(ref).toBeDefined();
    expect(text(reply)).not.toContain('boom');
    expect(world.logged.some((l) => (l.obj as { ref?: string }).ref === ref)).toBe(true);
  });
});

describe('buttons', () => {
  it('GIVEN a Confirm WHEN pressed twice THEN one write happens and the second press gets the stale alert', async () => {
    const [card] = await core.handleCommand(world.command(ALICE, 'add', 'avengers'));
    const confirm = button(card, 'Confirm');
    const [first, second] = await Promise.all([core.pressButton(world.press(ALICE, confirm)), core.pressButton(world.press(ALICE, confirm))]);
    const steps = [first, second];
    expect(steps.filter((s) => s.work !== undefined)).toHaveLength(1);
    expect(steps.filter((s) => s.ack.text === NOTICES.buttonStale && s.ack.alert)).toHaveLength(1);
    await steps.find((s) => s.work)?.work?.();
    expect(world.trakt.calls.filter((c) => c === 'add')).toEqual(['add']);
  });

  it('GIVEN Confirm and Cancel on one card WHEN Cancel is pressed THEN Confirm is stale too', async () => {
    const [card] = await core.handleCommand(world.command(ALICE, 'add', 'avengers'));
    await press(ALICE, button(card, 'Cancel'));
    const late = await press(ALICE, button(card, 'Confirm'));
    expect(late.ack).toEqual({ text: NOTICES.buttonStale, alert: true });
    expect(world.trakt.watchlist.size).toBe(0);
  });

  it('GIVEN someone else\'s button WHEN pressed THEN a short alert, no work, and the owner can still use it', async () => {
    world.linked.set(Number(BOB), { username: 'bob', vip: false, watchlistLimit: 250 });
    const [card] = await core.handleCommand(world.command(ALICE, 'add', 'avengers'));
    const foreign = await press(BOB, button(card, 'Confirm'));
    expect(foreign).toEqual({ ack: { text: NOTICES.buttonForeign, alert: true }, outcome: undefined });
    const own = await press(ALICE, button(card, 'Confirm'));
    expect(text(own.outcome?.edit)).toContain('Added to your watchlist');
  });

  it('GIVEN a button past its expiry WHEN pressed THEN the stale alert, nothing else', async () => {
    const [card] = await core.handleCommand(world.command(ALICE, 'add', 'avengers'));
    world.clock.advance(31 * 60_000);
    expect((await press(ALICE, button(card, 'Confirm'))).ack).toEqual({ text: NOTICES.buttonStale, alert: true });
  });

  it('GIVEN forged data WHEN pressed THEN an alert and no work', async () => {
    for (const data of ['', 'v1', 'v1:confirm', 'v1:confirm:../../etc', 'v1:nope:AAAAAAAAAAAAAA', 'v1:confirm:AAAAAAAAAAAAAA', 'x'.repeat(200)]) {
      const step = await core.pressButton(world.press(ALICE, data));
      expect(step.ack.alert).toBe(true);
      expect(step.work).toBeUndefined();
    }
  });
});

describe('writes, undo and their failures', () => {
  it('GIVEN an add WHEN Undo is pressed within the window THEN the item is removed; after the window THEN it is too late', async () => {
    const [card] = await core.handleCommand(world.command(ALICE, 'add', 'avengers'));
    const added = (await press(ALICE, button(card, 'Confirm'))).outcome?.edit;
    expect(text(added)).toContain('You can undo this for 15 minutes.');
    const undone = (await press(ALICE, button(added, 'Undo'))).outcome?.edit;
    expect(text(undone)).toContain('The Avengers (2012) is off your watchlist again');
    expect(world.trakt.watchlist.size).toBe(0);

    const [again] = await core.handleCommand(world.command(ALICE, 'add', 'avengers'));
    await press(ALICE, button(again, 'Confirm'));
    world.clock.advance(16 * 60_000);
    expect(text((await core.handleCommand(world.command(ALICE, 'undo')))[0])).toContain('Nothing to undo');
  });

  it('GIVEN a full watchlist WHEN Confirm is pressed THEN the card says "used / limit" from the 420', async () => {
    world.trakt.limit = 0;
    world.trakt.limitError = () => new WatchlistFullError({ limit: 100, vip: false, upgradeUrl: 'https://app.trakt.tv/vip' });
    const [card] = await core.handleCommand(world.command(ALICE, 'add', 'avengers'));
    const outcome = (await press(ALICE, button(card, 'Confirm'))).outcome?.edit;
    expect(text(outcome)).toContain('Your Trakt watchlist is full (100 / 100 used)');
    expect((outcome?.buttons ?? []).flat()).toEqual([
      { label: 'Trakt VIP', url: 'https://app.trakt.tv/vip' },
      { label: '🌐 Open on Trakt', url: expect.stringMatching(/^https:\/\/trakt\.tv\//) as string },
    ]);
  });

  it('GIVEN Trakt down WHEN Confirm is pressed THEN nothing changed, a plain sentence, and Confirm is offered again', async () => {
    const [card] = await core.handleCommand(world.command(ALICE, 'add', 'avengers'));
    world.trakt.failWith = new TraktUnavailableError('outage');
    const outcome = (await press(ALICE, button(card, 'Confirm'))).outcome?.edit;
    expect(text(outcome)).toContain('Trakt is not answering right now. Please try again in a few minutes. Nothing was changed.');
    world.trakt.failWith = undefined;
    const retried = (await press(ALICE, button(outcome, 'Confirm again'))).outcome?.edit;
    expect(text(retried)).toContain('Added to your watchlist');
  });

  it('GIVEN Trakt slower than the user\'s patience WHEN a search runs THEN they hear Trakt is slow', async () => {
    world.trakt.failWith = 'hang';
    const [reply] = await core.handleCommand(world.command(ALICE, 'search', 'avengers'));
    expect(text(reply)).toBe('Trakt is taking too long to answer right now. Please try again in a minute.');
  });
});

describe('the watchlist copy', () => {
  it('GIVEN a copy checked moments ago WHEN the user pages THEN Trakt is not asked; a /watchlist command asks last_activities only', async () => {
    world.trakt.watchlist.set('movie:14701', { kind: 'movie', title: AVENGERS });
    const [first] = await core.handleCommand(world.command(ALICE, 'watchlist'));
    expect(world.trakt.calls).toEqual(['lastActivities', 'watchlistAll']);
    await press(ALICE, button(first, 'Title'));
    expect(world.trakt.calls).toEqual(['lastActivities', 'watchlistAll']);
    await core.handleCommand(world.command(ALICE, 'watchlist'));
    expect(world.trakt.calls).toEqual(['lastActivities', 'watchlistAll', 'lastActivities']);
  });
});
