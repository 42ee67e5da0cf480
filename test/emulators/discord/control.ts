// The driver over HTTP, under /_emulator on the emulator's port (JSON in and out), so a process that is not
// the test (the `npm run demo` page, a script) can act as users and read what the bot sent. Each route calls
// the same driver method as in-process code; input mistakes the driver throws answer 400 { error }. These
// routes are not REST calls of the bot: not rate limited, not authenticated, not in `calls`.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DiscordEmulator } from './emulator.js';
import type { CommandOptionInput, InteractionRecord, JsonObject, MessageRecord, PermissionInput, PermissionName, UserInput } from './types.js';
import { MessageFlag } from './validation.js';

export const CONTROL_PREFIX = '/_emulator';

/** A message as the driver reads it: what a Discord client shows, plus who ran the interaction it answers. */
export interface ControlMessage {
  id: string;
  content: string;
  embeds: JsonObject[];
  components: JsonObject[];
  attachments: Array<{ url: string; filename: string; contentType: string | null }>;
  flags: number;
  ephemeral: boolean;
  /** Deferred reply not answered yet ("Marquee is thinking…"). */
  loading: boolean;
  deleted: boolean;
  edited: boolean;
  createdAt: number;
  /** The interaction this message answers: who ran what (only that user sees it when ephemeral). */
  interaction: { id: string; userId: string; username: string; commandName: string | null; customId: string | null } | null;
}

function messageView(emu: DiscordEmulator, message: MessageRecord, byId: Map<string, InteractionRecord>): ControlMessage {
  const interaction = message.interactionId === null ? undefined : byId.get(message.interactionId);
  return {
    id: message.id,
    content: message.content,
    embeds: message.embeds,
    components: message.components,
    attachments: message.attachments.map((a) => ({ url: a.url, filename: a.filename, contentType: a.contentType })),
    flags: message.flags,
    ephemeral: (message.flags & MessageFlag.Ephemeral) !== 0,
    loading: (message.flags & MessageFlag.Loading) !== 0,
    deleted: message.deleted,
    edited: message.editedAt !== null,
    createdAt: message.createdAt,
    interaction:
      interaction === undefined
        ? null
        : {
            id: interaction.id,
            userId: interaction.userId,
            username: emu.user(interaction.userId)?.username ?? interaction.userId,
            commandName: interaction.commandName,
            customId: interaction.customId,
          },
  };
}

export function registerControlRoutes(app: FastifyInstance, emulator: () => DiscordEmulator | null): void {
  const route = (method: 'GET' | 'POST', url: string, handler: (emu: DiscordEmulator, body: JsonObject, params: Record<string, string>) => unknown): void => {
    app.route({
      method,
      url: `${CONTROL_PREFIX}${url}`,
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const emu = emulator();
        if (emu === null) return reply.status(503).send({ error: 'starting' });
        try {
          const body = typeof request.body === 'object' && request.body !== null ? (request.body as JsonObject) : {};
          return await reply.status(method === 'POST' ? 201 : 200).send(handler(emu, body, request.params as Record<string, string>));
        } catch (error) {
          return reply.status(400).send({ error: error instanceof Error ? error.message : String(error) });
        }
      },
    });
  };
  const text = (value: unknown, what: string): string => {
    if (typeof value !== 'string' || value === '') throw new Error(`${what} must be a non-empty string`);
    return value;
  };

  route('GET', '', (emu) => ({ apiUrl: emu.apiUrl, applicationId: emu.applicationId, botUserId: emu.botUserId }));
  route('POST', '/users', (emu, body) =>
    emu.addUser({ id: text(body.id, 'id'), username: text(body.username, 'username'), ...(typeof body.globalName === 'string' ? { globalName: body.globalName } : {}) }),
  );
  // { userId } adds one member; { users: [{ id, username, globalName? }] } creates and adds many, { userIds: [...] } adds known users.
  route('POST', '/guilds/:guildId/members', (emu, body, params) => {
    const guildId = params.guildId ?? '';
    if (!Array.isArray(body.users) && !Array.isArray(body.userIds)) return emu.addMember(guildId, text(body.userId, 'userId'));
    const entries: Array<string | UserInput> = [];
    for (const id of Array.isArray(body.userIds) ? body.userIds : []) entries.push(text(id, 'userIds[]'));
    for (const raw of Array.isArray(body.users) ? body.users : []) {
      const user = (typeof raw === 'object' && raw !== null ? raw : {}) as JsonObject;
      entries.push({
        id: text(user.id, 'users[].id'),
        username: text(user.username, 'users[].username'),
        ...(typeof user.globalName === 'string' ? { globalName: user.globalName } : {}),
      });
    }
    return emu.addMembers(guildId, entries);
  });
  // { closed: true | false } → the user; closed, the bot's DMs to them are refused (50007).
  route('POST', '/users/:userId/dms', (emu, body, params) => emu.setDmsClosed(params.userId ?? '', body.closed !== false));
  // { permissions: ['ManageMessages'] | '8192' } → the role that grants them.
  route('POST', '/guilds/:guildId/members/:userId/permissions', (emu, body, params) => {
    const permissions = body.permissions;
    const input: PermissionInput = Array.isArray(permissions) ? (permissions.map((p) => text(p, 'permissions[]')) as PermissionName[]) : text(permissions, 'permissions');
    return emu.grantPermissions(params.guildId ?? '', params.userId ?? '', input);
  });
  route('GET', '/guilds/:guildId/members/:userId/permissions', (emu, _body, params) => ({
    permissions: emu.memberPermissions(params.guildId ?? '', params.userId ?? ''),
  }));
  route('GET', '/commands', (emu) => emu.commands());
  route('GET', '/guilds/:guildId/commands', (emu, _body, params) => emu.commands(params.guildId));
  route('GET', '/channels/:channelId/messages', (emu, _body, params) => {
    const byId = new Map(emu.interactions.map((i) => [i.id, i]));
    return emu.messages(params.channelId ?? '').map((m) => messageView(emu, m, byId));
  });
  // Over JSON an attachment option's file is { filename, base64 | text, contentType? }.
  const optionFromJson = (raw: unknown): CommandOptionInput => {
    const option = (typeof raw === 'object' && raw !== null ? raw : {}) as JsonObject & CommandOptionInput;
    const nested = Array.isArray(option.options) ? { options: (option.options as unknown[]).map(optionFromJson) } : {};
    const file = option.attachment as unknown as JsonObject | undefined;
    if (typeof file !== 'object' || file === null) return { ...option, ...nested };
    const data = typeof file.base64 === 'string' ? Buffer.from(file.base64, 'base64') : typeof file.text === 'string' ? file.text : '';
    const attachment = { filename: text(file.filename, 'attachment.filename'), data, ...(typeof file.contentType === 'string' ? { contentType: file.contentType } : {}) };
    return { ...option, ...nested, attachment };
  };
  route('POST', '/interactions/command', (emu, body) => ({
    id: emu.slashCommand({
      user: text(body.userId, 'userId'),
      channelId: text(body.channelId, 'channelId'),
      ...(typeof body.guildId === 'string' ? { guildId: body.guildId } : {}),
      name: text(body.name, 'name'),
      options: Array.isArray(body.options) ? (body.options as unknown[]).map(optionFromJson) : [],
    }).id,
  }));
  route('POST', '/interactions/button', (emu, body) => ({
    id: emu.clickButton({ user: text(body.userId, 'userId'), message: text(body.messageId, 'messageId'), customId: text(body.customId, 'customId') }).id,
  }));
  route('POST', '/interactions/select', (emu, body) => ({
    id: emu.selectMenu({
      user: text(body.userId, 'userId'),
      message: text(body.messageId, 'messageId'),
      customId: text(body.customId, 'customId'),
      values: Array.isArray(body.values) ? body.values.map(String) : [],
    }).id,
  }));
}
