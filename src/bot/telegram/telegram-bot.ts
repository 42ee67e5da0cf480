import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { autoRetry } from '@grammyjs/auto-retry';
import { apiThrottler } from '@grammyjs/transformer-throttler';
import { run, type RunnerHandle } from '@grammyjs/runner';
import { Bot, BotError, GrammyError, InputFile, type Context } from 'grammy';
import type { InlineQueryResult, InputMediaPhoto, LanguageCode, Message, Update } from 'grammy/types';
import type { Logger } from '../../logger.js';
import type { BotCore } from '../core/bot-core.js';
import type { InlineResult } from '../core/inline.js';
import { cleanPlatformText } from '../core/text.js';
import type { DeliveryTarget } from '../core/notices.js';
import { resolveLocale, translator, type Translator } from '../core/i18n/index.js';
import type { ActionOutcome, ActionStep, Attachment, ChatRef, ChatUserRef, MessageRef, Reply } from '../core/types.js';
import type { PosterSource } from '../core/ports.js';
import { createDelayedBatches, createOrderedBatches } from './batches.js';
import { attachmentOf, documentOf, inputFileOf } from './files.js';
import { CAPTION_LIMIT, MESSAGE_LIMIT, renderHtml, renderKeyboard, splitRich } from './render.js';
import { commandOfMessage, isModeratorStatus, parseCommand, toChatRef, toUserRef } from './to-core.js';

/**
 * The Telegram adapter: grammY lives here and only here. It turns updates into the core's neutral
 * commands and presses, and the core's replies into Bot API calls (HTML, inline keyboards, photos,
 * documents). Documents sent with a command (as its caption, or replied to by it) reach the core as
 * the command's attachment (see files.ts).
 * Updates are handled concurrently (a slow Trakt call for one user never holds up another), by long
 * polling (grammY's runner) or by the webhook route (server/routes/telegram-webhook.ts), which hands
 * each update to `acceptUpdate`. Flood waits (429 with `retry_after`) are waited out by
 * `@grammyjs/auto-retry`.
 */
export interface TelegramAdapterOptions {
  token: string;
  apiRoot: string;
  core: BotCore;
  posters: PosterSource;
  logger: Logger;
  /** Set for webhook mode: the public URL Telegram posts updates to, and the secret it sends along. */
  webhook?: { url: string; secret: string };
  /** Updates handled at once. Default 64. */
  concurrency?: number;
  /** Long-poll timeout in seconds. Default 25. */
  pollTimeoutSeconds?: number;
  /**
   * Claims of updates in the database every instance shares: each update is handled once, whichever
   * instance a redelivery reaches. Without it every update received is handled.
   */
  claims?: TelegramUpdateClaims;
  /** Polling on a database several instances share: only the holder of this lease polls. */
  pollLease?: TelegramPollLease;
  /** How long polling pauses once Telegram keeps answering 409 Conflict (another poller). Default 5 minutes. */
  conflictPauseMs?: number;
}

/** One claim per update across instances (implemented on the database in src/db/queries/telegram-updates.ts). */
export interface TelegramUpdateClaims {
  /** How long a claim lasts unless renewed; renewed at a third of it while the update is handled. */
  readonly leaseMs: number;
  /**
   * Claims updates in one go (each kept with its claim until done), as if one after another in the
   * order given; each update's state at its index: `claimed` to handle it here, `done` when it was
   * handled already, `busy` while another instance's live claim holds it.
   */
  claim(updates: readonly Update[]): Promise<Array<'claimed' | 'done' | 'busy'>>;
  /** Extends this instance's claims of updates still being handled. */
  renew(updateIds: readonly number[]): Promise<void>;
  /** Marks updates handled. */
  finish(updateIds: readonly number[]): Promise<void>;
  /** Claims of dead instances (lease run out, not done), taken over with their updates. */
  takeOver(limit: number): Promise<Array<{ updateId: number; payload: unknown }>>;
}

/** The lease that makes one instance the poller of a bot (src/db/queries/telegram-updates.ts). */
export interface TelegramPollLease {
  /** How long the lease lasts unless renewed; renewed (and, while waiting, asked for) at a third of it. */
  readonly leaseMs: number;
  /** Takes or renews the lease; says who holds it when another live instance does. */
  hold(): Promise<{ held: true } | { held: false; holder: string }>;
  /** Gives it up, so that a waiting instance takes over at once. */
  release(): Promise<void>;
}

/** What became of an update handed over by the webhook route. */
export type UpdateAcceptance =
  /** It is being handled here. */
  | 'accepted'
  /** It was handled already (a redelivery): nothing to do. */
  | 'duplicate'
  /**
   * Another instance holds a live claim on it (a redelivery racing the first delivery): that instance
   * finishes it, or, should it die first, the takeover job does with the update kept in the claim.
   */
  | 'in-progress'
  /** The claim could not be recorded (the database did not answer): Telegram should send it again. */
  | 'retry'
  /** The bot is not connected yet, or stopping. */
  | 'not-ready';

/**
 * What is logged when another poller holds the bot: polling works with one instance per bot only.
 * Shared by the lease (an instance of ours polls) and by repeated 409s (a poller outside our database).
 */
export const ANOTHER_POLLER_MESSAGE =
  'another instance is polling Telegram for this bot; to run several instances use webhook mode (set PUBLIC_URL and TELEGRAM_WEBHOOK_SECRET, see README, Scaling)';

export interface TelegramAdapter {
  readonly name: 'telegram';
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Outbox sender: messages the service sends on its own (link notices, late outcomes). */
  send(target: DeliveryTarget, reply: Reply): Promise<MessageRef>;
  /**
   * Outbox editor: replaces a message the bot sent earlier (text, buttons, poster) by chat id and
   * message id. Telegram cannot turn a text message into a photo or back: such a message is deleted
   * and the reply sent anew, and the new message's reference returned.
   */
  edit(ref: MessageRef, reply: Reply): Promise<MessageRef>;
  /**
   * Hands over one update received by the webhook route. With claims, a redelivery of an update
   * handled (or being handled) anywhere is not handled again.
   */
  acceptUpdate(update: Update): Promise<UpdateAcceptance>;
  /**
   * Handles the updates of instances that died between claiming and finishing them (a recurring job);
   * returns how many were taken over.
   */
  takeOverAbandoned(): Promise<number>;
  /** Resolves once every update handed over so far is handled (tests and benchmarks). */
  idle(): Promise<void>;
  /** Connected to the Bot API (polling answers, or the webhook is set), and the latest failure if any (`/readyz`). */
  status(): AdapterStatus;
}

/** A chat adapter's connection as `/readyz` and the metrics show it; `lastError` never holds the token. */
export interface AdapterStatus {
  connected: boolean;
  /** When `connected` last changed. */
  since?: string;
  lastError?: string;
}

const ALLOWED_UPDATES = ['message', 'callback_query', 'inline_query'] as const;
/** How long an inline query may take before it is answered with what is known (Telegram's clients wait a few seconds). */
const INLINE_ANSWER_MS = 2_500;
/** Telegram keeps an inline answer this long (per user: is_personal) and asks the bot again only after it. */
const INLINE_CACHE_SECONDS = 30;
/** Getting updates again after a failed getUpdates; the runner's own backoff doubles without a bound. */
const POLL_RETRY_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;
/**
 * 409 Conflict from getUpdates: another getUpdates for this bot (or a webhook) is active. A single one
 * happens in a rolling restart and polling starts again at once; this many within the window means a
 * second poller that stays, and polling pauses for `conflictPauseMs` rather than fight it (two pollers
 * end each other's requests about once a second and updates get answered twice).
 */
const CONFLICT_LIMIT = 3;
const CONFLICT_WINDOW_MS = 60_000;
const CONFLICT_PAUSE_MS = 5 * 60_000;
/** Abandoned updates taken over in one go (a recurring job takes the rest at its next run). */
const TAKE_OVER_BATCH = 50;
/** Updates claimed in one statement at most (a getUpdates answer holds 100 at most). */
const CLAIM_BATCH = 100;
/**
 * Handled updates are marked done together, this long after the first of them (and at once on stop and
 * in idle()). Marked later means nothing while the claim's lease runs: a claim is renewed every third of
 * its lease (TELEGRAM_LEASE_MS, 1 s at least), so at least two thirds of it are left when the handler
 * ends, and until the lease runs out no other instance takes the update. Only a process that dies in
 * between leaves these updates to be handled again after the lease, as it does the ones it was handling.
 */
const FINISH_DELAY_MS = 50;
const FINISH_BATCH = 500;
/** Telegram's 429 says how long to wait; waits longer than this are not worth holding a chat reply for. */
const MAX_FLOOD_WAIT_S = 30;

type PhotoSource = { kind: 'file'; fileId: string } | { kind: 'upload'; file: InputFile };

/**
 * A message as far as editing it needs: where it is, and whether it is a photo (Telegram edits
 * photos and text with different methods). `unknown` for a message known only by its reference.
 */
interface Shown {
  chatId: string;
  messageId: number;
  kind: 'photo' | 'text' | 'unknown';
  fileId?: string;
}

function shownOf(message: Message): Shown {
  const fileId = message.photo?.at(-1)?.file_id;
  return {
    chatId: String(message.chat.id),
    messageId: message.message_id,
    kind: fileId === undefined ? 'text' : 'photo',
    ...(fileId === undefined ? {} : { fileId }),
  };
}

/**
 * Whether `replaceMessage` will edit `reply` into `message` rather than send it anew, as far as can be
 * told before trying: a file is always sent anew, and Telegram cannot turn a text message into a photo
 * card or a photo card into text.
 */
function editsInPlace(message: Message, reply: Reply): boolean {
  if (reply.file !== undefined) return false;
  return reply.image === undefined ? message.text !== undefined : message.photo !== undefined;
}

function refOf(shown: Shown): MessageRef {
  return { platform: 'telegram', chatId: shown.chatId, messageId: String(shown.messageId) };
}

function isForbidden(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 403;
}

function isNotModified(error: unknown): boolean {
  return error instanceof GrammyError && /message is not modified/i.test(error.description);
}

/**
 * What may be logged of an error. grammY's HttpError wraps the fetch error, whose message holds the
 * request URL, and the bot token is part of every Bot API URL: so errors are flattened to name, code
 * and message with the token cut out before they reach a log line.
 */
export function redactedError(error: unknown, token: string): Record<string, unknown> {
  const cut = (text: string) => text.split(token).join('<bot-token>');
  if (error instanceof GrammyError) return { type: 'GrammyError', method: error.method, code: error.error_code, message: cut(error.description) };
  if (error instanceof Error) {
    const cause = (error as { error?: unknown }).error ?? error.cause;
    return {
      type: error.name,
      message: cut(error.message),
      ...(cause instanceof Error ? { cause: cut(`${cause.name}: ${cause.message}`) } : {}),
      ...(error.stack ? { stack: cut(error.stack) } : {}),
    };
  }
  return { message: cut(String(error)) };
}

export function createTelegramAdapter(options: TelegramAdapterOptions): TelegramAdapter {
  const { core, posters, logger } = options;
  const safe = (error: unknown) => redactedError(error, options.token);
  // Connected once set up (getMe, commands, webhook); in polling mode each getUpdates answer says so
  // again, and a failed one says not (until the next answer, which a long poll may hold for its timeout).
  let connection: AdapterStatus = { connected: false };
  const connected = (now: boolean, error?: unknown) => {
    const lastError = error === undefined ? connection.lastError : describe(safe(error));
    if (now !== connection.connected) connection = { ...connection, connected: now, since: new Date().toISOString() };
    connection = { ...connection, ...(lastError === undefined ? {} : { lastError }) };
  };
  const bot = new Bot(options.token, { client: { apiRoot: options.apiRoot } });
  const concurrency = options.concurrency ?? 64;
  const stopController = new AbortController();
  /** Updates being handled (both modes), for a stop that waits for them and for idle(). */
  const inFlight = new Set<Promise<void>>();
  /** Webhook updates waiting for a free slot (the runner queues polled ones itself). */
  const waiting: Array<() => void> = [];
  const queued = new Set<Promise<void>>();
  let active = 0;
  /** Uploads of one poster in progress: later senders wait for its file_id instead of uploading again. */
  const uploads = new Map<string, Promise<string | undefined>>();
  let ready = false;
  let stopped = false;
  let runner: RunnerHandle | undefined;
  let restarting: Promise<void> | undefined;
  const claims = options.claims;
  /** Updates claimed by this instance and being handled: their claims are renewed until they are done. */
  const held = new Set<number>();
  /** Updates whose claim was taken before they reached the bot (webhook, takeover): not claimed again. */
  const preClaimed = new WeakSet<Update>();
  let renewTimer: NodeJS.Timeout | undefined;
  /** The current polling session (polling mode, while this instance polls); aborted when polling stops. */
  let pollSession: AbortController | undefined;
  /** Polling mode with a lease: the loop that holds it and polls while it is held. */
  let leaseLoop: Promise<void> | undefined;
  /** When getUpdates last answered 409 Conflict (within CONFLICT_WINDOW_MS). */
  const conflicts: number[] = [];
  /**
   * Claims of updates, polled or from the webhook: those asked for together go in one statement, one
   * statement at a time, answered in the order asked for (see claimPolled).
   */
  const claimUpdate = claims === undefined ? undefined : createOrderedBatches((updates: Update[]) => claims.claim(updates), { maxBatch: CLAIM_BATCH });
  /** Updates handled here, marked done in batches (see FINISH_DELAY_MS). */
  const finishes =
    claims === undefined
      ? undefined
      : createDelayedBatches((updateIds: number[]) => claims.finish(updateIds), {
          delayMs: FINISH_DELAY_MS,
          maxBatch: FINISH_BATCH,
          failed: (error, updateIds) =>
            logger.warn({ err: safe(error), updateIds }, 'could not mark Telegram updates handled; after their lease another instance may handle them again'),
        });
  // grammY types its signals with the abort-controller polyfill's AbortSignal; Node's is the same at run time.
  const grammySignal = stopController.signal as unknown as Parameters<typeof bot.init>[0];

  // Failed calls the adapter retries on its own (getMe while connecting, getUpdates while polling)
  // are logged here, without the token: grammY's errors carry the request URL.
  bot.api.config.use(async (prev, method, payload, signal) => {
    try {
      const result = await prev(method, payload, signal);
      if (method === 'getUpdates' && !stopped) connected(result.ok, result.ok ? undefined : new Error(`${result.error_code} ${result.description}`));
      if (!result.ok && method === 'getUpdates' && !stopped) {
        logger.warn({ code: result.error_code, description: result.description }, 'Telegram getUpdates failed; retrying');
      }
      if (!result.ok && result.error_code === 429) logger.warn({ method, retryAfter: result.parameters?.retry_after }, 'Telegram flood control; waiting');
      return result;
    } catch (error) {
      if ((method === 'getMe' || method === 'getUpdates' || method === 'setWebhook') && !stopped) connected(false, error);
      if ((method === 'getMe' || method === 'getUpdates') && !stopped) logger.warn({ err: safe(error) }, 'Telegram is not reachable yet; retrying');
      throw error;
    }
  });
  // Outgoing rate. Telegram allows a bot about 30 messages a second when it writes to many chats on
  // its own (bulk notices); a run of release notices to many users would pass that. So the outbox's
  // sends and edits (below, run inside `bulkSends`) are queued by grammY's throttler under that global
  // bound. Answers to someone who is waiting are not queued: they go out at once, and a 429 from
  // Telegram is waited out by autoRetry, as grammY's flood-limit guide advises. (Queued together at
  // 30/s, 300 users' typing actions and cards delayed every answer by seconds: bench/telegram, /add
  // p50 3.2 s.) Per chat the throttler adds nothing: its default per-chat pacing (1 call a second, 20
  // a minute in a group) would delay every card edit of a busy group pick.
  const bulkSends = new AsyncLocalStorage<true>();
  const throttle = apiThrottler({
    global: { reservoir: 30, reservoirRefreshAmount: 30, reservoirRefreshInterval: 1000 },
    group: {},
    out: {},
  });
  // Installed before autoRetry, so a retried bulk call is queued again.
  bot.api.config.use((prev, method, payload, signal) => (bulkSends.getStore() === true ? throttle(prev, method, payload, signal) : prev(method, payload, signal)));
  // Flood control: wait what Telegram asks (within reason) and try once more. Network errors and
  // 5xx are not retried here: a chat reply is not worth minutes of retrying.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 1, maxDelaySeconds: MAX_FLOOD_WAIT_S, rethrowHttpErrors: true, rethrowInternalServerErrors: true }));

  // Every update, polled or from the webhook, is tracked while its handlers run.
  bot.use(async (_ctx, next) => {
    const job = next();
    inFlight.add(job);
    try {
      await job;
    } finally {
      inFlight.delete(job);
    }
  });

  // Polled updates are claimed too when instances share a database: a poller that takes over from one
  // that died gets the updates its predecessor fetched but had not confirmed, some of them handled.
  bot.use(async (ctx, next) => {
    const update = ctx.update;
    if (claims === undefined || preClaimed.has(update)) return next();
    const state = await claimPolled(update);
    if (state === 'unclaimed') return next();
    if (state !== 'claimed') {
      logger.info({ updateId: update.update_id }, 'a Telegram update handled already was fetched again; skipped');
      return undefined;
    }
    return underClaim(update.update_id, next);
  });

  const botUsername = (): string => bot.botInfo.username;

  // ---------------------------------------------------------------- sending

  async function photoFor(url: string): Promise<PhotoSource | undefined> {
    const known = await posters.fileId('telegram', url);
    if (known !== undefined) return { kind: 'file', fileId: known };
    const uploading = uploads.get(url);
    if (uploading !== undefined) {
      const fileId = await uploading;
      if (fileId !== undefined) return { kind: 'file', fileId };
    }
    const image = await posters.image(url);
    if (image === undefined) return undefined;
    return { kind: 'upload', file: new InputFile(image.data, 'poster.webp') };
  }

  /** Runs an upload of `url` so that concurrent senders of the same poster wait for its file_id. */
  async function trackUpload(url: string, send: () => Promise<Message | true>): Promise<Message | true> {
    let settle: (fileId: string | undefined) => void = () => undefined;
    const pending = new Promise<string | undefined>((resolve) => {
      settle = resolve;
    });
    uploads.set(url, pending);
    try {
      const message = await send();
      const fileId = message === true ? undefined : message.photo?.at(-1)?.file_id;
      if (fileId !== undefined) await posters.rememberFileId('telegram', url, fileId);
      settle(fileId);
      return message;
    } catch (error) {
      settle(undefined);
      throw error;
    } finally {
      uploads.delete(url);
    }
  }

  async function sendText(chatId: string, reply: Reply): Promise<Message> {
    return bot.api.sendMessage(chatId, renderHtml(reply.text, MESSAGE_LIMIT), {
      parse_mode: 'HTML',
      reply_markup: renderKeyboard(reply.buttons),
      link_preview_options: { is_disabled: true },
    });
  }

  /**
   * A reply with a file: a document (streamed into the upload) with the text as its caption and the
   * buttons; text beyond Telegram's 1024-character caption limit follows as a text message.
   */
  async function sendDocument(chatId: string, reply: Reply & { file: NonNullable<Reply['file']> }): Promise<Message> {
    const { head, rest } = splitRich(reply.text, CAPTION_LIMIT);
    const caption = renderHtml(head, CAPTION_LIMIT);
    void bot.api.sendChatAction(chatId, 'upload_document').catch(() => undefined);
    const message = await bot.api.sendDocument(chatId, inputFileOf(reply.file), {
      ...(caption.trim() === '' ? {} : { caption, parse_mode: 'HTML' as const }),
      reply_markup: renderKeyboard(reply.buttons),
    });
    if (rest !== undefined) await sendText(chatId, { text: rest });
    return message;
  }

  /** Tells the core which message carries a reply's buttons, so they act from that message only. */
  async function bound(reply: Reply, shown: Shown): Promise<Shown> {
    const hasActions = reply.pick !== undefined || (reply.buttons ?? []).some((row) => row.some((b) => 'action' in b));
    if (hasActions) await core.bindMessage(reply, refOf(shown));
    return shown;
  }

  /** Sends a reply to a chat (see sendCard) and binds its buttons to the message it became. */
  async function sendReply(chatId: string, reply: Reply): Promise<Message> {
    const message = await sendCard(chatId, reply);
    await bound(reply, shownOf(message));
    return message;
  }

  /** Sends a reply to a chat: a document when it has a file, a photo card when it has an image that can be had, text otherwise. */
  async function sendCard(chatId: string, reply: Reply): Promise<Message> {
    if (reply.file !== undefined) return sendDocument(chatId, { ...reply, file: reply.file });
    const url = reply.image?.sourceUrl;
    if (url !== undefined) {
      const caption = renderHtml(reply.text, CAPTION_LIMIT);
      const extra = { caption, parse_mode: 'HTML' as const, reply_markup: renderKeyboard(reply.buttons) };
      for (let attempt = 0; attempt < 2; attempt++) {
        const photo = await photoFor(url).catch((error: unknown) => {
          logger.warn({ err: safe(error) }, 'poster lookup failed');
          return undefined;
        });
        if (photo === undefined) break;
        try {
          if (photo.kind === 'file') return await bot.api.sendPhoto(chatId, photo.fileId, extra);
          return (await trackUpload(url, () => bot.api.sendPhoto(chatId, photo.file, extra))) as Message;
        } catch (error) {
          if (isForbidden(error)) throw error;
          logger.warn({ err: safe(error), attempt }, 'sending the poster failed; retrying or sending the card without it');
          // A file_id Telegram no longer accepts is dropped and the poster uploaded again, once.
          if (photo.kind === 'file') await posters.forgetFileId('telegram', url);
          else break;
        }
      }
    }
    return sendText(chatId, reply);
  }

  /**
   * The adapter's own words to one user (a pointer to the private chat, a button that is no longer
   * there): in the user's client language, as Telegram tells it with the update.
   */
  function userTranslator(user: ChatUserRef): Translator {
    return translator(resolveLocale({ client: user.locale }, 'private'));
  }

  /** A reply meant for one person, from a group: to their private chat, with a pointer in the group. */
  async function sendPrivately(chat: ChatRef, user: ChatUserRef, reply: Reply, deepLink: string): Promise<void> {
    const i18n = userTranslator(user);
    try {
      await sendReply(user.userId, reply);
      await sendText(chat.chatId, { text: i18n.tr('notices:sentPrivately') });
    } catch (error) {
      if (!isForbidden(error)) throw error;
      // Telegram bots cannot start a private chat: the user has to, through a t.me link.
      const url = `https://t.me/${botUsername()}${deepLink ? `?start=${deepLink}` : ''}`;
      await sendText(chat.chatId, { text: i18n.tr('notices:startPrivateChat'), buttons: [[{ label: i18n.t('notices:openPrivateChatButton'), url }]] });
    }
  }

  async function deliver(chat: ChatRef, user: ChatUserRef, reply: Reply, deepLink = ''): Promise<void> {
    if (reply.private === true && chat.kind === 'group') return sendPrivately(chat, user, reply, deepLink);
    await sendReply(chat.chatId, reply);
  }

  /** Replaces a message with a reply; returns the message as it now is (a new one when it had to be re-sent). */
  async function replaceMessage(shown: Shown, reply: Reply): Promise<Shown> {
    const { chatId, messageId } = shown;
    const url = reply.image?.sourceUrl;
    const markup = renderKeyboard(reply.buttons);
    const now = (edited: Message | true): Promise<Shown> => bound(reply, edited === true ? shown : shownOf(edited));
    try {
      // A reply with a file is never edited in: it is sent anew (below).
      if (reply.file === undefined && shown.kind !== 'text' && url !== undefined) {
        const caption = renderHtml(reply.text, CAPTION_LIMIT);
        const photo = await photoFor(url).catch(() => undefined);
        if (photo === undefined || (photo.kind === 'file' && photo.fileId === shown.fileId)) {
          return now(await bot.api.editMessageCaption(chatId, messageId, { caption, parse_mode: 'HTML', reply_markup: markup }));
        }
        const media: InputMediaPhoto = {
          type: 'photo',
          media: photo.kind === 'file' ? photo.fileId : photo.file,
          caption,
          parse_mode: 'HTML',
        };
        const edit = () => bot.api.editMessageMedia(chatId, messageId, media, { reply_markup: markup });
        return now(photo.kind === 'upload' ? await trackUpload(url, edit) : await edit());
      }
      if (reply.file === undefined && shown.kind !== 'photo' && url === undefined) {
        return now(
          await bot.api.editMessageText(chatId, messageId, renderHtml(reply.text, MESSAGE_LIMIT), {
            parse_mode: 'HTML',
            reply_markup: markup,
            link_preview_options: { is_disabled: true },
          }),
        );
      }
    } catch (error) {
      if (isNotModified(error)) return bound(reply, shown);
      if (isForbidden(error)) throw error;
      logger.warn({ err: safe(error) }, 'editing the message failed; sending the reply as a new message');
    }
    // Text became a card or a card became text: Telegram cannot change a message's kind, so replace it.
    await bot.api.deleteMessage(chatId, messageId).catch(() => undefined);
    return shownOf(await sendReply(chatId, reply));
  }

  async function applyOutcome(chat: ChatRef, user: ChatUserRef, message: Shown | undefined, outcome: ActionOutcome): Promise<void> {
    let current = message;
    if (outcome.edit !== undefined) {
      if (current !== undefined) current = await replaceMessage(current, outcome.edit);
      else current = shownOf(await sendReply(chat.chatId, outcome.edit));
    }
    for (const reply of outcome.send ?? []) await deliver(chat, user, reply, 'link');
    if (outcome.followUp !== undefined) await applyOutcome(chat, user, current, await outcome.followUp);
  }

  // ---------------------------------------------------------------- handlers

  /**
   * CommandInput.chatAdmin for a group: asks Telegram (getChatMember) the first time the core wants
   * to know, and only once per input. A failed call counts as "not a moderator".
   */
  function chatAdminOf(chat: ChatRef, chatId: number, userId: number): { chatAdmin?: () => Promise<boolean> } {
    if (chat.kind !== 'group') return {};
    let asked: Promise<boolean> | undefined;
    const chatAdmin = (): Promise<boolean> =>
      (asked ??= bot.api.getChatMember(chatId, userId).then(
        (member) => isModeratorStatus(member.status),
        (error: unknown) => {
          logger.warn({ err: safe(error), chatId }, 'could not ask Telegram whether the user moderates the chat; taken as no');
          return false;
        },
      ));
    return { chatAdmin };
  }

  /** Whether a command declares a file option (CommandOption.attachment). */
  function takesAttachment(command: string): boolean {
    return core.commands.some((c) => c.name === command && (c.options ?? []).some((o) => o.attachment === true));
  }

  /** The command that takes files, for a document sent on its own in the private chat (none: undefined). */
  function attachmentCommand(): string | undefined {
    return core.commands.find((c) => (c.options ?? []).some((o) => o.attachment === true))?.name;
  }

  const downloader = { getFile: (fileId: string) => bot.api.getFile(fileId), apiRoot: options.apiRoot, token: options.token, signal: stopController.signal };

  /** Runs a command from a message: text, or a document's caption (or a document on its own, in private). */
  async function runCommand(message: Message, command: string, args: string): Promise<void> {
    if (message.from === undefined) return;
    const chat = toChatRef(message.chat);
    const user = toUserRef(message.from);
    const document = documentOf(message);
    const attachment: Attachment | undefined = document !== undefined && takesAttachment(command) ? attachmentOf(document, downloader) : undefined;
    void bot.api.sendChatAction(chat.chatId, 'typing').catch(() => undefined);
    const replies = await core.handleCommand({
      user,
      chat,
      command,
      args,
      privateChatId: user.userId,
      ...(attachment === undefined ? {} : { attachment }),
      ...chatAdminOf(chat, message.chat.id, message.from.id),
    });
    const deepLink = command === 'link' ? 'link' : '';
    for (const reply of replies) await deliver(chat, user, reply, deepLink);
  }

  async function onText(ctx: Context): Promise<void> {
    const message = ctx.message;
    if (message?.text === undefined || message.from === undefined || message.from.is_bot) return;
    const chat = toChatRef(message.chat);
    const parsed = commandOfMessage(message.text, chat.kind, botUsername());
    if (parsed === undefined) return;
    if (!core.knows(parsed.command) && chat.kind !== 'private') return;
    await runCommand(message, parsed.command, parsed.args);
  }

  /**
   * A document: its caption may be a command (`/import`, `/import@bot`); in the private chat a document
   * whose caption is no command runs the command that takes files. Otherwise it is left alone.
   */
  async function onDocument(ctx: Context): Promise<void> {
    const message = ctx.message;
    if (message?.document === undefined || message.from === undefined || message.from.is_bot) return;
    const chat = toChatRef(message.chat);
    const caption = message.caption ?? '';
    const parsed = caption.trim().startsWith('/') ? parseCommand(caption, botUsername()) : undefined;
    if (parsed !== undefined) {
      if (!core.knows(parsed.command) && chat.kind !== 'private') return;
      await runCommand(message, parsed.command, parsed.args);
      return;
    }
    if (chat.kind !== 'private' || caption.trim().startsWith('/')) return;
    const command = attachmentCommand();
    if (command === undefined) return;
    await runCommand(message, command, '');
  }

  /**
   * One inline result as Telegram takes it. Trakt forbids hot-linking posters (REFERENCE §6) and an
   * inline result can only point at an image by HTTPS URL or by file_id: a title whose poster was
   * uploaded before (a card shown anywhere) is a cached photo result that posts the card with its
   * poster; any other title is an article result, without a thumbnail, that posts the card as text.
   */
  async function inlineResultOf(result: InlineResult): Promise<InlineQueryResult> {
    const card = result.card;
    const reply_markup = renderKeyboard(card.buttons);
    const url = result.posterUrl;
    const fileId =
      url === undefined || posters.knownFileId === undefined
        ? undefined
        : await posters.knownFileId('telegram', url).catch((error: unknown) => {
            logger.warn({ err: safe(error) }, 'poster lookup for an inline result failed; listing it without');
            return undefined;
          });
    if (fileId !== undefined) {
      return {
        type: 'photo',
        id: result.id,
        photo_file_id: fileId,
        title: result.title,
        description: result.description,
        caption: renderHtml(card.text, CAPTION_LIMIT),
        parse_mode: 'HTML',
        reply_markup,
      };
    }
    return {
      type: 'article',
      id: result.id,
      title: result.title,
      description: result.description,
      input_message_content: { message_text: renderHtml(card.text, MESSAGE_LIMIT), parse_mode: 'HTML', link_preview_options: { is_disabled: true } },
      reply_markup,
    };
  }

  /** `@bot dune` in any chat: titles from the core, answered within Telegram's patience, kept briefly by Telegram. */
  async function onInlineQuery(ctx: Context): Promise<void> {
    const query = ctx.inlineQuery;
    if (query === undefined) return;
    const results = await core.inlineQuery({
      user: toUserRef(query.from),
      text: cleanPlatformText(query.query),
      answerBy: new Date(Date.now() + INLINE_ANSWER_MS),
    });
    const rendered = await Promise.all(results.map(inlineResultOf));
    await ctx
      .answerInlineQuery(rendered, { cache_time: INLINE_CACHE_SECONDS, is_personal: true })
      .catch((error: unknown) => logger.warn({ err: safe(error) }, 'inline query could not be answered'));
  }

  /**
   * A press on an inline message (posted via the bot in any chat): Telegram names the message by its
   * inline_message_id and tells no chat. The core hears the presser's private chat as the chat, where
   * whatever it says goes; an edit replaces the inline message.
   */
  async function onInlineCallback(ctx: Context, inlineMessageId: string, data: string): Promise<void> {
    const from = ctx.callbackQuery?.from;
    if (from === undefined) return;
    const user = toUserRef(from);
    const chat: ChatRef = { platform: 'telegram', chatId: user.userId, kind: 'private' };
    const step = await core.pressButton({ user, chat, data, privateChatId: user.userId, inlineMessageId });
    let outcome: ActionOutcome | undefined = await answerThenWork(ctx, step);
    while (outcome !== undefined) {
      if (outcome.edit !== undefined) await editInline(inlineMessageId, outcome.edit);
      for (const reply of outcome.send ?? []) {
        // The presser may never have opened a private chat with the bot: nothing else can reach them.
        await sendReply(chat.chatId, reply).catch((error: unknown) => {
          if (!isForbidden(error)) throw error;
          logger.info({}, 'an inline card’s presser has no private chat with the bot; their answer is dropped');
        });
      }
      outcome = outcome.followUp === undefined ? undefined : await outcome.followUp;
    }
  }

  /** Replaces an inline message's text (or a photo card's caption) and buttons; its kind cannot change. */
  async function editInline(inlineMessageId: string, reply: Reply): Promise<void> {
    const reply_markup = renderKeyboard(reply.buttons);
    try {
      await bot.api.editMessageTextInline(inlineMessageId, renderHtml(reply.text, MESSAGE_LIMIT), {
        parse_mode: 'HTML',
        reply_markup,
        link_preview_options: { is_disabled: true },
      });
    } catch (error) {
      if (isNotModified(error)) return;
      if (!(error instanceof GrammyError && /no text in the message/i.test(error.description))) throw error;
      await bot.api.editMessageCaptionInline(inlineMessageId, { caption: renderHtml(reply.text, CAPTION_LIMIT), parse_mode: 'HTML', reply_markup }).catch((e: unknown) => {
        if (!isNotModified(e)) throw e;
      });
    }
  }

  async function onCallback(ctx: Context): Promise<void> {
    const query = ctx.callbackQuery;
    if (query === undefined) return;
    const data = query.data;
    const message = query.message && 'chat' in query.message && query.message.date !== 0 ? (query.message as Message) : undefined;
    const user = toUserRef(query.from);
    if (data !== undefined && query.inline_message_id !== undefined) {
      await onInlineCallback(ctx, query.inline_message_id, data);
      return;
    }
    if (data === undefined || message === undefined) {
      await ctx.answerCallbackQuery({ text: userTranslator(user).t('notices:buttonStaleAck'), show_alert: true }).catch(() => undefined);
      return;
    }
    const chat = toChatRef(message.chat);
    const step = await core.pressButton({
      user,
      chat,
      data,
      privateChatId: user.userId,
      messageId: String(message.message_id),
      editsInPlace: (reply) => editsInPlace(message, reply),
      ...chatAdminOf(chat, message.chat.id, query.from.id),
    });
    const outcome = await answerThenWork(ctx, step);
    if (outcome !== undefined) await applyOutcome(chat, user, shownOf(message), outcome);
  }

  /**
   * Answers a press (its toast, or nothing) and runs its work. The answer is sent first, always: the
   * spinner on the user's button stops now. The work starts while that answer is on its way (it
   * decides nothing the work needs), and its outcome is shown only once the answer is through, so
   * Telegram sees the answer before any edit.
   */
  async function answerThenWork(ctx: Context, step: ActionStep): Promise<ActionOutcome | undefined> {
    const answered = ctx
      .answerCallbackQuery(step.ack.text === undefined ? {} : { text: step.ack.text, show_alert: step.ack.alert === true })
      .catch((error: unknown) => logger.debug({ err: safe(error) }, 'callback query could not be answered'));
    if (step.work === undefined) return answered.then(() => undefined);
    const [, outcome] = await Promise.all([answered, step.work()]);
    return outcome;
  }

  bot.on('message:text', onText);
  bot.on('message:document', onDocument);
  bot.on('callback_query', onCallback);
  bot.on('inline_query', onInlineQuery);

  // ---------------------------------------------------------------- running

  /** The one place an update's failure ends: the update loop goes on whatever happened. */
  function updateFailed(failure: unknown): void {
    const error = failure instanceof BotError ? failure.error : failure;
    const updateId = failure instanceof BotError ? failure.ctx.update.update_id : undefined;
    if (isForbidden(error)) {
      logger.info({ updateId }, 'the user blocked the bot or it left the chat; reply dropped');
      return;
    }
    // The core already answered the user where it could.
    logger.error({ err: safe(error), updateId }, 'Telegram update failed');
  }
  bot.catch(updateFailed);

  /**
   * Runs `handle` under the update's claim: renewed while it runs, finished when it ends, however it
   * ends (marked done with others shortly after: see FINISH_DELAY_MS).
   */
  async function underClaim(updateId: number, handle: () => Promise<void>): Promise<void> {
    held.add(updateId);
    try {
      await handle();
    } finally {
      held.delete(updateId);
      finishes?.add(updateId);
    }
  }

  /**
   * Claims a polled update, waiting while another instance's live claim holds it (the poller before
   * this one, still finishing it): `done` or `busy` (stopping) mean skip it. A claim the database cannot
   * take is `unclaimed`: the update is handled anyway, since this instance is the only poller (a batch
   * that fails is that for each of its updates).
   * The updates of one getUpdates answer are claimed in one statement, and claims are answered in the
   * order the updates were fetched, so that their handlers start in that order, as they do without
   * claims (a user's three quick Confirms are queued in the order pressed); claims on a pool of
   * connections would otherwise finish in any order.
   */
  async function claimPolled(update: Update): Promise<'claimed' | 'done' | 'busy' | 'unclaimed'> {
    if (claimUpdate === undefined || claims === undefined) return 'unclaimed';
    for (;;) {
      let state: 'claimed' | 'done' | 'busy';
      try {
        state = await claimUpdate(update);
      } catch (error) {
        logger.warn({ err: safe(error), updateId: update.update_id }, 'could not claim a polled Telegram update in the database; handling it anyway');
        return 'unclaimed';
      }
      if (state !== 'busy' || stopped) return state;
      await sleep(claims.leaseMs / 2, undefined, { signal: stopController.signal }).catch(() => undefined);
    }
  }

  function renewClaims(): void {
    if (claims === undefined || held.size === 0) return;
    claims.renew([...held]).catch((error: unknown) => logger.warn({ err: safe(error), updates: held.size }, 'could not renew the claims of the Telegram updates being handled'));
  }

  /** One claimed update (webhook, takeover), run as soon as fewer than `concurrency` run. */
  function dispatch(update: Update): void {
    preClaimed.add(update);
    const handle = () => bot.handleUpdate(update).catch(updateFailed);
    const job = (async () => {
      while (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
      active += 1;
      try {
        await (claims === undefined ? handle() : underClaim(update.update_id, handle));
      } finally {
        active -= 1;
        waiting.shift()?.();
      }
    })();
    queued.add(job);
    void job.finally(() => queued.delete(job));
  }

  /**
   * Long polling with grammY's runner. It stops on errors it deems unrecoverable (401, and 409 Conflict
   * when another getUpdates or a webhook is active); polling starts again after a pause. A one-off 409
   * (a rolling restart) is retried within a second; repeated ones mean a poller that stays (see
   * CONFLICT_LIMIT): they are reported as such and polling pauses for long.
   */
  function startPolling(): void {
    const session = new AbortController();
    pollSession = session;
    pollOnce(session, 0);
  }

  function pollOnce(session: AbortController, failures: number): void {
    const handle = run(bot, {
      runner: {
        fetch: { allowed_updates: [...ALLOWED_UPDATES], timeout: options.pollTimeoutSeconds ?? 25 },
        retryInterval: POLL_RETRY_MS,
        maxRetryTime: Number.POSITIVE_INFINITY,
        // The runner would print fetch errors, token included, to the console; the transformer above logs them.
        silent: true,
      },
      sink: { concurrency },
    });
    runner = handle;
    restarting = handle.task()?.catch(async (error: unknown) => {
      if (stopped || session.signal.aborted) return;
      await sleep(pauseAfterPollingError(error, failures), undefined, { signal: session.signal }).catch(() => undefined);
      if (!stopped && !session.signal.aborted) pollOnce(session, failures + 1);
    });
  }

  function pauseAfterPollingError(error: unknown, failures: number): number {
    if (error instanceof GrammyError && error.error_code === 409) {
      const now = Date.now();
      conflicts.push(now);
      while ((conflicts[0] ?? now) < now - CONFLICT_WINDOW_MS) conflicts.shift();
      if (conflicts.length >= CONFLICT_LIMIT) {
        const pauseMs = options.conflictPauseMs ?? CONFLICT_PAUSE_MS;
        logger.error({ conflicts: conflicts.length, withinMs: CONFLICT_WINDOW_MS, pauseMs, telegram: error.description }, ANOTHER_POLLER_MESSAGE);
        conflicts.length = 0;
        return pauseMs;
      }
    }
    logger.warn({ err: safe(error), failures: failures + 1 }, 'Telegram polling stopped on an error; starting again');
    return Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures + 1, 6));
  }

  /** Stops polling (the lease was lost, or the adapter stops); updates already fetched still run. */
  async function stopPolling(): Promise<void> {
    pollSession?.abort();
    pollSession = undefined;
    await runner?.stop().catch(() => undefined);
    await restarting?.catch(() => undefined);
    runner = undefined;
  }

  /**
   * Polling mode on a shared database: polls while this instance holds the poller lease, renewing it
   * at a third of its length; waits (asking as often) while another instance holds it, and takes over
   * when that one stops or its lease runs out. Said once per wait: another instance polls this bot.
   */
  async function pollWhileHolding(lease: TelegramPollLease): Promise<void> {
    let toldWaiting = false;
    let heldUntil = 0;
    while (!stopped) {
      const asked = Date.now();
      try {
        const answer = await lease.hold();
        if (stopped) return;
        if (answer.held) {
          heldUntil = asked + lease.leaseMs;
          if (pollSession === undefined) {
            if (toldWaiting) logger.info({}, 'took over polling Telegram: the instance that polled stopped or its lease ran out');
            toldWaiting = false;
            startPolling();
          }
        } else {
          if (pollSession !== undefined) {
            logger.warn({ holder: answer.holder }, 'another instance took over polling Telegram (this one could not renew its lease in time); polling stops here');
            await stopPolling();
          }
          if (!toldWaiting) logger.warn({ holder: answer.holder }, ANOTHER_POLLER_MESSAGE);
          toldWaiting = true;
        }
      } catch (error) {
        logger.warn({ err: safe(error) }, 'could not renew the Telegram poller lease in the database');
        if (pollSession !== undefined && Date.now() > heldUntil) {
          logger.warn({}, 'the Telegram poller lease ran out; polling stops until it is held again');
          await stopPolling();
        }
      }
      await sleep(lease.leaseMs / 3, undefined, { signal: stopController.signal }).catch(() => undefined);
    }
  }

  /**
   * The command menu: the default list (English) and one per language the core speaks, which Telegram
   * shows to users whose app is set to that language (`language_code`). Names stay English.
   */
  async function setCommandMenus(): Promise<void> {
    await bot.api.setMyCommands(core.commands.map((c) => ({ command: c.name, description: c.description.slice(0, 256) })));
    const languages = new Set(core.commands.flatMap((c) => Object.keys(c.localizations ?? {}) as Array<keyof NonNullable<typeof c.localizations>>));
    for (const language of languages) {
      const commands = core.commands.map((c) => ({ command: c.name, description: (c.localizations?.[language]?.description ?? c.description).slice(0, 256) }));
      // Our codes (de, es, fr) are ISO 639-1, which is what Telegram's language_code takes. A menu
      // Telegram refuses leaves those users with the default one: logged, not fatal.
      try {
        await bot.api.setMyCommands(commands, { language_code: language as LanguageCode });
      } catch (error) {
        if (!(error instanceof GrammyError)) throw error;
        logger.warn({ err: safe(error), language }, 'Telegram refused the command menu in this language; its users see the default one');
      }
    }
  }

  async function connect(): Promise<void> {
    let failures = 0;
    while (!stopped) {
      try {
        await bot.init(grammySignal);
        await setCommandMenus();
        if (options.webhook) {
          await bot.api.setWebhook(options.webhook.url, {
            secret_token: options.webhook.secret,
            allowed_updates: [...ALLOWED_UPDATES],
          });
        } else {
          await bot.api.deleteWebhook();
        }
        return;
      } catch (error) {
        if (stopped) return;
        failures += 1;
        connected(false, error);
        logger.warn({ err: safe(error), failures }, 'Telegram is not reachable yet; retrying');
        await sleep(Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures, 6)), undefined, { signal: stopController.signal }).catch(() => undefined);
      }
    }
  }

  /** Resolves once no update is queued or being handled, and the handled ones are marked done. */
  async function idle(): Promise<void> {
    while (queued.size > 0 || inFlight.size > 0) await Promise.allSettled([...queued, ...inFlight]);
    await finishes?.flush();
  }

  return {
    name: 'telegram',

    async start() {
      await connect();
      if (stopped) return;
      ready = true;
      connected(true);
      logger.info({ bot: botUsername(), mode: options.webhook ? 'webhook' : 'polling' }, 'Telegram bot started');
      if (!bot.botInfo.supports_inline_queries) logger.info({ bot: botUsername() }, 'inline mode is off: send /setinline to @BotFather to let users search from any chat');
      if (claims !== undefined) {
        renewTimer = setInterval(renewClaims, Math.max(1, claims.leaseMs / 3));
        renewTimer.unref();
      }
      if (options.webhook) return;
      if (options.pollLease === undefined) startPolling();
      else leaseLoop = pollWhileHolding(options.pollLease);
    },

    async stop() {
      stopped = true;
      ready = false;
      connected(false);
      stopController.abort();
      // Stops getting updates (the pending getUpdates is aborted); updates already fetched still start.
      await stopPolling();
      await leaseLoop?.catch(() => undefined);
      // The next poller may start at once: updates fetched here and not finished are claimed, so it
      // skips those this instance handles (it waits for their claims to be done). Those handled by now
      // are marked done first, so that it need not wait for them.
      await finishes?.flush();
      await options.pollLease?.release().catch((error: unknown) => logger.warn({ err: safe(error) }, 'could not give up the Telegram poller lease; another instance takes over when it runs out'));
      await idle();
      clearInterval(renewTimer);
    },

    async send(target, reply) {
      const chatId = 'chatId' in target ? target.chatId : target.userId;
      return bulkSends.run(true, async () => refOf(shownOf(await sendReply(chatId, reply))));
    },

    async edit(ref, reply) {
      const messageId = Number(ref.messageId);
      if (ref.platform !== 'telegram' || !Number.isSafeInteger(messageId)) throw new Error('not a Telegram message reference');
      return bulkSends.run(true, async () => refOf(await replaceMessage({ chatId: ref.chatId, messageId, kind: 'unknown' }, reply)));
    },

    async acceptUpdate(update) {
      if (!ready) return 'not-ready';
      if (claimUpdate !== undefined) {
        // Requests that arrive together share a statement (a failed one is a failed claim for each).
        let state: 'claimed' | 'done' | 'busy';
        try {
          state = await claimUpdate(update);
        } catch (error) {
          logger.warn({ err: safe(error), updateId: update.update_id }, 'could not claim a Telegram update in the database; Telegram sends it again');
          return 'retry';
        }
        if (state === 'done') {
          logger.info({ updateId: update.update_id }, 'a Telegram update handled already was delivered again; acknowledged and skipped');
          return 'duplicate';
        }
        if (state === 'busy') {
          logger.info({ updateId: update.update_id }, 'a Telegram update another instance is handling was delivered again; acknowledged and left to it');
          return 'in-progress';
        }
        // Stopping: the claim runs out, and Telegram's next delivery (or the takeover job) handles it.
        if (stopped) return 'not-ready';
      }
      dispatch(update);
      return 'accepted';
    },

    async takeOverAbandoned() {
      if (claims === undefined || !ready) return 0;
      const abandoned = await claims.takeOver(TAKE_OVER_BATCH);
      for (const { updateId, payload } of abandoned) {
        if (payload === null || typeof payload !== 'object' || (payload as Partial<Update>).update_id !== updateId) {
          finishes?.add(updateId);
          continue;
        }
        logger.warn({ updateId }, 'took over a Telegram update an instance claimed and did not finish (it stopped or died); handling it now');
        dispatch(payload as Update);
      }
      return abandoned.length;
    },

    idle,

    status: () => ({ ...connection }),
  };
}

/** One short line of a redacted error (see `redactedError`). */
function describe(error: Record<string, unknown>): string {
  const head = [error['type'], error['code']].filter((part) => part !== undefined).join(' ');
  const message = typeof error['message'] === 'string' ? error['message'] : '';
  return head === '' ? message : `${head}: ${message}`;
}
