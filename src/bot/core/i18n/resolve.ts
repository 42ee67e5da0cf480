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
  /**
   * The stored languages, when a statement this update made anyway read them (the identity's upsert,
   * the press): not read again. They must be read for `languagesChat(input)`.
   */
  stored?: StoredLanguages;
}

/** Whether the answer is the group's: then the chat's setting is read with the user's languages. */
function groupAnswer(input: Pick<LanguageInput, 'chat' | 'personal'>): boolean {
  return input.chat?.kind === 'group' && input.personal !== true;
}

/** The chat whose setting the stored languages are read with (a group's, for an answer there), or none. */
export function languagesChat(input: Pick<LanguageInput, 'chat' | 'personal'>): { platform: ChatRef['platform']; chatId: string } | undefined {
  return groupAnswer(input) && input.chat !== undefined ? { platform: input.chat.platform, chatId: input.chat.chatId } : undefined;
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
  const group = groupAnswer(input);
  let stored = NONE;
  if (deps.languages !== undefined) {
    try {
      stored = input.stored ?? (await deps.languages.languages(input.identityId, languagesChat(input)));
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
