import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTICES } from '../../../src/bot/core/replies.js';
import { buttonsOf, startStack, WAIT, type Stack } from './harness.js';

/** Linking, the unlinked experience, account matters in groups, /status, and what the bot sets up at start. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

describe('start-up', () => {
  it('GIVEN the service started WHEN Telegram is asked THEN the command menu was set', () => {
    const names = stack.telegram.commands()?.map((c) => c.command);
    expect(names).toEqual(expect.arrayContaining(['search', 'add', 'remove', 'watchlist', 'undo', 'status', 'link', 'unlink', 'help']));
  });
});

describe('linking', () => {
  it('GIVEN a new user WHEN they /link and approve the device code on Trakt THEN the bot says they are linked, and /status shows the account', async () => {
    const user = stack.newUser('Dana');
    const username = `dana${randomInt(1, 2 ** 30)}`;
    stack.trakt.addUser({ username });
    const reply = await stack.ask(user, user.id, '/link');
    expect(reply.text).toContain('a free Trakt account can connect only one app');
    const code = /enter the code ([0-9A-F]{8})/i.exec(reply.text)?.[1];
    expect(code).toBeDefined();
    expect(buttonsOf(reply)[0]?.url).toContain(`/activate/${code ?? ''}`);

    stack.trakt.approveDevice(code ?? '', username);
    const linked = await stack.telegram.waitForBotMessage(user.id, (m) => m.text.includes('Linked to Trakt'), { timeoutMs: 15_000 });
    expect(linked.text).toContain(`Linked to Trakt as ${username}`);

    const status = await stack.ask(user, user.id, '/status');
    expect(status.text).toContain(`Linked to Trakt as ${username} (free account)`);
    expect(status.text).toContain('Watchlist: 0 / 250 used');
  });

  it('GIVEN a VIP user with items WHEN they send /status THEN it shows VIP and used / limit', async () => {
    const { user, username } = await stack.linkedUser({ vip: true });
    stack.trakt.seedWatchlist(username, [{ type: 'movie', trakt: 14701 }, { type: 'show', trakt: 1388 }]);
    const status = await stack.ask(user, user.id, '/status');
    expect(status.text).toContain(`${username} (VIP)`);
    expect(status.text).toContain('Watchlist: 2 / 5000 used');
  });

  it('GIVEN a linked user WHEN they /unlink THEN the link is gone and commands ask to link again', async () => {
    const { user } = await stack.linkedUser();
    const reply = await stack.ask(user, user.id, '/unlink');
    expect(reply.text).toContain('Unlinked from');
    const after = await stack.ask(user, user.id, '/watchlist');
    expect(buttonsOf(after).map((b) => b.label)).toEqual(['🔗 Link Trakt account']);
  });
});

describe('unlinked users', () => {
  it('GIVEN an unlinked user WHEN they /start THEN they read what the bot does and get a Link button that starts linking', async () => {
    const user = stack.newUser();
    const reply = await stack.ask(user, user.id, '/start');
    expect(reply.text).toContain('/search');
    expect(reply.text).toContain('undo your last change (within 15 minutes)');
    const link = buttonsOf(reply).find((b) => b.label.includes('Link'));
    expect(link?.data).toBe('v1:link:new');
    stack.telegram.pressButton(user, user.id, reply.messageId, link?.data ?? '');
    const linking = await stack.telegram.waitForBotMessage(user.id, (m) => m.text.includes('enter the code'), WAIT);
    expect(linking.text).toContain('a free Trakt account can connect only one app');
  });

  it('GIVEN an unlinked user WHEN they /add, /remove, /watchlist or /undo THEN each answers with a Link button and Trakt is not written to', async () => {
    const user = stack.newUser();
    for (const command of ['/add dune', '/remove dune', '/watchlist', '/undo']) {
      const reply = await stack.ask(user, user.id, command);
      expect(reply.text).toContain('This needs your Trakt account');
      expect(buttonsOf(reply).map((b) => b.data)).toEqual(['v1:link:new']);
    }
    expect(stack.trakt.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/sync'))).toEqual([]);
  });

  it('GIVEN a link Trakt no longer accepts WHEN the user sends a command THEN they are asked to link again, with a Link button', async () => {
    const { user, username } = await stack.linkedUser();
    stack.trakt.revokeAllTokens(username);
    const reply = await stack.ask(user, user.id, '/watchlist', (m) => m.text.includes('Link again') || m.text.includes('stopped working'));
    expect(reply.text).toContain('stopped working');
    expect(buttonsOf(reply).map((b) => b.data)).toEqual(['v1:link:new']);
  });
});

describe('account matters go private', () => {
  it('GIVEN a group WHEN a user sends /link there THEN the group gets a pointer and the link arrives in the private chat', async () => {
    const user = stack.newUser('Eve');
    stack.telegram.sendText(user, user.id, 'hello');
    await stack.telegram.waitForBotMessage(user.id, undefined, WAIT);
    const group = stack.telegram.group({ id: -randomInt(10_000, 2 ** 40), title: 'Couch', type: 'supergroup' });
    const pointer = await stack.ask(user, group.id, `/link@${stack.telegram.botUser.username ?? ''}`);
    expect(pointer.text).toBe(NOTICES.sentPrivately);
    const link = await stack.telegram.waitForBotMessage(user.id, (m) => m.text.includes('enter the code'), WAIT);
    expect(link.text).toContain('a free Trakt account can connect only one app');
    expect(stack.telegram.botMessages(group.id).map((m) => m.text).join('\n')).not.toMatch(/code|activate/i);
  });

  it('GIVEN a user who never opened a private chat WHEN they /link in a group THEN the group gets a button to open one, and no link', async () => {
    const user = stack.newUser('Fay');
    stack.telegram.blockBot(user);
    const group = stack.telegram.group({ id: -randomInt(10_000, 2 ** 40), title: 'Sofa', type: 'supergroup' });
    const reply = await stack.ask(user, group.id, `/link@${stack.telegram.botUser.username ?? ''}`);
    expect(reply.text).toBe(NOTICES.startPrivateChat);
    expect(buttonsOf(reply)[0]?.url).toBe(`https://t.me/${stack.telegram.botUser.username ?? ''}?start=link`);
  });
});

describe('odd input', () => {
  it('GIVEN oversized or odd text WHEN it is sent THEN the bot answers clearly and calls no one', async () => {
    const { user } = await stack.linkedUser();
    const before = stack.trakt.requests.length;
    const long = await stack.ask(user, user.id, `/search ${'a'.repeat(500)}`);
    expect(long.text).toContain('That is too long for a title (500 characters; at most 200)');
    const empty = await stack.ask(user, user.id, '/add    ');
    expect(empty.text).toContain('Tell me what to add');
    const odd = await stack.ask(user, user.id, '/watchlist sideways');
    expect(odd.text).toContain('I did not understand sideways');
    const unknown = await stack.ask(user, user.id, '/frobnicate');
    expect(unknown.text).toContain('I do not know /frobnicate');
    expect(stack.trakt.requests.length).toBe(before);
  });
});
