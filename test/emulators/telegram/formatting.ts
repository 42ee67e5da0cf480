// Text formatting as the Bot API applies it: parse_mode HTML / MarkdownV2 / Markdown into plain text plus
// entities, with the error wording Telegram uses ("can't parse entities: ..."), the whitespace trim, the
// length count and the entities Telegram finds on its own (bot commands, mentions, hashtags, URLs).
//
// The parsers follow the behaviour of Telegram's own parser (TDLib, MessageEntity.cpp): tag names are
// case-insensitive, unknown `&...;` sequences stay literal text, error offsets are UTF-8 byte offsets into
// the text as sent, entity offsets and lengths are UTF-16 code units.

/** An entity before it is turned into a Bot API MessageEntity (text mentions carry a user id only). */
export interface ParsedEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
  custom_emoji_id?: string;
  userId?: number;
  unix_time?: number;
  date_time_format?: string;
}

export interface ParsedText {
  text: string;
  entities: ParsedEntity[];
}

/** Raised with TDLib's message; the API layer prefixes it with "Bad Request: can't parse entities: ". */
export class EntityParseError extends Error {}

const SPACE = new Set([' ', '\t', '\r', '\n', '\v', '\f', '']);
/** TDLib treats the terminating NUL as a space; `''` stands for "past the end" here. */
const isSpace = (c: string): boolean => SPACE.has(c);

function byteOffset(text: string, index: number): number {
  return Buffer.byteLength(text.slice(0, index), 'utf8');
}

/** Decodes `&lt;`, `&gt;`, `&amp;`, `&quot;` and numeric references; anything else is left as text. */
function decodeHtmlEntity(text: string, pos: number): { value: string; next: number } | undefined {
  if (text[pos] !== '&') return undefined;
  let end = pos + 1;
  let code = 0;
  if (text[pos + 1] === '#') {
    end++;
    if (text[pos + 2] === 'x') {
      end++;
      while (end < text.length && /[0-9a-fA-F]/.test(text[end] ?? '')) {
        code = code * 16 + parseInt(text[end] ?? '0', 16);
        end++;
        if (code > 0x10ffff) code = 0x110000;
      }
    } else {
      while (end < text.length && /[0-9]/.test(text[end] ?? '')) {
        code = code * 10 + Number(text[end]);
        end++;
        if (code > 0x10ffff) code = 0x110000;
      }
    }
    if (code === 0 || code >= 0x10ffff || end - pos >= 10) return undefined;
  } else {
    while (end < text.length && /[A-Za-z]/.test(text[end] ?? '')) end++;
    const name = text.slice(pos + 1, end);
    const named: Record<string, number> = { lt: 0x3c, gt: 0x3e, amp: 0x26, quot: 0x22 };
    const value = named[name];
    if (value === undefined) return undefined;
    code = value;
  }
  const next = text[end] === ';' ? end + 1 : end;
  return { value: String.fromCodePoint(code), next };
}

const HTML_TAGS = new Set([
  'a', 'b', 'strong', 'i', 'em', 's', 'strike', 'del', 'u', 'ins', 'tg-spoiler', 'tg-emoji', 'tg-time', 'span',
  'pre', 'code', 'blockquote',
]);

interface OpenTag {
  tag: string;
  argument: string;
  format: string | undefined;
  expandable: boolean;
  entityOffset: number;
}

/** Telegram's HTML style. Throws EntityParseError with Telegram's wording. */
export function parseHtml(source: string): ParsedText {
  const at = (k: number): string => (k < source.length ? (source[k] ?? '') : '');
  let out = '';
  const entities: ParsedEntity[] = [];
  const open: OpenTag[] = [];

  for (let i = 0; i < source.length; i++) {
    const c = source[i] ?? '';
    if (c === '&') {
      const decoded = decodeHtmlEntity(source, i);
      if (decoded) {
        out += decoded.value;
        i = decoded.next - 1;
        continue;
      }
    }
    if (c !== '<') {
      out += c;
      continue;
    }

    const begin = i;
    const beginBytes = (): number => byteOffset(source, begin);
    i++;
    if (at(i) !== '/') {
      // start tag
      while (!isSpace(at(i)) && at(i) !== '>') i++;
      if (at(i) === '') throw new EntityParseError(`Unclosed start tag at byte offset ${beginBytes()}`);
      const tag = source.slice(begin + 1, i).toLowerCase();
      if (!HTML_TAGS.has(tag)) {
        throw new EntityParseError(`Unsupported start tag "${tag}" at byte offset ${beginBytes()}`);
      }
      let argument = '';
      let format: string | undefined;
      let expandable = false;
      while (at(i) !== '>') {
        while (at(i) !== '' && isSpace(at(i))) i++;
        if (at(i) === '>') break;
        const nameBegin = i;
        while (!isSpace(at(i)) && at(i) !== '=' && at(i) !== '>') i++;
        const name = source.slice(nameBegin, i);
        if (name === '') {
          throw new EntityParseError(`Empty attribute name in the tag "${tag}" at byte offset ${beginBytes()}`);
        }
        while (at(i) !== '' && isSpace(at(i))) i++;
        if (at(i) !== '=') {
          if (at(i) === '') throw new EntityParseError(`Unclosed start tag "${tag}" at byte offset ${beginBytes()}`);
          if (tag === 'blockquote' && name.toLowerCase() === 'expandable') expandable = true;
          continue;
        }
        i++;
        while (at(i) !== '' && isSpace(at(i))) i++;
        if (at(i) === '') throw new EntityParseError(`Unclosed start tag "${tag}" at byte offset ${beginBytes()}`);
        let value = '';
        if (at(i) !== '"' && at(i) !== "'") {
          // a name token: letters, digits, periods, hyphens; not case sensitive
          const tokenBegin = i;
          while (/[A-Za-z0-9.-]/.test(at(i)) && at(i) !== '') i++;
          value = source.slice(tokenBegin, i).toLowerCase();
          if (!isSpace(at(i)) && at(i) !== '>') {
            throw new EntityParseError(`Unexpected end of name token at byte offset ${byteOffset(source, tokenBegin)}`);
          }
        } else {
          const quote = at(i);
          i++;
          while (at(i) !== quote && at(i) !== '') {
            if (at(i) === '&') {
              const decoded = decodeHtmlEntity(source, i);
              if (decoded) {
                value += decoded.value;
                i = decoded.next;
                continue;
              }
            }
            value += at(i);
            i++;
          }
          if (at(i) === quote) i++;
        }
        if (at(i) === '') throw new EntityParseError(`Unclosed start tag at byte offset ${beginBytes()}`);

        const attr = name.toLowerCase();
        if (tag === 'a' && attr === 'href') argument = value;
        else if (tag === 'code' && attr === 'class' && value.startsWith('language-')) argument = value.slice(9);
        else if (tag === 'span' && attr === 'class' && value.startsWith('tg-')) argument = value.slice(3);
        else if (tag === 'tg-emoji' && attr === 'emoji-id') argument = value;
        else if (tag === 'tg-time' && attr === 'unix') argument = value;
        else if (tag === 'tg-time' && attr === 'format') format = value;
      }
      if (tag === 'span' && argument !== 'spoiler') {
        throw new EntityParseError(`Tag "span" must have class "tg-spoiler" at byte offset ${beginBytes()}`);
      }
      open.push({ tag, argument, format, expandable, entityOffset: out.length });
    } else {
      // end tag
      const top = open[open.length - 1];
      if (!top) throw new EntityParseError(`Unexpected end tag at byte offset ${beginBytes()}`);
      while (!isSpace(at(i)) && at(i) !== '>') i++;
      const endTag = source.slice(begin + 2, i).toLowerCase();
      while (isSpace(at(i)) && at(i) !== '') i++;
      if (at(i) !== '>') throw new EntityParseError(`Unclosed end tag at byte offset ${beginBytes()}`);
      if (endTag !== '' && endTag !== top.tag) {
        throw new EntityParseError(
          `Unmatched end tag at byte offset ${beginBytes()}, expected "</${top.tag}>", found "</${endTag}>"`,
        );
      }
      closeHtmlTag(top, out, entities);
      open.pop();
    }
  }
  const unclosed = open[open.length - 1];
  if (unclosed) throw new EntityParseError(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(out)) {
    throw new EntityParseError(
      'Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units',
    );
  }
  for (const e of entities) if (e.type === 'code') delete e.language;
  return { text: out, entities: sortEntities(entities) };
}

function closeHtmlTag(top: OpenTag, out: string, entities: ParsedEntity[]): void {
  const offset = top.entityOffset;
  const length = out.length - offset;
  if (length <= 0) return;
  switch (top.tag) {
    case 'i':
    case 'em':
      entities.push({ type: 'italic', offset, length });
      return;
    case 'b':
    case 'strong':
      entities.push({ type: 'bold', offset, length });
      return;
    case 's':
    case 'strike':
    case 'del':
      entities.push({ type: 'strikethrough', offset, length });
      return;
    case 'u':
    case 'ins':
      entities.push({ type: 'underline', offset, length });
      return;
    case 'tg-spoiler':
    case 'span':
      entities.push({ type: 'spoiler', offset, length });
      return;
    case 'tg-emoji': {
      if (!/^[0-9]{1,19}$/.test(top.argument) || BigInt(top.argument) === 0n || BigInt(top.argument) > 2n ** 63n - 1n) {
        throw new EntityParseError('Invalid custom emoji identifier specified');
      }
      entities.push({ type: 'custom_emoji', offset, length, custom_emoji_id: top.argument });
      return;
    }
    case 'tg-time': {
      if (!/^-?[0-9]{1,12}$/.test(top.argument)) throw new EntityParseError('Invalid Unix time specified');
      if (top.format !== undefined && !/^(r|w?[dD]?[tT]?)$/.test(top.format)) {
        throw new EntityParseError('Invalid date and time format specified');
      }
      const entity: ParsedEntity = { type: 'date_time', offset, length, unix_time: Number(top.argument) };
      if (top.format !== undefined && top.format !== '') entity.date_time_format = top.format;
      entities.push(entity);
      return;
    }
    case 'a': {
      const url = top.argument !== '' ? top.argument : out.slice(offset);
      const userId = linkUserId(url);
      if (userId !== undefined) {
        entities.push({ type: 'text_mention', offset, length, userId });
        return;
      }
      const checked = checkedLink(url);
      if (checked !== undefined) entities.push({ type: 'text_link', offset, length, url: checked });
      return;
    }
    case 'pre': {
      const last = entities[entities.length - 1];
      if (last && last.type === 'code' && last.offset === offset && last.length === length && last.language) {
        last.type = 'pre';
      } else {
        entities.push({ type: 'pre', offset, length });
      }
      return;
    }
    case 'code': {
      const last = entities[entities.length - 1];
      if (last && last.type === 'pre' && last.offset === offset && last.length === length && top.argument !== '') {
        last.language = top.argument;
      } else {
        const entity: ParsedEntity = { type: 'code', offset, length };
        if (top.argument !== '') entity.language = top.argument;
        entities.push(entity);
      }
      return;
    }
    case 'blockquote':
      entities.push({ type: top.expandable ? 'expandable_blockquote' : 'blockquote', offset, length });
      return;
    default:
      throw new Error(`unhandled tag ${top.tag}`);
  }
}

/** `tg://user?id=123` → 123 */
function linkUserId(url: string): number | undefined {
  const m = /^tg:(?:\/\/)?user\?id=([0-9]{1,15})$/i.exec(url.trim());
  return m?.[1] !== undefined ? Number(m[1]) : undefined;
}

/** Normalises a link like Telegram (scheme added, trailing slash on bare hosts); undefined when rejected. */
export function checkedLink(raw: string): string | undefined {
  const url = raw.trim();
  if (url === '') return undefined;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'tg' || scheme === 'ton' || scheme === 'tonsite') return url;
  const withScheme = scheme === undefined || !url.includes('://') ? `http://${url}` : url;
  const finalScheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(withScheme)?.[1]?.toLowerCase();
  if (finalScheme !== 'http' && finalScheme !== 'https' && finalScheme !== 'ftp') return undefined;
  try {
    const parsed = new URL(withScheme);
    if (parsed.hostname === '' || /\s/.test(withScheme)) return undefined;
    return parsed.href;
  } catch {
    return undefined;
  }
}

const MDV2_TYPE_NAMES: Record<string, string> = {
  bold: 'Bold', italic: 'Italic', underline: 'Underline', strikethrough: 'Strikethrough', spoiler: 'Spoiler',
  code: 'Code', pre: 'Pre', text_link: 'TextUrl', custom_emoji: 'CustomEmoji', blockquote: 'BlockQuote',
};

interface OpenMd {
  type: string;
  language: string;
  entityOffset: number;
  byteOffset: number;
  outBegin: number;
}

/** Telegram's MarkdownV2 style. */
export function parseMarkdownV2(source: string): ParsedText {
  const at = (k: number): string => (k < source.length ? (source[k] ?? '') : '');
  let out = '';
  const entities: ParsedEntity[] = [];
  const open: OpenMd[] = [];
  let haveBlockquote = false;
  const reserved = (c: string): Error =>
    new EntityParseError(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);

  for (let i = 0; i < source.length; i++) {
    const c = at(i);
    const next = at(i + 1);
    if (c === '\\' && next !== '' && next.charCodeAt(0) >= 1 && next.charCodeAt(0) <= 126) {
      i++;
      out += next;
      continue;
    }
    const top = open[open.length - 1];
    const reservedChars = top && (top.type === 'code' || top.type === 'pre') ? '`' : '_*[]()~`>#+-=|{}.!\n';
    if (!reservedChars.includes(c)) {
      out += c;
      continue;
    }

    let isEnd = false;
    if (top) {
      if (haveBlockquote && c === '\n' && (i + 1 === source.length || next !== '>')) isEnd = true;
      else {
        switch (top.type) {
          case 'bold': isEnd = c === '*'; break;
          case 'italic': isEnd = c === '_' && next !== '_'; break;
          case 'code': isEnd = c === '`'; break;
          case 'pre': isEnd = c === '`' && next === '`' && at(i + 2) === '`'; break;
          case 'text_link': isEnd = c === ']'; break;
          case 'underline': isEnd = c === '_' && next === '_'; break;
          case 'strikethrough': isEnd = c === '~'; break;
          case 'spoiler': isEnd = c === '|' && next === '|'; break;
          case 'custom_emoji': isEnd = c === ']'; break;
          default: isEnd = false;
        }
      }
    }

    if (!isEnd) {
      const entityByteOffset = byteOffset(source, i);
      let type: string | undefined;
      let language = '';
      switch (c) {
        case '_':
          if (next === '_') {
            type = 'underline';
            i++;
          } else type = 'italic';
          break;
        case '*': type = 'bold'; break;
        case '~': type = 'strikethrough'; break;
        case '|':
          if (next !== '|') throw reserved(c);
          i++;
          type = 'spoiler';
          break;
        case '[': type = 'text_link'; break;
        case '`':
          if (next === '`' && at(i + 2) === '`') {
            i += 3;
            type = 'pre';
            let languageEnd = i;
            while (!isSpace(at(languageEnd)) && at(languageEnd) !== '`') languageEnd++;
            if (i !== languageEnd && languageEnd < source.length && at(languageEnd) !== '`') {
              language = source.slice(i, languageEnd);
              i = languageEnd;
            }
            if (at(i) === '\n' || at(i) === '\r') {
              if ((at(i + 1) === '\n' || at(i + 1) === '\r') && at(i) !== at(i + 1)) i += 2;
              else i++;
            }
            i--;
          } else type = 'code';
          break;
        case '!':
          if (next !== '[') throw reserved(c);
          i++;
          type = 'custom_emoji';
          break;
        case '\n':
          out += '\n';
          if (next === '>') {
            i++;
            if (!haveBlockquote) {
              type = 'blockquote';
              haveBlockquote = true;
            }
          }
          break;
        case '>':
          if (i !== 0) throw reserved(c);
          type = 'blockquote';
          haveBlockquote = true;
          break;
        default:
          throw reserved(c);
      }
      if (type === undefined) continue;
      open.push({ type, language, entityOffset: out.length, byteOffset: entityByteOffset, outBegin: out.length });
      continue;
    }

    // end of an entity
    const current = open[open.length - 1];
    if (!current) continue;
    if (c === '\n' && current.type !== 'blockquote') {
      throw new EntityParseError(
        `Can't find end of ${MDV2_TYPE_NAMES[current.type] ?? current.type} entity at byte offset ${current.byteOffset}`,
      );
    }
    let skip = out.length === current.entityOffset;
    const entity: ParsedEntity = { type: current.type, offset: current.entityOffset, length: out.length - current.entityOffset };
    switch (current.type) {
      case 'underline':
      case 'spoiler':
        i++;
        break;
      case 'pre':
        i += 2;
        if (current.language !== '') entity.language = current.language;
        break;
      case 'text_link': {
        let url = '';
        if (at(i + 1) !== '(') url = out.slice(current.outBegin);
        else {
          i += 2;
          const urlBegin = i;
          while (i < source.length && at(i) !== ')') {
            if (at(i) === '\\' && at(i + 1) !== '' && at(i + 1).charCodeAt(0) <= 126) {
              url += at(i + 1);
              i += 2;
              continue;
            }
            url += at(i);
            i++;
          }
          if (at(i) !== ')') {
            throw new EntityParseError(`Can't find end of a URL at byte offset ${byteOffset(source, urlBegin)}`);
          }
        }
        const userId = linkUserId(url);
        if (userId !== undefined) {
          entity.type = 'text_mention';
          entity.userId = userId;
        } else {
          const checked = checkedLink(url);
          if (checked === undefined) skip = true;
          else entity.url = checked;
        }
        break;
      }
      case 'custom_emoji': {
        if (at(i + 1) !== '(') throw new EntityParseError('Custom emoji entity must contain a tg://emoji URL');
        i += 2;
        let url = '';
        const urlBegin = i;
        while (i < source.length && at(i) !== ')') {
          if (at(i) === '\\' && at(i + 1) !== '' && at(i + 1).charCodeAt(0) <= 126) {
            url += at(i + 1);
            i += 2;
            continue;
          }
          url += at(i);
          i++;
        }
        if (at(i) !== ')') {
          throw new EntityParseError(`Can't find end of a custom emoji URL at byte offset ${byteOffset(source, urlBegin)}`);
        }
        const id = /^tg:\/\/emoji\?id=([0-9]{1,19})$/.exec(url)?.[1];
        if (id === undefined) throw new EntityParseError('Invalid custom emoji identifier specified');
        entity.custom_emoji_id = id;
        break;
      }
      case 'blockquote':
        haveBlockquote = false;
        out += c;
        entity.length = out.length - current.entityOffset;
        break;
      default:
        break;
    }
    if (!skip) entities.push(entity);
    open.pop();
  }
  if (haveBlockquote) {
    const top = open[open.length - 1];
    if (top && top.type === 'blockquote') {
      const length = out.length - top.entityOffset;
      if (length > 0) entities.push({ type: 'blockquote', offset: top.entityOffset, length });
      open.pop();
    }
  }
  const unclosed = open[open.length - 1];
  if (unclosed) {
    throw new EntityParseError(
      `Can't find end of ${MDV2_TYPE_NAMES[unclosed.type] ?? unclosed.type} entity at byte offset ${unclosed.byteOffset}`,
    );
  }
  return { text: out, entities: sortEntities(entities) };
}

/** Telegram's legacy Markdown style. */
export function parseMarkdownLegacy(source: string): ParsedText {
  const at = (k: number): string => (k < source.length ? (source[k] ?? '') : '');
  let out = '';
  const entities: ParsedEntity[] = [];
  for (let i = 0; i < source.length; i++) {
    const c = at(i);
    if (c === '\\' && '_*`['.includes(at(i + 1)) && at(i + 1) !== '') {
      i++;
      out += at(i);
      continue;
    }
    if (!'_*`['.includes(c)) {
      out += c;
      continue;
    }
    const begin = i;
    const endChar = c === '[' ? ']' : c;
    let isPre = false;
    let language = '';
    i++;
    if (c === '`' && at(i) === '`' && at(i + 1) === '`') {
      i += 2;
      isPre = true;
      let languageEnd = i;
      while (!isSpace(at(languageEnd)) && at(languageEnd) !== '`') languageEnd++;
      if (i !== languageEnd && languageEnd < source.length && at(languageEnd) !== '`') {
        language = source.slice(i, languageEnd);
        i = languageEnd;
      }
      if (at(i) === '\n' || at(i) === '\r') {
        if ((at(i + 1) === '\n' || at(i + 1) === '\r') && at(i) !== at(i + 1)) i += 2;
        else i++;
      }
    }
    const entityOffset = out.length;
    while (i < source.length && (at(i) !== endChar || (isPre && !(at(i + 1) === '`' && at(i + 2) === '`')))) {
      out += at(i);
      i++;
    }
    if (i >= source.length) {
      throw new EntityParseError(`Can't find end of the entity starting at byte offset ${byteOffset(source, begin)}`);
    }
    const length = out.length - entityOffset;
    if (length > 0) {
      if (c === '_') entities.push({ type: 'italic', offset: entityOffset, length });
      else if (c === '*') entities.push({ type: 'bold', offset: entityOffset, length });
      else if (c === '`') {
        if (isPre) {
          const e: ParsedEntity = { type: 'pre', offset: entityOffset, length };
          if (language !== '') e.language = language;
          entities.push(e);
        } else entities.push({ type: 'code', offset: entityOffset, length });
      } else {
        let url = '';
        if (at(i + 1) !== '(') url = out.slice(entityOffset);
        else {
          i += 2;
          while (i < source.length && at(i) !== ')') {
            url += at(i);
            i++;
          }
        }
        const userId = linkUserId(url);
        if (userId !== undefined) entities.push({ type: 'text_mention', offset: entityOffset, length, userId });
        else {
          const checked = checkedLink(url);
          if (checked !== undefined) entities.push({ type: 'text_link', offset: entityOffset, length, url: checked });
        }
      }
    }
    if (isPre) i += 2;
  }
  return { text: out, entities: sortEntities(entities) };
}

const TYPE_PRIORITY: Record<string, number> = {
  blockquote: 0, expandable_blockquote: 0, pre: 11, code: 20, text_link: 49, text_mention: 49, bold: 90, italic: 91,
  underline: 92, strikethrough: 93, spoiler: 94, custom_emoji: 99,
};

export function sortEntities(entities: ParsedEntity[]): ParsedEntity[] {
  return [...entities].sort(
    (a, b) => a.offset - b.offset || b.length - a.length || (TYPE_PRIORITY[a.type] ?? 50) - (TYPE_PRIORITY[b.type] ?? 50),
  );
}

const TRIM = new Set([' ', '\t', '\r', '\n', '\v', '\f']);

/** Removes leading and trailing whitespace like the Bot API does, moving entities along. */
export function trimParsed(parsed: ParsedText): ParsedText {
  let start = 0;
  let end = parsed.text.length;
  while (start < end && TRIM.has(parsed.text[start] ?? '')) start++;
  while (end > start && TRIM.has(parsed.text[end - 1] ?? '')) end--;
  const text = parsed.text.slice(start, end);
  const entities: ParsedEntity[] = [];
  for (const e of parsed.entities) {
    const from = Math.max(e.offset, start);
    const to = Math.min(e.offset + e.length, end);
    if (to <= from) continue;
    entities.push({ ...e, offset: from - start, length: to - from });
  }
  return { text, entities };
}

/** Length as Telegram counts it for the 4096 / 1024 limits: Unicode code points. */
export function textLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

const WORD = /[\p{L}\p{Nd}\p{N}_]/u;
const isWordChar = (c: string | undefined): boolean => c !== undefined && c !== '' && WORD.test(c);

function charBefore(text: string, index: number): string | undefined {
  if (index <= 0) return undefined;
  const low = text.charCodeAt(index - 1);
  if (low >= 0xdc00 && low <= 0xdfff && index >= 2) return text.slice(index - 2, index);
  return text[index - 1];
}

function charAt(text: string, index: number): string | undefined {
  if (index >= text.length) return undefined;
  const cp = text.codePointAt(index);
  return cp === undefined ? undefined : String.fromCodePoint(cp);
}

/**
 * Entities Telegram finds by itself in any text: bot commands, @mentions, #hashtags and explicit
 * http(s) URLs. Ranges already covered by code, pre, links or custom emoji are skipped.
 */
export function detectEntities(text: string, existing: ParsedEntity[] = []): ParsedEntity[] {
  const found: ParsedEntity[] = [];
  const blocked = existing.filter((e) =>
    ['code', 'pre', 'text_link', 'text_mention', 'custom_emoji', 'date_time'].includes(e.type),
  );
  const free = (offset: number, length: number): boolean =>
    !blocked.some((b) => offset < b.offset + b.length && b.offset < offset + length);

  // bot commands: (?<!\b|[/<>])/([a-zA-Z0-9_]{1,64})(?:@([a-zA-Z0-9_]{3,32}))?(?!\B|[/<>])
  for (const m of text.matchAll(/\/([a-zA-Z0-9_]+)(@[a-zA-Z0-9_]+)?/g)) {
    const start = m.index;
    const prev = charBefore(text, start);
    if (isWordChar(prev) || prev === '/' || prev === '<' || prev === '>') continue;
    const command = m[1] ?? '';
    if (command.length < 1 || command.length > 64) continue;
    const mention = m[2];
    if (mention !== undefined && (mention.length - 1 < 3 || mention.length - 1 > 32)) continue;
    const end = start + m[0].length;
    const next = charAt(text, end);
    if (isWordChar(next) || next === '/' || next === '<' || next === '>' || next === '@') continue;
    if (free(start, end - start)) found.push({ type: 'bot_command', offset: start, length: end - start });
  }
  // mentions
  for (const m of text.matchAll(/@([a-zA-Z0-9_]+)/g)) {
    const start = m.index;
    if (isWordChar(charBefore(text, start)) || charBefore(text, start) === '/') continue;
    const name = m[1] ?? '';
    if (name.length < 2 || name.length > 32) continue;
    if (isWordChar(charAt(text, start + m[0].length))) continue;
    if (found.some((f) => f.type === 'bot_command' && start > f.offset && start < f.offset + f.length)) continue;
    if (free(start, m[0].length)) found.push({ type: 'mention', offset: start, length: m[0].length });
  }
  // hashtags (at least one letter)
  for (const m of text.matchAll(/#([\p{L}\p{Nd}_]+)/gu)) {
    const start = m.index;
    if (isWordChar(charBefore(text, start))) continue;
    const tag = m[1] ?? '';
    if (!/\p{L}/u.test(tag)) continue;
    if (charAt(text, start + m[0].length) === '#') continue;
    if (free(start, m[0].length)) found.push({ type: 'hashtag', offset: start, length: m[0].length });
  }
  // explicit URLs
  for (const m of text.matchAll(/\bhttps?:\/\/[^\s<>"«»]+/gi)) {
    let url = m[0];
    while (/[.,;:!?)\]}'"]$/.test(url)) url = url.slice(0, -1);
    if (url.length <= 'https://'.length) continue;
    if (free(m.index, url.length)) found.push({ type: 'url', offset: m.index, length: url.length });
  }
  return found;
}

/** Escapes text for parse_mode HTML the way Telegram asks (`<`, `>`, `&`, and `"` for attributes). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
