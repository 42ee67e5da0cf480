import type { DemoWorld } from '../../demo/server.js';
import type { ControlMessage as DiscordMessage } from '../emulators/discord/control.js';
import type { ControlMessage } from '../emulators/telegram/control.js';

/**
 * The demo page's own HTTP API (`/api/...`), as the page calls it, from Node: what a person does in the
 * Telegram pane, and the Trakt consent page approved the way its form does.
 */
export function demoClient(demoUrl: string) {
  const api = async <T>(path: string, body?: unknown): Promise<T> => {
    const response = await fetch(new URL(`api/${path}`, demoUrl), {
      ...(body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const data = (await response.json()) as T & { error?: string };
    if (!response.ok) throw new Error(`${path}: ${response.status} ${data.error ?? ''}`);
    return data;
  };
  const telegram = {
    send: (chatId: number, userId: number, text: string) => api(`telegram/chats/${chatId}/send`, { userId, text }),
    messages: (chatId: number) => api<ControlMessage[]>(`telegram/chats/${chatId}/messages`),
    press: (chatId: number, userId: number, message: ControlMessage, label: RegExp) => {
      const button = buttons(message).find((b) => label.test(b.text));
      if (button?.callback_data === undefined) throw new Error(`no button ${String(label)} on: ${buttons(message).map((b) => b.text).join(' | ')}`);
      return api(`telegram/chats/${chatId}/press`, { userId, messageId: message.messageId, data: button.callback_data });
    },
    /** The first bot message (as it is now) that satisfies `predicate`, waiting for it. */
    waitFor: (chatId: number, predicate: (m: ControlMessage) => boolean, what: string): Promise<ControlMessage> =>
      firstOf(() => telegram.messages(chatId), (m) => m.from === 'bot' && !m.deleted && predicate(m), what),
  };
  const discord = {
    command: (where: { userId: string; channelId: string; guildId: string | null }, name: string, options: Record<string, string>) =>
      api<{ id: string }>('discord/interactions/command', {
        userId: where.userId,
        channelId: where.channelId,
        ...(where.guildId === null ? {} : { guildId: where.guildId }),
        name,
        options: Object.entries(options).map(([option, value]) => ({ name: option, value })),
      }),
    click: (userId: string, message: DiscordMessage, customId: string) => api('discord/interactions/button', { userId, messageId: message.id, customId }),
    messages: (channelId: string) => api<DiscordMessage[]>(`discord/channels/${channelId}/messages`),
    waitFor: (channelId: string, predicate: (m: DiscordMessage) => boolean, what: string): Promise<DiscordMessage> =>
      firstOf(() => discord.messages(channelId), (m) => !m.deleted && predicate(m), what),
  };
  return {
    world: () => api<DemoWorld>('world'),
    telegram,
    discord,
    traktWatchlist: (username: string) => api<Array<{ title: string; type: string }>>(`trakt/watchlist/${username}`),
    /** Opens the consent page at `authorizeUrl` and presses "Yes, allow" as `username`; resolves with the service's callback page. */
    async approveOnTrakt(authorizeUrl: string, username: string): Promise<{ consentPage: string; callbackPage: string }> {
      const consentPage = await (await fetch(authorizeUrl)).text();
      const decided = new URL(authorizeUrl);
      decided.searchParams.set('username', username);
      decided.searchParams.set('consent', 'approve');
      const callbackPage = await (await fetch(decided)).text();
      return { consentPage, callbackPage };
    },
  };
}

/** The first message (as it is now) that satisfies `predicate`, reading again until one does (20 s at most). */
async function firstOf<T>(read: () => Promise<T[]>, predicate: (m: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = (await read()).find(predicate);
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}; last messages: ${JSON.stringify((await read()).slice(-2)).slice(0, 1500)}`);
}

export function buttons(message: ControlMessage): Array<{ text: string; callback_data?: string; url?: string }> {
  const markup = message.replyMarkup as { inline_keyboard?: Array<Array<{ text: string; callback_data?: string; url?: string }>> } | undefined;
  return (markup?.inline_keyboard ?? []).flat();
}
