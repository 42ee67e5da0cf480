import type { CompletionSource } from './autocomplete.js';
import type { CoreContext } from './context.js';
import type { Translator } from './i18n/index.js';
import type { ActionOutcome, ActionStep, MessageRef, Reply } from './types.js';

/**
 * One option of a command, for platforms with structured commands (Discord's slash commands). The
 * command's `args` are the given options' values in this order, joined by spaces; so a platform with
 * plain text commands (Telegram) needs none of this.
 */
export interface CommandOption {
  /** 1-32 characters, lower case (Discord's rule). */
  readonly name: string;
  /** At most 100 characters. */
  readonly description: string;
  readonly required?: boolean;
  readonly maxLength?: number;
  /** Suggestions while the user types (Discord: autocomplete). */
  readonly autocomplete?: CompletionSource;
  /**
   * The value reaches `args` as `name=value` (so options given in any combination stay apart); plain
   * text platforms type the same form.
   */
  readonly keyed?: boolean;
  /** A fixed set of values; the user picks one. */
  readonly choices?: ReadonlyArray<{ name: string; value: string }>;
  /**
   * A yes/no option (Discord: a Boolean option): when yes, its name reaches `args` as a word (plain
   * text platforms type the word, e.g. `/watchlist share`).
   */
  readonly flag?: boolean;
  /**
   * This flag, set, makes the answer of a `private` command one for everyone in the chat (platforms
   * that prepare a private answer before the command runs, such as Discord's ephemeral deferral, don't).
   */
  readonly shares?: boolean;
  /**
   * The option is a file (Discord: an Attachment option), given to the command as `input.attachment`,
   * not in `args`. Telegram: a document sent with the command as its caption, or the command sent as a
   * reply to a document (and in the private chat, a document sent on its own runs the command that
   * takes files).
   */
  readonly attachment?: boolean;
}

/** What an action gets besides its stored payload. */
export interface ActionRunInput {
  /** For a multi-choice: the values the user chose. */
  values?: string[];
  /** What the action's `prepare` returned. */
  prepared?: unknown;
}

/** What `prepare` knows of the press besides the payload. */
export interface ActionPrepareInput {
  /** The message that carries the pressed button (to edit it later from background work). */
  card?: MessageRef;
}

/** One command: its name, what `/help` and the platform's command menu say, and what it does. */
export interface CommandModule {
  readonly name: string;
  /** One line for the platform's command menu (Telegram: at most 256 characters). */
  readonly description: string;
  /** Whether it appears in the platform's command menu. */
  readonly listed: boolean;
  /** Its arguments, for platforms with structured commands. None: it takes no arguments. */
  readonly options?: readonly CommandOption[];
  /**
   * Every answer concerns only the user (account matters): platforms may answer privately from the
   * start, unless an option that `shares` is set.
   */
  readonly private?: boolean;
  /** It reads the user's linked account (most do): read while their languages are, one wait instead of two. */
  readonly account?: boolean;
  run(ctx: CoreContext, args: string): Promise<Reply[]>;
}

/** One button action. `payload` is what the view stored with the button. */
export interface ActionModule {
  readonly action: string;
  /**
   * Toast shown at once on the press, while the work runs: a function of the presser's translator
   * (`(i18n) => i18n.t('add:ack.working')`); a plain string is shown as it is, in every language.
   */
  readonly ack?: string | ((i18n: Translator) => string);
  /**
   * Runs after the press is claimed and before it is answered: what must be durable before the user
   * hears "working on it" (a confirmed write is queued here). A failure gives the claim back.
   */
  prepare?(ctx: CoreContext, payload: unknown, input: ActionPrepareInput): Promise<unknown>;
  run(ctx: CoreContext, payload: unknown, input?: ActionRunInput): Promise<ActionOutcome>;
}

export function defineCommand(module: CommandModule): CommandModule {
  return module;
}

export function defineAction<P>(module: {
  action: string;
  ack?: string | ((i18n: Translator) => string);
  prepare?(ctx: CoreContext, payload: P, input: ActionPrepareInput): Promise<unknown>;
  run(ctx: CoreContext, payload: P, input?: ActionRunInput): Promise<ActionOutcome>;
}): ActionModule {
  return module as ActionModule;
}

/**
 * A button anyone in the chat may press (a group pick's Join, a vote): no stored owner, so the module
 * decides from its own state who may do what. Its id is the module's own (a session token).
 */
export interface ChatActionModule {
  readonly action: string;
  press(ctx: CoreContext, id: string, input: ChatActionInput): Promise<ActionStep>;
}

export interface ChatActionInput {
  /** The message that carries the pressed button. */
  messageId?: string;
  /** For a multi-choice: the values the user chose. */
  values?: string[];
  chatAdmin?: () => Promise<boolean>;
}

export function defineChatAction(module: ChatActionModule): ChatActionModule {
  return module;
}
