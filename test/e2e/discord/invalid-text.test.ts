import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTICES } from '../../../src/bot/core/replies.js';
import { linkChatUser } from '../../helpers/service-stack.js';
import { CHANNEL_ID, GUILD_ID, shownText, startDiscordStack, type DiscordStack } from './harness.js';

/**
 * Text Discord delivers is not always valid Unicode: a lone UTF-16 surrogate in an option or a
 * display name, which Postgres refuses in a text column. The adapter cleans it before the core sees it.
 */
let stack: DiscordStack;
beforeAll(async () => {
  stack = await startDiscordStack();
});
afterAll(async () => {
  await stack?.close();
});

async function userNamed(globalName: string) {
  const user = stack.discord.addUser({ id: `4${String(randomInt(2 ** 47)).padStart(17, '0')}`, username: `u${randomInt(100_000)}`, globalName });
  stack.discord.addMember(GUILD_ID, user.id);
  await linkChatUser(stack.service, stack.trakt, { platform: 'discord', userId: user.id });
  return user;
}

describe('invalid text from Discord', () => {
  it('GIVEN a linked user WHEN they /search with a lone surrogate THEN they get a normal answer, not the apology', async () => {
    const { user } = await stack.linkedUser();
    const final = await stack.ask(user, 'search', { query: '\uD83Dabc' });
    expect(shownText(final) + final.content).not.toContain(NOTICES.genericError);
  });

  it('GIVEN a user whose display name holds a lone surrogate and a NUL WHEN they search THEN they get a normal answer', async () => {
    const user = await userNamed('Mal\uDC00lo\u0000ry');
    const final = await stack.ask(user, 'search', { query: 'the avengers' });
    expect(shownText(final) + final.content).not.toContain(NOTICES.genericError);
    expect(shownText(final)).toContain('Avengers');
  });

  it('GIVEN a lone surrogate in an autocomplete option WHEN the user types THEN suggestions come as usual', async () => {
    const user = await userNamed('\uD800Zed');
    const typed = stack.discord.autocomplete({ user, channelId: CHANNEL_ID, guildId: GUILD_ID, name: 'search', options: [{ name: 'query', value: 'dun\uD83D', focused: true }] });
    const result = await typed.result();
    expect(result.withinDeadline).toBe(true);
    expect(stack.logs.lines.filter((l) => l.includes('autocomplete failed'))).toEqual([]);
  });
});
