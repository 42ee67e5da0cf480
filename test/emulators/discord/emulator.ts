// The Discord emulator and its test driver: starts REST + gateway on 127.0.0.1 and exposes the
// controls end-to-end tests use (create users/guilds, act as a user, break the connection,
// inspect what the bot did).

import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { registerControlRoutes } from './control.js';
import { Core } from './core.js';
import { Gateway, type GatewayEvent } from './gateway.js';
import { buildRestServer } from './rest.js';
import type {
  AttachmentRecord,
  AutocompleteResult,
  CallbackAttempt,
  CommandAttachmentRecord,
  CallbackRecord,
  ChannelInput,
  ChannelRecord,
  ComponentInput,
  DiscordEmulatorOptions,
  GatewayConnectionInfo,
  GatewaySessionInfo,
  GuildInput,
  GuildRecord,
  InteractionRecord,
  JsonObject,
  MemberRecord,
  MessageRecord,
  MessageRevision,
  ModalSubmitInput,
  PermissionInput,
  RestCall,
  RoleRecord,
  SelectMenuInput,
  SlashCommandInput,
  UserInput,
  UserRecord,
} from './types.js';
import { MessageFlag } from './validation.js';

const DEFAULT_BOT_ID = '1100000000000000001';

export interface WaitOptions {
  /** Give up after this long (default 10 s); the promise rejects with a descriptive error. */
  timeoutMs?: number;
}

export interface FinalMessage extends MessageRevision {
  /** The live record (keeps changing if the bot edits again). */
  message: MessageRecord;
  ephemeral: boolean;
  deleted: boolean;
}

/** Waits for `check` to return a value, re-checking whenever `emitter` fires one of `events`. */
function waitUntil<T>(
  subscribe: (listener: () => void) => () => void,
  check: () => T | undefined,
  timeoutMs: number,
  describe: () => string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const first = check();
    if (first !== undefined) {
      resolve(first);
      return;
    }
    let unsubscribe: () => void = () => undefined;
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${describe()}`));
    }, timeoutMs);
    unsubscribe = subscribe(() => {
      const value = check();
      if (value !== undefined) {
        clearTimeout(timer);
        unsubscribe();
        resolve(value);
      }
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What a driver call returns: the interaction as Discord sees it, and ways to await the bot's answer. */
export class InteractionHandle {
  constructor(
    protected readonly emulator: DiscordEmulator,
    readonly record: InteractionRecord,
  ) {}

  get id(): string {
    return this.record.id;
  }
  get token(): string {
    return this.record.token;
  }
  /** The `d` of INTERACTION_CREATE as dispatched. */
  get payload(): JsonObject {
    return this.record.payload;
  }
  get attempts(): CallbackAttempt[] {
    return this.record.attempts;
  }
  get acknowledged(): boolean {
    return this.record.response !== null;
  }
  /** Follow-up messages (POST /webhooks/:app/:token), oldest first. */
  get followUps(): MessageRecord[] {
    return this.record.followUpIds
      .map((id) => this.emulator.message(id))
      .filter((m): m is MessageRecord => m !== undefined);
  }
  /** The message @original refers to, once there is one. */
  get original(): MessageRecord | null {
    return this.record.originalMessageId ? (this.emulator.message(this.record.originalMessageId) ?? null) : null;
  }

  /** Resolves when the interaction's deadline has passed (for tests of late answers). */
  async deadline(): Promise<void> {
    const left = this.record.deadlineAt - Date.now();
    if (left >= 0) await sleep(left + 1);
  }

  /** The accepted first callback. Rejects once the deadline passed without one. */
  response(): Promise<CallbackRecord> {
    const record = this.record;
    const timeoutMs = Math.max(0, record.deadlineAt - Date.now()) + 20;
    return waitUntil(
      (l) => this.emulator.subscribe(['callback'], l),
      () => record.response ?? undefined,
      timeoutMs,
      () => `interaction ${record.id} to be acknowledged within its deadline (attempts: ${JSON.stringify(record.attempts)})`,
    );
  }

  /** Resolves once the bot made `count` callback attempts (accepted or refused). */
  waitForAttempts(count: number, opts: WaitOptions = {}): Promise<CallbackAttempt[]> {
    return waitUntil(
      (l) => this.emulator.subscribe(['attempt'], l),
      () => (this.record.attempts.length >= count ? this.record.attempts : undefined),
      opts.timeoutMs ?? 10_000,
      () => `${count} callback attempt(s) on interaction ${this.record.id}`,
    );
  }

  waitForFollowUps(count: number, opts: WaitOptions = {}): Promise<MessageRecord[]> {
    return waitUntil(
      (l) => this.emulator.subscribe(['followUp'], l),
      () => (this.record.followUpIds.length >= count ? this.followUps : undefined),
      opts.timeoutMs ?? 10_000,
      () => `${count} follow-up(s) on interaction ${this.record.id}`,
    );
  }

  /**
   * The last state of the original message: after a reply (4) or update (7) as it is once no edit
   * came for `settleMs`; after a deferral (5/6) once the bot edited it and then `settleMs` passed
   * without further edits.
   */
  async waitForFinal(opts: WaitOptions & { settleMs?: number } = {}): Promise<FinalMessage> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const settleMs = opts.settleMs ?? 75;
    const response = await this.response();
    if (response.type === 8 || response.type === 9) {
      throw new Error(`interaction ${this.id} was answered with type ${response.type}; it has no message`);
    }
    const ackAt = response.at;
    const ready = (m: MessageRecord): boolean => {
      if (m.deleted) return true;
      if (response.type === 5) return (m.flags & MessageFlag.Loading) === 0;
      if (response.type === 6) return m.history.slice(1).some((h) => h.at >= ackAt);
      return true;
    };
    const message = await waitUntil(
      (l) => this.emulator.subscribe(['message', 'callback'], l),
      () => {
        const m = this.original;
        return m && ready(m) ? m : undefined;
      },
      timeoutMs,
      () => `the original response of interaction ${this.id} to be final (callback type ${response.type})`,
    );
    // Settle: wait until the message stays unchanged for settleMs.
    const deadline = Date.now() + timeoutMs;
    let seen = message.history.length;
    for (;;) {
      await sleep(settleMs);
      if (message.history.length === seen && !message.deleted) break;
      if (message.deleted || Date.now() > deadline) break;
      seen = message.history.length;
    }
    const last = message.history[message.history.length - 1];
    if (!last) throw new Error('message without history');
    return {
      ...structuredClone(last),
      message,
      ephemeral: (message.flags & MessageFlag.Ephemeral) !== 0,
      deleted: message.deleted,
    };
  }
}

export class AutocompleteHandle extends InteractionHandle {
  /** The choices the bot sent (type 8), or `{ choices: null, withinDeadline: false }` once the
   *  deadline passed without an accepted answer. */
  result(): Promise<AutocompleteResult> {
    const record = this.record;
    const check = (): AutocompleteResult | undefined => {
      const r = record.response;
      if (r) {
        const choices = r.data && Array.isArray(r.data.choices) ? (r.data.choices as JsonObject[]) : [];
        return { choices, withinDeadline: r.withinDeadline, elapsedMs: r.elapsedMs };
      }
      if (Date.now() > record.deadlineAt) return { choices: null, withinDeadline: false, elapsedMs: null };
      return undefined;
    };
    return new Promise<AutocompleteResult>((resolve) => {
      const first = check();
      if (first) {
        resolve(first);
        return;
      }
      const timer = setTimeout(() => {
        unsubscribe();
        resolve(check() ?? { choices: null, withinDeadline: false, elapsedMs: null });
      }, Math.max(0, record.deadlineAt - Date.now()) + 5);
      const unsubscribe = this.emulator.subscribe(['callback'], () => {
        const value = check();
        if (value) {
          clearTimeout(timer);
          unsubscribe();
          resolve(value);
        }
      });
    });
  }
}

export class DiscordEmulator {
  readonly calls: RestCall[] = [];
  /** Exceptions inside route handlers (answered 500); tests can assert this stays empty. */
  readonly internalErrors: unknown[] = [];
  private readonly handles = new Map<string, InteractionHandle>();
  private readonly gatewayListeners = new Set<() => void>();
  private closed = false;

  /** @internal use startDiscordEmulator() */
  constructor(
    private readonly core: Core,
    private readonly gateway: Gateway,
    private readonly app: FastifyInstance,
    readonly baseUrl: string,
  ) {
    gateway.onEvent((event) => this.onGatewayEvent(event));
  }

  /** What discord.js takes as `rest.api` and our config as DISCORD_API_URL. */
  get apiUrl(): string {
    return `${this.baseUrl}/api`;
  }
  get gatewayUrl(): string {
    return `${this.baseUrl.replace(/^http/, 'ws')}/gateway`;
  }
  get resumeGatewayUrl(): string {
    return `${this.baseUrl.replace(/^http/, 'ws')}/gateway/resume`;
  }
  get token(): string {
    return this.core.config.token;
  }
  get applicationId(): string {
    return this.core.config.applicationId;
  }
  get botUserId(): string {
    return this.core.config.botUserId;
  }

  // ------------------------------------------------------------------------------------------
  // World

  addUser(input: UserInput): UserRecord {
    return this.core.addUser(input);
  }
  /** Adds a guild the bot is in; a connected bot receives GUILD_CREATE. */
  addGuild(input: GuildInput): GuildRecord {
    return this.core.addGuild(input);
  }
  addChannel(guildId: string, input: ChannelInput): ChannelRecord {
    return this.core.addChannel(guildId, input);
  }
  /** Adds a member (with @everyone's permissions plus those of `roles`), or changes an existing one. */
  addMember(guildId: string, userId: string, opts: { nick?: string; roles?: string[] } = {}): MemberRecord {
    return this.core.upsertMember(guildId, userId, opts);
  }
  /**
   * Adds many members at once: a user id or record must exist; a `UserInput` ({ id, username }) also
   * creates the user (or reuses it when the id exists).
   */
  addMembers(guildId: string, users: ReadonlyArray<string | UserRecord | UserInput>): MemberRecord[] {
    if (!this.core.store.guilds.has(guildId)) throw new Error(`unknown guild ${guildId}`);
    return users.map((entry) => {
      let id: string;
      if (typeof entry === 'string') id = entry;
      else if ('dmChannelId' in entry) id = entry.id;
      else id = (this.core.store.user(entry.id) ?? this.core.addUser(entry)).id;
      return this.core.upsertMember(guildId, id);
    });
  }
  /** Adds a role with these permissions (names like 'ManageMessages', a bitfield, or its decimal string). */
  addRole(guildId: string, input: { id?: string; name: string; permissions: PermissionInput; color?: number }): RoleRecord {
    return this.core.addRole(guildId, input);
  }
  /**
   * Grants a member (added if needed) a permission set, e.g. `['ManageMessages']`, through a role with
   * exactly those permissions; returns the role.
   */
  grantPermissions(guildId: string, user: string | UserRecord, permissions: PermissionInput): RoleRecord {
    return this.core.grantPermissions(guildId, typeof user === 'string' ? user : user.id, permissions);
  }
  /** A member's computed permissions in the guild (what interactions carry as `member.permissions`), a decimal string; '0' for non-members. */
  memberPermissions(guildId: string, user: string | UserRecord): string {
    return this.core.store.permissionsOf(guildId, typeof user === 'string' ? user : user.id).toString();
  }
  /**
   * Closes (or opens again) a user's DMs to the bot: `POST /users/@me/channels` still answers the DM
   * channel, but the bot's messages to it are refused with 403 / 50007 "Cannot send messages to this
   * user", as Discord answers for a user who turned off DMs from server members. Interaction replies
   * are not affected.
   */
  setDmsClosed(user: string | UserRecord, closed = true): UserRecord {
    const record = this.core.store.user(typeof user === 'string' ? user : user.id);
    if (record === undefined) throw new Error(`unknown user ${typeof user === 'string' ? user : user.id}`);
    record.dmsClosed = closed;
    return record;
  }
  user(id: string): UserRecord | undefined {
    return this.core.store.user(id);
  }
  guild(id: string): GuildRecord | undefined {
    return this.core.store.guilds.get(id);
  }
  channel(id: string): ChannelRecord | undefined {
    return this.core.store.channels.get(id);
  }

  // ------------------------------------------------------------------------------------------
  // Acting as a user

  private deliver(record: InteractionRecord): void {
    this.gateway.dispatchInteraction(record.guildId, record.payload);
  }

  private handleFor<T extends InteractionHandle>(record: InteractionRecord, make: (r: InteractionRecord) => T): T {
    const handle = make(record);
    this.handles.set(record.id, handle);
    this.deliver(record);
    return handle;
  }

  /** A user runs a slash command: INTERACTION_CREATE type 2 with a fresh id and token. */
  slashCommand(input: SlashCommandInput): InteractionHandle {
    const record = this.core.createCommandInteraction({ ...input, autocomplete: false });
    return this.handleFor(record, (r) => new InteractionHandle(this, r));
  }

  /** A user types into an autocomplete option: INTERACTION_CREATE type 4 (one option has `focused: true`). */
  autocomplete(input: SlashCommandInput): AutocompleteHandle {
    const record = this.core.createCommandInteraction({ ...input, autocomplete: true });
    return this.handleFor(record, (r) => new AutocompleteHandle(this, r));
  }

  /** A user clicks a button on a message the bot sent: type 3, component_type 2. */
  clickButton(input: ComponentInput): InteractionHandle {
    const record = this.core.createComponentInteraction({ ...input, expect: 'button' });
    return this.handleFor(record, (r) => new InteractionHandle(this, r));
  }

  /**
   * A button click Discord itself would never deliver: `customId` need not be on `message` (what a
   * modified client, a replayed payload or a fuzzer would claim). For tests that the bot does not
   * trust a custom_id beyond what it stored for it; everything else is as for clickButton.
   */
  forgeButtonClick(input: ComponentInput): InteractionHandle {
    const record = this.core.createComponentInteraction({ ...input, expect: 'button', forged: true });
    return this.handleFor(record, (r) => new InteractionHandle(this, r));
  }

  /**
   * A string-select pick Discord itself would never deliver: `values` are sent as given, whatever the
   * menu's min/max_values and options (and `customId` need not be on `message`). For tests that the
   * bot checks a pick's values itself; everything else is as for selectMenu.
   */
  forgeSelectMenu(input: SelectMenuInput): InteractionHandle {
    const record = this.core.createComponentInteraction({ ...input, expect: 'select', forged: true });
    return this.handleFor(record, (r) => new InteractionHandle(this, r));
  }

  /** A user picks values in a select menu: type 3, component_type 3 (or 5–8 for entity selects). */
  selectMenu(input: SelectMenuInput): InteractionHandle {
    const record = this.core.createComponentInteraction({ ...input, expect: 'select' });
    return this.handleFor(record, (r) => new InteractionHandle(this, r));
  }

  /** A user submits the modal the bot showed (type 9 answer): type 5. */
  submitModal(input: ModalSubmitInput): InteractionHandle {
    const record = this.core.createModalSubmit(input);
    return this.handleFor(record, (r) => new InteractionHandle(this, r));
  }

  /** The handle of an interaction (e.g. from the id discord.js reports). */
  interaction(id: string): InteractionHandle {
    const existing = this.handles.get(id);
    if (existing) return existing;
    const record = this.core.store.interactions.get(id);
    if (!record) throw new Error(`unknown interaction ${id}`);
    const handle = record.kind === 'autocomplete' ? new AutocompleteHandle(this, record) : new InteractionHandle(this, record);
    this.handles.set(id, handle);
    return handle;
  }

  // ------------------------------------------------------------------------------------------
  // Gateway controls

  /** Breaks the bot's gateway connection(s): without `code` the TCP connection is dropped (the
   *  client sees 1006), with `code` the server sends that close frame. `resumable: false` also
   *  ends the session, so the client's RESUME gets INVALID_SESSION(false) and it re-identifies. */
  dropConnection(opts: { code?: number; resumable?: boolean } = {}): number {
    return this.gateway.dropConnections({ ...(opts.code !== undefined ? { code: opts.code } : {}), resumable: opts.resumable ?? true });
  }
  /** Sends op 7 RECONNECT; discord.js closes and resumes. */
  sendReconnect(): number {
    return this.gateway.sendReconnect();
  }
  /** Sends op 9 INVALID_SESSION with `d: resumable`. */
  invalidateSession(resumable: boolean): number {
    return this.gateway.invalidateSession(resumable);
  }
  /** Sends op 1 asking the client to heartbeat now. */
  requestHeartbeat(): number {
    return this.gateway.requestHeartbeat();
  }
  /** WebSocket connections opened so far. */
  get connections(): number {
    return this.gateway.connectionLog.length;
  }
  get gatewayConnections(): GatewayConnectionInfo[] {
    return this.gateway.connectionLog;
  }
  get identifyCount(): number {
    return this.gateway.identifyCount;
  }
  get resumeCount(): number {
    return this.gateway.resumeCount;
  }
  get heartbeatCount(): number {
    return this.gateway.heartbeatCount;
  }
  /** Every gateway session started (IDENTIFY), oldest first, with its shard and state. */
  get gatewaySessions(): GatewaySessionInfo[] {
    return this.gateway.sessionInfos();
  }
  /** Sessions with a connection attached now, per shard id (of `numShards` shards). */
  connectedSessionsByShard(numShards: number): number[] {
    const counts = Array.from({ length: numShards }, () => 0);
    for (const s of this.gateway.sessionInfos()) {
      if (s.connected && s.shard[1] === numShards) counts[s.shard[0]] = (counts[s.shard[0]] ?? 0) + 1;
    }
    return counts;
  }
  /** Connections that are open and authenticated (READY or RESUMED sent). */
  get liveConnections(): number {
    return this.gateway.liveConnections().length;
  }

  /** Resolves when a bot connection is authenticated (now, or when the next READY/RESUMED goes out). */
  waitForReady(opts: WaitOptions = {}): Promise<void> {
    return waitUntil(
      (l) => this.subscribeGateway(l),
      () => (this.gateway.liveConnections().length > 0 ? true : undefined),
      opts.timeoutMs ?? 10_000,
      () => 'an authenticated gateway connection',
    ).then(() => undefined);
  }
  /** Resolves at the next successful RESUME (counted from this call). */
  waitForResume(opts: WaitOptions = {}): Promise<void> {
    const target = this.gateway.resumeCount + 1;
    return waitUntil(
      (l) => this.subscribeGateway(l),
      () => (this.gateway.resumeCount >= target ? true : undefined),
      opts.timeoutMs ?? 10_000,
      () => 'a gateway RESUME',
    ).then(() => undefined);
  }
  /** Resolves at the next IDENTIFY (counted from this call). */
  waitForIdentify(opts: WaitOptions = {}): Promise<void> {
    const target = this.gateway.identifyCount + 1;
    return waitUntil(
      (l) => this.subscribeGateway(l),
      () => (this.gateway.identifyCount >= target ? true : undefined),
      opts.timeoutMs ?? 10_000,
      () => 'a gateway IDENTIFY',
    ).then(() => undefined);
  }

  private onGatewayEvent(event: GatewayEvent): void {
    if (event.type === 'dispatch' && event.t === 'INTERACTION_CREATE' && typeof event.d.id === 'string') {
      const record = this.core.store.interactions.get(event.d.id);
      if (record && record.deliveredAt === null) record.deliveredAt = Date.now();
      return;
    }
    for (const l of [...this.gatewayListeners]) l();
  }

  private subscribeGateway(listener: () => void): () => void {
    this.gatewayListeners.add(listener);
    return () => this.gatewayListeners.delete(listener);
  }

  /** @internal */
  subscribe(events: string[], listener: () => void): () => void {
    for (const e of events) this.core.events.on(e, listener);
    return () => {
      for (const e of events) this.core.events.off(e, listener);
    };
  }

  // ------------------------------------------------------------------------------------------
  // Inspection

  /** Registered commands: global ones, or a guild's when `guildId` is given (Discord's shape). */
  commands(guildId?: string): JsonObject[] {
    return this.core.commandList(guildId ?? null).map((c) => c.data);
  }
  /** Messages of a channel in creation order, ephemeral ones and deleted ones included (see flags/deleted). */
  messages(channelId: string): MessageRecord[] {
    return this.core.store
      .channelMessages(channelId)
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  }
  message(id: string): MessageRecord | undefined {
    return this.core.store.messages.get(id);
  }
  /**
   * An attachment with its bytes (`data`), by id: a file the bot uploaded with a message (the
   * message's `attachments[n].id`), or one a user gave an attachment option (a CommandAttachmentRecord).
   */
  attachment(id: string): AttachmentRecord | CommandAttachmentRecord | undefined {
    const given = this.core.store.commandAttachments.get(id);
    if (given) return given;
    for (const message of this.core.store.messages.values()) {
      const found = message.attachments.find((a) => a.id === id);
      if (found) return found;
    }
    return undefined;
  }
  /** Files users gave attachment options, oldest first. */
  get commandAttachments(): CommandAttachmentRecord[] {
    return [...this.core.store.commandAttachments.values()];
  }
  /** Every interaction created so far, oldest first. */
  get interactions(): InteractionRecord[] {
    return [...this.core.store.interactions.values()];
  }
  /** The message as the API returns it (what discord.js would parse). */
  messageObject(id: string): JsonObject {
    const m = this.core.store.messages.get(id);
    if (!m) throw new Error(`unknown message ${id}`);
    return this.core.store.messageObject(m);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.gateway.closeAll();
    await this.app.close();
    this.core.events.removeAllListeners();
    this.gatewayListeners.clear();
  }
}

function defaultToken(botUserId: string): string {
  const id = Buffer.from(botUserId).toString('base64').replace(/=+$/, '');
  return `${id}.emulat.${randomBytes(20).toString('base64url')}`;
}

export async function startDiscordEmulator(options: DiscordEmulatorOptions = {}): Promise<DiscordEmulator> {
  const botUserId = options.botUserId ?? DEFAULT_BOT_ID;
  let baseUrl = '';
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 41_250;
  const core = new Core({
    token: options.token ?? defaultToken(botUserId),
    applicationId: options.applicationId ?? botUserId,
    botUserId,
    botUsername: options.botUsername ?? 'Marquee',
    interactionDeadlineMs: options.interactionDeadlineMs ?? 3000,
    interactionTokenTtlMs: options.interactionTokenTtlMs ?? 15 * 60_000,
    attachmentSizeLimit: options.attachmentSizeLimit ?? 10 * 1024 * 1024,
    userUploadLimit: options.userUploadLimit ?? 10 * 1024 * 1024,
    requireRegisteredCommands: options.requireRegisteredCommands ?? true,
    baseUrl: () => baseUrl,
  });
  const wsBase = (): string => baseUrl.replace(/^http/, 'ws');
  const gateway = new Gateway(
    core,
    {
      heartbeatIntervalMs,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? heartbeatIntervalMs * 2 + 1000,
      sessionResumeWindowMs: options.sessionResumeWindowMs ?? 5 * 60_000,
      privilegedIntents: options.privilegedIntents ?? (1 << 1) | (1 << 8) | (1 << 15),
    },
    { gateway: () => `${wsBase()}/gateway`, resume: () => `${wsBase()}/gateway/resume` },
  );
  core.dispatcher = gateway;
  let emulator: DiscordEmulator | null = null;
  const pendingCalls: RestCall[] = [];
  const pendingErrors: unknown[] = [];
  const app = await buildRestServer(core, gateway, {
    rateLimit: options.rateLimit ?? { limit: 50, windowMs: 1000 },
    attachmentSizeLimit: options.attachmentSizeLimit ?? 10 * 1024 * 1024,
    gatewayUrl: () => `${wsBase()}/gateway`,
    recommendedShards: options.recommendedShards ?? 1,
    maxConcurrency: options.maxConcurrency ?? 1,
    onCall: (call) => (emulator ? emulator.calls : pendingCalls).push(call),
    onInternalError: (error) => (emulator ? emulator.internalErrors : pendingErrors).push(error),
  });
  registerControlRoutes(app, () => emulator);
  app.server.on('upgrade', (req, socket, head: Buffer) => gateway.handleUpgrade(req, socket, head));
  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${address.port}`;
  emulator = new DiscordEmulator(core, gateway, app, baseUrl);
  return emulator;
}
