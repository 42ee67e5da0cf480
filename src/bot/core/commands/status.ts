import { usageText } from '../cards.js';
import { defineCommand } from '../handlers.js';
import { linkButton } from '../replies.js';
import { queuedWriteCount } from '../queued-writes.js';
import { rich } from '../types.js';

export const statusCommand = defineCommand({
  name: 'status',
  description: 'Your Trakt link and watchlist usage',
  listed: true,
  private: true,
  async run(ctx) {
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
      return [{ private: true, text: ['Trakt is not answering right now.', ...queuedLine] }];
    }
    await ctx.deps.accounts.rememberSettings(ctx.identityId, settings);
    return [
      {
        private: true,
        text: [
          'Linked to Trakt as ',
          rich.bold(settings.username),
          settings.vip ? ' (VIP)' : ' (free account)',
          rich.line,
          `Watchlist: ${usageText(copy.itemCount, settings)}`,
          ...queuedLine,
        ],
      },
    ];
  },
});
