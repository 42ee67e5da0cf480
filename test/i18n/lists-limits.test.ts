import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { EN, LOCALES, translator } from '../../src/bot/core/i18n/index.js';
import { readerError } from '../../src/bot/core/imports/commands.js';
import { importCard } from '../../src/bot/core/imports/flow.js';
import type { ImportRecord, ImportStore } from '../../src/bot/core/imports/ports.js';
import type { CoreDeps } from '../../src/bot/core/context.js';
import { noticeReply, type NoticeSettings, type NoticeStore, type StoredNotice } from '../../src/bot/core/release-notices.js';
import { plainText, type Button, type Reply } from '../../src/bot/core/types.js';
import { ImportError, readImport } from '../../src/imports/index.js';
import { title } from '../bot/fakes.js';
import { coreIn, expectAckWithinLimits, expectWithinLimits } from './limits.js';

/**
 * The watchlist, release-notice and import replies in every language fit both platforms' limits as the
 * adapters render them, with long titles and the longest states (select mode, every filter applied,
 * a full notice message, an import over the account's limit).
 */
const ALICE = '101';
const LONG = 'The Extraordinarily Long and Winding Title of a Film That Goes On: Part';

function actions(reply: Reply | undefined): string[] {
  return (reply?.buttons ?? []).flat().flatMap((b: Button) => ('action' in b ? [b.action] : []));
}

function byLabel(reply: Reply | undefined, match: (label: string) => boolean): string {
  const found = (reply?.buttons ?? []).flat().find((b): b is Extract<Button, { action: string }> => 'action' in b && match(b.label));
  if (found === undefined) throw new Error(`no such button in ${JSON.stringify(reply?.buttons)}`);
  return found.action;
}

function memoryNotices(): NoticeStore {
  let settings: NoticeSettings | undefined;
  return {
    settings: async () => settings,
    save: async (_id, patch) => (settings = { enabled: false, enabledAt: null, quiet: null, timeZone: 'UTC', ...settings, ...patch }),
    subscribers: async () => [],
    record: async () => 0,
    claimUnsent: async () => [],
    release: async () => undefined,
    unsentCount: async () => 12,
    dropUnsent: async () => undefined,
  };
}

describe.each(LOCALES)('watchlist, notices and imports in %s', (locale) => {
  it('GIVEN a long watchlist WHEN /watchlist, each of its buttons, select mode, /random and bad arguments are rendered THEN nothing is cut', async () => {
    const { core, world, command, press } = coreIn(locale);
    world.linked.set(Number(ALICE), { username: 'alice', vip: false, watchlistLimit: 250 });
    for (let i = 1; i <= 23; i++) {
      const t = title(1000 + i, `${LONG} ${i}`, i % 3 === 0 ? 'show' : 'movie', { year: 1990 + i, rating: 7.25, runtime: 150, genres: ['science-fiction'] });
      world.trakt.watchlist.set(`${t.type}:${t.ids.trakt}`, { kind: t.type, title: t } as never);
    }
    const replies: Array<[string, Reply]> = [];
    const run = async (name: string, args = '', cmd = 'watchlist') => {
      const out = await core.handleCommand(command(ALICE, cmd, args));
      for (const reply of out) replies.push([name, reply]);
      return out[0];
    };
    const pressed = async (name: string, data: string) => {
      const step = await core.pressButton(press(ALICE, data));
      expectAckWithinLimits(step.ack, `${locale} ${name}`);
      const outcome = await step.work?.();
      if (outcome?.edit !== undefined) replies.push([name, outcome.edit]);
      return outcome?.edit;
    };
    const args = 'movies science-fiction 1990-2005 2h30 released';
    const first = await run('/watchlist', args);
    // Every button of the page (a view is used once: the list is asked for again before each press).
    for (let i = 0; i < actions(first).length; i++) {
      const page = await run('/watchlist again', args);
      await pressed(`button ${i}`, actions(page)[i] as string);
    }
    // Select mode: select the page, then Remove N selected.
    const i18n = translator(locale);
    const page = await run('/watchlist for select', 'released');
    const selecting = await pressed('select', byLabel(page, (l) => l === i18n.t('watchlist:button.select')));
    const selected = await pressed('select page', byLabel(selecting, (l) => l === i18n.t('watchlist:button.selectPage')));
    const removing = await pressed('remove selected', byLabel(selected, (l) => l === i18n.t('watchlist:button.removeSelected', { selected: 10 })));
    expect(plainText(removing?.text ?? '')).toContain(i18n.t('watchlist:removeSelected.question', { count: 10 }));
    await run('/random', 'shows science-fiction 2000- 1h', 'random');
    await run('/watchlist bad word', 'sideways');
    await run('/watchlist backwards', 'years=2010-2000');
    await run('/random unknown', 'nonsense-word-that-goes-on', 'random');
    expect(replies.length).toBeGreaterThan(20);
    for (const [name, reply] of replies) {
      expectWithinLimits(reply, `${locale} ${name}`);
      expect(plainText(reply.text).length).toBeGreaterThan(0);
    }
  });

  it('GIVEN /notify in each state and a message of 25 notices WHEN rendered THEN nothing is cut', async () => {
    const { core, world, command } = coreIn(locale);
    world.deps.notices = memoryNotices();
    world.linked.set(Number(ALICE), { username: 'alice', vip: false, watchlistLimit: 250 });
    const replies: Array<[string, Reply]> = [];
    for (const args of ['', 'on', 'quiet 22-08', 'quiet 22:30-07:15 tz=America/Argentina/Buenos_Aires', 'quiet nonsense', 'tz=Nowhere/Else', 'sideways', 'quiet off', 'off']) {
      for (const reply of await core.handleCommand(command(ALICE, 'notify', args))) replies.push([`/notify ${args}`, reply]);
    }
    const notices: StoredNotice[] = Array.from({ length: 25 }, (_, i) => ({
      id: i,
      itemKey: `k${i}`,
      event: i % 3 === 0 ? 'release' : i % 3 === 1 ? 'premiere' : 'episode',
      detail:
        i % 3 === 0
          ? { kind: 'movie', title: `${LONG} ${i}`, year: 2026, release: i % 2 === 0 ? 'physical' : 'digital', date: '2026-12-01' }
          : { kind: 'episode', show: `${LONG} ${i}`, year: 2020, season: 12, episode: 10, episodeTitle: `${LONG} (episode)` },
      occurredAt: new Date(),
    }));
    replies.push(['notices', noticeReply(notices, translator(locale))]);
    for (const [name, reply] of replies) {
      expectWithinLimits(reply, `${locale} ${name}`);
      expect(plainText(reply.text).length).toBeGreaterThan(0);
    }
  });

  it('GIVEN /import, /export and the import card in each state WHEN rendered THEN nothing is cut', async () => {
    const { core, world, command } = coreIn(locale);
    world.linked.set(Number(ALICE), { username: 'alice', vip: false, watchlistLimit: 250 });
    const replies: Array<[string, Reply]> = [];
    for (const [cmd, args] of [['import', ''], ['export', 'xml']] as const) {
      for (const reply of await core.handleCommand(command(ALICE, cmd, args))) replies.push([`/${cmd} ${args}`, reply]);
    }
    const matched = Array.from({ length: 300 }, (_, i) => ({ position: i, row: { line: i + 2, kind: 'movie', ids: {} }, state: 'matched', target: { kind: 'movie', title: title(5000 + i, `${LONG} ${i}`) }, candidates: null, batch: null, outcome: null }));
    const store = (status: ImportRecord['status']): Partial<ImportStore> => ({
      stateCounts: async () => ({ pending: status === 'matching' ? 12_345 : 0, matched: 23_456, ambiguous: 1_234, 'not-found': 2_345, skipped: 0 }),
      items: async (_id, where) => (where.states?.includes('matched') ? (matched as never) : []),
      progress: async () => ({ batches: 500, done: 3, items: 49_999, applied: 300 }),
      outcomeCounts: async () => ({ added: 12_345, existing: 2_000, listed: 3_000, 'over-limit': 4_000, 'not-found': 5_000 }),
      plan: async () => undefined,
    });
    for (const status of ['matching', 'preview', 'applying', 'done', 'cancelled', 'undoing', 'undone'] as const) {
      const record: ImportRecord = {
        id: 1,
        identityId: Number(ALICE),
        platform: 'telegram',
        chatId: ALICE,
        cardMessageId: '1',
        status,
        format: 'letterboxd-export-zip',
        fileName: `${'letterboxd-export-with-a-very-long-name-'.repeat(3)}.zip`,
        reading: { rows: 49_999, skipped: { people: 1_111, duplicates: 2_222, noTitle: 3_333, unsupported: 4_444, invalid: 5_555 }, problems: [], problemCount: 0 },
        summary: { added: 12_345, existing: 0, overLimit: 0, listed: 0, notFound: 0, undone: 12_345, startedAt: new Date(world.clock.now().getTime() - 600_000).toISOString() } as never,
        createdAt: world.clock.now(),
      };
      const deps: CoreDeps = { ...world.deps, imports: store(status) as ImportStore };
      replies.push([`card ${status}`, await importCard(deps, record, translator(locale))]);
    }
    for (const [name, reply] of replies) {
      expectWithinLimits(reply, `${locale} ${name}`);
      expect(plainText(reply.text).length).toBeGreaterThan(0);
    }
  });
});

describe('the reader’s refusals', () => {
  /** One file per error the import card says in the user's language. */
  async function refusals(): Promise<ImportError[]> {
    const utf8 = (text: string) => new TextEncoder().encode(text);
    const files: Array<[Uint8Array, { maxRows?: number }]> = [
      [new Uint8Array(), {}],
      [zipSync({ 'watchlist.csv': utf8('Date,Name,Year,Letterboxd URI\n2024-01-01,Film,2000,https://boxd.it/a\n') }).subarray(0, 30), {}],
      [utf8('Position,Const,Created,Modified,Description,Name,Known For,Birth Date\n1,nm0000001,2024-01-01,2024-01-01,,Fred Astaire,Funny Face,1899-05-10\n'), {}],
      [utf8(`Date,Name,Year,Letterboxd URI\n${[1, 2, 3, 4].map((i) => `2024-01-01,Film ${i},2000,https://boxd.it/${i}`).join('\n')}\n`), { maxRows: 2 }],
      [utf8('Title;Genre\nSomething;Else\n'), {}],
      [utf8('[{"name":"Watchlist","ids":{"trakt":1,"slug":"watchlist"},"item_count":0,"privacy":"private","updated_at":"2024-01-01T00:00:00.000Z","created_at":"2024-01-01T00:00:00.000Z","description":null,"allow_comments":true,"sort_by":"rank","sort_how":"asc","display_numbers":false,"likes":0,"comment_count":0,"user":{"username":"x"}}]'), {}],
      [zipSync({ 'ratings.csv': utf8('Date,Name,Year,Letterboxd URI,Rating\n2024-01-01,Film,2000,https://boxd.it/a,4\n') }), {}],
      [utf8('Date,Name,Year,Letterboxd URI\n2024-01-01,"Film,2000,https://boxd.it/a\n'), {}],
      [utf8('[{"type":"movie","movie":{"title":"Cut'), {}],
    ];
    const errors: ImportError[] = [];
    for (const [bytes, options] of files) {
      const error = await readImport(bytes, options).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (!(error instanceof ImportError)) throw new Error(`expected a refusal, got ${String(error)}`);
      errors.push(error);
    }
    return errors;
  }

  it('GIVEN the refusals the catalog translates WHEN said in English THEN they are the reader’s own words; in other languages they differ from them and fit', async () => {
    const errors = await refusals();
    expect(errors.map((e) => e.code)).toEqual(['empty', 'truncated-zip', 'people-list', 'too-many-rows', 'unknown-format', 'unknown-format', 'no-watchlist-in-zip', 'broken-csv', 'broken-json']);
    expect(errors.map((e) => e.details.hint ?? e.details.export ?? e.details.quoting)).toEqual([undefined, undefined, undefined, undefined, undefined, 'lists-index', 'letterboxd', 'unclosed', undefined]);
    for (const error of errors) {
      expect(plainText(readerError(error, EN))).toBe(error.message);
      for (const locale of LOCALES.filter((l) => l !== 'en')) {
        const text = readerError(error, translator(locale));
        expect(plainText(text)).not.toBe(error.message);
        expectWithinLimits({ text }, `${locale} ${error.code}`);
      }
    }
  });
});
