// Files both ways at the HTTP level: attachment options in slash commands (as Discord sends them,
// with the file served at its signed URL) and files the bot sends with interaction responses,
// follow-ups and channel messages (multipart payload_json + files[n]), kept with their bytes.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordEmulator, type DiscordEmulator, type JsonObject } from './index.js';
import { RawGatewayClient } from './test-helpers.js';

const GUILD = '230000000000000001';
const CHANNEL = '330000000000000001';
const USER = '430000000000000001';

const CSV = 'Const,Title,Year\ntt1160419,Dune,2021\n';

describe('attachment options and uploaded files', () => {
  let emu: DiscordEmulator;
  let gw: RawGatewayClient;

  const api = async (method: string, path: string, init: { json?: unknown; form?: FormData; auth?: boolean } = {}) => {
    const headers: Record<string, string> = init.auth === false ? {} : { authorization: `Bot ${emu.token}` };
    let body: string | FormData | undefined;
    if (init.form) body = init.form;
    else if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    const res = await fetch(`${emu.apiUrl}/v10${path}`, { method, headers, body });
    const text = await res.text();
    return { status: res.status, body: text === '' ? null : (JSON.parse(text) as JsonObject) };
  };

  /** A multipart body as discord.js sends it: payload_json, then files[n]. */
  const multipart = (payload: unknown, files: Array<{ name: string; data: string | Uint8Array; type?: string }>): FormData => {
    const form = new FormData();
    form.append('payload_json', JSON.stringify(payload));
    files.forEach((f, i) => form.append(`files[${i}]`, new Blob([f.data], { type: f.type ?? 'application/octet-stream' }), f.name));
    return form;
  };

  beforeAll(async () => {
    emu = await startDiscordEmulator({ userUploadLimit: 64 * 1024, attachmentSizeLimit: 32 * 1024 });
    emu.addGuild({ id: GUILD, name: 'G', channels: [{ id: CHANNEL, name: 'general' }] });
    emu.addUser({ id: USER, username: 'alice' });
    gw = await RawGatewayClient.connect(emu.gatewayUrl);
    gw.identify(emu.token);
    await gw.dispatch('READY');
    const registered = await api('PUT', `/applications/${emu.applicationId}/commands`, {
      json: [
        {
          name: 'import',
          description: 'Import a watchlist export',
          options: [
            { type: 11, name: 'file', description: 'The export', required: true },
            { type: 3, name: 'note', description: 'A note' },
          ],
        },
      ],
    });
    expect(registered.status).toBe(200);
  });

  afterAll(async () => {
    gw.close();
    await emu.close();
  });

  it('GIVEN an attachment option WHEN a user runs the command with a file THEN the interaction carries its id and resolved.attachments, and the URL serves the bytes', async () => {
    expect(emu.commands()[0]).toMatchObject({ options: [{ type: 11, name: 'file', required: true }, { type: 3 }] });
    const from = gw.received.length;
    const h = emu.slashCommand({
      user: USER,
      channelId: CHANNEL,
      name: 'import',
      options: [
        { name: 'file', attachment: { filename: 'my watchlist.csv', data: CSV } },
        { name: 'note', value: 'hi' },
      ],
    });
    const dispatched = await gw.dispatch('INTERACTION_CREATE', { from });
    const data = (dispatched.d as JsonObject).data as JsonObject;
    const [fileOption] = data.options as JsonObject[];
    const id = String(fileOption?.value);
    expect(fileOption).toEqual({ name: 'file', type: 11, value: id });
    const resolved = (data.resolved as { attachments: Record<string, JsonObject> }).attachments[id];
    // Discord's shape: the file name as stored (spaces replaced), its size, a signed CDN URL, ephemeral.
    expect(resolved).toMatchObject({ id, filename: 'my_watchlist.csv', size: Buffer.byteLength(CSV), content_type: 'text/csv; charset=utf-8', ephemeral: true });
    expect(String(resolved?.url)).toMatch(new RegExp(`/ephemeral-attachments/${CHANNEL}/${id}/my_watchlist\\.csv\\?ex=[0-9a-f]+&is=[0-9a-f]+&hm=[0-9a-f]+$`));
    expect((dispatched.d as JsonObject).attachment_size_limit).toBe(32 * 1024);

    const res = await fetch(String(resolved?.url));
    expect([res.status, res.headers.get('content-type'), res.headers.get('content-length'), await res.text()]).toEqual([
      200,
      'text/csv; charset=utf-8',
      String(Buffer.byteLength(CSV)),
      CSV,
    ]);
    expect(String((await fetch(String(resolved?.proxy_url))).status)).toBe('200');
    // Unsigned or tampered links are gone, as on Discord's CDN.
    const unsigned = String(resolved?.url).split('?')[0] ?? '';
    expect((await fetch(unsigned)).status).toBe(404);
    expect((await fetch(String(resolved?.url).replace(/hm=./, 'hm=x'))).status).toBe(404);

    expect(emu.attachment(id)).toMatchObject({ interactionId: h.id, channelId: CHANNEL, filename: 'my_watchlist.csv' });
    expect(emu.attachment(id)?.data.toString('utf8')).toBe(CSV);
  });

  it('GIVEN driver mistakes THEN they throw: a value instead of a file, a file over the user upload limit', () => {
    expect(() => emu.slashCommand({ user: USER, channelId: CHANNEL, name: 'import', options: [{ name: 'file', value: '123' }] })).toThrow(/attachment/);
    expect(() =>
      emu.slashCommand({ user: USER, channelId: CHANNEL, name: 'import', options: [{ name: 'file', attachment: { filename: 'big.csv', data: new Uint8Array(64 * 1024 + 1) } }] }),
    ).toThrow(/upload limit/);
    expect(() => emu.slashCommand({ user: USER, channelId: CHANNEL, name: 'import', options: [{ name: 'note', value: 'x' }] })).toThrow(/required option "file"/);
  });

  it('GIVEN reportedSize WHEN the interaction goes out THEN it reports that size, and the URL still serves the real bytes', async () => {
    const h = emu.slashCommand({
      user: USER,
      channelId: CHANNEL,
      name: 'import',
      options: [{ name: 'file', attachment: { filename: 'w.json', data: '[1,2,3]', reportedSize: 3 } }],
    });
    const data = h.payload.data as JsonObject;
    const att = Object.values((data.resolved as { attachments: Record<string, JsonObject> }).attachments)[0];
    expect(att).toMatchObject({ size: 3, content_type: 'application/json; charset=utf-8' });
    expect(await (await fetch(String(att?.url))).text()).toBe('[1,2,3]');
  });

  it('GIVEN the HTTP driver WHEN a command is run with { attachment: { filename, base64 } } THEN the file is the decoded bytes', async () => {
    const res = await fetch(`${emu.baseUrl}/_emulator/interactions/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: USER, channelId: CHANNEL, name: 'import', options: [{ name: 'file', attachment: { filename: 'b.zip', base64: Buffer.from([1, 2, 3]).toString('base64') } }] }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const given = emu.commandAttachments.find((a) => a.interactionId === id);
    expect([given?.filename, given?.contentType, [...(given?.data ?? [])]]).toEqual(['b.zip', 'application/zip', [1, 2, 3]]);
  });

  it('GIVEN multipart responses with files THEN callback (ephemeral too), follow-up and channel message keep name, size and bytes', async () => {
    const h = emu.slashCommand({ user: USER, channelId: CHANNEL, name: 'import', options: [{ name: 'file', attachment: { filename: 'a.csv', data: CSV } }] });
    const exported = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 1, 2, 3, 255]);
    const callback = await api('POST', `/interactions/${h.id}/${h.token}/callback`, {
      auth: false,
      form: multipart({ type: 4, data: { content: 'Here', flags: 64, attachments: [{ id: 0, filename: 'export.zip' }] } }, [{ name: 'export.zip', data: exported }]),
    });
    expect(callback.status).toBe(204);
    const final = await h.waitForFinal();
    expect(final.ephemeral).toBe(true);
    expect(final.attachments).toHaveLength(1);
    expect(final.attachments[0]).toMatchObject({ filename: 'export.zip', size: exported.length, contentType: 'application/zip', ephemeral: true });
    expect([...(emu.attachment(final.attachments[0]?.id ?? '')?.data ?? [])]).toEqual([...exported]);
    const served = await fetch(final.attachments[0]?.url ?? '');
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(exported);

    const followUp = await api('POST', `/webhooks/${emu.applicationId}/${h.token}`, {
      auth: false,
      form: multipart({ content: 'Not found', attachments: [{ id: 0 }] }, [{ name: 'missing.csv', data: 'Title\nNope\n', type: 'text/csv' }]),
    });
    expect(followUp.status).toBe(200);
    expect((followUp.body?.attachments as JsonObject[])[0]).toMatchObject({ filename: 'missing.csv', size: 11 });
    expect(h.followUps[0]?.attachments[0]?.data.toString('utf8')).toBe('Title\nNope\n');

    const sent = await api('POST', `/channels/${CHANNEL}/messages`, { form: multipart({ content: 'Export' }, [{ name: 'export.csv', data: CSV }]) });
    expect(sent.status).toBe(200);
    const message = emu.message(String(sent.body?.id));
    expect(message?.attachments.map((a) => [a.filename, a.size, a.data.toString('utf8')])).toEqual([['export.csv', Buffer.byteLength(CSV), CSV]]);

    // Over the bot's upload limit (attachmentSizeLimit, what interactions report as attachment_size_limit): 413 / 40005.
    const h2 = emu.slashCommand({ user: USER, channelId: CHANNEL, name: 'import', options: [{ name: 'file', attachment: { filename: 'a.csv', data: CSV } }] });
    const tooBig = await api('POST', `/interactions/${h2.id}/${h2.token}/callback`, {
      auth: false,
      form: multipart({ type: 4, data: { content: 'big' } }, [{ name: 'big.csv', data: new Uint8Array(32 * 1024 + 1) }]),
    });
    expect(tooBig).toMatchObject({ status: 413, body: { code: 40005 } });
    expect(h2.acknowledged).toBe(false);
  });
});
