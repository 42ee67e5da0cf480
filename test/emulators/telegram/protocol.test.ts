// The HTTP protocol itself, spoken without grammY: routing, transports, error bodies, getUpdates semantics.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makePng } from './images.js';
import { startTelegramEmulator } from './emulator.js';
import type { TelegramEmulator, User } from './types.js';

let emu: TelegramEmulator;
let alice: User;

beforeEach(async () => {
  emu = await startTelegramEmulator({ longPollMaxSeconds: 5 });
  alice = emu.user({ id: 1001, firstName: 'Alice', username: 'alice' });
  emu.privateChat(alice);
});
afterEach(async () => {
  await emu.close();
});

async function call(method: string, init?: RequestInit & { query?: string }): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${emu.apiRoot}/bot${emu.token}/${method}${init?.query ? `?${init.query}` : ''}`, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const postJson = (method: string, payload: unknown): ReturnType<typeof call> =>
  call(method, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });

describe('routing and transports', () => {
  it('answers 401 for a wrong token and 404 for unknown methods and paths, exactly like Telegram', async () => {
    const wrong = await fetch(`${emu.apiRoot}/bot123:nope/getMe`);
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });
    expect(await call('sendMessages')).toEqual({ status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } });
    const root = await fetch(`${emu.apiRoot}/something`);
    expect(root.status).toBe(404);
    expect(emu.calls.map((c) => [c.method, c.status])).toEqual([
      ['getMe', 401],
      ['sendMessages', 404],
    ]);
  });

  it('accepts GET with a query string and matches method names case-insensitively', async () => {
    const me = await call('GETME');
    expect(me.body).toEqual({
      ok: true,
      result: expect.objectContaining({ id: emu.botUser.id, is_bot: true, username: 'marquee_test_bot', can_read_all_group_messages: false }) as unknown,
    });
    emu.sendText(alice, alice.id, 'hi');
    const sent = await call('sendMessage', { query: `chat_id=${alice.id}&text=${encodeURIComponent('<b>hey</b>')}&parse_mode=HTML` });
    expect(sent.body.result).toMatchObject({ text: 'hey', entities: [{ type: 'bold', offset: 0, length: 3 }] });
    expect(emu.calls.at(-1)).toMatchObject({ method: 'sendMessage', transport: 'query', params: { chat_id: alice.id } });
  });

  it('parses x-www-form-urlencoded bodies including JSON-serialised fields', async () => {
    emu.sendText(alice, alice.id, 'hi');
    const markup = { inline_keyboard: [[{ text: 'Go', callback_data: 'go' }]] };
    const body = new URLSearchParams({ chat_id: String(alice.id), text: 'pick', reply_markup: JSON.stringify(markup) });
    const res = await call('sendMessage', { method: 'POST', body });
    expect(res.body.result).toMatchObject({ reply_markup: markup });
    expect(emu.calls.at(-1)).toMatchObject({ transport: 'form', params: { reply_markup: markup } });
  });

  it('parses multipart bodies with quoted part names and attach:// file references', async () => {
    emu.sendText(alice, alice.id, 'hi');
    const form = new FormData();
    form.set('chat_id', String(alice.id));
    form.set('photo', 'attach://poster');
    form.set('caption', 'Dune');
    form.set('poster', new Blob([makePng(640, 960)]), 'poster.png');
    const res = await call('sendPhoto', { method: 'POST', body: form });
    expect(res.status).toBe(200);
    const photo = (res.body.result as { photo: { width: number; height: number }[] }).photo;
    expect(photo.at(-1)).toMatchObject({ width: 640, height: 960 });
    expect(emu.calls.at(-1)).toMatchObject({ transport: 'multipart', files: [{ field: 'poster', filename: 'poster.png' }] });
  });

  it('answers malformed JSON with 400', async () => {
    const res = await call('sendMessage', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(res).toEqual({ status: 400, body: { ok: false, error_code: 400, description: "Bad Request: can't parse JSON object" } });
  });
});

describe('getUpdates', () => {
  it('confirms updates with offset, honours limit and negative offsets', async () => {
    for (const text of ['one', 'two', 'three']) emu.sendText(alice, alice.id, text);
    const all = (await postJson('getUpdates', {})).body.result as { update_id: number; message: { text: string } }[];
    expect(all.map((u) => u.message.text)).toEqual(['one', 'two', 'three']);
    const first = all[0]?.update_id ?? 0;
    expect(all.map((u) => u.update_id)).toEqual([first, first + 1, first + 2]);

    const limited = (await postJson('getUpdates', { offset: first + 1, limit: 1 })).body.result as { update_id: number }[];
    expect(limited.map((u) => u.update_id)).toEqual([first + 1]);
    expect(emu.pendingUpdateCount()).toBe(2);

    emu.sendText(alice, alice.id, 'four');
    const last = (await postJson('getUpdates', { offset: -1 })).body.result as { message: { text: string } }[];
    expect(last.map((u) => u.message.text)).toEqual(['four']);
    expect(emu.pendingUpdateCount()).toBe(1);
  });

  it('long polls until an update arrives', async () => {
    const poll = postJson('getUpdates', { timeout: 5 });
    await emu.waitForPoll();
    expect(emu.calls).toHaveLength(0); // still waiting
    emu.sendText(alice, alice.id, '/start');
    const res = await poll;
    expect(res.body.result).toEqual([
      expect.objectContaining({ message: expect.objectContaining({ text: '/start', entities: [{ type: 'bot_command', offset: 0, length: 6 }] }) as unknown }),
    ]);
  });

  it('returns an empty list when the (capped) timeout expires', async () => {
    const quick = await startTelegramEmulator({ longPollMaxSeconds: 0 });
    try {
      const res = await fetch(`${quick.apiRoot}/bot${quick.token}/getUpdates?timeout=30`);
      expect(await res.json()).toEqual({ ok: true, result: [] });
    } finally {
      await quick.close();
    }
  });

  it('a second getUpdates terminates the waiting one with 409', async () => {
    const first = postJson('getUpdates', { timeout: 5 });
    await emu.waitForPoll();
    const second = await postJson('getUpdates', { timeout: 0 });
    expect(second.status).toBe(200);
    expect(await first).toEqual({
      status: 409,
      body: {
        ok: false,
        error_code: 409,
        description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      },
    });
  });

  it('filters update types with allowed_updates', async () => {
    await postJson('getUpdates', { allowed_updates: ['callback_query'] });
    emu.sendText(alice, alice.id, 'ignored');
    expect(emu.pendingUpdateCount()).toBe(0);
    await postJson('getUpdates', { allowed_updates: [] });
    emu.sendText(alice, alice.id, 'seen');
    expect(emu.pendingUpdateCount()).toBe(1);
  });

  it('refuses to poll while a webhook is set', async () => {
    expect((await postJson('setWebhook', { url: 'http://127.0.0.1:9/hook' })).body).toEqual({ ok: true, result: true, description: 'Webhook was set' });
    expect((await postJson('setWebhook', { url: 'http://127.0.0.1:9/hook' })).body).toMatchObject({ description: 'Webhook is already set' });
    expect(await postJson('getUpdates', {})).toEqual({
      status: 409,
      body: {
        ok: false,
        error_code: 409,
        description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      },
    });
    expect((await postJson('deleteWebhook', {})).body).toEqual({ ok: true, result: true, description: 'Webhook was deleted' });
    expect((await postJson('deleteWebhook', {})).body).toEqual({ ok: true, result: true, description: 'Webhook is already deleted' });
    expect((await postJson('setWebhook', { url: 'http://example.com/hook' })).body).toMatchObject({
      error_code: 400,
      description: 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook',
    });
  });
});

describe('faults', () => {
  it('setFlood answers the next call for that chat with 429 and retry_after', async () => {
    emu.sendText(alice, alice.id, 'hi');
    emu.setFlood(alice.id, 7);
    expect(await postJson('sendMessage', { chat_id: alice.id, text: 'x' })).toEqual({
      status: 429,
      body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } },
    });
    expect((await postJson('sendMessage', { chat_id: alice.id, text: 'x' })).status).toBe(200);
  });

  it('failNext injects an arbitrary error', async () => {
    emu.failNext('getMe', { error_code: 502, description: 'Bad Gateway', times: 2 });
    expect((await call('getMe')).status).toBe(502);
    expect((await call('getMe')).body).toEqual({ ok: false, error_code: 502, description: 'Bad Gateway' });
    expect((await call('getMe')).status).toBe(200);
  });
});
