// Bot API methods: validation with Telegram's error texts, then the effect on the emulator state.
import type { UploadedFile } from './body.js';
import {
  EntityParseError,
  checkedLink,
  detectEntities,
  parseHtml,
  parseMarkdownLegacy,
  parseMarkdownV2,
  sortEntities,
  textLength,
  trimParsed,
  type ParsedEntity,
  type ParsedText,
} from './formatting.js';
import { sniffImage } from './images.js';
import {
  ApiError,
  BOT_DOWNLOAD_LIMIT,
  BOT_UPLOAD_LIMIT,
  badRequest,
  mimeTypeOf,
  stableJson,
  type EmulatorState,
  type StoredChat,
  type StoredMessage,
  type InlineContent,
  type StoredPhoto,
} from './state.js';
import type { BotCommand, CallbackAnswer, Document, InlineAnswer, MessageEntity } from './types.js';
import type { LinkPreviewOptions } from 'grammy/types';

export interface FetchedUrl {
  status: number;
  contentType: string | undefined;
  data: Buffer;
}

export interface MethodContext {
  state: EmulatorState;
  params: Record<string, unknown>;
  files: UploadedFile[];
  /** Aborted when the client goes away (ends long polls early). */
  signal: AbortSignal;
  longPollMaxSeconds: number;
  remotePhotoUrls: 'reject' | 'accept';
  fetchUrl(url: string): Promise<FetchedUrl>;
  webhookChanged(): void;
}

export interface MethodResult {
  result: unknown;
  description?: string;
}

type Handler = (ctx: MethodContext) => MethodResult | Promise<MethodResult>;

export const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';
const QUERY_INVALID = 'query is too old and response timeout expired or query ID is invalid';
const WRONG_FILE = 'wrong file identifier/HTTP URL specified';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const CHAT_ACTIONS = new Set([
  'typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice', 'upload_document',
  'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note',
]);
const ACTION_FIELDS = [
  'url', 'callback_data', 'web_app', 'login_url', 'switch_inline_query', 'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat', 'copy_text', 'callback_game', 'pay',
];
const SCOPE_TYPES = new Set([
  'default', 'all_private_chats', 'all_group_chats', 'all_chat_administrators', 'chat', 'chat_administrators', 'chat_member',
]);

const ok = (result: unknown, description?: string): MethodResult => (description ? { result, description } : { result });

// ---- parameter helpers

function str(ctx: MethodContext, name: string): string | undefined {
  const v = ctx.params[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function int(ctx: MethodContext, name: string): number | undefined {
  const v = ctx.params[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?[0-9]+$/.test(v.trim())) return Number(v.trim());
  throw badRequest(`field "${name}" must be of type Integer`);
}

function bool(ctx: MethodContext, name: string): boolean {
  const v = ctx.params[name];
  return v === true || v === 1 || v === 'true' || v === '1';
}

function json(ctx: MethodContext, name: string, error: string): unknown {
  const v = ctx.params[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') throw badRequest(error); // body.ts could not parse it
  return v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function resolveChatValue(state: EmulatorState, v: unknown): StoredChat {
  if (v === undefined || v === null || v === '') throw badRequest('chat_id is empty');
  if (typeof v === 'number') {
    const chat = state.getChat(v);
    if (!chat) throw badRequest('chat not found');
    return chat;
  }
  if (typeof v === 'string' && v.startsWith('@')) {
    const name = v.slice(1).toLowerCase();
    for (const chat of state.chats.values()) {
      if (chat.kind !== 'private' && chat.username?.toLowerCase() === name) return chat;
    }
  }
  throw badRequest('chat not found');
}

function resolveChat(ctx: MethodContext, name = 'chat_id'): StoredChat {
  return resolveChatValue(ctx.state, ctx.params[name]);
}

/** Chat the bot writes to: exists, bot allowed there, no pending flood wait. */
function targetChat(ctx: MethodContext): StoredChat {
  const chat = resolveChat(ctx);
  ctx.state.assertCanAct(chat);
  ctx.state.takeFlood(chat.chat.id);
  return chat;
}

/** The chat of a member query: a group the bot is still in, or a private chat; flood waits apply. */
function memberQueryChat(ctx: MethodContext): StoredChat {
  const chat = resolveChat(ctx);
  if (chat.kind !== 'private') ctx.state.assertCanAct(chat);
  ctx.state.takeFlood(chat.chat.id);
  return chat;
}

// ---- text and markup

interface Formatted {
  source: string | undefined;
  parseMode: string | undefined;
  text: string;
  entities: MessageEntity[];
}

function explicitEntities(raw: unknown, text: string): ParsedEntity[] {
  if (raw === undefined || raw === null || raw === '') return [];
  if (!Array.isArray(raw)) throw badRequest("can't parse entities JSON object");
  const out: ParsedEntity[] = [];
  for (const e of raw) {
    if (!isRecord(e) || typeof e.type !== 'string' || typeof e.offset !== 'number' || typeof e.length !== 'number') {
      throw badRequest("can't parse MessageEntity: Field \"type\" must be of type String");
    }
    if (e.length <= 0 || e.offset < 0 || e.offset + e.length > text.length) continue;
    const entity: ParsedEntity = { type: e.type, offset: e.offset, length: e.length };
    if (typeof e.url === 'string') entity.url = e.url;
    if (typeof e.language === 'string') entity.language = e.language;
    if (typeof e.custom_emoji_id === 'string') entity.custom_emoji_id = e.custom_emoji_id;
    if (isRecord(e.user) && typeof e.user.id === 'number') entity.userId = e.user.id;
    out.push(entity);
  }
  return out;
}

export type { Formatted };

export function formatContent(
  state: EmulatorState,
  rawSource: unknown,
  rawParseMode: unknown,
  rawEntities: unknown,
  kind: 'text' | 'caption',
): Formatted {
  const source = rawSource === undefined || rawSource === null ? undefined : typeof rawSource === 'string' ? rawSource : JSON.stringify(rawSource);
  if (kind === 'text' && (source === undefined || source.trim() === '')) throw badRequest('message text is empty');
  if (source === undefined || source === '') return { source, parseMode: undefined, text: '', entities: [] };
  const mode = rawParseMode === undefined || rawParseMode === null ? '' : String(rawParseMode);
  let parsed: ParsedText;
  try {
    switch (mode.toLowerCase()) {
      case '':
        parsed = { text: source, entities: explicitEntities(rawEntities, source) };
        break;
      case 'html':
        parsed = parseHtml(source);
        break;
      case 'markdownv2':
        parsed = parseMarkdownV2(source);
        break;
      case 'markdown':
        parsed = parseMarkdownLegacy(source);
        break;
      default:
        throw badRequest('unsupported parse_mode');
    }
  } catch (error) {
    if (error instanceof EntityParseError) throw badRequest(`can't parse entities: ${error.message}`);
    throw error;
  }
  const trimmed = trimParsed(parsed);
  if (kind === 'text' && trimmed.text === '') throw badRequest(mode === '' ? 'message text is empty' : 'text must be non-empty');
  if (kind === 'text' && textLength(trimmed.text) > 4096) throw badRequest('message is too long');
  if (kind === 'caption' && textLength(trimmed.text) > 1024) throw badRequest('message caption is too long');
  const seen = new Set(trimmed.entities.map((e) => `${e.type}:${e.offset}:${e.length}`));
  const detected = detectEntities(trimmed.text, trimmed.entities).filter((e) => !seen.has(`${e.type}:${e.offset}:${e.length}`));
  return {
    source,
    parseMode: mode === '' ? undefined : mode,
    text: trimmed.text,
    entities: state.toMessageEntities(sortEntities([...trimmed.entities, ...detected])),
  };
}

function validateInlineKeyboard(markup: Record<string, unknown>): Record<string, unknown> {
  const rows = markup.inline_keyboard;
  const shapeError = badRequest('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays');
  if (!Array.isArray(rows)) throw shapeError;
  for (const row of rows) {
    if (!Array.isArray(row)) throw shapeError;
    for (const button of row) {
      if (!isRecord(button)) throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
      if (typeof button.text !== 'string') {
        throw badRequest('can\'t parse inline keyboard button: Field "text" must be of type String');
      }
      if (!ACTION_FIELDS.some((f) => button[f] !== undefined)) {
        throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
      }
      if (button.callback_data !== undefined) {
        if (typeof button.callback_data !== 'string') {
          throw badRequest('can\'t parse inline keyboard button: Field "callback_data" must be of type String');
        }
        const bytes = Buffer.byteLength(button.callback_data, 'utf8');
        if (bytes < 1 || bytes > 64) throw badRequest('BUTTON_DATA_INVALID');
      }
      if (button.url !== undefined) {
        if (typeof button.url !== 'string') throw badRequest('can\'t parse inline keyboard button: Field "url" must be of type String');
        if (checkedLink(button.url) === undefined) {
          throw badRequest(`inline keyboard button URL '${button.url}' is invalid: Wrong HTTP URL`);
        }
      }
    }
  }
  return { inline_keyboard: structuredClone(rows) as unknown[] };
}

function parseReplyMarkup(raw: unknown, inlineOnly: boolean): Record<string, unknown> | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw === 'string' || !isRecord(raw)) throw badRequest("can't parse reply keyboard markup JSON object");
  if ('inline_keyboard' in raw) return validateInlineKeyboard(raw);
  if (inlineOnly) throw badRequest("can't parse inline keyboard markup JSON object");
  if ('keyboard' in raw || 'remove_keyboard' in raw || 'force_reply' in raw) return structuredClone(raw);
  return undefined;
}

const sameMarkup = (a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): boolean =>
  stableJson(a ?? null) === stableJson(b ?? null);

function currentInline(message: StoredMessage): Record<string, unknown> | undefined {
  return message.replyMarkup && Array.isArray(message.replyMarkup.inline_keyboard) ? message.replyMarkup : undefined;
}

function resolveReply(ctx: MethodContext, chat: StoredChat): number | undefined {
  let params = json(ctx, 'reply_parameters', "can't parse reply parameters JSON object");
  const legacy = int(ctx, 'reply_to_message_id');
  if (params === undefined && legacy !== undefined) {
    params = { message_id: legacy, allow_sending_without_reply: bool(ctx, 'allow_sending_without_reply') };
  }
  if (params === undefined) return undefined;
  if (!isRecord(params) || typeof params.message_id !== 'number') {
    throw badRequest("can't parse reply parameters JSON object");
  }
  let replyChat = chat;
  if (params.chat_id !== undefined) replyChat = resolveChatValue(ctx.state, params.chat_id);
  const found = ctx.state.findMessage(replyChat.chat.id, params.message_id);
  if (!found) {
    if (params.allow_sending_without_reply === true) return undefined;
    throw badRequest('message to be replied not found');
  }
  return replyChat === chat ? params.message_id : undefined;
}

function linkPreview(ctx: MethodContext): LinkPreviewOptions | undefined {
  const options = json(ctx, 'link_preview_options', "can't parse link preview options JSON object");
  if (options !== undefined) {
    if (!isRecord(options)) throw badRequest("can't parse link preview options JSON object");
    return structuredClone(options) as LinkPreviewOptions;
  }
  if (bool(ctx, 'disable_web_page_preview')) return { is_disabled: true };
  return undefined;
}

// ---- photos

function storeUpload(ctx: MethodContext, part: UploadedFile): StoredPhoto {
  if (part.data.length === 0) throw badRequest('file must be non-empty');
  if (part.data.length > 10 * 1024 * 1024) throw badRequest('file is too big');
  const info = sniffImage(part.data);
  if (!info) throw badRequest('IMAGE_PROCESS_FAILED');
  return ctx.state.storePhoto({ data: part.data, width: info.width, height: info.height, format: info.format, byteSize: part.data.length });
}

async function photoFromUrl(ctx: MethodContext, url: string): Promise<StoredPhoto> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest(WRONG_FILE);
  }
  if (LOOPBACK_HOSTS.has(parsed.hostname)) {
    let fetched: FetchedUrl;
    try {
      fetched = await ctx.fetchUrl(url);
    } catch {
      throw badRequest('failed to get HTTP URL content');
    }
    if (fetched.status < 200 || fetched.status > 299) throw badRequest('failed to get HTTP URL content');
    const info = sniffImage(fetched.data);
    if (!info) throw badRequest('wrong type of the web page content');
    return ctx.state.storePhoto({
      data: fetched.data, width: info.width, height: info.height, format: info.format, sourceUrl: url, byteSize: fetched.data.length,
    });
  }
  if (ctx.remotePhotoUrls === 'accept') {
    return ctx.state.storePhoto({ data: undefined, width: 1280, height: 720, format: 'jpeg', sourceUrl: url, byteSize: 120_000 });
  }
  throw badRequest(WRONG_FILE);
}

async function resolvePhoto(ctx: MethodContext, value: unknown, field: string): Promise<StoredPhoto> {
  if (value === undefined || value === null || value === '') {
    const part = ctx.files.find((f) => f.field === field);
    if (part) return storeUpload(ctx, part);
    throw badRequest('there is no photo in the request');
  }
  if (typeof value !== 'string') throw badRequest(WRONG_FILE);
  if (value.startsWith('attach://')) {
    const part = ctx.files.find((f) => f.field === value.slice('attach://'.length));
    if (!part) throw badRequest(WRONG_FILE);
    return storeUpload(ctx, part);
  }
  if (/^https?:\/\//i.test(value)) return photoFromUrl(ctx, value);
  const file = ctx.state.files.get(value);
  if (!file) throw badRequest(WRONG_FILE);
  if (!file.photo) throw badRequest("can't use file of type Document as Photo");
  return file.photo;
}

// ---- documents

function storeDocumentUpload(ctx: MethodContext, part: UploadedFile): Document {
  if (part.data.length === 0) throw badRequest('file must be non-empty');
  if (part.data.length > BOT_UPLOAD_LIMIT) throw new ApiError(413, 'Request Entity Too Large');
  return ctx.state.storeDocument({ data: part.data, fileName: part.filename, mimeType: mimeTypeOf(part.filename, part.contentType) });
}

/** The `document` parameter: an upload (`attach://<field>` or the part itself), a known file_id, or a 127.0.0.1 URL. */
async function resolveDocument(ctx: MethodContext, value: unknown): Promise<Document> {
  if (value === undefined || value === null || value === '') {
    const part = ctx.files.find((f) => f.field === 'document');
    if (part) return storeDocumentUpload(ctx, part);
    throw badRequest('there is no document in the request');
  }
  if (typeof value !== 'string') throw badRequest(WRONG_FILE);
  if (value.startsWith('attach://')) {
    const part = ctx.files.find((f) => f.field === value.slice('attach://'.length));
    if (!part) throw badRequest(WRONG_FILE);
    return storeDocumentUpload(ctx, part);
  }
  if (/^https?:\/\//i.test(value)) {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw badRequest(WRONG_FILE);
    }
    if (!LOOPBACK_HOSTS.has(parsed.hostname)) throw badRequest(WRONG_FILE);
    let fetched: FetchedUrl;
    try {
      fetched = await ctx.fetchUrl(value);
    } catch {
      throw badRequest('failed to get HTTP URL content');
    }
    if (fetched.status < 200 || fetched.status > 299) throw badRequest('failed to get HTTP URL content');
    const name = decodeURIComponent(parsed.pathname.split('/').pop() ?? '') || 'file';
    return ctx.state.storeDocument({ data: fetched.data, fileName: name, mimeType: mimeTypeOf(name, fetched.contentType) });
  }
  const file = ctx.state.files.get(value);
  if (!file) throw badRequest(WRONG_FILE);
  if (!file.document) throw badRequest("can't use file of type Photo as Document");
  return structuredClone(file.document);
}

// ---- inline results

/** Result types the emulator takes; the others of the Bot API answer an emulator error (not Telegram's). */
const INLINE_TYPES = new Set(['article', 'photo']);
const ALL_INLINE_TYPES = new Set([
  'article', 'photo', 'gif', 'mpeg4_gif', 'video', 'audio', 'voice', 'document', 'location', 'venue', 'contact', 'game', 'sticker',
]);

/**
 * One InlineQueryResult checked as Telegram does: a known type, an id of 1-64 bytes unique in the answer,
 * the type's required fields (article: title and input_message_content; photo: photo_file_id of a known
 * photo, or photo_url and thumbnail_url), the message content's text or caption as sendMessage/sendPhoto
 * check them, and an inline keyboard as reply_markup. Also answers what choosing the result posts.
 */
async function checkInlineResult(ctx: MethodContext, raw: unknown, seen: Set<string>): Promise<{ result: InlineAnswer['results'][number]; content: InlineContent }> {
  if (!isRecord(raw)) throw badRequest("can't parse InlineQueryResult: InlineQueryResult must be an Object");
  const type = raw.type;
  if (typeof type !== 'string' || !ALL_INLINE_TYPES.has(type)) throw badRequest('RESULT_TYPE_INVALID');
  if (!INLINE_TYPES.has(type)) throw badRequest(`emulator: inline results of type "${type}" are not supported (article and photo are)`);
  const id = raw.id;
  if (typeof id !== 'string' || Buffer.byteLength(id, 'utf8') < 1 || Buffer.byteLength(id, 'utf8') > 64) throw badRequest('RESULT_ID_INVALID');
  if (seen.has(id)) throw badRequest('RESULT_ID_DUPLICATE');
  seen.add(id);
  const markup = parseReplyMarkup(raw.reply_markup, true);
  const result: InlineAnswer['results'][number] = { ...structuredClone(raw), type, id };
  if (type === 'article') {
    if (typeof raw.title !== 'string' || raw.title.trim() === '') throw badRequest('RESULT_TITLE_EMPTY');
    const content = raw.input_message_content;
    if (!isRecord(content)) throw badRequest("can't parse InputMessageContent: InputMessageContent must be an Object");
    if (content.message_text === undefined) throw badRequest('emulator: only InputTextMessageContent is supported as input_message_content');
    if (content.message_text === '') throw badRequest('MESSAGE_EMPTY');
    const formatted = formatContent(ctx.state, content.message_text, content.parse_mode, content.entities, 'text');
    const preview = isRecord(content.link_preview_options) ? (structuredClone(content.link_preview_options) as LinkPreviewOptions) : undefined;
    return { result, content: { kind: 'text', formatted, markup, linkPreviewOptions: preview } };
  }
  // photo: cached (photo_file_id) or by URL (photo_url + thumbnail_url, fetched when chosen)
  let photo: StoredPhoto;
  if (typeof raw.photo_file_id === 'string') {
    const file = ctx.state.files.get(raw.photo_file_id);
    if (!file) throw badRequest(WRONG_FILE);
    if (!file.photo) throw badRequest("can't use file of type Document as Photo");
    photo = file.photo;
  } else if (typeof raw.photo_url === 'string') {
    if (typeof raw.thumbnail_url !== 'string' || raw.thumbnail_url === '') throw badRequest('PHOTO_THUMB_URL_EMPTY');
    photo = await photoFromUrl(ctx, raw.photo_url);
  } else {
    throw badRequest('PHOTO_INVALID');
  }
  if (raw.input_message_content !== undefined) throw badRequest('emulator: photo results with input_message_content are not supported');
  const formatted = formatContent(ctx.state, raw.caption, raw.parse_mode, raw.caption_entities, 'caption');
  return { result, content: { kind: 'photo', formatted, markup, photo: structuredClone(photo.sizes) } };
}

// ---- edit targets

function editTarget(ctx: MethodContext, notFound: string): { chat: StoredChat | undefined; message: StoredMessage } {
  const inlineId = str(ctx, 'inline_message_id');
  if (inlineId !== undefined) {
    // A message sent via the bot in inline mode: the bot may edit it wherever it is, member of that chat or not.
    const message = ctx.state.findInlineMessage(inlineId);
    if (!message) throw badRequest('MESSAGE_ID_INVALID');
    return { chat: undefined, message };
  }
  const chat = resolveChat(ctx);
  const messageId = int(ctx, 'message_id');
  if (messageId === undefined) throw badRequest('message identifier is not specified');
  ctx.state.assertCanAct(chat);
  ctx.state.takeFlood(chat.chat.id);
  const message = ctx.state.findMessage(chat.chat.id, messageId);
  if (!message) throw badRequest(notFound);
  return { chat, message };
}

function applyEdit(
  ctx: MethodContext,
  message: StoredMessage,
  via: string,
  change: { formatted?: Formatted; markup: Record<string, unknown> | undefined; photo?: StoredPhoto; hasSpoiler?: boolean },
): MethodResult {
  ctx.state.snapshotRevision(message);
  if (change.formatted) {
    message.source = change.formatted.source;
    message.parseMode = change.formatted.parseMode;
    message.text = change.formatted.text;
    message.entities = change.formatted.entities;
  }
  if (change.photo) {
    message.photo = structuredClone(change.photo.sizes);
    // A document replaced by a photo becomes a photo message.
    message.kind = 'photo';
    message.document = undefined;
  }
  if (change.hasSpoiler !== undefined) message.hasSpoiler = change.hasSpoiler;
  message.replyMarkup = change.markup;
  message.via = via;
  // Edits by inline_message_id answer True, as on Telegram.
  return ok(ctx.params.inline_message_id !== undefined ? true : ctx.state.toApiMessage(message));
}

const sameContent = (message: StoredMessage, formatted: Formatted): boolean =>
  message.text === formatted.text && stableJson(message.entities) === stableJson(formatted.entities);

// ---- methods

const methods: Record<string, Handler> = {
  getMe: (ctx) =>
    ok({
      ...ctx.state.bot,
      can_join_groups: true,
      can_read_all_group_messages: !ctx.state.privacyMode,
      supports_inline_queries: ctx.state.inlineMode,
      can_connect_to_business: false,
      has_main_web_app: false,
    }),

  logOut: () => ok(true),
  close: () => ok(true),

  async getUpdates(ctx) {
    const { state } = ctx;
    if (state.webhook) {
      throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    }
    const offset = int(ctx, 'offset') ?? 0;
    const limit = Math.min(100, Math.max(1, int(ctx, 'limit') ?? 100));
    const timeout = Math.max(0, int(ctx, 'timeout') ?? 0);
    const allowed = json(ctx, 'allowed_updates', "can't parse allowed_updates JSON object");
    if (allowed !== undefined) {
      if (!Array.isArray(allowed)) throw badRequest("can't parse allowed_updates JSON object");
      state.allowedUpdates = allowed.length > 0 ? allowed.map(String) : undefined;
    }
    state.confirm(offset);
    // A newer getUpdates request ends the one still waiting, as on Telegram.
    state.emitPoll('terminated');
    if (state.queue.length > 0 || timeout === 0) return ok(state.queue.slice(0, limit));
    const event = await state.waitPoll(Math.min(timeout, ctx.longPollMaxSeconds) * 1000, ctx.signal);
    if (event === 'terminated') {
      throw new ApiError(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running');
    }
    if (event === 'setWebhook') throw new ApiError(409, 'Conflict: terminated by setWebhook request');
    return ok(state.queue.slice(0, limit));
  },

  setWebhook(ctx) {
    const { state } = ctx;
    const url = str(ctx, 'url') ?? '';
    if (url === '') return methods.deleteWebhook?.(ctx) ?? ok(true);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw badRequest('bad webhook: Failed to resolve host: Name or service not known');
    }
    const loopback = LOOPBACK_HOSTS.has(parsed.hostname);
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
      throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
    }
    const secret = str(ctx, 'secret_token');
    if (secret !== undefined && secret !== '' && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
      throw badRequest('secret token contains unallowed characters');
    }
    const maxConnections = int(ctx, 'max_connections') ?? 40;
    const allowed = json(ctx, 'allowed_updates', "can't parse allowed_updates JSON object");
    if (allowed !== undefined) {
      if (!Array.isArray(allowed)) throw badRequest("can't parse allowed_updates JSON object");
      state.allowedUpdates = allowed.length > 0 ? allowed.map(String) : undefined;
    }
    if (bool(ctx, 'drop_pending_updates')) state.queue = [];
    const previous = state.webhook;
    const secretToken = secret === '' ? undefined : secret;
    const same = previous !== undefined && previous.url === url && previous.secretToken === secretToken;
    state.webhook = {
      url,
      secretToken,
      allowedUpdates: state.allowedUpdates,
      maxConnections: Math.min(100, Math.max(1, maxConnections)),
      lastErrorDate: previous?.url === url ? previous.lastErrorDate : undefined,
      lastErrorMessage: previous?.url === url ? previous.lastErrorMessage : undefined,
    };
    state.emitPoll('setWebhook');
    ctx.webhookChanged();
    return ok(true, same ? 'Webhook is already set' : 'Webhook was set');
  },

  deleteWebhook(ctx) {
    const { state } = ctx;
    if (bool(ctx, 'drop_pending_updates')) state.queue = [];
    if (!state.webhook) return ok(true, 'Webhook is already deleted');
    state.webhook = undefined;
    ctx.webhookChanged();
    return ok(true, 'Webhook was deleted');
  },

  getWebhookInfo(ctx) {
    const { state } = ctx;
    const hook = state.webhook;
    const info: Record<string, unknown> = { url: hook?.url ?? '', has_custom_certificate: false, pending_update_count: state.queue.length };
    if (hook) {
      info.ip_address = '127.0.0.1';
      if (hook.lastErrorDate !== undefined) {
        info.last_error_date = hook.lastErrorDate;
        info.last_error_message = hook.lastErrorMessage;
      }
      info.max_connections = hook.maxConnections;
      if (hook.allowedUpdates) info.allowed_updates = hook.allowedUpdates;
    }
    return ok(info);
  },

  sendMessage(ctx) {
    const chat = targetChat(ctx);
    const formatted = formatContent(ctx.state, ctx.params.text, ctx.params.parse_mode, ctx.params.entities, 'text');
    const markup = parseReplyMarkup(ctx.params.reply_markup, false);
    const replyTo = resolveReply(ctx, chat);
    const message = ctx.state.addMessage(chat, {
      from: 'bot',
      sender: ctx.state.bot,
      kind: 'text',
      source: formatted.source,
      parseMode: formatted.parseMode,
      text: formatted.text,
      entities: formatted.entities,
      photo: undefined,
      replyMarkup: markup,
      replyToMessageId: replyTo,
      messageThreadId: int(ctx, 'message_thread_id'),
      linkPreviewOptions: linkPreview(ctx),
      protectContent: bool(ctx, 'protect_content'),
      hasSpoiler: false,
      deliveredToBot: true,
      via: 'sendMessage',
    });
    return ok(ctx.state.toApiMessage(message));
  },

  async sendPhoto(ctx) {
    const chat = targetChat(ctx);
    const photo = await resolvePhoto(ctx, ctx.params.photo, 'photo');
    const formatted = formatContent(ctx.state, ctx.params.caption, ctx.params.parse_mode, ctx.params.caption_entities, 'caption');
    const markup = parseReplyMarkup(ctx.params.reply_markup, false);
    const replyTo = resolveReply(ctx, chat);
    const message = ctx.state.addMessage(chat, {
      from: 'bot',
      sender: ctx.state.bot,
      kind: 'photo',
      source: formatted.source,
      parseMode: formatted.parseMode,
      text: formatted.text,
      entities: formatted.entities,
      photo: structuredClone(photo.sizes),
      replyMarkup: markup,
      replyToMessageId: replyTo,
      messageThreadId: int(ctx, 'message_thread_id'),
      linkPreviewOptions: undefined,
      protectContent: bool(ctx, 'protect_content'),
      hasSpoiler: bool(ctx, 'has_spoiler'),
      deliveredToBot: true,
      via: 'sendPhoto',
    });
    return ok(ctx.state.toApiMessage(message));
  },

  async sendDocument(ctx) {
    const chat = targetChat(ctx);
    const document = await resolveDocument(ctx, ctx.params.document);
    const formatted = formatContent(ctx.state, ctx.params.caption, ctx.params.parse_mode, ctx.params.caption_entities, 'caption');
    const markup = parseReplyMarkup(ctx.params.reply_markup, false);
    const replyTo = resolveReply(ctx, chat);
    const message = ctx.state.addMessage(chat, {
      from: 'bot',
      sender: ctx.state.bot,
      kind: 'document',
      source: formatted.source,
      parseMode: formatted.parseMode,
      text: formatted.text,
      entities: formatted.entities,
      photo: undefined,
      document,
      replyMarkup: markup,
      replyToMessageId: replyTo,
      messageThreadId: int(ctx, 'message_thread_id'),
      linkPreviewOptions: undefined,
      protectContent: bool(ctx, 'protect_content'),
      hasSpoiler: false,
      deliveredToBot: true,
      via: 'sendDocument',
    });
    return ok(ctx.state.toApiMessage(message));
  },

  editMessageText(ctx) {
    const { message } = editTarget(ctx, 'message to edit not found');
    if (message.from !== 'bot' && message.inlineMessageId === undefined) throw badRequest("message can't be edited");
    if (message.kind !== 'text') throw badRequest('there is no text in the message to edit');
    const formatted = formatContent(ctx.state, ctx.params.text, ctx.params.parse_mode, ctx.params.entities, 'text');
    const markup = parseReplyMarkup(ctx.params.reply_markup, true);
    if (sameContent(message, formatted) && sameMarkup(currentInline(message), markup)) throw badRequest(NOT_MODIFIED);
    const preview = linkPreview(ctx);
    if (preview) message.linkPreviewOptions = preview;
    return applyEdit(ctx, message, 'editMessageText', { formatted, markup });
  },

  editMessageCaption(ctx) {
    const { message } = editTarget(ctx, 'message to edit not found');
    if (message.from !== 'bot' && message.inlineMessageId === undefined) throw badRequest("message can't be edited");
    if (message.kind === 'text') throw badRequest('there is no caption in the message to edit');
    const formatted = formatContent(ctx.state, ctx.params.caption, ctx.params.parse_mode, ctx.params.caption_entities, 'caption');
    const markup = parseReplyMarkup(ctx.params.reply_markup, true);
    if (sameContent(message, formatted) && sameMarkup(currentInline(message), markup)) throw badRequest(NOT_MODIFIED);
    return applyEdit(ctx, message, 'editMessageCaption', { formatted, markup });
  },

  editMessageReplyMarkup(ctx) {
    const { message } = editTarget(ctx, 'message to edit not found');
    if (message.from !== 'bot' && message.inlineMessageId === undefined) throw badRequest("message can't be edited");
    const markup = parseReplyMarkup(ctx.params.reply_markup, true);
    if (sameMarkup(currentInline(message), markup)) throw badRequest(NOT_MODIFIED);
    return applyEdit(ctx, message, 'editMessageReplyMarkup', { markup });
  },

  async editMessageMedia(ctx) {
    const { message } = editTarget(ctx, 'message to edit not found');
    if (message.from !== 'bot' && message.inlineMessageId === undefined) throw badRequest("message can't be edited");
    const media = json(ctx, 'media', "can't parse InputMedia JSON object");
    if (media === undefined) throw badRequest('media is empty');
    if (!isRecord(media) || typeof media.type !== 'string') throw badRequest("can't parse InputMedia JSON object");
    if (media.type !== 'photo') {
      throw badRequest(`emulator: editMessageMedia supports only media of type "photo", got "${media.type}"`);
    }
    if (message.kind === 'text') throw badRequest('there is no media in the message to edit');
    const photo = await resolvePhoto(ctx, media.media, 'media');
    const formatted = formatContent(ctx.state, media.caption, media.parse_mode, media.caption_entities, 'caption');
    const markup = parseReplyMarkup(ctx.params.reply_markup, true);
    const sameFile = message.photo?.at(-1)?.file_unique_id === photo.sizes.at(-1)?.file_unique_id;
    if (sameFile && sameContent(message, formatted) && sameMarkup(currentInline(message), markup)) throw badRequest(NOT_MODIFIED);
    return applyEdit(ctx, message, 'editMessageMedia', { formatted, markup, photo, hasSpoiler: media.has_spoiler === true });
  },

  deleteMessage(ctx) {
    const chat = resolveChat(ctx);
    const messageId = int(ctx, 'message_id');
    if (messageId === undefined) throw badRequest('message identifier is not specified');
    ctx.state.takeFlood(chat.chat.id);
    const message = ctx.state.findMessage(chat.chat.id, messageId);
    if (!message) throw badRequest('message to delete not found');
    if (message.from === 'user' && chat.kind !== 'private' && chat.botStatus !== 'administrator') {
      throw badRequest("message can't be deleted");
    }
    message.deleted = true;
    return ok(true);
  },

  deleteMessages(ctx) {
    const chat = resolveChat(ctx);
    const ids = json(ctx, 'message_ids', "can't parse message identifiers JSON object");
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > 100) throw badRequest('message identifiers are not specified');
    ctx.state.takeFlood(chat.chat.id);
    for (const id of ids) {
      const message = typeof id === 'number' ? ctx.state.findMessage(chat.chat.id, id) : undefined;
      if (!message) continue;
      if (message.from === 'user' && chat.kind !== 'private' && chat.botStatus !== 'administrator') continue;
      message.deleted = true;
    }
    return ok(true);
  },

  async answerInlineQuery(ctx) {
    const id = str(ctx, 'inline_query_id') ?? '';
    const query = ctx.state.inlineQueries.get(id);
    if (!query || query.answer) throw badRequest(QUERY_INVALID);
    const raw = json(ctx, 'results', "can't parse inline query results JSON object");
    if (!Array.isArray(raw)) throw badRequest("can't parse inline query results JSON object");
    if (raw.length > 50) throw badRequest('RESULTS_TOO_MUCH');
    const seen = new Set<string>();
    const results: InlineAnswer['results'] = [];
    const contents = new Map<string, InlineContent>();
    for (const entry of raw) {
      const checked = await checkInlineResult(ctx, entry, seen);
      results.push(checked.result);
      contents.set(checked.result.id, checked.content);
    }
    const cacheTime = int(ctx, 'cache_time');
    if (cacheTime !== undefined && cacheTime < 0) throw badRequest('field "cache_time" must be non-negative');
    const nextOffset = str(ctx, 'next_offset');
    if (nextOffset !== undefined && Buffer.byteLength(nextOffset, 'utf8') > 64) throw badRequest('NEXT_OFFSET_INVALID');
    query.answer = {
      ...structuredClone(ctx.params),
      inline_query_id: id,
      results,
      ...(cacheTime === undefined ? {} : { cache_time: cacheTime }),
      ...(ctx.params.is_personal === undefined ? {} : { is_personal: bool(ctx, 'is_personal') }),
    };
    ctx.state.inlineContents.set(id, contents);
    return ok(true);
  },

  answerCallbackQuery(ctx) {
    const id = str(ctx, 'callback_query_id') ?? '';
    const query = ctx.state.callbackQueries.get(id);
    if (!query || query.answer) throw badRequest(QUERY_INVALID);
    const text = str(ctx, 'text');
    if (text !== undefined && textLength(text) > 200) throw badRequest('MESSAGE_TOO_LONG');
    const answer = { ...structuredClone(ctx.params), callback_query_id: id } as CallbackAnswer;
    ctx.state.recordAnswer(id, answer);
    return ok(true);
  },

  setMyCommands(ctx) {
    const commands = json(ctx, 'commands', "can't parse commands JSON object");
    if (!Array.isArray(commands)) throw badRequest("can't parse commands JSON object");
    if (commands.length > 100) throw badRequest('too many commands specified');
    const list: BotCommand[] = [];
    for (const c of commands) {
      if (!isRecord(c)) throw badRequest("can't parse BotCommand: BotCommand must be an Object");
      if (typeof c.command !== 'string') throw badRequest('can\'t parse BotCommand: Field "command" must be of type String');
      if (typeof c.description !== 'string') throw badRequest('can\'t parse BotCommand: Field "description" must be of type String');
      const command = c.command.startsWith('/') ? c.command.slice(1) : c.command;
      if (!/^[a-z0-9_]{1,32}$/.test(command)) throw badRequest('BOT_COMMAND_INVALID');
      if (c.description.trim() === '' || textLength(c.description) > 256) throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
      list.push({ command, description: c.description });
    }
    const key = commandScopeKey(ctx);
    if (list.length === 0) ctx.state.commands.delete(key);
    else ctx.state.commands.set(key, list);
    return ok(true);
  },

  getMyCommands(ctx) {
    return ok(structuredClone(ctx.state.commands.get(commandScopeKey(ctx)) ?? []));
  },

  deleteMyCommands(ctx) {
    ctx.state.commands.delete(commandScopeKey(ctx));
    return ok(true);
  },

  sendChatAction(ctx) {
    const chat = targetChat(ctx);
    const action = str(ctx, 'action') ?? '';
    if (!CHAT_ACTIONS.has(action)) throw badRequest('wrong parameter action in request');
    chat.actions.push(action);
    return ok(true);
  },

  getChat(ctx) {
    const chat = resolveChat(ctx);
    const info: Record<string, unknown> = { ...chat.chat, accent_color_id: 0, max_reaction_count: 11 };
    if (chat.username !== undefined && chat.kind !== 'private') info.username = chat.username;
    if (chat.isForum) info.is_forum = true;
    info.accepted_gift_types = { unlimited_gifts: false, limited_gifts: false, unique_gifts: false, premium_subscription: false };
    return ok(info);
  },

  getChatMember(ctx) {
    const chat = memberQueryChat(ctx);
    const userId = int(ctx, 'user_id');
    if (userId === undefined || userId <= 0) throw badRequest('invalid user_id specified');
    return ok(ctx.state.chatMember(chat, userId));
  },

  getChatAdministrators(ctx) {
    const chat = memberQueryChat(ctx);
    if (chat.kind === 'private') throw badRequest('there are no administrators in the private chat');
    // The creator first, then administrators in the order they joined; the bot itself when it is one
    // (other bots are left out, as Telegram does; the emulator's users are all people).
    const admins = [...chat.members.entries()]
      .filter(([, m]) => m.status !== 'member')
      .sort(([, a], [, b]) => (a.status === 'creator' ? -1 : 0) - (b.status === 'creator' ? -1 : 0))
      .map(([id]) => ctx.state.chatMember(chat, id));
    if (chat.botStatus === 'administrator') admins.push(ctx.state.chatMember(chat, ctx.state.bot.id));
    return ok(admins);
  },

  getFile(ctx) {
    const id = str(ctx, 'file_id') ?? '';
    const file = ctx.state.files.get(id);
    if (!file) throw badRequest(WRONG_FILE);
    if (file.size > BOT_DOWNLOAD_LIMIT) throw badRequest('file is too big');
    return ok({ file_id: file.fileId, file_unique_id: file.fileUniqueId, file_size: file.size, file_path: file.filePath });
  },

  setMyDescription: (ctx) => {
    ctx.state.profile.set(`description|${str(ctx, 'language_code') ?? ''}`, str(ctx, 'description') ?? '');
    return ok(true);
  },
  getMyDescription: (ctx) => ok({ description: ctx.state.profile.get(`description|${str(ctx, 'language_code') ?? ''}`) ?? '' }),
  setMyShortDescription: (ctx) => {
    ctx.state.profile.set(`short|${str(ctx, 'language_code') ?? ''}`, str(ctx, 'short_description') ?? '');
    return ok(true);
  },
  getMyShortDescription: (ctx) =>
    ok({ short_description: ctx.state.profile.get(`short|${str(ctx, 'language_code') ?? ''}`) ?? '' }),
};

function commandScopeKey(ctx: MethodContext): string {
  const scope = json(ctx, 'scope', "can't parse BotCommandScope JSON object");
  const languageCode = str(ctx, 'language_code') ?? '';
  if (languageCode !== '' && !/^[a-z]{2}$/.test(languageCode)) throw badRequest('invalid language code specified');
  if (scope === undefined) return ctx.state.commandKey(undefined, languageCode);
  if (!isRecord(scope) || typeof scope.type !== 'string' || !SCOPE_TYPES.has(scope.type)) {
    throw badRequest("can't parse BotCommandScope JSON object");
  }
  const normalized: Record<string, unknown> = { type: scope.type };
  if (scope.type === 'chat' || scope.type === 'chat_administrators' || scope.type === 'chat_member') {
    normalized.chat_id = resolveChatValue(ctx.state, scope.chat_id).chat.id;
  }
  if (scope.type === 'chat_member') {
    if (typeof scope.user_id !== 'number') throw badRequest('user not found');
    normalized.user_id = scope.user_id;
  }
  return ctx.state.commandKey(normalized, languageCode);
}

const byLowerName = new Map(Object.entries(methods).map(([name, handler]) => [name.toLowerCase(), { name, handler }]));

/** Telegram matches method names case-insensitively. */
export function findMethod(name: string): { name: string; handler: Handler } | undefined {
  return byLowerName.get(name.toLowerCase());
}
