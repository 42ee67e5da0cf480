import type { CoreContext } from '../context.js';
import { defineCommand } from '../handlers.js';
import { formatMinutes, linkButton } from '../replies.js';
import { rich, type Reply, type Rich } from '../types.js';
import { linkReplies } from './link.js';
import { pickHelpReplies } from '../picks/commands.js';

/** The help's lines (`start` namespace), in order; an empty string is an empty line. */
const LINES = ['title', '', 'search', 'add', 'remove', 'watchlist', 'random', 'undo', 'status', 'notify', 'import', 'link', 'language', '', 'pick', 'share'] as const;

function intro(ctx: CoreContext): Rich[] {
  const minutes = formatMinutes(ctx.options.undoWindowMs, ctx.i18n);
  return LINES.flatMap((key, i) => [...(i === 0 ? [] : [rich.line]), ...(key === '' ? [] : [ctx.tr(`start:${key}`, { minutes })])]);
}

export async function welcome(ctx: CoreContext): Promise<Reply[]> {
  const account = await ctx.linkedAccount().catch(() => null);
  const text = intro(ctx);
  if (account === null) {
    return [{ text: [...text, rich.line, rich.line, ctx.tr('start:linkFirst')], buttons: [[linkButton(ctx.i18n)]] }];
  }
  return [{ text: [...text, rich.line, rich.line, ctx.tr('start:linkedAs', { username: account.username })] }];
}

export const startCommand = defineCommand({
  name: 'start',
  description: 'What Marquee does and how to begin',
  listed: false,
  run(ctx, args) {
    // Deep links (`/start link`) continue what a group message asked for, in the private chat.
    if (args.trim().toLowerCase() === 'link') return linkReplies(ctx);
    return welcome(ctx);
  },
});

export const helpCommand = defineCommand({
  name: 'help',
  description: 'What Marquee does and how to begin',
  listed: true,
  run: (ctx, args) => (/^\/?picks?$/i.test(args.trim()) ? pickHelpReplies(ctx.i18n) : welcome(ctx)),
});
