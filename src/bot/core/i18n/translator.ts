/**
 * Translators: every user-facing text comes from the catalogs (catalog.ts) through `t` (plain text)
 * or `tr` (rich text). i18next does the lookup, the fallback to English and the plural forms (CLDR
 * categories through Intl.PluralRules: `key_one`, `key_other`, and `key_few`, `key_many` where a
 * language has them). Placeholders (`{{name}}`) and the few tags a template may carry (`<b>`, `<i>`,
 * `<code>`) are handled here, in this order: the template's tags are parsed first, then values are put
 * into the text, so a value (a title, a username) is never read as markup or as a placeholder.
 */
import i18next, { type TFunction } from 'i18next';
import { rich, plainText, type Rich } from '../types.js';
import { NAMESPACES, RESOURCES } from './catalog.js';
import { DEFAULT_LOCALE, LOCALES, type Locale } from './locales.js';

/** A value for a placeholder. `count` also chooses the plural form. */
export type Param = string | number;
export type Params = Readonly<Record<string, Param>>;
/** In rich text a placeholder may also take rich text (a bold name, a link, a code). */
export type RichParams = Readonly<Record<string, Param | Rich>>;

export interface Translator {
  readonly locale: Locale;
  /**
   * Plain text (button labels, toasts, select options, command descriptions): the template with its
   * placeholders filled; tags, if any, are dropped and line breaks kept.
   */
  t(key: string, params?: Params): string;
  /** Rich text: the template's tags become bold / italic / code nodes and `\n` a line. */
  tr(key: string, params?: RichParams): Rich;
}

const instance = i18next.createInstance();
void instance.init({
  resources: RESOURCES,
  lng: DEFAULT_LOCALE,
  fallbackLng: DEFAULT_LOCALE,
  supportedLngs: [...LOCALES],
  ns: [...NAMESPACES],
  defaultNS: 'common',
  nsSeparator: ':',
  keySeparator: '.',
  // Resources are bundled: no backend, so initialising is synchronous.
  initAsync: false,
  // An empty string in a catalog is an unfinished translation: English is used instead.
  returnEmptyString: false,
  returnNull: false,
  interpolation: { escapeValue: false },
});

/** Template pieces after the tags are parsed and before values are put in. */
type Piece = string | { tag: 'b' | 'i' | 'code'; children: Piece[] } | { line: true };

const TAG = /<(\/?)(b|i|code)>|\n/g;
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Parses a template's tags; throws on a tag that is not closed, or closed without being opened. */
export function parseTemplate(template: string): Piece[] {
  const root: Piece[] = [];
  const stack: Array<{ tag: 'b' | 'i' | 'code'; children: Piece[] }> = [];
  const top = (): Piece[] => stack.at(-1)?.children ?? root;
  let last = 0;
  for (const match of template.matchAll(TAG)) {
    if (match.index > last) top().push(template.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[0] === '\n') {
      top().push({ line: true });
      continue;
    }
    const tag = match[2] as 'b' | 'i' | 'code';
    if (match[1] === '') {
      const node = { tag, children: [] as Piece[] };
      top().push(node);
      stack.push(node);
    } else {
      if (stack.at(-1)?.tag !== tag) throw new Error(`template closes <${tag}> that is not open: ${JSON.stringify(template)}`);
      stack.pop();
    }
  }
  if (stack.length > 0) throw new Error(`template leaves <${stack.at(-1)?.tag}> open: ${JSON.stringify(template)}`);
  if (last < template.length) top().push(template.slice(last));
  return root;
}

/** The placeholders a template names. */
export function placeholdersOf(template: string): Set<string> {
  return new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string));
}

function fill(text: string, params: RichParams, key: string): Rich[] {
  const out: Rich[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    if (match.index > last) out.push(text.slice(last, match.index));
    last = match.index + match[0].length;
    const name = match[1] as string;
    const value = params[name];
    if (value === undefined) throw new Error(`no value for {{${name}}} in ${key}`);
    out.push(typeof value === 'number' ? String(value) : value);
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function build(pieces: readonly Piece[], params: RichParams, key: string): Rich[] {
  const out: Rich[] = [];
  for (const piece of pieces) {
    if (typeof piece === 'string') out.push(...fill(piece, params, key));
    else if ('line' in piece) out.push(rich.line);
    else {
      const content = build(piece.children, params, key);
      const single: Rich = content.length === 1 ? (content[0] as Rich) : content;
      if (piece.tag === 'code') out.push(rich.code(plainText(single)));
      else out.push(piece.tag === 'b' ? rich.bold(single) : rich.italic(single));
    }
  }
  return out;
}

const parsed = new Map<string, Piece[]>();
const known = new Set<string>();

function createTranslator(locale: Locale): Translator {
  const fixed: TFunction = instance.getFixedT(locale);
  const plurals = new Intl.PluralRules(locale);
  /**
   * Parsed templates by key (and plural category, which is all i18next's choice depends on): the
   * catalogs never change while running, and a lookup through i18next costs ~10 µs.
   */
  const templates = new Map<string, Piece[]>();
  function template(key: string, params: RichParams | undefined): string {
    const count = params?.count;
    const countOption = typeof count === 'number' ? { count } : {};
    if (!known.has(key)) {
      // Every key must exist in English (the source catalog); other languages fall back to it.
      if (!instance.exists(key, { lng: DEFAULT_LOCALE, ...countOption })) throw new Error(`no text in the English catalog for ${key}`);
      known.add(key);
    }
    const text: unknown = fixed(key, { ...countOption, skipInterpolation: true, returnObjects: false });
    if (typeof text !== 'string') throw new Error(`${key} is not a text`);
    return text;
  }
  function tr(key: string, params: RichParams = {}): Rich {
    const count = params.count;
    const cacheKey = typeof count === 'number' ? `${key}\u0000${count === 0 ? 'zero' : plurals.select(count)}` : key;
    let pieces = templates.get(cacheKey);
    if (pieces === undefined) {
      const text = template(key, params);
      pieces = parsed.get(text) ?? parseTemplate(text);
      parsed.set(text, pieces);
      templates.set(cacheKey, pieces);
    }
    const out = build(pieces, params, key);
    return out.length === 1 ? (out[0] as Rich) : out;
  }
  return {
    locale,
    tr,
    t: (key, params) => plainText(tr(key, params)),
  };
}

const translators = new Map<Locale, Translator>(LOCALES.map((locale) => [locale, createTranslator(locale)]));

/** The translator for a language. */
export function translator(locale: Locale): Translator {
  return translators.get(locale) as Translator;
}

/** English, for code that has no recipient (logs aside: logs are never translated). */
export const EN: Translator = translator(DEFAULT_LOCALE);
