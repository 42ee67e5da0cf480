/**
 * Every catalog, one JSON file per namespace (area) per language: locales/<lang>/<namespace>.json.
 * Generated once by hand and kept static (bundlers and `tsc` see every file); a new namespace is one
 * import per language here plus its name in NAMESPACES. See README.md in this folder.
 */
import type { Locale } from './locales.js';

import en_common from './locales/en/common.json' with { type: 'json' };
import en_commands from './locales/en/commands.json' with { type: 'json' };
import en_errors from './locales/en/errors.json' with { type: 'json' };
import en_notices from './locales/en/notices.json' with { type: 'json' };
import en_start from './locales/en/start.json' with { type: 'json' };
import en_link from './locales/en/link.json' with { type: 'json' };
import en_account from './locales/en/account.json' with { type: 'json' };
import en_undo from './locales/en/undo.json' with { type: 'json' };
import en_language from './locales/en/language.json' with { type: 'json' };
import en_search from './locales/en/search.json' with { type: 'json' };
import en_add from './locales/en/add.json' with { type: 'json' };
import en_remove from './locales/en/remove.json' with { type: 'json' };
import en_watchlist from './locales/en/watchlist.json' with { type: 'json' };
import en_cards from './locales/en/cards.json' with { type: 'json' };
import en_write from './locales/en/write.json' with { type: 'json' };
import en_picks from './locales/en/picks.json' with { type: 'json' };
import en_imports from './locales/en/imports.json' with { type: 'json' };
import en_releases from './locales/en/releases.json' with { type: 'json' };
import en_inline from './locales/en/inline.json' with { type: 'json' };
import en_parse from './locales/en/parse.json' with { type: 'json' };
import en_buttons from './locales/en/buttons.json' with { type: 'json' };
import en_platform from './locales/en/platform.json' with { type: 'json' };

import de_common from './locales/de/common.json' with { type: 'json' };
import de_commands from './locales/de/commands.json' with { type: 'json' };
import de_errors from './locales/de/errors.json' with { type: 'json' };
import de_notices from './locales/de/notices.json' with { type: 'json' };
import de_start from './locales/de/start.json' with { type: 'json' };
import de_link from './locales/de/link.json' with { type: 'json' };
import de_account from './locales/de/account.json' with { type: 'json' };
import de_undo from './locales/de/undo.json' with { type: 'json' };
import de_language from './locales/de/language.json' with { type: 'json' };
import de_search from './locales/de/search.json' with { type: 'json' };
import de_add from './locales/de/add.json' with { type: 'json' };
import de_remove from './locales/de/remove.json' with { type: 'json' };
import de_watchlist from './locales/de/watchlist.json' with { type: 'json' };
import de_cards from './locales/de/cards.json' with { type: 'json' };
import de_write from './locales/de/write.json' with { type: 'json' };
import de_picks from './locales/de/picks.json' with { type: 'json' };
import de_imports from './locales/de/imports.json' with { type: 'json' };
import de_releases from './locales/de/releases.json' with { type: 'json' };
import de_inline from './locales/de/inline.json' with { type: 'json' };
import de_parse from './locales/de/parse.json' with { type: 'json' };
import de_buttons from './locales/de/buttons.json' with { type: 'json' };
import de_platform from './locales/de/platform.json' with { type: 'json' };

import es_common from './locales/es/common.json' with { type: 'json' };
import es_commands from './locales/es/commands.json' with { type: 'json' };
import es_errors from './locales/es/errors.json' with { type: 'json' };
import es_notices from './locales/es/notices.json' with { type: 'json' };
import es_start from './locales/es/start.json' with { type: 'json' };
import es_link from './locales/es/link.json' with { type: 'json' };
import es_account from './locales/es/account.json' with { type: 'json' };
import es_undo from './locales/es/undo.json' with { type: 'json' };
import es_language from './locales/es/language.json' with { type: 'json' };
import es_search from './locales/es/search.json' with { type: 'json' };
import es_add from './locales/es/add.json' with { type: 'json' };
import es_remove from './locales/es/remove.json' with { type: 'json' };
import es_watchlist from './locales/es/watchlist.json' with { type: 'json' };
import es_cards from './locales/es/cards.json' with { type: 'json' };
import es_write from './locales/es/write.json' with { type: 'json' };
import es_picks from './locales/es/picks.json' with { type: 'json' };
import es_imports from './locales/es/imports.json' with { type: 'json' };
import es_releases from './locales/es/releases.json' with { type: 'json' };
import es_inline from './locales/es/inline.json' with { type: 'json' };
import es_parse from './locales/es/parse.json' with { type: 'json' };
import es_buttons from './locales/es/buttons.json' with { type: 'json' };
import es_platform from './locales/es/platform.json' with { type: 'json' };

import fr_common from './locales/fr/common.json' with { type: 'json' };
import fr_commands from './locales/fr/commands.json' with { type: 'json' };
import fr_errors from './locales/fr/errors.json' with { type: 'json' };
import fr_notices from './locales/fr/notices.json' with { type: 'json' };
import fr_start from './locales/fr/start.json' with { type: 'json' };
import fr_link from './locales/fr/link.json' with { type: 'json' };
import fr_account from './locales/fr/account.json' with { type: 'json' };
import fr_undo from './locales/fr/undo.json' with { type: 'json' };
import fr_language from './locales/fr/language.json' with { type: 'json' };
import fr_search from './locales/fr/search.json' with { type: 'json' };
import fr_add from './locales/fr/add.json' with { type: 'json' };
import fr_remove from './locales/fr/remove.json' with { type: 'json' };
import fr_watchlist from './locales/fr/watchlist.json' with { type: 'json' };
import fr_cards from './locales/fr/cards.json' with { type: 'json' };
import fr_write from './locales/fr/write.json' with { type: 'json' };
import fr_picks from './locales/fr/picks.json' with { type: 'json' };
import fr_imports from './locales/fr/imports.json' with { type: 'json' };
import fr_releases from './locales/fr/releases.json' with { type: 'json' };
import fr_inline from './locales/fr/inline.json' with { type: 'json' };
import fr_parse from './locales/fr/parse.json' with { type: 'json' };
import fr_buttons from './locales/fr/buttons.json' with { type: 'json' };
import fr_platform from './locales/fr/platform.json' with { type: 'json' };

export const NAMESPACES = ['common', 'commands', 'errors', 'notices', 'start', 'link', 'account', 'undo', 'language', 'search', 'add', 'remove', 'watchlist', 'cards', 'write', 'picks', 'imports', 'releases', 'inline', 'parse', 'buttons', 'platform'] as const;
export type Namespace = (typeof NAMESPACES)[number];

/** A namespace's texts: keys to strings, or nested groups of keys (`a.b` reaches `{ "a": { "b": … } }`). */
export interface CatalogTree {
  [key: string]: string | CatalogTree;
}
export type Resources = Record<string, Record<string, CatalogTree>>;

export const RESOURCES: Readonly<Record<Locale, Record<Namespace, CatalogTree>>> = {
  en: {
    common: en_common,
    commands: en_commands,
    errors: en_errors,
    notices: en_notices,
    start: en_start,
    link: en_link,
    account: en_account,
    undo: en_undo,
    language: en_language,
    search: en_search,
    add: en_add,
    remove: en_remove,
    watchlist: en_watchlist,
    cards: en_cards,
    write: en_write,
    picks: en_picks,
    imports: en_imports,
    releases: en_releases,
    inline: en_inline,
    parse: en_parse,
    buttons: en_buttons,
    platform: en_platform,
  },
  de: {
    common: de_common,
    commands: de_commands,
    errors: de_errors,
    notices: de_notices,
    start: de_start,
    link: de_link,
    account: de_account,
    undo: de_undo,
    language: de_language,
    search: de_search,
    add: de_add,
    remove: de_remove,
    watchlist: de_watchlist,
    cards: de_cards,
    write: de_write,
    picks: de_picks,
    imports: de_imports,
    releases: de_releases,
    inline: de_inline,
    parse: de_parse,
    buttons: de_buttons,
    platform: de_platform,
  },
  es: {
    common: es_common,
    commands: es_commands,
    errors: es_errors,
    notices: es_notices,
    start: es_start,
    link: es_link,
    account: es_account,
    undo: es_undo,
    language: es_language,
    search: es_search,
    add: es_add,
    remove: es_remove,
    watchlist: es_watchlist,
    cards: es_cards,
    write: es_write,
    picks: es_picks,
    imports: es_imports,
    releases: es_releases,
    inline: es_inline,
    parse: es_parse,
    buttons: es_buttons,
    platform: es_platform,
  },
  fr: {
    common: fr_common,
    commands: fr_commands,
    errors: fr_errors,
    notices: fr_notices,
    start: fr_start,
    link: fr_link,
    account: fr_account,
    undo: fr_undo,
    language: fr_language,
    search: fr_search,
    add: fr_add,
    remove: fr_remove,
    watchlist: fr_watchlist,
    cards: fr_cards,
    write: fr_write,
    picks: fr_picks,
    imports: fr_imports,
    releases: fr_releases,
    inline: fr_inline,
    parse: fr_parse,
    buttons: fr_buttons,
    platform: fr_platform,
  },
};
