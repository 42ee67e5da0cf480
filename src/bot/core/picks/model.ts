/**
 * Group picks as data and pure rules: a session's options, its members and ballot, the approval cap,
 * and the tally with its fair, visible tie-break. No storage and no chat here (see ports.ts and
 * session.ts), so every rule can be recomputed by anyone from what the cards show.
 */
import { createHash } from 'node:crypto';
import type { Platform } from '../types.js';
import type { Title } from '../ports.js';
import { EN, type Translator } from '../i18n/index.js';

export type PickKind = 'movie' | 'show';

export interface PickOptions {
  types: PickKind[];
  /** A Trakt genre slug (`science-fiction`). */
  genre?: string;
  /** Longest runtime in minutes (a show's: its episodes'). */
  maxRuntime?: number;
  yearFrom?: number;
  yearTo?: number;
  ballotSize: number;
  votingMs: number;
}

export type PickStatus = 'gathering' | 'voting' | 'closed' | 'cancelled';

/** How the ballot's pool was made (said on the card). */
export interface PoolInfo {
  /** Members whose lists were pooled. */
  members: number;
  /** Members whose list could not be brought up to date (Trakt down): their copy's age is shown. */
  stale: Array<{ name: string; checkedAt: string | null }>;
}

export type PickResult =
  | {
      kind: 'winner';
      position: number;
      itemKey: string;
      title: Title;
      votes: number;
      wantedBy: number;
      members: number;
      voters: number;
      /** How the winner was decided: most votes, then most wanted, then the draw. */
      rule: 'votes' | 'wanted-by' | 'draw';
      /** Draw only: the seed (16 hex digits) and how many were tied. */
      seed?: string;
      tied?: number;
    }
  | { kind: 'no-votes'; members: number };

export interface PickSession {
  id: number;
  token: string;
  platform: Platform;
  chatId: string;
  cardMessageId: string | null;
  hostIdentityId: number;
  status: PickStatus;
  options: PickOptions;
  cap: number | null;
  deadline: Date | null;
  pool: PoolInfo | null;
  result: PickResult | null;
  closedBy: string | null;
  createdAt: Date;
  closedAt: Date | null;
}

export type MemberVia = 'linked' | 'public' | 'awaiting-link';

export interface PickMember {
  identityId: number;
  displayName: string;
  via: MemberVia;
  traktUsername: string | null;
  notify: boolean;
  approvals: number[];
  joinedAt: Date;
}

export interface BallotItem {
  position: number;
  itemKey: string;
  title: Title;
  wantedBy: number;
  nominated: boolean;
}

/** A title pooled from members' watchlist copies: how many want it. */
export interface PooledTitle {
  itemKey: string;
  title: Title;
  wantedBy: number;
}

export const DEFAULT_BALLOT = 8;
export const MAX_BALLOT = 20;
export const MIN_BALLOT = 2;
export const DEFAULT_VOTING_MS = 10 * 60_000;
export const MIN_VOTING_MS = 10_000;
export const MAX_VOTING_MS = 7 * 24 * 60 * 60_000;

export function defaultOptions(): PickOptions {
  return { types: ['movie', 'show'], ballotSize: DEFAULT_BALLOT, votingMs: DEFAULT_VOTING_MS };
}

/** Approvals per member: about a third of the ballot, at least one. */
export function capFor(ballotSize: number): number {
  return Math.max(1, Math.round(ballotSize / 3));
}

/** `movie:<trakt>` or `show:<trakt>`: a season or an episode counts for its show. */
export function pickKey(title: Pick<Title, 'type' | 'ids'>): string {
  return `${title.type}:${title.ids.trakt}`;
}

/**
 * The text the draw's seed is made from, all of it on the cards: the session id, then one line per
 * ballot title in ballot order, its number on the ballot (from 1) and its votes.
 */
export function seedText(token: string, ballot: readonly Pick<BallotItem, 'position'>[], votes: ReadonlyMap<number, number>): string {
  const lines = [...ballot].sort((a, b) => a.position - b.position).map((item) => `${item.position + 1} ${votes.get(item.position) ?? 0}`);
  return [token, ...lines].join('\n');
}

/** The first 16 hex digits of SHA-256 of the seed text. */
export function drawSeed(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}

/** The draw: the seed as a number, modulo how many are tied; the tied in ballot order. */
export function drawIndex(seed: string, tied: number): number {
  return Number(BigInt(`0x${seed}`) % BigInt(tied));
}

/**
 * The winner: most votes; among those, wanted by the most members; if still tied, the draw. No votes
 * at all: no winner.
 */
export function decide(
  token: string,
  ballot: readonly BallotItem[],
  votes: ReadonlyMap<number, number>,
  counts: { members: number; voters: number },
): PickResult {
  const top = Math.max(0, ...ballot.map((item) => votes.get(item.position) ?? 0));
  if (top === 0) return { kind: 'no-votes', members: counts.members };
  const most = ballot.filter((item) => (votes.get(item.position) ?? 0) === top);
  const wanted = Math.max(...most.map((item) => item.wantedBy));
  const tied = most.filter((item) => item.wantedBy === wanted).sort((a, b) => a.position - b.position);
  const base = { votes: top, members: counts.members, voters: counts.voters };
  if (most.length === 1 || tied.length === 1) {
    const winner = (tied[0] ?? most[0]) as BallotItem;
    return { kind: 'winner', position: winner.position, itemKey: winner.itemKey, title: winner.title, wantedBy: winner.wantedBy, ...base, rule: most.length === 1 ? 'votes' : 'wanted-by' };
  }
  const seed = drawSeed(seedText(token, ballot, votes));
  const winner = tied[drawIndex(seed, tied.length)] as BallotItem;
  return { kind: 'winner', position: winner.position, itemKey: winner.itemKey, title: winner.title, wantedBy: winner.wantedBy, ...base, rule: 'draw', seed, tied: tied.length };
}

/** Votes per ballot position from the members' approvals (each approval counted once per member). */
export function tallyOf(members: readonly Pick<PickMember, 'approvals' | 'via'>[]): Map<number, number> {
  const votes = new Map<number, number>();
  for (const member of members) {
    if (member.via === 'awaiting-link') continue;
    for (const position of new Set(member.approvals)) votes.set(position, (votes.get(position) ?? 0) + 1);
  }
  return votes;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30s`, `10m`, `10 min`, `2h`, `1d`, `1w`, or bare minutes; undefined when not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,4})\s*(s|m|min|h|d|w)?$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = UNITS[(match[2] ?? 'm').toLowerCase()] ?? 60_000;
  return Number(match[1]) * unit;
}

/** `10 minutes`, `2 hours`, `1 week`: the largest whole unit, in the translator's language. */
export function formatDuration(ms: number, i18n: Translator): string {
  const parts: Array<[number, string]> = [
    [604_800_000, 'picks:duration.week'],
    [86_400_000, 'picks:duration.day'],
    [3_600_000, 'picks:duration.hour'],
    [60_000, 'picks:duration.minute'],
    [1000, 'picks:duration.second'],
  ];
  for (const [size, key] of parts) {
    if (ms >= size && ms % size === 0) return i18n.t(key, { count: ms / size });
  }
  return i18n.t('picks:duration.minute', { count: Math.max(1, Math.round(ms / 60_000)) });
}

/** A genre as the user typed it → Trakt's slug (`Science Fiction` → `science-fiction`). */
export function genreSlug(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export type ParsedPickArgs = { kind: 'history' } | { kind: 'help' } | { kind: 'open'; options: PickOptions } | { kind: 'error'; problem: string };

const TYPE_WORDS: Record<string, PickKind[]> = {
  movie: ['movie'],
  movies: ['movie'],
  film: ['movie'],
  films: ['movie'],
  show: ['show'],
  shows: ['show'],
  series: ['show'],
  tv: ['show'],
  both: ['movie', 'show'],
  all: ['movie', 'show'],
};

/**
 * `/pick` arguments, the same on every platform: words (`movies`, `shows`, `both`, `history`, `help`),
 * a year range (`1990-2005`, `2000-`, `-1999`), a duration for the vote (`30m`, `2h`, `1d`), and
 * `key=value` options: `type=`, `genre=`, `runtime=` (longest, in minutes), `years=`, `ballot=`, `time=`.
 */
export function parsePickArgs(args: string, i18n: Translator): ParsedPickArgs {
  const options = defaultOptions();
  const text = args.trim();
  if (/^history$/i.test(text)) return { kind: 'history' };
  if (/^help$/i.test(text)) return { kind: 'help' };
  // `key=value` where a value may hold spaces up to the next key (`genre=science fiction time=1h`).
  const tokens: Array<{ key?: string; value: string }> = [];
  let rest = text;
  while (rest.length > 0) {
    rest = rest.trimStart();
    const match = /^(\w+)\s*=(.*?)(?=\s+\w+\s*=|$)/.exec(rest);
    if (match) {
      tokens.push({ key: (match[1] ?? '').toLowerCase(), value: (match[2] ?? '').trim() });
      rest = rest.slice(match[0].length);
      continue;
    }
    const word = /^\S+/.exec(rest)?.[0] ?? '';
    if (word === '') break;
    tokens.push({ value: word });
    rest = rest.slice(word.length);
  }
  for (const token of tokens) {
    const problem = applyToken(options, token.key, token.value, i18n);
    if (problem !== undefined) return { kind: 'error', problem };
  }
  if (options.yearFrom !== undefined && options.yearTo !== undefined && options.yearFrom > options.yearTo) {
    return { kind: 'error', problem: i18n.t('picks:args.yearsBackwards', { from: options.yearFrom, to: options.yearTo }) };
  }
  return { kind: 'open', options };
}

function applyYears(options: PickOptions, value: string, i18n: Translator): string | undefined {
  const match = /^(\d{4})?\s*-\s*(\d{4})?$/.exec(value) ?? /^(\d{4})$/.exec(value);
  if (!match || (match[1] === undefined && match[2] === undefined)) return i18n.t('picks:args.badYears', { value });
  if (value.includes('-')) {
    if (match[1] !== undefined) options.yearFrom = Number(match[1]);
    if (match[2] !== undefined) options.yearTo = Number(match[2]);
  } else {
    options.yearFrom = Number(match[1]);
    options.yearTo = Number(match[1]);
  }
  return undefined;
}

function applyToken(options: PickOptions, key: string | undefined, value: string, i18n: Translator): string | undefined {
  const lower = value.toLowerCase();
  if (key === undefined) {
    const types = TYPE_WORDS[lower];
    if (types !== undefined) {
      options.types = types;
      return undefined;
    }
    if (/^\d{4}?-\d{4}?$|^\d{4}-$|^-\d{4}$/.test(value)) return applyYears(options, value, i18n);
    const duration = parseDuration(value);
    if (duration !== undefined && /[a-z]$/i.test(value)) return applyKey(options, 'time', value, i18n);
    return `${i18n.t('picks:args.notUnderstood', { value: value.slice(0, 40) })} ${pickUsage(i18n)}`;
  }
  return applyKey(options, key, value, i18n);
}

function applyKey(options: PickOptions, key: string, value: string, i18n: Translator): string | undefined {
  switch (key) {
    case 'type':
    case 'types': {
      const types = TYPE_WORDS[value.toLowerCase()];
      if (types === undefined) return i18n.t('picks:args.badType', { value: value.slice(0, 40) });
      options.types = types;
      return undefined;
    }
    case 'genre': {
      const slug = genreSlug(value);
      if (slug === '' || slug.length > 40) return i18n.t('picks:args.badGenre');
      options.genre = slug;
      return undefined;
    }
    case 'runtime':
    case 'length':
    case 'max': {
      const minutes = /^(\d{1,4})\s*(m|min|minutes)?$/i.exec(value.trim());
      const hours = /^(\d{1,2})\s*h(?:\s*(\d{1,2})\s*(?:m|min)?)?$/i.exec(value.trim());
      const total = minutes ? Number(minutes[1]) : hours ? Number(hours[1]) * 60 + Number(hours[2] ?? 0) : undefined;
      if (total === undefined || total <= 0) return i18n.t('picks:args.badRuntime');
      options.maxRuntime = total;
      return undefined;
    }
    case 'year':
    case 'years':
      return applyYears(options, value.trim(), i18n);
    case 'ballot':
    case 'size': {
      const size = Number(value);
      if (!Number.isInteger(size) || size < MIN_BALLOT || size > MAX_BALLOT) return i18n.t('picks:args.badBallot', { min: MIN_BALLOT, max: MAX_BALLOT });
      options.ballotSize = size;
      return undefined;
    }
    case 'time':
    case 'vote':
    case 'voting': {
      const ms = parseDuration(value);
      if (ms === undefined || ms < MIN_VOTING_MS || ms > MAX_VOTING_MS) return i18n.t('picks:args.badTime');
      options.votingMs = ms;
      return undefined;
    }
    default:
      return `${i18n.t('picks:args.unknownOption', { key: key.slice(0, 20) })} ${pickUsage(i18n)}`;
  }
}

/** What `/pick` takes, one paragraph (in `/help pick` and after a misunderstood argument). */
export function pickUsage(i18n: Translator): string {
  return i18n.t('picks:args.usage');
}

export const PICK_USAGE = pickUsage(EN);

/** The filters as one line for the card (the genre as Trakt names it, in English). */
export function describeOptions(options: PickOptions, i18n: Translator): string {
  const kinds = options.types.length === 2 ? 'picks:filters.both' : options.types[0] === 'movie' ? 'picks:filters.movies' : 'picks:filters.shows';
  const parts: string[] = [i18n.t(kinds)];
  if (options.genre) parts.push(options.genre.replace(/-/g, ' '));
  if (options.maxRuntime) parts.push(i18n.t('picks:filters.runtime', { minutes: options.maxRuntime }));
  if (options.yearFrom !== undefined || options.yearTo !== undefined) {
    parts.push(options.yearFrom === options.yearTo ? String(options.yearFrom) : `${options.yearFrom ?? '…'}–${options.yearTo ?? '…'}`);
  }
  parts.push(i18n.t('picks:filters.ballot', { size: options.ballotSize }), i18n.t('picks:filters.voteRuns', { duration: formatDuration(options.votingMs, i18n) }));
  return parts.join(' · ');
}
