/**
 * The static registries: every command and every button action the bot knows, in one place. Adding a
 * command means adding a module here; nothing is discovered at run time.
 */
import { pickAction } from '../batch-add.js';
import { queueCommand, unqueueAction } from '../queued-writes.js';
import type { ActionModule, ChatActionModule, CommandModule } from '../handlers.js';
import { PICK_CHAT_ACTIONS, PICK_COMMANDS, nomineeAction } from '../picks/commands.js';
import { IMPORT_ACTION_MODULES, IMPORT_COMMANDS } from '../imports/commands.js';
import { addAction, addCommand, cancelAction, confirmAction, episodeAction, episodesAction, notThisAction, seasonAction, seasonsAction } from './add.js';
import { languageAction, languageCommand } from './language.js';
import { linkCommand } from './link.js';
import { notifyCommand } from '../release-notices.js';
import { removeCommand, removePickAction } from './remove.js';
import { searchCommand, searchFilterAction, searchPageAction } from './search.js';
import { helpCommand, startCommand } from './start.js';
import { statusCommand } from './status.js';
import { undoAction, undoCommand } from './undo.js';
import { unlinkCommand } from './unlink.js';
import { searchAddSelectedAction, searchSelectAction } from './search-select.js';
import {
  randomCommand,
  watchlistCommand,
  watchlistFilterAction,
  watchlistOpenAction,
  watchlistPageAction,
  watchlistRandomAction,
  watchlistRemoveSelectedAction,
  watchlistSelectAction,
} from './watchlist.js';

export const COMMANDS: readonly CommandModule[] = [
  startCommand,
  helpCommand,
  searchCommand,
  addCommand,
  removeCommand,
  watchlistCommand,
  randomCommand,
  undoCommand,
  queueCommand,
  ...PICK_COMMANDS,
  ...IMPORT_COMMANDS,
  notifyCommand,
  statusCommand,
  languageCommand,
  linkCommand,
  unlinkCommand,
];

export const ACTIONS: readonly ActionModule[] = [
  searchPageAction,
  searchFilterAction,
  addAction,
  seasonsAction,
  seasonAction,
  episodesAction,
  episodeAction,
  notThisAction,
  confirmAction,
  cancelAction,
  removePickAction,
  undoAction,
  watchlistPageAction,
  watchlistSelectAction,
  watchlistRemoveSelectedAction,
  watchlistOpenAction,
  watchlistFilterAction,
  watchlistRandomAction,
  searchSelectAction,
  searchAddSelectedAction,
  pickAction,
  unqueueAction,
  nomineeAction,
  ...IMPORT_ACTION_MODULES,
];

/** Buttons anyone in the chat may press (a group pick's card): their modules decide who may do what. */
export const CHAT_ACTIONS: readonly ChatActionModule[] = [...PICK_CHAT_ACTIONS, languageAction];
