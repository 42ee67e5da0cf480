import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonsOf, startStack, WAIT, type Stack } from './harness.js';

/**
 * Issue 13: genre and runtime filters on /search results. Trakt's `/search` does not confirm its
 * filters (REFERENCE §7), so the bot reads a pool of results and checks each title's own genres and
 * runtime. The expected titles are computed here from the emulator's own answer to the same search.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

interface Hit {
  type: 'movie' | 'show';
  movie?: { title: string; year: number | null; runtime?: number; genres?: string[] };
  show?: { title: string; year: number | null; runtime?: number; genres?: string[] };
}

/** The emulator's answer to the search the bot makes: the first 100 results of movies and shows. */
async function traktPool(query: string): Promise<{ hits: Array<{ title: string; year: number | null; runtime?: number; genres: string[] }>; total: number }> {
  const url = new URL(`${stack.trakt.url}/search/movie,show`);
  url.search = new URLSearchParams({ query, extended: 'full,images', page: '1', limit: '100' }).toString();
  const response = await fetch(url, { headers: { 'trakt-api-key': stack.trakt.clientId, 'trakt-api-version': '2', 'content-type': 'application/json' } });
  expect(response.status).toBe(200);
  const body = (await response.json()) as Hit[];
  const hits = body.map((hit) => {
    const media = hit.movie ?? hit.show;
    if (media === undefined) throw new Error('a hit without media');
    return { title: media.title, year: media.year, ...(media.runtime === undefined ? {} : { runtime: media.runtime }), genres: media.genres ?? [] };
  });
  return { hits, total: Number(response.headers.get('x-pagination-item-count') ?? hits.length) };
}

/** A genre some but not all of the pool has. */
function commonGenre(hits: Array<{ genres: string[] }>): string {
  const counts = new Map<string, number>();
  for (const hit of hits) for (const genre of hit.genres) counts.set(genre, (counts.get(genre) ?? 0) + 1);
  const ranked = [...counts].filter(([, n]) => n >= 3 && n < hits.length).sort((a, b) => b[1] - a[1]);
  const genre = ranked.find(([g]) => /^[a-z-]+$/.test(g))?.[0];
  if (genre === undefined) throw new Error('the catalog has no genre to filter by');
  return genre;
}

describe('/search with genre and runtime filters', () => {
  it('GIVEN a search with genre= and runtime= WHEN the card shows THEN it flips through exactly the matching results and says what is applied', async () => {
    const { user } = await stack.linkedUser();
    const pool = await traktPool('the');
    const genre = commonGenre(pool.hits);
    const expected = pool.hits.filter((h) => h.genres.includes(genre) && h.runtime !== undefined && h.runtime <= 120);
    expect(expected.length).toBeGreaterThan(1);
    const word = genre.replace(/-/g, ' ');
    const card = await stack.ask(user, user.id, `/search the genre=${word} runtime=2h`);
    const label = (h: { title: string; year: number | null }) => `${h.title}${h.year === null ? '' : ` (${h.year})`}`;
    expect(card.text).toContain(label(expected[0]!));
    expect(card.text).toContain(`Result 1 of ${expected.length} for “the”`);
    expect(card.text).toContain('≤ 2 h');
    if (pool.total > 100) expect(card.text).toContain("among Trakt's first 100 results");
    // Next shows the second matching title, not Trakt's second result.
    await stack.press(user, user.id, card, /Next/);
    const second = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes(`Result 2 of ${expected.length}`), WAIT);
    expect(second.text).toContain(label(expected[1]!));
    // The ✕ button drops the filters: back to Trakt's own count.
    const clear = buttonsOf(second).find((b) => b.label.startsWith('✕'));
    expect(clear?.label).toContain('≤ 2 h');
    await stack.press(user, user.id, second, /^✕/);
    const unfiltered = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes(`Result 1 of ${pool.total} for “the”`), WAIT);
    expect(unfiltered.text).not.toContain('≤ 2 h');
  });

  it('GIVEN years= WHEN searching THEN only results released in that range are counted and shown', async () => {
    const user = stack.newUser();
    const pool = await traktPool('the');
    const expected = pool.hits.filter((h) => h.year !== null && h.year >= 2000 && h.year <= 2009);
    expect(expected.length).toBeGreaterThan(0);
    const card = await stack.ask(user, user.id, '/search the years=2000-2009');
    expect(card.text).toContain(`${expected[0]!.title} (${expected[0]!.year})`);
    expect(card.text).toContain(`Result 1 of ${expected.length} for “the” · 2000–2009`);
    const backwards = await stack.ask(user, user.id, '/search the years=2009-2000');
    expect(backwards.text).toContain('The year range 2009-2000 is backwards.');
  });

  it('GIVEN filters no result passes WHEN searching THEN the card says so and offers the search without filters', async () => {
    const { user } = await stack.linkedUser();
    const pool = await traktPool('the');
    expect(pool.hits.some((h) => h.runtime !== undefined && h.runtime <= 5)).toBe(false);
    const card = await stack.ask(user, user.id, '/search the runtime=5');
    expect(card.text).toMatch(/none is ≤ 5 min/);
    await stack.press(user, user.id, card, 'Search without filters');
    // The text answer becomes a card with a poster: a new message in its place.
    const unfiltered = await stack.telegram.waitForBotMessage(user.id, (m) => m.text.includes(`Result 1 of ${pool.total}`), WAIT);
    expect(unfiltered.text).toContain('for “the”');
  });

  it('GIVEN an unknown genre or a bad runtime WHEN searching THEN the answer says how filters are written and nothing is searched', async () => {
    const user = stack.newUser();
    const before = stack.trakt.requests.filter((r) => r.route === 'GET /search/:type').length;
    const unknown = await stack.ask(user, user.id, '/search dune genre=cowboyfilms');
    expect(unknown.text).toContain('I did not understand genre=cowboyfilms');
    expect(unknown.text).toContain('/search dune genre=science fiction runtime=2h');
    const bad = await stack.ask(user, user.id, '/search dune runtime=forever');
    expect(bad.text).toContain('I did not understand runtime=forever');
    const onlyFilters = await stack.ask(user, user.id, '/search genre=horror');
    expect(onlyFilters.text).toContain('Tell me a title to look for with the filters');
    expect(stack.trakt.requests.filter((r) => r.route === 'GET /search/:type').length).toBe(before);
  });
});
