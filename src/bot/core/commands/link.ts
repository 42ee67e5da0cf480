import type { CoreContext } from '../context.js';
import { NeedsLinkError } from '../errors.js';
import { defineCommand } from '../handlers.js';
import type { LinkedAccount } from '../ports.js';
import { formatMinutes, oneAppNote } from '../replies.js';
import { EN } from '../i18n/index.js';
import { rich, type Reply, type Rich } from '../types.js';

/** Where the link confirmation will arrive, as the linking answer says it (keys of the `link` namespace). */
const PLACE_KEYS = {
  /** The answer is in the user's private chat already (Telegram always; any private chat). */
  here: 'link:placeHere',
  private: 'link:placePrivate',
  chat: 'link:placeChat',
} as const;
type Place = keyof typeof PLACE_KEYS;

/** In English, for tests; the answer says them in the user's language. */
export const REPLACED_CODE = EN.t('link:replacedCode');
export const NOTICE_PLACES: Readonly<Record<Place, string>> = {
  here: EN.t(PLACE_KEYS.here),
  private: EN.t(PLACE_KEYS.private),
  chat: EN.t(PLACE_KEYS.chat),
};

/** The first private message, sent to find out whether the user takes them (see CommandInput.reachPrivately). English; the message is in the user's language. */
export const PRIVATE_NOTE = EN.t('link:privateNote');

/**
 * Where the link confirmation goes, decided now so the answer can say it: the user's private chat,
 * or, where the platform refuses to write to it (closed DMs), the chat the command came from.
 */
async function noticePlace(ctx: CoreContext): Promise<{ chatId: string; place: Place }> {
  const privately = { chatId: ctx.privateChatId ?? ctx.chat.chatId, place: 'here' as Place };
  if (ctx.chat.kind !== 'group' || ctx.reachPrivately === undefined) return privately;
  let reached: boolean;
  try {
    reached = await ctx.reachPrivately({ private: true, text: ctx.tr('link:privateNote') });
  } catch (error) {
    ctx.deps.logger.warn({ err: error, identityId: ctx.identityId }, 'could not write to the user privately; the link notice goes to the chat');
    reached = false;
  }
  return reached ? { ...privately, place: 'private' } : { chatId: ctx.chat.chatId, place: 'chat' };
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
    return [{ private: true, text: ctx.tr('link:alreadyLinked', { username: account.username }) }];
  }
  const { chatId, place } = await noticePlace(ctx);
  const start = await ctx.deps.accounts.startLink({ identityId: ctx.identityId, platform: ctx.user.platform, notifyChatId: chatId });
  const minutes = formatMinutes(start.expiresAt.getTime() - ctx.now().getTime(), ctx.i18n);
  const where = ctx.t(PLACE_KEYS[place]);
  const instructions: Rich =
    start.kind === 'oauth'
      ? ctx.tr('link:openOauth', { minutes, place: where })
      : [
          ...(start.replacedCode ? [ctx.tr('link:replacedCode'), rich.line, rich.line] : []),
          ctx.tr('link:openDevice', {
            link: rich.link(start.url, start.url.replace(/^https?:\/\//, '')),
            code: rich.code(start.userCode),
            minutes,
            place: where,
          }),
        ];
  return [
    {
      private: true,
      text: [oneAppNote(ctx.i18n), rich.line, rich.line, instructions],
      buttons: [[{ label: ctx.t('link:openTraktButton'), url: start.url }]],
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
