import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonLabels, CHANNEL_ID, GUILD_ID, shownText, startDiscordStack, WAIT, type DiscordStack } from './harness.js';

/**
 * Issue 14 on Discord, for search and the title autocomplete: a user whose client is German (`de`)
 * gets the search card and the suggested titles' labels in German (titles stay as Trakt names them).
 */
let stack: DiscordStack;
beforeAll(async () => {
  // Slash commands are registered to the guild; a DM command (as with global commands) is let through.
  stack = await startDiscordStack({ discord: { requireRegisteredCommands: false } });
});
afterAll(async () => {
  await stack?.close();
});

describe('Discord in German: search and autocomplete', () => {
  it('GIVEN a German client WHEN the user sends /search dune in DMs THEN the card and its buttons are German', async () => {
    const { user } = await stack.linkedUser({ name: 'greta' });
    const final = await stack.discord
      .slashCommand({ user, channelId: user.dmChannelId, name: 'search', locale: 'de', options: [{ name: 'query', type: 3, value: 'dune' }] })
      .waitForFinal(WAIT);
    expect(shownText(final)).toMatch(/Ergebnis 1 von \d+ für „dune“/);
    expect(buttonLabels(final)).toEqual(expect.arrayContaining(['➕ Hinzufügen', 'Weiter ▶', '🌐 Auf Trakt öffnen']));
  });

  it('GIVEN a German client WHEN the user types a title into /add THEN the suggestions name the kind in German', async () => {
    const user = stack.newUser('gerd');
    const handle = stack.discord.autocomplete({ user, channelId: CHANNEL_ID, guildId: GUILD_ID, name: 'add', locale: 'de', options: [{ name: 'title', value: 'dune', focused: true }] });
    const names = ((await handle.result()).choices ?? []).map((c) => String((c as { name: string }).name));
    expect(names).toContain('Dune (2021) · Film');
  });
});
