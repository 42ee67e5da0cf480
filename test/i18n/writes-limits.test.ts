import { describe, expect, it } from 'vitest';
import { LOCALES, translator, type Locale } from '../../src/bot/core/i18n/index.js';
import { plainText, type ActionInput, type Button, type Reply } from '../../src/bot/core/types.js';
import { title } from '../bot/fakes.js';
import { coreIn, expectAckWithinLimits, expectWithinLimits } from './limits.js';

/**
 * The search, add, remove, write-outcome, selection and queue replies in every language fit both
 * platforms' limits as the adapters render them, with long titles and overviews (German runs longest).
 */
const ALICE = '101';
const OVERVIEW = 'A very long overview of everything that happens in this film, written to fill the card. '.repeat(6);

function longTitle(id: number, type: 'movie' | 'show' = 'movie') {
  return title(id, `The Extraordinarily Long and Winding Title of Feature Number ${id}`, type, {
    overview: OVERVIEW,
    rating: 7.85,
    runtime: 155,
    genres: ['science-fiction', 'adventure', 'drama', 'mini-series'],
    certification: 'PG-13',
    ids: { trakt: id, slug: `long-${id}`, imdb: `tt${String(id).padStart(7, '0')}` },
  });
}

function action(reply: Reply | undefined, label: string): string {
  const found = (reply?.buttons ?? []).flat().find((b): b is Extract<Button, { action: string }> => 'action' in b && b.label === label);
  if (found === undefined) throw new Error(`no button ${label} in ${JSON.stringify(reply?.buttons)}`);
  return found.action;
}

describe.each(LOCALES)('search, add, remove and write replies in %s', (locale: Locale) => {
  it('GIVEN long titles WHEN searching, adding a show by season and episode, confirming, undoing, removing, selecting and queueing THEN nothing is cut', async () => {
    const t = translator(locale);
    const { core, world, command, press } = coreIn(locale);
    world.trakt.catalog = [...Array.from({ length: 12 }, (_, i) => longTitle(1000 + i)), longTitle(2000, 'show')];
    world.linked.set(Number(ALICE), { username: 'alexandra_von_langenamen_1234', vip: false, watchlistLimit: 250 });
    const replies: Array<[string, Reply]> = [];
    const ask = async (name: string, args: [string, string]) => {
      const out = await core.handleCommand(command(ALICE, ...args));
      for (const reply of out) replies.push([name, reply]);
      return out[0];
    };
    const tap = async (name: string, reply: Reply | undefined, label: string | 'pick', values?: string[]) => {
      const data = label === 'pick' ? (reply?.pick?.action ?? 'no pick') : action(reply, label);
      const input: ActionInput = { ...press(ALICE, data), ...(values === undefined ? {} : { values }) };
      const step = await core.pressButton(input);
      expectAckWithinLimits(step.ack, `${locale} ${name}`);
      const outcome = await step.work?.();
      const edit = outcome?.edit ?? (await outcome?.followUp)?.edit;
      if (edit !== undefined) replies.push([name, edit]);
      return edit;
    };

    const results = await ask('/search', ['search', 'extraordinarily']);
    await ask('/search nothing', ['search', 'zzzz nothing 1999']);
    await ask('/search bad filter', ['search', 'dune genre=nonsense words here']);
    await ask('/search filtered none', ['search', 'extraordinarily years=1950-1960']);
    const next = await tap('next result', results, t.t('search:button.next'));
    const select = await tap('select several', next, t.t('search:button.selectSeveral'));
    const selected = await tap('select page', select, t.t('search:button.selectPage'));
    const confirm = await tap('add selected', selected, t.t('search:button.addSelected', { count: 10 }));
    await tap('batch confirm', confirm, t.t('add:button.confirmCount', { count: 10 }));
    const again = await ask('/search again', ['search', 'extraordinarily']);
    expect(again?.pick?.placeholder).toBe(t.t('add:pick.placeholder'));
    await tap('batch pick', again, 'pick', ['0', '1']);

    const show = await ask('/add show', ['add', 'tt0002000']);
    const seasons = await tap('season picker', show, t.t('add:button.pickSeason'));
    const season = await tap('season card', seasons, t.t('add:button.season', { season: 1 }));
    const episodes = await tap('episode picker', season, t.t('add:button.pickEpisode'));
    await tap('cancel', episodes, t.t('cards:button.cancel'));
    const movie = await ask('/add movie', ['add', 'tt0001011']);
    const added = await tap('confirm', movie, t.t('add:button.confirm'));
    const undone = await tap('undo', added, t.t('write:button.undo'));
    await tap('add again', undone, t.t('write:button.addAgain'));
    await ask('/add usage', ['add', '']);
    await ask('/add nothing', ['add', 'zzzz nothing at all']);
    await ask('/add not this one', ['add', 'extraordinarily']);
    await ask('/remove none', ['remove', 'x'.repeat(190)]);
    await ask('/remove several', ['remove', 'extraordinarily']);
    await ask('/queue', ['queue', '']);

    expect(replies.length).toBeGreaterThanOrEqual(25);
    for (const [name, reply] of replies) {
      expectWithinLimits(reply, `${locale} ${name}`);
      expect(plainText(reply.text).length, `${locale} ${name}`).toBeGreaterThan(0);
    }
  });
});
