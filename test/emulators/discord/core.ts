// The emulated Discord's behaviour, independent of HTTP and WebSocket: messages, commands,
// interactions and their callbacks. REST routes and the driver call into this; it throws
// DiscordHttpError the way Discord answers.

import { EventEmitter } from 'node:events';
import { createHmac, randomBytes } from 'node:crypto';
import { DiscordHttpError, FormErrors } from './errors.js';
import { contentTypeFor, imageSize } from './media.js';
import { permissionBits, permissionNames, type PermissionInput } from './permissions.js';
import { ALL_PERMISSIONS, EVERYONE_PERMISSIONS, Store } from './store.js';
import type {
  AttachmentInput,
  AttachmentRecord,
  CallbackRecord,
  CommandAttachmentRecord,
  ChannelInput,
  ChannelRecord,
  CommandOptionInput,
  CommandRecord,
  GuildInput,
  GuildRecord,
  InteractionKind,
  InteractionRecord,
  Json,
  JsonObject,
  MemberRecord,
  MessageRecord,
  RoleRecord,
  UploadedFile,
  UserInput,
  UserRecord,
} from './types.js';
import {
  CommandOptionType,
  ComponentType,
  MessageFlag,
  isRecord,
  records,
  validateAutocompleteData,
  validateCommand,
  validateCommandList,
  validateMessageBody,
  validateModalData,
} from './validation.js';

export const Intent = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildPresences: 1 << 8,
  GuildMessages: 1 << 9,
  DirectMessages: 1 << 12,
  MessageContent: 1 << 15,
} as const;

export const CallbackType = {
  Pong: 1,
  ChannelMessageWithSource: 4,
  DeferredChannelMessageWithSource: 5,
  DeferredUpdateMessage: 6,
  UpdateMessage: 7,
  AutocompleteResult: 8,
  Modal: 9,
} as const;

const KNOWN_CALLBACK_TYPES = [1, 4, 5, 6, 7, 8, 9, 10, 12];

/** Where the core sends gateway events; implemented by the gateway. */
export interface Dispatcher {
  /** Sends a dispatch to the sessions that own the guild (or shard 0 for DMs) and have `intent`. */
  dispatchEvent(t: string, d: JsonObject, target: { guildId: string | null; intent: number | null }): void;
  /** True when some session (connected or resumable) would receive events for the guild. */
  hasSessionFor(guildId: string | null): boolean;
}

export interface CoreConfig {
  token: string;
  applicationId: string;
  botUserId: string;
  botUsername: string;
  interactionDeadlineMs: number;
  interactionTokenTtlMs: number;
  attachmentSizeLimit: number;
  userUploadLimit: number;
  requireRegisteredCommands: boolean;
  baseUrl: () => string;
}

/** Flags a message may be created with (others are dropped like Discord ignores them). */
const CREATE_FLAGS =
  MessageFlag.SuppressEmbeds | MessageFlag.SuppressNotifications | MessageFlag.IsVoiceMessage | MessageFlag.IsComponentsV2;
/** Flags an edit may change. */
const EDIT_FLAGS = MessageFlag.SuppressEmbeds | MessageFlag.IsComponentsV2;

export interface CreateMessageOptions {
  authorId: string;
  type: number;
  cause: string;
  interaction?: InteractionRecord;
  allowEphemeral: boolean;
  /** Flags forced on the message regardless of the body (loading, preserved ephemeral). */
  forceFlags?: number;
}

export class Core {
  readonly store: Store;
  readonly events = new EventEmitter();
  dispatcher: Dispatcher | null = null;

  constructor(readonly config: CoreConfig) {
    this.store = new Store({ botUserId: config.botUserId, applicationId: config.applicationId, baseUrl: config.baseUrl });
    this.events.setMaxListeners(0);
    this.store.users.set(config.botUserId, {
      id: config.botUserId,
      username: config.botUsername,
      globalName: null,
      bot: true,
      avatar: null,
      dmChannelId: '',
    });
  }

  // ==========================================================================================
  // Users, guilds, channels

  addUser(input: UserInput): UserRecord {
    if (this.store.users.has(input.id)) throw new Error(`user ${input.id} exists`);
    const dmChannelId = this.store.ids.next();
    const user: UserRecord = {
      id: input.id,
      username: input.username,
      globalName: input.globalName ?? null,
      bot: input.bot ?? false,
      avatar: null,
      dmChannelId,
    };
    this.store.users.set(user.id, user);
    this.store.channels.set(dmChannelId, {
      id: dmChannelId,
      type: 1,
      guildId: null,
      name: null,
      parentId: null,
      topic: null,
      position: 0,
      nsfw: false,
      recipientId: user.id,
      lastMessageId: null,
    });
    return user;
  }

  addGuild(input: GuildInput): GuildRecord {
    if (this.store.guilds.has(input.id)) throw new Error(`guild ${input.id} exists`);
    const guild: GuildRecord = {
      id: input.id,
      name: input.name,
      ownerId: input.ownerId ?? this.config.botUserId,
      channelIds: [],
      roles: [{ id: input.id, name: '@everyone', permissions: EVERYONE_PERMISSIONS, position: 0, color: 0 }],
      preferredLocale: input.preferredLocale ?? 'en-US',
      joinedAt: new Date().toISOString(),
    };
    // The bot's managed role, as Discord creates it when a bot joins with the permissions it asked for.
    const botRole: RoleRecord = {
      id: this.store.ids.next(),
      name: this.store.users.get(this.config.botUserId)?.username ?? 'bot',
      permissions: (input.botPermissions === undefined ? ALL_PERMISSIONS : permissionBits(input.botPermissions).toString()),
      position: 1,
      color: 0,
      botId: this.config.botUserId,
    };
    guild.roles.push(botRole);
    this.store.guilds.set(guild.id, guild);
    this.store.ensureMember(guild.id, this.config.botUserId).roles.push(botRole.id);
    (input.channels ?? []).forEach((c, i) => this.addChannelRecord(guild, c, i));
    this.dispatcher?.dispatchEvent('GUILD_CREATE', this.store.guildCreateObject(guild), {
      guildId: guild.id,
      intent: Intent.Guilds,
    });
    return guild;
  }

  /** Adds a role (GUILD_ROLE_CREATE to a connected bot). */
  addRole(guildId: string, input: { id?: string; name: string; permissions: PermissionInput; color?: number }): RoleRecord {
    const guild = this.store.guilds.get(guildId);
    if (!guild) throw new Error(`unknown guild ${guildId}`);
    const id = input.id ?? this.store.ids.next();
    if (guild.roles.some((r) => r.id === id)) throw new Error(`role ${id} exists in guild ${guildId}`);
    const role: RoleRecord = {
      id,
      name: input.name,
      permissions: permissionBits(input.permissions).toString(),
      position: Math.max(...guild.roles.map((r) => r.position)) + 1,
      color: input.color ?? 0,
    };
    guild.roles.push(role);
    this.dispatcher?.dispatchEvent('GUILD_ROLE_CREATE', { guild_id: guildId, role: this.store.roleObject(role) }, { guildId, intent: Intent.Guilds });
    return role;
  }

  /** A user joins a guild, or an existing member's roles change (GUILD_MEMBER_ADD / _UPDATE with GUILD_MEMBERS). */
  upsertMember(guildId: string, userId: string, opts: { nick?: string; roles?: string[] } = {}): MemberRecord {
    const guild = this.store.guilds.get(guildId);
    if (!guild) throw new Error(`unknown guild ${guildId}`);
    this.resolveUser(userId);
    const existed = this.store.member(guildId, userId) !== undefined;
    const member = this.store.ensureMember(guildId, userId);
    if (opts.nick !== undefined) member.nick = opts.nick;
    if (opts.roles) {
      for (const id of opts.roles) if (!guild.roles.some((r) => r.id === id)) throw new Error(`unknown role ${id} in guild ${guildId}`);
      member.roles = [...opts.roles];
    }
    this.dispatcher?.dispatchEvent(
      existed ? 'GUILD_MEMBER_UPDATE' : 'GUILD_MEMBER_ADD',
      { ...this.store.memberObject(member, { withUser: true }), guild_id: guildId },
      { guildId, intent: Intent.GuildMembers },
    );
    return member;
  }

  /**
   * Gives a member (added if needed) a permission set through a role that has exactly it, made once
   * per set and guild ("Granted: ManageMessages"), as a server admin would.
   */
  grantPermissions(guildId: string, userId: string, permissions: PermissionInput): RoleRecord {
    const guild = this.store.guilds.get(guildId);
    if (!guild) throw new Error(`unknown guild ${guildId}`);
    const bits = permissionBits(permissions);
    if (bits === 0n) throw new Error('grantPermissions needs at least one permission');
    const name = `Granted: ${permissionNames(bits).join(', ') || bits.toString()}`;
    const role =
      guild.roles.find((r) => r.botId === undefined && r.id !== guild.id && r.name === name && r.permissions === bits.toString()) ??
      this.addRole(guildId, { name, permissions: bits });
    const roles = this.store.member(guildId, userId)?.roles ?? [];
    this.upsertMember(guildId, userId, { roles: roles.includes(role.id) ? roles : [...roles, role.id] });
    return role;
  }

  addChannel(guildId: string, input: ChannelInput): ChannelRecord {
    const guild = this.store.guilds.get(guildId);
    if (!guild) throw new Error(`unknown guild ${guildId}`);
    const channel = this.addChannelRecord(guild, input, guild.channelIds.length);
    this.dispatcher?.dispatchEvent('CHANNEL_CREATE', this.store.channelObject(channel), { guildId, intent: Intent.Guilds });
    return channel;
  }

  private addChannelRecord(guild: GuildRecord, input: ChannelInput, position: number): ChannelRecord {
    if (this.store.channels.has(input.id)) throw new Error(`channel ${input.id} exists`);
    const channel: ChannelRecord = {
      id: input.id,
      type: input.type ?? 0,
      guildId: guild.id,
      name: input.name,
      parentId: input.parentId ?? null,
      topic: input.topic ?? null,
      position,
      nsfw: input.nsfw ?? false,
      recipientId: null,
      lastMessageId: null,
    };
    this.store.channels.set(channel.id, channel);
    guild.channelIds.push(channel.id);
    return channel;
  }

  // ==========================================================================================
  // Application commands

  private checkApplication(applicationId: string): void {
    if (applicationId !== this.config.applicationId) throw DiscordHttpError.missingAccess();
  }

  private checkGuild(guildId: string | null): void {
    if (guildId !== null && !this.store.guilds.has(guildId)) throw DiscordHttpError.missingAccess();
  }

  commandList(guildId: string | null): CommandRecord[] {
    return [...this.store.commands.values()].filter((c) => c.guildId === guildId);
  }

  getCommands(applicationId: string, guildId: string | null): JsonObject[] {
    this.checkApplication(applicationId);
    this.checkGuild(guildId);
    return this.commandList(guildId).map((c) => c.data);
  }

  getCommand(applicationId: string, guildId: string | null, commandId: string): JsonObject {
    this.checkApplication(applicationId);
    this.checkGuild(guildId);
    const cmd = this.store.commands.get(commandId);
    if (!cmd || cmd.guildId !== guildId) throw DiscordHttpError.unknownCommand();
    return cmd.data;
  }

  overwriteCommands(applicationId: string, guildId: string | null, body: unknown): JsonObject[] {
    this.checkApplication(applicationId);
    this.checkGuild(guildId);
    if (!Array.isArray(body)) {
      throw DiscordHttpError.fieldError([], 'BASE_TYPE_ARRAY', `Could not interpret "${JSON.stringify(body)}" as list.`);
    }
    const errors = new FormErrors();
    validateCommandList(errors, body);
    errors.throwIfAny();
    const existing = this.commandList(guildId);
    const keep = new Set<string>();
    const result: JsonObject[] = [];
    for (const raw of body as Record<string, unknown>[]) {
      const type = typeof raw.type === 'number' ? raw.type : 1;
      const previous = existing.find((c) => c.data.name === raw.name && (c.data.type ?? 1) === type);
      const record = this.upsertCommand(guildId, raw, previous);
      keep.add(record.id);
      result.push(record.data);
    }
    for (const c of existing) if (!keep.has(c.id)) this.store.commands.delete(c.id);
    return result;
  }

  createCommand(applicationId: string, guildId: string | null, body: unknown): { created: boolean; data: JsonObject } {
    this.checkApplication(applicationId);
    this.checkGuild(guildId);
    const errors = new FormErrors();
    validateCommand(errors, [], body);
    errors.throwIfAny();
    const raw = body as Record<string, unknown>;
    const type = typeof raw.type === 'number' ? raw.type : 1;
    const previous = this.commandList(guildId).find((c) => c.data.name === raw.name && (c.data.type ?? 1) === type);
    return { created: !previous, data: this.upsertCommand(guildId, raw, previous).data };
  }

  editCommand(applicationId: string, guildId: string | null, commandId: string, body: unknown): JsonObject {
    const current = this.getCommand(applicationId, guildId, commandId);
    if (!isRecord(body)) throw DiscordHttpError.fieldError([], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    const merged = { ...current, ...body };
    const errors = new FormErrors();
    validateCommand(errors, [], merged);
    errors.throwIfAny();
    return this.upsertCommand(guildId, merged, this.store.commands.get(commandId)).data;
  }

  deleteCommand(applicationId: string, guildId: string | null, commandId: string): void {
    this.getCommand(applicationId, guildId, commandId);
    this.store.commands.delete(commandId);
  }

  private upsertCommand(guildId: string | null, raw: Record<string, unknown>, previous: CommandRecord | undefined): CommandRecord {
    const id = previous?.id ?? this.store.ids.next();
    const version = this.store.ids.next();
    const type = typeof raw.type === 'number' ? raw.type : 1;
    const data: JsonObject = {
      id,
      application_id: this.config.applicationId,
      version,
      default_member_permissions: (raw.default_member_permissions as Json | undefined) ?? null,
      type,
      name: raw.name as string,
      description: typeof raw.description === 'string' ? raw.description : '',
      ...(guildId ? { guild_id: guildId } : { dm_permission: raw.dm_permission !== false }),
      ...(raw.name_localizations ? { name_localizations: raw.name_localizations as Json } : {}),
      ...(raw.description_localizations ? { description_localizations: raw.description_localizations as Json } : {}),
      integration_types: (raw.integration_types as Json | undefined) ?? [0],
      contexts: (raw.contexts as Json | undefined) ?? null,
      nsfw: raw.nsfw === true,
      ...(Array.isArray(raw.options) && raw.options.length > 0 ? { options: raw.options as Json } : {}),
    };
    const record: CommandRecord = { id, applicationId: this.config.applicationId, guildId, version, data };
    this.store.commands.set(id, record);
    return record;
  }

  /** The command a user invokes by name here: the guild's own command first, else the global one. */
  findCommand(name: string, guildId: string | null, type = 1): CommandRecord | undefined {
    const matches = (c: CommandRecord): boolean => c.data.name === name && (c.data.type ?? 1) === type;
    if (guildId) {
      const guildCmd = this.commandList(guildId).find(matches);
      if (guildCmd) return guildCmd;
    }
    return this.commandList(null).find(matches);
  }

  // ==========================================================================================
  // Messages

  private buildAttachments(
    channelId: string,
    files: UploadedFile[],
    meta: unknown,
    ephemeral: boolean,
  ): Map<string, AttachmentRecord> {
    const byIndex = new Map<string, AttachmentRecord>();
    const metaList = Array.isArray(meta) ? meta.filter(isRecord) : [];
    files.forEach((file, position) => {
      if (file.data.length > this.config.attachmentSizeLimit) throw DiscordHttpError.requestTooLarge();
      const indexMatch = /^files?\[(\d+)\]$/.exec(file.field);
      const index = indexMatch?.[1] ?? String(position);
      const m = metaList.find((a) => String(a.id) === index);
      const filename = typeof m?.filename === 'string' ? m.filename : file.filename;
      const id = this.store.ids.next();
      const size = imageSize(file.data);
      const url = `${this.config.baseUrl()}/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`;
      byIndex.set(index, {
        id,
        filename,
        description: typeof m?.description === 'string' ? m.description : null,
        contentType: contentTypeFor(filename, file.contentType),
        size: file.data.length,
        url,
        proxyUrl: url.replace('/attachments/', '/media-proxy/attachments/'),
        width: size?.width ?? null,
        height: size?.height ?? null,
        ephemeral,
        data: file.data,
      });
    });
    return byIndex;
  }

  /** Embeds as Discord stores them: `type: "rich"`, `attachment://name` resolved to the attachment. */
  private resolveEmbeds(embeds: unknown, attachments: AttachmentRecord[]): JsonObject[] {
    if (!Array.isArray(embeds)) return [];
    const resolveMedia = (media: unknown): Json | undefined => {
      if (!isRecord(media) || typeof media.url !== 'string') return undefined;
      if (!media.url.startsWith('attachment://')) return { ...(media as JsonObject) };
      const name = media.url.slice('attachment://'.length);
      const att = attachments.find((a) => a.filename === name);
      if (!att) return undefined; // Discord drops references to files that were not uploaded
      return {
        url: att.url,
        proxy_url: att.proxyUrl,
        ...(att.width !== null ? { width: att.width, height: att.height } : {}),
        ...(att.contentType ? { content_type: att.contentType } : {}),
        flags: 0,
      };
    };
    return embeds.filter(isRecord).map((embed) => {
      const out: JsonObject = { type: 'rich', ...(structuredClone(embed) as JsonObject) };
      for (const key of ['image', 'thumbnail'] as const) {
        if (out[key] === undefined) continue;
        const media = resolveMedia(out[key]);
        if (media === undefined) delete out[key];
        else out[key] = media;
      }
      for (const key of ['footer', 'author'] as const) {
        const part = out[key];
        if (isRecord(part) && typeof part.icon_url === 'string' && part.icon_url.startsWith('attachment://')) {
          const media = resolveMedia({ url: part.icon_url });
          if (isRecord(media) && typeof media.url === 'string') {
            out[key] = { ...(part as JsonObject), icon_url: media.url, proxy_icon_url: media.proxy_url ?? null };
          }
        }
      }
      return out;
    });
  }

  private isEmpty(m: Pick<MessageRecord, 'content' | 'embeds' | 'components' | 'attachments'>): boolean {
    return m.content === '' && m.embeds.length === 0 && m.components.length === 0 && m.attachments.length === 0;
  }

  private snapshot(m: MessageRecord, cause: string): void {
    m.history.push({
      at: m.editedAt ?? m.createdAt,
      cause,
      content: m.content,
      embeds: structuredClone(m.embeds),
      components: structuredClone(m.components),
      attachments: m.attachments.map(({ data: _data, ...rest }) => ({ ...rest })),
      flags: m.flags,
    });
  }

  private validateBody(body: unknown, path: string[], effectiveFlags: number, interaction: boolean): Record<string, unknown> {
    if (body === undefined || body === null) return {};
    if (!isRecord(body)) {
      throw DiscordHttpError.fieldError(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    }
    const errors = new FormErrors();
    validateMessageBody(errors, path, body, { interaction, effectiveFlags });
    errors.throwIfAny();
    return body;
  }

  createMessage(channelId: string, body: unknown, files: UploadedFile[], opts: CreateMessageOptions): MessageRecord {
    const channel = this.store.channels.get(channelId);
    if (!channel) throw DiscordHttpError.unknownChannel();
    const rawFlags = isRecord(body) && typeof body.flags === 'number' ? body.flags : 0;
    let flags = rawFlags & CREATE_FLAGS;
    if (opts.allowEphemeral) flags |= rawFlags & MessageFlag.Ephemeral;
    flags |= opts.forceFlags ?? 0;
    const path = opts.interaction && opts.cause.startsWith('callback') ? ['data'] : [];
    const b = this.validateBody(body, path, flags, opts.allowEphemeral);
    if (files.length > 10) throw DiscordHttpError.fieldError(['attachments'], 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
    const ephemeral = (flags & MessageFlag.Ephemeral) !== 0;
    const attachments = [...this.buildAttachments(channelId, files, b.attachments, ephemeral).values()];
    const now = Date.now();
    const fromInteraction = opts.interaction !== undefined;
    const message: MessageRecord = {
      id: this.store.ids.next(now),
      channelId,
      guildId: channel.guildId,
      authorId: opts.authorId,
      webhookId: fromInteraction ? this.config.applicationId : null,
      applicationId: fromInteraction ? this.config.applicationId : null,
      type: opts.type,
      content: typeof b.content === 'string' ? b.content : '',
      embeds: this.resolveEmbeds(b.embeds, attachments),
      components: Array.isArray(b.components) ? (structuredClone(b.components) as JsonObject[]) : [],
      attachments,
      flags,
      tts: b.tts === true,
      createdAt: now,
      editedAt: null,
      deleted: false,
      interactionId: opts.interaction?.id ?? null,
      referencedMessageId: null,
      history: [],
    };
    if (isRecord(b.message_reference) && typeof b.message_reference.message_id === 'string') {
      const ref = this.store.messages.get(b.message_reference.message_id);
      if (!ref || ref.deleted) {
        if (b.message_reference.fail_if_not_exists !== false) {
          throw DiscordHttpError.fieldError(['message_reference'], 'REPLIES_UNKNOWN_MESSAGE', 'Unknown message');
        }
      } else {
        message.referencedMessageId = ref.id;
        if (message.type === 0) message.type = 19; // REPLY
      }
    }
    if ((flags & MessageFlag.Loading) === 0 && this.isEmpty(message)) throw DiscordHttpError.emptyMessage();
    this.snapshot(message, opts.cause);
    this.store.messages.set(message.id, message);
    if (!ephemeral) channel.lastMessageId = message.id;
    this.events.emit('message', message);
    if (!ephemeral) this.dispatchMessage('MESSAGE_CREATE', message);
    return message;
  }

  editMessage(message: MessageRecord, body: unknown, files: UploadedFile[], cause: string, path: string[] = []): MessageRecord {
    if (!isRecord(body) && body !== undefined && body !== null) {
      throw DiscordHttpError.fieldError(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    }
    const raw = (body ?? {}) as Record<string, unknown>;
    let flags = message.flags;
    if (typeof raw.flags === 'number') flags = (flags & ~EDIT_FLAGS) | (raw.flags & EDIT_FLAGS) | (flags & MessageFlag.IsComponentsV2);
    flags &= ~MessageFlag.Loading;
    const b = this.validateBody(raw, path, flags, message.interactionId !== null);
    if (files.length > 10) throw DiscordHttpError.fieldError(['attachments'], 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
    const ephemeral = (flags & MessageFlag.Ephemeral) !== 0;
    const uploaded = this.buildAttachments(message.channelId, files, b.attachments, ephemeral);
    let attachments: AttachmentRecord[];
    if (Array.isArray(b.attachments)) {
      // The list names every attachment the message keeps: existing ones by id, new ones by upload index.
      attachments = [];
      for (const a of b.attachments.filter(isRecord)) {
        const id = String(a.id);
        const existing = message.attachments.find((x) => x.id === id);
        const fresh = uploaded.get(id);
        if (existing) attachments.push(existing);
        else if (fresh) attachments.push(fresh);
      }
    } else {
      attachments = [...message.attachments, ...uploaded.values()];
    }
    const next = {
      content: 'content' in raw && raw.content !== undefined ? (typeof raw.content === 'string' ? raw.content : '') : message.content,
      embeds: 'embeds' in raw && raw.embeds !== undefined ? this.resolveEmbeds(raw.embeds, attachments) : message.embeds,
      components:
        'components' in raw && raw.components !== undefined
          ? Array.isArray(raw.components)
            ? (structuredClone(raw.components) as JsonObject[])
            : []
          : message.components,
      attachments,
    };
    if (this.isEmpty(next)) throw DiscordHttpError.emptyMessage();
    message.content = next.content;
    message.embeds = next.embeds;
    message.components = next.components;
    message.attachments = next.attachments;
    message.flags = flags;
    message.editedAt = Date.now();
    this.snapshot(message, cause);
    this.events.emit('message', message);
    if (!ephemeral) this.dispatchMessage('MESSAGE_UPDATE', message);
    return message;
  }

  deleteMessage(message: MessageRecord): void {
    message.deleted = true;
    this.events.emit('message', message);
    if ((message.flags & MessageFlag.Ephemeral) === 0) {
      this.dispatcher?.dispatchEvent(
        'MESSAGE_DELETE',
        { id: message.id, channel_id: message.channelId, ...(message.guildId ? { guild_id: message.guildId } : {}) },
        { guildId: message.guildId, intent: message.guildId ? Intent.GuildMessages : Intent.DirectMessages },
      );
    }
  }

  private dispatchMessage(t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', message: MessageRecord): void {
    this.dispatcher?.dispatchEvent(t, this.store.messageObject(message, { gateway: true }), {
      guildId: message.guildId,
      intent: message.guildId ? Intent.GuildMessages : Intent.DirectMessages,
    });
  }

  // ---------- channel routes (bot token)

  getChannel(channelId: string): JsonObject {
    const channel = this.store.channels.get(channelId);
    if (!channel) throw DiscordHttpError.unknownChannel();
    return this.store.channelObject(channel);
  }

  private channelMessage(channelId: string, messageId: string): MessageRecord {
    if (!this.store.channels.has(channelId)) throw DiscordHttpError.unknownChannel();
    const message = this.store.messages.get(messageId);
    if (!message || message.deleted || message.channelId !== channelId || (message.flags & MessageFlag.Ephemeral) !== 0) {
      throw DiscordHttpError.unknownMessage();
    }
    return message;
  }

  postChannelMessage(channelId: string, body: unknown, files: UploadedFile[]): JsonObject {
    // Opening a DM channel always works; sending into it is refused when the user takes no DMs (checked before the body, as Discord does).
    const channel = this.store.channels.get(channelId);
    const recipient = channel?.recipientId ? this.store.user(channel.recipientId) : undefined;
    if (recipient?.dmsClosed === true) throw DiscordHttpError.cannotMessageUser();
    const message = this.createMessage(channelId, body, files, {
      authorId: this.config.botUserId,
      type: 0,
      cause: 'POST /channels/:channelId/messages',
      allowEphemeral: false,
    });
    return this.store.messageObject(message);
  }

  getChannelMessage(channelId: string, messageId: string): JsonObject {
    return this.store.messageObject(this.channelMessage(channelId, messageId));
  }

  listChannelMessages(channelId: string, limit: number): JsonObject[] {
    if (!this.store.channels.has(channelId)) throw DiscordHttpError.unknownChannel();
    return this.store
      .channelMessages(channelId)
      .filter((m) => !m.deleted && (m.flags & MessageFlag.Ephemeral) === 0)
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1))
      .slice(0, Math.min(Math.max(limit, 1), 100))
      .map((m) => this.store.messageObject(m));
  }

  patchChannelMessage(channelId: string, messageId: string, body: unknown, files: UploadedFile[]): JsonObject {
    const message = this.channelMessage(channelId, messageId);
    if (message.authorId !== this.config.botUserId) {
      // Others' messages: only flags (suppress embeds) may change; anything else is refused.
      if (!isRecord(body) || Object.keys(body).some((k) => k !== 'flags')) throw DiscordHttpError.cannotEditOthersMessage();
    }
    return this.store.messageObject(this.editMessage(message, body, files, 'PATCH /channels/:channelId/messages/:messageId'));
  }

  deleteChannelMessage(channelId: string, messageId: string): void {
    this.deleteMessage(this.channelMessage(channelId, messageId));
  }

  // ==========================================================================================
  // Interactions (created by the driver)

  private newInteraction(input: {
    kind: InteractionKind;
    type: number;
    user: UserRecord;
    channel: ChannelRecord;
    data: JsonObject;
    commandName: string | null;
    customId: string | null;
    sourceMessage: MessageRecord | null;
    locale: string | undefined;
  }): InteractionRecord {
    const { user, channel } = input;
    const guildId = channel.guildId;
    const now = Date.now();
    const id = this.store.ids.next(now);
    const token = Buffer.from(`interaction:${id}:${randomBytes(48).toString('base64url')}`).toString('base64url');
    // A user interacting in a guild is a member of it (joining with @everyone's permissions).
    if (guildId) this.store.ensureMember(guildId, user.id);
    const memberPermissions = guildId ? this.store.permissionsOf(guildId, user.id).toString() : '0';
    const payload: JsonObject = {
      // The bot's permissions in the channel; in DMs those Discord grants apps there (here: all).
      app_permissions: guildId ? this.store.permissionsOf(guildId, this.config.botUserId).toString() : ALL_PERMISSIONS,
      application_id: this.config.applicationId,
      attachment_size_limit: this.config.attachmentSizeLimit,
      authorizing_integration_owners: guildId ? { '0': guildId } : { '1': user.id },
      // The invoking member's permissions in the channel (no overwrites: the guild's).
      channel: { ...this.store.channelObject(channel), ...(guildId ? { permissions: memberPermissions } : {}) },
      channel_id: channel.id,
      context: guildId ? 0 : 1,
      data: input.data,
      entitlement_sku_ids: [],
      entitlements: [],
      id,
      locale: input.locale ?? 'en-US',
      token,
      type: input.type,
      version: 1,
    };
    if (guildId) {
      const guild = this.store.guilds.get(guildId);
      const member = this.store.ensureMember(guildId, user.id);
      payload.guild_id = guildId;
      payload.guild = { id: guildId, locale: guild?.preferredLocale ?? 'en-US', features: [] };
      payload.guild_locale = guild?.preferredLocale ?? 'en-US';
      payload.member = this.store.memberObject(member, { withUser: true, withPermissions: true });
    } else {
      payload.user = this.store.userObject(user);
    }
    if (input.sourceMessage) payload.message = this.store.messageObject(input.sourceMessage);
    const record: InteractionRecord = {
      id,
      token,
      applicationId: this.config.applicationId,
      type: input.type,
      kind: input.kind,
      guildId,
      channelId: channel.id,
      userId: user.id,
      commandName: input.commandName,
      customId: input.customId,
      payload,
      createdAt: now,
      deadlineAt: now + this.config.interactionDeadlineMs,
      deliveredAt: null,
      attempts: [],
      response: null,
      originalMessageId: null,
      sourceMessageId: input.sourceMessage?.id ?? null,
      followUpIds: [],
      modal: null,
    };
    this.store.interactions.set(id, record);
    this.store.interactionsByToken.set(token, record);
    return record;
  }

  resolveUser(ref: string | { id: string }): UserRecord {
    const id = typeof ref === 'string' ? ref : ref.id;
    const user = this.store.users.get(id);
    if (!user) throw new Error(`unknown user ${id}; add it with addUser() first`);
    return user;
  }

  resolveChannel(channelId: string, guildId: string | undefined): ChannelRecord {
    const channel = this.store.channels.get(channelId);
    if (!channel) throw new Error(`unknown channel ${channelId}`);
    if (guildId !== undefined && channel.guildId !== guildId) {
      throw new Error(`channel ${channelId} is not in guild ${guildId}`);
    }
    return channel;
  }

  private assertReachable(channel: ChannelRecord): void {
    if (this.dispatcher && !this.dispatcher.hasSessionFor(channel.guildId)) {
      throw new Error('no gateway session would receive this interaction (is the bot logged in?)');
    }
  }

  /** Builds `data.options` of a command interaction, typed from the registered definition. */
  private buildOptions(
    inputs: CommandOptionInput[] | undefined,
    defs: unknown,
    ctx: { guildId: string | null; channelId: string; autocomplete: boolean; path: string; resolved: JsonObject; uploads: CommandAttachmentRecord[] },
  ): { options: JsonObject[]; focused: number } {
    const definitions = Array.isArray(defs) ? defs.filter(isRecord) : null;
    let focused = 0;
    const options: JsonObject[] = [];
    for (const input of inputs ?? []) {
      const def = definitions?.find((d) => d.name === input.name);
      if (definitions && !def) throw new Error(`${ctx.path}: the command has no option "${input.name}"`);
      const type = input.type ?? (typeof def?.type === 'number' ? def.type : undefined);
      if (type === undefined) throw new Error(`${ctx.path}: option "${input.name}" needs a type (command not registered)`);
      if (def && def.type !== type) throw new Error(`${ctx.path}: option "${input.name}" is of type ${String(def.type)}, not ${type}`);
      const out: JsonObject = { name: input.name, type };
      if (type === CommandOptionType.Subcommand || type === CommandOptionType.SubcommandGroup) {
        const nested = this.buildOptions(input.options, def ? (def.options ?? []) : null, { ...ctx, path: `${ctx.path} ${input.name}` });
        out.options = nested.options;
        focused += nested.focused;
      } else if (type === CommandOptionType.Attachment && !input.focused) {
        // The client uploads the file first; the option's value is the attachment's id.
        if (input.attachment === undefined) throw new Error(`${ctx.path}: attachment option "${input.name}" needs attachment: { filename, data }`);
        const upload = this.uploadCommandAttachment(input.attachment, ctx.channelId, `${ctx.path}: option "${input.name}"`);
        ctx.uploads.push(upload);
        const bucket = isRecord(ctx.resolved.attachments) ? (ctx.resolved.attachments as JsonObject) : {};
        bucket[upload.id] = this.store.attachmentObject(upload);
        ctx.resolved.attachments = bucket;
        out.value = upload.id;
      } else {
        if (input.value === undefined) throw new Error(`${ctx.path}: option "${input.name}" needs a value`);
        if (input.focused) {
          if (def && def.autocomplete !== true) throw new Error(`${ctx.path}: option "${input.name}" has no autocomplete`);
          focused += 1;
          out.value = String(input.value); // what the user has typed so far
          out.focused = true;
        } else {
          out.value = this.checkOptionValue(input, type, def, ctx);
        }
      }
      options.push(out);
    }
    if (definitions && !ctx.autocomplete) {
      const hasSub = definitions.some((d) => d.type === 1 || d.type === 2);
      if (hasSub && options.length !== 1) throw new Error(`${ctx.path}: choose exactly one subcommand`);
      for (const d of definitions) {
        if (d.required === true && !options.some((o) => o.name === d.name)) {
          throw new Error(`${ctx.path}: required option "${String(d.name)}" is missing`);
        }
      }
    }
    return { options, focused };
  }

  private checkOptionValue(
    input: CommandOptionInput,
    type: number,
    def: Record<string, unknown> | undefined,
    ctx: { guildId: string | null; path: string; resolved: JsonObject },
  ): string | number | boolean {
    if (type === CommandOptionType.Attachment) throw new Error(`${ctx.path}: option "${input.name}" takes attachment: { filename, data }, not a value`);
    const value = input.value;
    const where = `${ctx.path}: option "${input.name}"`;
    const need = (ok: boolean, what: string): void => {
      if (!ok) throw new Error(`${where} must be ${what}, got ${JSON.stringify(value)}`);
    };
    switch (type) {
      case CommandOptionType.String:
        need(typeof value === 'string', 'a string');
        if (def && typeof def.max_length === 'number') need((value as string).length <= def.max_length, `at most ${def.max_length} long`);
        if (def && typeof def.min_length === 'number') need((value as string).length >= def.min_length, `at least ${def.min_length} long`);
        break;
      case CommandOptionType.Integer:
        need(typeof value === 'number' && Number.isSafeInteger(value), 'an integer');
        break;
      case CommandOptionType.Number:
        need(typeof value === 'number' && Number.isFinite(value), 'a number');
        break;
      case CommandOptionType.Boolean:
        need(typeof value === 'boolean', 'a boolean');
        break;
      case CommandOptionType.User:
      case CommandOptionType.Channel:
      case CommandOptionType.Role:
      case CommandOptionType.Mentionable:
        need(typeof value === 'string', 'an id');
        this.addResolved(type, value as string, ctx);
        break;
      default:
        throw new Error(`${where}: unknown option type ${type}`);
    }
    if (typeof value === 'number' && def) {
      if (typeof def.min_value === 'number') need(value >= def.min_value, `>= ${def.min_value}`);
      if (typeof def.max_value === 'number') need(value <= def.max_value, `<= ${def.max_value}`);
    }
    if (def && Array.isArray(def.choices) && def.choices.length > 0) {
      need(def.choices.some((c) => isRecord(c) && c.value === value), 'one of the choices');
    }
    return value as string | number | boolean;
  }

  private addResolved(type: number, id: string, ctx: { guildId: string | null; resolved: JsonObject }): void {
    const bucket = (name: string): JsonObject => {
      const existing = ctx.resolved[name];
      if (isRecord(existing)) return existing as JsonObject;
      const created: JsonObject = {};
      ctx.resolved[name] = created;
      return created;
    };
    const user = this.store.users.get(id);
    if ((type === CommandOptionType.User || type === CommandOptionType.Mentionable) && user) {
      bucket('users')[id] = this.store.userObject(user);
      const member = ctx.guildId ? this.store.member(ctx.guildId, id) : undefined;
      if (member) bucket('members')[id] = this.store.memberObject(member, { withUser: false, withPermissions: true });
      return;
    }
    const guild = ctx.guildId ? this.store.guilds.get(ctx.guildId) : undefined;
    const role = guild?.roles.find((r) => r.id === id);
    if ((type === CommandOptionType.Role || type === CommandOptionType.Mentionable) && role) {
      bucket('roles')[id] = this.store.roleObject(role);
      return;
    }
    const channel = this.store.channels.get(id);
    if (type === CommandOptionType.Channel && channel) {
      bucket('channels')[id] = { ...this.store.channelObject(channel), permissions: ALL_PERMISSIONS };
      return;
    }
    throw new Error(`option value ${id} does not name a known ${type === 7 ? 'channel' : type === 8 ? 'role' : 'user'}`);
  }

  createCommandInteraction(input: {
    user: string | { id: string };
    guildId?: string;
    channelId: string;
    name: string;
    options?: CommandOptionInput[];
    locale?: string;
    autocomplete: boolean;
  }): InteractionRecord {
    const user = this.resolveUser(input.user);
    const channel = this.resolveChannel(input.channelId, input.guildId);
    const command = this.findCommand(input.name, channel.guildId);
    if (!command && this.config.requireRegisteredCommands) {
      throw new Error(`slash command "${input.name}" is not registered for this place (global or guild ${channel.guildId ?? '-'})`);
    }
    this.assertReachable(channel);
    const resolved: JsonObject = {};
    const uploads: CommandAttachmentRecord[] = [];
    const { options, focused } = this.buildOptions(input.options, command ? (command.data.options ?? []) : null, {
      guildId: channel.guildId,
      channelId: channel.id,
      autocomplete: input.autocomplete,
      path: `/${input.name}`,
      resolved,
      uploads,
    });
    if (input.autocomplete && focused !== 1) throw new Error('autocomplete needs exactly one option with focused: true');
    if (!input.autocomplete && focused !== 0) throw new Error('focused options only exist in autocomplete interactions');
    const data: JsonObject = {
      id: command?.id ?? this.store.ids.next(),
      name: input.name,
      type: 1,
      ...(options.length > 0 ? { options } : {}),
      ...(Object.keys(resolved).length > 0 ? { resolved } : {}),
      ...(command?.guildId ? { guild_id: command.guildId } : {}),
    };
    const record = this.newInteraction({
      kind: input.autocomplete ? 'autocomplete' : 'command',
      type: input.autocomplete ? 4 : 2,
      user,
      channel,
      data,
      commandName: input.name,
      customId: null,
      sourceMessage: null,
      locale: input.locale,
    });
    for (const upload of uploads) upload.interactionId = record.id;
    return record;
  }

  /**
   * A file a user gives an attachment option: stored as an ephemeral attachment, served at a signed
   * CDN-style URL (`/ephemeral-attachments/<channel>/<id>/<name>?ex=&is=&hm=`).
   */
  private uploadCommandAttachment(input: AttachmentInput, channelId: string, where: string): CommandAttachmentRecord {
    if (typeof input.filename !== 'string' || input.filename === '') throw new Error(`${where}: the attachment needs a filename`);
    const data = typeof input.data === 'string' ? Buffer.from(input.data, 'utf8') : Buffer.from(input.data);
    if (data.length > this.config.userUploadLimit) {
      throw new Error(`${where}: ${data.length} bytes is over the user's upload limit (${this.config.userUploadLimit}; see userUploadLimit)`);
    }
    const id = this.store.ids.next();
    const filename = input.filename.replace(/[^\w.-]+/g, '_');
    const issued = Math.floor(Date.now() / 1000);
    const expires = issued + 24 * 60 * 60;
    const path = `/ephemeral-attachments/${channelId}/${id}/${encodeURIComponent(filename)}`;
    const signature = createHmac('sha256', this.config.token).update(`${path}:${expires}`).digest('hex');
    const url = `${this.config.baseUrl()}${path}?ex=${expires.toString(16)}&is=${issued.toString(16)}&hm=${signature}`;
    const size = imageSize(data);
    const record: CommandAttachmentRecord = {
      id,
      filename,
      description: null,
      contentType: contentTypeFor(filename, input.contentType ?? null),
      size: input.reportedSize ?? data.length,
      url,
      proxyUrl: url.replace(this.config.baseUrl(), `${this.config.baseUrl()}/media-proxy`),
      width: size?.width ?? null,
      height: size?.height ?? null,
      ephemeral: true,
      data,
      channelId,
      interactionId: null,
      signature,
    };
    this.store.commandAttachments.set(id, record);
    return record;
  }

  resolveMessage(ref: string | { id: string }): MessageRecord {
    const id = typeof ref === 'string' ? ref : ref.id;
    const message = this.store.messages.get(id);
    if (!message) throw new Error(`unknown message ${id}`);
    if (message.deleted) throw new Error(`message ${id} was deleted`);
    return message;
  }

  /** Finds a component by custom_id anywhere in a message (rows, containers, section accessories). */
  static findComponent(components: Json[], customId: string): JsonObject | undefined {
    for (const c of components) {
      if (!isRecord(c)) continue;
      const comp = c as JsonObject;
      if (comp.custom_id === customId && comp.type !== ComponentType.ActionRow) return comp;
      const nested: Json[] = [];
      if (Array.isArray(comp.components)) nested.push(...comp.components);
      if (comp.accessory !== undefined) nested.push(comp.accessory);
      if (comp.component !== undefined) nested.push(comp.component);
      const found = Core.findComponent(nested, customId);
      if (found) return found;
    }
    return undefined;
  }

  createComponentInteraction(input: {
    user: string | { id: string };
    message: string | { id: string };
    customId: string;
    values?: string[];
    expect: 'button' | 'select';
    locale?: string;
    /** A click or pick Discord would never deliver: the custom_id need not be on the message, a select's values are not checked (see forgeButtonClick, forgeSelectMenu). */
    forged?: boolean;
  }): InteractionRecord {
    const user = this.resolveUser(input.user);
    const message = this.resolveMessage(input.message);
    const channel = this.resolveChannel(message.channelId, undefined);
    if (message.authorId !== this.config.botUserId) throw new Error(`message ${message.id} was not sent by the bot`);
    const forged = input.forged === true;
    const component = forged ? { type: input.expect === 'button' ? ComponentType.Button : ComponentType.StringSelect, custom_id: input.customId } : Core.findComponent(message.components, input.customId);
    if (!component) throw new Error(`message ${message.id} has no component with custom_id "${input.customId}"`);
    if (component.disabled === true) throw new Error(`component "${input.customId}" is disabled`);
    const type = component.type;
    if (typeof type !== 'number') throw new Error(`component "${input.customId}" has no type`);
    const data: JsonObject = { custom_id: input.customId, component_type: type };
    if (input.expect === 'button') {
      if (type !== ComponentType.Button) throw new Error(`component "${input.customId}" is not a button (type ${type})`);
    } else {
      if (![3, 5, 6, 7, 8].includes(type)) throw new Error(`component "${input.customId}" is not a select menu (type ${type})`);
      const values = input.values ?? [];
      const min = typeof component.min_values === 'number' ? component.min_values : 1;
      const max = typeof component.max_values === 'number' ? component.max_values : 1;
      if (!forged && (values.length < min || values.length > max)) {
        throw new Error(`select "${input.customId}" takes ${min}..${max} values, got ${values.length}`);
      }
      if (forged) {
        // Whatever a modified client claims: any number of values, any strings.
      } else if (type === ComponentType.StringSelect) {
        const allowed = new Set(
          records(component.options).map((o) => String(o.value)),
        );
        for (const v of values) if (!allowed.has(v)) throw new Error(`select "${input.customId}" has no option "${v}"`);
      } else {
        const resolved: JsonObject = {};
        const kind = type === 5 ? 6 : type === 6 ? 8 : type === 8 ? 7 : 9;
        for (const v of values) this.addResolved(kind, v, { guildId: channel.guildId, resolved });
        data.resolved = resolved;
      }
      data.values = values;
    }
    this.assertReachable(channel);
    return this.newInteraction({
      kind: 'component',
      type: 3,
      user,
      channel,
      data,
      commandName: null,
      customId: input.customId,
      sourceMessage: message,
      locale: input.locale,
    });
  }

  createModalSubmit(input: {
    user: string | { id: string };
    interaction: string | { id: string };
    values: Record<string, string | string[]>;
    locale?: string;
  }): InteractionRecord {
    const parentId = typeof input.interaction === 'string' ? input.interaction : input.interaction.id;
    const parent = this.store.interactions.get(parentId);
    if (!parent?.modal) throw new Error(`interaction ${parentId} was not answered with a modal`);
    const user = this.resolveUser(input.user);
    const channel = this.resolveChannel(parent.channelId, undefined);
    const modal = parent.modal;
    const seen = new Set<string>();
    const components: JsonObject[] = [];
    for (const row of records(modal.components)) {
      // Text inputs sit in an action row (legacy) or a label; labels may also hold a select menu.
      const field = row.type === ComponentType.Label ? row.component : records(row.components)[0];
      if (!isRecord(field) || typeof field.custom_id !== 'string') continue; // text displays submit nothing
      const customId = field.custom_id;
      const given = input.values[customId];
      seen.add(customId);
      let submitted: JsonObject;
      if (field.type === ComponentType.TextInput) {
        const value = Array.isArray(given) ? given.join('') : (given ?? '');
        if (field.required !== false && value === '') throw new Error(`modal input "${customId}" is required`);
        submitted = { type: ComponentType.TextInput, custom_id: customId, value };
      } else {
        const values = given === undefined ? [] : Array.isArray(given) ? given : [given];
        if (field.required !== false && values.length === 0) throw new Error(`modal select "${customId}" is required`);
        submitted = { type: field.type as number, custom_id: customId, values };
      }
      components.push(
        row.type === ComponentType.Label
          ? { type: ComponentType.Label, component: submitted }
          : { type: ComponentType.ActionRow, components: [submitted] },
      );
    }
    for (const key of Object.keys(input.values)) if (!seen.has(key)) throw new Error(`modal has no input "${key}"`);
    const source = parent.sourceMessageId ? this.store.messages.get(parent.sourceMessageId) : undefined;
    this.assertReachable(channel);
    return this.newInteraction({
      kind: 'modal_submit',
      type: 5,
      user,
      channel,
      data: { custom_id: typeof modal.custom_id === 'string' ? modal.custom_id : '', components },
      commandName: null,
      customId: typeof modal.custom_id === 'string' ? modal.custom_id : null,
      sourceMessage: source && !source.deleted ? source : null,
      locale: input.locale,
    });
  }

  // ==========================================================================================
  // Interaction callback: POST /interactions/:id/:token/callback

  interactionCallback(
    interactionId: string,
    token: string,
    body: unknown,
    files: UploadedFile[],
    withResponse: boolean,
  ): JsonObject | null {
    const record = this.store.interactions.get(interactionId);
    if (!record || record.token !== token) throw DiscordHttpError.unknownInteraction();
    const now = Date.now();
    const type = isRecord(body) && typeof body.type === 'number' ? body.type : null;
    const attempt = { type, at: now, elapsedMs: now - record.createdAt };
    try {
      const result = this.acceptCallback(record, body, files, withResponse, now);
      record.attempts.push({ ...attempt, accepted: true, status: withResponse ? 200 : 204, code: null, message: null });
      this.events.emit('attempt', record);
      this.events.emit('callback', record);
      return result;
    } catch (error) {
      if (error instanceof DiscordHttpError) {
        record.attempts.push({ ...attempt, accepted: false, status: error.status, code: error.code, message: error.message });
        this.events.emit('attempt', record);
      }
      throw error;
    }
  }

  private allowedCallbackTypes(record: InteractionRecord): number[] {
    switch (record.kind) {
      case 'command':
        return [4, 5, 9];
      case 'component':
        return [4, 5, 6, 7, 9];
      case 'autocomplete':
        return [8];
      case 'modal_submit':
        return record.sourceMessageId ? [4, 5, 6, 7] : [4, 5];
    }
  }

  private acceptCallback(
    record: InteractionRecord,
    body: unknown,
    files: UploadedFile[],
    withResponse: boolean,
    now: number,
  ): JsonObject | null {
    if (record.response) throw DiscordHttpError.alreadyAcknowledged();
    if (now > record.deadlineAt) throw DiscordHttpError.unknownInteraction();
    if (!isRecord(body)) throw DiscordHttpError.fieldError(['type'], 'BASE_TYPE_REQUIRED', 'This field is required');
    const type = body.type;
    if (type === undefined) throw DiscordHttpError.fieldError(['type'], 'BASE_TYPE_REQUIRED', 'This field is required');
    if (typeof type !== 'number' || !KNOWN_CALLBACK_TYPES.includes(type)) {
      throw DiscordHttpError.fieldError(['type'], 'BASE_TYPE_CHOICES', `Value must be one of {${KNOWN_CALLBACK_TYPES.join(', ')}}.`);
    }
    if (!this.allowedCallbackTypes(record).includes(type)) {
      throw DiscordHttpError.fieldError(['type'], 'INTERACTION_RESPONSE_TYPE_INVALID', 'Interaction response type is invalid for this interaction');
    }
    const data = body.data;
    const source = record.sourceMessageId ? this.store.messages.get(record.sourceMessageId) : undefined;
    let message: MessageRecord | null = null;
    switch (type) {
      case CallbackType.ChannelMessageWithSource:
        message = this.createMessage(record.channelId, data ?? {}, files, {
          authorId: this.config.botUserId,
          type: record.kind === 'command' ? 20 : 0,
          cause: 'callback 4',
          interaction: record,
          allowEphemeral: true,
        });
        record.originalMessageId = message.id;
        break;
      case CallbackType.DeferredChannelMessageWithSource: {
        const flags = isRecord(data) && typeof data.flags === 'number' ? data.flags & MessageFlag.Ephemeral : 0;
        message = this.createMessage(record.channelId, {}, [], {
          authorId: this.config.botUserId,
          type: record.kind === 'command' ? 20 : 0,
          cause: 'callback 5',
          interaction: record,
          allowEphemeral: true,
          forceFlags: MessageFlag.Loading | flags,
        });
        record.originalMessageId = message.id;
        break;
      }
      case CallbackType.DeferredUpdateMessage:
        record.originalMessageId = source?.id ?? null;
        message = source ?? null;
        break;
      case CallbackType.UpdateMessage:
        if (!source || source.deleted) throw DiscordHttpError.unknownMessage();
        message = this.editMessage(source, data ?? {}, files, 'callback 7', ['data']);
        record.originalMessageId = source.id;
        break;
      case CallbackType.AutocompleteResult: {
        const errors = new FormErrors();
        validateAutocompleteData(errors, ['data'], data);
        errors.throwIfAny();
        break;
      }
      case CallbackType.Modal: {
        const errors = new FormErrors();
        validateModalData(errors, ['data'], data);
        errors.throwIfAny();
        record.modal = structuredClone(data) as JsonObject;
        break;
      }
      default:
        throw DiscordHttpError.fieldError(['type'], 'INTERACTION_RESPONSE_TYPE_INVALID', 'Interaction response type is invalid for this interaction');
    }
    const response: CallbackRecord = {
      type,
      data: isRecord(data) ? (structuredClone(data) as JsonObject) : null,
      files: files.map(({ data: _d, ...rest }) => rest),
      at: now,
      elapsedMs: now - record.createdAt,
      withinDeadline: true,
      withResponse,
    };
    record.response = response;
    if (!withResponse) return null;
    const ephemeral = message ? (message.flags & MessageFlag.Ephemeral) !== 0 : false;
    return {
      interaction: {
        id: record.id,
        type: record.type,
        ...(message && type !== CallbackType.DeferredUpdateMessage
          ? {
              response_message_id: message.id,
              response_message_loading: (message.flags & MessageFlag.Loading) !== 0,
              response_message_ephemeral: ephemeral,
            }
          : {}),
      },
      resource: {
        type,
        ...(message && type !== CallbackType.DeferredUpdateMessage ? { message: this.store.messageObject(message) } : {}),
      },
    };
  }

  // ==========================================================================================
  // Interaction webhooks: /webhooks/:applicationId/:token[/messages/:messageId]

  private webhookInteraction(applicationId: string, token: string): InteractionRecord {
    if (applicationId !== this.config.applicationId) throw DiscordHttpError.unknownWebhook();
    const record = this.store.interactionsByToken.get(token);
    if (!record) throw DiscordHttpError.invalidWebhookToken();
    if (Date.now() > record.createdAt + this.config.interactionTokenTtlMs) throw DiscordHttpError.invalidWebhookToken();
    if (!record.response) throw DiscordHttpError.unknownWebhook();
    return record;
  }

  private webhookMessage(record: InteractionRecord, messageId: string): MessageRecord {
    const id = messageId === '@original' ? record.originalMessageId : messageId;
    if (!id || (id !== record.originalMessageId && !record.followUpIds.includes(id))) throw DiscordHttpError.unknownMessage();
    const message = this.store.messages.get(id);
    if (!message || message.deleted) throw DiscordHttpError.unknownMessage();
    return message;
  }

  webhookGetMessage(applicationId: string, token: string, messageId: string): JsonObject {
    const record = this.webhookInteraction(applicationId, token);
    return this.store.messageObject(this.webhookMessage(record, messageId));
  }

  webhookEditMessage(applicationId: string, token: string, messageId: string, body: unknown, files: UploadedFile[]): JsonObject {
    const record = this.webhookInteraction(applicationId, token);
    const message = this.webhookMessage(record, messageId);
    const cause = messageId === '@original' ? 'PATCH @original' : 'PATCH follow-up';
    return this.store.messageObject(this.editMessage(message, body, files, cause));
  }

  webhookDeleteMessage(applicationId: string, token: string, messageId: string): void {
    const record = this.webhookInteraction(applicationId, token);
    this.deleteMessage(this.webhookMessage(record, messageId));
  }

  webhookExecute(applicationId: string, token: string, body: unknown, files: UploadedFile[]): JsonObject {
    const record = this.webhookInteraction(applicationId, token);
    const response = record.response;
    if (response && (response.type === CallbackType.AutocompleteResult || response.type === CallbackType.Modal)) {
      throw DiscordHttpError.unknownWebhook();
    }
    const original = record.originalMessageId ? this.store.messages.get(record.originalMessageId) : undefined;
    if (
      response?.type === CallbackType.DeferredChannelMessageWithSource &&
      original &&
      !original.deleted &&
      (original.flags & MessageFlag.Loading) !== 0
    ) {
      // Discord: the first follow-up after a deferred reply edits the loading message instead of
      // creating one, keeping the ephemeral choice made when deferring.
      return this.store.messageObject(this.editMessage(original, body, files, 'POST follow-up (edits deferred @original)'));
    }
    const message = this.createMessage(record.channelId, body, files, {
      authorId: this.config.botUserId,
      type: 0,
      cause: 'POST follow-up',
      interaction: record,
      allowEphemeral: true,
    });
    record.followUpIds.push(message.id);
    this.events.emit('followUp', record);
    return this.store.messageObject(message);
  }
}
