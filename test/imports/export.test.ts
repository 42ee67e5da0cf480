import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import type { Title, WatchlistEntry } from '../../src/domain/media.js';
import { exportImdbCsv, exportLetterboxdCsv, exportMarqueeJson, readImport, rowToEntry, toReadable } from '../../src/imports/index.js';

function title(type: 'movie' | 'show', trakt: number, name: string, year: number | null, ids: Partial<Title['ids']> = {}): Title {
  return { type, ids: { trakt, ...ids }, title: name, year, posterUrl: null };
}

const tron = title('movie', 12601, 'TRON: Legacy', 2010, { slug: 'tron-legacy-2010', imdb: 'tt1104001', tmdb: 20526 });
const breakingBad = title('show', 1388, 'Breaking Bad', 2008, { slug: 'breaking-bad', imdb: 'tt0903747', tmdb: 1396, tvdb: 81189 });
const got = title('show', 1390, 'Game of Thrones', 2011, { slug: 'game-of-thrones', imdb: 'tt0944947', tmdb: 1399, tvdb: 121361 });
const crouching = title('movie', 146, 'Crouching Tiger, Hidden Dragon', 2000, { imdb: 'tt0190332', tmdb: 146 });
const noYear = title('movie', 1500000, 'Untitled Short "Ö"', null, { slug: 'untitled-short' });

const entries: WatchlistEntry[] = [
  { rank: 1, listItemId: 11, listedAt: new Date('2025-11-02T20:14:09.000Z'), notes: 'Watch before TRON: Ares — "Daft Punk"\nsecond line', type: 'movie', title: tron },
  { rank: 2, listItemId: 12, listedAt: new Date('2025-11-02T20:15:44.000Z'), type: 'show', title: breakingBad },
  { rank: 3, listItemId: 13, listedAt: new Date('2025-12-24T08:00:00.000Z'), type: 'season', title: got, season: 1, seasonIds: { trakt: 3963, tmdb: 3624, tvdb: 364731 } },
  {
    rank: 4,
    listItemId: 14,
    listedAt: new Date('2026-01-05T19:30:00.000Z'),
    type: 'episode',
    title: breakingBad,
    episode: { season: 1, number: 1, title: 'Pilot', ids: { trakt: 73482, imdb: 'tt0959621', tmdb: 62085, tvdb: 349232 } },
  },
  { rank: 5, listedAt: new Date('2026-01-06T10:00:00.000Z'), type: 'episode', title: got, episode: { season: 1, number: 2, ids: { trakt: 73641 } } },
  { rank: 6, listItemId: 16, listedAt: new Date('2026-02-01T00:00:00.000Z'), type: 'movie', title: crouching },
  { rank: null, listedAt: new Date('2026-03-01T00:00:00.000Z'), type: 'movie', title: noYear },
];

async function collect(chunks: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

async function* many(count: number, pulled: { n: number }): AsyncGenerator<WatchlistEntry> {
  for (let i = 0; i < count; i += 1) {
    pulled.n += 1;
    const kind = i % 4;
    const listedAt = new Date(Date.UTC(2020, 0, 1) + i * 60_000);
    if (kind === 0) yield { rank: i + 1, listItemId: 1_000_000 + i, listedAt, type: 'movie', title: title('movie', 100_000 + i, `Film ${i}, part “${i % 7}”`, 1950 + (i % 70), { imdb: `tt${String(1_000_000 + i)}`, tmdb: 500_000 + i, slug: `film-${i}` }) };
    else if (kind === 1) yield { rank: i + 1, listedAt, type: 'show', title: title('show', 200_000 + i, `Show ${i}`, 2000 + (i % 20), { tvdb: 300_000 + i }) };
    else if (kind === 2) yield { rank: i + 1, listedAt, type: 'season', title: title('show', 200_000 + i, `Show ${i}`, 2001), season: (i % 9) + 1, seasonIds: { trakt: 700_000 + i } };
    else yield { rank: i + 1, listedAt, type: 'episode', title: title('show', 200_000 + i, `Show ${i}`, 2002), episode: { season: 1, number: (i % 20) + 1, ids: { trakt: 900_000 + i } } };
  }
}

describe('exports', () => {
  it('GIVEN movies, shows, seasons and episodes WHEN exported as Marquee JSON and read back THEN the same entries come out', async () => {
    const text = (await collect(exportMarqueeJson(entries, { exportedAt: new Date('2026-03-02T00:00:00Z') }))).join('');
    const result = await readImport(new TextEncoder().encode(text));
    expect(result.format).toBe('marquee');
    expect(result.problems).toEqual([]);
    expect(result.rows.map(rowToEntry)).toEqual(entries);
    expect(JSON.parse(text)).toMatchObject({ marquee: 'marquee-watchlist-export', version: 1, exportedAt: '2026-03-02T00:00:00.000Z' });
  });

  it('GIVEN an empty watchlist WHEN exported as JSON THEN it reads back as no rows', async () => {
    const text = (await collect(exportMarqueeJson([]))).join('');
    expect((await readImport(new TextEncoder().encode(text))).rows).toEqual([]);
  });

  it('GIVEN 10,000 entries from an async source WHEN exported THEN the file streams out in many chunks and reads back complete', async () => {
    const pulled = { n: 0 };
    const chunks: string[] = [];
    let pulledAtFirstChunk = -1;
    for await (const chunk of exportMarqueeJson(many(10_000, pulled))) {
      if (pulledAtFirstChunk === -1) pulledAtFirstChunk = pulled.n;
      chunks.push(chunk);
    }
    expect(chunks.length).toBeGreaterThan(50);
    expect(pulledAtFirstChunk).toBeLessThan(1_000); // the first chunk leaves before the source is drained
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(20_000);
    const result = await readImport(new TextEncoder().encode(chunks.join('')));
    expect(result.rows).toHaveLength(10_000);
    expect(result.skipped.duplicates).toBe(0);
    const back = result.rows.map(rowToEntry);
    const again: WatchlistEntry[] = [];
    for await (const entry of many(10_000, { n: 0 })) again.push(entry);
    expect(back).toEqual(again);

    const csvChunks = await collect(exportLetterboxdCsv(many(10_000, { n: 0 })));
    expect(csvChunks.length).toBeGreaterThan(5);
    const films = await readImport(new TextEncoder().encode(csvChunks.join('')));
    expect(films.rows).toHaveLength(2_500);
    const imdbChunks = await collect(exportImdbCsv(many(10_000, { n: 0 })));
    expect(imdbChunks.length).toBeGreaterThan(5);
  });

  it('GIVEN the watchlist WHEN exported in Letterboxd’s import format THEN only films are written, with their ids, and it reads back', async () => {
    const skipped: string[] = [];
    const text = (await collect(exportLetterboxdCsv(entries, { onSkip: (e, why) => skipped.push(`${e.type}: ${why}`) }))).join('');
    expect(text.split('\n')[0]).toBe('imdbID,tmdbID,Title,Year');
    expect(text).toContain('tt0190332,146,"Crouching Tiger, Hidden Dragon",2000\n');
    expect(skipped).toHaveLength(4);
    expect(skipped[0]).toBe('show: Letterboxd holds films only');
    const result = await readImport(new TextEncoder().encode(text));
    expect(result.format).toBe('letterboxd-import');
    expect(result.rows.map((r) => [r.kind, r.title, r.year, r.ids])).toEqual([
      ['movie', 'TRON: Legacy', 2010, { imdb: 'tt1104001', tmdb: 20526 }],
      ['movie', 'Crouching Tiger, Hidden Dragon', 2000, { imdb: 'tt0190332', tmdb: 146 }],
      ['movie', 'Untitled Short "Ö"', undefined, {}],
    ]);
  });

  it('GIVEN the watchlist WHEN exported as an IMDb-style CSV THEN it has IMDb’s current header, kinds survive a re-import, seasons are skipped', async () => {
    const skipped: string[] = [];
    const text = (await collect(exportImdbCsv(entries, { onSkip: (e, why) => skipped.push(`${e.type}: ${why}`) }))).join('');
    expect(text.split('\n')[0]).toBe('Position,Const,Created,Modified,Description,Title,Original Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,Genres,Num Votes,Release Date,Directors,Your Rating,Date Rated');
    expect(skipped).toEqual(['season: IMDb has no seasons', 'episode: the episode has no IMDb id']);
    const result = await readImport(new TextEncoder().encode(text));
    expect(result.format).toBe('imdb-list');
    expect(result.rows.map((r) => [r.kind, r.ids.imdb, r.title])).toEqual([
      ['movie', 'tt1104001', 'TRON: Legacy'],
      ['show', 'tt0903747', 'Breaking Bad'],
      ['episode', 'tt0959621', 'Breaking Bad: Pilot'],
      ['movie', 'tt0190332', 'Crouching Tiger, Hidden Dragon'],
      ['movie', undefined, 'Untitled Short "Ö"'],
    ]);
    expect(result.rows[0]).toMatchObject({ notes: 'Watch before TRON: Ares — "Daft Punk"\nsecond line', listedAt: new Date('2025-11-02T00:00:00Z'), url: 'https://www.imdb.com/title/tt1104001/' });
  });

  it('GIVEN an export WHEN wrapped as a Node Readable THEN it pipes to a writable', async () => {
    let written = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString('utf8');
        done();
      },
    });
    await pipeline(toReadable(exportMarqueeJson(entries)), sink);
    expect((await readImport(new TextEncoder().encode(written))).rows).toHaveLength(entries.length);
  });
});
