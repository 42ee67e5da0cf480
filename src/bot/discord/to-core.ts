import { PermissionFlagsBits, type Interaction, type PermissionsBitField, type User } from 'discord.js';
import type { CommandOption } from '../core/handlers.js';
import { cleanPlatformText } from '../core/text.js';
import type { ChatRef, ChatUserRef } from '../core/types.js';

/**
 * Discord → the core's neutral input. A DM with the bot is the `private` chat; a guild channel is a
 * `group`. The user's private chat is written `user:<id>`: the adapter opens the DM channel when it
 * has something to send there (Discord needs a call to learn a DM channel's id).
 */
export const USER_CHAT_PREFIX = 'user:';

export function toUserRef(user: User, locale?: string): ChatUserRef {
  const displayName = cleanPlatformText(user.globalName ?? user.username);
  return {
    platform: 'discord',
    userId: user.id,
    ...(displayName ? { displayName } : {}),
    ...(locale ? { locale } : {}),
  };
}

export function toChatRef(interaction: Pick<Interaction, 'guildId' | 'channelId' | 'user'>): ChatRef {
  if (interaction.guildId === null) {
    return { platform: 'discord', chatId: interaction.channelId ?? `${USER_CHAT_PREFIX}${interaction.user.id}`, kind: 'private' };
  }
  return { platform: 'discord', chatId: interaction.channelId ?? interaction.guildId, kind: 'group' };
}

export function privateChatIdOf(userId: string): string {
  return `${USER_CHAT_PREFIX}${userId}`;
}

/** The user id in a `user:<id>` chat id; undefined for a channel id. */
export function userIdOfChat(chatId: string): string | undefined {
  return chatId.startsWith(USER_CHAT_PREFIX) ? chatId.slice(USER_CHAT_PREFIX.length) : undefined;
}

/**
 * Whether a member may moderate the channel: Manage Messages there (Discord computes the member's
 * channel permissions into the interaction), or Administrator. No permissions (a DM): no.
 */
export function isModerator(permissions: Readonly<PermissionsBitField> | null | undefined): boolean {
  if (permissions === null || permissions === undefined) return false;
  return permissions.has(PermissionFlagsBits.Administrator, false) || permissions.has(PermissionFlagsBits.ManageMessages, false);
}

/**
 * A slash command's options → the core's `args`: the given values in the declared order, joined by
 * spaces. A flag set to True is its name; a keyed option's value is written `name=value` (the value as typed, spaces included; not
 * keyed twice when the user typed the key too).
 */
export function argsFromOptions(declared: readonly CommandOption[], valueOf: (name: string) => unknown): string {
  const parts: string[] = [];
  for (const option of declared) {
    const value = valueOf(option.name);
    if (value === undefined || value === null) continue;
    // A flag (a Boolean option): its name is the word, when set to True.
    if (option.flag === true) {
      if (value === true) parts.push(option.name);
      continue;
    }
    const text = cleanPlatformText(String(value)).trim();
    if (text === '') continue;
    // A keyed value typed with its key already (`genre=horror` into the genre field) is not keyed twice.
    const typedKey = text.toLowerCase().startsWith(`${option.name.toLowerCase()}=`);
    parts.push(option.keyed === true && !typedKey ? `${option.name}=${text}` : text);
  }
  return parts.join(' ');
}

/** What the user has typed so far into an autocomplete option, cleaned like every other text. */
export function autocompleteText(value: unknown): string {
  return cleanPlatformText(String(value));
}
