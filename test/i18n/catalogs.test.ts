import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/bot/core/commands/index.js';
import { RESOURCES, type Resources } from '../../src/bot/core/i18n/catalog.js';
import { checkCatalogs, flatten } from '../../src/bot/core/i18n/check.js';
import { EN, LOCALES, resolveLocale, toLocale, translator } from '../../src/bot/core/i18n/index.js';
import { parseTemplate } from '../../src/bot/core/i18n/translator.js';
import { plainText, rich } from '../../src/bot/core/types.js';

/** The catalogs as shipped, and the check that keeps them complete. */
describe('catalogs', () => {
  it('GIVEN the shipped catalogs WHEN checked THEN every language has every English key and plural form, no stray key or placeholder, and well-formed tags', () => {
    expect(checkCatalogs(RESOURCES as unknown as Resources)).toEqual([]);
  });

  it('GIVEN a broken catalog WHEN checked THEN each fault is named: a missing key, a placeholder English lacks, a missing plural form, a stray key, bad tags', () => {
    const resources: Resources = {
      en: { demo: { hello: 'Hello {{name}}', bye: 'Bye', items_one: '{{count}} item', items_other: '{{count}} items' } },
      fr: { demo: { hello: 'Bonjour {{nom}}', items_one: '{{count}} élément', items_other: '{{count}} éléments', extra: 'x', bold: '<b>oops' } },
    };
    const problems = checkCatalogs(resources).map((p) => `${p.locale}:${p.key}: ${p.problem}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        'fr:bye: missing',
        'fr:hello: placeholder {{nom}} English lacks',
        'fr:items_many: missing plural form "many"',
        'fr:extra: key English lacks',
        'fr:bold: key English lacks',
      ]),
    );
    expect(problems.some((p) => p.startsWith('fr:bold: bad tags'))).toBe(true);
    expect(problems).toHaveLength(6);
  });

  it('GIVEN a catalog missing a whole namespace WHEN checked THEN it is named', () => {
    const problems = checkCatalogs({ en: { a: { k: 'v' } }, de: {} });
    expect(problems).toEqual([{ locale: 'de', namespace: 'a', key: '', problem: 'namespace missing' }]);
  });

  it('GIVEN the command modules WHEN compared with the English commands catalog THEN every listed command and option has its text there, word for word', () => {
    const english = flatten(RESOURCES.en.commands);
    for (const command of COMMANDS.filter((c) => c.listed)) {
      expect(english.get(`${command.name}.description`), command.name).toBe(command.description);
      for (const option of command.options ?? []) expect(english.get(`${command.name}.options.${option.name}`), `${command.name} ${option.name}`).toBe(option.description);
    }
  });

  it('GIVEN button labels and toasts (by their key names, see the guide) WHEN measured in every language THEN they fit Telegram (64 for labels, 200 for answerCallbackQuery) and Discord (80)', () => {
    let measured = 0;
    for (const locale of LOCALES) {
      for (const namespace of Object.keys(RESOURCES[locale])) {
        for (const [key, text] of flatten(RESOURCES[locale][namespace as keyof (typeof RESOURCES)['en']])) {
          const shown = plainText(translator(locale).tr(`${namespace}:${key.replace(/_(zero|one|two|few|many|other)$/, '')}`, sample(text)));
          if (/(Button$|^button\.|\.button\.)/.test(key)) {
            measured += 1;
            expect(shown.length, `${locale} ${namespace}:${key}`).toBeLessThanOrEqual(64);
          }
          if (/(Ack$|^ack\.|\.ack\.)/.test(key)) expect(shown.length, `${locale} ${namespace}:${key}`).toBeLessThanOrEqual(200);
        }
      }
    }
    expect(measured).toBeGreaterThan(0);
  });

  it('GIVEN every text in every language WHEN the command menus use them THEN they fit Discord (100 characters) and Telegram (256)', () => {
    for (const locale of LOCALES) {
      for (const [key, text] of flatten(RESOURCES[locale].commands)) expect(text.length, `${locale} ${key}`).toBeLessThanOrEqual(100);
    }
  });
});

/** Placeholder values of a typical length for measuring a text (20 characters each, count 2). */
function sample(text: string): Record<string, string | number> {
  const values: Record<string, string | number> = { count: 2 };
  for (const match of text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)) if (match[1] !== 'count') values[match[1] as string] = 'x'.repeat(20);
  return values;
}

describe('translators', () => {
  it('GIVEN a value that looks like markup or a placeholder WHEN put into a template THEN it stays plain text', () => {
    const text = EN.tr('start:linkedAs', { username: '<b>{{username}}</b>' });
    expect(text).toEqual(['You are linked as ', rich.bold('<b>{{username}}</b>'), '.']);
  });

  it('GIVEN counts WHEN a plural text is asked for THEN each language picks its CLDR form', () => {
    expect(EN.t('common:minutes', { count: 1 })).toBe('1 minute');
    expect(EN.t('common:minutes', { count: 15 })).toBe('15 minutes');
    expect(translator('de').t('common:minutes', { count: 1 })).toBe('1 Minute');
    expect(translator('fr').t('common:minutes', { count: 0 })).toBe('0 minute');
    expect(translator('es').t('common:minutes', { count: 1_000_000 })).toBe('1000000 minutos');
  });

  it('GIVEN a key English lacks WHEN asked THEN it throws (a typo never reaches a user as a key)', () => {
    expect(() => EN.t('start:no-such-key')).toThrow(/no text in the English catalog/);
  });

  it('GIVEN a template WHEN parsed THEN tags nest, new lines become lines, and unbalanced tags throw', () => {
    expect(plainText(translator('de').tr('language:setUser', { language: 'Deutsch' }))).toBe('Ab jetzt spreche ich Deutsch mit dir.');
    expect(parseTemplate('a <b>b <i>c</i></b>\nd')).toEqual(['a ', { tag: 'b', children: ['b ', { tag: 'i', children: ['c'] }] }, { line: true }, 'd']);
    expect(() => parseTemplate('<b>open')).toThrow();
    expect(() => parseTemplate('<b>x</i>')).toThrow();
    expect(parseTemplate('a < b > c')).toEqual(['a < b > c']);
  });
});

describe('choosing the language', () => {
  it('GIVEN platform tags WHEN mapped THEN primary subtags of our languages are ours and others are not', () => {
    expect(['de', 'es-ES', 'es-419', 'fr', 'en-US', 'en-GB', 'pt-BR', 'zh-CN', '', undefined].map((tag) => toLocale(tag))).toEqual([
      'de',
      'es',
      'es',
      'fr',
      'en',
      'en',
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('GIVEN the sources WHEN resolved THEN a private chat follows the user, a group its setting, then the platform, then the user', () => {
    expect(resolveLocale({ user: 'fr', client: 'de' }, 'private')).toBe('fr');
    expect(resolveLocale({ client: 'de' }, 'private')).toBe('de');
    expect(resolveLocale({ client: 'pt-BR' }, 'private')).toBe('en');
    expect(resolveLocale({ chat: 'es', group: 'de', user: 'fr', client: 'fr' }, 'private')).toBe('fr');
    expect(resolveLocale({ chat: 'es', group: 'de', user: 'fr' }, 'group')).toBe('es');
    expect(resolveLocale({ group: 'de', user: 'fr' }, 'group')).toBe('de');
    expect(resolveLocale({ group: 'ja', client: 'fr' }, 'group')).toBe('fr');
  });
});
