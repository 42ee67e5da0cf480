import { randomInt } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LinkService } from '../../src/accounts/linking.js';
import { encodeAction, newViewId } from '../../src/bot/core/actions.js';
import { createBotCore, type BotCore } from '../../src/bot/core/bot-core.js';
import { translator, type Locale } from '../../src/bot/core/i18n/index.js';
import { noticesIn } from '../../src/bot/core/replies.js';
import type { ActionInput, CommandInput, Reply } from '../../src/bot/core/types.js';
import { createAccountPort } from '../../src/bot/services/accounts-port.js';
import { createLanguageStore } from '../../src/bot/services/language-store.js';
import { createPendingActionStore } from '../../src/bot/services/stores.js';
import type { Database } from '../../src/db/client.js';
import { upsertChatIdentity } from '../../src/db/queries/identities.js';
import { setChatLanguage, setUserLanguage } from '../../src/db/queries/languages.js';
import { fakeWorld } from '../bot/fakes.js';
import { DRIVER_NAME, sharedTestDatabase, countStatements } from '../helpers/db.js';

/**
 * Per update, the sender's identity and the language of the answer take one statement on the real
 * database (counted with Database.queryStats), a press's included in the press's own statement; and a
 * language set a moment before by another instance on the same database (written straight to the
 * tables here) is the one used: nothing about languages is kept between updates.
 */
let database: Database;
beforeAll(async () => {
  database = await sharedTestDatabase();
});

/** One instance: a core on the database's account, language and button stores, as main.ts builds it. */
function instance(): BotCore {
  const world = fakeWorld();
  return createBotCore({
    ...world.deps,
    accounts: createAccountPort({ db: database.db, links: {} as LinkService }),
    languages: createLanguageStore(database.db),
    pending: createPendingActionStore(database.db),
  });
}

/** Statements `work` sends, and its result. */
const counted = async <T>(work: () => Promise<T>): Promise<{ result: T; statements: number }> => {
  const { value, queries } = await countStatements(database, work);
  return { result: value, statements: queries };
};

const newUserId = () => String(randomInt(1, 2 ** 47));

/** The identity id of a Telegram user, outside the counts. */
async function identityOf(userId: string): Promise<number> {
  return (await upsertChatIdentity(database.db, { platform: 'telegram', platformUserId: userId })).id;
}

/** `/language` without a choice: answered from the identity and the languages alone. */
function languageMenu(userId: string, locale: string, groupId?: string): CommandInput {
  return {
    user: { platform: 'telegram', userId, displayName: 'Tester', locale },
    chat: { platform: 'telegram', chatId: groupId ?? userId, kind: groupId === undefined ? 'private' : 'group' },
    command: 'language',
    args: '',
    privateChatId: userId,
  };
}

function menuText(replies: Reply[]): unknown {
  return replies[0]?.text;
}

function current(locale: Locale, group = false): unknown {
  const say = translator(locale);
  return say.tr(group ? 'language:currentGroup' : 'language:current', { language: say.t(`language:name.${locale}`) });
}

/** A Cancel button of the identity's (pressing it changes nothing else), in `chatId`. */
async function cancelButton(ownerIdentityId: number, chatId: string): Promise<string> {
  const id = `${newViewId()}AA`;
  await createPendingActionStore(database.db).create([
    { id, ownerIdentityId, platform: 'telegram', chatId, action: 'cancel', payload: {}, expiresAt: new Date(Date.now() + 60_000) },
  ]);
  return encodeAction('cancel', id);
}

function press(userId: string, locale: string, data: string, groupId?: string): ActionInput {
  return {
    user: { platform: 'telegram', userId, locale },
    chat: { platform: 'telegram', chatId: groupId ?? userId, kind: groupId === undefined ? 'private' : 'group' },
    data,
    privateChatId: userId,
    messageId: '1',
  };
}

describe(`identity and language in one statement per update (${DRIVER_NAME})`, () => {
  it('GIVEN a new user WHEN they send messages THEN each takes one statement, in their client language and then in the language another instance set a moment before', async () => {
    const core = instance();
    const userId = newUserId();

    const first = await counted(() => core.handleCommand(languageMenu(userId, 'de')));
    expect(menuText(first.result)).toEqual(current('de'));
    const next = await counted(() => core.handleCommand(languageMenu(userId, 'de')));
    expect(menuText(next.result)).toEqual(current('de'));

    const identityId = await identityOf(userId);
    await setUserLanguage(database.db, identityId, 'fr');
    const afterSet = await counted(() => core.handleCommand(languageMenu(userId, 'de')));
    expect(menuText(afterSet.result)).toEqual(current('fr'));
    // An instance that has not seen them yet reads the choice with their identity.
    const elsewhere = await counted(() => instance().handleCommand(languageMenu(userId, 'es')));
    expect(menuText(elsewhere.result)).toEqual(current('fr'));
    await setUserLanguage(database.db, identityId, null);
    const auto = await counted(() => instance().handleCommand(languageMenu(userId, 'es')));
    expect(menuText(auto.result)).toEqual(current('es'));

    // The identity row is what the upsert always made of it: the client language and name as last sent.
    const row = await upsertChatIdentity(database.db, { platform: 'telegram', platformUserId: userId });
    expect(row).toMatchObject({ id: identityId, locale: 'es', displayName: 'Tester', language: null });

    const figures = [first, next, afterSet, elsewhere, auto].map((c) => c.statements);
    console.log(`message, statements (${DRIVER_NAME}): first ${figures[0]}, next ${figures[1]}, after /language elsewhere ${figures[2]}, first on another instance ${figures[3]}, again ${figures[4]}`);
    expect(figures).toEqual([1, 1, 1, 1, 1]);
  });

  it('GIVEN a group with a language WHEN a new member and then a known one send a message THEN one statement each, in the group’s language as set a moment before', async () => {
    const core = instance();
    const groupId = `-${newUserId()}`;
    const chat = { platform: 'telegram' as const, chatId: groupId };
    const admin = await identityOf(newUserId());
    await setChatLanguage(database.db, chat, 'es', admin);
    const userId = newUserId();

    const first = await counted(() => core.handleCommand(languageMenu(userId, 'fr', groupId)));
    expect(menuText(first.result)).toEqual(current('es', true));
    await setChatLanguage(database.db, chat, 'de', admin);
    const next = await counted(() => core.handleCommand(languageMenu(userId, 'fr', groupId)));
    expect(menuText(next.result)).toEqual(current('de', true));
    await setChatLanguage(database.db, chat, null, admin);
    const unset = await counted(() => instance().handleCommand(languageMenu(userId, 'fr', groupId)));
    expect(menuText(unset.result)).toEqual(current('fr', true));

    const figures = [first, next, unset].map((c) => c.statements);
    console.log(`group message, statements (${DRIVER_NAME}): first ${figures[0]}, next ${figures[1]}, first on another instance ${figures[2]}`);
    expect(figures).toEqual([1, 1, 1]);
  });

  it('GIVEN buttons WHEN their owner, a stranger, or anyone on a button that does not exist presses THEN the press takes one statement (two for a button that does not exist) and answers in the presser’s language as stored a moment before', async () => {
    const core = instance();
    const owner = newUserId();
    const stranger = newUserId();
    const ownerId = await identityOf(owner);
    const strangerId = await identityOf(stranger);
    // Both are known to this instance (a message before), as a press on a card usually is.
    await core.handleCommand(languageMenu(owner, 'de'));
    await core.handleCommand(languageMenu(stranger, 'de', owner));
    await setUserLanguage(database.db, ownerId, 'fr');
    await setUserLanguage(database.db, strangerId, 'es');

    const data = await cancelButton(ownerId, owner);
    const own = await counted(() => core.pressButton(press(owner, 'de', data)));
    expect(own.result.ack).toEqual({});
    expect((await own.result.work?.())?.edit).toEqual({ text: translator('fr').t('add:cancelled') });
    const again = await counted(() => core.pressButton(press(owner, 'de', data)));
    expect(again.result.ack).toEqual({ text: noticesIn(translator('fr')).buttonStale, alert: true });

    const foreign = await counted(async () => core.pressButton(press(stranger, 'de', await cancelButton(ownerId, owner), owner)));
    expect(foreign.result.ack).toEqual({ text: noticesIn(translator('es')).buttonForeign, alert: true });
    await setUserLanguage(database.db, strangerId, null);
    const missing = await counted(() => core.pressButton(press(stranger, 'de', encodeAction('cancel', `${newViewId()}AA`))));
    expect(missing.result.ack).toEqual({ text: noticesIn(translator('de')).buttonStale, alert: true });

    // In a group the answer is in the group's language; a press by someone this instance has not seen
    // yet writes their identity first (one more statement, as for their first message).
    const groupId = `-${newUserId()}`;
    await setChatLanguage(database.db, { platform: 'telegram', chatId: groupId }, 'es', ownerId);
    const inGroup = await counted(async () => core.pressButton(press(owner, 'de', await cancelButton(ownerId, groupId), groupId)));
    expect((await inGroup.result.work?.())?.edit).toEqual({ text: translator('es').t('add:cancelled') });
    const unknownHere = await counted(async () => instance().pressButton(press(owner, 'de', await cancelButton(ownerId, owner))));
    expect((await unknownHere.result.work?.())?.edit).toEqual({ text: translator('fr').t('add:cancelled') });

    // Counted with the button's creation where it is made inside the count (stranger, in a group, on an
    // instance that has not seen the user): one statement more. A button that does not exist (forged, or
    // pruned a day after it expired) brings no languages with it: they are read in a statement of their own.
    const figures = [own, again, foreign, missing, inGroup, unknownHere].map((c) => c.statements);
    const [o, a, f, m, g, u] = figures as [number, number, number, number, number, number];
    console.log(`press, statements (${DRIVER_NAME}): own ${o}, again ${a}, stranger ${f - 1}, no such button ${m}, in a group ${g - 1}, on an instance that has not seen the user ${u - 1}`);
    expect(figures).toEqual([1, 1, 2, 2, 2, 3]);
  });
});
