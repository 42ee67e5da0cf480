import { cardReply, quote, titleCard } from '../cards.js';
import type { CoreContext } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { defineAction, defineCommand } from '../handlers.js';
import { cleanText } from '../parse.js';
import type { Target } from '../ports.js';
import { targetLabel } from '../targets.js';
import { rich, type Button, type Reply } from '../types.js';
import type { ConfirmPayload } from '../write-flow.js';
import type { SearchState } from './search.js';

const MAX_CHOICES = 6;

/** The card that asks before removing. */
export async function removeCard(ctx: CoreContext, target: Target, back?: SearchState): Promise<Reply> {
  await ctx.requireAccount();
  const view = ctx.view();
  const from = back ? { back } : {};
  const buttons: Button[][] = [
    [view.button('🗑 Confirm remove', 'confirm', { op: 'remove', targets: [target], ...from } satisfies ConfirmPayload, 'danger')],
    [view.button('✖ Cancel', 'cancel', { target, ...from })],
  ];
  await view.save(ctx.deps.pending);
  return cardReply(target, titleCard(target, { header: 'Remove from your watchlist?' }), buttons, ctx.owner);
}

function buttonLabel(target: Target): string {
  const label = targetLabel(target);
  return `🗑 Remove ${label.length > 48 ? `${label.slice(0, 47)}…` : label}`;
}

export const removeCommand = defineCommand({
  name: 'remove',
  description: 'Take something off your watchlist',
  listed: true,
  options: [{ name: 'title', description: 'A title on your watchlist', required: true, maxLength: 200, autocomplete: 'watchlist-item' }],
  async run(ctx, args) {
    const text = cleanText(args);
    if (text === '') throw new InvalidInputError(['Tell me what to remove, e.g. ', rich.code('/remove dune'), '.']);
    await ctx.requireAccount();
    const trakt = await ctx.traktForUser();
    await ctx.copy.current(ctx, trakt, { recheck: true });
    const matches = await ctx.deps.watchlists.find(ctx.identityId, text, MAX_CHOICES + 1);
    if (matches.length === 0) {
      return [{ text: `Nothing on your watchlist matches ${quote(text)}. See what is on it with /watchlist.` }];
    }
    const [only] = matches;
    if (matches.length === 1 && only !== undefined) return [await removeCard(ctx, only.target)];
    const view = ctx.view();
    const shown = matches.slice(0, MAX_CHOICES);
    const buttons = shown.map((m) => [view.button(buttonLabel(m.target), 'rm', { target: m.target })]);
    buttons.push([view.button('✖ Cancel', 'cancel', {})]);
    await view.save(ctx.deps.pending);
    const more = matches.length > MAX_CHOICES ? ` Showing the first ${MAX_CHOICES}; add words to narrow it down.` : '';
    return [{ text: [`Several items on your watchlist match ${quote(text)}. Which one should I remove?`, more], buttons }];
  },
});

export const removePickAction = defineAction<{ target: Target; back?: SearchState }>({
  action: 'rm',
  run: async (ctx, payload) => ({ edit: await removeCard(ctx, payload.target, payload.back) }),
});
