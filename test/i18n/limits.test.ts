import { describe, expect, it } from 'vitest';
import {
  AccountLockedError,
  NeedsLinkError,
  TraktProfilePrivateError,
  TraktRefusedAppError,
  TraktUnavailableError,
  TraktUserUnknownError,
  VipRequiredError,
  WatchlistFullError,
} from '../../src/bot/core/errors.js';
import { LANGUAGE_NAMES, LOCALES, translator } from '../../src/bot/core/i18n/index.js';
import { linkNoticeReply, relinkRequiredReply } from '../../src/bot/core/notices.js';
import { errorReply, noticesIn } from '../../src/bot/core/replies.js';
import { plainText, type Button, type Reply } from '../../src/bot/core/types.js';
import { coreIn, expectAckWithinLimits, expectWithinLimits } from './limits.js';

/**
 * The converted replies in every language fit Telegram's and Discord's limits as the adapters render
 * them (German runs longest). Each area adds its replies in its own test file with the same helpers.
 */
const ALICE = '101';

function action(reply: Reply | undefined, label: string): string {
  const found = (reply?.buttons ?? []).flat().find((b): b is Extract<Button, { action: string }> => 'action' in b && b.label === label);
  if (found === undefined) throw new Error(`no button ${label}`);
  return found.action;
}

describe.each(LOCALES)('replies in %s', (locale) => {
  it('GIVEN /help, /start and /language (menu, choices, a group) WHEN rendered for both platforms THEN nothing is cut', async () => {
    const { core, world, command, press } = coreIn(locale);
    const replies: Array<[string, Reply]> = [];
    const collect = async (name: string, input: Parameters<typeof core.handleCommand>[0]) => {
      for (const reply of await core.handleCommand(input)) replies.push([name, reply]);
    };
    await collect('/help unlinked', command(ALICE, 'help'));
    await collect('/start unlinked', command(ALICE, 'start'));
    world.linked.set(Number(ALICE), { username: 'alexandra_von_langenamen_1234', vip: false, watchlistLimit: 250 });
    await collect('/help linked', command(ALICE, 'help'));
    await collect('/language', command(ALICE, 'language'));
    await collect('/language unknown', command(ALICE, 'language', 'x'.repeat(40)));
    await collect('/language in a group', command(ALICE, 'language', '', { chatId: '-7', kind: 'group' }));
    await collect('/language de in a group', command(ALICE, 'language', 'de', { chatId: '-7', kind: 'group' }));
    await collect('/language auto in a group', command(ALICE, 'language', 'auto', { chatId: '-7', kind: 'group' }));
    for (const other of LOCALES) {
      const step = await core.pressButton(press(ALICE, action(replies.find(([n]) => n === '/language')?.[1], LANGUAGE_NAMES[other])));
      expectAckWithinLimits(step.ack, `${locale} press ${other}`);
      const outcome = await step.work?.();
      if (outcome?.edit !== undefined) replies.push([`pressed ${other}`, outcome.edit]);
    }
    await collect('/language auto', command(ALICE, 'language', 'auto'));
    expect(replies.length).toBeGreaterThanOrEqual(12);
    for (const [name, reply] of replies) {
      expectWithinLimits(reply, `${locale} ${name}`);
      expect(plainText(reply.text).length).toBeGreaterThan(0);
    }
  });
});


describe.each(LOCALES)('account replies, errors and notices in %s', (locale) => {
  it('GIVEN /link, /status, /unlink and /undo, linked and not WHEN rendered for both platforms THEN nothing is cut', async () => {
    const { core, world, command } = coreIn(locale);
    const replies: Array<[string, Reply]> = [];
    const collect = async (name: string, input: Parameters<typeof core.handleCommand>[0]) => {
      for (const reply of await core.handleCommand(input)) replies.push([name, reply]);
    };
    await collect('/link', command(ALICE, 'link'));
    await collect('/link in a group', command(ALICE, 'link', '', { chatId: '-7', kind: 'group' }));
    await collect('/status unlinked', command(ALICE, 'status'));
    await collect('/unlink unlinked', command(ALICE, 'unlink'));
    await collect('/undo unlinked', command(ALICE, 'undo'));
    await collect('/frob', command(ALICE, 'frob'));
    world.linked.set(Number(ALICE), { username: 'alexandra_von_langenamen_1234', vip: false, watchlistLimit: 250 });
    await collect('/link linked', command(ALICE, 'link'));
    await collect('/status', command(ALICE, 'status'));
    await collect('/undo', command(ALICE, 'undo'));
    await collect('/unlink', command(ALICE, 'unlink'));
    expect(replies.length).toBeGreaterThanOrEqual(10);
    for (const [name, reply] of replies) expectWithinLimits(reply, `${locale} ${name}`);
  });

  it('GIVEN every user-facing error, link notice and adapter notice WHEN rendered THEN nothing is cut', () => {
    const i18n = translator(locale);
    const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const long = 'alexandra_von_langenamen_1234';
    const errors: unknown[] = [
      new NeedsLinkError(false),
      new NeedsLinkError(true),
      new WatchlistFullError({ limit: 250, vip: false, upgradeUrl: 'https://trakt.tv/vip' }),
      new WatchlistFullError({ limit: undefined, vip: true, upgradeUrl: undefined }),
      new AccountLockedError(),
      new TraktRefusedAppError(),
      new VipRequiredError({ upgradeUrl: 'https://trakt.tv/vip' }),
      new TraktUnavailableError('outage'),
      new TraktUnavailableError('rate-limited'),
      new TraktUnavailableError('slow'),
      new TraktProfilePrivateError(long),
      new TraktUserUnknownError(long),
      new Error('boom'),
    ];
    for (const error of errors) expectWithinLimits(errorReply(error, logger, {}, i18n), `${locale} ${String(error)}`);
    const target = { platform: 'telegram' as const, chatId: '1' };
    expectWithinLimits(linkNoticeReply({ kind: 'linked', identityId: 1, target, traktUsername: long, vip: true, watchlistLimit: 5000 }, i18n), `${locale} linked`);
    for (const reason of ['denied', 'expired', 'invalid_code', 'already_used', 'error'] as const) {
      expectWithinLimits(linkNoticeReply({ kind: 'failed', identityId: 1, target, reason }, i18n), `${locale} link ${reason}`);
    }
    expectWithinLimits(relinkRequiredReply(long, i18n), `${locale} relink`);
    const notices = noticesIn(i18n);
    for (const text of [notices.buttonInvalid, notices.buttonStale, notices.buttonForeign, notices.working]) expectAckWithinLimits({ text }, `${locale} ${text}`);
    expectWithinLimits({ text: notices.startPrivateChat, buttons: [[{ label: notices.openPrivateChat, url: 'https://t.me/bot' }]] }, `${locale} start private chat`);
    // The apology with its reference, in a Discord content message (2000 characters).
    expect(notices.genericError.length).toBeLessThanOrEqual(2000);
  });
});
