import { describe, expect, it } from 'vitest';
import { encodeAction, decodeAction, MAX_ACTION_BYTES, ViewBuilder } from '../../src/bot/core/actions.js';
import { rich } from '../../src/bot/core/types.js';
import { CAPTION_LIMIT, escapeHtml, MESSAGE_LIMIT, renderHtml, renderKeyboard } from '../../src/bot/telegram/render.js';
import { isModeratorStatus, parseCommand } from '../../src/bot/telegram/to-core.js';
import { parseAddQuery, parseTitleQuery } from '../../src/bot/core/parse.js';

describe('HTML rendering', () => {
  it('GIVEN titles with markup characters WHEN rendered THEN every one is escaped and the markup is ours', () => {
    expect(renderHtml([rich.bold('Tom & Jerry: "The Chase" <Director\'s Cut>'), ' — ', 'Fish &amp; Chips'])).toBe(
      '<b>Tom &amp; Jerry: &quot;The Chase&quot; &lt;Director\'s Cut&gt;</b> — Fish &amp;amp; Chips',
    );
    expect(escapeHtml('<script>')).toBe('&lt;script&gt;');
  });

  it('GIVEN a link that is not http(s) WHEN rendered THEN it becomes plain text', () => {
    expect(renderHtml(rich.link('javascript:alert(1)', 'click'))).toBe('click');
    expect(renderHtml(rich.link('https://trakt.tv/a?b=1&c="2"', 'x'))).toBe('<a href="https://trakt.tv/a?b=1&amp;c=&quot;2&quot;">x</a>');
  });

  it('GIVEN text over Telegram\'s limits WHEN rendered THEN visible text is cut with an ellipsis and no tag is left open', () => {
    const long = [rich.bold('x'.repeat(5000)), ' tail'];
    const html = renderHtml(long, MESSAGE_LIMIT);
    const visible = html.replace(/<[^>]+>/g, '');
    expect(visible.length).toBe(MESSAGE_LIMIT);
    expect(visible.endsWith('…')).toBe(true);
    expect(html.startsWith('<b>')).toBe(true);
    expect(html.endsWith('</b>')).toBe(true);
    const caption = renderHtml(['é&'.repeat(700)], CAPTION_LIMIT);
    expect(caption.replace(/&amp;/g, '&').length).toBe(CAPTION_LIMIT);
  });

  it('GIVEN a cut inside an emoji WHEN rendered THEN no half surrogate pair is left', () => {
    const html = renderHtml('a' + '😀'.repeat(10), 6);
    expect(html).toBe('a😀😀…');
  });

  it('GIVEN callback data over 64 bytes WHEN a keyboard is rendered THEN it refuses', () => {
    expect(() => renderKeyboard([[{ label: 'x', action: `v1:${'é'.repeat(40)}` }]])).toThrow(/64 bytes/);
  });
});

describe('button data', () => {
  it('GIVEN any view WHEN buttons are made THEN their data is v1:<action>:<id>, ASCII, at most 64 bytes, sharing the view prefix', () => {
    const view = new ViewBuilder({ identityId: 1, platform: 'telegram', chatId: '1' }, new Date());
    const buttons = Array.from({ length: 70 }, (_, i) => view.button(`Season ${i} — 日本語のタイトル 🎬`, 'season', { i }));
    for (const b of buttons) {
      const data = 'action' in b ? b.action : '';
      expect(data).toMatch(/^v1:season:[A-Za-z0-9_-]{14}$/);
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(MAX_ACTION_BYTES);
      expect(decodeAction(data)?.id.startsWith(view.viewId)).toBe(true);
    }
    expect(new Set(buttons.map((b) => ('action' in b ? b.action : ''))).size).toBe(70);
  });

  it('GIVEN junk WHEN decoded THEN it is refused', () => {
    for (const junk of ['', 'v1::x', 'v2:add:x', 'v1:add:x:y', 'v1:ADD:x', 'v1:add:a b', `v1:add:${'a'.repeat(41)}`]) expect(decodeAction(junk)).toBeUndefined();
    expect(decodeAction(encodeAction('confirm', 'abc'))).toEqual({ action: 'confirm', id: 'abc' });
  });
});

describe('commands as Telegram sends them', () => {
  it('GIVEN /cmd, /cmd@ourbot and /cmd@otherbot WHEN parsed THEN only ours are commands', () => {
    expect(parseCommand('/search dune 2021', 'marquee_bot')).toEqual({ command: 'search', args: 'dune 2021' });
    expect(parseCommand('/Search@Marquee_Bot  dune\n', 'marquee_bot')).toEqual({ command: 'search', args: 'dune' });
    expect(parseCommand('/search@other_bot dune', 'marquee_bot')).toBeUndefined();
    expect(parseCommand('hello /search', 'marquee_bot')).toBeUndefined();
  });
});

describe('moderators', () => {
  it('GIVEN the ChatMember statuses WHEN asked who moderates THEN the creator and administrators only', () => {
    expect(['creator', 'administrator'].map(isModeratorStatus)).toEqual([true, true]);
    expect(['member', 'restricted', 'left', 'kicked', ''].map(isModeratorStatus)).toEqual([false, false, false, false, false]);
  });
});

describe('queries', () => {
  it('GIVEN a year in the query WHEN parsed THEN it narrows the search; a title that is a year stays a title', () => {
    expect(parseTitleQuery('dune 2021')).toEqual({ text: 'dune', year: 2021 });
    expect(parseTitleQuery('Dune (2021)')).toEqual({ text: 'Dune', year: 2021 });
    expect(parseTitleQuery('1917')).toEqual({ text: '1917' });
    expect(parseTitleQuery('blade runner 2049 2017')).toEqual({ text: 'blade runner 2049', year: 2017 });
  });

  it('GIVEN IMDb ids and Trakt links WHEN /add parses them THEN they are recognised', () => {
    expect(parseAddQuery('tt0848228')).toEqual({ kind: 'imdb', imdbId: 'tt0848228' });
    expect(parseAddQuery('https://www.imdb.com/title/tt0848228/')).toEqual({ kind: 'imdb', imdbId: 'tt0848228' });
    expect(parseAddQuery('https://trakt.tv/shows/severance/seasons/2/episodes/3')).toEqual({ kind: 'slug', type: 'show', slug: 'severance', season: 2, episode: 3 });
    expect(parseAddQuery('app.trakt.tv/movies/dune-2021')).toEqual({ kind: 'slug', type: 'movie', slug: 'dune-2021' });
    expect(() => parseAddQuery('https://example.com/movie')).toThrow();
    expect(parseAddQuery('dune\u0000\u200b 2021')).toEqual({ kind: 'text', query: { text: 'dune', year: 2021 } });
  });
});
