import { cardReply, titleCard } from '../cards.js';
import type { CoreContext } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { defineAction, defineCommand } from '../handlers.js';
import { cleanText } from '../parse.js';
import type { Target } from '../ports.js';
import { targetLabel } from '../targets.js';
import type { Translator } from '../i18n/index.js';
import type { Button, Reply } from '../types.js';
import type { ConfirmPayload } from '../write-flow.js';
import type { SearchState } from './search.js';

const MAX_CHOICES = 6;

/** The card that asks before removing. */
export async function removeCard(ctx: CoreContext, target: Target, back?: SearchState): Promise<Reply> {
  await ctx.requireAccount();
  const view = ctx.view();
  const from = back ? { back } : {};
  const buttons: Button[][] = [
    [view.button(ctx.t('remove:button.confirm'), 'confirm', { op: 'remove', targets: [target], ...from } satisfies ConfirmPayload, 'danger')],
    [view.button(ctx.t('cards:button.cancel'), 'cancel', { target, ...from })],
  ];
  await view.save(ctx.deps.pending);
  return cardReply(target, titleCard(target, { header: ctx.t('remove:card.ask') }, ctx.i18n), buttons, ctx.owner, ctx.i18n);
}

function buttonLabel(target: Target, i18n: Translator): string {
  const label = targetLabel(target, i18n);
  return i18n.t('remove:button.removeTitle', { title: label.length > 48 ? `${label.slice(0, 47)}…` : label });
}

export const removeCommand = defineCommand({
  name: 'remove',
  account: true,
  description: 'Take something off your watchlist',
  listed: true,
  options: [{ name: 'title', description: 'A title on your watchlist', required: true, maxLength: 200, autocomplete: 'watchlist-item' }],
  async run(ctx, args) {
    const text = cleanText(args);
    if (text === '') throw new InvalidInputError({ key: 'remove:usage' });
    await ctx.requireAccount();
    const trakt = await ctx.traktForUser();
    await ctx.copy.current(ctx, trakt, { recheck: true });
    const matches = await ctx.deps.watchlists.find(ctx.identityId, text, MAX_CHOICES + 1);
    if (matches.length === 0) {
      return [{ text: ctx.t('remove:noMatch', { text }) }];
    }
    const [only] = matches;
    if (matches.length === 1 && only !== undefined) return [await removeCard(ctx, only.target)];
    const view = ctx.view();
    const shown = matches.slice(0, MAX_CHOICES);
    const buttons = shown.map((m) => [view.button(buttonLabel(m.target, ctx.i18n), 'rm', { target: m.target })]);
    buttons.push([view.button(ctx.t('cards:button.cancel'), 'cancel', {})]);
    await view.save(ctx.deps.pending);
    const which = ctx.t('remove:several', { text });
    return [{ text: matches.length > MAX_CHOICES ? [which, ' ', ctx.t('remove:showingFirst', { shown: MAX_CHOICES })] : which, buttons }];
  },
});

export const removePickAction = defineAction<{ target: Target; back?: SearchState }>({
  action: 'rm',
  run: async (ctx, payload) => ({ edit: await removeCard(ctx, payload.target, payload.back) }),
});
