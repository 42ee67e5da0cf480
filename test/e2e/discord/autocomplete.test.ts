import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AutocompleteHandle, UserRecord } from '../../emulators/discord/index.js';
import { CHANNEL_ID, GUILD_ID, shownText, startDiscordStack, traktSearches, until, WAIT, type DiscordStack } from './harness.js';

/**
 * Autocomplete on /search, /add (titles) and /remove (the user's own watchlist): every answer inside
 * Discord's 3 s, and no Trakt search per keystroke. The emulator enforces the deadline itself
 * (`withinDeadline`); nothing here measures time.
 */
let stack: DiscordStack;
beforeAll(async () => {
  stack = await startDiscordStack();
});
afterAll(async () => {
  await stack?.close();
});

/**
 * How a user types: a keystroke every N ms (Discord sends an autocomplete interaction per keystroke
 * without waiting for answers), or the next keystroke only after the previous answer arrived (the
 * slowest typist: a pause after every letter).
 */
type Cadence = number | 'after each answer';

function suggest(user: UserRecord, command: string, option: string, text: string): AutocompleteHandle {
  return stack.discord.autocomplete({ user, channelId: CHANNEL_ID, guildId: GUILD_ID, name: command, options: [{ name: option, value: text, focused: true }] });
}

async function typeLetterByLetter(user: UserRecord, command: string, option: string, text: string, cadence: Cadence = 120): Promise<AutocompleteHandle[]> {
  const handles: AutocompleteHandle[] = [];
  for (let i = 1; i <= text.length; i++) {
    const handle = suggest(user, command, option, text.slice(0, i));
    handles.push(handle);
    if (cadence === 'after each answer') await handle.result();
    else await new Promise((resolve) => setTimeout(resolve, cadence));
  }
  return handles;
}

/** Titles of exactly 12 characters (letters and spaces) from the emulator's catalog, one per typing test. */
function twelveLetterTitles(): string[] {
  const titles = [...stack.trakt.catalog.movies(), ...stack.trakt.catalog.shows()].map((t) => t.title);
  return [...new Set(titles.filter((t) => t.length === 12 && /^[A-Za-z][A-Za-z ]+[A-Za-z]$/.test(t)))];
}

async function searchesSettled(): Promise<void> {
  await until(() => stack.trakt.requests.every((r) => r.status !== 0), 'Trakt searches in flight to finish');
}

function names(choices: object[] | null): string[] {
  return (choices ?? []).map((c) => String((c as { name: string }).name));
}

describe('Discord: title autocomplete', () => {
  it.each([
    { title: 'The Avengers', cadence: 120 as Cadence },
    { title: 'Breaking Bad', cadence: 300 as Cadence },
    { title: 'TRON: Legacy', cadence: 'after each answer' as Cadence },
  ])('GIVEN a user typing "$title" one keystroke at a time ($cadence ms) THEN every answer is in time and Trakt is searched at most 3 times', async ({ title, cadence }) => {
    expect(title).toHaveLength(12);
    const { user } = await stack.linkedUser();
    const before = stack.trakt.requests.length;
    const handles = await typeLetterByLetter(user, 'search', 'query', title, cadence);
    const results = await Promise.all(handles.map((h) => h.result()));
    expect(results.map((r) => r.withinDeadline)).toEqual(handles.map(() => true));
    await searchesSettled();
    expect(traktSearches(stack.trakt, before)).toBeLessThanOrEqual(3);
    expect(traktSearches(stack.trakt, before)).toBeGreaterThanOrEqual(1);
    expect(names(results.at(-1)?.choices ?? null).some((n) => n.startsWith(title))).toBe(true);
  });

  it.each([{ cadence: 120 as Cadence }, { cadence: 300 as Cadence }, { cadence: 'after each answer' as Cadence }])(
    'GIVEN Trakt answering searches 2 s late WHEN a user types a 12-letter title ($cadence ms) THEN every answer is still in time, Trakt is searched at most 3 times, and the next look offers the title',
    async ({ cadence }) => {
      const title = twelveLetterTitles()[typeof cadence === 'number' ? cadence % 7 : 11];
      if (title === undefined) throw new Error('no 12-letter title in the catalog');
      const { user } = await stack.linkedUser();
      stack.trakt.setFault('GET /search/*', { latencyMs: 2000 });
      try {
        const before = stack.trakt.requests.length;
        const handles = await typeLetterByLetter(user, 'add', 'title', title, cadence);
        const results = await Promise.all(handles.map((h) => h.result()));
        expect(results.map((r) => r.withinDeadline)).toEqual(handles.map(() => true));
        await searchesSettled();
        expect(traktSearches(stack.trakt, before)).toBeLessThanOrEqual(3);
        // Trakt's late answers were kept: looking again costs no search and offers the title.
        const again = await suggest(user, 'add', 'title', title).result();
        expect(again.withinDeadline).toBe(true);
        expect(names(again.choices).some((n) => n.startsWith(title))).toBe(true);
        await searchesSettled();
        expect(traktSearches(stack.trakt, before)).toBeLessThanOrEqual(3);
      } finally {
        stack.trakt.setFault('GET /search/*', null);
      }
    },
  );

  it('GIVEN an /add suggestion WHEN the user picks it THEN the card is for exactly that title', async () => {
    const { user } = await stack.linkedUser();
    const result = await suggest(user, 'add', 'title', 'The Avengers').result();
    const choice = (result.choices as Array<{ name: string; value: string }>).find((c) => c.name === 'The Avengers (2012) · Movie');
    expect(choice?.value).toBe('tt0848228');
    const card = await stack.ask(user, 'add', { title: choice?.value ?? '' });
    expect(shownText(card)).toContain('The Avengers (2012)');
    expect(shownText(card)).toContain('Add to your watchlist?');
  });

  it('GIVEN two users typing at once THEN each gets answers in time and neither starves the other', async () => {
    const [a, b] = await Promise.all([stack.linkedUser(), stack.linkedUser()]);
    const before = stack.trakt.requests.length;
    const [ha, hb] = await Promise.all([typeLetterByLetter(a.user, 'search', 'query', 'Game of'), typeLetterByLetter(b.user, 'search', 'query', 'Severance')]);
    const results = await Promise.all([...ha, ...hb].map((h) => h.result()));
    expect(results.every((r) => r.withinDeadline)).toBe(true);
    await searchesSettled();
    expect(traktSearches(stack.trakt, before)).toBeLessThanOrEqual(6);
    expect(names(results.at(-1)?.choices ?? null)).toContain('Severance (2022) · Show');
  });
});

describe('Discord: /remove autocomplete', () => {
  it('GIVEN a watchlist WHEN the user types into /remove THEN their own items are offered, nobody else\'s, and picking one removes it', async () => {
    const { user, username } = await stack.linkedUser();
    const other = await stack.linkedUser();
    const severance = stack.trakt.catalog.findByTitle('Severance');
    const breaking = stack.trakt.catalog.findByTitle('Breaking Bad');
    if (severance === undefined || breaking === undefined) throw new Error('catalog titles missing');
    stack.trakt.seedWatchlist(username, [
      { type: 'show', trakt: severance.ids.trakt },
      { type: 'show', trakt: breaking.ids.trakt },
    ]);
    stack.trakt.seedWatchlist(other.username, [{ type: 'movie', trakt: 14701 }]);
    const result = await suggest(user, 'remove', 'title', 'sev').result();
    expect(result.withinDeadline).toBe(true);
    expect(names(result.choices)).toEqual(['Severance (2022)']);
    const everything = await suggest(user, 'remove', 'title', '').result();
    expect(names(everything.choices).sort()).toEqual(['Breaking Bad (2008)', 'Severance (2022)']);

    const value = String((result.choices?.[0] as { value: string }).value);
    const card = await stack.ask(user, 'remove', { title: value });
    expect(shownText(card)).toContain('Remove from your watchlist?');
    await stack.click(user, card.message, 'Confirm remove').waitForFinal(WAIT);
    expect(stack.trakt.watchlist(username).map((r) => r.title)).toEqual(['Breaking Bad']);
  });
});
