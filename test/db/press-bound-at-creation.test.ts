import { randomInt } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBotCore, type BotCore } from '../../src/bot/core/bot-core.js';
import { NOTICES } from '../../src/bot/core/replies.js';
import type { ActionOutcome, Button, MessageRef, Reply } from '../../src/bot/core/types.js';
import { createPendingActionStore } from '../../src/bot/services/stores.js';
import type { Database } from '../../src/db/client.js';
import { upsertChatIdentity } from '../../src/db/queries/identities.js';
import { findPendingAction } from '../../src/db/queries/pending-actions.js';
import { DRIVER_NAME, sharedTestDatabase, countStatements } from '../helpers/db.js';
import { fakeWorld, title, type FakeWorld } from '../bot/fakes.js';

/**
 * The buttons of a card that a press edits in place are stored already bound to the pressed message:
 * the press costs one statement fewer (no bind after the edit). Only the pending actions are on the
 * real database here, so every statement counted is theirs. A card the adapter sends as a new message
 * (Telegram cannot turn a text message into a photo card) is stored unbound and bound once shown, as
 * before, so a press that comes before its bind acts as it always did; forged presses are refused.
 */
let database: Database;
beforeAll(async () => {
  database = await sharedTestDatabase();
});

const AVENGERS = title(14701, 'The Avengers', 'movie', { ids: { trakt: 14701, slug: 'the-avengers-2012', imdb: 'tt0848228' }, year: 2012 });

interface Setup {
  world: FakeWorld;
  core: BotCore;
  userId: string;
  chatId: string;
}

async function setup(): Promise<Setup> {
  const world = fakeWorld();
  const userId = String(randomInt(1, 2 ** 47));
  const identityId = (await upsertChatIdentity(database.db, { platform: 'telegram', platformUserId: userId })).id;
  world.deps.accounts = { ...world.deps.accounts, identify: async () => identityId };
  world.deps.pending = createPendingActionStore(database.db);
  world.trakt.catalog = [AVENGERS];
  world.linked.set(identityId, { username: `u${userId}`, vip: false, watchlistLimit: 250 });
  // The buttons' expiry is the core's clock's: keep it the database's.
  world.clock.at = new Date();
  return { world, core: createBotCore(world.deps), userId, chatId: userId };
}

function button(reply: Reply | undefined, label: string): string {
  const found = (reply?.buttons ?? []).flat().find((b): b is Extract<Button, { action: string }> => 'action' in b && b.label.includes(label));
  if (found === undefined) throw new Error(`no button ${label} in ${JSON.stringify(reply?.buttons)}`);
  return found.action;
}

function messageOf(s: Setup, messageId: string): MessageRef {
  return { platform: 'telegram', chatId: s.chatId, messageId };
}

function pressInput(s: Setup, message: MessageRef, data: string, editsInPlace: boolean) {
  return {
    user: { platform: 'telegram' as const, userId: s.userId },
    chat: { platform: 'telegram' as const, chatId: message.chatId, kind: 'private' as const },
    data,
    privateChatId: s.userId,
    messageId: message.messageId,
    editsInPlace: () => editsInPlace,
  };
}

/**
 * What an adapter does with a press on `message`: the first step, the work, and the card shown as
 * `shownAs` (the pressed message when edited in place; the adapter says beforehand whether it will).
 */
async function pressOn(
  s: Setup,
  message: MessageRef,
  data: string,
  shownAs: MessageRef = message,
  inPlace = shownAs.messageId === message.messageId,
): Promise<{ ack: { text?: string; alert?: boolean }; edit?: Reply }> {
  const step = await s.core.pressButton(pressInput(s, message, data, inPlace));
  if (step.work === undefined) return { ack: step.ack };
  const outcome: ActionOutcome = await step.work();
  if (outcome.edit !== undefined) await s.core.bindMessage(outcome.edit, shownAs);
  return { ack: step.ack, ...(outcome.edit === undefined ? {} : { edit: outcome.edit }) };
}

/** `/add` answered with a new message `messageId`, bound as the adapter binds it. */
async function card(s: Setup, messageId: string): Promise<Reply> {
  const [reply] = await s.core.handleCommand(s.world.command(s.userId, 'add', 'avengers'));
  if (reply === undefined) throw new Error('no card');
  await s.core.bindMessage(reply, messageOf(s, messageId));
  return reply;
}

const counted = <T>(work: () => Promise<T>) => countStatements(database, work);

const idOf = (data: string) => data.split(':')[2] ?? '';

describe(`buttons of a card edited in place are bound when made (${DRIVER_NAME})`, () => {
  it('GIVEN a Confirm card WHEN Confirm edits it in place THEN two statements (the press, the Undo card’s buttons already bound): one fewer than before', async () => {
    const s = await setup();
    const confirm = button(await card(s, '10'), 'Confirm');
    const pressed = await counted(() => pressOn(s, messageOf(s, '10'), confirm));
    expect(pressed.value.edit).toBeDefined();
    // Before: the press, the insert of the Undo card's buttons, and their bind to message 10.
    expect(pressed.queries).toBe(2);
    const undo = button(pressed.value.edit, 'Undo');
    expect(await findPendingAction(database.db, idOf(undo))).toMatchObject({ chatId: s.chatId, messageId: '10' });
  });

  it('GIVEN the edited card WHEN its new data arrives on another message of the chat THEN refused and nothing consumed; on its own message THEN it acts', async () => {
    const s = await setup();
    const confirm = button(await card(s, '20'), 'Confirm');
    const undo = button((await pressOn(s, messageOf(s, '20'), confirm)).edit, 'Undo');

    const forged = await pressOn(s, messageOf(s, '19'), undo);
    expect(forged).toEqual({ ack: { text: NOTICES.buttonStale, alert: true } });
    expect((await findPendingAction(database.db, idOf(undo)))?.consumedAt).toBeNull();
    const own = await pressOn(s, messageOf(s, '20'), undo);
    expect(own.edit).toBeDefined();
    expect(own.ack.alert).toBeUndefined();
  });

  it('GIVEN a press whose card the adapter sends as a new message THEN three statements, as before: its buttons are stored unbound and bound to that message once shown', async () => {
    const s = await setup();
    const confirm = button(await card(s, '30'), 'Confirm');
    const pressed = await counted(() => pressOn(s, messageOf(s, '30'), confirm, messageOf(s, '31')));
    expect(pressed.queries).toBe(3);
    const undo = button(pressed.value.edit, 'Undo');
    expect(await findPendingAction(database.db, idOf(undo))).toMatchObject({ chatId: s.chatId, messageId: '31' });
    expect(await pressOn(s, messageOf(s, '30'), undo)).toEqual({ ack: { text: NOTICES.buttonStale, alert: true } });
    expect((await pressOn(s, messageOf(s, '31'), undo)).edit).toBeDefined();
  });

  it('GIVEN a card the adapter sends as a new message WHEN its button is pressed there before it is bound THEN it acts, as before', async () => {
    const s = await setup();
    const confirm = button(await card(s, '60'), 'Confirm');
    const step = await s.core.pressButton(pressInput(s, messageOf(s, '60'), confirm, false));
    const edit = (await step.work?.())?.edit;
    const undo = button(edit, 'Undo');
    expect(edit?.boundTo).toBeUndefined();
    expect(await findPendingAction(database.db, idOf(undo))).toMatchObject({ messageId: null });
    const undone = await pressOn(s, messageOf(s, '61'), undo);
    expect(undone.edit).toBeDefined();
    expect(undone.ack.alert).toBeUndefined();
  });

  it('GIVEN a card meant to be edited in place WHEN the adapter had to send it anew after all THEN it is bound to the new message, and acts from there only', async () => {
    const s = await setup();
    const confirm = button(await card(s, '70'), 'Confirm');
    const pressed = await counted(() => pressOn(s, messageOf(s, '70'), confirm, messageOf(s, '71'), true));
    expect(pressed.queries).toBe(3);
    const undo = button(pressed.value.edit, 'Undo');
    expect(await findPendingAction(database.db, idOf(undo))).toMatchObject({ messageId: '71' });
    expect(await pressOn(s, messageOf(s, '70'), undo)).toEqual({ ack: { text: NOTICES.buttonStale, alert: true } });
    expect(await pressOn(s, messageOf(s, '72'), undo)).toEqual({ ack: { text: NOTICES.buttonStale, alert: true } });
    expect((await pressOn(s, messageOf(s, '71'), undo)).edit).toBeDefined();
  });

  it('GIVEN a new card not bound yet WHEN pressed THEN it acts, as before binding it always did', async () => {
    const s = await setup();
    const [reply] = await s.core.handleCommand(s.world.command(s.userId, 'add', 'avengers'));
    const confirm = button(reply, 'Confirm');
    expect(await findPendingAction(database.db, idOf(confirm))).toMatchObject({ messageId: null });
    const pressed = await pressOn(s, messageOf(s, '40'), confirm);
    expect(pressed.edit).toBeDefined();
    expect(pressed.ack.alert).toBeUndefined();
  });

  it('GIVEN a card edited in place WHEN its new button is pressed before the adapter reports the edit THEN it acts, as before', async () => {
    const s = await setup();
    const confirm = button(await card(s, '50'), 'Confirm');
    const step = await s.core.pressButton(pressInput(s, messageOf(s, '50'), confirm, true));
    const edit = (await step.work?.())?.edit;
    // No bindMessage yet: the press on the edited message is taken.
    const undone = await pressOn(s, messageOf(s, '50'), button(edit, 'Undo'));
    expect(undone.edit).toBeDefined();
    expect(undone.ack.alert).toBeUndefined();
  });
});
