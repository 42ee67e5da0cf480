import type { Chat, User } from 'grammy/types';
import { cleanPlatformText } from '../core/text.js';
import type { ChatRef, ChatUserRef } from '../core/types.js';

/** `/cmd`, `/cmd args`, and in groups `/cmd@botname args`. */
const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+([\s\S]*))?$/;

export interface ParsedCommand {
  command: string;
  args: string;
}

/**
 * The command in a message, or undefined when the text is not a command or is addressed to another
 * bot (`/cmd@otherbot`).
 */
export function parseCommand(text: string, botUsername: string): ParsedCommand | undefined {
  const match = COMMAND.exec(cleanPlatformText(text).trim());
  if (!match || match[1] === undefined) return undefined;
  const mention = match[2];
  if (mention !== undefined && mention.toLowerCase() !== botUsername.toLowerCase()) return undefined;
  return { command: match[1].toLowerCase(), args: (match[3] ?? '').trim() };
}

/**
 * What a message asks for: a command, or in a private chat plain text as a search (the quickest way
 * to find something). Text is cleaned of what Postgres and Telegram's HTML parser refuse.
 */
export function commandOfMessage(text: string, chatKind: ChatRef['kind'], botUsername: string): ParsedCommand | undefined {
  const parsed = parseCommand(text, botUsername);
  if (parsed !== undefined || chatKind !== 'private' || text.startsWith('/')) return parsed;
  return { command: 'search', args: cleanPlatformText(text) };
}

export function toUserRef(user: User): ChatUserRef {
  const displayName = cleanPlatformText([user.first_name, user.last_name].filter(Boolean).join(' ') || (user.username ?? ''));
  return {
    platform: 'telegram',
    userId: String(user.id),
    ...(displayName ? { displayName } : {}),
    ...(user.username ? { handle: user.username } : {}),
    ...(user.language_code ? { locale: user.language_code } : {}),
  };
}

export function toChatRef(chat: Pick<Chat, 'id' | 'type'>): ChatRef {
  return { platform: 'telegram', chatId: String(chat.id), kind: chat.type === 'private' ? 'private' : 'group' };
}

/**
 * Whether a ChatMember status (Bot API `getChatMember`) may moderate the chat: the group's creator or
 * one of its administrators. Members, restricted, left and banned users may not.
 */
export function isModeratorStatus(status: string): boolean {
  return status === 'creator' || status === 'administrator';
}
