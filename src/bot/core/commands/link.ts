import type { CoreContext } from '../context.js';
import { NeedsLinkError } from '../errors.js';
import { defineCommand } from '../handlers.js';
import type { LinkedAccount } from '../ports.js';
import { formatMinutes, ONE_APP_NOTE } from '../replies.js';
import { rich, type Reply, type Rich } from '../types.js';

export const REPLACED_CODE = 'Your previous code no longer works; use this one.';

/** The linking answer, always private: link URLs and codes are nobody else's business. */
export async function linkReplies(ctx: CoreContext): Promise<Reply[]> {
  let account: LinkedAccount | null;
  try {
    account = await ctx.linkedAccount();
  } catch (error) {
    if (!(error instanceof NeedsLinkError)) throw error;
    account = null; // a link that needs renewing is renewed by linking again
  }
  if (account !== null) {
    return [
      {
        private: true,
        text: ['You are linked to Trakt as ', rich.bold(account.username), '. To link another account, send /unlink first.'],
      },
    ];
  }
  const notifyChatId = ctx.privateChatId ?? ctx.chat.chatId;
  const start = await ctx.deps.accounts.startLink({ identityId: ctx.identityId, platform: ctx.user.platform, notifyChatId });
  const minutes = formatMinutes(start.expiresAt.getTime() - ctx.now().getTime());
  const instructions: Rich =
    start.kind === 'oauth'
      ? `Open Trakt with the button, sign in and allow Marquee. The button works for ${minutes}; I will tell you here when it is done.`
      : [
          ...(start.replacedCode ? [REPLACED_CODE, rich.line, rich.line] : []),
          'Open ',
          rich.link(start.url, start.url.replace(/^https?:\/\//, '')),
          ' and enter the code ',
          rich.bold(rich.code(start.userCode)),
          ` (it works for ${minutes}). I will tell you here when it is done.`,
        ];
  return [
    {
      private: true,
      text: [ONE_APP_NOTE, rich.line, rich.line, instructions],
      buttons: [[{ label: '🔗 Open Trakt to link', url: start.url }]],
    },
  ];
}

export const linkCommand = defineCommand({
  name: 'link',
  description: 'Link your Trakt account',
  listed: true,
  private: true,
  run: (ctx) => linkReplies(ctx),
});
