import { expect } from 'vitest';
import { createBotCore, type BotCore } from '../../src/bot/core/bot-core.js';
import type { Locale } from '../../src/bot/core/i18n/index.js';
import type { LanguageStore } from '../../src/bot/core/i18n/ports.js';
import type { ActionAck, ActionInput, CommandInput, Reply } from '../../src/bot/core/types.js';
import { LIMITS, renderComponents, renderMarkdown } from '../../src/bot/discord/render.js';
import { CAPTION_LIMIT, MESSAGE_LIMIT, renderHtml, renderKeyboard } from '../../src/bot/telegram/render.js';
import { fakeWorld, type FakeWorld } from '../bot/fakes.js';

/**
 * Helpers to check translated replies against both platforms' limits, through the adapters' own
 * renderers: a text fits when the renderer did not have to cut it. Each area's limits test (see
 * src/bot/core/i18n/README.md) renders its replies in every language with these.
 */

/** Telegram: answerCallbackQuery text. */
export const ACK_LIMIT = 200;
/** Telegram cuts button labels at 64 characters (render.ts); Discord at 80. */
export const BUTTON_LIMIT = 64;

export function expectWithinLimits(reply: Reply, where: string): void {
  const telegramLimit = reply.image === undefined && reply.file === undefined ? MESSAGE_LIMIT : CAPTION_LIMIT;
  expect(renderHtml(reply.text, telegramLimit), `${where}: Telegram cut the text`).toBe(renderHtml(reply.text, Number.POSITIVE_INFINITY));
  expect(renderMarkdown(reply.text), `${where}: Discord cut the text`).toBe(renderMarkdown(reply.text, Number.POSITIVE_INFINITY as typeof LIMITS.embedDescription));
  for (const button of (reply.buttons ?? []).flat()) expect(button.label.length, `${where}: button ${button.label}`).toBeLessThanOrEqual(BUTTON_LIMIT);
  for (const option of reply.pick?.options ?? []) {
    expect(option.label.length, `${where}: option ${option.label}`).toBeLessThanOrEqual(LIMITS.selectText);
    expect((option.description ?? '').length, `${where}: option ${option.label}`).toBeLessThanOrEqual(LIMITS.selectText);
  }
  if (reply.pick !== undefined) expect(reply.pick.placeholder.length, `${where}: placeholder`).toBeLessThanOrEqual(LIMITS.selectPlaceholder);
  // The renderers throw on what cannot be sent at all (callback data, custom ids).
  renderKeyboard(reply.buttons);
  renderComponents(reply.buttons, reply.pick);
}

export function expectAckWithinLimits(ack: ActionAck, where: string): void {
  expect((ack.text ?? '').length, `${where}: ack`).toBeLessThanOrEqual(ACK_LIMIT);
}

/** A LanguageStore in memory (the database one is src/bot/services/language-store.ts). */
export function memoryLanguages(): LanguageStore & { users: Map<number, string>; chats: Map<string, string> } {
  const users = new Map<number, string>();
  const chats = new Map<string, string>();
  return {
    users,
    chats,
    languages: async (identityId, chat) => ({
      user: users.get(identityId) ?? null,
      client: null,
      chat: chat === undefined ? null : (chats.get(`${chat.platform}:${chat.chatId}`) ?? null),
    }),
    setUserLanguage: async (identityId, locale) => {
      if (locale === null) users.delete(identityId);
      else users.set(identityId, locale);
    },
    setChatLanguage: async (chat, locale) => {
      if (locale === null) chats.delete(`${chat.platform}:${chat.chatId}`);
      else chats.set(`${chat.platform}:${chat.chatId}`, locale);
    },
  };
}

/** A core on in-memory ports whose users' clients are set to `locale`. */
export function coreIn(locale: Locale): { core: BotCore; world: FakeWorld; command: (userId: string, name: string, args?: string, chat?: { chatId: string; kind: 'private' | 'group' }) => CommandInput; press: (userId: string, data: string) => ActionInput } {
  const world = fakeWorld();
  const core = createBotCore({ ...world.deps, languages: memoryLanguages() });
  return {
    core,
    world,
    command: (userId, name, args = '', chat) => {
      const input = world.command(userId, name, args, chat);
      return { ...input, user: { ...input.user, locale }, chatAdmin: async () => true };
    },
    press: (userId, data) => {
      const input = world.press(userId, data);
      return { ...input, user: { ...input.user, locale }, chatAdmin: async () => true };
    },
  };
}
