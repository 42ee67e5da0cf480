import { EN } from '../../src/bot/core/i18n/index.js';
import { describe, expect, it } from 'vitest';
import { normalizeForMatch, TitleIndex } from '../../src/bot/core/title-index.js';
import { titleChoiceLabel, titleChoiceValue } from '../../src/bot/core/autocomplete.js';
import type { Title } from '../../src/bot/core/ports.js';
import { rich, type Button } from '../../src/bot/core/types.js';
import { escapeMarkdown, LIMITS, MENU_PREFIX, renderComponents, renderMarkdown, unescapeMarkdown } from '../../src/bot/discord/render.js';
import { ApplicationCommandOptionType, PermissionFlagsBits, PermissionsBitField } from 'discord.js';
import { slashCommandsFrom } from '../../src/bot/discord/slash-commands.js';
import { argsFromOptions, isModerator } from '../../src/bot/discord/to-core.js';

const NASTY = ['M*A*S*H', 'C:\\Users\\Ghost\\Desktop', '[REC]', '#Alive', '__init__', '~~gone~~', '`code`', '> quoted', '-# small', '1917. The Year', '<@123> @everyone', 'a|b||spoiler||'];

describe('Discord markdown', () => {
  it('GIVEN titles full of markdown characters WHEN escaped THEN a client shows them as written', () => {
    for (const title of NASTY) {
      expect(unescapeMarkdown(escapeMarkdown(title, true))).toBe(title);
      // No markdown character is left unescaped.
      expect(escapeMarkdown(title, true).replace(/\\[!-/:-@[-`{-~]/g, '')).not.toMatch(/[*_~`|[\]()<>#\\]/);
    }
    expect(escapeMarkdown('1917. The Year', true)).toBe('1917\\. The Year');
    expect(escapeMarkdown('1917. The Year', false)).toBe('1917. The Year');
  });

  it('GIVEN rich text WHEN rendered THEN markup is ours and strings are escaped', () => {
    expect(renderMarkdown([rich.bold('M*A*S*H'), ' (1972)', rich.line, rich.italic('Comedy'), ' ', rich.code('AB`CD')])).toBe(
      '**M\\*A\\*S\\*H** \\(1972\\)\n_Comedy_ `ABˋCD`',
    );
    expect(renderMarkdown(rich.link('javascript:alert(1)', 'x'))).toBe('x');
    expect(renderMarkdown(rich.link('https://trakt.tv/activate', 'trakt.tv/activate'))).toBe('[trakt.tv/activate](https://trakt.tv/activate)');
  });

  it('GIVEN text over the embed limit WHEN rendered THEN it is cut with an ellipsis and the bold is closed', () => {
    const out = renderMarkdown([rich.bold('*'.repeat(5000)), ' tail']);
    expect(out.length).toBeLessThanOrEqual(LIMITS.embedDescription);
    expect(out.startsWith('**\\*')).toBe(true);
    expect(out.endsWith('…**')).toBe(true);
    expect(out).not.toContain('tail');
  });
});

describe('Discord components', () => {
  const button = (i: number): Button => ({ label: `Season ${i}`, action: `v1:season:ABCDEFGHIJKL${String(i).padStart(2, '0')}` });

  it('GIVEN more buttons than 5 rows hold WHEN rendered THEN the leading ones fold into select menus and the last rows stay buttons', () => {
    const picks = Array.from({ length: 60 }, (_, i) => button(i));
    const rows: Button[][] = [];
    for (let i = 0; i < picks.length; i += 3) rows.push(picks.slice(i, i + 3));
    rows.push([{ label: 'Confirm', action: 'v1:confirm:ABCDEFGHIJKLzz', style: 'primary' }], [{ label: 'Cancel', action: 'v1:cancel:ABCDEFGHIJKLzy' }]);
    const out = renderComponents(rows);
    expect(out.length).toBeLessThanOrEqual(LIMITS.actionRows);
    const menus = out.flatMap((r) => r.components).filter((c) => c.type === 3);
    const options = menus.flatMap((m) => ('options' in m ? m.options : []));
    const buttons = out.flatMap((r) => r.components).filter((c) => c.type === 2);
    // Nothing is lost, and the order holds.
    expect([...options.map((o) => o.label), ...buttons.map((b) => ('label' in b ? b.label : ''))]).toEqual([...picks.map((b) => b.label), 'Confirm', 'Cancel']);
    for (const menu of menus) expect('custom_id' in menu && menu.custom_id.startsWith(MENU_PREFIX)).toBe(true);
  });

  it('GIVEN a row of 7 buttons WHEN rendered THEN it becomes rows of at most 5', () => {
    const out = renderComponents([Array.from({ length: 7 }, (_, i) => button(i))]);
    expect(out.map((r) => r.components.length)).toEqual([5, 2]);
  });

  it('GIVEN a multi-choice that replaces rows in the middle WHEN rendered THEN exactly those rows give way to the menu, and chosen options come checked', () => {
    const rows: Button[][] = [[button(0)], [button(1)], [button(2)], [button(3)]];
    const out = renderComponents(rows, {
      action: 'v1:pick:ABCDEFGHIJKLzz',
      placeholder: 'Pick',
      options: [
        { label: 'One', value: '0', selected: true },
        { label: 'Two', value: '1' },
      ],
      minValues: 0,
      maxValues: 2,
      replacesRows: 2,
      replacesRowsFrom: 1,
    });
    const labels = out.flatMap((r) => r.components).flatMap((c) => (c.type === 2 && 'label' in c ? [c.label] : []));
    expect(labels).toEqual(['Season 0', 'Season 3']);
    const menu = out.flatMap((r) => r.components).find((c) => c.type === 3);
    expect(menu !== undefined && 'options' in menu ? menu.options.map((o) => o.default === true) : []).toEqual([true, false]);
    expect(menu !== undefined && 'min_values' in menu ? menu.min_values : undefined).toBe(0);
  });

  it('GIVEN an over-long custom id THEN rendering refuses it rather than sending it', () => {
    expect(() => renderComponents([[{ label: 'x', action: 'v1:x:'.padEnd(101, 'a') }]])).toThrow(/custom_id/);
  });
});

describe('Discord commands and autocomplete values', () => {
  it('GIVEN slash command options WHEN turned into args THEN the values join in declared order', () => {
    const declared = [{ name: 'type', description: '' }, { name: 'sort', description: '' }];
    expect(argsFromOptions(declared, (n) => ({ sort: 'title', type: 'movies' })[n])).toBe('movies title');
    expect(argsFromOptions(declared, (n) => ({ sort: 'year' })[n as 'sort'])).toBe('year');
  });

  it('GIVEN keyed options WHEN turned into args THEN each reads name=value, spaces kept, unkeyed ones as before', () => {
    const declared = [
      { name: 'genre', description: '', keyed: true },
      { name: 'year', description: '', keyed: true },
      { name: 'words', description: '' },
    ];
    const values: Record<string, unknown> = { genre: ' science fiction ', words: 'dune part two', year: 2021 };
    expect(argsFromOptions(declared, (n) => values[n])).toBe('genre=science fiction year=2021 dune part two');
    // Only the given ones, in declared order whatever order they were typed in; blank ones are left out.
    expect(argsFromOptions(declared, (n) => ({ year: '1999', genre: '   ' })[n])).toBe('year=1999');
    expect(argsFromOptions(declared, () => undefined)).toBe('');
    // Cleaned like every other text (control characters out).
    expect(argsFromOptions(declared.slice(0, 1), () => 'hor\u0000ror')).toBe('genre=horror');
    // Typed with its key already: not keyed twice.
    expect(argsFromOptions(declared.slice(0, 1), () => 'Genre=horror')).toBe('Genre=horror');
  });

  it('GIVEN a flag option (share) THEN True puts its name into the args, False or absent nothing, and the slash command has a Boolean option', () => {
    const declared = [{ name: 'type', description: 'Type' }, { name: 'share', description: 'Share', flag: true, shares: true }];
    expect(argsFromOptions(declared, (n) => ({ type: 'movies', share: true })[n])).toBe('movies share');
    expect(argsFromOptions(declared, (n) => ({ type: 'movies', share: false })[n])).toBe('movies');
    expect(argsFromOptions(declared, () => undefined)).toBe('');
    const [command] = slashCommandsFrom([{ name: 'watchlist', description: 'Your watchlist', options: declared }]);
    expect(command?.options?.[1]).toEqual({ type: ApplicationCommandOptionType.Boolean, name: 'share', description: 'Share', required: false });
  });

  it('GIVEN member permissions WHEN asked who moderates THEN Manage Messages or Administrator', () => {
    expect(isModerator(new PermissionsBitField(PermissionFlagsBits.ManageMessages))).toBe(true);
    expect(isModerator(new PermissionsBitField(PermissionFlagsBits.Administrator))).toBe(true);
    expect(isModerator(new PermissionsBitField([PermissionFlagsBits.SendMessages, PermissionFlagsBits.ViewChannel]))).toBe(false);
    expect(isModerator(new PermissionsBitField(0n))).toBe(false);
    expect(isModerator(null)).toBe(false);
    expect(isModerator(undefined)).toBe(false);
  });

  const title = (over: Partial<Title>): Title => ({ type: 'movie', ids: { trakt: 1, slug: 'dune-2021', imdb: 'tt1160419' }, title: 'Dune', year: 2021, posterUrl: null, ...over }) as Title;

  it('GIVEN a title WHEN offered as a choice THEN /add gets an exact reference and /search its words and year', () => {
    expect(titleChoiceLabel(title({}), EN)).toBe('Dune (2021) · Movie');
    expect(titleChoiceValue(title({}), 'title-ref')).toBe('tt1160419');
    expect(titleChoiceValue(title({ ids: { trakt: 1, slug: 'dune-2021' } as Title['ids'] }), 'title-ref')).toBe('https://trakt.tv/movies/dune-2021');
    expect(titleChoiceValue(title({}), 'title-query')).toBe('Dune 2021');
    const long = title({ title: 'x '.repeat(200), year: 2024 });
    expect(titleChoiceLabel(long, EN).length).toBeLessThanOrEqual(100);
    expect(titleChoiceValue(long, 'title-query').length).toBeLessThanOrEqual(100);
  });

  it('GIVEN an index of titles WHEN matched THEN every typed word prefixes a title word, exact and leading matches first', () => {
    const index = new TitleIndex(3);
    index.add([title({ title: 'The Avengers', ids: { trakt: 1, slug: 'a' } as Title['ids'], votes: 10 })]);
    index.add([title({ title: 'Avengers: Endgame', ids: { trakt: 2, slug: 'b' } as Title['ids'], votes: 99 })]);
    index.add([title({ title: 'Amélie', ids: { trakt: 3, slug: 'c' } as Title['ids'] })]);
    expect(index.match('aveng', 5).map((t) => t.title)).toEqual(['Avengers: Endgame', 'The Avengers']);
    expect(index.match('the aveng', 5).map((t) => t.title)).toEqual(['The Avengers']);
    expect(index.match('amel', 5).map((t) => t.title)).toEqual(['Amélie']);
    expect(normalizeForMatch('  Amélie: The  Movie! ')).toBe('amelie the movie');
    index.add([title({ title: 'Fourth', ids: { trakt: 4, slug: 'd' } as Title['ids'] })]); // over capacity: the oldest leaves
    expect(index.size).toBe(3);
    expect(index.match('the aveng', 5)).toEqual([]);
  });
});
