import { decodeAction, STATIC_IDS, viewIdOf } from './actions.js';
import { MAX_CHOICES, TitleSuggester, titleChoices, watchlistChoices, type AutocompleteChoice, type AutocompleteInput } from './autocomplete.js';
import { ACTIONS, CHAT_ACTIONS, COMMANDS } from './commands/index.js';
import { createCardUpdater } from './card-updates.js';
import { closeVote, deadlineJobRef, refreshCard, storeOf, PICK_ACTIONS } from './picks/session.js';
import { defineJobKind } from '../../jobs/types.js';
import { linkReplies } from './commands/link.js';
import { CoreContext, raceTimeout, resolveOptions, type CoreDeps } from './context.js';
import { AccountLockedError, NeedsLinkError, UserFacingError, WatchlistFullError } from './errors.js';
import type { ActionModule, ChatActionModule, CommandModule, CommandOption } from './handlers.js';
import type { NewPendingAction, PendingAction, UpdateOutcome } from './ports.js';
import { cleanText } from './parse.js';
import { errorReply, noticesIn } from './replies.js';
import type { ActionInput, ActionOutcome, ActionStep, CommandInput, MessageRef, Platform, Reply } from './types.js';
import { indexingTraktPort, TitleIndex } from './title-index.js';
import { WatchlistCopy } from './watchlist-copy.js';
import { createWatchlistWriter } from '../../watchlist/writer.js';
import type { JobKind } from '../../jobs/types.js';
import { createWriteJobKind } from './queued-writes.js';
import { createImportJobKinds } from './imports/flow.js';
import { INLINE_ADD_ACTION, InlineTitles, MAX_INLINE_RESULTS, inlineAddAction, inlineResults, queryTranslator, type InlineQueryInput, type InlineResult } from './inline.js';
import { checkReleaseNotices, type NoticeCheckResult } from './release-notices.js';
import { languagesChat, localesFor, resolveLocale, translator, type StoredLanguages, type Translator } from './i18n/index.js';
import { LANGUAGE_ACTION } from './commands/language.js';
import { commandLocalizations, type CommandLocalizations } from './i18n/commands.js';

/**
 * The platform-free bot. Adapters hand it neutral commands and button presses and render what it
 * returns; it never throws at them (errors become replies here, the one translation point).
 */
export interface BotCore {
  /** Commands for the platform's command menu. */
  readonly commands: ReadonlyArray<{
    name: string;
    description: string;
    options?: readonly CommandOption[];
    private?: boolean;
    /** The description, options' descriptions and choices' names in the other languages (see i18n/commands.ts). */
    localizations?: CommandLocalizations;
  }>;
  knows(command: string): boolean;
  handleCommand(input: CommandInput): Promise<Reply[]>;
  /** Step one decides the immediate answer from the database; step two (`work`) does the rest. */
  pressButton(input: ActionInput): Promise<ActionStep>;
  /**
   * Adapters call this once a reply with buttons is on screen (sent, or edited in): its buttons are
   * then taken only from that message. A card that replaced the pressed message and is shown there
   * was stored bound to it already (`Reply.boundTo`): nothing is written for it. Never throws (a
   * failure is logged; the buttons stay bound to their chat alone, or to the pressed message).
   */
  bindMessage(reply: Reply, ref: MessageRef): Promise<void>;
  /** Suggestions for an option being typed (see autocomplete.ts); resolves by `input.answerBy`, never throws. */
  autocomplete(input: AutocompleteInput): Promise<AutocompleteChoice[]>;
  /**
   * Titles for an inline query (`@bot dune` in any chat, see inline.ts), each with the card it posts
   * when chosen; from the same per-user single-flight search as `autocomplete`. Resolves by
   * `input.answerBy`, never throws.
   */
  inlineQuery(input: InlineQueryInput): Promise<InlineResult[]>;
  /**
   * The end of a shutdown's grace period: outcomes of presses still in flight are dropped from now on,
   * so a process that is going away edits no card; their writes are jobs that were given back, and the
   * next start (or another instance) applies them and edits the card then.
   */
  close(): void;
  /** Trakt answered a request (of anyone's): writes queued while it was down need not wait their backoff out. */
  traktAnswered(): void;
  /** The core's kinds of background job (the offline queue of writes, group picks' deadlines), for the job runner `main.ts` builds. */
  readonly jobKinds: readonly JobKind<never, unknown>[];
  /** A user finished linking: group picks they were waiting to join count them now. Never throws. */
  accountLinked(identityId: number): Promise<void>;
  /**
   * One run of release notices (release-notices.ts): reads subscribers' calendars, records what came out
   * and sends what waits outside quiet hours. `now` defaults to the clock's.
   */
  checkNotices(now?: Date): Promise<NoticeCheckResult>;
}

/** Actions that write to Trakt: a failure may come after the write, so their claim is never given back. */
const WRITE_ACTIONS: ReadonlySet<string> = new Set(['confirm', 'undo']);

/** First steps that failed (their work only shows the error), told apart for the observer. */
const FAILED_STEPS = new WeakSet<ActionStep>();

function failedStep(step: ActionStep): ActionStep {
  FAILED_STEPS.add(step);
  return step;
}

function outcomeOfError(error: unknown): UpdateOutcome {
  return error instanceof UserFacingError ? 'user_error' : 'error';
}

/** The encoded actions of a reply's buttons and multi-choice. */
function actionDataOf(reply: Reply): string[] {
  return [...(reply.buttons ?? []).flat().flatMap((b) => ('action' in b ? [b.action] : [])), ...(reply.pick ? [reply.pick.action] : [])];
}

/** The views whose stored state the actions name (static actions have none). */
function viewIdsOf(actionData: string[]): Set<string> {
  const viewIds = new Set<string>();
  for (const data of actionData) {
    const decoded = decodeAction(data);
    // Static actions (Link again) have no stored state to bind.
    if (decoded === undefined || (Object.values(STATIC_IDS) as string[]).includes(decoded.id) || decoded.action === LANGUAGE_ACTION) continue;
    viewIds.add(viewIdOf(decoded.id));
  }
  return viewIds;
}

function sameMessage(a: MessageRef, b: MessageRef): boolean {
  return a.platform === b.platform && a.chatId === b.chatId && a.messageId === b.messageId;
}

export function createBotCore(coreDeps: CoreDeps): BotCore {
  // Every title Trakt returns goes into a local index, which suggestions are made from.
  const titles = new TitleIndex();
  const deps: CoreDeps = {
    ...coreDeps,
    titles,
    trakt: indexingTraktPort(coreDeps.trakt, titles),
    cardUpdates: coreDeps.cardUpdates ?? createCardUpdater({ logger: coreDeps.logger }),
  };
  const suggester = new TitleSuggester(() => deps.trakt.catalog(), titles, deps.logger);
  const writer =
    coreDeps.writer ??
    createWatchlistWriter({
      trakt: coreDeps.trakt,
      journal: coreDeps.journal,
      watchlists: coreDeps.watchlists,
      logger: coreDeps.logger,
      ...(coreDeps.clock === undefined ? {} : { clock: coreDeps.clock }),
      watchlistFreshMs: resolveOptions(coreDeps.options).watchlistFreshMs,
    });
  const copy = new WatchlistCopy(writer.copy);
  const commands = new Map<string, CommandModule>(COMMANDS.map((c) => [c.name, c]));
  const actions = new Map<string, ActionModule>(ACTIONS.map((a) => [a.action, a]));
  const chatActions = new Map<string, ChatActionModule>(CHAT_ACTIONS.map((a) => [a.action, a]));
  // Add to my watchlist on inline cards: registered here, as it looks titles up in this core's index.
  chatActions.set(INLINE_ADD_ACTION, inlineAddAction(new InlineTitles(titles, () => deps.trakt.catalog())));
  const now = () => deps.clock?.now() ?? new Date();
  /** Per user, the first step of their latest press (see pressButton). */
  const pressOrder = new Map<string, Promise<void>>();
  /** After `close()`, outcomes of presses still in flight are dropped (see BotCore.close). */
  let closed = false;

  /** Tells the observer (metrics); its failure never reaches a user. */
  function observe(report: (observer: NonNullable<CoreDeps['observer']>) => void): void {
    if (deps.observer === undefined) return;
    try {
      report(deps.observer);
    } catch (error) {
      deps.logger.warn({ err: error }, 'the core observer failed');
    }
  }
  function observeUpdate(platform: Platform, kind: 'command' | 'button' | 'inline' | 'autocomplete', outcome: UpdateOutcome): void {
    observe((o) => o.onUpdate?.({ platform, kind, outcome }));
  }

  /**
   * The sender's identity, with their stored languages (and the chat's setting the answer needs) when
   * the statement that found the identity read them too (AccountPort.identifyWithLanguages).
   */
  async function identifySender(input: CommandInput | ActionInput, personal: boolean): Promise<{ identityId: number; languages?: StoredLanguages }> {
    if (deps.accounts.identifyWithLanguages === undefined || deps.languages === undefined) return { identityId: await deps.accounts.identify(input.user) };
    return deps.accounts.identifyWithLanguages(input.user, languagesChat({ chat: input.chat, personal }));
  }

  /**
   * `personal`: the answer goes to the user alone (a private command), so it is in their language, in a
   * group too. `readAccount`: the linked account is read while the languages are (a command that says
   * it reads the account: one wait instead of two).
   */
  async function contextFor(input: CommandInput | ActionInput, personal = false, options: { readAccount?: boolean } = {}): Promise<CoreContext> {
    const sender = await identifySender(input, personal);
    return contextOf(input, sender.identityId, personal, sender.languages, options.readAccount === true);
  }

  /** The context for an identified sender; `stored`: their languages, already read in this update (else read here). */
  async function contextOf(input: CommandInput | ActionInput, identityId: number, personal: boolean, stored: StoredLanguages | undefined, readAccount = false): Promise<CoreContext> {
    const ctx = new CoreContext(deps, copy, writer, input.user, input.chat, identityId, input.privateChatId, input.reachPrivately);
    // Read now, kept by the context; a failure is the command's to meet when it asks.
    if (readAccount) void ctx.linkedAccount().catch(() => null);
    if ('attachment' in input) ctx.attachment = input.attachment;
    ctx.chatAdmin = input.chatAdmin;
    ctx.groupLocale = input.groupLocale;
    const locales = await localesFor(deps, {
      identityId,
      chat: input.chat,
      ...(input.user.locale === undefined ? {} : { clientLocale: input.user.locale }),
      ...(input.groupLocale === undefined ? {} : { groupLocale: input.groupLocale }),
      personal,
      ...(stored === undefined ? {} : { stored }),
    });
    ctx.i18n = translator(locales.answer);
    ctx.userI18n = translator(locales.user);
    return ctx;
  }

  function failed(error: unknown, context: Record<string, unknown>, i18n: Translator): Reply {
    return errorReply(error, deps.logger, context, i18n);
  }

  /** The language of the client that sent the input, for answers made before the context (or without one). */
  function clientTranslator(input: { user: { locale?: string }; chat: { kind: 'private' | 'group' }; groupLocale?: string }): Translator {
    return translator(resolveLocale({ client: input.user.locale, group: input.groupLocale }, input.chat.kind));
  }

  /**
   * Turns failures in the slow part of a press (and its follow-ups) into replies on the same message.
   * `onFailure` runs before the reply is made (a failed read gives its claim back).
   */
  function guardOutcome(
    work: () => Promise<ActionOutcome>,
    context: Record<string, unknown>,
    i18n: Translator,
    onFailure?: () => Promise<void>,
  ): () => Promise<ActionOutcome> {
    const guard = (outcome: Promise<ActionOutcome>): Promise<ActionOutcome> =>
      outcome.then(
        (value) => (closed ? {} : value.followUp ? { ...value, followUp: guard(value.followUp) } : value),
        async (error: unknown) => {
          if (closed) return {};
          await onFailure?.().catch((e: unknown) => deps.logger.warn({ err: e, ...context }, 'could not give a failed press its buttons back'));
          return { send: [failed(error, context, i18n)] };
        },
      );
    return () => guard(Promise.resolve().then(work));
  }

  /**
   * Runs a press's handler with the views it saves held (CoreContext.heldViews), then stores them in
   * one insert, as saving them would have: the views of the card that replaces the pressed message
   * bound to that message already when the adapter will edit it in place (`editsInPlace`), noted on
   * the card (`boundTo`) so bindMessage writes nothing for them when the adapter shows it there. The
   * rest (a card the adapter sends anew, other replies) are stored unbound and bound once shown, as
   * any new message's; follow-ups store their views when saved. Either way every row exists before
   * the adapter shows its buttons, and a card held for one message acts from no other.
   */
  async function runHoldingViews(ctx: CoreContext, run: () => Promise<ActionOutcome>, editsInPlace: ((reply: Reply) => boolean) | undefined): Promise<ActionOutcome> {
    const pressed = ctx.pressed;
    // Without a pressed message, or an adapter that can say where its card goes, nothing is gained.
    if (pressed === undefined || editsInPlace === undefined) return run();
    const held = new Map<string, NewPendingAction[]>();
    ctx.heldViews = held;
    let outcome: ActionOutcome;
    try {
      outcome = await run();
    } finally {
      // A press that failed shows no card of its own (only the error): its views are dropped.
      ctx.heldViews = undefined;
    }
    const edit = outcome.edit;
    const bound =
      edit === undefined || held.size === 0 || !editsInPlace(edit)
        ? []
        : [...viewIdsOf(actionDataOf(edit))].filter((viewId) => held.get(viewId)?.every((row) => row.platform === pressed.platform && row.chatId === pressed.chatId) === true);
    const rows = [...held].flatMap(([viewId, viewRows]) => (bound.includes(viewId) ? viewRows.map((row) => ({ ...row, messageId: pressed.messageId })) : viewRows));
    if (rows.length > 0) await deps.pending.create(rows);
    return edit === undefined || bound.length === 0 ? outcome : { ...outcome, edit: { ...edit, boundTo: { message: pressed, views: bound } } };
  }

  async function bindMessage(reply: Reply, ref: MessageRef): Promise<void> {
    const actionsOfReply = actionDataOf(reply);
    await bindPickCard(actionsOfReply, ref);
    // Views stored bound to this very message when they were made (a card edited in place) are bound
    // already; a card shown anywhere else (re-sent as a new message, sent to another chat) is bound here.
    const bound = reply.boundTo !== undefined && sameMessage(reply.boundTo.message, ref) ? new Set(reply.boundTo.views) : undefined;
    for (const viewId of viewIdsOf(actionsOfReply)) {
      if (bound?.has(viewId) === true) continue;
      await deps.pending
        .bindMessage(viewId, { chatId: ref.chatId, messageId: ref.messageId })
        .catch((error: unknown) => deps.logger.warn({ err: error, platform: ref.platform }, 'buttons not bound to their message'));
    }
  }

  /** A group pick's session card (it carries Join) is edited where it was shown last. */
  async function bindPickCard(actionData: string[], ref: MessageRef): Promise<void> {
    if (deps.picks === undefined) return;
    const join = actionData.map(decodeAction).find((d) => d?.action === PICK_ACTIONS.join);
    if (join === undefined) return;
    try {
      const session = await deps.picks.byToken(join.id);
      if (session !== undefined && session.platform === ref.platform && session.chatId === ref.chatId) await deps.picks.setCard(session.id, ref.messageId);
    } catch (error) {
      deps.logger.warn({ err: error, platform: ref.platform }, 'group pick card not bound to its message');
    }
  }

  async function firstStep(input: ActionInput): Promise<ActionStep> {
    const decoded = decodeAction(input.data);
    const early = clientTranslator(input);
    if (decoded === undefined) return { ack: { text: noticesIn(early).buttonInvalid, alert: true } };
    const context = { action: decoded.action, platform: input.user.platform };
    let said = early;
    try {
      if (decoded.action === 'link' && decoded.id === STATIC_IDS.linkNew) {
        const ctx = await contextFor(input);
        return { ack: {}, work: guardOutcome(async () => ({ send: await linkReplies(ctx) }), context, ctx.i18n) };
      }
      const chatAction = chatActions.get(decoded.action);
      if (chatAction !== undefined) {
        const ctx = await contextFor(input);
        const step = await chatAction.press(ctx, decoded.id, {
          ...(input.messageId === undefined ? {} : { messageId: input.messageId }),
          ...(input.values === undefined ? {} : { values: input.values }),
          ...(input.chatAdmin === undefined ? {} : { chatAdmin: input.chatAdmin }),
        });
        return step.work === undefined ? step : { ...step, work: guardOutcome(step.work, { ...context, identityId: ctx.identityId }, ctx.i18n) };
      }
      // An inline message (posted via the bot in any chat) carries chat actions only: a user's own
      // buttons are bound to the chat and message they were made for, which an inline message is not.
      if (input.inlineMessageId !== undefined) return { ack: { text: noticesIn(early).buttonStale, alert: true } };
      const handler = actions.get(decoded.action);
      if (handler === undefined) return { ack: { text: noticesIn(early).buttonInvalid, alert: true } };
      const viewId = viewIdOf(decoded.id);
      const claimedAt = now();
      let ctx: CoreContext;
      let pending: PendingAction | undefined;
      let claimed: boolean | undefined;
      if (deps.pending.press !== undefined) {
        // One round trip: the row as it was, and the view claimed only if every check below passes;
        // with the presser's languages, unless finding their identity just read them.
        const sender = await identifySender(input, false);
        const chat = languagesChat({ chat: input.chat });
        const pressed = await deps.pending.press(
          decoded.id,
          viewId,
          { action: decoded.action, ownerIdentityId: sender.identityId, platform: input.chat.platform, chatId: input.chat.chatId, messageId: input.messageId ?? null },
          claimedAt,
          sender.languages === undefined && deps.languages !== undefined ? (chat === undefined ? {} : { chat }) : undefined,
        );
        // No such button: no languages came with it, so they are read now.
        ctx = await contextOf(input, sender.identityId, false, sender.languages ?? pressed?.languages);
        pending = pressed?.pending;
        claimed = pressed?.claimed;
      } else {
        [ctx, pending] = await Promise.all([contextFor(input), deps.pending.find(decoded.id)]);
      }
      said = ctx.i18n;
      const notices = noticesIn(ctx.i18n);
      // A forged id, or a real id under another action's name, looks exactly like an expired button.
      if (pending === undefined || pending.action !== decoded.action) return { ack: { text: notices.buttonStale, alert: true } };
      if (pending.ownerIdentityId !== ctx.identityId) return { ack: { text: notices.buttonForeign, alert: true } };
      // Bound to its chat and, once sent, its message: the same data pressed anywhere else (a forged
      // update, a replayed payload) is not this button, so it acts nowhere and edits nothing.
      const elsewhere =
        pending.platform !== input.chat.platform ||
        pending.chatId !== input.chat.chatId ||
        (pending.messageId !== null && pending.messageId !== input.messageId);
      if (elsewhere) return { ack: { text: notices.buttonStale, alert: true } };
      if (pending.consumedAt !== null || pending.expiresAt.getTime() <= now().getTime()) {
        return { ack: { text: notices.buttonStale, alert: true } };
      }
      // Consuming the whole view is the one atomic step: of two quick presses only one gets past it.
      if (!(claimed ?? (await deps.pending.claimView(viewId, claimedAt)))) return { ack: { text: notices.buttonStale, alert: true } };
      const card: MessageRef | undefined = input.messageId === undefined ? undefined : { platform: input.chat.platform, chatId: input.chat.chatId, messageId: input.messageId };
      ctx.pressed = card;
      // What must be durable before the press is answered (a confirmed write is queued) is done now;
      // if it cannot be, the press changed nothing and its card stays usable.
      let prepared: unknown;
      if (handler.prepare !== undefined) {
        try {
          prepared = await handler.prepare(ctx, pending.payload, card === undefined ? {} : { card });
        } catch (error) {
          await deps.pending.releaseView(viewId, claimedAt).catch(() => undefined);
          const reply = failed(error, { ...context, identityId: ctx.identityId }, ctx.i18n);
          return failedStep({ ack: {}, work: () => Promise.resolve({ send: [reply] }) });
        }
      }
      // A read that failed (Trakt down on Next, a season, an episode) changed nothing: its card stays
      // usable. Writes keep their claim: they show their own outcome (with Retry) on the card.
      const release = WRITE_ACTIONS.has(decoded.action) ? undefined : () => deps.pending.releaseView(viewId, claimedAt);
      const runInput = { ...(input.values === undefined ? {} : { values: input.values }), ...(prepared === undefined ? {} : { prepared }) };
      return {
        ack: handler.ack === undefined ? {} : { text: typeof handler.ack === 'function' ? handler.ack(ctx.i18n) : handler.ack },
        work: guardOutcome(
          () => runHoldingViews(ctx, () => handler.run(ctx, pending.payload, runInput), input.editsInPlace),
          { ...context, identityId: ctx.identityId },
          ctx.i18n,
          release,
        ),
      };
    } catch (error) {
      const reply = failed(error, context, said);
      return failedStep({ ack: {}, work: () => Promise.resolve({ send: [reply] }) });
    }
  }

  const writeJobs = createWriteJobKind({ deps, copy, writer, bindMessage });
  const importJobs = createImportJobKinds({ deps, writer, bindMessage });

  // A group pick's vote closes at its deadline even across restarts: the deadline is a durable job.
  const deadlineJobs = defineJobKind({
    ...deadlineJobRef,
    leaseMs: 60_000,
    async run(job) {
      await closeVote(deps, job.sessionId, 'deadline');
    },
  });

  return {
    jobKinds: [writeJobs.kind as JobKind<never, unknown>, deadlineJobs as JobKind<never, unknown>, ...importJobs],

    async accountLinked(identityId) {
      if (deps.picks === undefined) return;
      try {
        for (const session of await storeOf(deps).promoteAwaiting(identityId)) refreshCard(deps, session.id);
      } catch (error) {
        deps.logger.warn({ err: error, identityId }, 'group picks: a member who linked could not be counted yet');
      }
    },

    traktAnswered: () => writeJobs.traktAnswered(),

    checkNotices: (at) => checkReleaseNotices(deps, writer, at ?? now()),

    close() {
      closed = true;
    },

    commands: COMMANDS.filter((c) => c.listed).map((c) => ({
      name: c.name,
      description: c.description,
      ...(c.options === undefined ? {} : { options: c.options }),
      ...(c.private === undefined ? {} : { private: c.private }),
      localizations: commandLocalizations(c),
    })),

    knows: (command) => commands.has(command.toLowerCase()),


    async handleCommand(input) {
      const command = commands.get(input.command.toLowerCase());
      const context = { command: input.command, platform: input.user.platform };
      const startedAt = performance.now();
      const done = (outcome: UpdateOutcome) => {
        // The registry's name, never the typed text: one series per command we have.
        observe((o) => o.onCommand?.({ platform: input.user.platform, command: command?.name ?? 'unknown', outcome, ms: performance.now() - startedAt }));
        observeUpdate(input.user.platform, 'command', outcome);
      };
      if (command === undefined) {
        done('unknown');
        // In a group the command may be another bot's; only a private chat hears about unknown ones.
        if (input.chat.kind !== 'private') return [];
        const said = await contextFor(input).then(
          (ctx) => ctx.i18n,
          () => clientTranslator(input),
        );
        return [{ text: said.tr('notices:unknownCommand', { command: input.command.slice(0, 32) }) }];
      }
      let said = clientTranslator(input);
      let saidPrivately = said;
      try {
        const ctx = await contextFor(input, command.private === true, { readAccount: command.account === true });
        said = ctx.i18n;
        saidPrivately = ctx.userI18n;
        const replies = await command.run(ctx, input.args);
        done('ok');
        return replies;
      } catch (error) {
        done(outcomeOfError(error));
        // Link prompts and account errors concern one person: keep them out of groups, in their language.
        const personal = error instanceof NeedsLinkError || error instanceof WatchlistFullError || error instanceof AccountLockedError;
        const reply = failed(error, context, personal ? saidPrivately : said);
        return [personal ? { ...reply, private: true } : reply];
      }
    },

    pressButton(input) {
      // One user's presses take their first step (claim, and queue a confirmed write) in the order
      // they arrived, so writes confirmed in quick succession are applied in that order. Only this
      // step, which needs the database alone, waits for the user's previous press.
      const key = `${input.user.platform}:${input.user.userId}`;
      const previous = pressOrder.get(key) ?? Promise.resolve();
      const step = previous.then(() => firstStep(input));
      void step.then(
        (taken) => observeUpdate(input.user.platform, 'button', FAILED_STEPS.has(taken) ? 'error' : taken.ack.alert === true ? 'refused' : 'ok'),
        () => observeUpdate(input.user.platform, 'button', 'error'),
      );
      const settled = step.then(
        () => undefined,
        () => undefined,
      );
      pressOrder.set(key, settled);
      void settled.then(() => {
        if (pressOrder.get(key) === settled) pressOrder.delete(key);
      });
      return step;
    },

    bindMessage,

    async inlineQuery(input) {
      try {
        const userKey = `${input.user.platform}:${input.user.userId}`;
        const results = inlineResults(await suggester.suggest(userKey, input.text, input.answerBy.getTime(), MAX_INLINE_RESULTS), queryTranslator(input.user));
        observeUpdate(input.user.platform, 'inline', 'ok');
        return results;
      } catch (error) {
        observeUpdate(input.user.platform, 'inline', 'error');
        deps.logger.warn({ err: error, platform: input.user.platform }, 'inline query failed; answering with no results');
        return [];
      }
    },

    async autocomplete(input) {
      const source = commands.get(input.command.toLowerCase())?.options?.find((o) => o.name === input.option)?.autocomplete;
      if (source === undefined) return [];
      try {
        const userKey = `${input.user.platform}:${input.user.userId}`;
        const said = queryTranslator(input.user);
        const choices =
          source === 'watchlist-item'
            ? watchlistChoices(await watchlistMatches(input), said)
            : titleChoices(await suggester.suggest(userKey, input.text, input.answerBy.getTime(), MAX_CHOICES), source, said);
        observeUpdate(input.user.platform, 'autocomplete', 'ok');
        return choices;
      } catch (error) {
        observeUpdate(input.user.platform, 'autocomplete', 'error');
        deps.logger.warn({ err: error, command: input.command, platform: input.user.platform }, 'autocomplete failed; answering with no choices');
        return [];
      }
    },
  };

  /** The user's own watchlist items matching the text, from the local copy (refreshed if there is time). */
  async function watchlistMatches(input: AutocompleteInput) {
    const chat = { platform: input.user.platform, chatId: input.user.userId, kind: 'private' as const };
    const ctx = await contextFor({ user: input.user, chat, command: input.command, args: '' });
    const account = await ctx.linkedAccount().catch(() => null);
    if (account === null) return [];
    const state = await deps.watchlists.state(ctx.identityId);
    const fresh = state !== undefined && state.activityAt !== null && now().getTime() - state.checkedAt.getTime() < ctx.options.watchlistFreshMs;
    if (!fresh) {
      // The sync goes on past the deadline if it must, so the next keystroke finds the copy current.
      const sync = ctx.traktForUser().then((trakt) => copy.current(ctx, trakt));
      await raceTimeout(sync.catch(() => undefined), Math.max(0, input.answerBy.getTime() - Date.now() - 200));
    }
    let text: string;
    try {
      text = cleanText(input.text);
    } catch {
      return [];
    }
    if (text === '') return (await deps.watchlists.page(ctx.identityId, { filter: 'all', sort: 'added', offset: 0, limit: MAX_CHOICES })).items;
    return deps.watchlists.find(ctx.identityId, text, MAX_CHOICES);
  }
}
