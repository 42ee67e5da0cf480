import type { CoreContext } from '../context.js';
import { NeedsLinkError } from '../errors.js';
import { defineCommand } from '../handlers.js';
import type { LinkedAccount } from '../ports.js';
import { formatMinutes, ONE_APP_NOTE } from '../replies.js';
import { rich, type Reply, type Rich } from '../types.js';

export const REPLACED_CODE = 'Your previous code no longer works; use this one.';

/** Where the link confirmation will arrive, as the linking answer says it. */
export const NOTICE_PLACES = {
  /** The answer is in the user's private chat already (Telegram always; any private chat). */
  here: 'I will tell you here when it is done.',
  private: 'I will tell you in a direct message when it is done.',
  chat: 'I cannot send you direct messages (they are closed to me), so I will tell you in this chat when it is done.',
} as const;

/** The first private message, sent to find out whether the user takes them (see CommandInput.reachPrivately). */
export const PRIVATE_NOTE = 'You started linking your Trakt account: I will tell you here when it is done.';

/**
 * Where the link confirmation goes, decided now so the answer can say it: the user's private chat,
 * or, where the platform refuses to write to it (closed DMs), the chat the command came from.
 */
async function noticePlace(ctx: CoreContext): Promise<{ chatId: string; words: string }> {
  const privately = { chatId: ctx.privateChatId ?? ctx.chat.chatId, words: NOTICE_PLACES.here };
  if (ctx.chat.kind !== 'group' || ctx.reachPrivately === undefined) return privately;
  let reached: boolean;
  try {
    reached = await ctx.reachPrivately({ private: true, text: PRIVATE_NOTE });
  } catch (error) {
    ctx.deps.logger.warn({ err: error, identityId: ctx.identityId }, 'could not write to the user privately; the link notice goes to the chat');
    reached = false;
  }
  return reached ? { ...privately, words: NOTICE_PLACES.private } : { chatId: ctx.chat.chatId, words: NOTICE_PLACES.chat };
}

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
  const place = await noticePlace(ctx);
  const start = await ctx.deps.accounts.startLink({ identityId: ctx.identityId, platform: ctx.user.platform, notifyChatId: place.chatId });
  const minutes = formatMinutes(start.expiresAt.getTime() - ctx.now().getTime());
  const instructions: Rich =
    start.kind === 'oauth'
      ? `Open Trakt with the button, sign in and allow Marquee. The button works for ${minutes}; ${place.words}`
      : [
          ...(start.replacedCode ? [REPLACED_CODE, rich.line, rich.line] : []),
          'Open ',
          rich.link(start.url, start.url.replace(/^https?:\/\//, '')),
          ' and enter the code ',
          rich.bold(rich.code(start.userCode)),
          ` (it works for ${minutes}). ${place.words}`,
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
