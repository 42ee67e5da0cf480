// Loopback emulator of the Telegram Bot API (HTTP server on 127.0.0.1) plus the driver used by end-to-end
// tests: fake users and chats send messages and press buttons, tests wait for what the bot does.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { BodyError, decodeRequest, normaliseField, type UploadedFile } from './body.js';
import { handleControl } from './control.js';
import { detectEntities } from './formatting.js';
import { findMethod, type FetchedUrl, type MethodContext } from './methods.js';
import { httpRequest } from './net.js';
import { ApiError, DEFAULT_ADMIN_RIGHTS, EmulatorState, mimeTypeOf, type StoredChat, type StoredMessage } from './state.js';
import type {
  AdminRights,
  ApiCallRecord,
  ApiResponseBody,
  BotCommand,
  CallbackAnswer,
  CallbackQueryRecord,
  Chat,
  ChatMember,
  ChatMessageState,
  ChatRef,
  DocumentContent,
  GroupInput,
  InjectedFault,
  InlineAnswer,
  InlineChatType,
  InlineQueryRecord,
  Message,
  SendDocumentInput,
  SendTextOptions,
  TelegramEmulator,
  TelegramEmulatorOptions,
  Update,
  User,
  UserInput,
  WaitOptions,
  WebhookDelivery,
  WebhookState,
} from './types.js';

interface Waiter {
  check(): boolean;
  fail(error: Error): void;
}

interface InlineButton {
  text: string;
  callback_data?: string;
  url?: string;
}

const chatIdOf = (chat: ChatRef): number => (typeof chat === 'number' ? chat : chat.id);

function safeDecode(part: string | undefined): string {
  try {
    return decodeURIComponent(part ?? '');
  } catch {
    return part ?? '';
  }
}

export async function startTelegramEmulator(options: TelegramEmulatorOptions = {}): Promise<TelegramEmulator> {
  const emulator = new TelegramEmulatorServer(options);
  await emulator.listen(options.port ?? 0);
  return emulator;
}

class TelegramEmulatorServer implements TelegramEmulator {
  readonly token: string;
  readonly botUser: User;
  readonly calls: ApiCallRecord[] = [];
  readonly webhookDeliveries: WebhookDelivery[] = [];
  apiRoot = '';
  port = 0;

  private readonly state: EmulatorState;
  private readonly app: FastifyInstance;
  private readonly longPollMaxSeconds: number;
  private readonly remotePhotoUrls: 'reject' | 'accept';
  private readonly retryDelays: number[];
  private readonly webhookTimeoutMs: number;
  private readonly defaultWaitMs: number;
  private readonly waiters = new Set<Waiter>();
  private readonly consumedCalls = new Set<number>();
  private readonly consumedBotMessages = new Set<string>();
  private readonly consumedDeliveries = new Set<number>();
  private readonly faults = new Map<string, { fault: InjectedFault; remaining: number }>();
  private readonly deliveryAbort = new AbortController();
  private deliveryRunning = false;
  private deliveryWake: (() => void) | undefined;
  private closed = false;

  constructor(options: TelegramEmulatorOptions) {
    const botId = options.botId ?? 7_000_000_001;
    this.token = options.token ?? `${botId}:AAEmulatorTokenForMarqueeTests0000000`;
    this.botUser = {
      id: botId,
      is_bot: true,
      first_name: options.botFirstName ?? 'Marquee',
      username: options.botUsername ?? 'marquee_test_bot',
    };
    this.longPollMaxSeconds = options.longPollMaxSeconds ?? 50;
    this.remotePhotoUrls = options.remotePhotoUrls ?? 'reject';
    this.retryDelays = options.webhookRetryDelaysMs?.length ? options.webhookRetryDelaysMs : [100, 250, 500, 1000];
    this.webhookTimeoutMs = options.webhookTimeoutMs ?? 10_000;
    this.defaultWaitMs = options.defaultWaitMs ?? 5000;
    this.state = new EmulatorState(this.botUser, options.privacyMode ?? true, () => this.notify());
    this.state.inlineMode = options.inlineMode ?? false;
    this.state.inlineFeedback = options.inlineFeedback ?? false;

    this.app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 60 * 1024 * 1024 });
    this.app.removeAllContentTypeParsers();
    this.app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    this.app.route({
      method: ['GET', 'POST'],
      url: '/*',
      handler: (request, reply) => this.handle(request, reply),
    });
  }

  async listen(port: number): Promise<void> {
    await this.app.listen({ host: '127.0.0.1', port });
    const address = this.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('emulator: no TCP address');
    this.port = address.port;
    this.apiRoot = `http://127.0.0.1:${this.port}`;
  }

  get updates(): readonly Update[] {
    return this.state.updates;
  }

  get inlineQueries(): readonly InlineQueryRecord[] {
    return [...this.state.inlineQueries.values()].map((q) => structuredClone(q));
  }

  get callbackQueries(): readonly CallbackQueryRecord[] {
    return [...this.state.callbackQueries.values()].map((q) => structuredClone(q));
  }

  // ---------------------------------------------------------------- HTTP

  private async handle(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const url = new URL(request.url, 'http://127.0.0.1');
    if (url.pathname === '/_emulator' || url.pathname.startsWith('/_emulator/')) {
      const answer = handleControl(this, {
        findUser: (id) => this.state.users.get(id)?.user,
        file: (fileId) => {
          const file = this.state.files.get(fileId);
          if (file?.photo !== undefined) return file.photo.data === undefined ? undefined : { data: file.photo.data, contentType: `image/${file.photo.format}` };
          return file?.data === undefined ? undefined : { data: file.data, contentType: file.contentType };
        },
      }, request.method, url.pathname, Buffer.isBuffer(request.body) ? request.body : undefined);
      const payload = Buffer.isBuffer(answer.body) ? answer.body : JSON.stringify(answer.body);
      await reply.code(answer.status).header('content-type', answer.contentType ?? 'application/json').send(payload);
      return;
    }
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (file) {
      await this.serveFile(reply, safeDecode(file[1]), safeDecode(file[2]));
      return;
    }
    const match = /^\/bot([^/]*)\/([^/]+)$/.exec(url.pathname);
    const send = (status: number, body: ApiResponseBody): FastifyReply =>
      reply.code(status).header('content-type', 'application/json').send(JSON.stringify(body));
    if (!match) {
      await send(404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    const token = safeDecode(match[1]);
    const methodName = safeDecode(match[2]);
    const found = findMethod(methodName);

    const controller = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) controller.abort();
    });

    let record: ApiCallRecord;
    if (token !== this.token) {
      record = this.record(methodName, request.method, 'none', {}, [], 401, {
        ok: false, error_code: 401, description: 'Unauthorized',
      }, Date.now());
    } else if (!found) {
      record = this.record(methodName, request.method, 'none', {}, [], 404, {
        ok: false, error_code: 404, description: 'Not Found',
      }, Date.now());
    } else {
      let decoded;
      try {
        decoded = decodeRequest(request.headers['content-type'], Buffer.isBuffer(request.body) ? request.body : undefined, url.searchParams);
      } catch (error) {
        const description = `Bad Request: ${error instanceof BodyError ? error.message : String(error)}`;
        record = this.record(found.name, request.method, 'none', {}, [], 400, { ok: false, error_code: 400, description }, Date.now());
        await send(record.status, record.response);
        return;
      }
      record = await this.execute(found.name, request.method, decoded.transport, decoded.params, decoded.files, controller.signal);
    }
    await send(record.status, record.response);
  }

  private async serveFile(reply: FastifyReply, token: string, path: string): Promise<void> {
    const stored = token === this.token ? [...this.state.files.values()].find((f) => f.filePath === path && f.data) : undefined;
    if (!stored?.data) {
      await reply.code(404).header('content-type', 'application/json').send(
        JSON.stringify({ ok: false, error_code: 404, description: 'Not Found' }),
      );
      return;
    }
    await reply.code(200).header('content-type', stored.contentType).send(stored.data);
  }

  private async execute(
    method: string,
    httpMethod: string,
    transport: ApiCallRecord['transport'],
    params: Record<string, unknown>,
    files: UploadedFile[],
    signal: AbortSignal,
  ): Promise<ApiCallRecord> {
    const startedAt = Date.now();
    const found = findMethod(method);
    let status = 200;
    let response: ApiResponseBody;
    try {
      if (!found) throw new ApiError(404, 'Not Found');
      this.takeFault(found.name);
      const ctx: MethodContext = {
        state: this.state,
        params,
        files,
        signal,
        longPollMaxSeconds: this.longPollMaxSeconds,
        remotePhotoUrls: this.remotePhotoUrls,
        fetchUrl: (url) => this.fetchUrl(url),
        webhookChanged: () => this.kickDelivery(),
      };
      const result = await found.handler(ctx);
      response = result.description !== undefined
        ? { ok: true, result: result.result, description: result.description }
        : { ok: true, result: result.result };
    } catch (error) {
      if (error instanceof ApiError) {
        status = error.code;
        response = { ok: false, error_code: error.code, description: error.description };
        if (error.parameters) response.parameters = error.parameters;
      } else {
        status = 500;
        const text = error instanceof Error ? error.stack ?? error.message : String(error);
        response = { ok: false, error_code: 500, description: `Internal Server Error: emulator bug: ${text}` };
      }
    }
    return this.record(found?.name ?? method, httpMethod, transport, params, files, status, response, startedAt, signal.aborted);
  }

  private record(
    method: string,
    httpMethod: string,
    transport: ApiCallRecord['transport'],
    params: Record<string, unknown>,
    files: UploadedFile[],
    status: number,
    response: ApiResponseBody,
    startedAt: number,
    aborted = false,
  ): ApiCallRecord {
    const record: ApiCallRecord = {
      seq: this.calls.length + 1,
      method,
      httpMethod,
      transport,
      params,
      files: files.map((f) => ({ field: f.field, filename: f.filename, contentType: f.contentType, size: f.data.length })),
      status,
      response,
      ok: response.ok,
      result: response.ok ? response.result : undefined,
      error: response.ok ? undefined : response.description,
      aborted,
      startedAt,
      finishedAt: Date.now(),
    };
    this.calls.push(record);
    this.notify();
    return record;
  }

  private takeFault(method: string): void {
    const entry = this.faults.get(method.toLowerCase());
    if (!entry) return;
    entry.remaining--;
    if (entry.remaining <= 0) this.faults.delete(method.toLowerCase());
    const { fault } = entry;
    throw new ApiError(fault.error_code, fault.description, fault.retry_after !== undefined ? { retry_after: fault.retry_after } : undefined);
  }

  private async fetchUrl(url: string): Promise<FetchedUrl> {
    const res = await httpRequest(url, { method: 'GET', timeoutMs: 5000 });
    const type = res.headers['content-type'];
    return { status: res.status, contentType: typeof type === 'string' ? type : undefined, data: res.body };
  }

  // ---------------------------------------------------------------- webhook delivery

  private kickDelivery(): void {
    this.deliveryWake?.();
    if (this.deliveryRunning || this.closed) return;
    if (!this.state.webhook || this.state.queue.length === 0) return;
    this.deliveryRunning = true;
    this.deliveryLoop()
      .catch(() => undefined)
      .finally(() => {
        this.deliveryRunning = false;
        if (!this.closed && this.state.webhook && this.state.queue.length > 0) this.kickDelivery();
      });
  }

  private async deliveryLoop(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      const hook = this.state.webhook;
      const update = this.state.queue[0];
      if (!hook || !update) return;
      const delivered = await this.deliverOne(hook, update, failures + 1);
      if (delivered) {
        failures = 0;
        continue;
      }
      failures++;
      const delay = this.retryDelays[Math.min(failures - 1, this.retryDelays.length - 1)] ?? 1000;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, delay);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.deliveryWake = done;
      });
      this.deliveryWake = undefined;
    }
  }

  private async deliverOne(hook: WebhookState, update: Update, attempt: number): Promise<boolean> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (hook.secretToken !== undefined) headers['x-telegram-bot-api-secret-token'] = hook.secretToken;
    let status: number | undefined;
    let error: string | undefined;
    let responseBody = '';
    let responseType: string | undefined;
    try {
      const res = await httpRequest(hook.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(update),
        timeoutMs: this.webhookTimeoutMs,
        signal: this.deliveryAbort.signal,
      });
      status = res.status;
      responseBody = res.body.toString('utf8');
      const type = res.headers['content-type'];
      responseType = typeof type === 'string' ? type : undefined;
      if (status < 200 || status > 299) error = `Wrong response from the webhook: ${status} ${res.statusText}`.trim();
    } catch (e) {
      const code = (e as { code?: string }).code;
      error = code === 'ECONNREFUSED' ? 'Connection refused' : `Connection error: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (this.closed) return false;
    const ok = error === undefined;
    this.webhookDeliveries.push({
      updateId: update.update_id,
      update,
      url: hook.url,
      attempt,
      secretToken: hook.secretToken,
      status,
      ok,
      error,
      responseBody,
      at: Date.now(),
    });
    if (ok) {
      this.state.queue = this.state.queue.filter((u) => u.update_id !== update.update_id);
      await this.runWebhookReply(responseType, responseBody);
    } else if (this.state.webhook?.url === hook.url) {
      this.state.webhook.lastErrorDate = Math.floor(Date.now() / 1000);
      this.state.webhook.lastErrorMessage = error;
    }
    this.notify();
    return ok;
  }

  /** A webhook response may carry one method call as JSON (`{"method": "sendMessage", ...}`). */
  private async runWebhookReply(contentType: string | undefined, body: string): Promise<void> {
    if (!contentType?.includes('application/json') || body.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return;
    const { method, ...rest } = parsed as Record<string, unknown>;
    if (typeof method !== 'string') return;
    const params: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rest)) params[k] = normaliseField(k, v);
    await this.execute(method, 'POST', 'webhook-reply', params, [], this.deliveryAbort.signal);
  }

  // ---------------------------------------------------------------- driver: users and chats

  user(input: UserInput): User {
    const user: User = { id: input.id, is_bot: false, first_name: input.firstName };
    if (input.lastName !== undefined) user.last_name = input.lastName;
    if (input.username !== undefined) user.username = input.username;
    if (input.languageCode !== undefined) user.language_code = input.languageCode;
    if (input.isPremium) user.is_premium = true;
    const existing = this.state.users.get(input.id);
    if (existing) existing.user = user;
    else this.state.users.set(input.id, { user, started: false, blocked: false });
    return structuredClone(user);
  }

  privateChat(user: User | number): Chat.PrivateChat {
    const id = typeof user === 'number' ? user : user.id;
    const stored = this.state.users.get(id);
    if (!stored) throw new Error(`emulator: unknown user ${id}; create it with user() first`);
    const chat: Chat.PrivateChat = { id, type: 'private', first_name: stored.user.first_name };
    if (stored.user.last_name !== undefined) chat.last_name = stored.user.last_name;
    if (stored.user.username !== undefined) chat.username = stored.user.username;
    return structuredClone(this.state.addChat(chat, 'private').chat as Chat.PrivateChat);
  }

  group(input: GroupInput): Chat.GroupChat | Chat.SupergroupChat {
    if (this.state.users.has(input.id)) throw new Error(`emulator: chat id ${input.id} is a user id`);
    const chat: Record<string, unknown> = { id: input.id, title: input.title, type: input.type };
    if (input.username !== undefined) chat.username = input.username;
    if (input.type === 'supergroup' && input.isForum) chat.is_forum = true;
    const stored = this.state.addChat(chat as unknown as Chat, input.type, {
      isForum: input.type === 'supergroup' && input.isForum === true,
      username: input.username,
      botIsAdmin: input.botIsAdmin === true,
    });
    if (input.creator !== undefined) {
      const creator = this.state.users.get(typeof input.creator === 'number' ? input.creator : input.creator.id);
      if (!creator) throw new Error(`emulator: unknown user ${JSON.stringify(input.creator)}; create it with user() first`);
      this.state.join(stored, creator.user.id);
    }
    return structuredClone(stored.chat as Chat.GroupChat | Chat.SupergroupChat);
  }

  private groupOrThrow(chat: ChatRef): StoredChat {
    const stored = this.chatOrThrow(chat);
    if (stored.kind === 'private') throw new Error(`emulator: chat ${stored.chat.id} is a private chat, not a group`);
    return stored;
  }

  private userIdOrThrow(user: User | number): number {
    const id = typeof user === 'number' ? user : user.id;
    if (!this.state.users.has(id)) throw new Error(`emulator: unknown user ${id}; create it with user() first`);
    return id;
  }

  addMembers(chat: ChatRef, users: ReadonlyArray<User | number | UserInput>): User[] {
    const stored = this.groupOrThrow(chat);
    const joined: User[] = [];
    for (const entry of users) {
      const id = typeof entry === 'object' && 'firstName' in entry ? this.user(entry).id : this.userIdOrThrow(entry);
      this.state.join(stored, id);
      joined.push(structuredClone(this.state.users.get(id)?.user as User));
    }
    this.notify();
    return joined;
  }

  makeAdmin(chat: ChatRef, user: User | number, rights: AdminRights = {}): ChatMember {
    const stored = this.groupOrThrow(chat);
    const id = this.userIdOrThrow(user);
    const member = this.state.join(stored, id);
    if (member && member.status !== 'creator') {
      const { customTitle, ...flags } = rights;
      member.status = 'administrator';
      member.rights = { ...DEFAULT_ADMIN_RIGHTS, ...flags };
      member.customTitle = customTitle;
    }
    this.notify();
    return this.state.chatMember(stored, id);
  }

  chatMember(chat: ChatRef, user: User | number): ChatMember {
    return this.state.chatMember(this.chatOrThrow(chat), typeof user === 'number' ? user : user.id);
  }

  chatMembers(chat: ChatRef): ChatMember[] {
    const stored = this.groupOrThrow(chat);
    return [...stored.members.keys()].map((id) => this.state.chatMember(stored, id));
  }

  blockBot(user: User | number): void {
    const id = typeof user === 'number' ? user : user.id;
    const stored = this.state.users.get(id);
    if (!stored) throw new Error(`emulator: unknown user ${id}`);
    stored.blocked = true;
  }

  kickBot(chat: ChatRef): void {
    const stored = this.chatOrThrow(chat);
    if (stored.kind === 'private') throw new Error('emulator: kickBot is for groups; use blockBot for private chats');
    stored.botStatus = 'kicked';
  }

  private chatOrThrow(chat: ChatRef): StoredChat {
    const id = chatIdOf(chat);
    const stored = this.state.getChat(id);
    if (!stored) throw new Error(`emulator: unknown chat ${id}; create it with privateChat() or group() first`);
    return stored;
  }

  private userOrThrow(user: User): User {
    const stored = this.state.users.get(user.id);
    if (!stored) throw new Error(`emulator: unknown user ${user.id}; create it with user() first`);
    return stored.user;
  }

  // ---------------------------------------------------------------- driver: user input

  sendText(user: User, chat: ChatRef, text: string, options: SendTextOptions = {}): Message {
    if (this.closed) throw new Error('emulator: closed');
    const sender = this.userOrThrow(user);
    const stored = this.chatOrThrow(chat);
    if (stored.kind === 'private') {
      if (stored.chat.id !== sender.id) throw new Error(`emulator: user ${sender.id} cannot write in the private chat of ${stored.chat.id}`);
      const u = this.state.users.get(sender.id);
      if (u) {
        u.started = true;
        u.blocked = false;
      }
    }
    if (text === '') throw new Error('emulator: Telegram clients do not send empty messages');
    // Writing in a group means being in it (the first to join a group without a creator becomes it).
    this.state.join(stored, sender.id);
    let replyTarget: StoredMessage | undefined;
    if (options.replyToMessageId !== undefined) {
      replyTarget = this.state.findMessage(stored.chat.id, options.replyToMessageId);
      if (!replyTarget) throw new Error(`emulator: message ${options.replyToMessageId} not found in chat ${stored.chat.id}`);
    }
    const entities = this.state.toMessageEntities(detectEntities(text));
    const delivered = this.visibleToBot(stored, text, replyTarget);
    const message = this.state.addMessage(stored, {
      from: 'user',
      sender,
      kind: 'text',
      source: text,
      parseMode: undefined,
      text,
      entities,
      photo: undefined,
      replyMarkup: undefined,
      replyToMessageId: replyTarget?.messageId,
      messageThreadId: options.messageThreadId,
      linkPreviewOptions: undefined,
      protectContent: false,
      hasSpoiler: false,
      deliveredToBot: delivered,
      via: 'user',
    });
    const api = this.state.toApiMessage(message);
    if (delivered) this.state.enqueue({ message: api } as Omit<Update, 'update_id'>);
    this.notify();
    return api;
  }

  sendDocument(user: User, chat: ChatRef, input: SendDocumentInput): Message {
    if (this.closed) throw new Error('emulator: closed');
    const sender = this.userOrThrow(user);
    const stored = this.chatOrThrow(chat);
    if (stored.kind === 'private') {
      if (stored.chat.id !== sender.id) throw new Error(`emulator: user ${sender.id} cannot write in the private chat of ${stored.chat.id}`);
      const u = this.state.users.get(sender.id);
      if (u) {
        u.started = true;
        u.blocked = false;
      }
    }
    const data = typeof input.data === 'string' ? Buffer.from(input.data, 'utf8') : Buffer.from(input.data);
    if (data.length === 0 && input.fileSize === undefined) throw new Error('emulator: Telegram clients do not send empty files');
    if (input.fileName === '') throw new Error('emulator: a document needs a file name');
    const caption = input.caption ?? '';
    if ([...caption].length > 1024) throw new Error('emulator: a caption is at most 1024 characters (Telegram clients refuse longer ones)');
    this.state.join(stored, sender.id);
    let replyTarget: StoredMessage | undefined;
    if (input.replyToMessageId !== undefined) {
      replyTarget = this.state.findMessage(stored.chat.id, input.replyToMessageId);
      if (!replyTarget) throw new Error(`emulator: message ${input.replyToMessageId} not found in chat ${stored.chat.id}`);
    }
    const document = this.state.storeDocument({
      data,
      fileName: input.fileName,
      mimeType: input.mimeType ?? mimeTypeOf(input.fileName),
      ...(input.fileSize === undefined ? {} : { reportedSize: input.fileSize }),
    });
    const delivered = this.visibleToBot(stored, caption, replyTarget);
    const message = this.state.addMessage(stored, {
      from: 'user',
      sender,
      kind: 'document',
      source: caption === '' ? undefined : caption,
      parseMode: undefined,
      text: caption,
      entities: this.state.toMessageEntities(detectEntities(caption)),
      photo: undefined,
      document,
      replyMarkup: undefined,
      replyToMessageId: replyTarget?.messageId,
      messageThreadId: input.messageThreadId,
      linkPreviewOptions: undefined,
      protectContent: false,
      hasSpoiler: false,
      deliveredToBot: delivered,
      via: 'user',
    });
    const api = this.state.toApiMessage(message);
    if (delivered) this.state.enqueue({ message: api } as Omit<Update, 'update_id'>);
    this.notify();
    return api;
  }

  documentOf(message: ChatMessageState | Message | string): DocumentContent {
    const fileId =
      typeof message === 'string' ? message : 'messageId' in message ? message.document?.file_id : message.document?.file_id;
    if (fileId === undefined) throw new Error('emulator: the message carries no document');
    const file = this.state.files.get(fileId);
    if (!file?.document || !file.data) throw new Error(`emulator: no document with file_id ${fileId}`);
    return { fileId, fileName: file.document.file_name, mimeType: file.contentType, size: file.size, data: Buffer.from(file.data) };
  }

  /** Group privacy mode: commands (not addressed to another bot), mentions of the bot, replies to it. */
  private visibleToBot(chat: StoredChat, text: string, replyTo: StoredMessage | undefined): boolean {
    if (chat.kind === 'private' || !this.state.privacyMode || chat.botStatus === 'administrator') return true;
    if (chat.botStatus === 'kicked') return false;
    const username = (this.botUser.username ?? '').toLowerCase();
    const command = /^\/[a-zA-Z0-9_]{1,64}(?:@([a-zA-Z0-9_]{3,32}))?(?![a-zA-Z0-9_])/.exec(text);
    if (command) return command[1] === undefined || command[1].toLowerCase() === username;
    if (new RegExp(`(^|[^a-zA-Z0-9_])@${username}(?![a-zA-Z0-9_])`, 'i').test(text)) return true;
    return replyTo?.from === 'bot';
  }

  pressButton(user: User, chat: ChatRef, messageId: number, callbackData: string): string {
    const { stored, message, buttons } = this.buttonsOf(chat, messageId);
    if (!buttons.some((b) => b.callback_data === callbackData)) {
      throw new Error(
        `emulator: message ${messageId} in chat ${stored.chat.id} has no button with callback_data ${JSON.stringify(callbackData)}; ` +
          `buttons: ${JSON.stringify(buttons)}`,
      );
    }
    return this.pressCallback(user, stored, message, callbackData);
  }

  pressButtonLabeled(user: User, chat: ChatRef, messageId: number, label: string | RegExp): string {
    const { stored, message, buttons } = this.buttonsOf(chat, messageId);
    const matches = buttons.filter((b) => (typeof label === 'string' ? b.text === label : label.test(b.text)));
    if (matches.length === 0) {
      throw new Error(`emulator: no button labelled ${String(label)} on message ${messageId}; labels: ${JSON.stringify(buttons.map((b) => b.text))}`);
    }
    if (matches.length > 1) {
      throw new Error(`emulator: ${matches.length} buttons match ${String(label)} on message ${messageId}: ${JSON.stringify(matches.map((b) => b.text))}`);
    }
    const button = matches[0];
    if (button?.callback_data === undefined) {
      throw new Error(`emulator: button ${JSON.stringify(button?.text)} has no callback_data (${JSON.stringify(button)})`);
    }
    return this.pressCallback(user, stored, message, button.callback_data);
  }

  private buttonsOf(chat: ChatRef, messageId: number): { stored: StoredChat; message: StoredMessage; buttons: InlineButton[] } {
    if (this.closed) throw new Error('emulator: closed');
    const stored = this.chatOrThrow(chat);
    const message = this.state.findMessage(stored.chat.id, messageId);
    if (!message) throw new Error(`emulator: message ${messageId} not found (or deleted) in chat ${stored.chat.id}`);
    const markup = this.state.inlineMarkup(message);
    const buttons = (markup?.inline_keyboard ?? []).flat() as unknown as InlineButton[];
    return { stored, message, buttons };
  }

  private pressCallback(user: User, chat: StoredChat, message: StoredMessage, data: string): string {
    const from = this.userOrThrow(user);
    if (chat.kind === 'private' && chat.chat.id !== from.id) {
      throw new Error(`emulator: user ${from.id} cannot see the private chat of ${chat.chat.id}`);
    }
    this.state.join(chat, from.id);
    const id = this.state.newCallbackQueryId();
    if (message.inlineMessageId !== undefined) {
      // A message sent via the bot: the press names it by inline_message_id and carries no message.
      const inlineMessageId = message.inlineMessageId;
      this.state.callbackQueries.set(id, { id, userId: from.id, chatId: chat.chat.id, messageId: message.messageId, inlineMessageId, data, answer: undefined });
      this.state.enqueue({
        callback_query: { id, from, inline_message_id: inlineMessageId, chat_instance: chat.chatInstance, data },
      } as Omit<Update, 'update_id'>);
      this.notify();
      return id;
    }
    this.state.callbackQueries.set(id, { id, userId: from.id, chatId: chat.chat.id, messageId: message.messageId, data, answer: undefined });
    this.state.enqueue({
      callback_query: {
        id,
        from,
        message: this.state.toApiMessage(message),
        chat_instance: chat.chatInstance,
        data,
      },
    } as Omit<Update, 'update_id'>);
    this.notify();
    return id;
  }

  // ---------------------------------------------------------------- driver: inline mode

  inlineQuery(user: User, query: string, options: { chatType?: InlineChatType; offset?: string } = {}): string {
    if (this.closed) throw new Error('emulator: closed');
    const from = this.userOrThrow(user);
    if (!this.state.inlineMode) throw new Error('emulator: inline mode is off for this bot (start the emulator with inlineMode: true, as /setinline in @BotFather)');
    if ([...query].length > 256) throw new Error('emulator: an inline query is at most 256 characters');
    const id = this.state.newCallbackQueryId();
    const chatType = options.chatType ?? 'sender';
    const record: InlineQueryRecord = { id, userId: from.id, query, offset: options.offset ?? '', chatType, answer: undefined };
    this.state.inlineQueries.set(id, record);
    this.state.enqueue({ inline_query: { id, from, query, offset: record.offset, chat_type: chatType } } as Omit<Update, 'update_id'>);
    this.notify();
    return id;
  }

  inlineAnswer(queryId: string, options: WaitOptions = {}): Promise<InlineAnswer> {
    return this.waitUntil(
      `answerInlineQuery for query ${queryId}`,
      () => {
        const answer = this.state.inlineQueries.get(queryId)?.answer;
        return answer ? structuredClone(answer) : undefined;
      },
      options.timeoutMs,
    );
  }

  chooseInlineResult(user: User, chat: ChatRef, queryId: string, resultId: string): Message {
    if (this.closed) throw new Error('emulator: closed');
    const from = this.userOrThrow(user);
    const query = this.state.inlineQueries.get(queryId);
    if (!query) throw new Error(`emulator: no inline query ${queryId}`);
    if (query.userId !== from.id) throw new Error(`emulator: inline query ${queryId} is user ${query.userId}'s, not ${from.id}'s`);
    const content = this.state.inlineContents.get(queryId)?.get(resultId);
    if (!query.answer || !content) {
      throw new Error(`emulator: inline query ${queryId} has no answered result ${JSON.stringify(resultId)}; results: ${JSON.stringify(query.answer?.results.map((r) => r.id) ?? [])}`);
    }
    const stored = this.chatOrThrow(chat);
    if (stored.kind === 'private' && stored.chat.id !== from.id) throw new Error(`emulator: user ${from.id} cannot write in the private chat of ${stored.chat.id}`);
    this.state.join(stored, from.id);
    const keyboard = content.markup !== undefined && Array.isArray(content.markup.inline_keyboard) && content.markup.inline_keyboard.length > 0;
    const inlineMessageId = keyboard ? this.state.newInlineMessageId() : undefined;
    const message = this.state.addMessage(stored, {
      from: 'user',
      sender: from,
      kind: content.kind,
      source: content.formatted.source,
      parseMode: content.formatted.parseMode,
      text: content.formatted.text,
      entities: structuredClone(content.formatted.entities),
      photo: content.photo === undefined ? undefined : structuredClone(content.photo),
      replyMarkup: content.markup === undefined ? undefined : structuredClone(content.markup),
      replyToMessageId: undefined,
      messageThreadId: undefined,
      linkPreviewOptions: content.linkPreviewOptions,
      protectContent: false,
      hasSpoiler: false,
      deliveredToBot: false,
      via: 'inline',
      viaBot: true,
      ...(inlineMessageId === undefined ? {} : { inlineMessageId }),
    });
    if (inlineMessageId !== undefined) this.state.inlineMessages.set(inlineMessageId, { chatId: stored.chat.id, messageId: message.messageId });
    // Group privacy mode applies as to any message; a message via the bot carries no command of its own.
    message.deliveredToBot = this.visibleToBot(stored, message.text, undefined);
    const api = this.state.toApiMessage(message);
    if (message.deliveredToBot) this.state.enqueue({ message: api } as Omit<Update, 'update_id'>);
    if (this.state.inlineFeedback) {
      this.state.enqueue({
        chosen_inline_result: { result_id: resultId, from, query: query.query, ...(inlineMessageId === undefined ? {} : { inline_message_id: inlineMessageId }) },
      } as Omit<Update, 'update_id'>);
    }
    this.notify();
    return api;
  }

  inlineMessageIdOf(chat: ChatRef, messageId: number): string | undefined {
    return this.chatOrThrow(chat).messages.get(messageId)?.inlineMessageId;
  }

  injectUpdate(payload: Omit<Update, 'update_id'>): Update | undefined {
    if (this.closed) throw new Error('emulator: closed');
    const update = this.state.enqueue(structuredClone(payload));
    this.notify();
    return update;
  }

  // ---------------------------------------------------------------- driver: inspection

  messages(chat: ChatRef): ChatMessageState[] {
    const stored = this.chatOrThrow(chat);
    return [...stored.messages.values()].sort((a, b) => a.messageId - b.messageId).map((m) => this.state.snapshot(m));
  }

  message(chat: ChatRef, messageId: number): ChatMessageState | undefined {
    const m = this.chatOrThrow(chat).messages.get(messageId);
    return m ? this.state.snapshot(m) : undefined;
  }

  botMessages(chat: ChatRef): ChatMessageState[] {
    return this.messages(chat).filter((m) => m.from === 'bot' && !m.deleted);
  }

  chatActions(chat: ChatRef): string[] {
    return [...this.chatOrThrow(chat).actions];
  }

  commands(scope?: Record<string, unknown>, languageCode?: string): BotCommand[] | undefined {
    const list = this.state.commands.get(this.state.commandKey(scope, languageCode ?? ''));
    return list ? structuredClone(list) : undefined;
  }

  webhook(): WebhookState | undefined {
    return this.state.webhook ? structuredClone(this.state.webhook) : undefined;
  }

  pendingUpdateCount(): number {
    return this.state.queue.length;
  }

  callsOf(method: string): ApiCallRecord[] {
    const name = method.toLowerCase();
    return this.calls.filter((c) => c.method.toLowerCase() === name);
  }

  // ---------------------------------------------------------------- driver: waiting

  private notify(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.check()) this.waiters.delete(waiter);
    }
    if (!this.deliveryRunning && this.state.webhook && this.state.queue.length > 0) this.kickDelivery();
  }

  /** Resolves with the first defined value of `attempt`, re-checked on every change; a throwing attempt rejects. */
  private waitUntil<T>(label: string, attempt: () => T | undefined, timeoutMs: number | undefined): Promise<T> {
    let first: T | undefined;
    try {
      first = attempt();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    if (first !== undefined) return Promise.resolve(first);
    if (this.closed) return Promise.reject(new Error(`emulator: closed while waiting for ${label}`));
    const ms = timeoutMs ?? this.defaultWaitMs;
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        check: () => {
          let value: T | undefined;
          try {
            value = attempt();
          } catch (error) {
            clearTimeout(timer);
            reject(error instanceof Error ? error : new Error(String(error)));
            return true;
          }
          if (value === undefined) return false;
          clearTimeout(timer);
          resolve(value);
          return true;
        },
        fail: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`emulator: timed out after ${ms} ms waiting for ${label}\n${this.describeRecentCalls()}`));
      }, ms);
      this.waiters.add(waiter);
    });
  }

  private describeRecentCalls(): string {
    const recent = this.calls.filter((c) => c.method !== 'getUpdates').slice(-10);
    if (recent.length === 0) return 'no API calls other than getUpdates were made';
    return `last API calls:\n${recent
      .map((c) => `  #${c.seq} ${c.method} ${JSON.stringify(c.params).slice(0, 200)} -> ${c.ok ? 'ok' : `${c.status} ${c.error}`}`)
      .join('\n')}`;
  }

  waitForCall(matcher: string | ((call: ApiCallRecord) => boolean), options: WaitOptions = {}): Promise<ApiCallRecord> {
    const match = typeof matcher === 'string' ? (c: ApiCallRecord) => c.method.toLowerCase() === matcher.toLowerCase() : matcher;
    const label = typeof matcher === 'string' ? `a ${matcher} call` : 'a matching API call';
    return this.waitUntil(
      label,
      () => {
        const call = this.calls.find((c) => !this.consumedCalls.has(c.seq) && match(c));
        if (call) this.consumedCalls.add(call.seq);
        return call;
      },
      options.timeoutMs,
    );
  }

  waitForBotMessage(
    chat: ChatRef,
    predicate?: (message: ChatMessageState) => boolean,
    options: WaitOptions = {},
  ): Promise<ChatMessageState> {
    const id = chatIdOf(chat);
    this.chatOrThrow(chat);
    return this.waitUntil(
      `a bot message in chat ${id}`,
      () => {
        const stored = this.state.getChat(id);
        if (!stored) return undefined;
        for (const m of [...stored.messages.values()].sort((a, b) => a.messageId - b.messageId)) {
          const key = `${id}:${m.messageId}`;
          if (m.from !== 'bot' || m.deleted || this.consumedBotMessages.has(key)) continue;
          const snapshot = this.state.snapshot(m);
          if (predicate && !predicate(snapshot)) continue;
          this.consumedBotMessages.add(key);
          return snapshot;
        }
        return undefined;
      },
      options.timeoutMs,
    );
  }

  waitForMessageState(
    chat: ChatRef,
    messageId: number,
    predicate: (message: ChatMessageState) => boolean,
    options: WaitOptions = {},
  ): Promise<ChatMessageState> {
    const id = chatIdOf(chat);
    return this.waitUntil(
      `message ${messageId} in chat ${id} to match`,
      () => {
        const m = this.state.getChat(id)?.messages.get(messageId);
        if (!m) return undefined;
        const snapshot = this.state.snapshot(m);
        return predicate(snapshot) ? snapshot : undefined;
      },
      options.timeoutMs,
    );
  }

  callbackAnswer(queryId: string, options: WaitOptions = {}): Promise<CallbackAnswer> {
    return this.waitUntil(
      `answerCallbackQuery for query ${queryId}`,
      () => {
        const answer = this.state.callbackQueries.get(queryId)?.answer;
        return answer ? structuredClone(answer) : undefined;
      },
      options.timeoutMs,
    );
  }

  waitForPoll(options: WaitOptions = {}): Promise<void> {
    return this.waitUntil('a waiting getUpdates long poll', () => (this.state.pollsWaiting > 0 ? true : undefined), options.timeoutMs).then(
      () => undefined,
    );
  }

  waitForWebhookDelivery(predicate?: (delivery: WebhookDelivery) => boolean, options: WaitOptions = {}): Promise<WebhookDelivery> {
    return this.waitUntil(
      'a webhook delivery',
      () => {
        const index = this.webhookDeliveries.findIndex((d, i) => !this.consumedDeliveries.has(i) && (!predicate || predicate(d)));
        if (index < 0) return undefined;
        this.consumedDeliveries.add(index);
        return this.webhookDeliveries[index];
      },
      options.timeoutMs,
    );
  }

  // ---------------------------------------------------------------- faults

  setFlood(chat: ChatRef, retryAfterSeconds: number): void {
    this.state.floods.set(chatIdOf(chat), retryAfterSeconds);
  }

  failNext(method: string, fault: InjectedFault): void {
    this.faults.set(method.toLowerCase(), { fault: { ...fault }, remaining: fault.times ?? 1 });
  }

  // ---------------------------------------------------------------- shutdown

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.state.closed = true;
    this.state.emitPoll('closed');
    this.deliveryAbort.abort();
    this.deliveryWake?.();
    for (const waiter of [...this.waiters]) waiter.fail(new Error('emulator: closed while a wait was pending'));
    this.waiters.clear();
    // let the answered long polls reach their sockets before connections are torn down
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    await this.app.close();
  }
}
