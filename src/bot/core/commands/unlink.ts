import { defineCommand } from '../handlers.js';
import { linkButton } from '../replies.js';
import { rich } from '../types.js';

export const unlinkCommand = defineCommand({
  name: 'unlink',
  description: 'Disconnect your Trakt account',
  listed: true,
  private: true,
  async run(ctx) {
    const account = await ctx.linkedAccount().catch(() => null);
    const { wasLinked } = await ctx.deps.accounts.unlink(ctx.identityId);
    await ctx.deps.watchlists.clear(ctx.identityId);
    if (!wasLinked) return [{ private: true, text: 'You had no Trakt account linked.', buttons: [[linkButton()]] }];
    return [
      {
        private: true,
        text: [
          'Unlinked',
          account === null ? '' : [' from ', rich.bold(account.username)],
          '. Your Trakt watchlist itself is untouched. Send /link to connect again.',
        ],
      },
    ];
  },
});
