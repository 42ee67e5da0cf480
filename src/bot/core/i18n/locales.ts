/**
 * The languages the bot speaks, and how a platform's language tag becomes one of them.
 * Adding a language: add it to LOCALES and LANGUAGE_NAMES, add locales/<code>/ with every namespace,
 * and list the code in catalog.ts (the completeness test then says what is missing).
 */
export const LOCALES = ['en', 'de', 'es', 'fr'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

/** Each language's name in itself (the `/language` buttons show these, never translated). */
export const LANGUAGE_NAMES: Readonly<Record<Locale, string>> = {
  en: 'English',
  de: 'Deutsch',
  es: 'Español',
  fr: 'Français',
};

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/**
 * One of our languages for a platform's tag (Telegram's `language_code` such as `de`, Discord's
 * `locale` such as `es-ES`, `en-US`, `fr`), by its primary subtag; undefined for anything else.
 */
export function toLocale(tag: string | null | undefined): Locale | undefined {
  if (tag === null || tag === undefined) return undefined;
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
  return isLocale(primary) ? primary : undefined;
}

/** Where the language of an answer comes from, strongest first (see resolveLocale). */
export interface LocaleSources {
  /** The chat's setting (`/language` by an admin in a group); groups only. */
  chat?: string | null | undefined;
  /** The group's language as the platform says it (Discord's `guild_locale`); groups only. */
  group?: string | null | undefined;
  /** The user's own `/language` choice. */
  user?: string | null | undefined;
  /** The user's client language (Telegram `language_code`, Discord `locale`), as now or as last seen. */
  client?: string | null | undefined;
}

/**
 * The language to answer in. In a private chat: the user's choice, else their client's language, else
 * English. In a group: the chat's setting, else the platform's group language, else the user's.
 */
export function resolveLocale(sources: LocaleSources, kind: 'private' | 'group'): Locale {
  const order = kind === 'group' ? [sources.chat, sources.group, sources.user, sources.client] : [sources.user, sources.client];
  for (const tag of order) {
    const locale = toLocale(tag);
    if (locale !== undefined) return locale;
  }
  return DEFAULT_LOCALE;
}

/**
 * The best of our languages for an HTTP `Accept-Language` header (a browser page, such as the OAuth
 * callback's): by quality, then order; English when none is ours.
 */
export function localeFromAcceptLanguage(header: string | undefined): Locale {
  const ranked = (header ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.tag !== '' && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const locale = toLocale(tag);
    if (locale !== undefined) return locale;
  }
  return DEFAULT_LOCALE;
}
