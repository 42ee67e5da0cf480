import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonLabels, GUILD_ID, shownText, startDiscordStack, WAIT, type DiscordStack } from './harness.js';

/**
 * Issue 13 on Discord: /search's genre and runtime are options with choices; the card flips through
 * the matching results of Trakt's first 100 and says what is applied. The expected titles come from
 * the emulator's own answer to the same search.
 */
let stack: DiscordStack;
beforeAll(async () => {
  stack = await startDiscordStack();
});
afterAll(async () => {
  await stack?.close();
});

interface Media {
  title: string;
  year: number | null;
  runtime?: number;
  genres?: string[];
}

async function traktPool(query: string): Promise<{ hits: Media[]; total: number }> {
  const url = new URL(`${stack.trakt.url}/search/movie,show`);
  url.search = new URLSearchParams({ query, extended: 'full,images', page: '1', limit: '100' }).toString();
  const response = await fetch(url, { headers: { 'trakt-api-key': stack.trakt.clientId, 'trakt-api-version': '2', 'content-type': 'application/json' } });
  expect(response.status).toBe(200);
  const body = (await response.json()) as Array<{ movie?: Media; show?: Media }>;
  return { hits: body.map((hit) => hit.movie ?? hit.show).filter((m): m is Media => m !== undefined), total: Number(response.headers.get('x-pagination-item-count')) };
}

describe('Discord /search with genre and runtime options', () => {
  it('registers genre and runtime as options with choices', () => {
    const search = [...stack.discord.commands(), ...stack.discord.commands(GUILD_ID)].find((c) => c.name === 'search');
    const options = (search?.options ?? []) as Array<{ name: string; choices?: Array<{ value: string }> }>;
    expect(options.map((o) => o.name)).toEqual(['query', 'genre', 'runtime', 'years']);
    expect(options.find((o) => o.name === 'genre')?.choices?.map((c) => c.value)).toContain('science-fiction');
    expect(options.find((o) => o.name === 'runtime')?.choices?.map((c) => c.value)).toContain('120');
  });

  it('GIVEN genre and runtime chosen WHEN the card shows THEN it holds the first matching result, counts only matching ones, and Next shows the second', async () => {
    const { user } = await stack.linkedUser();
    const pool = await traktPool('the');
    const counts = new Map<string, number>();
    for (const hit of pool.hits) for (const g of hit.genres ?? []) counts.set(g, (counts.get(g) ?? 0) + 1);
    const genre = [...counts].filter(([, n]) => n >= 3).sort((a, b) => b[1] - a[1])[0]?.[0];
    if (genre === undefined) throw new Error('no genre to filter by');
    const expected = pool.hits.filter((h) => (h.genres ?? []).includes(genre) && h.runtime !== undefined && h.runtime <= 90);
    expect(expected.length).toBeGreaterThan(1);
    const label = (h: Media) => `${h.title}${h.year === null ? '' : ` (${h.year})`}`;

    const card = await stack.ask(user, 'search', { query: 'the', genre, runtime: '90' });
    expect(shownText(card)).toContain(label(expected[0]!));
    expect(shownText(card)).toContain(`Result 1 of ${expected.length} for “the”`);
    expect(buttonLabels(card).some((l) => l.startsWith('✕') && l.includes('≤ 90 min'))).toBe(true);
    const next = await stack.click(user, card.message, /Next/).waitForFinal(WAIT);
    expect(shownText(next)).toContain(`Result 2 of ${expected.length}`);
    expect(shownText(next)).toContain(label(expected[1]!));
  });
});
