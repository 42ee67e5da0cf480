import { setTimeout as sleep } from 'node:timers/promises';
import {
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Partials,
  REST,
  type AttachmentPayload,
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
import { rich, type ActionOutcome, type ChatRef, type MessageRef, type Reply, type ReplyFile } from '../core/types.js';
import type { PosterSource } from '../core/ports.js';
import { MENU_PREFIX, renderReply, type RenderedMessage } from './render.js';
import { registerSlashCommands, slashCommandsFrom } from './slash-commands.js';
import { argsFromOptions, autocompleteText, isModerator, privateChatIdOf, toAttachment, toChatRef, toUserRef, userIdOfChat } from './to-core.js';

/**
 * The Discord adapter: discord.js lives here and only here. Slash commands, buttons, select menus and
 * autocomplete arrive over the gateway as interactions; each is acknowledged within Discord's 3
 * seconds (answered at once when the core is quick, deferred otherwise and edited when it is done)
 * and rendered as an embed with components. discord.js resumes dropped gateway sessions by itself;
 * while Discord cannot be reached at all, the adapter keeps trying in the background and the rest of
 * the service runs on.
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
}

export interface DiscordAdapter {
  readonly name: 'discord';
  start(): Promise<void>;
  stop(): Promise<void>;
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
}

/** Discord wants the first answer to an interaction within 3 s of its creation. */
const INTERACTION_DEADLINE_MS = 3_000;
/** Answer a command or a press directly if the core is done by then; defer otherwise. */
const DIRECT_ANSWER_MS = 1_500;
/** Autocomplete answers leave this much of the deadline for the request carrying them. */
const AUTOCOMPLETE_MARGIN_MS = 700;
const MAX_BACKOFF_MS = 30_000;
/**
 * Discord's upload limit per file without server boosts (10 MiB since 2024). Interactions say the
 * limit where they happen (`attachment_size_limit`, boosts included); messages the service sends on
 * its own (the outbox) keep to this one.
 */
export const DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024;

const TIMEOUT = Symbol('timeout');

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
  let client: Client | undefined;
  let ready = false;
  let stopped = false;
  let starting: Promise<void> | undefined;

  // ---------------------------------------------------------------- rendering

  /**
   * Renders a reply; the poster (downloaded once, REFERENCE §6 forbids hot-linking) goes as an
   * attached file, and so does the reply's file when it fits `uploadLimit` (otherwise the text says
   * it is not attached, and why).
   */
  async function prepare(reply: Reply, chat: ChatRef, uploadLimit = DEFAULT_UPLOAD_LIMIT): Promise<Prepared> {
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
        note = `The file ${fileName} is larger than Discord lets me send here (${sizeText(uploadLimit)}), so it is not attached.`;
      } else {
        logger.error({ err: loggable(collected.failed), file: fileName }, 'reply file could not be made; sent without it');
        note = `The file ${fileName} could not be made, so it is not attached. Please try again later.`;
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
    return { reply, message: renderReply(shown, posterFile), files, ephemeral: reply.private === true && chat.kind === 'group' };
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

  function notice(text: string) {
    return { content: text, flags: MessageFlags.Ephemeral as const, allowedMentions: NO_MENTIONS };
  }

  /** CommandInput.chatAdmin in a guild channel: the member's permissions came with the interaction. */
  function chatAdminOf(interaction: ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction, chat: ChatRef) {
    if (chat.kind !== 'group') return {};
    const moderator = isModerator(interaction.memberPermissions);
    return { chatAdmin: () => Promise.resolve(moderator) };
  }

  /** Sends a message the service sends on its own: to a channel, or to a user (their DM channel is opened first). */
  async function sendTo(target: DeliveryTarget, reply: Reply): Promise<MessageRef> {
    const current = client;
    if (current === undefined || !ready) throw new Error('Discord is not connected');
    const chatId = 'chatId' in target ? target.chatId : undefined;
    const userId = 'userId' in target ? target.userId : chatId === undefined ? undefined : userIdOfChat(chatId);
    const channel = userId !== undefined ? await current.users.createDM(userId) : await current.channels.fetch(chatId ?? '');
    if (channel === null || !channel.isSendable()) throw new Error('Discord channel cannot be written to');
    const kind = userId !== undefined || channel.isDMBased() ? 'private' : 'group';
    const prepared = await prepare(reply, { platform: 'discord', chatId: channel.id, kind });
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
      .then((replies) => Promise.all(replies.map((r) => prepare(r, chat, uploadLimit))));
    // Awaited below; this only keeps a failure from going unhandled if acknowledging fails first.
    work.catch(() => undefined);
    // Quick answers go out as the reply itself; slow ones are deferred first ("Marquee is thinking…").
    const early = late ? TIMEOUT : await within(work, budgetLeft(interaction.createdTimestamp, DIRECT_ANSWER_MS));
    if (early === TIMEOUT && !late) await interaction.deferReply(deferredEphemeral ? { flags: MessageFlags.Ephemeral } : {});
    const prepared = early === TIMEOUT ? await work : early;
    const [first, ...rest] = prepared;
    if (first === undefined) {
      if (early === TIMEOUT) await interaction.editReply({ content: core.notices(interaction.locale).done });
      else await interaction.reply(notice(core.notices(interaction.locale).unknownCommand(interaction.commandName)));
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
      const prepared = await prepare(outcome.edit, chat, uploadLimit);
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
      const prepared = await prepare(reply, chat, uploadLimit);
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
        const apology = notice(core.notices(interaction.locale).genericError);
        const sent = interaction.replied || interaction.deferred ? interaction.followUp(apology) : interaction.reply(apology);
        await sent.catch(() => undefined);
      }
    }
  }

  function buildClient(): Client {
    const created = new Client({
      intents: [GatewayIntentBits.Guilds],
      partials: [Partials.Channel],
      rest: { api: options.apiUrl },
    });
    created.on(Events.InteractionCreate, (interaction) => {
      if (stopped) return;
      const job = handle(interaction).finally(() => inFlight.delete(job));
      inFlight.add(job);
    });
    created.on(Events.ClientReady, (c) => {
      ready = true;
      logger.info({ bot: c.user.tag }, 'Discord bot connected');
    });
    created.on(Events.ShardDisconnect, (event) => logger.warn({ code: event.code }, 'Discord gateway disconnected; reconnecting'));
    created.on(Events.ShardResume, () => logger.info('Discord gateway session resumed'));
    created.on(Events.Error, (error) => logger.error({ err: loggable(error) }, 'Discord client error'));
    created.on(Events.Warn, (message) => logger.warn({ message }, 'Discord client warning'));
    return created;
  }

  async function connect(): Promise<void> {
    const commands = slashCommandsFrom(core.commands);
    const rest = new REST({ api: options.apiUrl, retries: 1, timeout: 10_000 }).setToken(options.token);
    let failures = 0;
    let registered = false;
    while (!stopped) {
      let attempt: Client | undefined;
      try {
        if (!registered) {
          await registerSlashCommands(rest, options.applicationId, options.guildId, commands, stopController.signal);
          registered = true;
          logger.info({ commands: commands.length, scope: options.guildId === null ? 'global' : 'guild' }, 'Discord slash commands registered');
        }
        attempt = buildClient();
        client = attempt;
        await attempt.login(options.token);
        return;
      } catch (error) {
        client = undefined;
        await attempt?.destroy().catch(() => undefined);
        if (stopped) return;
        failures += 1;
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
      // A login still under way is abandoned rather than waited for.
      if (!ready) await client?.destroy().catch(() => undefined);
      await starting?.catch(() => undefined);
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      ready = false;
      await client?.destroy().catch(() => undefined);
      client = undefined;
    },

    send: sendTo,

    async edit(ref, reply) {
      const current = client;
      if (current === undefined || !ready) throw new Error('Discord is not connected');
      if (ref.platform !== 'discord') throw new Error('not a Discord message reference');
      const channel = await current.channels.fetch(ref.chatId);
      if (channel === null || !channel.isTextBased()) throw new Error('Discord channel cannot be written to');
      const prepared = await prepare(reply, { platform: 'discord', chatId: channel.id, kind: channel.isDMBased() ? 'private' : 'group' });
      return delivered(prepared, await channel.messages.edit(ref.messageId, editOptions(prepared)));
    },

    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
