// In-memory state of the emulated Discord and its rendering into Discord API objects.

import { ALL_PERMISSION_BITS, computePermissions, EVERYONE_PERMISSION_BITS } from './permissions.js';
import { SnowflakeGenerator } from './snowflake.js';
import type {
  AttachmentRecord,
  CommandAttachmentRecord,
  ChannelRecord,
  CommandRecord,
  GuildRecord,
  InteractionRecord,
  JsonObject,
  MemberRecord,
  MessageRecord,
  RoleRecord,
  UserRecord,
} from './types.js';

/** Every permission bit Discord defines — what the owner and an administrator see. */
export const ALL_PERMISSIONS = ALL_PERMISSION_BITS.toString();
/** @everyone default: view channel, send messages, read history, embed links, attach files, use app commands… */
export const EVERYONE_PERMISSIONS = EVERYONE_PERMISSION_BITS.toString();

export interface StoreConfig {
  botUserId: string;
  applicationId: string;
  /** http://127.0.0.1:<port>, known once the server listens. */
  baseUrl: () => string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export class Store {
  readonly ids = new SnowflakeGenerator();
  readonly users = new Map<string, UserRecord>();
  readonly guilds = new Map<string, GuildRecord>();
  readonly channels = new Map<string, ChannelRecord>();
  /** key `${guildId}:${userId}` */
  readonly members = new Map<string, MemberRecord>();
  readonly messages = new Map<string, MessageRecord>();
  readonly interactions = new Map<string, InteractionRecord>();
  readonly interactionsByToken = new Map<string, InteractionRecord>();
  readonly commands = new Map<string, CommandRecord>();
  /** Files users gave attachment options, by attachment id. */
  readonly commandAttachments = new Map<string, CommandAttachmentRecord>();

  constructor(readonly config: StoreConfig) {}

  // ------------------------------------------------------------------------------------------
  // Lookups

  user(id: string): UserRecord | undefined {
    return this.users.get(id);
  }

  member(guildId: string, userId: string): MemberRecord | undefined {
    return this.members.get(`${guildId}:${userId}`);
  }

  ensureMember(guildId: string, userId: string): MemberRecord {
    const key = `${guildId}:${userId}`;
    let member = this.members.get(key);
    if (!member) {
      member = { guildId, userId, nick: null, roles: [], joinedAt: iso(Date.now()) };
      this.members.set(key, member);
    }
    return member;
  }

  /**
   * A user's permissions in a guild as Discord computes them (see permissions.ts): the owner has all,
   * others @everyone's plus their roles'. 0 for a user who is not a member.
   */
  permissionsOf(guildId: string, userId: string): bigint {
    const guild = this.guilds.get(guildId);
    const member = this.member(guildId, userId);
    if (!guild || !member) return 0n;
    const roleBits = (id: string): bigint => BigInt(guild.roles.find((r) => r.id === id)?.permissions ?? '0');
    return computePermissions({ isOwner: guild.ownerId === userId, everyone: roleBits(guild.id), roles: member.roles.map(roleBits) });
  }

  guildMembers(guildId: string): MemberRecord[] {
    return [...this.members.values()].filter((m) => m.guildId === guildId);
  }

  channelMessages(channelId: string): MessageRecord[] {
    return [...this.messages.values()].filter((m) => m.channelId === channelId);
  }

  // ------------------------------------------------------------------------------------------
  // Rendering

  userObject(user: UserRecord): JsonObject {
    return {
      id: user.id,
      username: user.username,
      discriminator: '0',
      global_name: user.globalName,
      avatar: user.avatar,
      ...(user.bot ? { bot: true } : {}),
      public_flags: 0,
      flags: 0,
      banner: null,
      accent_color: null,
      avatar_decoration_data: null,
    };
  }

  /** The bot's own user as in READY and GET /users/@me. */
  botUserObject(): JsonObject {
    const bot = this.users.get(this.config.botUserId);
    if (!bot) throw new Error('bot user missing');
    return { ...this.userObject(bot), verified: true, mfa_enabled: false, email: null, locale: 'en-US', premium_type: 0 };
  }

  memberObject(member: MemberRecord, opts: { withUser: boolean; withPermissions?: boolean }): JsonObject {
    const user = this.users.get(member.userId);
    return {
      ...(opts.withUser && user ? { user: this.userObject(user) } : {}),
      nick: member.nick,
      avatar: null,
      banner: null,
      roles: member.roles,
      joined_at: member.joinedAt,
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      communication_disabled_until: null,
      unusual_dm_activity_until: null,
      ...(opts.withPermissions ? { permissions: this.permissionsOf(member.guildId, member.userId).toString() } : {}),
    };
  }

  roleObject(role: RoleRecord): JsonObject {
    return {
      id: role.id,
      name: role.name,
      color: role.color,
      colors: { primary_color: role.color, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position: role.position,
      permissions: role.permissions,
      managed: role.botId !== undefined,
      mentionable: false,
      ...(role.botId !== undefined ? { tags: { bot_id: role.botId } } : {}),
      flags: 0,
    };
  }

  channelObject(channel: ChannelRecord): JsonObject {
    if (channel.type === 1) {
      const recipient = channel.recipientId ? this.users.get(channel.recipientId) : undefined;
      return {
        id: channel.id,
        type: 1,
        last_message_id: channel.lastMessageId,
        flags: 0,
        recipients: recipient ? [this.userObject(recipient)] : [],
      };
    }
    return {
      id: channel.id,
      type: channel.type,
      guild_id: channel.guildId,
      name: channel.name,
      position: channel.position,
      permission_overwrites: [],
      parent_id: channel.parentId,
      nsfw: channel.nsfw,
      flags: 0,
      ...(channel.type === 0 || channel.type === 5
        ? { topic: channel.topic, last_message_id: channel.lastMessageId, rate_limit_per_user: 0 }
        : {}),
      ...(channel.type === 2 ? { bitrate: 64000, user_limit: 0, rtc_region: null } : {}),
    };
  }

  /** The guild as in GUILD_CREATE (guild object plus the extra gateway fields). */
  guildCreateObject(guild: GuildRecord): JsonObject {
    const channels = guild.channelIds
      .map((id) => this.channels.get(id))
      .filter((c): c is ChannelRecord => c !== undefined)
      .map((c) => {
        const obj = this.channelObject(c);
        delete obj.guild_id; // GUILD_CREATE channels omit guild_id
        return obj;
      });
    const members = this.guildMembers(guild.id).map((m) => this.memberObject(m, { withUser: true }));
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      icon_hash: null,
      splash: null,
      discovery_splash: null,
      owner_id: guild.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      widget_enabled: false,
      widget_channel_id: null,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: guild.roles.map((r) => this.roleObject(r)),
      emojis: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      max_presences: null,
      max_members: 500000,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      premium_subscription_count: 0,
      preferred_locale: guild.preferredLocale,
      public_updates_channel_id: null,
      max_video_channel_users: 25,
      max_stage_video_channel_users: 50,
      nsfw_level: 0,
      stickers: [],
      premium_progress_bar_enabled: false,
      safety_alerts_channel_id: null,
      incidents_data: null,
      // GUILD_CREATE extras
      joined_at: guild.joinedAt,
      large: false,
      unavailable: false,
      member_count: members.length,
      voice_states: [],
      members,
      channels,
      threads: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      lazy: true,
    };
  }

  attachmentObject(a: Omit<AttachmentRecord, 'data'>): JsonObject {
    return {
      id: a.id,
      filename: a.filename,
      size: a.size,
      url: a.url,
      proxy_url: a.proxyUrl,
      ...(a.contentType ? { content_type: a.contentType } : {}),
      ...(a.description ? { description: a.description } : {}),
      ...(a.width !== null ? { width: a.width, height: a.height } : {}),
      ...(a.ephemeral ? { ephemeral: true } : {}),
    };
  }

  messageObject(message: MessageRecord, opts: { gateway?: boolean } = {}): JsonObject {
    const author = this.users.get(message.authorId);
    const interaction = message.interactionId ? this.interactions.get(message.interactionId) : undefined;
    const obj: JsonObject = {
      type: message.type,
      channel_id: message.channelId,
      content: message.content,
      attachments: message.attachments.map((a) => this.attachmentObject(a)),
      embeds: message.embeds,
      timestamp: iso(message.createdAt),
      edited_timestamp: message.editedAt === null ? null : iso(message.editedAt),
      flags: message.flags,
      components: message.components,
      id: message.id,
      author: author ? this.userObject(author) : null,
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: message.tts,
    };
    if (message.webhookId) obj.webhook_id = message.webhookId;
    if (message.applicationId) obj.application_id = message.applicationId;
    if (message.referencedMessageId) {
      obj.message_reference = {
        type: 0,
        channel_id: message.channelId,
        message_id: message.referencedMessageId,
        ...(message.guildId ? { guild_id: message.guildId } : {}),
      };
    }
    if (interaction) {
      const user = this.users.get(interaction.userId);
      const userObj = user ? this.userObject(user) : null;
      const isOriginal = interaction.originalMessageId === message.id;
      obj.interaction_metadata = {
        id: interaction.id,
        type: interaction.type,
        user: userObj,
        authorizing_integration_owners: interaction.guildId ? { '0': interaction.guildId } : { '1': interaction.userId },
        ...(interaction.commandName ? { name: interaction.commandName, command_type: 1 } : {}),
        ...(!isOriginal && interaction.originalMessageId ? { original_response_message_id: interaction.originalMessageId } : {}),
        ...(interaction.sourceMessageId ? { interacted_message_id: interaction.sourceMessageId } : {}),
      };
      if (interaction.commandName) {
        obj.interaction = { id: interaction.id, type: interaction.type, name: interaction.commandName, user: userObj };
      }
    }
    if (opts.gateway && message.guildId) {
      obj.guild_id = message.guildId;
      const member = this.member(message.guildId, message.authorId);
      if (member && !message.webhookId) obj.member = this.memberObject(member, { withUser: false });
    }
    return obj;
  }
}
