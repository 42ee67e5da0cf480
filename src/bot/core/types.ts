/**
 * The neutral language between the core and the chat adapters. The core decides what to say (words
 * included, so both platforms say the same thing); adapters decide how it looks (HTML for Telegram,
 * embeds and markdown for Discord) and enforce their platform's limits.
 */
export type Platform = 'telegram' | 'discord';

/** A chat user as a platform knows them. */
export interface ChatUserRef {
  platform: Platform;
  userId: string;
  displayName?: string;
  /** BCP 47 tag when the platform tells it. */
  locale?: string;
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

export interface Reply {
  text: Rich;
  buttons?: Button[][];
  /**
   * Only the user should see it: account matters, link URLs, errors about one's own account. Discord
   * answers ephemerally; Telegram sends it in the private chat (pointing there from a group).
   */
  private?: boolean;
}
