// Public types of the Discord emulator: options, state records and driver inputs.
// API payloads use Discord's own snake_case shapes (typed loosely as JSON objects), records kept by
// the emulator use camelCase.
import type { PermissionInput } from './permissions.js';

export type { PermissionInput, PermissionName } from './permissions.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface DiscordEmulatorOptions {
  /** Bot token expected in `Authorization: Bot <token>` and in IDENTIFY. Default: a token-shaped string. */
  token?: string;
  /** Default: same as botUserId (as for every application created since 2019). */
  applicationId?: string;
  /** Default '1100000000000000001'. */
  botUserId?: string;
  botUsername?: string;
  /** HELLO heartbeat_interval. Default 41250 like Discord; tests use ~1000. */
  heartbeatIntervalMs?: number;
  /** A connection without a heartbeat for this long is closed with 4009. Default 2 × interval + 1 s. */
  heartbeatTimeoutMs?: number;
  /** Time to answer an interaction (first callback). Default 3000. */
  interactionDeadlineMs?: number;
  /** Lifetime of an interaction token for follow-ups and edits. Default 15 minutes. */
  interactionTokenTtlMs?: number;
  /** How long a disconnected gateway session stays resumable. Default 5 minutes. */
  sessionResumeWindowMs?: number;
  /** Per-bucket REST limit. Default { limit: 50, windowMs: 1000 }; `false` sends headers but never 429s. */
  rateLimit?: false | { limit: number; windowMs: number };
  /** Privileged intents enabled for the application in the developer portal (bits 1, 8, 15). Default all three. */
  privilegedIntents?: number;
  /** Max upload size per attachment, bytes. Default 10 MiB (Discord's default for bots). */
  attachmentSizeLimit?: number;
  /**
   * Largest file a user may give an attachment option, bytes (what the Discord client lets them
   * upload). Default 10 MiB (no Nitro); Nitro Basic is 50 MB, Nitro 500 MiB.
   */
  userUploadLimit?: number;
  /** Driver refuses to invoke slash commands that are not registered (Discord cannot show them). Default true. */
  requireRegisteredCommands?: boolean;
  /** `shards` of GET /gateway/bot: the shard count Discord recommends. Default 1. */
  recommendedShards?: number;
  /** `session_start_limit.max_concurrency` of GET /gateway/bot (IDENTIFYs per 5 s). Default 1. */
  maxConcurrency?: number;
  /** Default 0 (random). Host is always 127.0.0.1. */
  port?: number;
}

export interface UserRecord {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
  avatar: string | null;
  /** The DM channel between this user and the bot (created with the user). */
  dmChannelId: string;
  /**
   * The user takes no DMs from the bot (Discord: "Allow direct messages from server members" off, or
   * the bot blocked): the bot's messages to the DM channel are refused with 403 / 50007.
   */
  dmsClosed?: boolean;
}

export interface MemberRecord {
  guildId: string;
  userId: string;
  nick: string | null;
  roles: string[];
  joinedAt: string;
}

export interface ChannelRecord {
  id: string;
  type: number; // 0 GUILD_TEXT, 1 DM, 2 GUILD_VOICE, 4 GUILD_CATEGORY, 5 GUILD_ANNOUNCEMENT, 15 GUILD_FORUM
  guildId: string | null;
  name: string | null;
  parentId: string | null;
  topic: string | null;
  position: number;
  nsfw: boolean;
  recipientId: string | null;
  lastMessageId: string | null;
}

export interface RoleRecord {
  id: string;
  name: string;
  permissions: string;
  position: number;
  color: number;
  /** The bot's own role, which Discord creates when the bot joins (managed, tagged with the bot's id). */
  botId?: string;
}

export interface GuildRecord {
  id: string;
  name: string;
  ownerId: string;
  channelIds: string[];
  roles: RoleRecord[];
  preferredLocale: string;
  joinedAt: string;
}

export interface ChannelInput {
  id: string;
  name: string;
  /** Default 0 (GUILD_TEXT). */
  type?: number;
  parentId?: string;
  topic?: string;
  nsfw?: boolean;
}

export interface GuildInput {
  id: string;
  name: string;
  channels?: ChannelInput[];
  /** The guild owner: every permission. Default: the bot. */
  ownerId?: string;
  preferredLocale?: string;
  /**
   * What the bot's managed role allows (names, a bitfield, or its decimal string); the interactions'
   * `app_permissions`. Default: every permission (as if invited with Administrator).
   */
  botPermissions?: PermissionInput;
}

export interface UserInput {
  id: string;
  username: string;
  globalName?: string | null;
  bot?: boolean;
}

export interface AttachmentRecord {
  id: string;
  filename: string;
  description: string | null;
  contentType: string | null;
  size: number;
  url: string;
  proxyUrl: string;
  width: number | null;
  height: number | null;
  ephemeral: boolean;
  data: Buffer;
}

/** One state of a message: index 0 of `history` is how it was created, each later entry one edit. */
export interface MessageRevision {
  at: number;
  /** What made this revision: the REST route or interaction callback type. */
  cause: string;
  content: string;
  embeds: JsonObject[];
  components: JsonObject[];
  attachments: Omit<AttachmentRecord, 'data'>[];
  flags: number;
}

export interface MessageRecord {
  id: string;
  channelId: string;
  guildId: string | null;
  authorId: string;
  webhookId: string | null;
  applicationId: string | null;
  type: number;
  content: string;
  embeds: JsonObject[];
  components: JsonObject[];
  attachments: AttachmentRecord[];
  flags: number;
  tts: boolean;
  createdAt: number;
  editedAt: number | null;
  deleted: boolean;
  /** The interaction this message answers (original response or follow-up). */
  interactionId: string | null;
  referencedMessageId: string | null;
  history: MessageRevision[];
}

/** A file a user gave an attachment option of a slash command (an ephemeral attachment). */
export interface CommandAttachmentRecord extends AttachmentRecord {
  channelId: string;
  /** The interaction it came with. */
  interactionId: string | null;
  /** Its CDN URL's signature (`hm`); the URL answers 404 without it, as Discord's signed links do. */
  signature: string;
}

export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string | null;
  data: Buffer;
}

export interface CallbackRecord {
  /** 1 PONG, 4 CHANNEL_MESSAGE_WITH_SOURCE, 5 DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, 6 DEFERRED_UPDATE_MESSAGE,
   *  7 UPDATE_MESSAGE, 8 APPLICATION_COMMAND_AUTOCOMPLETE_RESULT, 9 MODAL */
  type: number;
  data: JsonObject | null;
  files: Omit<UploadedFile, 'data'>[];
  at: number;
  /** Milliseconds between the interaction's creation and this callback. */
  elapsedMs: number;
  withinDeadline: boolean;
  withResponse: boolean;
}

/** Every POST to /interactions/:id/:token/callback, accepted or refused. */
export interface CallbackAttempt {
  type: number | null;
  at: number;
  elapsedMs: number;
  accepted: boolean;
  status: number;
  code: number | null;
  message: string | null;
}

export type InteractionKind = 'command' | 'component' | 'autocomplete' | 'modal_submit';

export interface InteractionRecord {
  id: string;
  token: string;
  applicationId: string;
  /** Discord interaction type: 2 APPLICATION_COMMAND, 3 MESSAGE_COMPONENT, 4 AUTOCOMPLETE, 5 MODAL_SUBMIT. */
  type: number;
  kind: InteractionKind;
  guildId: string | null;
  channelId: string;
  userId: string;
  commandName: string | null;
  customId: string | null;
  /** The `d` of the INTERACTION_CREATE dispatch. */
  payload: JsonObject;
  createdAt: number;
  deadlineAt: number;
  /** When the dispatch went out on a live connection (null while only buffered for a resume). */
  deliveredAt: number | null;
  attempts: CallbackAttempt[];
  /** The accepted callback (an interaction can be acknowledged once). */
  response: CallbackRecord | null;
  /** Message that @original refers to: the reply (types 4/5) or the component's message (types 6/7). */
  originalMessageId: string | null;
  /** For component interactions: the message carrying the component. */
  sourceMessageId: string | null;
  followUpIds: string[];
  /** The MODAL data when answered with type 9. */
  modal: JsonObject | null;
}

export interface CommandRecord {
  id: string;
  applicationId: string;
  guildId: string | null;
  version: string;
  /** The command object as Discord returns it. */
  data: JsonObject;
}

export interface RestCall {
  at: number;
  method: string;
  /** Path after /api/v{n}, e.g. `/channels/123/messages`; the full path for non-API routes. */
  path: string;
  /** Route pattern, e.g. `/channels/:channelId/messages`. */
  route: string | null;
  version: number | null;
  query: Record<string, string>;
  authorized: boolean;
  /** JSON body, or the parsed `payload_json` of a multipart body. */
  body: unknown;
  files: Omit<UploadedFile, 'data'>[];
  status: number;
  response: unknown;
}

export interface GatewayConnectionInfo {
  id: number;
  openedAt: number;
  path: string;
  query: Record<string, string>;
  sessionId: string | null;
  /** 'identify' | 'resume' once the client authenticated. */
  auth: 'identify' | 'resume' | null;
  closedAt: number | null;
  /** Close code the connection ended with (1006 when it was dropped without a close frame). */
  closeCode: number | null;
  closedBy: 'client' | 'server' | null;
}

/** A gateway session as the emulator holds it (`emu.gatewaySessions`). */
export interface GatewaySessionInfo {
  id: string;
  /** [shard_id, num_shards] from IDENTIFY ([0, 1] without). */
  shard: [number, number];
  /** A connection is attached to the session now (open, authenticated). */
  connected: boolean;
  /** The session still receives events: connected, or disconnected within the resume window. */
  alive: boolean;
  /** Close code of its last connection, when it has none now. */
  closeCode: number | null;
  closedBy: 'client' | 'server' | null;
}

/** Options of a slash command / autocomplete interaction, in Discord's shape. `type` may be left out
 *  when the command is registered: it is then taken from the command's definition. */
export interface CommandOptionInput {
  name: string;
  type?: number;
  value?: string | number | boolean;
  /**
   * For an attachment option (type 11): the file the user picks. The emulator stores it, makes the
   * option's value its id and puts it in `data.resolved.attachments`, as Discord does.
   */
  attachment?: AttachmentInput;
  focused?: boolean;
  options?: CommandOptionInput[];
}

/** A file a user uploads into an attachment option. */
export interface AttachmentInput {
  filename: string;
  /** The bytes (a string is taken as UTF-8 text). */
  data: Uint8Array | string;
  /** What the user's client claims; Discord derives content_type from the file name first. */
  contentType?: string;
  /**
   * The size the interaction reports, when it should differ from the bytes served (what Discord never
   * does; for tests that a bot does not trust the reported size when downloading).
   */
  reportedSize?: number;
}

export type UserRef = string | UserRecord;
export type MessageRef = string | MessageRecord | { id: string };

export interface SlashCommandInput {
  user: UserRef;
  guildId?: string;
  channelId: string;
  name: string;
  options?: CommandOptionInput[];
  locale?: string;
}

export interface ComponentInput {
  user: UserRef;
  message: MessageRef;
  customId: string;
  locale?: string;
}

export interface SelectMenuInput extends ComponentInput {
  values: string[];
}

export interface ModalSubmitInput {
  user: UserRef;
  /** The interaction that was answered with a MODAL (type 9). */
  interaction: string | { id: string };
  /** custom_id of each text input → submitted value (select menus in labels: the chosen values). */
  values: Record<string, string | string[]>;
  locale?: string;
}

export interface AutocompleteResult {
  /** The choices of the type-8 callback, or null when none was accepted. */
  choices: JsonObject[] | null;
  /** True when the bot answered before the deadline (false also when it never answered). */
  withinDeadline: boolean;
  elapsedMs: number | null;
}
