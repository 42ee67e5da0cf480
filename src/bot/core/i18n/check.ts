/**
 * The catalogs' completeness check (run by test/i18n/catalogs.test.ts): every language has every
 * English key (a plural key in each of that language's CLDR plural forms), no key English lacks, no
 * placeholder English lacks, and well-formed tags. English is the source: it decides the keys.
 */
import type { CatalogTree, Resources } from './catalog.js';
import { parseTemplate, placeholdersOf } from './translator.js';

export interface CatalogProblem {
  locale: string;
  namespace: string;
  key: string;
  problem: string;
}

const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

/** `{ a: { b: 'x' } }` → `{ 'a.b': 'x' }`. */
export function flatten(tree: CatalogTree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

/** Keys grouped by their base (a plural key's forms under one base); `plural` when the base has forms. */
function bases(flat: Map<string, string>): Map<string, { plural: boolean; texts: string[] }> {
  const out = new Map<string, { plural: boolean; texts: string[] }>();
  for (const [key, text] of flat) {
    const plural = PLURAL_SUFFIX.test(key);
    const base = plural ? key.replace(PLURAL_SUFFIX, '') : key;
    const entry = out.get(base) ?? { plural, texts: [] };
    entry.plural ||= plural;
    entry.texts.push(text);
    out.set(base, entry);
  }
  return out;
}

export function pluralForms(locale: string): string[] {
  return new Intl.PluralRules(locale).resolvedOptions().pluralCategories as string[];
}

export function checkCatalogs(resources: Resources, source = 'en'): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  const english = resources[source] ?? {};
  for (const [locale, namespaces] of Object.entries(resources)) {
    for (const namespace of new Set([...Object.keys(english), ...Object.keys(namespaces)])) {
      const say = (key: string, problem: string) => problems.push({ locale, namespace, key, problem });
      const sourceTree = english[namespace];
      const tree = namespaces[namespace];
      if (tree === undefined) {
        say('', 'namespace missing');
        continue;
      }
      if (sourceTree === undefined) {
        say('', 'namespace English lacks');
        continue;
      }
      const flat = flatten(tree);
      for (const [key, text] of flat) {
        if (text.trim() === '') say(key, 'empty text');
        try {
          parseTemplate(text);
        } catch (error) {
          say(key, `bad tags: ${(error as Error).message}`);
        }
      }
      if (locale === source) continue;
      const sourceBases = bases(flatten(sourceTree));
      const ownBases = bases(flat);
      const forms = pluralForms(locale);
      for (const [base, { plural, texts }] of sourceBases) {
        const allowed = new Set(texts.flatMap((t) => [...placeholdersOf(t)]));
        if (plural) allowed.add('count');
        if (!plural) {
          const text = flat.get(base);
          if (text === undefined) say(base, 'missing');
          else for (const name of placeholdersOf(text)) if (!allowed.has(name)) say(base, `placeholder {{${name}}} English lacks`);
          continue;
        }
        for (const form of forms) {
          const key = `${base}_${form}`;
          const text = flat.get(key);
          if (text === undefined) say(key, `missing plural form "${form}"`);
          else for (const name of placeholdersOf(text)) if (!allowed.has(name)) say(key, `placeholder {{${name}}} English lacks`);
        }
      }
      for (const [base, { plural }] of ownBases) {
        const english = sourceBases.get(base);
        if (english === undefined) say(base, 'key English lacks');
        else if (english.plural !== plural) say(base, plural ? 'plural forms where English has one text' : 'one text where English has plural forms');
      }
      for (const key of flat.keys()) {
        const form = PLURAL_SUFFIX.exec(key)?.[1];
        if (form !== undefined && !forms.includes(form) && sourceBases.get(key.replace(PLURAL_SUFFIX, ''))?.plural === true) {
          say(key, `plural form "${form}" that ${locale} does not use`);
        }
      }
    }
  }
  return problems;
}
