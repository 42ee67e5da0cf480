// Public types of the Telegram Bot API emulator and its test driver.
import type {
  BotCommand,
  Chat,
  ChatAdministratorRights,
  ChatMember,
  Document,
  InlineKeyboardMarkup,
  LinkPreviewOptions,
  Message,
  MessageEntity,
  PhotoSize,
  Update,
  User,
} from 'grammy/types';

export type { BotCommand, Chat, ChatMember, Document, InlineKeyboardMarkup, Message, MessageEntity, PhotoSize, Update, User };

/**
 * An administrator's rights for `makeAdmin` (Bot API ChatAdministratorRights names); what is left out
 * takes the default of a Telegram client (all but can_promote_members and is_anonymous).
 */
export type AdminRights = Partial<
  Pick<
    ChatAdministratorRights,
    | 'is_anonymous'
    | 'can_manage_chat'
    | 'can_delete_messages'
    | 'can_manage_video_chats'
    | 'can_restrict_members'
    | 'can_promote_members'
    | 'can_change_info'
    | 'can_invite_users'
    | 'can_post_stories'
    | 'can_edit_stories'
    | 'can_delete_stories'
    | 'can_pin_messages'
    | 'can_manage_topics'
  >
> & { customTitle?: string };

export interface TelegramEmulatorOptions {
  /** Bot token; default `<botId>:EMULATOR_TOKEN_...`. */
  token?: string;
  /** Default 7000000001. */
  botId?: number;
  /** Default 'marquee_test_bot'. */
  botUsername?: string;
  /** Default 'Marquee'. */
  botFirstName?: string;
  /** Default 0 (random); the host is always 127.0.0.1. */
  port?: number;
  /** Upper bound for `getUpdates` `timeout` (seconds), default 50. */
  longPollMaxSeconds?: number;
  /** Group privacy mode (Telegram's default is on): the bot only sees commands, mentions and replies. */
  privacyMode?: boolean;
  /**
   * What to do with a photo given as a URL that is not on 127.0.0.1/localhost (there is no internet):
   * 'reject' (default) answers 400 "wrong file identifier/HTTP URL specified", 'accept' records it as a
   * new photo without fetching. Loopback URLs are always fetched over HTTP.
   */
  remotePhotoUrls?: 'reject' | 'accept';
  /** Delays between webhook retries after a failed delivery, in ms; the last one repeats. Default [100, 250, 500, 1000]. */
  webhookRetryDelaysMs?: number[];
  /** Timeout of one webhook POST, default 10000 ms. */
  webhookTimeoutMs?: number;
  /** Default timeout of the wait helpers, default 5000 ms. */
  defaultWaitMs?: number;
  /**
   * Inline mode is on (@BotFather's /setinline): getMe says `supports_inline_queries` and users can send
   * inline queries. Default false, as for a new bot.
   */
  inlineMode?: boolean;
  /** Inline feedback is on (@BotFather's /setinlinefeedback): choosing a result sends `chosen_inline_result`. Default false. */
  inlineFeedback?: boolean;
}

export interface ApiErrorBody {
  ok: false;
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}
export type ApiResponseBody = { ok: true; result: unknown; description?: string } | ApiErrorBody;

export interface UploadedFileInfo {
  /** Multipart part name; grammY refers to it from a parameter as `attach://<field>`. */
  field: string;
  filename: string | undefined;
  contentType: string | undefined;
  size: number;
}

/** One Bot API request as the emulator saw and answered it. */
export interface ApiCallRecord {
  /** 1-based position in `calls`. */
  seq: number;
  /** Canonical method name, e.g. 'sendMessage' (Telegram matches method names case-insensitively). */
  method: string;
  httpMethod: string;
  /** How the parameters arrived; 'webhook-reply' is a method returned in the body of a webhook response. */
  transport: 'json' | 'form' | 'multipart' | 'query' | 'none' | 'webhook-reply';
  /** Parameters, JSON-valued fields parsed and numeric ids/booleans normalised whatever the transport. */
  params: Record<string, unknown>;
  files: UploadedFileInfo[];
  status: number;
  response: ApiResponseBody;
  ok: boolean;
  /** `response.result` when ok. */
  result: unknown;
  /** `response.description` when not ok. */
  error: string | undefined;
  /** The client hung up before the answer was sent (e.g. grammY aborting its long poll on bot.stop()). */
  aborted: boolean;
  startedAt: number;
  finishedAt: number;
}

export interface MessageRevision {
  /** Method that produced this version: sendMessage, sendPhoto, editMessageText, ... */
  via: string;
  date: number;
  source: string | undefined;
  parseMode: string | undefined;
  text: string;
  entities: MessageEntity[];
  photo: PhotoSize[] | undefined;
  document: Document | undefined;
  replyMarkup: unknown;
}

/** Snapshot of one message in a chat as the emulator stores it. */
export interface ChatMessageState {
  chatId: number;
  messageId: number;
  from: 'bot' | 'user';
  sender: User;
  date: number;
  editDate: number | undefined;
  kind: 'text' | 'photo' | 'document';
  /** Text or caption exactly as submitted (the HTML / Markdown source when a parse_mode was used). */
  source: string | undefined;
  parseMode: string | undefined;
  /** What the user sees: message text or photo caption with markup resolved ('' when none). */
  text: string;
  /** Same as `text` for photos and documents, undefined for text messages. */
  caption: string | undefined;
  entities: MessageEntity[];
  photo: PhotoSize[] | undefined;
  /** A document message's Document (file_id, file_name, mime_type, file_size); its bytes: `documentOf`. */
  document: Document | undefined;
  /** file_id of the largest photo size. */
  photoFileId: string | undefined;
  /** Whatever reply_markup the message carries now (inline keyboards are kept on the message). */
  replyMarkup: InlineKeyboardMarkup | Record<string, unknown> | undefined;
  replyToMessageId: number | undefined;
  messageThreadId: number | undefined;
  linkPreviewOptions: LinkPreviewOptions | undefined;
  /** Earlier versions, oldest first (empty when never edited). */
  edits: MessageRevision[];
  deleted: boolean;
  /** For user messages: false when group privacy mode kept it from the bot. */
  deliveredToBot: boolean;
  /** The Bot API Message object as Telegram would return it now. */
  message: Message;
}

export interface WebhookDelivery {
  updateId: number;
  update: Update;
  url: string;
  attempt: number;
  /** Secret sent in X-Telegram-Bot-Api-Secret-Token (undefined when none was set). */
  secretToken: string | undefined;
  status: number | undefined;
  ok: boolean;
  /** Network error or the getWebhookInfo style description of the failure. */
  error: string | undefined;
  responseBody: string;
  at: number;
}

/** The answerCallbackQuery parameters as the bot sent them (booleans and numbers normalised). */
export interface CallbackAnswer {
  callback_query_id: string;
  text?: string;
  show_alert?: boolean;
  url?: string;
  cache_time?: number;
  [param: string]: unknown;
}

export interface CallbackQueryRecord {
  id: string;
  userId: number;
  chatId: number;
  messageId: number;
  /** Set for a press on a message sent via the bot in inline mode (the update then carries no `message`). */
  inlineMessageId?: string;
  data: string;
  answer: CallbackAnswer | undefined;
}

/** The answerInlineQuery parameters as the bot sent them (results as parsed JSON). */
export interface InlineAnswer {
  inline_query_id: string;
  results: Array<Record<string, unknown> & { type: string; id: string }>;
  cache_time?: number;
  is_personal?: boolean;
  next_offset?: string;
  [param: string]: unknown;
}

export interface InlineQueryRecord {
  id: string;
  userId: number;
  query: string;
  offset: string;
  chatType: InlineChatType | undefined;
  answer: InlineAnswer | undefined;
}

/** Where the user types the inline query (InlineQuery.chat_type); `sender` is the user's private chat with the bot. */
export type InlineChatType = 'sender' | 'private' | 'group' | 'supergroup' | 'channel';

export interface WaitOptions {
  timeoutMs?: number;
}

export type ChatRef = number | { id: number };

export interface UserInput {
  id: number;
  firstName: string;
  username?: string;
  lastName?: string;
  languageCode?: string;
  isPremium?: boolean;
}

export interface GroupInput {
  id: number;
  title: string;
  type: 'group' | 'supergroup';
  username?: string;
  isForum?: boolean;
  /** The bot is an administrator (it may then delete other people's messages). Default false. */
  botIsAdmin?: boolean;
  /** The user who made the group (its `creator`; the user is created first). Default: the first user to join. */
  creator?: User | number;
}

export interface SendTextOptions {
  replyToMessageId?: number;
  messageThreadId?: number;
}

/** A document a user sends (`sendDocument` of the driver). */
export interface SendDocumentInput {
  /** The file's bytes (a string is taken as UTF-8). */
  data: Uint8Array | string;
  fileName: string;
  /** Default: from the file name's extension, as Telegram does (`.csv` → text/csv), else application/octet-stream. */
  mimeType?: string;
  /** The caption (at most 1024 characters); bot commands in it get `caption_entities`. */
  caption?: string;
  replyToMessageId?: number;
  messageThreadId?: number;
  /**
   * The `file_size` Telegram reports, when a test needs one that is not the byte length (a huge file
   * without the bytes; a size that does not match what the download brings). Default: the byte length.
   */
  fileSize?: number;
}

/** A stored document's bytes and what Telegram says of it. */
export interface DocumentContent {
  fileId: string;
  fileName: string | undefined;
  mimeType: string;
  /** file_size as reported. */
  size: number;
  data: Buffer;
}

export interface WebhookState {
  url: string;
  secretToken: string | undefined;
  allowedUpdates: string[] | undefined;
  maxConnections: number;
  lastErrorDate: number | undefined;
  lastErrorMessage: string | undefined;
}

export interface InjectedFault {
  error_code: number;
  description: string;
  retry_after?: number;
  /** How many matching calls fail (default 1). */
  times?: number;
}

export interface TelegramEmulator {
  /** `http://127.0.0.1:<port>` — pass as `client: { apiRoot }`. */
  readonly apiRoot: string;
  readonly port: number;
  readonly token: string;
  /** The bot's own user object (what getMe returns, without the capability flags). */
  readonly botUser: User;
  /** Every API call in the order the answers were produced (including getUpdates polls and webhook replies). */
  readonly calls: readonly ApiCallRecord[];
  /** Every update produced for the bot, in order. */
  readonly updates: readonly Update[];
  /** Every webhook POST attempt, in order. */
  readonly webhookDeliveries: readonly WebhookDelivery[];
  readonly callbackQueries: readonly CallbackQueryRecord[];

  // users and chats
  user(input: UserInput): User;
  privateChat(user: User | number): Chat.PrivateChat;
  group(input: GroupInput): Chat.GroupChat | Chat.SupergroupChat;
  /** The user blocks the bot: sends to them answer 403 "Forbidden: bot was blocked by the user". */
  blockBot(user: User | number): void;
  /** The bot is removed from a group: sends answer 403 "Forbidden: bot was kicked from the group chat". */
  kickBot(chat: ChatRef): void;
  /**
   * Users join a group (in this order; the first to join a group without a creator becomes it). A
   * `UserInput` creates the user too, so many members take one call. Already members stay as they are.
   */
  addMembers(chat: ChatRef, users: ReadonlyArray<User | number | UserInput>): User[];
  /** Makes a user an administrator of a group (joining it first if needed); the creator stays creator. */
  makeAdmin(chat: ChatRef, user: User | number, rights?: AdminRights): ChatMember;
  /** A user's ChatMember object in a chat, as getChatMember answers it. */
  chatMember(chat: ChatRef, user: User | number): ChatMember;
  /** The group's members (creator, administrators, members) as ChatMember objects, in joining order. */
  chatMembers(chat: ChatRef): ChatMember[];

  // user input
  sendText(user: User, chat: ChatRef, text: string, options?: SendTextOptions): Message;
  pressButton(user: User, chat: ChatRef, messageId: number, callbackData: string): string;
  pressButtonLabeled(user: User, chat: ChatRef, messageId: number, label: string | RegExp): string;
  /**
   * The user sends a document (with a caption, or as a reply): a message update with `document` (and
   * `caption`, `caption_entities`). The bytes are served by getFile and `/file/bot<token>/<file_path>`.
   */
  sendDocument(user: User, chat: ChatRef, input: SendDocumentInput): Message;
  /**
   * The user types `@<bot> <query>` (inline mode must be on): an `inline_query` update. Returns the query id.
   * `chatType` is where they type it (default 'sender').
   */
  inlineQuery(user: User, query: string, options?: { chatType?: InlineChatType; offset?: string }): string;
  /** The answerInlineQuery parameters for that query (also if it was answered earlier). */
  inlineAnswer(queryId: string, options?: WaitOptions): Promise<InlineAnswer>;
  /**
   * The user picks a result of an answered query: the result is posted into `chat` as the user's message
   * `via_bot` (an article's `input_message_content`, a cached photo with its caption), with the result's
   * inline keyboard; such a message gets an `inline_message_id` (presses on it come with that id and no
   * `message`). With `inlineFeedback`, a `chosen_inline_result` update follows. Returns the message.
   */
  chooseInlineResult(user: User, chat: ChatRef, queryId: string, resultId: string): Message;
  /** The inline_message_id of a message posted via the bot (undefined for others). */
  inlineMessageIdOf(chat: ChatRef, messageId: number): string | undefined;
  readonly inlineQueries: readonly InlineQueryRecord[];
  /** Queues any update as is (update_id is assigned); undefined when allowed_updates filters it out. */
  injectUpdate(payload: Omit<Update, 'update_id'>): Update | undefined;

  // inspection
  messages(chat: ChatRef): ChatMessageState[];
  message(chat: ChatRef, messageId: number): ChatMessageState | undefined;
  /** Bot messages that are not deleted, oldest first. */
  botMessages(chat: ChatRef): ChatMessageState[];
  chatActions(chat: ChatRef): string[];
  /**
   * The bytes and file name of the document a message carries (a message the bot sent with
   * sendDocument, or one a user sent), by its snapshot, its Bot API Message, or a file_id. Throws when
   * it carries none.
   */
  documentOf(message: ChatMessageState | Message | string): DocumentContent;
  /** Commands stored by setMyCommands for that exact scope and language (undefined if none). */
  commands(scope?: Record<string, unknown>, languageCode?: string): BotCommand[] | undefined;
  webhook(): WebhookState | undefined;
  pendingUpdateCount(): number;
  callsOf(method: string): ApiCallRecord[];

  // waiting
  /**
   * Resolves with the earliest call matching `matcher` that no earlier waitForCall returned (calls made
   * before this call count too), so consecutive waits walk through the calls in order.
   */
  waitForCall(matcher: string | ((call: ApiCallRecord) => boolean), options?: WaitOptions): Promise<ApiCallRecord>;
  /** Earliest bot message in the chat not yet returned by waitForBotMessage whose current state matches. */
  waitForBotMessage(
    chat: ChatRef,
    predicate?: (message: ChatMessageState) => boolean,
    options?: WaitOptions,
  ): Promise<ChatMessageState>;
  /** Resolves once the message's current state matches (e.g. after an edit). */
  waitForMessageState(
    chat: ChatRef,
    messageId: number,
    predicate: (message: ChatMessageState) => boolean,
    options?: WaitOptions,
  ): Promise<ChatMessageState>;
  /** The answerCallbackQuery parameters for that query (also if it was answered earlier). */
  callbackAnswer(queryId: string, options?: WaitOptions): Promise<CallbackAnswer>;
  /**
   * Resolves once a getUpdates long poll is waiting with nothing to return: a polling grammY bot has then
   * handled every update so far (grammY processes updates sequentially by default).
   */
  waitForPoll(options?: WaitOptions): Promise<void>;
  waitForWebhookDelivery(predicate?: (delivery: WebhookDelivery) => boolean, options?: WaitOptions): Promise<WebhookDelivery>;

  // faults
  /** The next call that targets this chat answers 429 "Too Many Requests: retry after N". */
  setFlood(chat: ChatRef, retryAfterSeconds: number): void;
  /** The next call(s) of that method answer with this error instead. */
  failNext(method: string, fault: InjectedFault): void;

  /** Answers pending long polls, stops webhook deliveries and closes the server. */
  close(): Promise<void>;
}
