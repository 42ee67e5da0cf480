import { describe, expect, it } from 'vitest';
import { EntityParseError, detectEntities, parseHtml, parseMarkdownV2, trimParsed } from './formatting.js';

const htmlError = (source: string): string => {
  try {
    parseHtml(source);
  } catch (error) {
    if (error instanceof EntityParseError) return error.message;
    throw error;
  }
  throw new Error(`expected a parse error for ${source}`);
};

describe('parseHtml', () => {
  it('resolves tags into entities with UTF-16 offsets', () => {
    const parsed = parseHtml('<b>Dune</b> 🎬 <i>Part <u>Two</u></i> <a href="https://trakt.tv">link</a>');
    expect(parsed.text).toBe('Dune 🎬 Part Two link');
    expect(parsed.entities).toEqual([
      { type: 'bold', offset: 0, length: 4 },
      { type: 'italic', offset: 8, length: 8 },
      { type: 'underline', offset: 13, length: 3 },
      { type: 'text_link', offset: 17, length: 4, url: 'https://trakt.tv/' },
    ]);
  });

  it('decodes the four named entities and numeric references, leaves unknown & sequences as text', () => {
    expect(parseHtml('&lt;tag&gt; &amp; &quot;q&quot; &#65;&#x42; &copy; Tom & Jerry').text).toBe('<tag> & "q" AB &copy; Tom & Jerry');
  });

  it('supports pre with language, spoilers, custom emoji, expandable blockquotes and tg-time', () => {
    const parsed = parseHtml(
      '<pre><code class="language-ts">let x</code></pre><span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>' +
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji><blockquote expandable>q</blockquote>' +
        '<tg-time unix="1647531900" format="wDT">then</tg-time>',
    );
    expect(parsed.entities).toEqual([
      { type: 'pre', offset: 0, length: 5, language: 'ts' },
      { type: 'spoiler', offset: 5, length: 1 },
      { type: 'spoiler', offset: 6, length: 1 },
      { type: 'custom_emoji', offset: 7, length: 2, custom_emoji_id: '5368324170671202286' },
      { type: 'expandable_blockquote', offset: 9, length: 1 },
      { type: 'date_time', offset: 10, length: 4, unix_time: 1647531900, date_time_format: 'wDT' },
    ]);
  });

  it('reports errors with Telegram wording and UTF-8 byte offsets', () => {
    expect(htmlError('Dune <Part Two>')).toBe('Unsupported start tag "part" at byte offset 5');
    expect(htmlError('Amélie <x>')).toBe('Unsupported start tag "x" at byte offset 8');
    expect(htmlError('a < b')).toBe('Unsupported start tag "" at byte offset 2');
    expect(htmlError('<b>bold')).toBe('Can\'t find end tag corresponding to start tag "b"');
    expect(htmlError('<b>x</i>')).toBe('Unmatched end tag at byte offset 4, expected "</b>", found "</i>"');
    expect(htmlError('x</b>')).toBe('Unexpected end tag at byte offset 1');
    expect(htmlError('<b')).toBe('Unclosed start tag at byte offset 0');
    expect(htmlError('<span>x</span>')).toBe('Tag "span" must have class "tg-spoiler" at byte offset 0');
    expect(htmlError('<p>para</p>')).toBe('Unsupported start tag "p" at byte offset 0');
  });

  it('accepts closing tags without a name and case-insensitive tags', () => {
    expect(parseHtml('<B>x</>').entities).toEqual([{ type: 'bold', offset: 0, length: 1 }]);
  });
});

describe('parseMarkdownV2', () => {
  it('parses entities and escapes', () => {
    const parsed = parseMarkdownV2('*bold* _it_ __u__ ~s~ ||sp|| `c` [l](https://x.org) 1\\.5');
    expect(parsed.text).toBe('bold it u s sp c l 1.5');
    expect(parsed.entities.map((e) => e.type)).toEqual(['bold', 'italic', 'underline', 'strikethrough', 'spoiler', 'code', 'text_link']);
  });

  it('rejects unescaped reserved characters like Telegram', () => {
    expect(() => parseMarkdownV2('Dune (2021).')).toThrow("Character '(' is reserved and must be escaped with the preceding '\\'");
    expect(() => parseMarkdownV2('*open')).toThrow("Can't find end of Bold entity at byte offset 0");
  });
});

describe('entity detection and trimming', () => {
  it('finds bot commands with and without @username, mentions, hashtags and URLs', () => {
    const text = '/search@marquee_bot dune #scifi @alice https://trakt.tv/movies/dune.';
    expect(detectEntities(text)).toEqual([
      { type: 'bot_command', offset: 0, length: 19 },
      { type: 'mention', offset: 32, length: 6 },
      { type: 'hashtag', offset: 25, length: 6 },
      { type: 'url', offset: 39, length: 28 },
    ]);
    expect(detectEntities('a/b and http://x/y')).toEqual([{ type: 'url', offset: 8, length: 10 }]);
  });

  it('trims surrounding whitespace and shifts entities', () => {
    expect(trimParsed(parseHtml('\n  <b>x </b>  '))).toEqual({ text: 'x', entities: [{ type: 'bold', offset: 0, length: 1 }] });
  });
});
