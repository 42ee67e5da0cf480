import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../emulators/telegram/index.js';
import { buttonsOf, startStack, WAIT, type Stack } from './harness.js';

/**
 * Group picks, the core's button answers and the adapters' own words in the user's language: one
 * German user (language_code 'de') per area, through the real service.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

function userIn(languageCode: string, name = 'Tester'): User {
  return stack.newUser(name, undefined, languageCode);
}

describe('Telegram: picks, buttons and the adapter in German', () => {
  it('GIVEN a German host WHEN they send /pick in a group THEN the session card, its filters and its buttons are German', async () => {
    const host = userIn('de', 'Hanna');
    const group = stack.telegram.group({ id: -randomInt(10_000, 2 ** 40), title: 'Filmabend', type: 'supergroup' });
    stack.telegram.addMembers(group, [host]);
    const card = await stack.ask(host, group.id, '/pick movies time=30m');
    expect(card.text).toContain('🍿 Gruppen-Pick: Was schauen wir?');
    expect(card.text).toContain('Filme · Stimmzettel mit 8 · Abstimmung läuft 30 Minuten');
    expect(card.text).toContain('Dabei (0): noch niemand');
    expect(buttonsOf(card).map((b) => b.label)).toEqual(['🙋 Mitmachen', '👋 Aussteigen', '➕ Vorschlagen', '🗳 Abstimmung starten', '✖ Abbrechen']);
    // Join needs the private chat, which Hanna never opened: the adapter says so in German, with its
    // button. She waits for the link, which the card shows (a second /pick shows the running one).
    await stack.press(host, group.id, card, 'Mitmachen');
    const pointer = await stack.telegram.waitForBotMessage(group.id, (m) => m.text.includes('Privatchat'), WAIT);
    expect(pointer.text).toBe('Ich muss dir privat antworten, aber wir haben noch keinen Privatchat. Öffne ihn mit dem Knopf und versuch es dann noch einmal.');
    expect(buttonsOf(pointer).map((b) => b.label)).toEqual(['Privatchat öffnen']);
    const again = await stack.ask(host, group.id, '/pick', (m) => m.text.includes('Hier ist er'));
    expect(again.text).toBe('In diesem Chat läuft schon ein Gruppen-Pick (immer nur einer). Hier ist er:');
    const shown = await stack.telegram.waitForBotMessage(group.id, (m) => m.text.includes('Gruppen-Pick: Was schauen wir?'), WAIT);
    expect(shown.text).toContain('Verknüpft gerade, um mitzumachen: Hanna');
  });

  it('GIVEN a German user WHEN they press a button that is no longer there THEN the core answers in German', async () => {
    const user = userIn('de');
    const help = await stack.ask(user, user.id, '/help');
    const queryId = String(randomInt(1, 2 ** 40));
    stack.telegram.injectUpdate({ callback_query: { id: queryId, from: user, chat_instance: '1', data: 'v1:confirm:AAAAAAAAAAAAAA', message: stack.telegram.message(user.id, help.messageId)?.message } });
    const call = await stack.telegram.waitForCall((c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === queryId, WAIT);
    expect(call.params).toMatchObject({ text: 'Dieser Knopf ist abgelaufen oder wurde schon benutzt. Sende den Befehl noch einmal.', show_alert: true });
  });

  it('GIVEN a German user WHEN they send a command the bot does not know THEN the answer is German', async () => {
    const user = userIn('de');
    const reply = await stack.ask(user, user.id, '/frobnicate');
    expect(reply.text).toBe('Den Befehl /frobnicate kenne ich nicht. Sende /help, um zu sehen, was ich kann.');
  });
});
