/**
 * `/language`: which language the bot speaks. In a private chat it is the user's choice (stored;
 * `auto` goes back to the app's language); in a group, the group's, set by its admins only. Without
 * arguments it shows the current language and a button per language (`v1:language:<code>`, chat
 * actions: no stored state, whoever presses is checked as the command would be).
 */
import { encodeAction } from '../actions.js';
import type { CoreContext } from '../context.js';
import { defineChatAction, defineCommand } from '../handlers.js';
import { LANGUAGE_NAMES, LOCALES, isLocale, localeFor, toLocale, translator, type Locale, type Translator } from '../i18n/index.js';
import { noticesIn } from '../replies.js';
import type { Button, Reply } from '../types.js';

export const LANGUAGE_ACTION = 'language';
const AUTO = 'auto';
type Choice = Locale | typeof AUTO;

/** A code (`de`, `es-ES`), a language's own name (`Deutsch`), or `auto`. */
export function parseLanguage(text: string): Choice | undefined {
  const word = text.trim().toLowerCase();
  if (word === AUTO) return AUTO;
  const byName = LOCALES.find((locale) => LANGUAGE_NAMES[locale].toLowerCase() === word);
  return byName ?? toLocale(word);
}

function buttons(ctx: CoreContext): Button[][] {
  return [
    LOCALES.map((locale) => ({ label: LANGUAGE_NAMES[locale], action: encodeAction(LANGUAGE_ACTION, locale) })),
    [{ label: ctx.t('language:autoButton'), action: encodeAction(LANGUAGE_ACTION, AUTO) }],
  ];
}

/** A language's name as the translator's language says it (`Englisch`, `inglés`); buttons use each language's own name. */
function nameOf(locale: Locale, i18n: Translator): string {
  return i18n.t(`language:name.${locale}`);
}

function menu(ctx: CoreContext, unknown?: string): Reply {
  const language = nameOf(ctx.locale, ctx.i18n);
  const text =
    unknown !== undefined
      ? ctx.tr('language:unknown', { text: unknown })
      : ctx.chat.kind === 'group'
        ? ctx.tr('language:currentGroup', { language })
        : ctx.tr('language:current', { language });
  return { text, buttons: buttons(ctx) };
}

/** Stores the choice and says so in the language now spoken; undefined when the user may not. */
async function choose(ctx: CoreContext, choice: Choice): Promise<Reply | undefined> {
  const store = ctx.deps.languages;
  if (store === undefined) return { text: ctx.tr('language:unavailable') };
  const group = ctx.chat.kind === 'group';
  if (group && !((await ctx.chatAdmin?.()) ?? false)) return undefined;
  const setting = choice === AUTO ? null : choice;
  if (group) await store.setChatLanguage({ platform: ctx.chat.platform, chatId: ctx.chat.chatId }, setting, ctx.identityId);
  else await store.setUserLanguage(ctx.identityId, setting);
  const locale =
    setting ??
    (await localeFor(ctx.deps, {
      identityId: ctx.identityId,
      chat: ctx.chat,
      ...(ctx.user.locale === undefined ? {} : { clientLocale: ctx.user.locale }),
      ...(ctx.groupLocale === undefined ? {} : { groupLocale: ctx.groupLocale }),
    }));
  const say = translator(locale);
  const key = group ? (setting === null ? 'language:autoGroup' : 'language:setGroup') : setting === null ? 'language:autoUser' : 'language:setUser';
  return { text: say.tr(key, { language: nameOf(locale, say) }) };
}

export const languageCommand = defineCommand({
  name: 'language',
  description: 'Choose the language I speak with you (in a group: the group’s, admins only)',
  listed: true,
  options: [
    {
      name: 'language',
      description: 'A language, or auto for your app’s language',
      choices: [...LOCALES.map((locale) => ({ name: LANGUAGE_NAMES[locale], value: locale })), { name: 'auto', value: AUTO }],
    },
  ],
  async run(ctx, args) {
    if (args.trim() === '') return [menu(ctx)];
    const choice = parseLanguage(args);
    if (choice === undefined) return [menu(ctx, args.trim().slice(0, 32))];
    return [(await choose(ctx, choice)) ?? { text: ctx.tr('language:adminsOnly') }];
  },
});

export const languageAction = defineChatAction({
  action: LANGUAGE_ACTION,
  async press(ctx, id) {
    const choice = id === AUTO ? AUTO : isLocale(id) ? id : undefined;
    if (choice === undefined) return { ack: { text: noticesIn(ctx.i18n).buttonInvalid, alert: true } };
    const reply = await choose(ctx, choice);
    if (reply === undefined) return { ack: { text: ctx.t('language:adminsOnly'), alert: true } };
    return { ack: {}, work: () => Promise.resolve({ edit: reply }) };
  },
});
