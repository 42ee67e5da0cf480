import { usageText } from '../cards.js';
import { defineCommand } from '../handlers.js';
import { linkButton } from '../replies.js';
import { queuedWriteCount } from '../queued-writes.js';
import { rich, type Reply } from '../types.js';
import { shareOption, takeShare } from './share.js';

export const statusCommand = defineCommand({
  name: 'status',
  account: true,
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
      return [{ private: true, text: ctx.tr('account:notLinkedYet'), buttons: [[linkButton(ctx.i18n)]] }];
    }
    // The queue is counted first: when Trakt is down, /status is where a user looks.
    const queued = await queuedWriteCount(ctx);
    const queuedLine = queued === 0 ? [] : [rich.line, ctx.tr('account:waitingForTrakt', { count: queued })];
    const trakt = await ctx.traktForUser();
    let settings, copy;
    try {
      [settings, copy] = await Promise.all([ctx.patiently(trakt.settings()), ctx.copy.current(ctx, trakt, { recheck: true })]);
    } catch (error) {
      if (queued === 0) throw error;
      return answer([{ text: [ctx.tr('account:traktDown'), ...queuedLine] }]);
    }
    await ctx.deps.accounts.rememberSettings(ctx.identityId, settings);
    return answer([
      {
        text: [
          ctx.tr(settings.vip ? 'account:linkedVip' : 'account:linkedFree', { username: settings.username }),
          rich.line,
          ctx.tr('account:watchlistUsage', { usage: usageText(copy.itemCount, settings, ctx.i18n) }),
          ...queuedLine,
          ...(shared && ctx.owner !== undefined ? [rich.line, ctx.owner] : []),
        ],
      },
    ]);
  },
});
