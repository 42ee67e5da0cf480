import type { CommandOption } from '../handlers.js';

/**
 * `share`: what shows a person's account (/status, /watchlist) is answered to them alone, in a group
 * too; with this word (Discord: the option set to True) it is posted for everyone in the chat.
 */
export const SHARE_WORD = 'share';

export const shareOption: CommandOption = {
  name: SHARE_WORD,
  description: 'Post it in this chat for everyone (otherwise only you see it)',
  flag: true,
  shares: true,
};

/** The args without the share word, and whether it was there. */
export function takeShare(args: string): { shared: boolean; rest: string } {
  const words = args.split(/\s+/).filter((w) => w !== '');
  const rest = words.filter((w) => w.toLowerCase() !== SHARE_WORD);
  return { shared: rest.length !== words.length, rest: rest.join(' ') };
}
