import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../emulators/telegram/index.js';
import { buttonsOf, startStack, WAIT, type Stack } from './harness.js';

/** The bot in the user's language on Telegram: the app's language_code, /language, a group's language, the menus. */
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

describe('Telegram: the user’s language', () => {
  it('GIVEN a user whose app is German WHEN they /start THEN the help and its button are German', async () => {
    const user = userIn('de');
    const reply = await stack.ask(user, user.id, '/start');
    expect(reply.text).toContain('Marquee hält deine Trakt-Merkliste griffbereit.');
    expect(reply.text).toContain('/undo — deine letzte Änderung rückgängig machen (innerhalb von 15 Minuten)');
    expect(reply.text).toContain('Verknüpfe zuerst dein Trakt-Konto:');
    expect(buttonsOf(reply).map((b) => b.label)).toEqual(['🔗 Trakt-Konto verknüpfen']);
  });

  it('GIVEN a German user WHEN they send /language fr THEN it answers in French, /help is French, and /language auto goes back to German', async () => {
    const user = userIn('de');
    const set = await stack.ask(user, user.id, '/language fr');
    expect(set.text).toBe('Désormais, je te parle en français.');
    const help = await stack.ask(user, user.id, '/help');
    expect(help.text).toContain('Marquee garde ta liste Trakt sous la main.');
    const auto = await stack.ask(user, user.id, '/language auto');
    expect(auto.text).toBe('Ich folge wieder der Sprache deiner App: vorerst Deutsch.');
    expect((await stack.ask(user, user.id, '/help')).text).toContain('Marquee hält deine Trakt-Merkliste griffbereit.');
  });

  it('GIVEN /language without a choice WHEN the user presses Español THEN the message says so in Spanish and later answers are Spanish', async () => {
    const user = userIn('en');
    const menu = await stack.ask(user, user.id, '/language');
    expect(menu.text).toBe('I speak English with you. Choose a language:');
    expect(buttonsOf(menu).map((b) => b.label)).toEqual(['English', 'Deutsch', 'Español', 'Français', 'Automatic']);
    await stack.press(user, user.id, menu, 'Español');
    const edited = await stack.telegram.waitForMessageState(user.id, menu.messageId, (m) => m.text.includes('español'), WAIT);
    expect(edited.text).toBe('A partir de ahora te hablo en español.');
    expect((await stack.ask(user, user.id, '/help')).text).toContain('Marquee tiene tu lista de Trakt siempre a mano.');
  });

  it('GIVEN a German user WHEN they /status, /link and mistype a command THEN the answers are German', async () => {
    const user = userIn('de');
    expect((await stack.ask(user, user.id, '/status')).text).toBe('Es ist noch kein Trakt-Konto verknüpft.');
    const link = await stack.ask(user, user.id, '/link');
    expect(link.text).toContain('Gut zu wissen: Ein kostenloses Trakt-Konto kann nur eine App gleichzeitig verbinden');
    expect(link.text).toMatch(/und gib den Code [0-9A-F]{8} ein \(er gilt 10 Minuten lang\)\. Ich sage dir hier Bescheid, wenn es geklappt hat\./);
    expect(buttonsOf(link).map((b) => b.label)).toEqual(['🔗 Trakt zum Verknüpfen öffnen']);
    expect((await stack.ask(user, user.id, '/frobnicate')).text).toBe('Den Befehl /frobnicate kenne ich nicht. Sende /help, um zu sehen, was ich kann.');
  });

  it('GIVEN an unknown language WHEN asked for THEN the menu comes back, in the user’s language', async () => {
    const user = userIn('de');
    const reply = await stack.ask(user, user.id, '/language klingon');
    expect(reply.text).toBe('„klingon“ spreche ich nicht. Wähle eine Sprache:');
    expect(buttonsOf(reply)).toHaveLength(5);
  });

  it('GIVEN a group WHEN a member who is no admin sets a language THEN it is refused; WHEN an admin sets German THEN a French member reads German there and French privately', async () => {
    const admin = userIn('en', 'Admin');
    const member = userIn('fr', 'Member');
    const chat = stack.telegram.group({ id: -randomInt(10_000, 2 ** 40), title: 'Filmabend', type: 'supergroup' });
    stack.telegram.addMembers(chat, [admin, member]);
    stack.telegram.makeAdmin(chat, admin);

    const refused = await stack.ask(member, chat.id, '/language de');
    expect(refused.text).toBe('Seuls les admins du groupe peuvent choisir sa langue.');
    const set = await stack.ask(admin, chat.id, '/language de');
    expect(set.text).toBe('Ab jetzt spreche ich Deutsch in dieser Gruppe.');
    expect((await stack.ask(member, chat.id, '/help')).text).toContain('Marquee hält deine Trakt-Merkliste griffbereit.');
    expect((await stack.ask(member, member.id, '/help')).text).toContain('Marquee garde ta liste Trakt sous la main.');
    const menu = await stack.ask(member, chat.id, '/language');
    expect(menu.text).toBe('Ich spreche Deutsch in dieser Gruppe. Admins können eine andere wählen:');
    // What concerns the member alone goes to their private chat, in their language; the pointer in the group too.
    const pointer = await stack.ask(member, chat.id, '/add dune');
    expect(pointer.text).toBe('Je t’ai répondu dans notre chat privé.');
    const prompt = await stack.telegram.waitForBotMessage(member.id, (m) => m.text.includes('Trakt'), WAIT);
    expect(prompt.text).toBe('Pour cela, il me faut ton compte Trakt. Lie-le d’abord : ça prend une minute.');
    expect(buttonsOf(prompt).map((b) => b.label)).toEqual(['🔗 Lier le compte Trakt']);
  });
});

describe('Telegram: command menus per language', () => {
  it('GIVEN the service started THEN the default menu is English and German, Spanish and French menus are set with the same commands', () => {
    const english = stack.telegram.commands() ?? [];
    expect(english.find((c) => c.command === 'link')?.description).toBe('Link your Trakt account');
    for (const [code, text] of [
      ['de', 'Dein Trakt-Konto verknüpfen'],
      ['es', 'Vincular tu cuenta de Trakt'],
      ['fr', 'Lier ton compte Trakt'],
    ] as const) {
      const menu = stack.telegram.commands(undefined, code) ?? [];
      expect(menu.map((c) => c.command)).toEqual(english.map((c) => c.command));
      expect(menu.find((c) => c.command === 'link')?.description).toBe(text);
    }
    expect(english.map((c) => c.command)).toContain('language');
  });
});
