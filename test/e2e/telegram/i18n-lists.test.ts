import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../emulators/telegram/index.js';
import type { CatalogMovie } from '../../emulators/trakt/types.js';
import { buttonsOf, startStack, WAIT, type Stack } from './harness.js';

/**
 * The watchlist, release notices and imports in German for a user whose Telegram app is German
 * (language_code `de`), through the real service: the answers to commands, and the messages background
 * work sends later (a release notice, the import card redrawn by its jobs) in the language last seen.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { NOTICES_CHECK_MS: '1000' } });
});
afterAll(async () => {
  await stack?.close();
});

const today = (): string => new Date().toISOString().slice(0, 10);

function germanLinked(): Promise<{ user: User; username: string }> {
  return stack.linkedUser({ name: 'Greta', languageCode: 'de' });
}

/** Catalog movies with an IMDb id and a title no other movie has. */
function movies(count: number, skip: number): CatalogMovie[] {
  const all = stack.trakt.catalog.movies();
  return all.filter((m) => typeof m.ids.imdb === 'string' && m.ids.imdb.startsWith('tt') && all.filter((o) => o.title === m.title).length === 1).slice(skip, skip + count);
}

describe('Telegram in German: watchlist, notices, imports', () => {
  it('GIVEN a German user with three movies WHEN they send /watchlist movies THEN the list, its header and its buttons are German', async () => {
    const { user, username } = await germanLinked();
    stack.trakt.seedWatchlist(username, movies(3, 0).map((m) => ({ type: 'movie' as const, trakt: m.ids.trakt })));
    const list = await stack.ask(user, user.id, '/watchlist movies');
    expect(list.text).toContain('Deine Merkliste · 3 / 250');
    expect(list.text).toContain('Filme · neueste zuerst · Seite 1 von 1 · 3 von 3');
    // Each title's kind and the usage come from the card helpers, in the reader's language too.
    expect(list.text).toMatch(/ · Film\b/);
    expect(list.text).not.toMatch(/\bMovie\b|\bused\b/);
    expect(buttonsOf(list).map((b) => b.label)).toEqual(expect.arrayContaining(['• Hinzugefügt', 'Bewertung', '• Filme', 'Serien', '🎛 Filter', '☑ Auswählen', '✖ Zurücksetzen']));
  });

  it('GIVEN a German user with notices on WHEN a movie on their watchlist comes out on digital THEN the background notice is German', async () => {
    const { user, username } = await germanLinked();
    const [movie] = movies(1, 10) as [CatalogMovie];
    stack.trakt.setMovieDates(movie.ids.trakt, { digital: today() });
    stack.trakt.seedWatchlist(username, [{ type: 'movie', trakt: movie.ids.trakt }]);
    const on = await stack.ask(user, user.id, '/notify on');
    expect(on.text).toContain('Erscheinungshinweise sind an');
    const notice = await stack.telegram.waitForBotMessage(user.id, (m) => m.text.includes('Neu erschienen von deiner Merkliste'), WAIT);
    expect(notice.text).toContain(`${movie.title} (${movie.year}) — digital erschienen am ${today()}`);
  });

  it('GIVEN a German user WHEN they send an IMDb CSV THEN the import card the matching job redraws is German', async () => {
    const { user } = await germanLinked();
    const list = movies(2, 20);
    const header = 'Position,Const,Created,Modified,Description,Title,Original Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,Genres,Num Votes,Release Date,Directors,Your Rating,Date Rated';
    const rows = list.map((m, i) => `${i + 1},${m.ids.imdb},2024-01-01,2024-01-01,,"${m.title.replace(/"/g, '""')}","",https://www.imdb.com/title/${m.ids.imdb}/,Movie,7.0,100,${m.year},"Drama",1000,${m.year}-01-01,,,`);
    stack.telegram.sendDocument(user, user.id, { data: Buffer.from(`${header}\n${rows.join('\n')}\n`, 'utf8'), fileName: 'watchlist.csv', caption: '/import' });
    const card = await stack.telegram.waitForBotMessage(user.id, (m) => m.text.includes('Import:'), WAIT);
    const preview = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Bevor etwas geschrieben wird'), { timeoutMs: 30_000 });
    expect(preview.text).toContain('📥 Import: IMDb-Liste');
    expect(preview.text).toContain('✓ 2 gefunden');
    expect(buttonsOf(preview).map((b) => b.label)).toEqual(['✅ 2 importieren', '✖ Abbrechen']);
  });
});
