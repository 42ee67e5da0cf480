// The driver over HTTP, under /_emulator on the emulator's own port (JSON in and out), so a process that is
// not the test (the `npm run demo` page, a script) can act as users and read what the bot sent. Each route
// calls the same driver method as in-process code; errors the driver throws answer 400 { error }.
import type { AdminRights, ChatMessageState, TelegramEmulator, User, UserInput } from './types.js';

export interface ControlInternals {
  findUser(id: number): User | undefined;
  /** The bytes of an uploaded or fetched photo (by any of its file ids) or of a document. */
  file(fileId: string): { data: Buffer; contentType: string } | undefined;
}

export interface ControlAnswer {
  status: number;
  body: unknown;
  contentType?: string;
}

type Json = Record<string, unknown>;

/** A message as the driver reads it, without the (large, redundant) Bot API `message` object. */
export type ControlMessage = Omit<ChatMessageState, 'message'>;

function messageView(state: ChatMessageState): ControlMessage {
  const { message: _message, ...rest } = state;
  return rest;
}

export function handleControl(emu: TelegramEmulator, internals: ControlInternals, method: string, path: string, body: Buffer | undefined): ControlAnswer {
  let input: Json = {};
  if (body !== undefined && body.length > 0) {
    try {
      input = JSON.parse(body.toString('utf8')) as Json;
    } catch {
      return { status: 400, body: { error: 'the body is not JSON' } };
    }
  }
  const num = (value: unknown, what: string): number => {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new Error(`${what} must be an integer`);
    return n;
  };
  const str = (value: unknown, what: string): string => {
    if (typeof value !== 'string' || value === '') throw new Error(`${what} must be a non-empty string`);
    return value;
  };
  const user = (value: unknown): User => {
    const found = internals.findUser(num(value, 'userId'));
    if (!found) throw new Error(`unknown user ${String(value)}`);
    return found;
  };
  const route = `${method} ${path.replace(/\/-?\d+(?=\/|$)/g, '/:id')}`;
  const ids = [...path.matchAll(/\/(-?\d+)(?=\/|$)/g)].map((m) => Number(m[1]));
  const chatId = ids[0] ?? 0;

  try {
    switch (route) {
      case 'GET /_emulator':
        return { status: 200, body: { apiRoot: emu.apiRoot, botUser: emu.botUser } };
      case 'POST /_emulator/users': {
        const created = emu.user({
          id: num(input.id, 'id'),
          firstName: str(input.firstName, 'firstName'),
          ...(typeof input.username === 'string' ? { username: input.username } : {}),
          ...(typeof input.languageCode === 'string' ? { languageCode: input.languageCode } : {}),
        });
        return { status: 201, body: created };
      }
      case 'POST /_emulator/chats/private':
        return { status: 201, body: emu.privateChat(num(input.userId, 'userId')) };
      case 'POST /_emulator/chats/group':
        return {
          status: 201,
          body: emu.group({
            id: num(input.id, 'id'),
            title: str(input.title, 'title'),
            type: input.type === 'supergroup' ? 'supergroup' : 'group',
            ...(input.creatorId === undefined ? {} : { creator: user(input.creatorId).id }),
          }),
        };
      case 'POST /_emulator/chats/:id/members': {
        // { users: [{ id, firstName, username?, languageCode? }] } creates and adds; { userIds: [...] } adds known users.
        const entries: Array<number | UserInput> = [];
        if (Array.isArray(input.userIds)) for (const id of input.userIds) entries.push(user(id).id);
        if (Array.isArray(input.users)) {
          for (const raw of input.users as Json[]) {
            entries.push({
              id: num(raw.id, 'users[].id'),
              firstName: str(raw.firstName, 'users[].firstName'),
              ...(typeof raw.username === 'string' ? { username: raw.username } : {}),
              ...(typeof raw.languageCode === 'string' ? { languageCode: raw.languageCode } : {}),
            });
          }
        }
        if (entries.length === 0) throw new Error('give users [{id, firstName}] or userIds [id]');
        return { status: 201, body: emu.addMembers(chatId, entries) };
      }
      case 'GET /_emulator/chats/:id/members':
        return { status: 200, body: emu.chatMembers(chatId) };
      case 'POST /_emulator/chats/:id/admins': {
        const rights: AdminRights = {};
        if (typeof input.rights === 'object' && input.rights !== null) {
          for (const [key, value] of Object.entries(input.rights as Json)) {
            if (!/^(is_anonymous|can_[a-z_]+)$/.test(key) || typeof value !== 'boolean') throw new Error(`rights.${key} must be a boolean can_* field`);
            (rights as Record<string, boolean>)[key] = value;
          }
        }
        if (typeof input.customTitle === 'string') rights.customTitle = input.customTitle;
        return { status: 201, body: emu.makeAdmin(chatId, user(input.userId), rights) };
      }
      case 'POST /_emulator/chats/:id/send':
        return {
          status: 201,
          body: emu.sendText(
            user(input.userId),
            chatId,
            str(input.text, 'text'),
            input.replyToMessageId === undefined ? {} : { replyToMessageId: num(input.replyToMessageId, 'replyToMessageId') },
          ),
        };
      case 'POST /_emulator/chats/:id/documents': {
        // { userId, fileName, base64 | text, caption?, mimeType?, replyToMessageId?, fileSize? }
        let data: Buffer;
        if (typeof input.base64 === 'string') data = Buffer.from(input.base64, 'base64');
        else if (typeof input.text === 'string') data = Buffer.from(input.text, 'utf8');
        else throw new Error('give the content as base64 or text');
        return {
          status: 201,
          body: emu.sendDocument(user(input.userId), chatId, {
            data,
            fileName: str(input.fileName, 'fileName'),
            ...(typeof input.caption === 'string' ? { caption: input.caption } : {}),
            ...(typeof input.mimeType === 'string' ? { mimeType: input.mimeType } : {}),
            ...(input.replyToMessageId === undefined ? {} : { replyToMessageId: num(input.replyToMessageId, 'replyToMessageId') }),
            ...(input.fileSize === undefined ? {} : { fileSize: num(input.fileSize, 'fileSize') }),
          }),
        };
      }
      case 'POST /_emulator/chats/:id/press': {
        const id = emu.pressButton(user(input.userId), chatId, num(input.messageId, 'messageId'), str(input.data, 'data'));
        return { status: 201, body: { callbackQueryId: id } };
      }
      case 'GET /_emulator/chats/:id/messages':
        return { status: 200, body: emu.messages(chatId).map(messageView) };
      case 'GET /_emulator/chats/:id/callback-queries':
        return { status: 200, body: emu.callbackQueries.filter((q) => q.chatId === chatId) };
      default: {
        const file = /^GET \/_emulator\/files\/([\w-]+)$/.exec(`${method} ${path}`);
        const found = file?.[1] === undefined ? undefined : internals.file(file[1]);
        if (found) return { status: 200, body: found.data, contentType: found.contentType };
        return { status: 404, body: { error: `no control route ${method} ${path}` } };
      }
    }
  } catch (error) {
    return { status: 400, body: { error: error instanceof Error ? error.message : String(error) } };
  }
}
