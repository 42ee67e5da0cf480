import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessageState, User } from '../../emulators/telegram/index.js';
import type { CatalogMovie } from '../../emulators/trakt/types.js';
import { buttonData, startStack, WAIT, type Stack } from './harness.js';

/** Issue 12: /import and /export on Telegram, through the real service and the emulators. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const HEADER = 'Position,Const,Created,Modified,Description,Title,Original Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,Genres,Num Votes,Release Date,Directors,Your Rating,Date Rated';

function imdbRow(i: number, movie: { title: string; year: number; ids: { imdb?: string | null } }, type = 'Movie'): string {
  const id = movie.ids.imdb ?? '';
  return `${i},${id},2024-01-0${(i % 9) + 1},2024-01-01,,"${movie.title.replace(/"/g, '""')}","${movie.title.replace(/"/g, '""')}",https://www.imdb.com/title/${id}/,${type},7.0,100,${movie.year},"Drama",1000,${movie.year}-01-01,,,`;
}

/** Catalog movies with IMDb ids and unique titles. */
function movies(count: number, skip = 0): CatalogMovie[] {
  const all = stack.trakt.catalog.movies();
  return all.filter((m) => typeof m.ids.imdb === 'string' && m.ids.imdb.startsWith('tt') && all.filter((o) => o.title === m.title).length === 1).slice(skip, skip + count);
}

async function linkedWithChat(opts: { watchlistLimit?: number; name?: string } = {}): Promise<{ user: User; username: string }> {
  const linked = await stack.linkedUser(opts);
  await stack.ask(linked.user, linked.user.id, '/start');
  return linked;
}

async function sendFile(user: User, data: Uint8Array | string, fileName: string): Promise<ChatMessageState> {
  stack.telegram.sendDocument(user, user.id, { data: typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data), fileName, caption: '/import' });
  return stack.telegram.waitForBotMessage(user.id, (m) => m.text.includes('Import:'), WAIT);
}

async function waitCard(user: User, card: ChatMessageState, predicate: (text: string) => boolean, timeoutMs = 30_000): Promise<ChatMessageState> {
  return stack.telegram.waitForMessageState(user.id, card.messageId, (m) => predicate(m.text), { timeoutMs });
}

async function press(user: User, card: ChatMessageState, label: string | RegExp): Promise<void> {
  const current = stack.telegram.message(user.id, card.messageId) ?? card;
  stack.telegram.pressButton(user, user.id, card.messageId, buttonData(current, label));
}

describe('/import on Telegram', () => {
  it('GIVEN an IMDb CSV with known ids, an unknown id and a duplicate THEN the preview counts them, Import adds exactly the matches, and Undo import removes only those', async () => {
    const { user, username } = await linkedWithChat({ name: 'Ivy' });
    const list = movies(5);
    const already = movies(1, 5)[0] as CatalogMovie;
    stack.trakt.seedWatchlist(username, [{ type: 'movie', trakt: already.ids.trakt }]);
    const rows = [
      ...list.map((m, i) => imdbRow(i + 1, m)),
      imdbRow(6, { title: 'Nothing Like It', year: 1999, ids: { imdb: 'tt9999991' } }),
      imdbRow(7, list[0] as CatalogMovie),
      imdbRow(8, already),
    ];
    const card = await sendFile(user, `${HEADER}\n${rows.join('\n')}\n`, 'WATCHLIST.csv');
    const preview = await waitCard(user, card, (t) => t.includes('Before anything is written'));
    expect(preview.text).toContain('IMDb list');
    expect(preview.text).toContain('✓ 6 matched');
    expect(preview.text).toContain('✗ 1 not found');
    expect(preview.text).toContain('1 already on your watchlist');
    expect(preview.text).toContain('duplicate row');
    expect(stack.trakt.watchlist(username)).toHaveLength(1);

    await press(user, preview, /Import 5/);
    const done = await waitCard(user, card, (t) => t.includes('Import done'));
    expect(done.text).toContain('Added: 5');
    const refs = stack.trakt.watchlist(username).map((r) => r.ref);
    for (const m of list) expect(refs).toContainEqual({ type: 'movie', trakt: m.ids.trakt });
    expect(refs).toHaveLength(6);
    // One write request for the five (one batch), not one per title.
    expect(stack.trakt.requests.filter((r) => r.route === 'POST /sync/watchlist' && r.user === username)).toHaveLength(1);

    await press(user, done, 'Undo import');
    await waitCard(user, card, (t) => t.includes('Import undone'));
    expect(stack.trakt.watchlist(username).map((r) => r.ref)).toEqual([{ type: 'movie', trakt: already.ids.trakt }]);
  });

  it('GIVEN a watchlist limit smaller than the file THEN the preview says what fits, the import adds that much and says what was skipped', async () => {
    const { user, username } = await linkedWithChat({ name: 'Lim', watchlistLimit: 3 });
    const list = movies(5, 10);
    stack.trakt.seedWatchlist(username, [{ type: 'show', trakt: 1388 }]);
    const card = await sendFile(user, `${HEADER}\n${list.map((m, i) => imdbRow(i + 1, m)).join('\n')}\n`, 'list.csv');
    const preview = await waitCard(user, card, (t) => t.includes('Before anything is written'));
    expect(preview.text).toContain('only 2 of the 5 new titles fit; the other 3 are skipped');
    await press(user, preview, /Import 2/);
    const done = await waitCard(user, card, (t) => t.includes('Import done'));
    expect(done.text).toContain('Added: 2');
    expect(done.text).toContain('Skipped, over your watchlist\'s limit: 3');
    expect(stack.trakt.watchlist(username)).toHaveLength(3);
  });

  it('GIVEN a file that is no known format, or broken, THEN a clear answer and nothing is written', async () => {
    const { user, username } = await linkedWithChat({ name: 'Bad' });
    stack.telegram.sendDocument(user, user.id, { data: Buffer.from('hello,world\n1,2\n'), fileName: 'x.csv', caption: '/import' });
    const unknown = await stack.telegram.waitForBotMessage(user.id, (m) => /format|know/i.test(m.text), WAIT);
    expect(unknown.text).toContain('Nothing was imported');
    stack.telegram.sendDocument(user, user.id, { data: Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), fileName: 'export.zip', caption: '/import' });
    const zip = await stack.telegram.waitForBotMessage(user.id, (m) => m.text.includes('ZIP'), WAIT);
    expect(zip.text).toContain('Nothing was imported');
    expect(stack.trakt.watchlist(username)).toHaveLength(0);
  });

  it('GIVEN a watchlist of movies, shows, seasons and episodes WHEN exported as JSON and imported by another account THEN the second watchlist is the same', async () => {
    const { user: from, username: fromTrakt } = await linkedWithChat({ name: 'Exa' });
    const [m1, m2] = movies(2, 20) as [CatalogMovie, CatalogMovie];
    stack.trakt.seedWatchlist(fromTrakt, [
      { type: 'movie', trakt: m1.ids.trakt },
      { type: 'movie', trakt: m2.ids.trakt },
      { type: 'show', trakt: 1388 },
      { type: 'season', show: 1390, season: 1 },
      { type: 'episode', show: 1388, season: 1, episode: 1 },
    ]);
    const exported = await stack.ask(from, from.id, '/export json', (m) => m.text.includes('Your watchlist'));
    const file = stack.telegram.documentOf(exported);
    expect(file.fileName).toBe('marquee-watchlist.json');

    const { user: to, username: toTrakt } = await linkedWithChat({ name: 'Imp' });
    const card = await sendFile(to, file.data, file.fileName ?? 'export.json');
    const preview = await waitCard(to, card, (t) => t.includes('Before anything is written'));
    if (!preview.text.includes('✓ 5 matched')) {
      await press(to, preview, 'Not found');
      const missing = await stack.telegram.waitForBotMessage(to.id, (m) => m.text.includes('did not find'), WAIT);
      console.log(Buffer.from(stack.telegram.documentOf(missing).data).toString('utf8'), Buffer.from(file.data).toString('utf8'));
    }
    expect(preview.text).toContain('✓ 5 matched');
    await press(to, preview, /Import 5/);
    await waitCard(to, card, (t) => t.includes('Import done'));
    const key = (r: { ref: unknown }) => JSON.stringify(r.ref);
    expect(stack.trakt.watchlist(toTrakt).map(key).sort()).toEqual(stack.trakt.watchlist(fromTrakt).map(key).sort());
  });

  it('GIVEN /import without a file THEN it says how, with the formats and the size limits', async () => {
    const { user } = await linkedWithChat({ name: 'How' });
    const how = await stack.ask(user, user.id, '/import');
    expect(how.text).toContain('IMDb CSV export');
    expect(how.text).toContain('5 MB');
  });

  it('GIVEN the real IMDb watchlist sample THEN it is read and matched by id (what the emulated catalog knows is matched, the rest listed as not found)', async () => {
    const { user } = await linkedWithChat({ name: 'Sam' });
    const sample = readFileSync(new URL('../../fixtures/import-samples/imdb/imdb_watchlist_2024-12.synthetic.csv', import.meta.url));
    const card = await sendFile(user, sample, 'WATCHLIST.csv');
    const preview = await waitCard(user, card, (t) => t.includes('Before anything is written'));
    const known = new Set(stack.trakt.catalog.movies().flatMap((m) => (m.ids.imdb ? [m.ids.imdb] : [])).concat(stack.trakt.catalog.shows().flatMap((s) => (s.ids.imdb ? [s.ids.imdb] : []))));
    const ids = sample
      .toString('utf8')
      .split('\n')
      .slice(1)
      .flatMap((l) => /,(tt\d+),/.exec(l)?.[1] ?? []);
    // Every row read is either matched or listed as not found; the titles the emulated catalog knows by IMDb id are among the matched.
    const matched = Number(/✓ (\d+) matched/.exec(preview.text)?.[1] ?? -1);
    const notFound = Number(/✗ (\d+) not found/.exec(preview.text)?.[1] ?? 0);
    expect(preview.text).toContain('19 titles');
    expect(matched + notFound).toBe(19);
    expect(matched).toBeGreaterThanOrEqual(ids.filter((id) => known.has(id)).length);
  });
});
