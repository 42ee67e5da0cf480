/**
 * Release notices (`/notify`, issue 13): a user who turned them on hears privately when a movie on their
 * watchlist comes out (its digital or physical release where Trakt has one, else its release date) and
 * when a show on it airs an episode (a season's first episode is announced as a new season).
 *
 * A recurring job (`release-notices` in main.ts) calls `checkReleaseNotices`: for each user with notices
 * on, it reads their Trakt calendars for the last days, keeps what is on their watchlist and has come out,
 * and records each notice once (the store's unique key); then, outside the user's quiet hours, it claims
 * the unsent ones and sends them in one message. Quiet hours only delay: rows wait until a run after them.
 */
import type { WatchlistWriter } from '../../watchlist/writer.js';
import type { CoreDeps } from './context.js';
import { NeedsLinkError } from './errors.js';
import { defineCommand } from './handlers.js';
import type { CalendarMovie, MovieRelease, TraktUserPort } from './ports.js';
import { linkButton } from './replies.js';
import { translatorForIdentity, type Translator } from './i18n/index.js';
import { rich, type Platform, type Reply, type Rich } from './types.js';

export type NoticeEvent = 'release' | 'episode' | 'premiere';

/** What a notice says, stored with it. */
export type NoticeDetail =
  | { kind: 'movie'; title: string; year: number | null; release: 'released' | 'digital' | 'physical'; date: string }
  | { kind: 'episode'; show: string; year: number | null; season: number; episode: number; episodeTitle?: string };

export interface NoticeSettings {
  enabled: boolean;
  enabledAt: Date | null;
  /** Minutes of the day in `timeZone`; start > end spans midnight. */
  quiet: { startMinute: number; endMinute: number } | null;
  timeZone: string;
}

export interface StoredNotice {
  id: number;
  itemKey: string;
  event: NoticeEvent;
  detail: NoticeDetail;
  occurredAt: Date;
}

/** What release notices need from storage (src/bot/services/notice-store.ts implements it). */
export interface NoticeStore {
  settings(identityId: number): Promise<NoticeSettings | undefined>;
  save(identityId: number, patch: Partial<NoticeSettings>): Promise<NoticeSettings>;
  /** Users with notices on, and where to reach them privately. */
  subscribers(): Promise<Array<{ identityId: number; platform: Platform; userId: string; settings: NoticeSettings }>>;
  /** Records notices not recorded yet (identity + item + event is unique); returns how many were new. */
  record(identityId: number, notices: Array<{ itemKey: string; event: NoticeEvent; detail: NoticeDetail; occurredAt: Date }>, now: Date): Promise<number>;
  /** Marks every unsent notice of the user sent and returns them: only one caller gets each. */
  claimUnsent(identityId: number, now: Date): Promise<StoredNotice[]>;
  /** Gives claimed notices back after a failed send. */
  release(ids: number[], claimedAt: Date): Promise<void>;
  unsentCount(identityId: number): Promise<number>;
  dropUnsent(identityId: number): Promise<void>;
}

export interface NoticeCheckResult {
  users: number;
  recorded: number;
  sent: number;
  /** Users whose unsent notices wait for the end of their quiet hours. */
  quiet: number;
  failed: number;
}

const DAY_MS = 86_400_000;
/** How far back a run looks: a release missed while Trakt or the service was down is still announced. */
export const LOOKBACK_DAYS = 7;
/** Users checked at once. */
const CONCURRENCY = 4;
/** Lines in one notice message; more are summed up. */
const MAX_LINES = 20;

// ---- time zones and quiet hours ----

/** True when the runtime knows this IANA time zone. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Minutes since midnight at `now` in `zone`. */
export function localMinute(now: Date, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return (hour % 24) * 60 + minute;
}

export function inQuietHours(now: Date, settings: Pick<NoticeSettings, 'quiet' | 'timeZone'>): boolean {
  if (settings.quiet === null) return false;
  const { startMinute: start, endMinute: end } = settings.quiet;
  const minute = localMinute(now, settings.timeZone);
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

/** `22-08`, `22:30-7`, `22:30-07:15` → minutes; undefined when it is not a range of two different times. */
export function parseQuietHours(text: string): { startMinute: number; endMinute: number } | undefined {
  const match = /^(\d{1,2})(?::(\d{2}))?\s*[-–]\s*(\d{1,2})(?::(\d{2}))?$/.exec(text.trim());
  if (match === null) return undefined;
  const toMinute = (hour: string | undefined, minute: string | undefined): number | undefined => {
    const h = Number(hour);
    const m = minute === undefined ? 0 : Number(minute);
    if (!Number.isInteger(h) || h < 0 || h > 24 || m > 59 || (h === 24 && m > 0)) return undefined;
    return (h % 24) * 60 + m;
  };
  const startMinute = toMinute(match[1], match[2]);
  const endMinute = toMinute(match[3], match[4]);
  if (startMinute === undefined || endMinute === undefined || startMinute === endMinute) return undefined;
  return { startMinute, endMinute };
}

export function formatMinute(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

// ---- the command ----

function storeOf(deps: CoreDeps): NoticeStore | undefined {
  return deps.notices;
}

function statusText(i18n: Translator, settings: NoticeSettings | undefined, waiting: number): Rich {
  if (settings === undefined || !settings.enabled) return i18n.tr('releases:status.off');
  const quiet =
    settings.quiet === null
      ? i18n.tr('releases:status.noQuiet')
      : i18n.tr('releases:status.quiet', { start: formatMinute(settings.quiet.startMinute), end: formatMinute(settings.quiet.endMinute), zone: settings.timeZone });
  return [i18n.tr('releases:status.on'), rich.line, quiet, ...(waiting > 0 ? [rich.line, i18n.tr('releases:status.waiting', { waiting })] : [])];
}

export const notifyCommand = defineCommand({
  name: 'notify',
  description: 'Hear privately when something on your watchlist comes out (on, off, quiet 22-08 tz=Europe/Berlin)',
  listed: true,
  private: true,
  options: [
    {
      name: 'setting',
      description: 'on, off, quiet (with hours), or status',
      choices: [
        { name: 'on', value: 'on' },
        { name: 'off', value: 'off' },
        { name: 'quiet hours', value: 'quiet' },
        { name: 'status', value: 'status' },
      ],
    },
    { name: 'hours', description: 'Quiet hours in your time zone, e.g. 22-08 (or "off")', maxLength: 20 },
    { name: 'tz', description: 'Your time zone, e.g. Europe/Berlin (default UTC)', keyed: true, maxLength: 64 },
  ],
  async run(ctx, args) {
    const store = storeOf(ctx.deps);
    const answer = (text: Rich): Reply[] => [{ private: true, text }];
    if (store === undefined) return answer(ctx.tr('releases:unavailable'));
    if ((await ctx.linkedAccount()) === null) {
      return [{ private: true, text: ctx.tr('releases:linkFirst'), buttons: [[linkButton(ctx.i18n)]] }];
    }
    const words = args.trim().split(/\s+/).filter((w) => w !== '');
    const tzWord = words.find((w) => /^tz=/i.test(w));
    const rest = words.filter((w) => w !== tzWord);
    const zone = tzWord?.slice(3);
    if (zone !== undefined && !isTimeZone(zone)) {
      return answer(ctx.tr('releases:unknownZone', { zone: zone.slice(0, 64) }));
    }
    const verb = (rest[0] ?? 'status').toLowerCase();
    const now = ctx.now();
    switch (verb) {
      case 'status': {
        const settings = await store.settings(ctx.identityId);
        return answer(statusText(ctx.i18n, settings, settings?.enabled ? await store.unsentCount(ctx.identityId) : 0));
      }
      case 'on': {
        const before = await store.settings(ctx.identityId);
        const settings = await store.save(ctx.identityId, {
          enabled: true,
          ...(before?.enabled ? {} : { enabledAt: now }),
          ...(zone === undefined ? {} : { timeZone: zone }),
        });
        return answer(statusText(ctx.i18n, settings, 0));
      }
      case 'off': {
        await store.save(ctx.identityId, { enabled: false });
        await store.dropUnsent(ctx.identityId);
        return answer(ctx.tr('releases:turnedOff'));
      }
      case 'quiet': {
        const range = rest.slice(1).join('');
        if (range.toLowerCase() === 'off' || range.toLowerCase() === 'none') {
          const settings = await store.save(ctx.identityId, { quiet: null });
          return answer([ctx.tr('releases:quietCleared'), rich.line, statusText(ctx.i18n, settings, 0)]);
        }
        const quiet = parseQuietHours(range);
        if (quiet === undefined) return answer(ctx.tr('releases:quietUsage'));
        const before = await store.settings(ctx.identityId);
        const timeZone = zone ?? before?.timeZone ?? 'UTC';
        const settings = await store.save(ctx.identityId, { quiet, timeZone });
        // Sentences after the first: the zone hint (no zone given or stored) and that notices are off.
        const more: Rich[] = [
          ...(zone === undefined && before?.timeZone === undefined ? [' ', ctx.tr('releases:quietUtcHint')] : []),
          ...(settings.enabled ? [] : [' ', ctx.tr('releases:quietNoticesOff')]),
        ];
        return answer([ctx.tr('releases:quietSet', { start: formatMinute(quiet.startMinute), end: formatMinute(quiet.endMinute), zone: timeZone }), ...more]);
      }
      default:
        return answer(ctx.tr('releases:usage'));
    }
  },
});

// ---- the check ----

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function dayStartMs(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}

interface Found {
  itemKey: string;
  event: NoticeEvent;
  detail: NoticeDetail;
  occurredAt: Date;
  /** Watchlist keys any of which makes it the user's. */
  keys: string[];
}

/** What came out in `[from, now]` among the user's calendars, before the watchlist filter. */
async function readCalendars(trakt: TraktUserPort, now: Date, from: number): Promise<Found[]> {
  if (trakt.movieCalendar === undefined || trakt.episodeCalendar === undefined) return [];
  const startDate = utcDay(from);
  const days = Math.min(LOOKBACK_DAYS + 1, Math.floor((dayStartMs(utcDay(now.getTime())) - from) / DAY_MS) + 1);
  const [digital, physical, released, episodes] = await Promise.all([
    trakt.movieCalendar('digital', startDate, days),
    trakt.movieCalendar('physical', startDate, days),
    trakt.movieCalendar('released', startDate, days),
    trakt.episodeCalendar(startDate, days),
  ]);
  const out: Found[] = [];
  const seenMovies = new Set<number>();
  const movie = (row: CalendarMovie, release: 'released' | 'digital' | 'physical'): void => {
    const at = dayStartMs(row.released);
    if (Number.isNaN(at) || at < from || at > now.getTime()) return;
    const id = row.movie.ids.trakt;
    if (seenMovies.has(id)) return;
    seenMovies.add(id);
    out.push({
      itemKey: `movie:${id}`,
      event: 'release',
      detail: { kind: 'movie', title: row.movie.title, year: row.movie.year, release, date: row.released },
      occurredAt: new Date(at),
      keys: [`movie:${id}`],
    });
  };
  // Home releases first: a movie is announced once, at whichever of them comes first.
  for (const row of [...digital, ...physical].sort((a, b) => a.released.localeCompare(b.released))) {
    movie(row, digital.includes(row) ? 'digital' : 'physical');
  }
  // The release date counts only for a movie Trakt has no digital or physical date for (it is announced then).
  for (const row of released) {
    if (seenMovies.has(row.movie.ids.trakt)) continue;
    const at = dayStartMs(row.released);
    if (Number.isNaN(at) || at < from || at > now.getTime()) continue;
    out.push({
      itemKey: `movie:${row.movie.ids.trakt}`,
      event: 'release',
      detail: { kind: 'movie', title: row.movie.title, year: row.movie.year, release: 'released', date: row.released },
      occurredAt: new Date(at),
      keys: [`movie:${row.movie.ids.trakt}`],
      // Filtered below (needs the releases lookup, done only for watchlisted movies).
    });
  }
  for (const row of episodes) {
    const at = Date.parse(row.firstAired);
    if (Number.isNaN(at) || at < from || at > now.getTime()) continue;
    const show = row.show.ids.trakt;
    const { season, number } = row.episode;
    if (season === 0) continue;
    out.push({
      itemKey: `episode:${show}:${season}:${number}`,
      event: number === 1 ? 'premiere' : 'episode',
      detail: {
        kind: 'episode',
        show: row.show.title,
        year: row.show.year,
        season,
        episode: number,
        ...(row.episode.title === undefined ? {} : { episodeTitle: row.episode.title }),
      },
      occurredAt: new Date(at),
      keys: [`show:${show}`, `season:${show}:${season}`, `episode:${show}:${season}:${number}`],
    });
  }
  return out;
}

/** A release-date notice stands only when Trakt has no digital or physical release for the movie. */
async function hasHomeRelease(releases: ((id: number) => Promise<MovieRelease[]>) | undefined, movieId: number): Promise<boolean> {
  if (releases === undefined) return false;
  const all = await releases(movieId);
  return all.some((r) => r.releaseType === 'digital' || r.releaseType === 'physical');
}

function episodeLabel(season: number, episode: number): string {
  return `S${String(season).padStart(2, '0')}E${String(episode).padStart(2, '0')}`;
}

/** One message for the notices a run sends a user, in their language. */
export function noticeReply(notices: StoredNotice[], i18n: Translator): Reply {
  const lines: Rich[] = [];
  for (const notice of notices.slice(0, MAX_LINES)) {
    const d = notice.detail;
    if (d.kind === 'movie') {
      // The movie as its card names it: the title in bold, then its year.
      const movie: Rich = [rich.bold(d.title), d.year === null ? '' : ` (${d.year})`];
      const key = d.release === 'digital' ? 'releases:notice.digital' : d.release === 'physical' ? 'releases:notice.physical' : 'releases:notice.released';
      lines.push([rich.line, i18n.tr(key, { movie, date: d.date })]);
    } else {
      const episode = episodeLabel(d.season, d.episode);
      const premiere = notice.event === 'premiere';
      const params = { show: rich.bold(d.show), season: d.season, episode };
      const text =
        d.episodeTitle === undefined
          ? i18n.tr(premiere ? 'releases:notice.premiere' : 'releases:notice.episode', params)
          : i18n.tr(premiere ? 'releases:notice.premiereTitled' : 'releases:notice.episodeTitled', { ...params, title: d.episodeTitle });
      lines.push([rich.line, text]);
    }
  }
  const more = notices.length - Math.min(notices.length, MAX_LINES);
  return {
    private: true,
    text: [
      i18n.tr('releases:notice.heading'),
      ...lines,
      ...(more > 0 ? [rich.line, i18n.tr('releases:notice.more', { more })] : []),
      rich.line,
      rich.line,
      i18n.tr('releases:notice.footer'),
    ],
  };
}

/**
 * One run: read each subscriber's calendars, record what is new, and send what waits outside quiet hours.
 * Never throws for one user's failure (it is logged and retried by the next run).
 */
export async function checkReleaseNotices(deps: CoreDeps, writer: WatchlistWriter, now: Date): Promise<NoticeCheckResult> {
  const result: NoticeCheckResult = { users: 0, recorded: 0, sent: 0, quiet: 0, failed: 0 };
  const store = deps.notices;
  if (store === undefined) return result;
  const subscribers = await store.subscribers();
  result.users = subscribers.length;
  const releases = deps.trakt.catalog().movieReleases?.bind(deps.trakt.catalog());
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < subscribers.length) {
      const user = subscribers[next++];
      if (user === undefined) break;
      try {
        result.recorded += await scanUser(deps, store, writer, releases, user.identityId, user.settings, now);
      } catch (error) {
        result.failed += 1;
        const needsLink = error instanceof NeedsLinkError;
        deps.logger[needsLink ? 'info' : 'warn']({ err: needsLink ? undefined : error, identityId: user.identityId }, needsLink ? 'release notices: user has no usable Trakt link; skipped' : 'release notices: calendars not read; the next run tries again');
      }
      // What waits (from this run or an earlier one) goes out unless it is quiet for the user now.
      if (inQuietHours(now, user.settings)) {
        if ((await store.unsentCount(user.identityId)) > 0) result.quiet += 1;
        continue;
      }
      const claimed = await store.claimUnsent(user.identityId, now);
      if (claimed.length === 0) continue;
      try {
        if (deps.outbox === undefined) throw new Error('no outbox to send notices with');
        const i18n = await translatorForIdentity(deps, user.identityId);
        const sent = await deps.outbox.send({ platform: user.platform, userId: user.userId }, noticeReply(claimed, i18n));
        if (sent === undefined) throw new Error(`no chat adapter for ${user.platform}`);
        result.sent += claimed.length;
      } catch (error) {
        await store.release(claimed.map((n) => n.id), now).catch(() => undefined);
        result.failed += 1;
        deps.logger.warn({ err: error, identityId: user.identityId }, 'release notices not delivered; they wait for the next run');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, subscribers.length) }, worker));
  return result;
}

async function scanUser(
  deps: CoreDeps,
  store: NoticeStore,
  writer: WatchlistWriter,
  releases: ((id: number) => Promise<MovieRelease[]>) | undefined,
  identityId: number,
  settings: NoticeSettings,
  now: Date,
): Promise<number> {
  const today = dayStartMs(utcDay(now.getTime()));
  const enabledDay = settings.enabledAt === null ? today : dayStartMs(utcDay(settings.enabledAt.getTime()));
  // Nothing from before notices were turned on (no flood of old releases), and at most a week back.
  const from = Math.max(today - LOOKBACK_DAYS * DAY_MS, enabledDay);
  if (from > now.getTime()) return 0;
  const trakt = await deps.trakt.forIdentity(identityId);
  const found = await readCalendars(trakt, now, from);
  if (found.length === 0) return 0;
  // Calendars hold watched and collected titles too: keep what is on the watchlist (the copy, rechecked).
  await writer.copy.current(identityId, trakt, { recheck: true });
  const present = await deps.watchlists.present(identityId, [...new Set(found.flatMap((f) => f.keys))]);
  const mine: Found[] = [];
  for (const item of found) {
    if (!item.keys.some((k) => present.has(k))) continue;
    if (item.detail.kind === 'movie' && item.detail.release === 'released' && (await hasHomeRelease(releases, Number(item.itemKey.slice('movie:'.length))))) continue;
    mine.push(item);
  }
  return store.record(
    identityId,
    mine.map(({ itemKey, event, detail, occurredAt }) => ({ itemKey, event, detail, occurredAt })),
    now,
  );
}
