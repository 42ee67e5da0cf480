// REST at the HTTP level: authentication, error format, rate-limit headers, Discord's payload
// limits, interaction callbacks and interaction webhooks.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordEmulator, type DiscordEmulator, type DiscordEmulatorOptions, type InteractionHandle } from './index.js';
import { RawGatewayClient, makePng } from './test-helpers.js';

const GUILD = '230000000000000001';
const CHANNEL = '330000000000000001';
const USER = '430000000000000001';

interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

async function startWithBot(options: DiscordEmulatorOptions = {}): Promise<{ emu: DiscordEmulator; gw: RawGatewayClient }> {
  const emu = await startDiscordEmulator({ requireRegisteredCommands: false, ...options });
  emu.addGuild({ id: GUILD, name: 'G', channels: [{ id: CHANNEL, name: 'general' }] });
  emu.addUser({ id: USER, username: 'alice' });
  const gw = await RawGatewayClient.connect(emu.gatewayUrl);
  gw.identify(emu.token);
  await gw.dispatch('READY');
  return { emu, gw };
}

function client(emu: DiscordEmulator) {
  const call = async (method: string, path: string, opts: { body?: unknown; auth?: boolean; form?: FormData; version?: number } = {}): Promise<Reply> => {
    const headers: Record<string, string> = {};
    if (opts.auth !== false) headers.authorization = `Bot ${emu.token}`;
    let body: string | FormData | undefined;
    if (opts.form) body = opts.form;
    else if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    }
    const res = await fetch(`${emu.apiUrl}/v${opts.version ?? 10}${path}`, { method, headers, body });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text === '' ? null : (JSON.parse(text) as unknown) };
  };
  return {
    call,
    callback: (h: InteractionHandle, body: unknown, query = '') =>
      call('POST', `/interactions/${h.id}/${h.token}/callback${query}`, { body, auth: false }),
    webhook: (method: string, h: InteractionHandle, suffix: string, body?: unknown) =>
      call(method, `/webhooks/${emu.applicationId}/${h.token}${suffix}`, { body, auth: false }),
  };
}

function formError(code: string, message: string): { _errors: Array<{ code: string; message: string }> } {
  return { _errors: [{ code, message }] };
}

describe('REST basics', () => {
  let emu: DiscordEmulator;
  let gw: RawGatewayClient;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    ({ emu, gw } = await startWithBot());
    api = client(emu);
  });
  afterAll(async () => {
    gw.close();
    await emu.close();
  });

  it('requires the bot token: 401 in Discord\'s format', async () => {
    for (const auth of [undefined, 'Bot wrong', emu.token]) {
      const res = await fetch(`${emu.apiUrl}/v10/users/@me`, { headers: auth ? { authorization: auth } : {} });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ message: '401: Unauthorized', code: 0 });
    }
  });

  it('serves gateway/bot, users/@me and applications/@me on v10 and v9', async () => {
    const gateway = await api.call('GET', '/gateway/bot');
    expect(gateway.body).toEqual({
      url: emu.gatewayUrl,
      shards: 1,
      session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
    });
    expect((await api.call('GET', '/users/@me', { version: 9 })).body).toMatchObject({ id: emu.botUserId, bot: true });
    expect((await api.call('GET', '/applications/@me')).body).toMatchObject({ id: emu.applicationId, bot: { id: emu.botUserId } });
    expect((await api.call('GET', `/channels/${CHANNEL}`)).body).toMatchObject({ id: CHANNEL, guild_id: GUILD, type: 0, name: 'general' });
  });

  it('answers unknown routes and objects like Discord', async () => {
    expect(await api.call('GET', '/nope')).toMatchObject({ status: 404, body: { message: '404: Not Found', code: 0 } });
    expect(await api.call('GET', '/channels/1')).toMatchObject({ status: 404, body: { message: 'Unknown Channel', code: 10003 } });
    expect(await api.call('PATCH', `/channels/${CHANNEL}/messages/1`, { body: { content: 'x' } })).toMatchObject({
      status: 404,
      body: { code: 10008, message: 'Unknown Message' },
    });
    expect(await api.call('POST', `/channels/${CHANNEL}/messages`, { body: '{"content":' })).toMatchObject({
      status: 400,
      body: { code: 50109, message: 'The request body contains invalid JSON.' },
    });
    expect(await api.call('POST', `/channels/${CHANNEL}/messages`, { body: { content: '' } })).toMatchObject({
      status: 400,
      body: { code: 50006, message: 'Cannot send an empty message' },
    });
  });

  it('a user whose DMs are closed: the DM channel opens, messages to it are refused with 403 / 50007, over the control API too', async () => {
    const user = emu.addUser({ id: '430000000000000077', username: 'closed' });
    const opened = await api.call('POST', '/users/@me/channels', { body: { recipient_id: user.id } });
    expect(opened).toMatchObject({ status: 200, body: { id: user.dmChannelId, type: 1 } });
    expect((await api.call('POST', `/channels/${user.dmChannelId}/messages`, { body: { content: 'hi' } })).status).toBe(200);

    emu.setDmsClosed(user);
    expect((await api.call('POST', '/users/@me/channels', { body: { recipient_id: user.id } })).status).toBe(200);
    expect(await api.call('POST', `/channels/${user.dmChannelId}/messages`, { body: { content: 'hi' } })).toMatchObject({
      status: 403,
      body: { code: 50007, message: 'Cannot send messages to this user' },
    });
    expect(emu.messages(user.dmChannelId)).toHaveLength(1);

    const control = await fetch(`${emu.baseUrl}/_emulator/users/${user.id}/dms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ closed: false }),
    });
    expect(control.status).toBe(201);
    expect((await api.call('POST', `/channels/${user.dmChannelId}/messages`, { body: { content: 'again' } })).status).toBe(200);
  });

  it('puts rate-limit headers on every response and logs every call', async () => {
    const res = await api.call('POST', `/channels/${CHANNEL}/messages`, { body: { content: 'hi' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit')).toBe('50');
    expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeLessThan(50);
    expect(Number(res.headers.get('x-ratelimit-reset-after'))).toBeGreaterThanOrEqual(0);
    expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000 - 1);
    expect(res.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{32}$/);
    const call = emu.calls[emu.calls.length - 1];
    expect(call).toMatchObject({
      method: 'POST',
      path: `/channels/${CHANNEL}/messages`,
      route: '/channels/:channelId/messages',
      version: 10,
      authorized: true,
      body: { content: 'hi' },
      status: 200,
      response: { content: 'hi', channel_id: CHANNEL },
    });
  });
});

describe('REST rate limits', () => {
  it('answers 429 with retry_after once a bucket is empty', async () => {
    const { emu, gw } = await startWithBot({ rateLimit: { limit: 2, windowMs: 60_000 } });
    try {
      const api = client(emu);
      const path = `/channels/${CHANNEL}/messages`;
      expect((await api.call('POST', path, { body: { content: '1' } })).status).toBe(200);
      const second = await api.call('POST', path, { body: { content: '2' } });
      expect(second.headers.get('x-ratelimit-remaining')).toBe('0');
      const third = await api.call('POST', path, { body: { content: '3' } });
      expect(third.status).toBe(429);
      expect(third.body).toMatchObject({ message: 'You are being rate limited.', global: false, code: 0 });
      expect((third.body as { retry_after: number }).retry_after).toBeGreaterThan(0);
      expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(third.headers.get('x-ratelimit-scope')).toBe('user');
      // Another channel is another bucket.
      emu.addChannel(GUILD, { id: '330000000000000002', name: 'other' });
      expect((await api.call('POST', '/channels/330000000000000002/messages', { body: { content: 'x' } })).status).toBe(200);
    } finally {
      gw.close();
      await emu.close();
    }
  });
});

describe('message validation (400 / 50035 Invalid Form Body)', () => {
  let emu: DiscordEmulator;
  let gw: RawGatewayClient;
  let api: ReturnType<typeof client>;
  const post = (body: unknown): Promise<Reply> => api.call('POST', `/channels/${CHANNEL}/messages`, { body });

  beforeAll(async () => {
    ({ emu, gw } = await startWithBot({ rateLimit: false }));
    api = client(emu);
  });
  afterAll(async () => {
    gw.close();
    await emu.close();
  });

  it('content over 2000 characters', async () => {
    const res = await post({ content: 'x'.repeat(2001) });
    expect(res).toMatchObject({ status: 400 });
    expect(res.body).toEqual({
      message: 'Invalid Form Body',
      code: 50035,
      errors: { content: formError('BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.') },
    });
    expect((await post({ content: 'x'.repeat(2000) })).status).toBe(200);
  });

  it('more than 10 embeds', async () => {
    const res = await post({ embeds: Array.from({ length: 11 }, () => ({ title: 't' })) });
    expect(res.body).toMatchObject({ code: 50035, errors: { embeds: formError('BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.') } });
  });

  it('embed field limits, each error under its path', async () => {
    const res = await post({
      embeds: [
        {
          title: 't'.repeat(257),
          description: 'd'.repeat(4097),
          footer: { text: 'f'.repeat(2049) },
          author: { name: 'a'.repeat(257) },
          fields: [
            { name: 'n'.repeat(257), value: 'ok' },
            { name: 'ok', value: 'v'.repeat(1025) },
            { name: '', value: 'ok' },
          ],
        },
        { fields: Array.from({ length: 26 }, (_, i) => ({ name: `f${i}`, value: 'v' })) },
      ],
    });
    expect(res.body).toMatchObject({
      code: 50035,
      errors: {
        embeds: {
          0: {
            title: formError('BASE_TYPE_MAX_LENGTH', 'Must be 256 or fewer in length.'),
            description: formError('BASE_TYPE_MAX_LENGTH', 'Must be 4096 or fewer in length.'),
            footer: { text: formError('BASE_TYPE_MAX_LENGTH', 'Must be 2048 or fewer in length.') },
            author: { name: formError('BASE_TYPE_MAX_LENGTH', 'Must be 256 or fewer in length.') },
            fields: {
              0: { name: formError('BASE_TYPE_MAX_LENGTH', 'Must be 256 or fewer in length.') },
              1: { value: formError('BASE_TYPE_MAX_LENGTH', 'Must be 1024 or fewer in length.') },
              2: { name: formError('BASE_TYPE_REQUIRED', 'This field is required') },
            },
          },
          1: { fields: formError('BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.') },
        },
      },
    });
  });

  it('embeds over 6000 characters in total', async () => {
    const res = await post({ embeds: [{ description: 'a'.repeat(4000) }, { description: 'b'.repeat(2001) }] });
    expect(res.body).toMatchObject({
      code: 50035,
      errors: { embeds: { _errors: [{ message: 'Embed size exceeds maximum size of 6000' }] } },
    });
  });

  const button = (id: string, label = 'L'): object => ({ type: 2, style: 1, label, custom_id: id });
  const row = (...components: object[]): object => ({ type: 1, components });

  it('component limits: rows, buttons per row, select width, options, label, custom_id length and uniqueness', async () => {
    const tooManyRows = await post({ components: Array.from({ length: 6 }, (_, i) => row(button(`b${i}`))) });
    expect(tooManyRows.body).toMatchObject({ errors: { components: formError('BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.') } });

    const select = { type: 3, custom_id: 's', options: Array.from({ length: 26 }, (_, i) => ({ label: `o${i}`, value: `v${i}` })) };
    const res = await post({
      components: [
        row(...Array.from({ length: 6 }, (_, i) => button(`x${i}`))),
        row(select, button('beside-select')),
        row(button('long-label', 'l'.repeat(81)), button('y'.repeat(101)), button('x0')),
      ],
    });
    expect(res.body).toMatchObject({
      code: 50035,
      errors: {
        components: {
          0: { components: formError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.') },
          1: {
            components: {
              _errors: [{ code: 'COMPONENT_LAYOUT_WIDTH_EXCEEDED', message: 'The specified component exceeds the maximum width' }],
              0: { options: formError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 25 in length.') },
            },
          },
          2: {
            components: {
              0: { label: formError('BASE_TYPE_MAX_LENGTH', 'Must be 80 or fewer in length.') },
              1: { custom_id: formError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.') },
              2: { custom_id: formError('COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id was already specified') },
            },
          },
        },
      },
    });
  });

  it('accepts a valid message and keeps its edit history', async () => {
    const created = await post({ content: 'v1', components: [row(button('a'), button('b'))] });
    expect(created.status).toBe(200);
    const id = (created.body as { id: string }).id;
    const edited = await api.call('PATCH', `/channels/${CHANNEL}/messages/${id}`, { body: { content: 'v2', components: [] } });
    expect(edited.body).toMatchObject({ id, content: 'v2', components: [], edited_timestamp: expect.any(String) as string });
    expect(emu.message(id)?.history.map((h) => [h.content, h.components.length])).toEqual([
      ['v1', 1],
      ['v2', 0],
    ]);
  });
});

describe('interaction callbacks and webhooks', () => {
  let emu: DiscordEmulator;
  let gw: RawGatewayClient;
  let api: ReturnType<typeof client>;
  const command = (): InteractionHandle => emu.slashCommand({ user: USER, channelId: CHANNEL, name: 'ping', options: [] });

  beforeAll(async () => {
    ({ emu, gw } = await startWithBot({ rateLimit: false, attachmentSizeLimit: 1024 }));
    api = client(emu);
  });
  afterAll(async () => {
    gw.close();
    await emu.close();
  });

  it('with_response=true returns the interaction callback response', async () => {
    const h = command();
    const res = await api.callback(h, { type: 4, data: { content: 'hello', flags: 64 } }, '?with_response=true');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      interaction: { id: h.id, type: 2, response_message_ephemeral: true, response_message_loading: false },
      resource: { type: 4, message: { content: 'hello', flags: 64, interaction_metadata: { id: h.id, user: { id: USER } } } },
    });
    const deferred = command();
    const d = await api.callback(deferred, { type: 5 }, '?with_response=true');
    expect(d.body).toMatchObject({ interaction: { response_message_loading: true }, resource: { type: 5, message: { flags: 128 } } });
    expect((await api.callback(command(), { type: 5 }, '?with_response=false')).status).toBe(204);
  });

  it('refuses unknown interactions, wrong callback types and second answers', async () => {
    const h = command();
    expect(await api.call('POST', `/interactions/1/${h.token}/callback`, { body: { type: 4 }, auth: false })).toMatchObject({
      status: 404,
      body: { code: 10062, message: 'Unknown interaction' },
    });
    const wrongType = await api.callback(h, { type: 8, data: { choices: [] } });
    expect(wrongType).toMatchObject({ status: 400, body: { code: 50035, errors: { type: { _errors: [{ code: 'INTERACTION_RESPONSE_TYPE_INVALID' }] } } } });
    expect(await api.callback(h, { type: 4, data: {} })).toMatchObject({ status: 400, body: { code: 50006 } });
    expect((await api.callback(h, { type: 4, data: { content: 'ok' } })).status).toBe(204);
    expect(await api.callback(h, { type: 5 })).toMatchObject({
      status: 400,
      body: { code: 40060, message: 'Interaction has already been acknowledged.' },
    });
    expect(h.attempts.map((a) => a.code)).toEqual([50035, 50006, null, 40060]);
  });

  it('validates autocomplete choices', async () => {
    const choices = (n: number, name = 'n', value = 'v'): object[] => Array.from({ length: n }, () => ({ name, value }));
    const h = emu.autocomplete({ user: USER, channelId: CHANNEL, name: 'search', options: [{ name: 'q', type: 3, value: 'du', focused: true }] });
    expect((await api.callback(h, { type: 8, data: { choices: choices(26) } })).body).toMatchObject({
      code: 50035,
      errors: { data: { choices: formError('BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.') } },
    });
    expect((await api.callback(h, { type: 8, data: { choices: [{ name: 'x'.repeat(101), value: 'y'.repeat(101) }] } })).body).toMatchObject({
      errors: {
        data: {
          choices: {
            0: {
              name: formError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.'),
              value: formError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.'),
            },
          },
        },
      },
    });
    expect((await api.callback(h, { type: 4, data: { content: 'no' } })).status).toBe(400);
    expect((await api.callback(h, { type: 8, data: { choices: choices(25) } })).status).toBe(204);
    expect((await h.response()).data).toMatchObject({ choices: choices(25) });
  });

  it('interaction webhooks: @original, follow-ups, unknown messages and tokens', async () => {
    const h = command();
    expect(await api.webhook('PATCH', h, '/messages/@original', { content: 'x' })).toMatchObject({
      status: 404,
      body: { code: 10015, message: 'Unknown Webhook' },
    });
    expect(await api.webhook('POST', h, '', { content: 'x' })).toMatchObject({ status: 404, body: { code: 10015 } });
    await api.callback(h, { type: 4, data: { content: 'v1' } });
    expect((await api.webhook('GET', h, '/messages/@original')).body).toMatchObject({ content: 'v1' });
    expect((await api.webhook('PATCH', h, '/messages/@original', { content: 'v2' })).body).toMatchObject({ content: 'v2' });
    const follow = await api.webhook('POST', h, '?wait=true', { content: 'more', flags: 64 });
    const followId = (follow.body as { id: string }).id;
    expect(follow.body).toMatchObject({ content: 'more', flags: 64, webhook_id: emu.applicationId });
    expect((await api.webhook('PATCH', h, `/messages/${followId}`, { content: 'more!' })).body).toMatchObject({ content: 'more!' });
    expect(h.followUps.map((m) => m.content)).toEqual(['more!']);

    const other = command();
    await api.callback(other, { type: 4, data: { content: 'other' } });
    expect(await api.webhook('PATCH', other, `/messages/${followId}`, { content: 'hijack' })).toMatchObject({ status: 404, body: { code: 10008 } });
    expect((await api.webhook('DELETE', h, '/messages/@original')).status).toBe(204);
    expect(await api.webhook('GET', h, '/messages/@original')).toMatchObject({ status: 404, body: { code: 10008 } });
    expect(await api.call('GET', `/webhooks/${emu.applicationId}/not-a-token/messages/@original`, { auth: false })).toMatchObject({
      status: 401,
      body: { code: 50027, message: 'Invalid Webhook Token' },
    });
  });

  it('modals: type 9 is recorded and the submission arrives as a type 5 interaction', async () => {
    const h = command();
    const modal = {
      custom_id: 'rate',
      title: 'Rate Dune',
      components: [{ type: 1, components: [{ type: 4, custom_id: 'stars', style: 1, label: 'Stars (1-10)' }] }],
    };
    expect((await api.callback(h, { type: 9, data: { ...modal, title: 't'.repeat(46) } })).body).toMatchObject({
      errors: { data: { title: formError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 45 in length.') } },
    });
    expect((await api.callback(h, { type: 9, data: modal })).status).toBe(204);
    expect(h.record.modal).toMatchObject({ custom_id: 'rate' });
    const from = gw.received.length;
    const submit = emu.submitModal({ user: USER, interaction: h.id, values: { stars: '9' } });
    const dispatched = await gw.dispatch('INTERACTION_CREATE', { from });
    expect(dispatched.d).toMatchObject({
      id: submit.id,
      type: 5,
      data: { custom_id: 'rate', components: [{ type: 1, components: [{ type: 4, custom_id: 'stars', value: '9' }] }] },
    });
    expect((await api.callback(submit, { type: 4, data: { content: 'Rated 9' } })).status).toBe(204);
  });

  it('multipart uploads: payload_json + files[n], size limit → 413 / 40005', async () => {
    const h = command();
    const form = new FormData();
    form.append('payload_json', JSON.stringify({ type: 4, data: { content: 'poster', attachments: [{ id: 0, description: 'Poster' }] } }));
    form.append('files[0]', new Blob([makePng(4, 5)], { type: 'image/png' }), 'poster.png');
    expect((await api.call('POST', `/interactions/${h.id}/${h.token}/callback`, { form, auth: false })).status).toBe(204);
    expect(h.original?.attachments[0]).toMatchObject({ filename: 'poster.png', width: 4, height: 5, description: 'Poster' });

    const big = new FormData();
    big.append('payload_json', JSON.stringify({ content: 'big' }));
    big.append('files[0]', new Blob([Buffer.alloc(2048)]), 'big.bin');
    expect(await api.call('POST', `/channels/${CHANNEL}/messages`, { form: big })).toMatchObject({
      status: 413,
      body: { code: 40005, message: 'Request entity too large' },
    });
  });

  it('component interactions: UPDATE_MESSAGE edits the clicked message', async () => {
    const created = await api.call('POST', `/channels/${CHANNEL}/messages`, {
      body: { content: 'Add Dune?', components: [{ type: 1, components: [{ type: 2, style: 3, label: 'Yes', custom_id: 'yes' }] }] },
    });
    const messageId = (created.body as { id: string }).id;
    const click = emu.clickButton({ user: USER, message: messageId, customId: 'yes' });
    expect(click.payload.message).toMatchObject({ id: messageId });
    expect(await api.callback(click, { type: 7, data: { components: [{ type: 1, components: [{ type: 2, style: 1, label: 'x', custom_id: 'x'.repeat(101) }] }] } })).toMatchObject({
      status: 400,
      body: { errors: { data: { components: { 0: { components: { 0: { custom_id: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH' }] } } } } } } } },
    });
    expect((await api.callback(click, { type: 7, data: { content: 'Added', components: [] } })).status).toBe(204);
    const final = await click.waitForFinal();
    expect([final.message.id, final.content, final.components]).toEqual([messageId, 'Added', []]);
  });
});

describe('interaction token lifetime', () => {
  it('a token older than its lifetime is refused with 50027', async () => {
    const { emu, gw } = await startWithBot({ interactionTokenTtlMs: 50 });
    try {
      const api = client(emu);
      const h = emu.slashCommand({ user: USER, channelId: CHANNEL, name: 'ping' });
      await api.callback(h, { type: 5 });
      await new Promise((r) => setTimeout(r, 80));
      expect(await api.webhook('PATCH', h, '/messages/@original', { content: 'late' })).toMatchObject({
        status: 401,
        body: { code: 50027 },
      });
    } finally {
      gw.close();
      await emu.close();
    }
  });
});
