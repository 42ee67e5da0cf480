/**
 * Commands in the other languages, for the platforms' command menus (Discord's
 * `description_localizations` and choices' `name_localizations`, Telegram's `setMyCommands` per
 * `language_code`). Command and option names stay English everywhere: they are what users type.
 * The texts are in the `commands` namespace: `<command>.description`, `<command>.options.<option>`,
 * `optionNames.<option>` (an option's shown name, shared by every command), and `choices.<option>.<value>` (a choice is translated only where the English catalog has the very
 * name the command gives it, so a command with other choices under the same option name keeps its own).
 */
import type { CommandModule } from '../handlers.js';
import { RESOURCES, type CatalogTree } from './catalog.js';
import { DEFAULT_LOCALE, LOCALES, type Locale } from './locales.js';

export interface CommandTexts {
  description: string;
  /** Option name → description. */
  options: Record<string, string>;
  /** Option name → the name Discord shows in this language (`name_localizations`; users still type the English one on Telegram). */
  optionNames: Record<string, string>;
  /** Option name → choice value → name. */
  choices: Record<string, Record<string, string>>;
}

/** Languages other than English that have this command's texts. */
export type CommandLocalizations = Partial<Record<Locale, CommandTexts>>;

function node(tree: CatalogTree | string | undefined, ...path: string[]): CatalogTree | string | undefined {
  let at = tree;
  for (const part of path) {
    if (at === undefined || typeof at === 'string') return undefined;
    at = at[part];
  }
  return at;
}

function text(tree: CatalogTree | string | undefined, ...path: string[]): string | undefined {
  const value = node(tree, ...path);
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

export function commandLocalizations(command: Pick<CommandModule, 'name' | 'description' | 'options'>): CommandLocalizations {
  const out: CommandLocalizations = {};
  const english = RESOURCES[DEFAULT_LOCALE].commands;
  for (const locale of LOCALES) {
    if (locale === DEFAULT_LOCALE) continue;
    const catalog = RESOURCES[locale].commands;
    const description = text(catalog, command.name, 'description');
    if (description === undefined) continue;
    const options: Record<string, string> = {};
    const optionNames: Record<string, string> = {};
    const choices: Record<string, Record<string, string>> = {};
    for (const option of command.options ?? []) {
      const optionText = text(catalog, command.name, 'options', option.name);
      if (optionText !== undefined) options[option.name] = optionText;
      // Shared by every command with an option of that name (`optionNames.<option>`).
      const optionName = text(catalog, 'optionNames', option.name);
      if (optionName !== undefined && optionName !== option.name) optionNames[option.name] = optionName;
      for (const choice of option.choices ?? []) {
        if (text(english, 'choices', option.name, choice.value) !== choice.name) continue;
        const name = text(catalog, 'choices', option.name, choice.value);
        if (name !== undefined) (choices[option.name] ??= {})[choice.value] = name;
      }
    }
    out[locale] = { description, options, optionNames, choices };
  }
  return out;
}
