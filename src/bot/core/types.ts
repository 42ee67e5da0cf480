/**
 * The neutral language between the core and the chat adapters. The core decides what to say (words
 * included, so both platforms say the same thing); adapters decide how it looks (HTML for Telegram,
 * embeds and markdown for Discord) and enforce their platform's limits.
 */
import type { Platform } from '../../domain/link.js';

export type { Platform };

/** A chat user as a platform knows them. */
export interface ChatUserRef {
  platform: Platform;
  userId: string;
  displayName?: string;
  /**
   * The user's public @name, without the @, where the platform has one apart from the display name
   * (Telegram's username). Groups name the user by it when known (`for @alice`).
   */
  handle?: string;
  /** BCP 47 tag when the platform tells it. */
  locale?: string;
}

/**
 * A message the bot sent, as the platform names it, so it can be edited later (by background work
 * too, long after the update that caused it). `chatId` is the chat or channel that holds the message
 * (on Discord the real channel id, a DM channel's too; never the `user:<id>` form).
 */
export interface MessageRef {
  platform: Platform;
  chatId: string;
  messageId: string;
}

/** Where a message goes. `private` is a one-to-one chat with the bot. */
export interface ChatRef {
  platform: Platform;
  chatId: string;
  kind: 'private' | 'group';
}

/**
 * Rich text as a tree, so no adapter ever has to escape or parse the core's output: titles and
 * overviews from Trakt stay plain strings inside it and are escaped by the renderer.
 */
export type Rich = string | RichNode | readonly Rich[];
export type RichNode =
  | { kind: 'bold'; content: Rich }
  | { kind: 'italic'; content: Rich }
  | { kind: 'code'; text: string }
  | { kind: 'link'; url: string; content: Rich }
  | { kind: 'line' };

export const rich = {
  bold: (content: Rich): RichNode => ({ kind: 'bold', content }),
  italic: (content: Rich): RichNode => ({ kind: 'italic', content }),
  code: (text: string): RichNode => ({ kind: 'code', text }),
  link: (url: string, content: Rich): RichNode => ({ kind: 'link', url, content }),
  line: { kind: 'line' } as RichNode,
};

/** Plain text of a rich tree (for logs, alerts, and platforms' plain fields). */
export function plainText(value: Rich): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return (value as readonly Rich[]).map(plainText).join('');
  const node = value as RichNode;
  switch (node.kind) {
    case 'bold':
    case 'italic':
      return plainText(node.content);
    case 'code':
      return node.text;
    case 'link':
      return plainText(node.content);
    case 'line':
      return '\n';
  }
}

export type ButtonStyle = 'primary' | 'secondary' | 'success' | 'danger';

/** A button either opens a URL or carries encoded action data (`v1:<action>:<id>`, see actions). */
export type Button =
  | { label: string; style?: ButtonStyle; url: string }
  | { label: string; style?: ButtonStyle; action: string };

/** A picture for a card: where Trakt serves it. Adapters must re-host it (REFERENCE §6 forbids hot-linking). */
export interface ReplyImage {
  sourceUrl: string;
}

/** A file the user sent with a command (Telegram: a document; Discord: an attachment option). */
export interface Attachment {
  fileName: string;
  /** Size in bytes as the platform reports it, known before downloading. */
  size: number;
  /** Downloads the file; rejects (without downloading the rest) when it is larger than `maxBytes`. */
  download(maxBytes: number): Promise<Uint8Array>;
}

/** A file sent with a reply (an export, a list of what an import did not find). */
export interface ReplyFile {
  fileName: string;
  contentType: string;
  /** The content as chunks, produced while it is sent (never the whole file as one string first). */
  content: () => AsyncIterable<string | Uint8Array>;
}

export interface Reply {
  text: Rich;
  /** A file sent with the text (Telegram: a document with the text as its caption; Discord: an attachment). */
  file?: ReplyFile;
  buttons?: Button[][];
  /** A poster shown with the text; the card goes out without it when the image cannot be had. */
  image?: ReplyImage;
  /**
   * Only the user should see it: account matters, link URLs, errors about one's own account. Discord
   * answers ephemerally; Telegram sends it in the private chat (pointing there from a group).
   */
  private?: boolean;
  /**
   * Several options the user may pick at once (Discord: a multi-select menu). Platforms without such
   * a control leave it out; the reply must make sense without it.
   */
  pick?: MultiPick;
  /**
   * The core's own note for BotCore.bindMessage, which adapters pass back with the reply untouched:
   * these views' buttons were stored bound to `message` already (a press's card that the adapter
   * said it would edit in place, see ActionInput.editsInPlace), so shown there they need no bind.
   */
  boundTo?: { message: MessageRef; views: readonly string[] };
}

/** A multi-choice: its `action` is pressed with the chosen options' values in `ActionInput.values`. */
export interface MultiPick {
  action: string;
  placeholder: string;
  /** `selected`: chosen already (Discord: the option is shown checked). */
  options: Array<{ label: string; value: string; description?: string; selected?: boolean }>;
  minValues: number;
  maxValues: number;
  /**
   * The reply's first this many rows of buttons offer the same choices one by one (Telegram's way):
   * a platform that shows this multi-choice leaves those rows out.
   */
  replacesRows?: number;
  /** Where the rows that `replacesRows` counts begin (default 0: the first rows). */
  replacesRowsFrom?: number;
}

/** A command as a user typed it, already stripped of the platform's syntax. */
export interface CommandInput {
  user: ChatUserRef;
  chat: ChatRef;
  /** Lower-case name without the slash, e.g. `search`. */
  command: string;
  /** Everything after the command, trimmed. */
  args: string;
  /** Id of the user's private chat with the bot, when the platform knows it without a call. */
  privateChatId?: string;
  /** A file sent with the command (see CommandOption.attachment). */
  attachment?: Attachment;
  /**
   * The group's language as the platform states it (Discord: the guild's `guild_locale`), for answers
   * in a group without a `/language` setting of its own. Absent in private chats and on Telegram.
   */
  groupLocale?: string;
  /**
   * Whether the user may moderate this chat (Telegram: an administrator or the creator of the group;
   * Discord: Manage Messages in the channel). Asked only when needed (Telegram needs a call); absent
   * in private chats.
   */
  chatAdmin?: () => Promise<boolean>;
  /**
   * Sends a message to the user's private chat now, outside the answer, and says whether it arrived:
   * false when the platform refuses it because the user takes no private messages from the bot
   * (Discord: DMs closed to server members, error 50007). Given where the answer itself is not in that
   * private chat and the platform can only tell by trying (Discord, in a guild channel); absent, the
   * private chat is taken to work (Telegram answers account matters there in the first place).
   */
  reachPrivately?: (reply: Reply) => Promise<boolean>;
}

/** A button press: the encoded action the button carried. */
export interface ActionInput {
  user: ChatUserRef;
  /**
   * Where the button is; for a press on an inline message (see `inlineMessageId`) the presser's private
   * chat with the bot, which is where anything said to them goes.
   */
  chat: ChatRef;
  data: string;
  privateChatId?: string;
  /** For a multi-choice (`Reply.pick`): the values the user chose. */
  values?: string[];
  /** See CommandInput.groupLocale. */
  groupLocale?: string;
  /** The message that carries the pressed button, as the platform names it. */
  messageId?: string;
  /**
   * Whether the adapter will show `reply`, the press's card, by editing the pressed message (rather
   * than sending it as a new message: Telegram cannot turn a text message into a photo card or
   * back), as far as it can tell before trying. When it will, the card's buttons are stored bound
   * to the pressed message from the start and need no bind once shown. Absent: never.
   */
  editsInPlace?: (reply: Reply) => boolean;
  /**
   * The pressed button is on an inline message (Telegram's inline mode: posted via the bot in a chat
   * the bot need not be in; its presses name the message, not a chat). Only chat actions act there.
   */
  inlineMessageId?: string;
  /** See CommandInput.chatAdmin. */
  chatAdmin?: () => Promise<boolean>;
  /** See CommandInput.reachPrivately. */
  reachPrivately?: (reply: Reply) => Promise<boolean>;
}

/** What the press is answered with at once (a toast, or an alert the user must dismiss). */
export interface ActionAck {
  text?: string;
  alert?: boolean;
}

export interface ActionOutcome {
  /** Replaces the message whose button was pressed (text, image and buttons). */
  edit?: Reply;
  /** Further messages. */
  send?: Reply[];
  /** A later replacement of the same message, e.g. when Trakt answers after we said it is slow. */
  followUp?: Promise<ActionOutcome>;
}

/**
 * The answer to a press in two steps, so the platform hears back at once (Telegram wants every
 * callback query answered, Discord within 3 s): `ack` is decided from the database alone; `work`
 * does the slow part (Trakt) afterwards. No `work` means nothing else happens.
 */
export interface ActionStep {
  ack: ActionAck;
  work?: () => Promise<ActionOutcome>;
}
