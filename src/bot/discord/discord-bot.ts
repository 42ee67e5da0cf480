import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Partials,
  REST,
  Routes,
  SimpleIdentifyThrottler,
  type RESTGetAPIGatewayBotResult,
  type AttachmentPayload,
  type Channel,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type InteractionReplyOptions,
  type Message,
  type StringSelectMenuInteraction,
} from 'discord.js';
import type { Logger } from '../../logger.js';
import type { BotCore } from '../core/bot-core.js';
import type { DeliveryTarget } from '../core/notices.js';
import { EN, resolveLocale, translator, type Translator } from '../core/i18n/index.js';
import { rich, type ActionOutcome, type ChatRef, type MessageRef, type Reply, type ReplyFile } from '../core/types.js';
import type { PosterSource } from '../core/ports.js';
import { MENU_PREFIX, renderReply, type RenderedMessage } from './render.js';
import { createShardSupervisor, type ShardLeases, type ShardSupervisor } from './shards.js';
import { registerSlashCommands, slashCommandsFrom } from './slash-commands.js';
import { argsFromOptions, autocompleteText, isModerator, privateChatIdOf, toAttachment, toChatRef, toUserRef, userIdOfChat } from './to-core.js';

/**
 * The Discord adapter: discord.js lives here and only here. Slash commands, buttons, select menus and
 * autocomplete arrive over the gateway as interactions; each is acknowledged within Discord's 3
 * seconds (answered at once when the core is quick, deferred otherwise and edited when it is done)
 * and rendered as an embed with components. discord.js resumes dropped gateway sessions by itself;
 * while Discord cannot be reached at all, the adapter keeps trying in the background and the rest of
 * the service runs on.
 *
 * Gateway shards (src/bot/discord/shards.ts): one discord.js Client per shard this instance holds
 * (`shards: [id]`, `shardCount`), because discord.js 14 fixes a Client's shards when it logs in and
 * has no way to add one to a running Client; a shard taken over or given back is one Client started
 * or destroyed, leaving the others alone. Messages the service sends on its own (the outbox) go
 * through a REST-only Client that never connects to the gateway, so any instance can send and edit,
 * whichever instance holds the shard of the guild.
 */
export interface DiscordAdapterOptions {
  token: string;
  applicationId: string;
  /** `DISCORD_API_URL`, e.g. https://discord.com/api. */
  apiUrl: string;
  /** Register the commands to this guild only (they appear at once); null: globally. */
  guildId: string | null;
  core: BotCore;
  posters: PosterSource;
  logger: Logger;
  /** Gateway shards; left out: one instance, one shard (as before sharding). */
  sharding?: DiscordShardingOptions;
}

export interface DiscordShardingOptions {
  /**
   * `DISCORD_SHARD_COUNT`, or null: Discord's recommendation (`shards` of `GET /gateway/bot`) when
   * `leases` are shared with other instances, 1 when this instance is alone. With leases, the first
   * instance's count is stored and every instance uses it.
   */
  count: number | null;
  /** Leases shared by the instances of the bot on one database; null: this instance runs every shard. */
  leases: ShardLeases | null;
  /** `DISCORD_SHARD_LEASE_MS`: how long a shard stays held without renewal. */
  leaseMs: number;
  /** This instance's name in the leases (default: host, process id and a random part). */
  instanceId?: string;
}

/** A chat adapter's connection as `/readyz` and the metrics show it; `lastError` never holds the token. */
export interface AdapterStatus {
  connected: boolean;
  /** When `connected` last changed. */
  since?: string;
  lastError?: string;
}

export interface DiscordAdapter {
  readonly name: 'discord';
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Connected to the gateway, and the latest failure if any (`/readyz`). */
  status(): AdapterStatus;
  /** Outbox sender: messages the service sends on its own (link notices, late outcomes). */
  send(target: DeliveryTarget, reply: Reply): Promise<MessageRef>;
  /**
   * Outbox editor: replaces a message the bot sent earlier by channel id and message id (REST
   * `PATCH /channels/{channel.id}/messages/{message.id}`), so it works long after the interaction
   * token of a reply expired (15 minutes). Ephemeral messages have no such route: Discord lets only
   * their interaction token edit them.
   */
  edit(ref: MessageRef, reply: Reply): Promise<MessageRef>;
  /** Resolves once every interaction received so far is handled (tests). */
  idle(): Promise<void>;
  /** Shards this instance holds now (empty until connected). */
  shards(): number[];
}

/** Discord wants the first answer to an interaction within 3 s of its creation. */
const INTERACTION_DEADLINE_MS = 3_000;
/** Answer a command or a press directly if the core is done by then; defer otherwise. */
const DIRECT_ANSWER_MS = 1_500;
/** Autocomplete answers leave this much of the deadline for the request carrying them. */
const AUTOCOMPLETE_MARGIN_MS = 700;
const MAX_BACKOFF_MS = 30_000;
/** DM channel ids and channels the outbox remembers (oldest forgotten first); a forgotten one is asked for again. */
const MAX_KNOWN_DM_CHANNELS = 10_000;
const MAX_KNOWN_CHANNELS = 10_000;
/**
 * Discord's upload limit per file without server boosts (10 MiB since 2024). Interactions say the
 * limit where they happen (`attachment_size_limit`, boosts included); messages the service sends on
 * its own (the outbox) keep to this one.
 */
export const DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024;

const TIMEOUT = Symbol('timeout');

interface ShardConnection {
  client: Client | undefined;
  /** Its session is up (READY or RESUMED, not reconnecting). */
  up: boolean;
  halted: boolean;
  abort: AbortController;
  done: Promise<void>;
}

type Prepared = { reply: Reply; message: RenderedMessage; files: AttachmentPayload[]; ephemeral: boolean };

async function within<T>(work: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMEOUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMEOUT), Math.max(0, ms));
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Time left until `budgetMs` after the interaction's creation (its snowflake), bounded in case of clock skew. */
function budgetLeft(createdAt: number, budgetMs: number): number {
  const left = createdAt + budgetMs - Date.now();
  return Math.min(budgetMs, Math.max(100, left));
}

/** Already past the point where a direct answer is planned: acknowledge before any work. */
function isLate(createdAt: number): boolean {
  return Date.now() >= createdAt + DIRECT_ANSWER_MS;
}

/** What may be logged of an error: discord.js errors carry request URLs with interaction tokens. */
export function loggable(error: unknown): Record<string, unknown> {
  const scrub = (text: string) => text.replace(/[A-Za-z0-9_.-]{40,}/g, '[redacted]');
  if (error instanceof DiscordAPIError) return { name: error.name, code: error.code, status: error.status, method: error.method, message: scrub(error.message) };
  if (error instanceof Error) return { name: error.name, message: scrub(error.message), ...(error.stack ? { stack: scrub(error.stack) } : {}) };
  return { message: scrub(String(error)) };
}

function isCode(error: unknown, ...codes: number[]): boolean {
  return error instanceof DiscordAPIError && typeof error.code === 'number' && codes.includes(error.code);
}

const NO_MENTIONS = { parse: [] as [] };

function refOf(message: Pick<Message, 'channelId' | 'id'>): MessageRef {
  return { platform: 'discord', chatId: message.channelId, messageId: message.id };
}

function sizeText(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  if (mib >= 1) return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MB`;
  return `${Math.max(1, Math.floor(bytes / 1024))} KB`;
}

type CollectedFile = { data: Buffer } | { tooLarge: true } | { failed: unknown };

/**
 * A reply's file as one Buffer, read chunk by chunk and counted: past `limit` bytes reading stops
 * (what was read is dropped). discord.js would accept the chunks as a stream, but it gathers a stream
 * into one Buffer itself before uploading (DataResolver.resolveFile), so gathering here costs nothing
 * more and lets the limit be checked before anything is sent.
 */
async function collectFile(file: ReplyFile, limit: number): Promise<CollectedFile> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of file.content()) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      size += bytes.length;
      if (size > limit) return { tooLarge: true };
      chunks.push(bytes);
    }
  } catch (error) {
    return { failed: error };
  }
  return { data: Buffer.concat(chunks, size) };
}

function extensionOf(contentType: string): string {
  if (contentType.includes('png')) return 'png';
  if (contentType.includes('gif')) return 'gif';
  if (contentType.includes('jpeg') || contentType.includes('jpg')) return 'jpg';
  return 'webp';
}

export function createDiscordAdapter(options: DiscordAdapterOptions): DiscordAdapter {
  const { core, posters, logger } = options;
  const specs = new Map(core.commands.map((c) => [c.name, c]));
  const stopController = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const sharding: DiscordShardingOptions = options.sharding ?? { count: null, leases: null, leaseMs: 30_000 };
  const instanceId = sharding.instanceId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  /** Gateway connections, one discord.js Client per shard held. */
  const connections = new Map<number, ShardConnection>();
  /** Sends and edits outside interactions: REST only, never connected to the gateway. */
  const restClient = buildRestClient();
  const dmChannelIds = new Map<string, string>();
  const channels = new Map<string, Channel>();
  let supervisor: ShardSupervisor | undefined;
  let stopped = false;
  let starting: Promise<void> | undefined;

  // ---------------------------------------------------------------- rendering

  /**
   * Renders a reply; the poster (downloaded once, REFERENCE §6 forbids hot-linking) goes as an
   * attached file, and so does the reply's file when it fits `uploadLimit` (otherwise the text says
   * it is not attached, and why).
   */
  async function prepare(reply: Reply, chat: ChatRef, i18n: Translator, uploadLimit = DEFAULT_UPLOAD_LIMIT): Promise<Prepared> {
    const files: AttachmentPayload[] = [];
    let shown = reply;
    if (reply.file !== undefined) {
      const { fileName } = reply.file;
      const collected = await collectFile(reply.file, uploadLimit);
      let note: string | undefined;
      if ('data' in collected) {
        files.push({ attachment: collected.data, name: fileName });
      } else if ('tooLarge' in collected) {
        logger.warn({ file: fileName, limit: uploadLimit }, 'reply file over Discord\'s upload limit; sent without it');
        note = i18n.t('notices:fileTooLarge', { fileName, limit: sizeText(uploadLimit) });
      } else {
        logger.error({ err: loggable(collected.failed), file: fileName }, 'reply file could not be made; sent without it');
        note = i18n.t('notices:fileFailed', { fileName });
      }
      if (note !== undefined) shown = { ...reply, text: [reply.text, rich.line, rich.line, rich.italic(note)] };
    }
    let posterFile: string | undefined;
    if (reply.image !== undefined) {
      const image = await posters.image(reply.image.sourceUrl).catch((error: unknown) => {
        logger.warn({ err: loggable(error) }, 'poster lookup failed; card goes without it');
        return undefined;
      });
      if (image !== undefined) {
        posterFile = `poster.${extensionOf(image.contentType)}`;
        files.push({ attachment: image.data, name: posterFile });
      }
    }
    // Ephemeral only where others could see it: in a DM everything is private already.
    return { reply, message: renderReply(shown, posterFile, i18n), files, ephemeral: reply.private === true && chat.kind === 'group' };
  }

  function replyOptions(prepared: Prepared): InteractionReplyOptions {
    return {
      ...prepared.message,
      files: prepared.files,
      allowedMentions: NO_MENTIONS,
      ...(prepared.ephemeral ? { flags: MessageFlags.Ephemeral as const } : {}),
    };
  }

  /** An edit replaces everything: embeds, components, and the attachments (the old poster is dropped). */
  function editOptions(prepared: Prepared) {
    return { ...prepared.message, files: prepared.files, attachments: [], allowedMentions: NO_MENTIONS };
  }

  /**
   * A reply is on screen as `message`: its buttons are bound to that message (they act from there
   * only), and its reference returned for later edits.
   */
  async function delivered(prepared: Prepared, message: Pick<Message, 'channelId' | 'id'>): Promise<MessageRef> {
    const ref = refOf(message);
    const { reply } = prepared;
    const hasActions = reply.pick !== undefined || (reply.buttons ?? []).some((row) => row.some((b) => 'action' in b));
    if (hasActions) await core.bindMessage(reply, ref);
    return ref;
  }

  /**
   * The language of the adapter's own words in an answer to an interaction (a file note, a menu's
   * placeholder, "Done."): the guild's in a guild channel, else the user's client language. Notices to
   * the user alone (ephemeral: an apology, an unknown command) are `personal`: the user's language.
   */
  function translatorOf(interaction: Interaction, chat: ChatRef | 'personal', personal = false): Translator {
    const shared = chat !== 'personal' && chat.kind === 'group' && !personal;
    return translator(resolveLocale({ group: shared ? (interaction.guildLocale ?? undefined) : undefined, client: interaction.locale }, shared ? 'group' : 'private'));
  }

  function notice(text: string) {
    return { content: text, flags: MessageFlags.Ephemeral as const, allowedMentions: NO_MENTIONS };
  }

  /** CommandInput.chatAdmin in a guild channel: the member's permissions came with the interaction. */
  function chatAdminOf(interaction: ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction, chat: ChatRef) {
    if (chat.kind !== 'group') return {};
    const moderator = isModerator(interaction.memberPermissions);
    return { chatAdmin: () => Promise.resolve(moderator) };
  }

  /**
   * A user's DM channel. The REST-only Client never gets READY, so it has no `client.user` for
   * discord.js's own lookup of known DM channels (`createDM` without `force`): the ids are kept here.
   */
  async function dmChannelOf(userId: string) {
    const known = dmChannelIds.get(userId);
    const cached = known === undefined ? undefined : restClient.channels.cache.get(known);
    if (cached !== undefined) return cached;
    const opened = await restClient.users.createDM(userId, { force: true });
    if (dmChannelIds.size >= MAX_KNOWN_DM_CHANNELS) dmChannelIds.delete(dmChannelIds.keys().next().value ?? '');
    dmChannelIds.set(userId, opened.id);
    return opened;
  }

  /**
   * A channel by id, for sending and editing. Its guild is usually not in the REST-only Client's cache
   * (no GUILD_CREATE reaches it), so discord.js does not keep such a channel; it is kept here, so a
   * card edited again and again costs one request each time, as it did over the gateway's cache.
   */
  async function channelOf(channelId: string) {
    const kept = channels.get(channelId);
    if (kept !== undefined) return kept;
    const fetched = await restClient.channels.fetch(channelId, { allowUnknownGuild: true });
    if (fetched === null) return null;
    if (channels.size >= MAX_KNOWN_CHANNELS) channels.delete(channels.keys().next().value ?? '');
    channels.set(channelId, fetched);
    return fetched;
  }

  /** Sends a message the service sends on its own: to a channel, or to a user (their DM channel is opened first). */
  async function sendTo(target: DeliveryTarget, reply: Reply): Promise<MessageRef> {
    if (stopped) throw new Error('Discord adapter is stopped');
    const chatId = 'chatId' in target ? target.chatId : undefined;
    const userId = 'userId' in target ? target.userId : chatId === undefined ? undefined : userIdOfChat(chatId);
    // The guild of a channel may be served by another instance (or shard): it need not be in this Client's cache.
    const channel = userId !== undefined ? await dmChannelOf(userId) : await channelOf(chatId ?? '');
    if (channel === null || !channel.isSendable()) throw new Error('Discord channel cannot be written to');
    const kind = userId !== undefined || channel.isDMBased() ? 'private' : 'group';
    // Sent outside an interaction: the platform tells no language here (the core wrote the reply in the
    // recipient's); the adapter's own words (a file note) stay English.
    const prepared = await prepare(reply, { platform: 'discord', chatId: channel.id, kind }, EN);
    return delivered(prepared, await channel.send({ ...prepared.message, files: prepared.files, allowedMentions: NO_MENTIONS }));
  }

  /**
   * CommandInput.reachPrivately in a guild channel: Discord opens a DM channel with anyone, and only
   * refuses the message in it (50007) when the user takes no DMs from the bot; so the DM is tried.
   */
  /** A guild's language (its preferred locale), for answers in a guild channel without a `/language` of its own. */
  function groupLocaleOf(interaction: ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction, chat: ChatRef): { groupLocale?: string } {
    return chat.kind === 'group' && interaction.guildLocale !== null ? { groupLocale: interaction.guildLocale } : {};
  }

  function privateReachOf(userId: string, chat: ChatRef): { reachPrivately?: (reply: Reply) => Promise<boolean> } {
    if (chat.kind !== 'group') return {};
    const reachPrivately = async (reply: Reply): Promise<boolean> => {
      try {
        await sendTo({ platform: 'discord', userId }, reply);
        return true;
      } catch (error) {
        if (isCode(error, 50007)) return false;
        throw error;
      }
    };
    return { reachPrivately };
  }

  // ---------------------------------------------------------------- slash commands

  async function onCommand(interaction: ChatInputCommandInteraction): Promise<void> {
    const spec = specs.get(interaction.commandName);
    const user = toUserRef(interaction.user, interaction.locale);
    const chat = toChatRef(interaction);
    const args = argsFromOptions(spec?.options ?? [], (name) => interaction.options.get(name)?.value);
    // A command that takes a file gets the one the user picked (its first attachment option given).
    const file = (spec?.options ?? [])
      .filter((o) => o.attachment === true)
      .map((o) => interaction.options.getAttachment(o.name))
      .find((a) => a !== null && a !== undefined);
    const uploadLimit = interaction.attachmentSizeLimit > 0 ? interaction.attachmentSizeLimit : DEFAULT_UPLOAD_LIMIT;
    // A private command's answer is prepared privately, unless the user shares it (an option that `shares`, set).
    const shared = (spec?.options ?? []).some((o) => o.shares === true && interaction.options.get(o.name)?.value === true);
    const deferredEphemeral = spec?.private === true && chat.kind === 'group' && !shared;
    // Delivered late (e.g. replayed after a gateway resume): defer before doing anything, so an
    // interaction Discord already gave up on (10062) does no work nobody will see.
    const late = isLate(interaction.createdTimestamp);
    if (late) await interaction.deferReply(deferredEphemeral ? { flags: MessageFlags.Ephemeral } : {});
    const work = core
      .handleCommand({
        user,
        chat,
        command: interaction.commandName,
        args,
        privateChatId: privateChatIdOf(interaction.user.id),
        ...(file ? { attachment: toAttachment({ name: file.name, size: file.size, url: file.url }) } : {}),
        ...groupLocaleOf(interaction, chat),
        ...chatAdminOf(interaction, chat),
        ...privateReachOf(interaction.user.id, chat),
      })
      .then((replies) => Promise.all(replies.map((r) => prepare(r, chat, translatorOf(interaction, chat, r.private === true), uploadLimit))));
    // Awaited below; this only keeps a failure from going unhandled if acknowledging fails first.
    work.catch(() => undefined);
    // Quick answers go out as the reply itself; slow ones are deferred first ("Marquee is thinking…").
    const early = late ? TIMEOUT : await within(work, budgetLeft(interaction.createdTimestamp, DIRECT_ANSWER_MS));
    if (early === TIMEOUT && !late) await interaction.deferReply(deferredEphemeral ? { flags: MessageFlags.Ephemeral } : {});
    const prepared = early === TIMEOUT ? await work : early;
    const [first, ...rest] = prepared;
    if (first === undefined) {
      if (early === TIMEOUT) await interaction.editReply({ content: translatorOf(interaction, chat, deferredEphemeral).t('notices:done') });
      else await interaction.reply(notice(translatorOf(interaction, chat, true).t('notices:unknownCommandShort', { command: interaction.commandName })));
      return;
    }
    // Each answer's message id is kept from the response, so the card can be edited by channel and
    // message id later, when the interaction token no longer works.
    let sent: Message;
    if (early !== TIMEOUT) {
      const response = await interaction.reply({ ...replyOptions(first), withResponse: true });
      sent = response.resource?.message ?? (await interaction.fetchReply());
    } else if (first.ephemeral && !deferredEphemeral) {
      // Deferred in public, but the answer is private: replace the public "thinking" with a private message.
      await interaction.deleteReply().catch(() => undefined);
      sent = await interaction.followUp(replyOptions(first));
    } else {
      sent = await interaction.editReply(editOptions(first));
    }
    await delivered(first, sent);
    for (const more of rest) await delivered(more, await interaction.followUp(replyOptions(more)));
  }

  // ---------------------------------------------------------------- buttons and select menus

  async function onComponent(interaction: ButtonInteraction | StringSelectMenuInteraction): Promise<void> {
    const user = toUserRef(interaction.user, interaction.locale);
    const chat = toChatRef(interaction);
    let data = interaction.customId;
    let values: string[] | undefined;
    if (interaction.isStringSelectMenu()) {
      // A menu folded from buttons: the chosen option is the button. Otherwise a multi-choice.
      if (data.startsWith(MENU_PREFIX)) data = interaction.values[0] ?? '';
      else values = [...interaction.values];
    }
    // A press consumes its card's buttons: when it arrives late, make sure Discord still takes an
    // answer (deferring throws 10062 otherwise) before the core acts on it.
    let acknowledged = false;
    if (isLate(interaction.createdTimestamp)) {
      await interaction.deferUpdate();
      acknowledged = true;
    }
    const pressed = core.pressButton({
      user,
      chat,
      data,
      privateChatId: privateChatIdOf(interaction.user.id),
      messageId: interaction.message.id,
      // A press's card is always edited into the pressed message (editReply, or the message itself).
      editsInPlace: () => true,
      ...(values ? { values } : {}),
      ...groupLocaleOf(interaction, chat),
      ...chatAdminOf(interaction, chat),
      ...privateReachOf(interaction.user.id, chat),
    });
    const early = acknowledged ? TIMEOUT : await within(pressed, budgetLeft(interaction.createdTimestamp, DIRECT_ANSWER_MS));
    if (early === TIMEOUT && !acknowledged) {
      await interaction.deferUpdate();
      acknowledged = true;
    }
    const step = early === TIMEOUT ? await pressed : early;
    if (step.work === undefined) {
      // Refusals (someone else's button, an expired one) go to the presser alone; the message stays.
      if (step.ack.text !== undefined) {
        if (acknowledged) await interaction.followUp(notice(step.ack.text));
        else await interaction.reply(notice(step.ack.text));
      } else if (!acknowledged) {
        await interaction.deferUpdate();
      }
      return;
    }
    if (!acknowledged) await interaction.deferUpdate();
    await applyOutcome(interaction, chat, await step.work());
  }

  async function applyOutcome(interaction: ButtonInteraction | StringSelectMenuInteraction, chat: ChatRef, outcome: ActionOutcome): Promise<void> {
    const uploadLimit = interaction.attachmentSizeLimit > 0 ? interaction.attachmentSizeLimit : DEFAULT_UPLOAD_LIMIT;
    if (outcome.edit !== undefined) {
      const prepared = await prepare(outcome.edit, chat, translatorOf(interaction, chat, outcome.edit.private === true), uploadLimit);
      let edited: Message;
      try {
        edited = await interaction.editReply(editOptions(prepared));
      } catch (error) {
        // Past the interaction token's 15 minutes (a very slow Trakt write): edit the message directly.
        if (!isCode(error, 50027, 10015) || interaction.message.flags.has(MessageFlags.Ephemeral)) throw error;
        edited = await interaction.message.edit(editOptions(prepared));
      }
      await delivered(prepared, edited);
    }
    for (const reply of outcome.send ?? []) {
      const prepared = await prepare(reply, chat, translatorOf(interaction, chat, reply.private === true), uploadLimit);
      await delivered(prepared, await interaction.followUp(replyOptions(prepared)));
    }
    if (outcome.followUp !== undefined) await applyOutcome(interaction, chat, await outcome.followUp);
  }

  // ---------------------------------------------------------------- autocomplete

  async function onAutocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const focused = interaction.options.getFocused(true);
    const answerBy = Date.now() + budgetLeft(interaction.createdTimestamp, INTERACTION_DEADLINE_MS - AUTOCOMPLETE_MARGIN_MS);
    const choices = await core.autocomplete({
      user: toUserRef(interaction.user, interaction.locale),
      command: interaction.commandName,
      option: focused.name,
      text: autocompleteText(focused.value),
      answerBy: new Date(answerBy),
    });
    await interaction.respond(choices.map((c) => ({ name: c.label.slice(0, 100), value: c.value.slice(0, 100) })));
  }

  // ---------------------------------------------------------------- dispatch

  async function handle(interaction: Interaction): Promise<void> {
    try {
      if (interaction.isAutocomplete()) await onAutocomplete(interaction);
      else if (interaction.isChatInputCommand()) await onCommand(interaction);
      else if (interaction.isButton() || interaction.isStringSelectMenu()) await onComponent(interaction);
    } catch (error) {
      // 10062: the interaction expired before we answered (e.g. delivered late after a resume); nothing to tell.
      if (isCode(error, 10062)) {
        logger.info({ interaction: interaction.id }, 'Discord interaction expired before it was answered');
        return;
      }
      logger.error({ err: loggable(error), interaction: interaction.id, type: interaction.type }, 'Discord interaction failed');
      if (interaction.isRepliable()) {
        const apology = notice(translatorOf(interaction, 'personal').t('notices:genericError'));
        const sent = interaction.replied || interaction.deferred ? interaction.followUp(apology) : interaction.reply(apology);
        await sent.catch(() => undefined);
      }
    }
  }

  /**
   * The gateway as `/readyz` and the metrics show it: connected while every shard this instance holds
   * has its session (an instance holding none, next to others that hold them all, counts as connected
   * once it has taken part in the division), with the latest failure of any of them.
   */
  let adapterStatus: AdapterStatus = { connected: false };
  const refreshStatus = (error?: unknown) => {
    const failure = error === undefined ? undefined : loggable(error);
    const lastError =
      failure === undefined ? adapterStatus.lastError : [failure['name'], failure['code'], failure['message']].filter((part) => part !== undefined).join(' ');
    const now = !stopped && supervisor !== undefined && [...connections.values()].every((c) => c.up);
    if (now !== adapterStatus.connected) adapterStatus = { ...adapterStatus, connected: now, since: new Date().toISOString() };
    adapterStatus = { ...adapterStatus, ...(lastError === undefined ? {} : { lastError }) };
  };
  /** One shard's session came up or went down. */
  const shardUp = (shardId: number, up: boolean, error?: unknown) => {
    const connection = connections.get(shardId);
    if (connection !== undefined) connection.up = up;
    refreshStatus(error);
  };

  function buildRestClient(): Client {
    // One retry: while Discord is unreachable a send fails within seconds (as it did when it needed
    // the gateway), not after discord.js's default three; 15 s per request is discord.js's default.
    const created = new Client({ intents: [GatewayIntentBits.Guilds], partials: [Partials.Channel], rest: { api: options.apiUrl, retries: 1, timeout: 15_000 } });
    created.token = options.token;
    created.rest.setToken(options.token);
    return created;
  }

  /** The Client of one shard: its interactions are handled only while this instance holds the shard. */
  function buildShardClient(shardId: number, shardCount: number, throttler: SimpleIdentifyThrottler): Client {
    const created = new Client({
      intents: [GatewayIntentBits.Guilds],
      partials: [Partials.Channel],
      rest: { api: options.apiUrl },
      shards: [shardId],
      shardCount,
      // One throttle for all of this instance's shards: Discord takes `max_concurrency` IDENTIFYs per 5 s.
      ws: { buildIdentifyThrottler: () => throttler },
    });
    created.on(Events.InteractionCreate, (interaction) => {
      if (stopped) return;
      if (supervisor?.holds(shardId) !== true) {
        // Read after the lease ended (e.g. this process was paused): the shard is someone else's now.
        logger.warn({ shard: shardId, interaction: interaction.id }, 'Discord interaction on a shard this instance no longer holds; left to its new holder');
        return;
      }
      const job = handle(interaction).finally(() => inFlight.delete(job));
      inFlight.add(job);
    });
    created.on(Events.ClientReady, (c) => {
      shardUp(shardId, true);
      logger.info({ bot: c.user.tag, shard: shardId, shardCount }, 'Discord bot connected');
    });
    created.on(Events.ShardDisconnect, (event) => {
      shardUp(shardId, false, new Error(`gateway closed with code ${event.code}`));
      logger.warn({ code: event.code, shard: shardId }, 'Discord gateway disconnected; reconnecting');
    });
    created.on(Events.ShardReady, () => shardUp(shardId, true));
    created.on(Events.ShardReconnecting, () => shardUp(shardId, false, new Error('gateway connection lost; reconnecting')));
    created.on(Events.ShardResume, () => {
      shardUp(shardId, true);
      logger.info({ shard: shardId }, 'Discord gateway session resumed');
    });
    created.on(Events.ShardError, (error) => shardUp(shardId, false, error));
    created.on(Events.Error, (error) => logger.error({ err: loggable(error), shard: shardId }, 'Discord client error'));
    created.on(Events.Warn, (message) => logger.warn({ message, shard: shardId }, 'Discord client warning'));
    return created;
  }

  /** Connects one shard in the background, retrying with backoff while Discord cannot be reached. */
  function runShard(shardId: number, shardCount: number, throttler: SimpleIdentifyThrottler): void {
    const connection: ShardConnection = { client: undefined, up: false, halted: false, abort: new AbortController(), done: Promise.resolve() };
    connections.set(shardId, connection);
    refreshStatus();
    connection.done = (async () => {
      let failures = 0;
      while (!connection.halted && !stopped) {
        const attempt = buildShardClient(shardId, shardCount, throttler);
        connection.client = attempt;
        try {
          await attempt.login(options.token);
          return;
        } catch (error) {
          connection.client = undefined;
          await attempt.destroy().catch(() => undefined);
          if (connection.halted || stopped) return;
          failures += 1;
          const backoff = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures, 6));
          shardUp(shardId, false, error);
          logger.warn({ err: loggable(error), shard: shardId, failures, retryInMs: backoff }, 'Discord gateway is not reachable yet; retrying');
          await sleep(backoff, undefined, { signal: connection.abort.signal }).catch(() => undefined);
        }
      }
    })();
  }

  /**
   * Closes one shard's gateway session (close code 1000: Discord ends the session, nothing more is
   * delivered to it). Handlers already running finish: their answers go through the interaction's
   * own webhook, which needs no gateway and no bot token.
   */
  async function haltShard(shardId: number): Promise<void> {
    const connection = connections.get(shardId);
    if (connection === undefined) return;
    connections.delete(shardId);
    connection.halted = true;
    connection.abort.abort();
    await connection.client?.destroy().catch(() => undefined);
    await connection.done;
    // A login that completed while the first destroy ran.
    await connection.client?.destroy().catch(() => undefined);
    refreshStatus();
    logger.info({ shard: shardId }, 'Discord shard connection closed');
  }

  async function connect(): Promise<void> {
    const commands = slashCommandsFrom(core.commands);
    const rest = new REST({ api: options.apiUrl, retries: 1, timeout: 10_000 }).setToken(options.token);
    let failures = 0;
    let registered = false;
    let gateway: RESTGetAPIGatewayBotResult | undefined;
    let shardCount: number | undefined;
    while (!stopped) {
      try {
        // Every instance puts the same list (a bulk overwrite): idempotent, the last one wins.
        if (!registered) {
          await registerSlashCommands(rest, options.applicationId, options.guildId, commands, stopController.signal);
          registered = true;
          logger.info({ commands: commands.length, scope: options.guildId === null ? 'global' : 'guild' }, 'Discord slash commands registered');
        }
        gateway ??= (await rest.get(Routes.gatewayBot(), { signal: stopController.signal })) as RESTGetAPIGatewayBotResult;
        if (shardCount === undefined) {
          const proposed = sharding.count ?? (sharding.leases === null ? 1 : Math.max(1, gateway.shards));
          shardCount = sharding.leases === null ? proposed : await sharding.leases.fixShardCount(proposed);
          if (sharding.count !== null && shardCount !== sharding.count) {
            logger.warn(
              { configured: sharding.count, stored: shardCount },
              'DISCORD_SHARD_COUNT differs from the shard count the instances agreed on; using the stored one (see README: Discord with several instances)',
            );
          }
          logger.info({ shardCount, instance: instanceId, shared: sharding.leases !== null }, 'Discord shard count');
        }
        if (stopped) return;
        const count = shardCount;
        const throttler = new SimpleIdentifyThrottler(Math.max(1, gateway.session_start_limit.max_concurrency));
        supervisor = createShardSupervisor({
          instanceId,
          shardCount: count,
          leases: sharding.leases,
          leaseMs: sharding.leaseMs,
          run: (shardId) => runShard(shardId, count, throttler),
          halt: haltShard,
          logger,
        });
        await supervisor.start();
        refreshStatus();
        return;
      } catch (error) {
        if (stopped) return;
        failures += 1;
        refreshStatus(error);
        const backoff = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures, 6));
        logger.warn({ err: loggable(error), failures, retryInMs: backoff }, 'Discord is not reachable yet; retrying');
        await sleep(backoff, undefined, { signal: stopController.signal }).catch(() => undefined);
      }
    }
  }

  return {
    name: 'discord',

    start() {
      starting ??= connect();
      return starting;
    },

    async stop() {
      stopped = true;
      stopController.abort();
      await starting?.catch(() => undefined);
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      // Sessions close first, then the leases are given back: no moment with two sessions on a shard.
      await supervisor?.stop().catch((error: unknown) => logger.warn({ err: loggable(error) }, 'Discord shard leases could not be given back; they end on their own'));
      await Promise.allSettled([...connections.keys()].map(haltShard));
      await restClient.destroy().catch(() => undefined);
      refreshStatus();
    },

    status: () => ({ ...adapterStatus }),

    send: sendTo,

    async edit(ref, reply) {
      if (stopped) throw new Error('Discord adapter is stopped');
      if (ref.platform !== 'discord') throw new Error('not a Discord message reference');
      const channel = await channelOf(ref.chatId);
      if (channel === null || !channel.isTextBased()) throw new Error('Discord channel cannot be written to');
      const prepared = await prepare(reply, { platform: 'discord', chatId: channel.id, kind: channel.isDMBased() ? 'private' : 'group' }, EN);
      return delivered(prepared, await channel.messages.edit(ref.messageId, editOptions(prepared)));
    },

    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },

    shards() {
      return supervisor?.held() ?? [];
    },
  };
}
