import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, WAIT, type Stack } from './harness.js';

/** Telegram's flood control (429 retry_after) is waited out; errors that stop a poller do not stop ours. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

describe('Telegram flood waits and polling errors', () => {
  it('GIVEN Telegram answers 429 with retry_after 1 WHEN the bot replies THEN it waits and sends again, and the user gets the reply', async () => {
    const user = stack.newUser();
    stack.telegram.setFlood(user.id, 1);
    const reply = await stack.ask(user, user.id, '/help');
    expect(reply.text).toContain('/search');
    const calls = stack.telegram.calls.filter((c) => c.params.chat_id === user.id);
    const flooded = calls.find((c) => c.status === 429);
    expect(flooded).toBeDefined();
    // The flooded call may be the "typing" action, sent alongside the reply: its retry comes a second later.
    const retried = await stack.telegram.waitForCall((c) => c.seq > (flooded?.seq ?? 0) && c.method === flooded?.method && c.params.chat_id === user.id, WAIT);
    expect(retried.ok).toBe(true);
    expect(retried.startedAt - (flooded?.finishedAt ?? 0)).toBeGreaterThanOrEqual(900);
    expect(stack.logs.text()).toContain('Telegram flood control; waiting');
  });

  it('GIVEN getUpdates answers 409 Conflict WHEN the runner gives up polling THEN polling starts again and updates are handled', async () => {
    stack.telegram.failNext('getUpdates', { error_code: 409, description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running' });
    // The long poll under way returns with the next update; the one after it gets the 409.
    const first = stack.newUser();
    await stack.ask(first, first.id, '/help');
    await stack.telegram.waitForCall((c) => c.method === 'getUpdates' && !c.ok, WAIT);
    const user = stack.newUser();
    const reply = await stack.ask(user, user.id, '/help');
    expect(reply.text).toContain('/search');
    expect(stack.logs.text()).toContain('Telegram getUpdates failed; retrying');
    expect(stack.logs.text()).not.toContain(stack.telegram.token.split(':')[1] ?? 'never');
  });
});
