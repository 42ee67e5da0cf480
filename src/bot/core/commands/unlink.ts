import { defineCommand } from '../handlers.js';
import { linkButton } from '../replies.js';

export const unlinkCommand = defineCommand({
  name: 'unlink',
  description: 'Disconnect your Trakt account',
  listed: true,
  private: true,
  async run(ctx) {
    const account = await ctx.linkedAccount().catch(() => null);
    const { wasLinked } = await ctx.deps.accounts.unlink(ctx.identityId);
    await ctx.deps.watchlists.clear(ctx.identityId);
    if (!wasLinked) return [{ private: true, text: ctx.tr('account:noneLinked'), buttons: [[linkButton(ctx.i18n)]] }];
    return [
      {
        private: true,
        text: account === null ? ctx.tr('account:unlinked') : ctx.tr('account:unlinkedFrom', { username: account.username }),
      },
    ];
  },
});
