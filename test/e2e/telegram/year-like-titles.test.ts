import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './harness.js';

/**
 * Titles that end in a year-like number (bug: the number was always read as a year filter, so these
 * were not found). The whole text is tried as a title too, and an exact title match wins; a real
 * year still narrows the search.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

describe('titles that end in a year-like number', () => {
  it.each([
    ['/add blade runner 2049', 'Blade Runner 2049 (2017)'],
    ['/add wonder woman 1984', 'Wonder Woman 1984 (2020)'],
    ['/add 2001: a space odyssey', '2001: A Space Odyssey (1968)'],
    ['/search 1917', '1917 (2019)'],
    ['/search blade runner 2049', 'Blade Runner 2049 (2017)'],
  ])('GIVEN %s THEN the card shows %s', async (command, shown) => {
    const { user } = await stack.linkedUser();
    const card = await stack.ask(user, user.id, command);
    expect(card.text).toContain(shown);
  });

  it.each([
    ['/search blade runner 1982', 'Blade Runner (1982)'],
    ['/add wonder woman 2017', 'Wonder Woman (2017)'],
    ['/search wonder woman (2017)', 'Wonder Woman (2017)'],
  ])('GIVEN a title and its year (%s) THEN the year still narrows it to %s', async (command, shown) => {
    const { user } = await stack.linkedUser();
    const card = await stack.ask(user, user.id, command);
    expect(card.text).toContain(shown);
    expect(card.text).not.toMatch(/Blade Runner 2049|Wonder Woman 1984/);
  });
});
