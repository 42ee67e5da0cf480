import { beforeEach, describe, expect, it } from 'vitest';
import { createBotCore, type BotCore } from '../../src/bot/core/bot-core.js';
import type { CachedShowProgress, ShowProgressStore } from '../../src/bot/core/show-progress.js';
import type { ShowProgress, TraktUserPort } from '../../src/bot/core/ports.js';
import { plainText } from '../../src/bot/core/types.js';
import { targetKey } from '../../src/bot/core/targets.js';
import { fakeWorld, title, type FakeWorld } from './fakes.js';

/** Show progress's edges against in-memory ports: failed and late reads, stale rows, no shows on the page. */
let world: FakeWorld;
let core: BotCore;
let rows: Map<number, CachedShowProgress>;
let progress: Map<number, ShowProgress | Error | 'hang'>;
let reads: number[];
let activityReads: number;
const ALICE = '101';
const SEVERANCE = title(154997, 'Severance', 'show', { year: 2022 });
const DARK = title(70523, 'Dark', 'show', { year: 2017 });
const TRON = title(12601, 'TRON: Legacy');

beforeEach(() => {
  world = fakeWorld({ traktPatienceMs: 100 });
  rows = new Map();
  progress = new Map();
  reads = [];
  activityReads = 0;
  const store: ShowProgressStore = {
    find: async (_id, ids) => ids.flatMap((id) => (rows.has(id) ? [rows.get(id) as CachedShowProgress] : [])),
    save: async (_id, saved) => {
      for (const row of saved) rows.set(row.showTraktId, row);
    },
    unsettled: async () => ({ showTraktIds: [], shows: 0, unsettled: 0 }),
  };
  world.deps.showProgress = store;
  // FakeTrakt has no progress: these two are added to it as the port's optional members.
  const port: TraktUserPort = world.trakt;
  port.showProgress = (id) => {
    reads.push(id);
    const answer = progress.get(id);
    if (answer === 'hang') return new Promise(() => undefined);
    if (answer instanceof Error || answer === undefined) return Promise.reject(answer ?? new Error('no progress'));
    return Promise.resolve(answer);
  };
  port.episodesWatchedActivity = async () => {
    activityReads++;
    return new Date('2026-11-02T00:00:00Z');
  };
  world.linked.set(Number(ALICE), { username: 'alice', vip: false, watchlistLimit: 250 });
  for (const target of [{ kind: 'show', title: SEVERANCE }, { kind: 'show', title: DARK }, { kind: 'movie', title: TRON }] as const) world.trakt.watchlist.set(targetKey(target), target);
  core = createBotCore(world.deps);
});

async function view(): Promise<string> {
  const [reply] = await core.handleCommand(world.command(ALICE, 'watchlist'));
  return reply === undefined ? '' : plainText(reply.text);
}
const lineOf = (text: string, name: string) => text.split('\n').find((l) => l.includes(name)) ?? '';
const ep = (season: number, number: number) => ({ season, number, ids: { trakt: season * 1000 + number } });

describe('show progress in the watchlist view', () => {
  it('GIVEN one read failing and one never answering WHEN the page is shown THEN it is shown within the patience without those lines, and the failure is logged', async () => {
    progress.set(SEVERANCE.ids.trakt, new Error('boom'));
    progress.set(DARK.ids.trakt, 'hang');
    const text = await view();
    expect(lineOf(text, 'Severance')).not.toContain('watched');
    expect(lineOf(text, 'Dark')).not.toContain('watched');
    expect(lineOf(text, 'TRON')).not.toContain('watched');
    expect(world.logged.some((l) => l.msg === 'show progress read failed')).toBe(true);
    // Movies are never asked about.
    expect(reads.sort()).toEqual([DARK.ids.trakt, SEVERANCE.ids.trakt].sort());
  });

  it('GIVEN a stale cached row WHEN its fresh read fails THEN the older figures are shown; GIVEN a current one THEN nothing is read', async () => {
    const old = new Date('2026-11-01T00:00:00Z');
    rows.set(SEVERANCE.ids.trakt, { showTraktId: SEVERANCE.ids.trakt, aired: 19, completed: 4, next: { season: 1, number: 5 }, activityAt: old, fetchedAt: world.clock.now() });
    progress.set(SEVERANCE.ids.trakt, new Error('boom'));
    progress.set(DARK.ids.trakt, { aired: 26, completed: 26, seasons: [] });
    const text = await view();
    expect(lineOf(text, 'Severance')).toContain('watched 4 / 19 · next S01E05');
    expect(lineOf(text, 'Dark')).toMatch(/watched 26 \/ 26$/);

    reads = [];
    progress.set(SEVERANCE.ids.trakt, { aired: 19, completed: 12, seasons: [], nextEpisode: ep(2, 3) });
    expect(lineOf(await view(), 'Severance')).toContain('watched 12 / 19 · next S02E03');
    expect(reads).toEqual([SEVERANCE.ids.trakt]);
    reads = [];
    expect(lineOf(await view(), 'Severance')).toContain('watched 12 / 19 · next S02E03');
    expect(reads).toEqual([]);
  });

  it('GIVEN a page with no show WHEN it is shown THEN neither progress nor the episodes-watched time is asked', async () => {
    world.trakt.watchlist.clear();
    world.trakt.watchlist.set(targetKey({ kind: 'movie', title: TRON }), { kind: 'movie', title: TRON });
    await view();
    expect(reads).toEqual([]);
    expect(activityReads).toBe(0);
  });
});
