import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogMovie, CatalogShow } from '../../emulators/trakt/types.js';
import { startStack, WAIT, type Stack } from './harness.js';

/**
 * Issue 13, release notices through the real service: the `release-notices` recurring job (every second
 * here, NOTICES_CHECK_MS) reads the Trakt emulator's calendars, and notices arrive in the private chat
 * once, only for users who turned them on, and not during their quiet hours.
 */
let stack: Stack;
const CHECK_MS = 1000;

beforeAll(async () => {
  stack = await startStack({ env: { NOTICES_CHECK_MS: String(CHECK_MS) } });
});
afterAll(async () => {
  await stack?.close();
});

const today = (): string => new Date().toISOString().slice(0, 10);
const NOTICE = (m: { text: string }) => m.text.includes('Out now from your watchlist');

let nextMovie = 0;
/** Movies of the catalog with a unique title, fresh for each use. */
function movie(): CatalogMovie {
  const all = stack.trakt.catalog.movies();
  for (;;) {
    const candidate = all[200 + nextMovie++];
    if (candidate === undefined) throw new Error('catalog too small');
    if (all.filter((m) => m.title === candidate.title).length === 1) return candidate;
  }
}

function showWithTwoSeasons(): CatalogShow {
  const found = stack.trakt.catalog.shows().find((s) => s.seasons.filter((x) => x.number > 0 && x.episode_count > 0).length >= 2);
  if (found === undefined) throw new Error('no show with two seasons');
  return found;
}

function notices(chat: number) {
  return stack.telegram.botMessages(chat).filter(NOTICE);
}

/** Long enough for the recurring job to run twice more. */
const twoRuns = () => sleep(CHECK_MS * 2.5);

describe('release notices on Telegram', () => {
  it('GIVEN /notify on and watchlisted titles out today WHEN the daily check runs THEN one notice lists them, and later runs send nothing new', async () => {
    const { user, username } = await stack.linkedUser({ name: 'Nora' });
    const digital = movie();
    const released = movie();
    const show = showWithTwoSeasons();
    // Digital today (its theatrical date is the catalog's, long past); the other has only a release date today.
    stack.trakt.setMovieDates(digital.ids.trakt, { digital: today() });
    stack.trakt.setMovieDates(released.ids.trakt, { released: today() });
    stack.trakt.setEpisodeAired(show.ids.trakt, 2, 1, new Date(Date.now() - 1000).toISOString());
    stack.trakt.seedWatchlist(username, [
      { type: 'movie', trakt: digital.ids.trakt },
      { type: 'movie', trakt: released.ids.trakt },
      { type: 'show', trakt: show.ids.trakt },
    ]);

    const on = await stack.ask(user, user.id, '/notify on', (m) => m.text.includes('Release notices are'));
    expect(on.text).toContain('Release notices are on');

    const notice = await stack.telegram.waitForBotMessage(user.id, NOTICE, WAIT);
    expect(notice.text).toContain(`${digital.title} (${digital.year}) — out on digital ${today()}`);
    expect(notice.text).toContain(`${released.title} (${released.year}) — released ${today()}`);
    expect(notice.text).toContain(`${show.title} — season 2 starts: S02E01`);

    await twoRuns();
    // A run in this process too: it reads the calendars again, finds the same releases and sends nothing.
    const again = await stack.service.core.checkNotices();
    expect(again.sent).toBe(0);
    expect(notices(user.id)).toHaveLength(1);
    const status = await stack.ask(user, user.id, '/notify', (m) => m.text.includes('Release notices are'));
    expect(status.text).not.toContain('Waiting to be sent');
  });

  it('GIVEN a linked user who never sent /notify WHEN a watchlisted movie comes out THEN they get no notice', async () => {
    const { user, username } = await stack.linkedUser({ name: 'Quinn' });
    const out = movie();
    stack.trakt.setMovieDates(out.ids.trakt, { digital: today() });
    stack.trakt.seedWatchlist(username, [{ type: 'movie', trakt: out.ids.trakt }]);
    await stack.ask(user, user.id, '/status', (m) => m.text.includes('Linked to Trakt'));
    await twoRuns();
    expect(notices(user.id)).toHaveLength(0);
    const status = await stack.ask(user, user.id, '/notify status', (m) => m.text.includes('Release notices are'));
    expect(status.text).toContain('Release notices are off');
  });

  it('GIVEN quiet hours that cover now WHEN the check runs THEN the notice waits, and a run after the quiet hours sends it once', async () => {
    const { user, username } = await stack.linkedUser({ name: 'Uli' });
    const out = movie();
    stack.trakt.setMovieDates(out.ids.trakt, { physical: today() });
    stack.trakt.seedWatchlist(username, [{ type: 'movie', trakt: out.ids.trakt }]);
    // Quiet from an hour ago to two hours from now, in the user's zone (Asia/Kolkata: UTC+05:30, no DST).
    const zone = 'Asia/Kolkata';
    const local = new Date(Date.now() + 330 * 60_000);
    const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
    const hhmm = (m: number) => `${String(Math.floor((((m % 1440) + 1440) % 1440) / 60)).padStart(2, '0')}:${String((((m % 1440) + 1440) % 1440) % 60).padStart(2, '0')}`;
    const quiet = await stack.ask(user, user.id, `/notify quiet ${hhmm(minute - 60)}-${hhmm(minute + 120)} tz=${zone}`, (m) => m.text.includes('Quiet hours'));
    expect(quiet.text).toContain(`(${zone})`);
    await stack.ask(user, user.id, '/notify on', (m) => m.text.includes('Release notices are on'));

    await twoRuns();
    expect(notices(user.id)).toHaveLength(0);
    const waiting = await stack.ask(user, user.id, '/notify', (m) => m.text.includes('Release notices are'));
    expect(waiting.text).toContain('Waiting to be sent: 1');

    // The same check, as it runs once the quiet hours are over (two hours and a minute from now).
    const after = new Date(Date.now() + 121 * 60_000);
    const result = await stack.service.core.checkNotices(after);
    expect(result.sent).toBeGreaterThanOrEqual(1);
    const notice = await stack.telegram.waitForBotMessage(user.id, NOTICE, WAIT);
    expect(notice.text).toContain(`${out.title} (${out.year}) — out on DVD/Blu-ray ${today()}`);
    expect((await stack.service.core.checkNotices(after)).sent).toBe(0);
    await twoRuns();
    expect(notices(user.id)).toHaveLength(1);
  });
});
