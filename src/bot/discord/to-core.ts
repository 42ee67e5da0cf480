import { PermissionFlagsBits, type Interaction, type PermissionsBitField, type User } from 'discord.js';
import type { CommandOption } from '../core/handlers.js';
import { cleanPlatformText } from '../core/text.js';
import type { Attachment, ChatRef, ChatUserRef } from '../core/types.js';

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
    // A file is the command's `attachment`, not words (its value is only the attachment's id).
    if (option.attachment === true) continue;
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

/** An attachment option's file as discord.js resolves it (`interaction.options.getAttachment(name)`). */
export interface DiscordFile {
  name: string;
  size: number;
  url: string;
}

/** The file is larger than the command takes: refused before downloading (`size`), or while downloading. */
export class AttachmentTooLargeError extends Error {
  constructor(
    readonly fileName: string,
    readonly maxBytes: number,
  ) {
    super(`attachment ${fileName} is larger than ${maxBytes} bytes`);
    this.name = 'AttachmentTooLargeError';
  }
}

/** How long one attachment download may take (Discord's CDN is fast; a stalled one must not hang a command). */
const DOWNLOAD_TIMEOUT_MS = 60_000;

/**
 * An attachment option's file → the core's Attachment. The download is refused before any request
 * when Discord reports a size over `maxBytes`, and aborted as soon as the body grows past it (a
 * reported size is not trusted to bound what is read).
 */
export function toAttachment(file: DiscordFile, fetchImpl: typeof fetch = fetch): Attachment {
  const fileName = cleanPlatformText(file.name) || 'file';
  return {
    fileName,
    size: file.size,
    async download(maxBytes: number): Promise<Uint8Array> {
      if (file.size > maxBytes) throw new AttachmentTooLargeError(fileName, maxBytes);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error('attachment download timed out')), DOWNLOAD_TIMEOUT_MS);
      try {
        const response = await fetchImpl(file.url, { signal: controller.signal });
        if (!response.ok || response.body === null) throw new Error(`attachment download failed: HTTP ${response.status}`);
        const declared = Number(response.headers.get('content-length') ?? Number.NaN);
        if (Number.isFinite(declared) && declared > maxBytes) throw new AttachmentTooLargeError(fileName, maxBytes);
        const chunks: Uint8Array[] = [];
        let received = 0;
        const reader = response.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          received += value.byteLength;
          if (received > maxBytes) {
            await reader.cancel().catch(() => undefined);
            throw new AttachmentTooLargeError(fileName, maxBytes);
          }
          chunks.push(value);
        }
        const out = new Uint8Array(received);
        let offset = 0;
        for (const chunk of chunks) {
          out.set(chunk, offset);
          offset += chunk.byteLength;
        }
        return out;
      } finally {
        clearTimeout(timer);
        // Stops a body still streaming (refused by content-length, or an error above).
        controller.abort();
      }
    },
  };
}
