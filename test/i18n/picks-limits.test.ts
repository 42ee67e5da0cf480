import { describe, expect, it } from 'vitest';
import type { CoreDeps } from '../../src/bot/core/context.js';
import { RESOURCES } from '../../src/bot/core/i18n/catalog.js';
import { flatten } from '../../src/bot/core/i18n/check.js';
import { LOCALES, translator } from '../../src/bot/core/i18n/index.js';
import { MAX_BALLOT, parsePickArgs, type BallotItem, type PickMember, type PickSession } from '../../src/bot/core/picks/model.js';
import type { PickStore } from '../../src/bot/core/picks/ports.js';
import { pickHelpReplies } from '../../src/bot/core/picks/commands.js';
import { resultCard, sessionCard } from '../../src/bot/core/picks/session.js';
import type { Title } from '../../src/bot/core/ports.js';
import { plainText, type Reply } from '../../src/bot/core/types.js';
import { expectAckWithinLimits, expectWithinLimits } from './limits.js';

/**
 * Group picks' cards, help and toasts in every language fit both platforms as the adapters render them,
 * on the largest session the rules allow: a full ballot of long titles, many members with long names,
 * stale copies, a draw.
 */
const NOW = new Date('2026-12-07T20:00:00Z');

function title(n: number): Title {
  return { type: n % 2 === 0 ? 'movie' : 'show', ids: { trakt: 1000 + n }, title: `A Rather Long Title Number ${n}: The Extended Edition`, year: 1990 + n, runtime: 148, rating: 7.9, posterUrl: null };
}

const ballot: BallotItem[] = Array.from({ length: MAX_BALLOT }, (_, position) => ({ position, itemKey: `movie:${1000 + position}`, title: title(position), wantedBy: 29, nominated: position < 5 }));
const members: PickMember[] = Array.from({ length: 30 }, (_, i) => ({
  identityId: i + 1,
  displayName: `Maximiliane Mustermann-Schulze ${i}`.slice(0, 64),
  via: i < 25 ? 'linked' : 'awaiting-link',
  traktUsername: null,
  notify: false,
  approvals: [i % MAX_BALLOT, (i + 1) % MAX_BALLOT],
  joinedAt: NOW,
}));

const store = {
  members: () => Promise.resolve(members),
  ballot: () => Promise.resolve(ballot),
  pool: () => Promise.resolve(ballot.slice(0, 3).map((b) => ({ itemKey: b.itemKey, title: b.title, wantedBy: b.wantedBy }))),
} as unknown as PickStore;
const deps = { picks: store, clock: { now: () => NOW } } as unknown as CoreDeps;

function session(status: PickSession['status'], extra: Partial<PickSession> = {}): PickSession {
  return {
    id: 1,
    token: 'AbCdEfGhIjKl',
    platform: 'telegram',
    chatId: '-1',
    cardMessageId: null,
    hostIdentityId: 1,
    status,
    options: { types: ['movie', 'show'], genre: 'science-fiction', maxRuntime: 180, yearFrom: 1990, yearTo: 2010, ballotSize: MAX_BALLOT, votingMs: 6 * 24 * 60 * 60_000 + 23 * 60 * 60_000 },
    cap: 7,
    deadline: new Date(NOW.getTime() + 6 * 24 * 60 * 60_000),
    pool: { members: 25, stale: members.slice(0, 6).map((m, i) => ({ name: m.displayName, checkedAt: i % 2 === 0 ? null : '2026-12-01T08:00:00Z' })) },
    result: null,
    closedBy: null,
    createdAt: NOW,
    closedAt: null,
    ...extra,
  };
}

describe.each(LOCALES)('group picks in %s', (locale) => {
  const i18n = translator(locale);

  it('GIVEN the largest session WHEN its cards, the result and /help pick are rendered for both platforms THEN nothing is cut', async () => {
    const draw = { kind: 'winner' as const, position: 3, itemKey: 'movie:1003', title: title(3), votes: 12, wantedBy: 29, members: 25, voters: 24, rule: 'draw' as const, seed: '0123456789abcdef', tied: 3 };
    const replies: Array<[string, Reply]> = [
      ['gathering card', await sessionCard(deps, session('gathering'), i18n)],
      ['voting card', await sessionCard(deps, session('voting'), i18n)],
      ['closed card', await sessionCard(deps, session('closed', { result: draw }), i18n)],
      ['cancelled card', await sessionCard(deps, session('cancelled'), i18n)],
      ['result, a draw', resultCard(session('closed'), draw, i18n)],
      ['result, nobody voted', resultCard(session('closed'), { kind: 'no-votes', members: 25 }, i18n)],
      ...(await pickHelpReplies(i18n)).map((reply): [string, Reply] => ['/help pick', reply]),
    ];
    for (const [name, reply] of replies) {
      expectWithinLimits(reply, `${locale} ${name}`);
      expect(plainText(reply.text).length).toBeGreaterThan(0);
    }
    // The gathering card names 12 members and counts the rest in the card's language.
    expect(plainText(replies[0]?.[1].text ?? '')).toContain(i18n.t('picks:moreNames', { names: '', more: 13 }).trim());
  });

  it('GIVEN every toast of group picks with long values WHEN measured THEN each fits Telegram’s alert', () => {
    const acks = [...flatten(RESOURCES[locale].picks)].filter(([key]) => key.startsWith('ack.'));
    expect(acks.length).toBeGreaterThan(20);
    for (const [key] of acks) {
      const base = key.replace(/_(one|many|other)$/, '');
      const text = i18n.t(`picks:${base}`, { count: 7, cap: 7, approved: 7, list: '1. x' });
      expectAckWithinLimits({ text }, `${locale} ${key}`);
    }
  });

  it('GIVEN a misunderstood /pick argument THEN the answer is one message in this language that fits', () => {
    const parsed = parsePickArgs('tonight', i18n);
    expect(parsed.kind).toBe('error');
    if (parsed.kind !== 'error') return;
    expect(parsed.problem).toContain(i18n.t('picks:args.usage'));
    expectWithinLimits({ text: parsed.problem }, `${locale} /pick tonight`);
  });
});
