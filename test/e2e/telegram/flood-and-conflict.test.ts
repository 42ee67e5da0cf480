import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, WAIT, type Stack } from './harness.js';

/**
 * Telegram's flood control (429 retry_after) is waited out; errors that stop a poller do not stop ours.
 * Messages the bot sends on its own (the outbox: notices) are paced at 30 a second in all; answers to
 * someone who is waiting are not queued behind them.
 */
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

  it('GIVEN 70 notices handed to the outbox at once WHEN a user asks meanwhile THEN the notices go out at most 30 a second and the answer is not queued behind them', async () => {
    const readers = Array.from({ length: 70 }, () => stack.newUser('Reader'));
    // Telegram lets a bot write only to users who have written to it.
    await Promise.all(readers.map((r) => stack.ask(r, r.id, '/help')));
    const readerIds = new Set(readers.map((r) => r.id));
    const asker = stack.newUser();
    const from = stack.telegram.calls.length;
    const notices = Promise.all(readers.map((r) => stack.service.outbox.send({ platform: 'telegram', userId: String(r.id) }, { text: 'A title on your list is out' })));
    const reply = await stack.ask(asker, asker.id, '/help');
    expect(reply.text).toContain('/search');
    const refs = await notices;
    expect(refs.every((ref) => ref !== undefined)).toBe(true);

    const calls = stack.telegram.calls.slice(from);
    const bulk = calls.filter((c) => c.method === 'sendMessage' && readerIds.has(Number(c.params.chat_id)) && c.params.text === 'A title on your list is out');
    expect(bulk).toHaveLength(70);
    // At most 30 a second: the 31st and the 61st each waited for the next refill of the global budget.
    const first = bulk[0]?.startedAt ?? 0;
    expect((bulk[60]?.startedAt ?? 0) - first).toBeGreaterThanOrEqual(900);
    // The answer went out before the third refill's notices: it did not wait behind all of them.
    const answer = calls.find((c) => c.method === 'sendMessage' && c.params.chat_id === asker.id);
    expect(answer?.seq).toBeLessThan(bulk[60]?.seq ?? 0);
  });
});
