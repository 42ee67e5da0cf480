import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import type { Button, Rich, RichNode } from '../core/types.js';

/** Telegram's limits on visible text (after entity parsing), in UTF-16 code units. */
export const MESSAGE_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;
/** `callback_data` is 1-64 bytes. */
export const CALLBACK_DATA_LIMIT = 64;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const SAFE_LINK = /^(https?:\/\/|tg:\/\/)/i;

/**
 * Rich text → Telegram HTML, every string escaped, cut to `limit` visible characters with an ellipsis.
 * Cutting happens on the tree, so a cut never leaves a tag open or an entity half-written.
 */
export function renderHtml(value: Rich, limit = MESSAGE_LIMIT): string {
  let left = limit;
  let cut = false;
  const ELLIPSIS = '…';

  function text(raw: string): string {
    if (cut) return '';
    if (raw.length <= left) {
      left -= raw.length;
      return escapeHtml(raw);
    }
    cut = true;
    // Leave room for the ellipsis and never split a surrogate pair.
    let end = Math.max(0, left - ELLIPSIS.length);
    const code = raw.charCodeAt(end - 1);
    if (end > 0 && code >= 0xd800 && code <= 0xdbff) end -= 1;
    left = 0;
    return `${escapeHtml(raw.slice(0, end))}${ELLIPSIS}`;
  }

  function wrap(tag: string, inner: string, attrs = ''): string {
    return inner === '' ? '' : `<${tag}${attrs}>${inner}</${tag}>`;
  }

  function walk(node: Rich): string {
    if (cut) return '';
    if (typeof node === 'string') return text(node);
    if (Array.isArray(node)) return (node as readonly Rich[]).map(walk).join('');
    const n = node as RichNode;
    switch (n.kind) {
      case 'bold':
        return wrap('b', walk(n.content));
      case 'italic':
        return wrap('i', walk(n.content));
      case 'code':
        return wrap('code', text(n.text));
      case 'link':
        return SAFE_LINK.test(n.url) ? wrap('a', walk(n.content), ` href="${escapeHtml(n.url)}"`) : walk(n.content);
      case 'line':
        return text('\n');
    }
  }

  return walk(value);
}

/** Neutral buttons → an inline keyboard. Action data is checked against Telegram's byte limit. */
export function renderKeyboard(buttons: Button[][] | undefined): InlineKeyboardMarkup {
  const rows: InlineKeyboardButton[][] = (buttons ?? [])
    .map((row) =>
      row.map((button): InlineKeyboardButton => {
        const label = button.label.length > 64 ? `${button.label.slice(0, 63)}…` : button.label;
        if ('url' in button) return { text: label, url: button.url };
        if (Buffer.byteLength(button.action, 'utf8') > CALLBACK_DATA_LIMIT) {
          throw new Error(`callback_data over ${CALLBACK_DATA_LIMIT} bytes`);
        }
        return { text: label, callback_data: button.action };
      }),
    )
    .filter((row) => row.length > 0);
  return { inline_keyboard: rows };
}

/** The visible text of a rich tree, as renderHtml counts it (UTF-16 code units). */
function visible(value: Rich): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return (value as readonly Rich[]).map(visible).join('');
  const n = value as RichNode;
  switch (n.kind) {
    case 'bold':
    case 'italic':
    case 'link':
      return visible(n.content);
    case 'code':
      return n.text;
    case 'line':
      return '\n';
  }
}

/** The part of a rich tree between visible offsets `start` and `end`, formatting kept. */
function sliceRich(value: Rich, start: number, end: number): Rich {
  let position = 0;
  function walk(node: Rich): Rich {
    if (typeof node === 'string') {
      const from = position;
      position += node.length;
      return node.slice(Math.max(0, start - from), Math.max(0, end - from));
    }
    if (Array.isArray(node)) return (node as readonly Rich[]).map(walk);
    const n = node as RichNode;
    switch (n.kind) {
      case 'bold':
      case 'italic':
        return { kind: n.kind, content: walk(n.content) };
      case 'link':
        return { kind: 'link', url: n.url, content: walk(n.content) };
      case 'code':
        return { kind: 'code', text: walk(n.text) as string };
      case 'line': {
        const at = position;
        position += 1;
        return at >= start && at < end ? n : '';
      }
    }
  }
  return walk(value);
}

/**
 * Splits rich text for a caption of at most `limit` visible characters: the head fits the caption,
 * the rest (undefined when nothing is left) goes to a following message. The cut is at the last line
 * break, else the last space, within the limit (a hard cut otherwise, never inside a surrogate pair).
 */
export function splitRich(value: Rich, limit = CAPTION_LIMIT): { head: Rich; rest: Rich | undefined } {
  const text = visible(value);
  if (text.length <= limit) return { head: value, rest: undefined };
  const window = text.slice(0, limit + 1);
  let cut = window.lastIndexOf('\n');
  if (cut < limit / 2) cut = window.lastIndexOf(' ');
  if (cut < limit / 2) {
    cut = limit;
    const code = text.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  }
  const rest = text.slice(cut).trim() === '' ? undefined : sliceRich(value, cut, text.length);
  return { head: sliceRich(value, 0, cut), rest };
}
