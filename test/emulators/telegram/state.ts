// In-memory Telegram: users, chats, per-chat message history, photos, commands, callback queries and
// the update queue shared by long polling and webhook delivery.
import { randomBytes } from 'node:crypto';
import type {
  AdminRights,
  BotCommand,
  CallbackAnswer,
  CallbackQueryRecord,
  InlineQueryRecord,
  Chat,
  ChatMember,
  ChatMessageState,
  Document,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  MessageRevision,
  PhotoSize,
  Update,
  User,
  WebhookState,
} from './types.js';
import type { LinkPreviewOptions } from 'grammy/types';
import type { ParsedEntity } from './formatting.js';

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number; migrate_to_chat_id?: number },
  ) {
    super(description);
  }
}

export const badRequest = (text: string): ApiError => new ApiError(400, `Bad Request: ${text}`);
export const forbidden = (text: string): ApiError => new ApiError(403, `Forbidden: ${text}`);

export interface StoredUser {
  user: User;
  /** The user has sent something to the bot in private (pressed Start). */
  started: boolean;
  blocked: boolean;
}

export interface StoredChat {
  chat: Chat;
  kind: 'private' | 'group' | 'supergroup';
  isForum: boolean;
  username: string | undefined;
  botStatus: 'member' | 'administrator' | 'kicked';
  /** Users in the group by id, in the order they joined (empty for private chats; the bot is not here). */
  members: Map<number, StoredMember>;
  nextMessageId: number;
  messages: Map<number, StoredMessage>;
  actions: string[];
  chatInstance: string;
}

/** A user's place in a group: the creator, an administrator with its rights, or a plain member. */
export interface StoredMember {
  status: 'creator' | 'administrator' | 'member';
  /** For administrators: the can_* flags. */
  rights: Required<Omit<AdminRights, 'customTitle'>> | undefined;
  customTitle: string | undefined;
}

/**
 * What an administrator promoted in a Telegram client may do by default: everything but adding
 * administrators, and not anonymously.
 */
export const DEFAULT_ADMIN_RIGHTS: Required<Omit<AdminRights, 'customTitle'>> = {
  is_anonymous: false,
  can_manage_chat: true,
  can_delete_messages: true,
  can_manage_video_chats: true,
  can_restrict_members: true,
  can_promote_members: false,
  can_change_info: true,
  can_invite_users: true,
  can_post_stories: true,
  can_edit_stories: true,
  can_delete_stories: true,
  can_pin_messages: true,
  can_manage_topics: true,
};

export interface StoredMessage {
  chatId: number;
  messageId: number;
  from: 'bot' | 'user';
  sender: User;
  date: number;
  editDate: number | undefined;
  kind: 'text' | 'photo' | 'document';
  source: string | undefined;
  parseMode: string | undefined;
  text: string;
  entities: MessageEntity[];
  photo: PhotoSize[] | undefined;
  /** For kind 'document': the Document object (its bytes are in `files` under its file_id). */
  document?: Document | undefined;
  replyMarkup: Record<string, unknown> | undefined;
  replyToMessageId: number | undefined;
  messageThreadId: number | undefined;
  linkPreviewOptions: LinkPreviewOptions | undefined;
  protectContent: boolean;
  hasSpoiler: boolean;
  edits: MessageRevision[];
  deleted: boolean;
  deliveredToBot: boolean;
  via: string;
  /** Posted by a user through the bot's inline mode (`via_bot`). */
  viaBot?: boolean;
  /** For a message posted via the bot with an inline keyboard: its inline_message_id. */
  inlineMessageId?: string;
}

/** What choosing an inline result posts: text (an article's input_message_content) or a photo with a caption. */
export interface InlineContent {
  kind: 'text' | 'photo';
  formatted: { source: string | undefined; parseMode: string | undefined; text: string; entities: MessageEntity[] };
  markup: Record<string, unknown> | undefined;
  linkPreviewOptions?: LinkPreviewOptions | undefined;
  photo?: PhotoSize[];
}

export interface StoredPhoto {
  sizes: PhotoSize[];
  data: Buffer | undefined;
  sourceUrl: string | undefined;
  format: string;
}

export interface StoredFile {
  fileId: string;
  fileUniqueId: string;
  filePath: string;
  size: number;
  /** The photo this is one size of (photos only). */
  photo?: StoredPhoto;
  /** The document this is (documents only). */
  document?: Document;
  /** What the file server answers as content-type. */
  contentType: string;
  /** Bytes for download (only the largest size of a photo keeps the original bytes). */
  data: Buffer | undefined;
}

/** Telegram lets bots download files of up to 20 MB (getFile answers "file is too big" above). */
export const BOT_DOWNLOAD_LIMIT = 20 * 1024 * 1024;
/** Telegram lets bots upload files of up to 50 MB (multipart). */
export const BOT_UPLOAD_LIMIT = 50 * 1024 * 1024;

const MIME_BY_EXTENSION: Record<string, string> = {
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  txt: 'text/plain',
  json: 'application/json',
  zip: 'application/zip',
  gz: 'application/gzip',
  xml: 'application/xml',
  html: 'text/html',
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
};

/** The mime_type Telegram reports for a document: from its file name's extension (what Telegram goes by). */
export function mimeTypeOf(fileName: string | undefined, declared?: string): string {
  const extension = /\.([A-Za-z0-9]{1,8})$/.exec(fileName ?? '')?.[1]?.toLowerCase();
  const byName = extension === undefined ? undefined : MIME_BY_EXTENSION[extension];
  if (byName !== undefined) return byName;
  const type = declared?.split(';')[0]?.trim().toLowerCase();
  return type !== undefined && type !== '' ? type : 'application/octet-stream';
}

export type PollEvent = 'update' | 'terminated' | 'setWebhook' | 'closed' | 'timeout' | 'aborted';

const DEFAULT_UPDATE_TYPES_EXCLUDED = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function base64url(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/** JSON with sorted keys so that key order does not make two markups differ. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export class EmulatorState {
  readonly users = new Map<number, StoredUser>();
  readonly chats = new Map<number, StoredChat>();
  readonly files = new Map<string, StoredFile>();
  readonly commands = new Map<string, BotCommand[]>();
  /** setMyDescription / setMyShortDescription values by kind and language. */
  readonly profile = new Map<string, string>();
  readonly callbackQueries = new Map<string, CallbackQueryRecord>();
  readonly inlineQueries = new Map<string, InlineQueryRecord>();
  /** Per answered inline query: what choosing each result posts, by result id. */
  readonly inlineContents = new Map<string, Map<string, InlineContent>>();
  /** Messages posted via the bot with an inline keyboard, by inline_message_id. */
  readonly inlineMessages = new Map<string, { chatId: number; messageId: number }>();
  inlineMode = false;
  inlineFeedback = false;
  readonly updates: Update[] = [];
  /** Unconfirmed updates, oldest first. */
  queue: Update[] = [];
  allowedUpdates: string[] | undefined;
  webhook: WebhookState | undefined;
  readonly floods = new Map<number, number>();
  closed = false;
  /** getUpdates requests currently waiting for an update. */
  pollsWaiting = 0;

  private nextUpdateId = 100_000_001;
  private nextQueryId = 4_700_000_000_000_000_001n;
  private fileCounter = 0;
  private pollListeners = new Set<(event: PollEvent) => void>();

  constructor(
    readonly bot: User,
    readonly privacyMode: boolean,
    /** Called after every state change (wakes up the driver's wait helpers and the webhook sender). */
    private readonly changed: () => void,
  ) {}

  touch(): void {
    this.changed();
  }

  // ---- users and chats

  getChat(id: number): StoredChat | undefined {
    return this.chats.get(id);
  }

  addChat(chat: Chat, kind: StoredChat['kind'], extra: { isForum?: boolean; username?: string; botIsAdmin?: boolean } = {}): StoredChat {
    const existing = this.chats.get(chat.id);
    if (existing) return existing;
    const stored: StoredChat = {
      chat,
      kind,
      isForum: extra.isForum ?? false,
      username: extra.username,
      botStatus: extra.botIsAdmin ? 'administrator' : 'member',
      members: new Map(),
      nextMessageId: 1,
      messages: new Map(),
      actions: [],
      chatInstance: String(-(BigInt(Math.abs(chat.id)) * 7919n + 4_242_424_242_424n)),
    };
    this.chats.set(chat.id, stored);
    return stored;
  }

  /**
   * The user joins a group (nothing when already in it, or for a private chat). The first user to join
   * a group that has no creator becomes its creator.
   */
  join(chat: StoredChat, userId: number): StoredMember | undefined {
    if (chat.kind === 'private') return undefined;
    const existing = chat.members.get(userId);
    if (existing) return existing;
    const hasCreator = [...chat.members.values()].some((m) => m.status === 'creator');
    const member: StoredMember = { status: hasCreator ? 'member' : 'creator', rights: undefined, customTitle: undefined };
    chat.members.set(userId, member);
    return member;
  }

  /**
   * The ChatMember object getChatMember answers for a user (or the bot) in a chat: ChatMemberOwner,
   * ChatMemberAdministrator, ChatMemberMember, ChatMemberBanned (a kicked bot) or ChatMemberLeft.
   */
  chatMember(chat: StoredChat, userId: number): ChatMember {
    if (userId === this.bot.id) {
      const user = structuredClone(this.bot);
      if (chat.kind !== 'private' && chat.botStatus === 'administrator') {
        return { user, status: 'administrator', can_be_edited: false, ...this.rightsFor(chat, DEFAULT_ADMIN_RIGHTS) } as ChatMember;
      }
      if (chat.kind !== 'private' && chat.botStatus === 'kicked') return { user, status: 'kicked', until_date: 0 };
      return { user, status: 'member' };
    }
    const stored = this.users.get(userId);
    if (!stored) throw badRequest('user not found');
    const user = structuredClone(stored.user);
    if (chat.kind === 'private') return chat.chat.id === userId ? { user, status: 'member' } : { user, status: 'left' };
    const member = chat.members.get(userId);
    if (!member) return { user, status: 'left' };
    const title = member.customTitle === undefined ? {} : { custom_title: member.customTitle };
    if (member.status === 'creator') return { user, status: 'creator', is_anonymous: false, ...title };
    if (member.status === 'administrator') {
      return { user, status: 'administrator', can_be_edited: true, ...this.rightsFor(chat, member.rights ?? DEFAULT_ADMIN_RIGHTS), ...title } as ChatMember;
    }
    return { user, status: 'member' };
  }

  /** The can_* fields as Telegram sends them for this kind of chat (can_manage_topics in supergroups only). */
  private rightsFor(chat: StoredChat, rights: Required<Omit<AdminRights, 'customTitle'>>): Record<string, boolean> {
    const { can_manage_topics: topics, ...rest } = rights;
    return { ...rest, can_send_welcome_messages: false, ...(chat.kind === 'supergroup' ? { can_manage_topics: topics } : {}) };
  }

  /** Throws the 403 Telegram answers when the bot may not act in this chat. */
  assertCanAct(chat: StoredChat): void {
    if (chat.kind === 'private') {
      const user = this.users.get(chat.chat.id);
      if (user?.blocked) throw forbidden('bot was blocked by the user');
      if (!user?.started) throw forbidden("bot can't initiate conversation with a user");
      return;
    }
    if (chat.botStatus === 'kicked') {
      throw forbidden(`bot was kicked from the ${chat.kind === 'group' ? 'group' : 'supergroup'} chat`);
    }
  }

  takeFlood(chatId: number): void {
    const retryAfter = this.floods.get(chatId);
    if (retryAfter === undefined) return;
    this.floods.delete(chatId);
    throw new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
  }

  // ---- messages

  addMessage(chat: StoredChat, input: Omit<StoredMessage, 'messageId' | 'chatId' | 'date' | 'editDate' | 'edits' | 'deleted'>): StoredMessage {
    const message: StoredMessage = {
      ...input,
      chatId: chat.chat.id,
      messageId: chat.nextMessageId++,
      date: nowSeconds(),
      editDate: undefined,
      edits: [],
      deleted: false,
    };
    chat.messages.set(message.messageId, message);
    return message;
  }

  findMessage(chatId: number, messageId: number): StoredMessage | undefined {
    const message = this.chats.get(chatId)?.messages.get(messageId);
    return message && !message.deleted ? message : undefined;
  }

  /** Stores the current version in the edit history before an edit replaces it. */
  snapshotRevision(message: StoredMessage): void {
    message.edits.push({
      via: message.via,
      date: message.editDate ?? message.date,
      source: message.source,
      parseMode: message.parseMode,
      text: message.text,
      entities: structuredClone(message.entities),
      photo: message.photo ? structuredClone(message.photo) : undefined,
      document: message.document ? structuredClone(message.document) : undefined,
      replyMarkup: message.replyMarkup ? structuredClone(message.replyMarkup) : undefined,
    });
    message.editDate = nowSeconds();
  }

  inlineMarkup(message: StoredMessage): InlineKeyboardMarkup | undefined {
    const markup = message.replyMarkup;
    return markup && Array.isArray(markup.inline_keyboard) ? (markup as unknown as InlineKeyboardMarkup) : undefined;
  }

  toApiMessage(message: StoredMessage, nested = true): Message {
    const chat = this.chats.get(message.chatId);
    const m: Record<string, unknown> = {
      message_id: message.messageId,
      from: message.sender,
      chat: chat?.chat,
      date: message.date,
    };
    if (chat?.isForum && message.messageThreadId !== undefined) {
      m.message_thread_id = message.messageThreadId;
      m.is_topic_message = true;
    }
    if (message.editDate !== undefined) m.edit_date = message.editDate;
    if (message.protectContent) m.has_protected_content = true;
    if (message.viaBot) m.via_bot = structuredClone(this.bot);
    if (nested && message.replyToMessageId !== undefined) {
      const replied = chat?.messages.get(message.replyToMessageId);
      if (replied && !replied.deleted) m.reply_to_message = this.toApiMessage(replied, false);
    }
    if (message.kind === 'text') {
      m.text = message.text;
      if (message.entities.length > 0) m.entities = message.entities;
      if (message.linkPreviewOptions) m.link_preview_options = message.linkPreviewOptions;
    } else {
      if (message.kind === 'document') m.document = message.document;
      else m.photo = message.photo;
      if (message.text !== '') m.caption = message.text;
      if (message.entities.length > 0) m.caption_entities = message.entities;
      if (message.hasSpoiler) m.has_media_spoiler = true;
    }
    const inline = this.inlineMarkup(message);
    if (inline) m.reply_markup = inline;
    return structuredClone(m) as unknown as Message;
  }

  snapshot(message: StoredMessage): ChatMessageState {
    const largest = message.photo?.[message.photo.length - 1];
    return {
      chatId: message.chatId,
      messageId: message.messageId,
      from: message.from,
      sender: structuredClone(message.sender),
      date: message.date,
      editDate: message.editDate,
      kind: message.kind,
      source: message.source,
      parseMode: message.parseMode,
      text: message.text,
      caption: message.kind === 'text' ? undefined : message.text,
      entities: structuredClone(message.entities),
      photo: message.photo ? structuredClone(message.photo) : undefined,
      document: message.document ? structuredClone(message.document) : undefined,
      photoFileId: largest?.file_id,
      replyMarkup: message.replyMarkup ? (structuredClone(message.replyMarkup) as ChatMessageState['replyMarkup']) : undefined,
      replyToMessageId: message.replyToMessageId,
      messageThreadId: message.messageThreadId,
      linkPreviewOptions: message.linkPreviewOptions ? structuredClone(message.linkPreviewOptions) : undefined,
      edits: structuredClone(message.edits),
      deleted: message.deleted,
      deliveredToBot: message.deliveredToBot,
      message: this.toApiMessage(message),
    };
  }

  toMessageEntities(entities: ParsedEntity[]): MessageEntity[] {
    return entities.map((e) => {
      const out: Record<string, unknown> = { offset: e.offset, length: e.length, type: e.type };
      if (e.url !== undefined) out.url = e.url;
      if (e.language !== undefined) out.language = e.language;
      if (e.custom_emoji_id !== undefined) out.custom_emoji_id = e.custom_emoji_id;
      if (e.unix_time !== undefined) out.unix_time = e.unix_time;
      if (e.date_time_format !== undefined) out.date_time_format = e.date_time_format;
      if (e.userId !== undefined) {
        out.user = this.users.get(e.userId)?.user ?? { id: e.userId, is_bot: false, first_name: '' };
      }
      return out as unknown as MessageEntity;
    });
  }

  // ---- files

  storePhoto(input: { data: Buffer | undefined; width: number; height: number; format: string; sourceUrl?: string; byteSize: number }): StoredPhoto {
    const maxSide = Math.max(input.width, input.height, 1);
    const targets = [90, 320, 800, 1280, 2560].filter((t) => t < maxSide);
    targets.push(Math.min(maxSide, 2560));
    const photo: StoredPhoto = { sizes: [], data: input.data, sourceUrl: input.sourceUrl, format: input.format };
    const uniqueBase = base64url(9);
    targets.forEach((target, index) => {
      const scale = target / maxSide;
      const isLargest = index === targets.length - 1;
      const size: PhotoSize = {
        file_id: `AgACAgIAAxkBAAI${base64url(36)}`,
        file_unique_id: `AQAD${uniqueBase}${index}`,
        width: Math.max(1, Math.round(input.width * scale)),
        height: Math.max(1, Math.round(input.height * scale)),
        file_size: Math.max(1, Math.round(input.byteSize * scale * scale)),
      };
      photo.sizes.push(size);
      this.fileCounter++;
      this.files.set(size.file_id, {
        fileId: size.file_id,
        fileUniqueId: size.file_unique_id,
        filePath: `photos/file_${this.fileCounter}.${input.format === 'jpeg' ? 'jpg' : input.format}`,
        size: size.file_size ?? 0,
        photo,
        contentType: `image/${input.format}`,
        data: isLargest ? input.data : undefined,
      });
    });
    return photo;
  }

  /** Stores a document's bytes under a fresh file_id; `reportedSize` is its file_size when not the byte length. */
  storeDocument(input: { data: Buffer; fileName: string | undefined; mimeType: string; reportedSize?: number }): Document {
    this.fileCounter++;
    const extension = /\.([A-Za-z0-9]{1,8})$/.exec(input.fileName ?? '')?.[1]?.toLowerCase();
    const document: Document = {
      file_id: `BQACAgIAAxkBAAI${base64url(36)}`,
      file_unique_id: `AgAD${base64url(9)}`,
      ...(input.fileName === undefined ? {} : { file_name: input.fileName }),
      mime_type: input.mimeType,
      file_size: input.reportedSize ?? input.data.length,
    };
    this.files.set(document.file_id, {
      fileId: document.file_id,
      fileUniqueId: document.file_unique_id,
      filePath: `documents/file_${this.fileCounter}${extension === undefined ? '' : `.${extension}`}`,
      size: document.file_size ?? input.data.length,
      document,
      contentType: input.mimeType,
      data: input.data,
    });
    return document;
  }

  // ---- commands

  commandKey(scope: Record<string, unknown> | undefined, languageCode: string | undefined): string {
    const s = scope ?? { type: 'default' };
    const parts = [String(s.type ?? 'default')];
    if (s.chat_id !== undefined) parts.push(String(s.chat_id));
    if (s.user_id !== undefined) parts.push(String(s.user_id));
    return `${parts.join(':')}|${languageCode ?? ''}`;
  }

  // ---- callback queries

  newInlineMessageId(): string {
    return base64url(24);
  }

  /** The message an inline_message_id names (undefined when unknown or deleted). */
  findInlineMessage(inlineMessageId: string): StoredMessage | undefined {
    const ref = this.inlineMessages.get(inlineMessageId);
    return ref === undefined ? undefined : this.findMessage(ref.chatId, ref.messageId);
  }

  newCallbackQueryId(): string {
    return String(this.nextQueryId++);
  }

  recordAnswer(id: string, answer: CallbackAnswer): void {
    const query = this.callbackQueries.get(id);
    if (query) query.answer = answer;
  }

  // ---- updates

  /** Adds an update unless allowed_updates filters it out; returns it (or undefined when dropped). */
  enqueue(payload: Omit<Update, 'update_id'>): Update | undefined {
    const type = Object.keys(payload)[0] ?? '';
    const allowed = this.allowedUpdates;
    const permitted = allowed && allowed.length > 0 ? allowed.includes(type) : !DEFAULT_UPDATE_TYPES_EXCLUDED.has(type);
    if (!permitted) return undefined;
    const update = { update_id: this.nextUpdateId++, ...payload } as Update;
    this.updates.push(update);
    this.queue.push(update);
    this.emitPoll('update');
    this.changed();
    return update;
  }

  confirm(offset: number): void {
    if (offset > 0) this.queue = this.queue.filter((u) => u.update_id >= offset);
    else if (offset < 0) this.queue = this.queue.slice(offset);
  }

  waitPoll(ms: number, signal: AbortSignal): Promise<PollEvent> {
    return new Promise((resolve) => {
      if (signal.aborted || this.closed) {
        resolve(signal.aborted ? 'aborted' : 'closed');
        return;
      }
      const finish = (event: PollEvent): void => {
        clearTimeout(timer);
        this.pollListeners.delete(finish);
        this.pollsWaiting--;
        this.changed();
        signal.removeEventListener('abort', onAbort);
        resolve(event);
      };
      const onAbort = (): void => finish('aborted');
      const timer = setTimeout(() => finish('timeout'), ms);
      signal.addEventListener('abort', onAbort);
      this.pollListeners.add(finish);
      this.pollsWaiting++;
      this.changed();
    });
  }

  emitPoll(event: PollEvent): void {
    for (const listener of [...this.pollListeners]) listener(event);
  }
}
