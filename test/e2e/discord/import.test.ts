import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageRecord, UserRecord } from '../../emulators/discord/index.js';
import type { CatalogMovie } from '../../emulators/trakt/types.js';
import { CHANNEL_ID, GUILD_ID, shownText, startDiscordStack, until, WAIT, type DiscordStack } from './harness.js';

/**
 * Issue 12 on Discord: /import with an attachment option puts the import's card in the user's DM
 * (where it lives), Import there writes the matches, and /export answers with a file that /import
 * reads back into the same watchlist.
 */
let stack: DiscordStack;
beforeAll(async () => {
  stack = await startDiscordStack();
});
afterAll(async () => {
  await stack?.close();
});

const HEADER = 'Position,Const,Created,Modified,Description,Title,Original Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,Genres,Num Votes,Release Date,Directors,Your Rating,Date Rated';

function imdbRow(i: number, movie: CatalogMovie): string {
  const id = movie.ids.imdb ?? '';
  const title = `"${movie.title.replace(/"/g, '""')}"`;
  return `${i},${id},2024-01-0${(i % 9) + 1},2024-01-01,,${title},${title},https://www.imdb.com/title/${id}/,Movie,7.0,100,${movie.year},"Drama",1000,${movie.year}-01-01,,,`;
}

/** Catalog movies with IMDb ids and unique titles. */
function movies(count: number, skip = 0): CatalogMovie[] {
  const all = stack.trakt.catalog.movies();
  return all.filter((m) => typeof m.ids.imdb === 'string' && m.ids.imdb.startsWith('tt') && all.filter((o) => o.title === m.title).length === 1).slice(skip, skip + count);
}

/** Runs /import in the guild channel with a file given to the attachment option. */
async function importFile(user: UserRecord, data: Uint8Array | string, filename: string): Promise<string> {
  const final = await stack.discord
    .slashCommand({ user, channelId: CHANNEL_ID, guildId: GUILD_ID, name: 'import', options: [{ name: 'file', attachment: { filename, data: typeof data === 'string' ? data : Buffer.from(data) } }] })
    .waitForFinal(WAIT);
  // The answer in the channel is only for the user: the card is in the DM.
  expect(final.ephemeral).toBe(true);
  return shownText(final) || final.content;
}

/** The import's card in the user's DM once it reaches a state. */
async function dmCard(user: UserRecord, predicate: (text: string) => boolean, timeoutMs = 30_000): Promise<MessageRecord> {
  let found: MessageRecord | undefined;
  await until(
    () => {
      found = stack.discord.messages(user.dmChannelId).find((m) => !m.deleted && shownText(m).includes('Import:') && predicate(shownText(m)));
      return found !== undefined;
    },
    'the import card in the DM',
    timeoutMs,
  );
  return found as MessageRecord;
}

const key = (r: { ref: unknown }): string => JSON.stringify(r.ref);

describe('/import and /export on Discord', () => {
  it('GIVEN /import with an attached IMDb CSV in a guild channel THEN the card arrives in the DM, Import there adds the matches; /export sends a file that imports back into the same watchlist', async () => {
    const { user, username } = await stack.linkedUser({ name: 'imp' });
    const list = movies(3);
    const answer = await importFile(user, `${HEADER}\n${list.map((m, i) => imdbRow(i + 1, m)).join('\n')}\n`, 'WATCHLIST.csv');
    expect(answer).toMatch(/private chat|DM/i);
    // Nothing of the import in the guild channel but the user's own ephemeral answer.
    expect(stack.discord.messages(CHANNEL_ID).filter((m) => (m.flags & 64) === 0 && shownText(m).includes('Import:'))).toEqual([]);

    const preview = await dmCard(user, (t) => t.includes('Before anything is written'));
    expect(shownText(preview)).toContain('IMDb list');
    expect(shownText(preview)).toContain('✓ 3 matched');
    expect(stack.trakt.watchlist(username)).toHaveLength(0);
    await stack.click(user, preview, /Import 3/).waitForFinal(WAIT);
    const done = await dmCard(user, (t) => t.includes('Import done'));
    expect(done.id).toBe(preview.id);
    expect(shownText(done)).toContain('Added: 3');
    expect(stack.trakt.watchlist(username).map(key).sort()).toEqual(list.map((m) => JSON.stringify({ type: 'movie', trakt: m.ids.trakt })).sort());

    // A show, a season and an episode too, then the whole watchlist out as our JSON.
    stack.trakt.seedWatchlist(username, [
      { type: 'show', trakt: 1388 },
      { type: 'season', show: 1390, season: 1 },
      { type: 'episode', show: 1388, season: 1, episode: 2 },
    ]);
    const exported = await stack.ask(user, 'export', { format: 'json' });
    expect(exported.ephemeral || exported.message.channelId === user.dmChannelId).toBe(true);
    const [attachment] = exported.attachments;
    expect(attachment?.filename).toBe('marquee-watchlist.json');
    const record = stack.discord.attachment(String(attachment?.id));
    expect(record).toBeDefined();
    const bytes = Buffer.from(record?.data ?? []);
    const parsed = JSON.parse(bytes.toString('utf8')) as { items: unknown[] };
    expect(parsed.items).toHaveLength(6);

    const { user: other, username: otherTrakt } = await stack.linkedUser({ name: 'exp' });
    await importFile(other, bytes, 'marquee-watchlist.json');
    const second = await dmCard(other, (t) => t.includes('Before anything is written'));
    expect(shownText(second)).toContain('Marquee export');
    expect(shownText(second)).toContain('✓ 6 matched');
    await stack.click(other, second, /Import 6/).waitForFinal(WAIT);
    await dmCard(other, (t) => t.includes('Import done'));
    expect(stack.trakt.watchlist(otherTrakt).map(key).sort()).toEqual(stack.trakt.watchlist(username).map(key).sort());
  });
});
