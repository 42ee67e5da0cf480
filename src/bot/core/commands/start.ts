import type { CoreContext } from '../context.js';
import { defineCommand } from '../handlers.js';
import { formatMinutes, linkButton } from '../replies.js';
import { rich, type Reply, type Rich } from '../types.js';
import { linkReplies } from './link.js';
import { pickHelpReplies } from '../picks/commands.js';

function intro(ctx: CoreContext): Rich[] {
  return [
    rich.bold('Marquee keeps your Trakt watchlist at hand.'),
    rich.line,
    rich.line,
    '/search ',
    rich.italic('title'),
    ' — find movies and shows',
    rich.line,
    '/add ',
    rich.italic('title, IMDb id or Trakt link'),
    ' — add to your watchlist',
    rich.line,
    '/remove ',
    rich.italic('title'),
    ' — take something off it',
    rich.line,
    '/watchlist ',
    rich.italic('[movies|shows|progress] [genre] [1990-2005] [2h] [added|title|year|rating|runtime|released]'),
    ' — see it, filtered and sorted your way, with your progress on each show; press a title for its details',
    rich.line,
    '/random ',
    rich.italic('[the same filters]'),
    ' — one title from your watchlist at random',
    rich.line,
    `/undo — undo your last change (within ${formatMinutes(ctx.options.undoWindowMs)})`,
    rich.line,
    '/status — your link and how full your watchlist is',
    rich.line,
    '/notify on — hear when something on your watchlist comes out (',
    rich.code('/notify quiet 22-08 tz=Europe/Berlin'),
    ' for quiet hours)',
    rich.line,
    '/import — bring a list from IMDb, Letterboxd or a Trakt export (send the file with this caption); /export — your watchlist as a file',
    rich.line,
    '/link, /unlink — connect or disconnect your Trakt account',
    rich.line,
    rich.line,
    rich.bold('In a group: '),
    '/pick — vote together on what to watch from the members’ watchlists (',
    rich.code('/help pick'),
    ' explains how)',
    rich.line,
    '/watchlist and /status answer you alone; add ',
    rich.code('share'),
    ' to post them for everyone',
  ];
}

export async function welcome(ctx: CoreContext): Promise<Reply[]> {
  const account = await ctx.linkedAccount().catch(() => null);
  const text = intro(ctx);
  if (account === null) {
    return [{ text: [...text, rich.line, rich.line, 'Start by linking your Trakt account:'], buttons: [[linkButton()]] }];
  }
  return [{ text: [...text, rich.line, rich.line, 'You are linked as ', rich.bold(account.username), '.'] }];
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
  run: (ctx, args) => (/^\/?picks?$/i.test(args.trim()) ? pickHelpReplies() : welcome(ctx)),
});
