import {
  ApplicationCommandOptionType,
  Locale as DiscordLocale,
  type LocalizationMap,
  ApplicationCommandType,
  Routes,
  type REST,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { BotCore } from '../core/bot-core.js';

/** Discord's caps on command data. */
const DESCRIPTION_CHARS = 100;
const NAME = /^[-_\p{L}\p{N}]{1,32}$/u;

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Discord's locales for each of the core's languages other than English (the default text). */
const DISCORD_LOCALES: Readonly<Record<string, readonly DiscordLocale[]>> = {
  de: [DiscordLocale.German],
  es: [DiscordLocale.SpanishES, DiscordLocale.SpanishLATAM],
  fr: [DiscordLocale.French],
};

type Localizations = NonNullable<BotCore['commands'][number]['localizations']>;
type Texts = NonNullable<Localizations[keyof Localizations]>;

/** `description_localizations` (or a choice's `name_localizations`) from the core's texts; undefined when there are none. */
function localized(localizations: Localizations | undefined, pick: (texts: Texts) => string | undefined, max: number): LocalizationMap | undefined {
  const map: LocalizationMap = {};
  for (const [language, texts] of Object.entries(localizations ?? {})) {
    const text = texts === undefined ? undefined : pick(texts);
    if (text === undefined) continue;
    for (const locale of DISCORD_LOCALES[language] ?? []) map[locale] = cut(text, max);
  }
  return Object.keys(map).length === 0 ? undefined : map;
}

/**
 * The slash commands, generated from the core's registry: one command per listed core command, one
 * string option per declared option (autocomplete and fixed choices included), a Boolean one per flag,
 * an Attachment one per file option. There is no second,
 * hand-written list to keep in step.
 */
export function slashCommandsFrom(commands: BotCore['commands']): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return commands.map((command) => {
    if (!NAME.test(command.name) || command.name !== command.name.toLowerCase()) throw new Error(`not a valid slash command name: ${command.name}`);
    let optionalSeen = false;
    // An option's description and its shown name in each language; the name it is sent under stays English.
    const descriptionsOf = (name: string) => {
      const map = localized(command.localizations, (t) => t.options[name], DESCRIPTION_CHARS);
      const names = localized(command.localizations, (t) => t.optionNames[name], 32);
      return { ...(map === undefined ? {} : { description_localizations: map }), ...(names === undefined ? {} : { name_localizations: names }) };
    };
    const options = (command.options ?? []).map((option) => {
      // Discord refuses required options after optional ones; the core's order is the args' order, so it must hold.
      if (option.required === true && optionalSeen) throw new Error(`/${command.name}: required option ${option.name} after an optional one`);
      if (option.required !== true) optionalSeen = true;
      // A file (`/import`): an Attachment option; the user picks the file in Discord's command bar.
      if (option.attachment === true) {
        return {
          type: ApplicationCommandOptionType.Attachment as const,
          name: option.name,
          description: cut(option.description, DESCRIPTION_CHARS),
          ...descriptionsOf(option.name),
          required: option.required === true,
        };
      }
      if (option.flag === true) {
        return {
          type: ApplicationCommandOptionType.Boolean as const,
          name: option.name,
          description: cut(option.description, DESCRIPTION_CHARS),
          ...descriptionsOf(option.name),
          required: option.required === true,
        };
      }
      return {
        type: ApplicationCommandOptionType.String as const,
        name: option.name,
        description: cut(option.description, DESCRIPTION_CHARS),
        ...descriptionsOf(option.name),
        required: option.required === true,
        ...(option.maxLength === undefined ? {} : { max_length: option.maxLength }),
        ...(option.autocomplete === undefined ? {} : { autocomplete: true }),
        ...(option.choices === undefined || option.autocomplete !== undefined
          ? {}
          : {
              choices: option.choices.slice(0, 25).map((c) => {
                const names = localized(command.localizations, (t) => t.choices[option.name]?.[c.value], 100);
                return { name: cut(c.name, 100), ...(names === undefined ? {} : { name_localizations: names }), value: c.value.slice(0, 100) };
              }),
            }),
      };
    });
    const descriptions = localized(command.localizations, (t) => t.description, DESCRIPTION_CHARS);
    return {
      type: ApplicationCommandType.ChatInput,
      name: command.name,
      description: cut(command.description, DESCRIPTION_CHARS),
      ...(descriptions === undefined ? {} : { description_localizations: descriptions }),
      // The branches above match Discord's union of string-option shapes (autocomplete xor choices).
      ...(options.length === 0 ? {} : { options: options as RESTPostAPIChatInputApplicationCommandsJSONBody['options'] }),
    };
  });
}

/**
 * Registers the commands: to one guild when `guildId` is set (they appear at once; good for a
 * private server and for testing), otherwise globally. A bulk overwrite, so renamed or removed
 * commands disappear and unchanged ones keep their ids.
 */
export async function registerSlashCommands(
  rest: REST,
  applicationId: string,
  guildId: string | null,
  commands: RESTPostAPIChatInputApplicationCommandsJSONBody[],
  signal?: AbortSignal,
): Promise<void> {
  const route = guildId === null ? Routes.applicationCommands(applicationId) : Routes.applicationGuildCommands(applicationId, guildId);
  await rest.put(route, { body: commands, ...(signal === undefined ? {} : { signal }) });
}
