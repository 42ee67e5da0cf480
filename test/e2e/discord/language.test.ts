import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRecord } from '../../emulators/discord/index.js';
import { buttonId, buttonLabels, CHANNEL_ID, GUILD_ID, shownText, startDiscordStack, until, WAIT, type DiscordStack } from './harness.js';

/** The bot in the user's language on Discord: the client's locale, the guild's locale, /language, localized commands. */
let stack: DiscordStack;
beforeAll(async () => {
  // Slash commands are registered to the guild; a DM command (as with global commands) is let through.
  stack = await startDiscordStack({ discord: { requireRegisteredCommands: false } });
});
afterAll(async () => {
  await stack?.close();
});

type Shown = { content?: string; embeds: Array<Record<string, unknown>> };
const shown = (message: Shown): string => (message.content !== undefined && message.content !== '' ? message.content : shownText(message as Parameters<typeof shownText>[0]));

/** A slash command from a client set to `locale`; `dm`: in the user's DMs, else in the guild channel. */
async function ask(user: UserRecord, locale: string, name: string, options: Record<string, string> = {}, dm = false) {
  const handle = stack.discord.slashCommand({
    user,
    channelId: dm ? user.dmChannelId : CHANNEL_ID,
    ...(dm ? {} : { guildId: GUILD_ID }),
    name,
    locale,
    options: Object.entries(options).map(([n, value]) => ({ name: n, value })),
  });
  return handle.waitForFinal(WAIT);
}

describe('Discord: the user’s language', () => {
  it('GIVEN a user whose client is set to es-ES WHEN they send /help in DMs THEN it is Spanish, with a Spanish button', async () => {
    const user = stack.newUser('ana');
    const final = await ask(user, 'es-ES', 'help', {}, true);
    expect(shown(final)).toContain('Marquee tiene tu lista de Trakt siempre a mano.');
    expect(buttonLabels(final)).toEqual(['🔗 Vincular cuenta de Trakt']);
  });

  it('GIVEN a guild whose locale is en-US WHEN a Spanish user asks /help there THEN it is English (the guild’s language); WHEN the guild is German THEN German', async () => {
    const user = stack.newUser('bea');
    expect(shown(await ask(user, 'es-ES', 'help'))).toContain('Marquee keeps your Trakt watchlist at hand.');
    const guild = stack.discord.guild(GUILD_ID);
    if (guild === undefined) throw new Error('no guild');
    guild.preferredLocale = 'de';
    try {
      expect(shown(await ask(user, 'es-ES', 'help'))).toContain('Marquee hält deine Trakt-Merkliste griffbereit.');
    } finally {
      guild.preferredLocale = 'en-US';
    }
  });

  it('GIVEN a guild WHEN a member without Manage Messages sets a language THEN it is refused; WHEN a moderator sets French THEN answers there are French', async () => {
    const member = stack.newUser('carl');
    const moderator = stack.newUser('dora');
    stack.discord.grantPermissions(GUILD_ID, moderator, ['ManageMessages']);
    expect(shown(await ask(member, 'de', 'language', { language: 'es' }))).toBe('Only the group’s admins can choose its language.');
    expect(shown(await ask(moderator, 'en-US', 'language', { language: 'fr' }))).toBe('Désormais, je parle français dans ce groupe.');
    expect(shown(await ask(member, 'de', 'help'))).toContain('Marquee garde ta liste Trakt sous la main.');
    // Back to the guild's own language, so other tests in this file see the default.
    expect(shown(await ask(moderator, 'en-US', 'language', { language: 'auto' }))).toBe('This group has no language of its own now; I speak English here.');
  });

  it('GIVEN a German guild WHEN a Spanish user asks for something only they see (/status) THEN it is Spanish, and ephemeral', async () => {
    const user = stack.newUser('fede');
    const guild = stack.discord.guild(GUILD_ID);
    if (guild === undefined) throw new Error('no guild');
    guild.preferredLocale = 'de';
    try {
      const final = await ask(user, 'es-ES', 'status');
      expect(final.ephemeral).toBe(true);
      expect(shown(final)).toBe('Aún no hay ninguna cuenta de Trakt vinculada.');
      expect(buttonLabels(final)).toEqual(['🔗 Vincular cuenta de Trakt']);
    } finally {
      guild.preferredLocale = 'en-US';
    }
  });

  it('GIVEN /language in DMs WHEN the user presses Deutsch THEN the message turns German and so does /help', async () => {
    const user = stack.newUser('emil');
    const menu = await ask(user, 'en-US', 'language', {}, true);
    expect(shown(menu)).toBe('I speak English with you. Choose a language:');
    expect(buttonLabels(menu)).toEqual(['English', 'Deutsch', 'Español', 'Français', 'Automatic']);
    const current = stack.discord.message(menu.message.id) ?? menu.message;
    await stack.discord.clickButton({ user, message: current, customId: buttonId(current, 'Deutsch'), locale: 'en-US' }).waitForFinal(WAIT);
    await until(() => shown(stack.discord.message(menu.message.id) ?? menu.message) === 'Ab jetzt spreche ich Deutsch mit dir.', 'the menu to turn German');
    expect(shown(await ask(user, 'en-US', 'help', {}, true))).toContain('Marquee hält deine Trakt-Merkliste griffbereit.');
  });
});

describe('Discord: slash commands in every language', () => {
  it('GIVEN the registered commands THEN names stay English and descriptions, options and choices carry German, Spanish and French', () => {
    const commands = stack.discord.commands(GUILD_ID) as Array<Record<string, unknown>>;
    const link = commands.find((c) => c.name === 'link');
    expect(link?.description).toBe('Link your Trakt account');
    expect(link?.description_localizations).toEqual({
      de: 'Dein Trakt-Konto verknüpfen',
      'es-ES': 'Vincular tu cuenta de Trakt',
      'es-419': 'Vincular tu cuenta de Trakt',
      fr: 'Lier ton compte Trakt',
    });
    const watchlist = commands.find((c) => c.name === 'watchlist');
    const type = (watchlist?.options as Array<Record<string, unknown>>).find((o) => o.name === 'type');
    expect(type?.description_localizations).toMatchObject({ de: 'Filme, Serien oder beides' });
    expect((type?.choices as Array<Record<string, unknown>>).find((c) => c.value === 'shows')).toMatchObject({
      name: 'Shows',
      name_localizations: { de: 'Serien', 'es-ES': 'Series', 'es-419': 'Series', fr: 'Séries' },
    });
    // Options keep their English name (what the bot reads) and show a localized one.
    const search = commands.find((c) => c.name === 'search');
    const query = (search?.options as Array<Record<string, unknown>>).find((o) => o.name === 'query');
    expect(query?.name_localizations).toEqual({ de: 'suche', 'es-ES': 'búsqueda', 'es-419': 'búsqueda', fr: 'recherche' });
    expect(type?.name_localizations).toMatchObject({ de: 'art', 'es-ES': 'tipo' });
    expect(commands.map((c) => c.name)).toContain('language');
    for (const command of commands) {
      for (const option of (command.options ?? []) as Array<{ name_localizations?: Record<string, string> }>) {
        for (const name of Object.values(option.name_localizations ?? {})) expect(name).toMatch(/^[-_\p{L}\p{N}]{1,32}$/u);
      }
      for (const text of Object.values((command.description_localizations ?? {}) as Record<string, string>)) expect(text.length).toBeLessThanOrEqual(100);
    }
  });
});
