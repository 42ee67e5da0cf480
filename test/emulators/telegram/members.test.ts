// Group members: the creator, administrators and members as getChatMember and getChatAdministrators
// answer them (over real HTTP, through grammY and raw), and the driver calls that set them up.
import { GrammyError, type Bot } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isModeratorStatus } from '../../../src/bot/telegram/to-core.js';
import { startTelegramEmulator } from './emulator.js';
import { emulatedBot } from './test-helpers.js';
import type { TelegramEmulator, User } from './types.js';

const GROUP = -1001234567890;

let emu: TelegramEmulator;
let bot: Bot;
let alice: User;
let bob: User;
let carol: User;

beforeEach(async () => {
  emu = await startTelegramEmulator();
  bot = emulatedBot(emu);
  alice = emu.user({ id: 1001, firstName: 'Alice', username: 'alice' });
  bob = emu.user({ id: 1002, firstName: 'Bob' });
  carol = emu.user({ id: 1003, firstName: 'Carol' });
});
afterEach(async () => {
  await emu.close();
});

async function rejection(promise: Promise<unknown>): Promise<{ code: number; description: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GrammyError);
  return { code: (error as GrammyError).error_code, description: (error as GrammyError).description };
}

describe('getChatMember', () => {
  it('GIVEN a group made by Alice with Bob promoted WHEN asked THEN creator, administrator with rights, member, left', async () => {
    emu.group({ id: GROUP, title: 'Movie Night', type: 'supergroup', creator: alice });
    emu.addMembers(GROUP, [bob, carol]);
    emu.makeAdmin(GROUP, bob, { can_promote_members: true, customTitle: 'Film buff' });
    const outsider = emu.user({ id: 1004, firstName: 'Dave' });

    const owner = await bot.api.getChatMember(GROUP, alice.id);
    expect(owner).toEqual({ user: alice, status: 'creator', is_anonymous: false });
    const admin = await bot.api.getChatMember(GROUP, bob.id);
    expect(admin).toMatchObject({
      user: bob,
      status: 'administrator',
      can_be_edited: true,
      is_anonymous: false,
      can_manage_chat: true,
      can_delete_messages: true,
      can_promote_members: true,
      can_pin_messages: true,
      can_manage_topics: true,
      custom_title: 'Film buff',
    });
    expect(await bot.api.getChatMember(GROUP, carol.id)).toEqual({ user: carol, status: 'member' });
    expect(await bot.api.getChatMember(GROUP, outsider.id)).toEqual({ user: outsider, status: 'left' });
    expect(await bot.api.getChatMember(GROUP, emu.botUser.id)).toEqual({ user: emu.botUser, status: 'member' });
    expect([owner, admin].map((m) => isModeratorStatus(m.status))).toEqual([true, true]);
    expect(['member', 'left', 'kicked', 'restricted'].map(isModeratorStatus)).toEqual([false, false, false, false]);
    // The driver reads the same objects.
    expect(emu.chatMember(GROUP, bob)).toEqual(admin);
    expect(emu.chatMembers(GROUP).map((m) => [m.user.id, m.status])).toEqual([
      [alice.id, 'creator'],
      [bob.id, 'administrator'],
      [carol.id, 'member'],
    ]);
  });

  it('GIVEN a group made without a creator WHEN users write in it THEN the first to write is the creator', async () => {
    emu.group({ id: GROUP, title: 'Movie Night', type: 'group' });
    expect((await bot.api.getChatMember(GROUP, carol.id)).status).toBe('left');
    emu.sendText(carol, GROUP, '/start');
    emu.sendText(alice, GROUP, 'hello');
    expect((await bot.api.getChatMember(GROUP, carol.id)).status).toBe('creator');
    expect((await bot.api.getChatMember(GROUP, alice.id)).status).toBe('member');
    // Promoting the creator leaves them the creator; a basic group has no can_manage_topics.
    expect(emu.makeAdmin(GROUP, carol).status).toBe('creator');
    const admin = emu.makeAdmin(GROUP, alice);
    expect(admin).toMatchObject({ status: 'administrator', can_promote_members: false, can_delete_messages: true });
    expect(admin).not.toHaveProperty('can_manage_topics');
  });

  it('answers errors as Telegram does', async () => {
    emu.group({ id: GROUP, title: 'Movie Night', type: 'group', creator: alice });
    expect(await rejection(bot.api.getChatMember(-42, alice.id))).toEqual({ code: 400, description: 'Bad Request: chat not found' });
    expect(await rejection(bot.api.getChatMember(GROUP, 999_999))).toEqual({ code: 400, description: 'Bad Request: user not found' });
    expect(await rejection(bot.api.getChatMember(GROUP, 0))).toEqual({ code: 400, description: 'Bad Request: invalid user_id specified' });
    emu.kickBot(GROUP);
    expect(await rejection(bot.api.getChatMember(GROUP, alice.id))).toEqual({ code: 403, description: 'Forbidden: bot was kicked from the group chat' });
    expect(await rejection(bot.api.getChatAdministrators(GROUP))).toEqual({ code: 403, description: 'Forbidden: bot was kicked from the group chat' });
  });

  it('in a private chat: the user and the bot are members; there are no administrators', async () => {
    emu.privateChat(alice);
    expect(await bot.api.getChatMember(alice.id, alice.id)).toEqual({ user: alice, status: 'member' });
    expect(await rejection(bot.api.getChatAdministrators(alice.id))).toEqual({
      code: 400,
      description: 'Bad Request: there are no administrators in the private chat',
    });
    expect(() => emu.makeAdmin(alice.id, alice)).toThrow(/private chat/);
  });
});

describe('getChatAdministrators', () => {
  it('GIVEN a creator, an administrator and the bot as admin WHEN asked THEN those three, the creator first', async () => {
    emu.group({ id: GROUP, title: 'Movie Night', type: 'supergroup', botIsAdmin: true });
    emu.addMembers(GROUP, [carol, alice]);
    emu.makeAdmin(GROUP, bob);
    const admins = await bot.api.getChatAdministrators(GROUP);
    expect(admins.map((m) => [m.user.id, m.status])).toEqual([
      [carol.id, 'creator'],
      [bob.id, 'administrator'],
      [emu.botUser.id, 'administrator'],
    ]);
    expect(admins[2]).toMatchObject({ can_be_edited: false });
  });

  it('GIVEN nobody promoted WHEN asked THEN only the creator', async () => {
    emu.group({ id: GROUP, title: 'Movie Night', type: 'group', creator: alice });
    emu.addMembers(GROUP, [bob]);
    expect((await bot.api.getChatAdministrators(GROUP)).map((m) => m.status)).toEqual(['creator']);
  });
});

describe('driver', () => {
  it('adds many members at once, creating users given as input', async () => {
    emu.group({ id: GROUP, title: 'Big', type: 'supergroup', creator: alice });
    const added = emu.addMembers(
      GROUP,
      Array.from({ length: 500 }, (_, i) => ({ id: 5000 + i, firstName: `Viewer ${i}` })),
    );
    expect(added).toHaveLength(500);
    expect(await bot.api.getChatMember(GROUP, 5499)).toMatchObject({ status: 'member', user: { id: 5499, first_name: 'Viewer 499' } });
    expect(emu.chatMembers(GROUP)).toHaveLength(501);
    expect(() => emu.addMembers(GROUP, [424242])).toThrow(/unknown user/);
  });

  it('works over HTTP control too', async () => {
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${emu.apiRoot}/_emulator${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as unknown };
    };
    expect((await post('/chats/group', { id: GROUP, title: 'Movie Night', type: 'supergroup', creatorId: alice.id })).status).toBe(201);
    const members = await post(`/chats/${GROUP}/members`, { users: [{ id: 6001, firstName: 'Erin' }, { id: 6002, firstName: 'Frank' }], userIds: [bob.id] });
    expect(members.status).toBe(201);
    expect((members.body as User[]).map((u) => u.id)).toEqual([bob.id, 6001, 6002]);
    const admin = await post(`/chats/${GROUP}/admins`, { userId: 6001, rights: { can_delete_messages: false }, customTitle: 'Host' });
    expect(admin).toMatchObject({ status: 201, body: { status: 'administrator', can_delete_messages: false, custom_title: 'Host' } });
    expect((await post(`/chats/${GROUP}/admins`, { userId: 6002, rights: { delete: true } })).status).toBe(400);
    const list = await fetch(`${emu.apiRoot}/_emulator/chats/${GROUP}/members`);
    expect(((await list.json()) as Array<{ status: string }>).map((m) => m.status)).toEqual(['creator', 'member', 'administrator', 'member']);
    expect((await bot.api.getChatAdministrators(GROUP)).map((m) => m.user.id)).toEqual([alice.id, 6001]);
  });
});
