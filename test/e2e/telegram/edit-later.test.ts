import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './harness.js';

/** The outbox edits a message the bot sent earlier, by its stored reference (chat id + message id). */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const poster = () => `${stack.trakt.url}/images/posters/movie-4618.webp`;

/** A user who started their private chat with the bot (Telegram bots cannot write first). */
async function startedUser(name: string) {
  const user = stack.newUser(name);
  await stack.ask(user, user.id, '/start');
  return user;
}

describe('Telegram: editing a card later through the outbox', () => {
  it('GIVEN a card sent through the outbox WHEN it is edited by its reference THEN the same message shows the new text and buttons', async () => {
    const user = await startedUser('Olga');
    const ref = await stack.service.outbox.send({ platform: 'telegram', userId: String(user.id) }, { text: 'Importing your list…', buttons: [[{ label: 'Trakt', url: 'https://trakt.tv' }]] });
    expect(ref).toMatchObject({ platform: 'telegram', chatId: String(user.id) });
    const sent = stack.telegram.message(user.id, Number(ref?.messageId));
    expect(sent?.text).toBe('Importing your list…');

    const edited = await stack.service.outbox.edit(ref!, { text: 'Imported 12 titles.', buttons: [[{ label: 'Open Trakt', url: 'https://trakt.tv/users' }]] });
    expect(edited).toEqual(ref);
    const now = stack.telegram.message(user.id, Number(ref?.messageId));
    expect(now?.text).toBe('Imported 12 titles.');
    expect(now?.edits).toHaveLength(1);
    expect(JSON.stringify(now?.replyMarkup)).toContain('Open Trakt');
  });

  it('GIVEN a photo card WHEN it is edited by reference with a new caption THEN the photo message is edited in place', async () => {
    const user = await startedUser('Pia');
    const ref = await stack.service.outbox.send({ platform: 'telegram', chatId: String(user.id) }, { text: 'Dune', image: { sourceUrl: poster() } });
    expect(stack.telegram.message(user.id, Number(ref?.messageId))?.kind).toBe('photo');
    const edited = await stack.service.outbox.edit(ref!, { text: 'Dune (added)', image: { sourceUrl: poster() } });
    expect(edited).toEqual(ref);
    expect(stack.telegram.message(user.id, Number(ref?.messageId))).toMatchObject({ kind: 'photo', text: 'Dune (added)', deleted: false });
  });

  it('GIVEN a text message WHEN it is edited by reference into a photo card THEN it is replaced and the new reference returned', async () => {
    const user = await startedUser('Quinn');
    const ref = await stack.service.outbox.send({ platform: 'telegram', userId: String(user.id) }, { text: 'Looking…' });
    const edited = await stack.service.outbox.edit(ref!, { text: 'Found: Dune', image: { sourceUrl: poster() } });
    expect(edited?.messageId).not.toBe(ref?.messageId);
    expect(stack.telegram.message(user.id, Number(ref?.messageId))?.deleted).toBe(true);
    expect(stack.telegram.message(user.id, Number(edited?.messageId))).toMatchObject({ kind: 'photo', text: 'Found: Dune' });
  });
});
