import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../emulators/telegram/index.js';
import { linkChatUser } from '../../helpers/service-stack.js';
import { buttonsOf, startStack, WAIT, type Stack } from './harness.js';

/**
 * Issue 14, the areas search, cards, add/remove, write outcomes (/queue) and inline: a user whose
 * Telegram app is German gets each area's main reply in German (titles stay as Trakt names them).
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ telegram: { inlineMode: true } });
});
afterAll(async () => {
  await stack?.close();
});

function germanUser(): User {
  return stack.newUser('Greta', undefined, 'de');
}

async function linkedGerman(): Promise<{ user: User; username: string }> {
  const user = germanUser();
  const { username } = await linkChatUser(stack.service, stack.trakt, { platform: 'telegram', userId: String(user.id) });
  return { user, username };
}

describe('Telegram in German: search, cards, writes, inline', () => {
  it('GIVEN a German user WHEN they /search dune THEN the search card (kind, footer, buttons) is German', async () => {
    const { user } = await linkedGerman();
    const card = await stack.ask(user, user.id, '/search dune');
    expect(card.text).toMatch(/\n(Film|Serie) · /);
    expect(card.text).toMatch(/Ergebnis 1 von \d+ für „dune“/);
    const labels = buttonsOf(card).map((b) => b.label);
    expect(labels).toContain('➕ Hinzufügen');
    expect(labels).toContain('☑ Mehrere auswählen');
    expect(labels).toContain('🌐 Auf Trakt öffnen');
    expect(labels).toEqual(expect.arrayContaining(['Weiter ▶', 'Filme', 'Serien', '• Beides']));
  });

  it('GIVEN a German user WHEN they /add, confirm, undo and /remove THEN every card, toast and button is German', async () => {
    const { user, username } = await linkedGerman();
    const card = await stack.ask(user, user.id, '/add tt0848228');
    expect(card.text).toContain('Zu deiner Merkliste hinzufügen?');
    expect(card.text).toContain('The Avengers (2012)');
    expect(buttonsOf(card).map((b) => b.label)).toEqual(['✅ Bestätigen', '✖ Abbrechen', '🌐 Auf Trakt öffnen']);

    const query = await stack.press(user, user.id, card, 'Bestätigen');
    expect(await stack.telegram.callbackAnswer(query, WAIT)).toMatchObject({ text: 'Wird erledigt…' });
    const added = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Zu deiner Merkliste hinzugefügt'), WAIT);
    expect(added.text).toContain('✅ Zu deiner Merkliste hinzugefügt.');
    expect(added.text).toContain('Merkliste: 1 / 250 belegt');
    expect(added.text).toContain('Du kannst das 15 Minuten lang rückgängig machen.');
    expect(buttonsOf(added).map((b) => b.label)).toEqual(['↩ Rückgängig', '🌐 Auf Trakt öffnen']);
    expect(stack.trakt.watchlist(username)).toHaveLength(1);

    await stack.press(user, user.id, added, 'Rückgängig');
    const undone = await stack.telegram.waitForMessageState(user.id, card.messageId, (m) => m.text.includes('Rückgängig gemacht'), WAIT);
    expect(undone.text).toContain('↩ Rückgängig gemacht: The Avengers (2012) ist wieder von deiner Merkliste entfernt.');
    expect(buttonsOf(undone).map((b) => b.label)).toEqual(['🔁 Wieder hinzufügen', '🌐 Auf Trakt öffnen']);

    const nothing = await stack.ask(user, user.id, '/remove avengers');
    expect(nothing.text).toBe('Nichts auf deiner Merkliste passt zu „avengers“. Was draufsteht, zeigt /watchlist.');
    const queue = await stack.ask(user, user.id, '/queue');
    expect(queue.text).toBe('Nichts in der Warteschlange: jede Änderung, die du bestätigt hast, ist bei Trakt angekommen.');
  });

  it('GIVEN a German user WHEN they ask @bot dune THEN the results and the card they post are German', async () => {
    const user = germanUser();
    const queryId = stack.telegram.inlineQuery(user, 'dune');
    const answer = await stack.telegram.inlineAnswer(queryId, WAIT);
    const dune = answer.results.find((r) => r.title === 'Dune (2021)');
    expect(dune?.description).toMatch(/^Film · 2021/);
    const group = stack.telegram.group({ id: -randomInt(1_000_000, 2 ** 40), title: 'Filmabend', type: 'supergroup' });
    const sent = stack.telegram.chooseInlineResult(user, group.id, queryId, dune!.id);
    const card = stack.telegram.message(group.id, sent.message_id)!;
    expect(card.text).toMatch(/\nFilm · /);
    expect(buttonsOf(card).map((b) => b.label)).toEqual(['➕ Zu meiner Merkliste', '🌐 Auf Trakt öffnen']);
  });
});
