import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { and, eq, inArray } from 'drizzle-orm';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertChatIdentity } from '../../../src/db/queries/identities.js';
import { importItemsWhere } from '../../../src/db/queries/imports.js';
import { imports, jobs } from '../../../src/db/schema.js';
import { startService, type RunningService } from '../../../src/main.js';
import { startTelegramEmulator, type ChatMessageState, type TelegramEmulator, type User } from '../../emulators/telegram/index.js';
import { startTraktEmulator, type TraktEmulator } from '../../emulators/trakt/index.js';
import type { CatalogMovie, CatalogRef, CatalogShow } from '../../emulators/trakt/types.js';
import { captureLogs } from '../../helpers/logs.js';
import { linkChatUser, serviceStorage } from '../../helpers/service-stack.js';
import { buttonData, buttonsOf, serviceEnv, WAIT } from './harness.js';

/**
 * Issue 12, more of /import on Telegram through the real service and the emulators: every sample
 * format with counts computed from the emulated catalog, ID-first matching, choosing among ambiguous
 * titles, Cancel and Undo of a long import, a restart mid-import, a file sent in a group and broken CSV.
 * One service on one storage, restarted in place for the restart test (as picks-edges.test.ts does).
 */
let trakt: TraktEmulator;
let telegram: TelegramEmulator;
let storage: Awaited<ReturnType<typeof serviceStorage>>;
let service: RunningService;
const logs = captureLogs('info');

async function start(): Promise<RunningService> {
  const started = await startService({ env: serviceEnv({ telegram, trakt, storageEnv: storage.env }), logger: logs.logger });
  await telegram.waitForPoll(WAIT);
  return started;
}

beforeAll(async () => {
  trakt = await startTraktEmulator({ deviceIntervalSeconds: 1, catalogSize: 1500 });
  telegram = await startTelegramEmulator({ defaultWaitMs: WAIT.timeoutMs });
  storage = await serviceStorage('marquee-import-more');
  service = await start();
});
afterAll(async () => {
  await service?.stop('test over');
  await Promise.allSettled([telegram?.close(), trakt?.close()]);
  await storage?.dispose();
});

const SAMPLES = new URL('../../fixtures/import-samples/', import.meta.url);
const sample = (path: string): Buffer => readFileSync(new URL(path, SAMPLES));

const IMDB_HEADER = 'Position,Const,Created,Modified,Description,Title,Original Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,Genres,Num Votes,Release Date,Directors,Your Rating,Date Rated';
const LETTERBOXD_HEADER = 'Date,Name,Year,Letterboxd URI';

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function imdbRow(i: number, id: string, title: string, year: number, type = 'Movie'): string {
  return `${i},${id},2024-01-0${(i % 9) + 1},2024-01-01,,${csvCell(title)},${csvCell(title)},https://www.imdb.com/title/${id}/,${type},7.0,100,${year},"Drama",1000,${year}-01-01,,,`;
}

function letterboxdRow(i: number, title: string, year: number | ''): string {
  return `2024-02-${String((i % 27) + 1).padStart(2, '0')},${csvCell(title)},${year},https://boxd.it/x${i}`;
}

/** How the matcher compares titles (src/imports/match.ts): accents, case and punctuation aside. */
function norm(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

// ---------------------------------------------------------------------------------------------------
// What the emulated catalog holds: the expectations are computed from it.

function allMovies(): CatalogMovie[] {
  return trakt.catalog.movies();
}
function allShows(): CatalogShow[] {
  return trakt.catalog.shows();
}

/** Catalog movies with their own IMDb id and a plain title no other movie or show has (matched by title + year alone). */
function uniqueMovies(): CatalogMovie[] {
  const titles = new Map<string, number>();
  for (const t of [...allMovies(), ...allShows()]) titles.set(norm(t.title), (titles.get(norm(t.title)) ?? 0) + 1);
  return allMovies().filter((m) => typeof m.ids.imdb === 'string' && m.ids.imdb.startsWith('tt') && /^[A-Za-z][A-Za-z ]+$/.test(m.title) && titles.get(norm(m.title)) === 1);
}

/** Catalog movies a test has taken already: no two tests share titles. */
const used = new Set<number>();

function take(pool: CatalogMovie[], count: number, what: string): CatalogMovie[] {
  const picked = pool.filter((m) => !used.has(m.ids.trakt)).slice(0, count);
  if (picked.length < count) throw new Error(`the catalog has too few ${what} (${picked.length} < ${count})`);
  for (const m of picked) used.add(m.ids.trakt);
  return picked;
}

/** Fresh catalog movies that title + year alone matches (unique titles). */
function freshMovies(count: number): CatalogMovie[] {
  return take(uniqueMovies(), count, 'unique movies');
}

/** Fresh catalog movies to import by IMDb id (titles need not be unique; those with unique titles last). */
function moviesById(count: number): CatalogMovie[] {
  const unique = new Set(uniqueMovies().map((m) => m.ids.trakt));
  const withId = allMovies().filter((m) => typeof m.ids.imdb === 'string' && m.ids.imdb.startsWith('tt') && allMovies().filter((o) => o.ids.imdb === m.ids.imdb).length === 1);
  return take([...withId.filter((m) => !unique.has(m.ids.trakt)), ...withId.filter((m) => unique.has(m.ids.trakt))], count, 'movies with IMDb ids');
}

/** Groups of two or more catalog movies with the same title and year: a title + year row fits all of them. */
function sameTitleAndYear(): CatalogMovie[][] {
  const groups = new Map<string, CatalogMovie[]>();
  for (const m of allMovies()) groups.set(`${norm(m.title)}|${m.year}`, [...(groups.get(`${norm(m.title)}|${m.year}`) ?? []), m]);
  return [...groups.values()].filter((g) => g.length >= 2);
}

/** A title none of whose words any catalog title has: nothing can be found for it. */
function unknownTitle(): string {
  const words = new Set([...allMovies(), ...allShows()].flatMap((t) => norm(t.title).split(' ')));
  const candidate = 'Zyxqvor Blimbletrunk';
  for (const w of norm(candidate).split(' ')) if ([...words].some((known) => known.startsWith(w.slice(0, 4)))) throw new Error(`the catalog knows a word like ${w}`);
  return candidate;
}

/** What a Letterboxd row (a film: title + year, no id) can only be matched to: the catalog movies of that title and year. */
function letterboxdExpectation(rows: Array<{ title: string; year?: number }>): { matched: number } {
  let matched = 0;
  for (const row of rows) {
    const same = allMovies().filter((m) => norm(m.title) === norm(row.title) && (row.year === undefined || m.year === row.year));
    if (same.length === 1) matched++;
  }
  return { matched };
}

/** Whether the catalog knows a Trakt export item by its Trakt ids (what a write of it would add). */
function knownTraktItem(item: TraktItem): CatalogRef | undefined {
  const showId = item.show?.ids.trakt;
  switch (item.type) {
    case 'movie':
      return item.movie?.ids.trakt !== undefined && trakt.catalog.movie(item.movie.ids.trakt) ? { type: 'movie', trakt: item.movie.ids.trakt } : undefined;
    case 'show':
      return showId !== undefined && trakt.catalog.show(showId) ? { type: 'show', trakt: showId } : undefined;
    case 'season': {
      const show = showId === undefined ? undefined : trakt.catalog.show(showId);
      const number = item.season?.number;
      return show !== undefined && number !== undefined && show.seasons.some((s) => s.number === number) ? { type: 'season', show: show.ids.trakt, season: number } : undefined;
    }
    case 'episode': {
      const e = item.episode;
      return showId !== undefined && e !== undefined && trakt.catalog.episode(showId, e.season, e.number) ? { type: 'episode', show: showId, season: e.season, episode: e.number } : undefined;
    }
  }
}

interface TraktItem {
  type: 'movie' | 'show' | 'season' | 'episode';
  movie?: { title: string; year: number | null; ids: { trakt?: number; imdb?: string | null } };
  show?: { title: string; year: number | null; ids: { trakt?: number } };
  season?: { number: number };
  episode?: { season: number; number: number };
}

// ---------------------------------------------------------------------------------------------------
// Driving the bot

async function linkedWithChat(opts: { watchlistLimit?: number; vip?: boolean; name?: string } = {}): Promise<{ user: User; username: string }> {
  const user = telegram.user({ id: randomInt(10_000, 2 ** 40), firstName: opts.name ?? 'Tester', languageCode: 'en' });
  telegram.privateChat(user);
  const { username } = await linkChatUser(service, trakt, { platform: 'telegram', userId: String(user.id) }, opts);
  telegram.sendText(user, user.id, '/start');
  await telegram.waitForBotMessage(user.id, undefined, WAIT);
  return { user, username };
}

async function sendFile(user: User, data: Uint8Array | string, fileName: string, chat: number = user.id): Promise<ChatMessageState> {
  telegram.sendDocument(user, chat, { data: typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data), fileName, caption: '/import' });
  return telegram.waitForBotMessage(user.id, (m) => m.text.includes('Import:'), WAIT);
}

async function waitCard(user: User, card: ChatMessageState, predicate: (text: string) => boolean, timeoutMs = 30_000): Promise<ChatMessageState> {
  return telegram.waitForMessageState(user.id, card.messageId, (m) => predicate(m.text), { timeoutMs });
}

function press(user: User, card: ChatMessageState, label: string | RegExp): void {
  const current = telegram.message(user.id, card.messageId) ?? card;
  telegram.pressButton(user, user.id, card.messageId, buttonData(current, label));
}

async function preview(user: User, data: Uint8Array | string, fileName: string): Promise<{ card: ChatMessageState; text: string }> {
  const card = await sendFile(user, data, fileName);
  const shown = await waitCard(user, card, (t) => t.includes('Before anything is written'));
  return { card, text: shown.text };
}

/** The preview's counts as it shows them (a line that is left out is 0). */
function counts(text: string): { matched: number; ambiguous: number; notFound: number } {
  const n = (re: RegExp): number => Number(re.exec(text)?.[1] ?? 0);
  return { matched: n(/✓ (\d+) matched/), ambiguous: n(/❓ (\d+) to choose/), notFound: n(/✗ (\d+) not found/) };
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function watchlistWrites(username: string): Array<(typeof trakt.requests)[number]> {
  return trakt.requests.filter((r) => r.route === 'POST /sync/watchlist' && r.user === username);
}

function refKey(ref: CatalogRef): string {
  return JSON.stringify(ref);
}

const refsOf = (username: string): string[] =>
  trakt
    .watchlist(username)
    .map((r) => refKey(r.ref))
    .sort();

async function identityOf(user: User): Promise<number> {
  return (await upsertChatIdentity(service.database.db, { platform: 'telegram', platformUserId: String(user.id) })).id;
}

async function liveImportBatches(identityId: number): Promise<number> {
  const rows = await service.database.db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(eq(jobs.kind, 'import-batch'), eq(jobs.ownerIdentityId, identityId), inArray(jobs.status, ['queued', 'running'])));
  return rows.length;
}

// ---------------------------------------------------------------------------------------------------

describe('/import of each sample format (counts from the emulated catalog)', () => {
  it('GIVEN the Letterboxd watchlist sample THEN every row is read as a film and matched by title + year as the catalog allows; a file in the same format with catalog titles is matched, ambiguous and not found as the catalog says', async () => {
    const { user, username } = await linkedWithChat({ name: 'Lbx' });
    const bytes = sample('letterboxd/letterboxd_watchlist.synthetic.csv');
    const lines = bytes.toString('utf8').split(/\r?\n/).filter((l) => l !== '').slice(1);
    // The sample has no quoted newlines: one line per row; the first two cells are date and a name that may be quoted.
    const rows = lines.map((l) => {
      const m = /^[^,]*,("(?:[^"]|"")*"|[^,]*),(\d*),/.exec(l);
      const name = (m?.[1] ?? '').replace(/^"|"$/g, '').replace(/""/g, '"');
      return { title: name, ...(m?.[2] ? { year: Number(m[2]) } : {}) };
    });
    const { text } = await preview(user, bytes, 'watchlist.csv');
    expect(text).toContain('Letterboxd watchlist');
    expect(text).toContain(`${rows.length} titles`);
    const got = counts(text);
    expect(got.matched).toBe(letterboxdExpectation(rows).matched);
    expect(got.matched + got.ambiguous + got.notFound).toBe(rows.length);

    // The same format with catalog titles: 3 unique films, two same-title-same-year pairs, one unknown title.
    const films = freshMovies(3);
    const [pairA, pairB] = sameTitleAndYear() as [CatalogMovie[], CatalogMovie[]];
    expect(pairA).toBeDefined();
    expect(pairB).toBeDefined();
    const built = [
      ...films.map((m) => ({ title: m.title, year: m.year })),
      { title: pairA[0]!.title, year: pairA[0]!.year },
      { title: pairB[0]!.title, year: pairB[0]!.year },
      { title: unknownTitle(), year: 1999 },
    ];
    const csv = `${LETTERBOXD_HEADER}\r\n${built.map((r, i) => letterboxdRow(i, r.title, r.year)).join('\r\n')}\r\n`;
    const second = await preview(user, csv, 'watchlist.csv');
    expect(counts(second.text)).toEqual({ matched: letterboxdExpectation(built).matched, ambiguous: 2, notFound: 1 });
    expect(letterboxdExpectation(built).matched).toBe(3);
    press(user, second.card, /Import 3/);
    await waitCard(user, second.card, (t) => t.includes('Import done'));
    expect(refsOf(username)).toEqual(films.map((m) => refKey({ type: 'movie', trakt: m.ids.trakt })).sort());
  });

  it('GIVEN the Letterboxd export ZIP sample THEN only its watchlist.csv is read; a ZIP in the same layout with catalog titles imports what matched', async () => {
    const { user, username } = await linkedWithChat({ name: 'Lbz' });
    const rowsInZipWatchlist = sample('letterboxd/letterboxd_watchlist.synthetic.csv').toString('utf8').split(/\r?\n/).filter((l) => l !== '').length - 1;
    const { text } = await preview(user, sample('letterboxd/letterboxd-demo-2025-02-14-09-30-utc.synthetic.zip'), 'letterboxd-demo.zip');
    expect(text).toContain('Letterboxd export');
    expect(text).toContain(`${rowsInZipWatchlist} titles`);
    const got = counts(text);
    expect(got.matched).toBe(0); // none of the sample's films is in the emulated catalog
    expect(letterboxdExpectation([{ title: 'Stalker', year: 1979 }, { title: 'Yi Yi', year: 2000 }]).matched).toBe(0);
    expect(got.matched + got.ambiguous + got.notFound).toBe(rowsInZipWatchlist);

    const films = freshMovies(2);
    const watched = freshMovies(1);
    const [pair] = sameTitleAndYear() as [CatalogMovie[]];
    const built = [...films.map((m) => ({ title: m.title, year: m.year })), { title: pair[0]!.title, year: pair[0]!.year }, { title: unknownTitle(), year: 2001 }];
    const enc = (s: string) => new TextEncoder().encode(s);
    const zip = zipSync({
      'watchlist.csv': enc(`${LETTERBOXD_HEADER}\r\n${built.map((r, i) => letterboxdRow(i, r.title, r.year)).join('\r\n')}\r\n`),
      // Films already seen: not part of the watchlist import.
      'watched.csv': enc(`${LETTERBOXD_HEADER}\r\n${letterboxdRow(1, watched[0]!.title, watched[0]!.year)}\r\n`),
      'ratings.csv': enc(`Date,Name,Year,Letterboxd URI,Rating\r\n2024-01-01,${csvCell(watched[0]!.title)},${watched[0]!.year},https://boxd.it/r1,4.5\r\n`),
      'profile.csv': enc('Date Joined,Username,Given Name\r\n2020-01-01,demo,Demo\r\n'),
    });
    const second = await preview(user, zip, 'letterboxd-export.zip');
    expect(second.text).toContain('Letterboxd export');
    expect(counts(second.text)).toEqual({ matched: 2, ambiguous: 1, notFound: 1 });
    press(user, second.card, /Import 2/);
    await waitCard(user, second.card, (t) => t.includes('Import done'));
    expect(refsOf(username)).toEqual(films.map((m) => refKey({ type: 'movie', trakt: m.ids.trakt })).sort());
  });

  const traktSamples: Array<{ name: string; file: string; items: () => TraktItem[] }> = [
    { name: 'the Trakt export JSON (lists-watchlist.json)', file: 'trakt/trakt-export_lists-watchlist.synthetic.json', items: () => JSON.parse(sample('trakt/trakt-export_lists-watchlist.synthetic.json').toString('utf8')) as TraktItem[] },
    { name: 'the small Trakt export ZIP', file: 'trakt/trakt-export-small.synthetic.zip', items: () => JSON.parse(sample('trakt/export-small/lists-watchlist.synthetic.json').toString('utf8')) as TraktItem[] },
    {
      name: 'the paginated Trakt export ZIP',
      file: 'trakt/trakt-export-paginated.synthetic.zip',
      items: () => [1, 2].flatMap((n) => JSON.parse(sample(`trakt/export-paginated/lists-watchlist-${n}.synthetic.json`).toString('utf8')) as TraktItem[]),
    },
  ];
  for (const s of traktSamples) {
    it(`GIVEN ${s.name} THEN each item is taken by its Trakt ids, and the import adds what the catalog knows and reports the rest as not found`, async () => {
      const { user, username } = await linkedWithChat({ name: 'Trk', vip: true });
      const items = s.items();
      const known = items.flatMap((i) => knownTraktItem(i) ?? []);
      const { card, text } = await preview(user, sample(s.file), s.file.split('/').pop() ?? 'export');
      expect(text).toContain('Trakt export');
      expect(text).toContain(`${items.length} titles`);
      // Trakt's own export names each item by its Trakt ids: taken as they are, no lookup (and no title guess).
      expect(counts(text)).toEqual({ matched: items.length, ambiguous: 0, notFound: 0 });
      press(user, card, new RegExp(`Import ${items.length}`));
      const done = await waitCard(user, card, (t) => t.includes('Import done'));
      expect(done.text).toContain(`Added: ${known.length}`);
      if (known.length < items.length) expect(done.text).toContain(`Not found on Trakt: ${items.length - known.length}`);
      else expect(done.text).not.toContain('Not found on Trakt');
      expect(refsOf(username)).toEqual(known.map(refKey).sort());
    });
  }

  it('GIVEN a Trakt export JSON with catalog items by Trakt id, one by IMDb id only, one by title only that fits two titles and one unknown id THEN matched, to choose and not found are as the catalog says', async () => {
    const { user, username } = await linkedWithChat({ name: 'Trb' });
    const [a, b, c] = freshMovies(3) as [CatalogMovie, CatalogMovie, CatalogMovie];
    const [pair] = sameTitleAndYear() as [CatalogMovie[]];
    const at = (d: number) => `2025-0${d}-01T10:00:00.000Z`;
    const items = [
      { type: 'movie', movie: { ids: { imdb: a.ids.imdb, slug: a.ids.slug, tmdb: a.ids.tmdb, trakt: a.ids.trakt }, year: a.year, title: a.title }, rank: 1, id: 1, listed_at: at(1), notes: null, my_rating: null },
      { type: 'movie', movie: { ids: { imdb: b.ids.imdb, slug: b.ids.slug, tmdb: b.ids.tmdb, trakt: b.ids.trakt }, year: b.year, title: b.title }, rank: 2, id: 2, listed_at: at(2), notes: null, my_rating: null },
      { type: 'movie', movie: { ids: { imdb: c.ids.imdb }, year: c.year, title: c.title }, rank: 3, id: 3, listed_at: at(3), notes: null, my_rating: null },
      { type: 'movie', movie: { ids: {}, year: pair[0]!.year, title: pair[0]!.title }, rank: 4, id: 4, listed_at: at(4), notes: null, my_rating: null },
      { type: 'movie', movie: { ids: { imdb: 'tt9999993' }, year: 1999, title: a.title }, rank: 5, id: 5, listed_at: at(5), notes: null, my_rating: null },
    ];
    expect(allMovies().some((m) => m.ids.imdb === 'tt9999993')).toBe(false);
    const { card, text } = await preview(user, `${JSON.stringify(items, null, 2)}\n`, 'lists-watchlist.json');
    expect(text).toContain('Trakt export');
    expect(counts(text)).toEqual({ matched: 3, ambiguous: 1, notFound: 1 });
    press(user, card, /Import 3/);
    await waitCard(user, card, (t) => t.includes('Import done'));
    expect(refsOf(username)).toEqual([a, b, c].map((m) => refKey({ type: 'movie', trakt: m.ids.trakt })).sort());
  });
});

describe('/import matching and choices', () => {
  it('GIVEN an IMDb row whose id is movie A but whose title is movie B THEN the id wins: A is imported', async () => {
    const { user, username } = await linkedWithChat({ name: 'Idf' });
    const [a, b] = freshMovies(2) as [CatalogMovie, CatalogMovie];
    const { card, text } = await preview(user, `${IMDB_HEADER}\n${imdbRow(1, a.ids.imdb as string, b.title, b.year)}\n`, 'WATCHLIST.csv');
    expect(counts(text)).toEqual({ matched: 1, ambiguous: 0, notFound: 0 });
    press(user, card, /Import 1/);
    await waitCard(user, card, (t) => t.includes('Import done'));
    expect(refsOf(username)).toEqual([refKey({ type: 'movie', trakt: a.ids.trakt })]);
  });

  it('GIVEN Letterboxd rows that each fit two catalog titles THEN the preview asks; Choose shows the candidates, a pick is imported and a skipped row is left out', async () => {
    const { user, username } = await linkedWithChat({ name: 'Amb' });
    const [film] = freshMovies(1) as [CatalogMovie];
    const [pick, skip] = sameTitleAndYear() as [CatalogMovie[], CatalogMovie[]];
    const csv = `${LETTERBOXD_HEADER}\n${[letterboxdRow(1, film.title, film.year), letterboxdRow(2, pick[0]!.title, pick[0]!.year), letterboxdRow(3, skip[0]!.title, skip[0]!.year)].join('\n')}\n`;
    const { card, text } = await preview(user, csv, 'watchlist.csv');
    expect(text).toContain('2 to choose');
    expect(counts(text)).toEqual({ matched: 1, ambiguous: 2, notFound: 0 });

    press(user, card, /Choose 2/);
    const first = await waitCard(user, card, (t) => t.includes('Which one?') && t.includes('Line 3'));
    expect(first.text).toContain(pick[0]!.title);
    // The row's candidates, as stored for this import, are the buttons in order (then Skip and Back).
    const [record] = await service.database.db.select().from(imports).where(and(eq(imports.chatId, String(user.id)), eq(imports.cardMessageId, String(card.messageId))));
    expect(record).toBeDefined();
    const [item] = (await importItemsWhere(service.database.db, record!.id, { states: ['ambiguous'] })).filter((i) => (i.row as { line: number }).line === 3);
    const candidates = (item?.candidates ?? []) as Array<{ kind: string; title: { ids: { trakt: number } } }>;
    expect(candidates.map((t) => t.title.ids.trakt).sort()).toEqual(pick.map((m) => m.ids.trakt).sort());
    const labels = buttonsOf(first).map((b) => b.label);
    expect(labels.filter((l) => l.includes(pick[0]!.title))).toHaveLength(pick.length);
    // Same title, year and kind: the labels still tell the candidates apart.
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels.some((l) => l.includes('Skip'))).toBe(true);
    const chosen = candidates[1]!.title.ids.trakt;
    const pickButton = buttonsOf(first)[1];
    expect(pickButton?.data).toBeDefined();
    telegram.pressButton(user, user.id, card.messageId, pickButton!.data!);

    const second = await waitCard(user, card, (t) => t.includes('Which one?') && t.includes('Line 4'));
    expect(second.text).toContain(skip[0]!.title);
    press(user, second, 'Skip');
    const back = await waitCard(user, card, (t) => t.includes('Before anything is written'));
    expect(counts(back.text)).toEqual({ matched: 2, ambiguous: 0, notFound: 0 });
    press(user, back, /Import 2/);
    await waitCard(user, card, (t) => t.includes('Import done'));
    expect(refsOf(username)).toEqual([film.ids.trakt, chosen].map((trakt) => refKey({ type: 'movie', trakt })).sort());
  });
});

describe('/import: long imports', () => {
  it('GIVEN an import of several batches WHEN Cancel is pressed after the first write THEN the card says cancelled, no further batch is written, and Undo import removes only what it added', async () => {
    const { user, username } = await linkedWithChat({ name: 'Can', vip: true });
    const list = moviesById(250);
    const [before] = freshMovies(1) as [CatalogMovie];
    trakt.seedWatchlist(username, [{ type: 'movie', trakt: before.ids.trakt }]);
    const csv = `${IMDB_HEADER}\n${list.map((m, i) => imdbRow(i + 1, m.ids.imdb as string, m.title, m.year)).join('\n')}\n`;
    const { card, text } = await preview(user, csv, 'big.csv');
    expect(counts(text).matched).toBe(250);
    press(user, card, /Import 250/);
    await until(() => watchlistWrites(username).some((r) => r.status === 201), 'the first batch written');
    press(user, card, 'Cancel');
    const cancelled = await waitCard(user, card, (t) => t.includes('Cancelled part way') && t.includes('Added:'));
    // The batch that was running when Cancel came may still finish; then nothing more is queued or running.
    const identityId = await identityOf(user);
    await until(async () => (await liveImportBatches(identityId)) === 0, 'no import batch left');
    const writes = watchlistWrites(username).length;
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(writes).toBeLessThan(3);
    const settled = await waitCard(user, card, (t) => t.includes(`Added: ${writes * 100}`));
    expect(settled.text).toContain('Cancelled part way');
    expect(cancelled.text).not.toContain('Import done');
    expect(trakt.watchlist(username)).toHaveLength(1 + writes * 100);

    press(user, settled, 'Undo import');
    await waitCard(user, card, (t) => t.includes('Import undone'));
    expect(refsOf(username)).toEqual([refKey({ type: 'movie', trakt: before.ids.trakt })]);
    // Undo removed; no add was sent after the cancel.
    expect(watchlistWrites(username)).toHaveLength(writes);
    expect(trakt.requests.filter((r) => r.route === 'POST /sync/watchlist/remove' && r.user === username).length).toBeGreaterThanOrEqual(1);
  });

  it('GIVEN an import of several batches WHEN the service restarts while batches are queued THEN the new service finishes it and each title is added once', async () => {
    const { user, username } = await linkedWithChat({ name: 'Rst', vip: true });
    const list = moviesById(250);
    const csv = `${IMDB_HEADER}\n${list.map((m, i) => imdbRow(i + 1, m.ids.imdb as string, m.title, m.year)).join('\n')}\n`;
    const { card } = await preview(user, csv, 'big.csv');
    press(user, card, /Import 250/);
    await until(() => watchlistWrites(username).some((r) => r.status === 201), 'the first batch written');
    await service.stop('test: restart during an import');
    expect(watchlistWrites(username).length).toBeLessThan(3);
    service = await start();
    const done = await waitCard(user, card, (t) => t.includes('Import done'), 90_000);
    expect(done.text).toContain('Added: 250');
    expect(refsOf(username)).toEqual(list.map((m) => refKey({ type: 'movie', trakt: m.ids.trakt })).sort());
    // No title was sent again after a write that succeeded.
    const sent = new Map<string, number>();
    for (const r of watchlistWrites(username).filter((w) => w.status === 201)) {
      const body = r.body as { movies?: Array<{ ids: { trakt?: number; imdb?: string } }> };
      for (const m of body.movies ?? []) {
        const key = String(m.ids.trakt ?? m.ids.imdb);
        sent.set(key, (sent.get(key) ?? 0) + 1);
      }
    }
    expect(sent.size).toBe(250);
    expect([...sent.values()].filter((n) => n > 1)).toEqual([]);
  });
});

describe('/import: bad input', () => {
  it('GIVEN a file sent in a group THEN the answer is in the private chat, and nothing about it is written in the group', async () => {
    const { user, username } = await linkedWithChat({ name: 'Grp' });
    const chat = telegram.group({ id: -randomInt(10_000, 2 ** 40), title: 'Movie night', type: 'supergroup' });
    telegram.addMembers(chat.id, [user]);
    const [film] = freshMovies(1) as [CatalogMovie];
    const inGroup = telegram.messages(chat.id).length;
    const card = await sendFile(user, `${IMDB_HEADER}\n${imdbRow(1, film.ids.imdb as string, film.title, film.year)}\n`, 'WATCHLIST.csv', chat.id);
    expect(card.chatId).toBe(user.id);
    await waitCard(user, card, (t) => t.includes('Before anything is written'));
    const fromBot = telegram.messages(chat.id).slice(inGroup).filter((m) => m.from === 'bot');
    // At most a pointer to the private chat: no card, no buttons, no file, no title from the file.
    for (const m of fromBot) {
      expect(m.text).toMatch(/private chat/);
      expect(m.text).not.toContain(film.title);
      expect(buttonsOf(m)).toEqual([]);
      expect(m.document).toBeUndefined();
    }
    expect(watchlistWrites(username)).toHaveLength(0);
  });

  it('GIVEN a CSV with broken quoting THEN the answer names the line, and nothing is imported', async () => {
    const { user, username } = await linkedWithChat({ name: 'Quo' });
    const [a, b] = freshMovies(2) as [CatalogMovie, CatalogMovie];
    const rows = [imdbRow(1, a.ids.imdb as string, a.title, a.year), imdbRow(2, b.ids.imdb as string, b.title, b.year), `3,tt0000003,2024-01-01,2024-01-01,,"Never closed,Never closed,https://www.imdb.com/title/tt0000003/,Movie,7.0,100,2001`];
    telegram.sendDocument(user, user.id, { data: Buffer.from(`${IMDB_HEADER}\n${rows.join('\n')}\n`), fileName: 'broken.csv', caption: '/import' });
    const answer = await telegram.waitForBotMessage(user.id, (m) => /quot/i.test(m.text), WAIT);
    expect(answer.text).toContain('line 4');
    expect(answer.text).toContain('Nothing was imported');

    const closedThenMore = [imdbRow(1, a.ids.imdb as string, a.title, a.year), `2,tt0000004,2024-01-01,2024-01-01,,"Closed"then more,x,https://www.imdb.com/title/tt0000004/,Movie,7.0,100,2001`];
    telegram.sendDocument(user, user.id, { data: Buffer.from(`${IMDB_HEADER}\r\n${closedThenMore.join('\r\n')}\r\n`), fileName: 'broken2.csv', caption: '/import' });
    const second = await telegram.waitForBotMessage(user.id, (m) => /quot/i.test(m.text) && m.messageId !== answer.messageId, WAIT);
    expect(second.text).toContain('line 3');
    expect(trakt.watchlist(username)).toHaveLength(0);
  });
});
