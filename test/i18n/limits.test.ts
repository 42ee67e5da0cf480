import { describe, expect, it } from 'vitest';
import { LANGUAGE_NAMES, LOCALES } from '../../src/bot/core/i18n/index.js';
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

