import { usageText } from '../cards.js';
import { defineCommand } from '../handlers.js';
import { linkButton } from '../replies.js';
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
    const trakt = await ctx.traktForUser();
    const [settings, copy] = await Promise.all([ctx.patiently(trakt.settings()), ctx.copy.current(ctx, trakt, { recheck: true })]);
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
        ],
      },
    ];
  },
});
