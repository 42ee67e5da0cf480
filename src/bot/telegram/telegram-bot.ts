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
import type { ActionOutcome, Attachment, ChatRef, ChatUserRef, MessageRef, Reply } from '../core/types.js';
import type { PosterSource } from '../core/ports.js';
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
}

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
  /** Hands over one update received by the webhook route; false while the bot is not ready for it. */
  acceptUpdate(update: Update): boolean;
  /** Resolves once every update handed over so far is handled (tests and benchmarks). */
  idle(): Promise<void>;
}

const ALLOWED_UPDATES = ['message', 'callback_query', 'inline_query'] as const;
/** How long an inline query may take before it is answered with what is known (Telegram's clients wait a few seconds). */
const INLINE_ANSWER_MS = 2_500;
/** Telegram keeps an inline answer this long (per user: is_personal) and asks the bot again only after it. */
const INLINE_CACHE_SECONDS = 30;
/** Getting updates again after a failed getUpdates; the runner's own backoff doubles without a bound. */
const POLL_RETRY_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;
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
  // grammY types its signals with the abort-controller polyfill's AbortSignal; Node's is the same at run time.
  const grammySignal = stopController.signal as unknown as Parameters<typeof bot.init>[0];

  // Failed calls the adapter retries on its own (getMe while connecting, getUpdates while polling)
  // are logged here, without the token: grammY's errors carry the request URL.
  bot.api.config.use(async (prev, method, payload, signal) => {
    try {
      const result = await prev(method, payload, signal);
      if (!result.ok && method === 'getUpdates' && !stopped) {
        logger.warn({ code: result.error_code, description: result.description }, 'Telegram getUpdates failed; retrying');
      }
      if (!result.ok && result.error_code === 429) logger.warn({ method, retryAfter: result.parameters?.retry_after }, 'Telegram flood control; waiting');
      return result;
    } catch (error) {
      if ((method === 'getMe' || method === 'getUpdates') && !stopped) logger.warn({ err: safe(error) }, 'Telegram is not reachable yet; retrying');
      throw error;
    }
  });
  // Outgoing rate: Telegram allows a bot about 30 messages a second in all (more answer 429), which a
  // run of release notices to many users would pass. grammY's throttler queues calls that name a chat
  // (sends, edits) under that global bound; installed before autoRetry, so a retry is queued too.
  // Per chat it adds nothing: the plugin's default per-chat pacing (1 call a second, 20 a minute in a
  // group) would delay every card edit of a busy group pick; Telegram answers a burst in one chat with
  // a 429 and autoRetry waits it out.
  bot.api.config.use(
    apiThrottler({
      global: { reservoir: 30, reservoirRefreshAmount: 30, reservoirRefreshInterval: 1000 },
      group: {},
      out: {},
    }),
  );
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

  /** A reply meant for one person, from a group: to their private chat, with a pointer in the group. */
  async function sendPrivately(chat: ChatRef, user: ChatUserRef, reply: Reply, deepLink: string): Promise<void> {
    try {
      await sendReply(user.userId, reply);
      await sendText(chat.chatId, { text: core.notices(user.locale).sentPrivately });
    } catch (error) {
      if (!isForbidden(error)) throw error;
      // Telegram bots cannot start a private chat: the user has to, through a t.me link.
      const url = `https://t.me/${botUsername()}${deepLink ? `?start=${deepLink}` : ''}`;
      const notices = core.notices(user.locale);
      await sendText(chat.chatId, { text: notices.startPrivateChat, buttons: [[{ label: notices.openPrivateChat, url }]] });
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
    await ctx
      .answerCallbackQuery(step.ack.text === undefined ? {} : { text: step.ack.text, show_alert: step.ack.alert === true })
      .catch((error: unknown) => logger.debug({ err: safe(error) }, 'callback query could not be answered'));
    if (step.work === undefined) return;
    let outcome: ActionOutcome | undefined = await step.work();
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
      await ctx.answerCallbackQuery({ text: core.notices(user.locale).buttonStale, show_alert: true }).catch(() => undefined);
      return;
    }
    const chat = toChatRef(message.chat);
    const step = await core.pressButton({
      user,
      chat,
      data,
      privateChatId: user.userId,
      messageId: String(message.message_id),
      ...chatAdminOf(chat, message.chat.id, query.from.id),
    });
    // Answer first, always: the spinner on the user's button stops now, the slow work follows.
    await ctx
      .answerCallbackQuery(step.ack.text === undefined ? {} : { text: step.ack.text, show_alert: step.ack.alert === true })
      .catch((error: unknown) => logger.debug({ err: safe(error) }, 'callback query could not be answered'));
    if (step.work === undefined) return;
    await applyOutcome(chat, user, shownOf(message), await step.work());
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

  /** Webhook mode: one update handed over by the route, run as soon as fewer than `concurrency` run. */
  function dispatch(update: Update): void {
    const job = (async () => {
      while (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
      active += 1;
      try {
        await bot.handleUpdate(update).catch(updateFailed);
      } finally {
        active -= 1;
        waiting.shift()?.();
      }
    })();
    queued.add(job);
    void job.finally(() => queued.delete(job));
  }

  /**
   * Long polling with grammY's runner. It stops on errors it deems unrecoverable (401, 409 Conflict
   * when another instance polls or a webhook is set); those are logged and polling starts again.
   */
  function startPolling(failures = 0): void {
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
      if (stopped) return;
      logger.warn({ err: safe(error), failures: failures + 1 }, 'Telegram polling stopped on an error; starting again');
      await sleep(Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures + 1, 6)), undefined, { signal: stopController.signal }).catch(() => undefined);
      if (!stopped) startPolling(failures + 1);
    });
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
        logger.warn({ err: safe(error), failures }, 'Telegram is not reachable yet; retrying');
        await sleep(Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures, 6)), undefined, { signal: stopController.signal }).catch(() => undefined);
      }
    }
  }

  /** Resolves once no update is queued or being handled. */
  async function idle(): Promise<void> {
    while (queued.size > 0 || inFlight.size > 0) await Promise.allSettled([...queued, ...inFlight]);
  }

  return {
    name: 'telegram',

    async start() {
      await connect();
      if (stopped) return;
      ready = true;
      logger.info({ bot: botUsername(), mode: options.webhook ? 'webhook' : 'polling' }, 'Telegram bot started');
      if (!bot.botInfo.supports_inline_queries) logger.info({ bot: botUsername() }, 'inline mode is off: send /setinline to @BotFather to let users search from any chat');
      if (!options.webhook) startPolling();
    },

    async stop() {
      stopped = true;
      ready = false;
      stopController.abort();
      // Stops getting updates (the pending getUpdates is aborted); updates already fetched still start.
      await runner?.stop().catch(() => undefined);
      await restarting?.catch(() => undefined);
      await idle();
    },

    async send(target, reply) {
      const chatId = 'chatId' in target ? target.chatId : target.userId;
      return refOf(shownOf(await sendReply(chatId, reply)));
    },

    async edit(ref, reply) {
      const messageId = Number(ref.messageId);
      if (ref.platform !== 'telegram' || !Number.isSafeInteger(messageId)) throw new Error('not a Telegram message reference');
      return refOf(await replaceMessage({ chatId: ref.chatId, messageId, kind: 'unknown' }, reply));
    },

    acceptUpdate(update) {
      if (!ready) return false;
      dispatch(update);
      return true;
    },

    idle,
  };
}
