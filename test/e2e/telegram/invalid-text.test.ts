import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTICES } from '../../../src/bot/core/replies.js';
import { startStack, type Stack } from './harness.js';

/**
 * Text Telegram delivers is not always valid Unicode: a client can send a lone UTF-16 surrogate,
 * which Postgres refuses in a text column. The adapter cleans it before the core sees it.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

describe('invalid text from Telegram', () => {
  it('GIVEN a linked user WHEN they send /search with a lone surrogate THEN they get a normal answer, not the apology', async () => {
    const { user } = await stack.linkedUser();
    const reply = await stack.ask(user, user.id, '/search \uD83Dabc');
    expect(reply.text).not.toContain(NOTICES.genericError);
  });

  it('GIVEN a user whose display name holds a lone surrogate and a NUL WHEN they search THEN they get a normal answer', async () => {
    const { user } = await stack.linkedUser({ name: 'Mal\uDC00lo\u0000ry' });
    const reply = await stack.ask(user, user.id, '/search the avengers');
    expect(reply.text).not.toContain(NOTICES.genericError);
    expect(reply.text).toContain('Avengers');
  });

  it('GIVEN an unlinked user with a broken display name WHEN they send /start THEN they read the welcome, not the apology', async () => {
    const user = stack.newUser('\uD800Zed');
    const reply = await stack.ask(user, user.id, '/start');
    expect(reply.text).not.toContain(NOTICES.genericError);
  });
});
