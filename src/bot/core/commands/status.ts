import { usageText } from '../cards.js';
import { defineCommand } from '../handlers.js';
import { linkButton } from '../replies.js';
import { queuedWriteCount } from '../queued-writes.js';
import { rich, type Reply } from '../types.js';
import { shareOption, takeShare } from './share.js';

export const statusCommand = defineCommand({
  name: 'status',
  description: 'Your Trakt link and watchlist usage (only you see it; add share to post it)',
  listed: true,
  private: true,
  options: [shareOption],
  async run(ctx, args) {
    // Only to the user, in a group too, unless they share it.
    const shared = takeShare(args).shared;
    const answer = (replies: Array<Omit<Reply, 'private'>>): Reply[] => replies.map((r) => ({ ...r, private: !shared }));
    const account = await ctx.linkedAccount();
    if (account === null) {
      return [{ private: true, text: 'No Trakt account is linked yet.', buttons: [[linkButton()]] }];
    }
    // The queue is counted first: when Trakt is down, /status is where a user looks.
    const queued = await queuedWriteCount(ctx);
    const queuedLine = queued === 0 ? [] : [rich.line, `Waiting for Trakt: ${queued} ${queued === 1 ? 'change' : 'changes'} (see /queue)`];
    const trakt = await ctx.traktForUser();
    let settings, copy;
    try {
      [settings, copy] = await Promise.all([ctx.patiently(trakt.settings()), ctx.copy.current(ctx, trakt, { recheck: true })]);
    } catch (error) {
      if (queued === 0) throw error;
      return answer([{ text: ['Trakt is not answering right now.', ...queuedLine] }]);
    }
    await ctx.deps.accounts.rememberSettings(ctx.identityId, settings);
    return answer([
      {
        text: [
          'Linked to Trakt as ',
          rich.bold(settings.username),
          settings.vip ? ' (VIP)' : ' (free account)',
          rich.line,
          `Watchlist: ${usageText(copy.itemCount, settings)}`,
          ...queuedLine,
          ...(shared && ctx.owner !== undefined ? [rich.line, ctx.owner] : []),
        ],
      },
    ]);
  },
});
