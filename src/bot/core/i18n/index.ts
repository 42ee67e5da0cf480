/** The i18n entry point: import from here (see README.md in this folder). */
export { DEFAULT_LOCALE, LANGUAGE_NAMES, LOCALES, isLocale, localeFromAcceptLanguage, resolveLocale, toLocale, type Locale, type LocaleSources } from './locales.js';
export { EN, translator, type Param, type Params, type RichParams, type Translator } from './translator.js';
export { languagesChat, localeFor, localesFor, translatorForIdentity, type LanguageInput } from './resolve.js';
export type { LanguageStore, StoredLanguages } from './ports.js';
