import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonLabels, CHANNEL_ID, EPHEMERAL, GUILD_ID, shownText, startDiscordStack, WAIT, type DiscordStack } from './harness.js';

/** Group picks and the core's button answers in a German guild (preferred locale `de`), through the real service. */
let stack: DiscordStack;
beforeAll(async () => {
  stack = await startDiscordStack();
  const guild = stack.discord.guild(GUILD_ID);
  if (guild === undefined) throw new Error('no guild');
  guild.preferredLocale = 'de';
});
afterAll(async () => {
  await stack?.close();
});

describe('Discord: group picks in a German guild', () => {
  it('GIVEN a guild whose language is German WHEN an English-speaking member opens /pick THEN the shared card is German; WHEN a button the bot never made is pressed on it THEN the answer is German', async () => {
    const host = stack.newUser('hanna');
    const opened = await stack.discord
      .slashCommand({ user: host, channelId: CHANNEL_ID, guildId: GUILD_ID, name: 'pick', locale: 'en-US', options: [{ name: 'type', value: 'movies' }] })
      .waitForFinal(WAIT);
    expect(shownText(opened)).toContain('🍿 Gruppen-Pick: Was schauen wir?');
    expect(shownText(opened)).toContain('Dabei (0): noch niemand');
    expect(buttonLabels(opened)).toEqual(['🙋 Mitmachen', '👋 Aussteigen', '➕ Vorschlagen', '🗳 Abstimmung starten', '✖ Abbrechen']);

    const card = stack.discord.message(opened.message.id) ?? opened.message;
    const answer = await stack.discord.forgeButtonClick({ user: host, message: card, customId: 'v1:confirm:AAAAAAAAAAAAAA' }).response();
    expect(Number(answer.data?.flags) & EPHEMERAL).toBe(EPHEMERAL);
    expect(String(answer.data?.content)).toBe('Dieser Knopf ist abgelaufen oder wurde schon benutzt. Sende den Befehl noch einmal.');
  });
});
