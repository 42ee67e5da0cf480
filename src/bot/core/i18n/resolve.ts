/**
 * Which language to speak to whom. Handlers get theirs from the context (`ctx.t`, `ctx.tr`); code
 * without one (background jobs, notices, the outbox) asks `translatorForIdentity` with the recipient's
 * identity, or takes a Translator from its caller.
 */
import type { CoreLogger } from '../ports.js';
import type { ChatRef } from '../types.js';
import { resolveLocale, type Locale } from './locales.js';
import type { LanguageStore, StoredLanguages } from './ports.js';
import { EN, translator, type Translator } from './translator.js';

const NONE: StoredLanguages = { user: null, client: null, chat: null };

export interface LanguageInput {
  identityId: number;
  chat?: ChatRef;
  /** The client language the platform sent with this update. */
  clientLocale?: string;
  /** The group's language as the platform says it (Discord's guild_locale). */
  groupLocale?: string;
  /** The answer is for the user alone (a private command: Telegram's private chat, Discord's ephemeral reply): their language, in a group too. */
  personal?: boolean;
}

/** The locale for an answer (see resolveLocale); a store that fails means no stored choice, logged. */
export async function localeFor(deps: { languages?: LanguageStore; logger: CoreLogger }, input: LanguageInput): Promise<Locale> {
  return (await localesFor(deps, input)).answer;
}

/**
 * With one read, the locale for the answer (in a group: the group's) and the user's own (for what a
 * group answer sends the user privately).
 */
export async function localesFor(deps: { languages?: LanguageStore; logger: CoreLogger }, input: LanguageInput): Promise<{ answer: Locale; user: Locale }> {
  const group = input.chat?.kind === 'group' && input.personal !== true;
  let stored = NONE;
  if (deps.languages !== undefined) {
    try {
      stored = await deps.languages.languages(input.identityId, group && input.chat !== undefined ? { platform: input.chat.platform, chatId: input.chat.chatId } : undefined);
    } catch (error) {
      deps.logger.warn({ err: error, identityId: input.identityId }, 'language settings not read; using the client language');
    }
  }
  const own = { user: stored.user, client: input.clientLocale ?? stored.client };
  const user = resolveLocale(own, 'private');
  return { answer: group ? resolveLocale({ ...own, chat: stored.chat, group: input.groupLocale }, 'group') : user, user };
}

/** The translator for a message to one person outside an answer (a notice, a job's result). */
export async function translatorForIdentity(
  deps: { languages?: LanguageStore; logger: CoreLogger },
  identityId: number,
  chat?: ChatRef,
): Promise<Translator> {
  if (deps.languages === undefined) return EN;
  return translator(await localeFor(deps, { identityId, ...(chat === undefined ? {} : { chat }) }));
}
