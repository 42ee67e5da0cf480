import { EN } from '../../src/bot/core/i18n/index.js';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BALLOT,
  DEFAULT_VOTING_MS,
  capFor,
  decide,
  drawIndex,
  formatDuration,
  genreSlug,
  parsePickArgs,
  tallyOf,
  type BallotItem,
  type MemberVia,
  type PickOptions,
  type PickResult,
} from '../../src/bot/core/picks/model.js';
import type { Title } from '../../src/bot/core/ports.js';

/** The group pick's pure rules: arguments, the approval cap, the tally and its tie-break. */

function open(args: string): PickOptions {
  const parsed = parsePickArgs(args, EN);
  if (parsed.kind !== 'open') throw new Error(`expected options for “${args}”, got ${JSON.stringify(parsed)}`);
  return parsed.options;
}

function problem(args: string): string {
  const parsed = parsePickArgs(args, EN);
  if (parsed.kind !== 'error') throw new Error(`expected an error for “${args}”, got ${JSON.stringify(parsed)}`);
  return parsed.problem;
}

describe('parsePickArgs', () => {
  it('GIVEN no arguments THEN both kinds, a ballot of 8 and 10 minutes', () => {
    expect(parsePickArgs('', EN)).toEqual({ kind: 'open', options: { types: ['movie', 'show'], ballotSize: DEFAULT_BALLOT, votingMs: DEFAULT_VOTING_MS } });
    expect(DEFAULT_BALLOT).toBe(8);
    expect(DEFAULT_VOTING_MS).toBe(600_000);
    expect(parsePickArgs('   ', EN)).toEqual(parsePickArgs('', EN));
  });

  it('GIVEN history or help (any case, padded) THEN those commands, and not when more words follow', () => {
    expect(parsePickArgs('history', EN)).toEqual({ kind: 'history' });
    expect(parsePickArgs('  HISTORY ', EN)).toEqual({ kind: 'history' });
    expect(parsePickArgs('help', EN)).toEqual({ kind: 'help' });
    expect(parsePickArgs('Help', EN)).toEqual({ kind: 'help' });
    expect(parsePickArgs('history movies', EN).kind).toBe('error');
  });

  it('GIVEN type words THEN the kinds they name; the last one wins', () => {
    for (const word of ['movies', 'movie', 'film', 'films', 'MOVIES']) expect(open(word).types).toEqual(['movie']);
    for (const word of ['shows', 'show', 'series', 'tv']) expect(open(word).types).toEqual(['show']);
    for (const word of ['both', 'all']) expect(open(word).types).toEqual(['movie', 'show']);
    expect(open('movies shows').types).toEqual(['show']);
    expect(open('type=films').types).toEqual(['movie']);
    expect(open('types=series').types).toEqual(['show']);
    expect(problem('type=cartoons')).toBe('type= takes movies, shows or both, not “cartoons”.');
  });

  it('GIVEN keyed options with spaces in a value THEN each value runs up to the next key', () => {
    expect(open('genre=science fiction time=1h')).toEqual({ types: ['movie', 'show'], genre: 'science-fiction', ballotSize: 8, votingMs: 3_600_000 });
    expect(open('movies genre=Science Fiction runtime=120 ballot=5 time=30m')).toEqual({
      types: ['movie'],
      genre: 'science-fiction',
      maxRuntime: 120,
      ballotSize: 5,
      votingMs: 1_800_000,
    });
    expect(open('Genre = horror  Ballot = 4')).toMatchObject({ genre: 'horror', ballotSize: 4 });
    expect(open('years=1990-2005 type=shows')).toMatchObject({ yearFrom: 1990, yearTo: 2005, types: ['show'] });
  });

  it('GIVEN a key with an empty value followed by another key THEN the empty value is refused, not taken from the next key', () => {
    expect(problem('genre=')).toBe('genre= takes a genre such as horror, comedy or science fiction.');
    expect(problem('genre= time=1h')).toBe('genre= takes a genre such as horror, comedy or science fiction.');
    expect(problem('genre=!!!')).toBe('genre= takes a genre such as horror, comedy or science fiction.');
    expect(problem(`genre=${'a'.repeat(41)}`)).toContain('genre= takes a genre');
    expect(open(`genre=${'a'.repeat(40)}`).genre).toBe('a'.repeat(40));
  });

  it('GIVEN year ranges as words or years= THEN from/to as written; a single year is both; backwards is refused', () => {
    expect(open('1990-2005')).toMatchObject({ yearFrom: 1990, yearTo: 2005 });
    const from = open('2000-');
    expect(from.yearFrom).toBe(2000);
    expect(from.yearTo).toBeUndefined();
    const to = open('-1999');
    expect(to.yearFrom).toBeUndefined();
    expect(to.yearTo).toBe(1999);
    expect(open('years=1984')).toMatchObject({ yearFrom: 1984, yearTo: 1984 });
    expect(open('year=1990 - 2005')).toMatchObject({ yearFrom: 1990, yearTo: 2005 });
    expect(open('years=2000-')).toMatchObject({ yearFrom: 2000 });
    expect(open('years=-1999')).toMatchObject({ yearTo: 1999 });
    expect(open('2001-2001')).toMatchObject({ yearFrom: 2001, yearTo: 2001 });
    expect(problem('2005-1990')).toBe('The year range 2005-1990 is backwards.');
    expect(problem('years=2005-1990')).toBe('The year range 2005-1990 is backwards.');
    expect(problem('years=nineties')).toBe('I did not understand the years “nineties”: write them like 1990-2005, 2000- or -1999.');
    expect(problem('years=-')).toContain('I did not understand the years “-”');
    expect(problem('years=99-05')).toContain('I did not understand the years');
    expect(problem('199-2005')).toContain('I did not understand “199-2005”');
  });

  it('GIVEN durations as words or time= THEN the voting time, within 10 s and a week', () => {
    expect(open('30m').votingMs).toBe(1_800_000);
    expect(open('2h').votingMs).toBe(7_200_000);
    expect(open('1d').votingMs).toBe(86_400_000);
    expect(open('1w').votingMs).toBe(604_800_000);
    expect(open('10s').votingMs).toBe(10_000);
    expect(open('time=10 min').votingMs).toBe(600_000);
    expect(open('time=45').votingMs).toBe(45 * 60_000);
    expect(open('vote=3d').votingMs).toBe(3 * 86_400_000);
    expect(open('voting=90s').votingMs).toBe(90_000);
    expect(open('7d').votingMs).toBe(604_800_000);
    const bounds = 'time= takes how long the vote runs, from 10s to 1w, like time=10m, time=2h or time=3d.';
    expect(problem('9s')).toBe(bounds);
    expect(problem('8d')).toBe(bounds);
    expect(problem('2w')).toBe(bounds);
    expect(problem('time=0m')).toBe(bounds);
    expect(problem('time=soon')).toBe(bounds);
    expect(problem('time=')).toBe(bounds);
    // A bare number is not taken as a duration when it stands alone (it could be anything).
    expect(problem('45')).toContain('I did not understand “45”');
  });

  it('GIVEN runtime= in minutes or hours THEN the longest runtime in minutes; zero or nonsense is refused', () => {
    expect(open('runtime=120').maxRuntime).toBe(120);
    expect(open('runtime=95 min').maxRuntime).toBe(95);
    expect(open('runtime=2h').maxRuntime).toBe(120);
    expect(open('runtime=1h30').maxRuntime).toBe(90);
    expect(open('length=1h 45m').maxRuntime).toBe(105);
    expect(open('max=90m').maxRuntime).toBe(90);
    const usage = 'runtime= takes the longest runtime in minutes, like runtime=120 or runtime=2h.';
    expect(problem('runtime=0')).toBe(usage);
    expect(problem('runtime=long')).toBe(usage);
    expect(problem('runtime=-5')).toBe(usage);
    expect(problem('runtime=')).toBe(usage);
  });

  it('GIVEN ballot= THEN 2 to 20 whole titles', () => {
    expect(open('ballot=2').ballotSize).toBe(2);
    expect(open('size=20').ballotSize).toBe(20);
    const usage = 'ballot= takes a number of titles from 2 to 20.';
    for (const bad of ['1', '21', '0', '2.5', 'eight', '']) expect(problem(`ballot=${bad}`)).toBe(usage);
  });

  it('GIVEN an unknown word or key THEN a clear answer with the usage', () => {
    expect(problem('tonight')).toMatch(/^I did not understand “tonight”\. Options: /);
    expect(problem(`${'x'.repeat(60)}`)).toContain(`“${'x'.repeat(40)}”`);
    expect(problem('mood=happy')).toMatch(/^I do not know the option “mood=”\. Options: /);
    // The first problem is the one reported.
    expect(problem('ballot=99 mood=happy')).toBe('ballot= takes a number of titles from 2 to 20.');
  });
});

describe('capFor', () => {
  it('GIVEN a ballot size THEN about a third of it, at least one', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20].map(capFor)).toEqual([1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 7]);
    expect(capFor(0)).toBe(1);
  });
});

function title(trakt: number, name = `Title ${trakt}`): Title {
  return { type: 'movie', ids: { trakt }, title: name, year: 2000, posterUrl: null };
}

function ballotOf(wanted: number[]): BallotItem[] {
  return wanted.map((wantedBy, position) => ({ position, itemKey: `movie:${100 + position}`, title: title(100 + position), wantedBy, nominated: false }));
}

/** The rule exactly as /help pick words it, written here independently of the code. */
function documentedSeed(token: string, ballot: BallotItem[], votes: Map<number, number>): string {
  const lines = [...ballot].sort((a, b) => a.position - b.position).map((item) => `${item.position + 1} ${votes.get(item.position) ?? 0}`);
  return createHash('sha256').update([token, ...lines].join('\n')).digest('hex').slice(0, 16);
}

function winner(result: PickResult): Extract<PickResult, { kind: 'winner' }> {
  if (result.kind !== 'winner') throw new Error(`expected a winner, got ${JSON.stringify(result)}`);
  return result;
}

describe('decide', () => {
  const counts = { members: 4, voters: 3 };

  it('GIVEN one title with the most votes THEN it wins by votes, whatever wanted-by says', () => {
    const ballot = ballotOf([4, 1, 3]);
    const result = winner(decide('tok', ballot, new Map([[0, 1], [1, 3], [2, 2]]), counts));
    expect(result).toEqual({ kind: 'winner', position: 1, itemKey: 'movie:101', title: title(101), votes: 3, wantedBy: 1, members: 4, voters: 3, rule: 'votes' });
    expect(result.seed).toBeUndefined();
  });

  it('GIVEN a tie on votes THEN the one wanted by more members wins', () => {
    const ballot = ballotOf([1, 3, 2, 4]);
    // Positions 1 and 2 tie on 2 votes; 3 is wanted most but has fewer votes.
    const result = winner(decide('tok', ballot, new Map([[0, 1], [1, 2], [2, 2], [3, 1]]), counts));
    expect(result).toMatchObject({ position: 1, rule: 'wanted-by', votes: 2, wantedBy: 3 });
    expect(result.seed).toBeUndefined();
  });

  it('GIVEN a tie on votes and wanted-by THEN a draw whose seed is SHA-256 of the documented text and whose winner is the seed mod the tied count', () => {
    const ballot = ballotOf([2, 2, 1, 2, 2]);
    const votes = new Map([[0, 2], [1, 2], [2, 2], [3, 1], [4, 2]]);
    // Tied on 2 votes: 0, 1, 2, 4; of those 0, 1 and 4 are wanted by 2.
    const tied = [0, 1, 4];
    const seeds = new Set<string>();
    const winners = new Set<number>();
    for (const token of ['a1', 'b2', 'c3', 'd4', 'e5', 'f6', 'g7', 'h8']) {
      const result = winner(decide(token, ballot, votes, counts));
      const seed = documentedSeed(token, ballot, votes);
      expect(result.seed).toBe(seed);
      expect(result.seed).toMatch(/^[0-9a-f]{16}$/);
      const index = Number(BigInt(`0x${seed}`) % 3n);
      expect(drawIndex(seed, 3)).toBe(index);
      expect(result).toMatchObject({ rule: 'draw', tied: 3, votes: 2, wantedBy: 2, position: tied[index] });
      expect(result.itemKey).toBe(`movie:${100 + (tied[index] as number)}`);
      seeds.add(seed);
      winners.add(result.position);
    }
    // The draw depends on the session: different tokens give different seeds (and not always the same winner).
    expect(seeds.size).toBe(8);
    expect(winners.size).toBeGreaterThan(1);
  });

  it('GIVEN the ballot in another order THEN the same result (the draw uses ballot order)', () => {
    const ballot = ballotOf([1, 1, 1]);
    const votes = new Map([[0, 1], [1, 1], [2, 1]]);
    const sorted = decide('session-x', ballot, votes, counts);
    expect(decide('session-x', [...ballot].reverse(), votes, counts)).toEqual(sorted);
    expect(winner(sorted).seed).toBe(documentedSeed('session-x', ballot, votes));
  });

  it('GIVEN a seed text THEN positions count from 1 and titles without votes count 0', () => {
    const ballot = ballotOf([1, 1]);
    const votes = new Map([[0, 1], [1, 1]]);
    const expected = createHash('sha256').update('tok\n1 1\n2 1').digest('hex').slice(0, 16);
    expect(winner(decide('tok', ballot, votes, counts)).seed).toBe(expected);
    const three = ballotOf([1, 1, 1]);
    const withZero = createHash('sha256').update('tok\n1 1\n2 1\n3 0').digest('hex').slice(0, 16);
    expect(winner(decide('tok', three, votes, counts)).seed).toBe(withZero);
  });

  it('GIVEN no votes (or only votes for positions not on the ballot) THEN no winner', () => {
    expect(decide('tok', ballotOf([3, 2]), new Map(), counts)).toEqual({ kind: 'no-votes', members: 4 });
    expect(decide('tok', ballotOf([3, 2]), new Map([[7, 3]]), counts)).toEqual({ kind: 'no-votes', members: 4 });
    expect(decide('tok', [], new Map(), { members: 0, voters: 0 })).toEqual({ kind: 'no-votes', members: 0 });
  });
});

describe('drawIndex', () => {
  it('GIVEN a seed THEN the seed as a 64-bit number mod the tied count, exactly (no float rounding)', () => {
    expect(drawIndex('ffffffffffffffff', 10)).toBe(5); // 18446744073709551615 mod 10
    expect(drawIndex('0000000000000007', 3)).toBe(1);
    expect(drawIndex('0000000000000000', 4)).toBe(0);
    expect(drawIndex('8000000000000001', 7)).toBe(Number((2n ** 63n + 1n) % 7n));
  });
});

describe('tallyOf', () => {
  function member(via: MemberVia, approvals: number[]): { via: MemberVia; approvals: number[] } {
    return { via, approvals };
  }

  it('GIVEN members THEN votes per position; awaiting-link members do not count; a duplicated approval counts once', () => {
    const tally = tallyOf([member('linked', [0, 2]), member('public', [2, 2, 2]), member('awaiting-link', [0, 1, 2]), member('linked', []), member('linked', [1, 2])]);
    expect([...tally.entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [0, 1],
      [1, 1],
      [2, 3],
    ]);
    expect(tallyOf([]).size).toBe(0);
    expect(tallyOf([member('awaiting-link', [0])]).size).toBe(0);
  });
});

describe('formatDuration', () => {
  it('GIVEN whole units THEN the largest unit that divides it, singular for one', () => {
    expect(formatDuration(600_000, EN)).toBe('10 minutes');
    expect(formatDuration(60_000, EN)).toBe('1 minute');
    expect(formatDuration(3_600_000, EN)).toBe('1 hour');
    expect(formatDuration(5_400_000, EN)).toBe('90 minutes');
    expect(formatDuration(7_200_000, EN)).toBe('2 hours');
    expect(formatDuration(86_400_000, EN)).toBe('1 day');
    expect(formatDuration(3 * 86_400_000, EN)).toBe('3 days');
    expect(formatDuration(604_800_000, EN)).toBe('1 week');
    expect(formatDuration(1_209_600_000, EN)).toBe('2 weeks');
    expect(formatDuration(8 * 86_400_000, EN)).toBe('8 days');
    expect(formatDuration(1000, EN)).toBe('1 second');
    expect(formatDuration(90_000, EN)).toBe('90 seconds');
  });

  it('GIVEN what parsePickArgs accepts THEN the card reads back what was typed', () => {
    expect(formatDuration(open('time=10s').votingMs, EN)).toBe('10 seconds');
    expect(formatDuration(open('time=36h').votingMs, EN)).toBe('36 hours');
    expect(formatDuration(open('time=7d').votingMs, EN)).toBe('1 week');
  });
});

describe('genreSlug', () => {
  it('GIVEN a genre as typed THEN Trakt’s slug', () => {
    expect(genreSlug('Science Fiction')).toBe('science-fiction');
    expect(genreSlug('  science   fiction  ')).toBe('science-fiction');
    expect(genreSlug('science-fiction')).toBe('science-fiction');
    expect(genreSlug('Horror')).toBe('horror');
    expect(genreSlug('Sci-Fi & Fantasy!')).toBe('sci-fi-fantasy');
    expect(genreSlug('--War--')).toBe('war');
    expect(genreSlug('!!!')).toBe('');
  });
});
