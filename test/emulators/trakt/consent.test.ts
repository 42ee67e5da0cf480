import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTraktEmulator, type TraktEmulator } from './index.js';

/** The `consentPage` option (npm run demo): a person approves or denies on a page instead of a standing decision. */
describe('Trakt emulator consent page', () => {
  let trakt: TraktEmulator;
  const authorize = (extra: Record<string, string> = {}) =>
    `${trakt.authUrl}/oauth/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: trakt.clientId,
      redirect_uri: 'http://127.0.0.1:9/oauth/callback',
      state: 's1',
      ...extra,
    }).toString()}`;

  beforeAll(async () => {
    trakt = await startTraktEmulator({ consentPage: true, catalogSize: 200 });
    trakt.addUser({ username: 'ann' });
    trakt.addUser({ username: 'ben' });
  });
  afterAll(async () => {
    await trakt.close();
  });

  it('shows who can sign in and the request to approve, instead of redirecting', async () => {
    const response = await fetch(authorize(), { redirect: 'manual' });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('Authorize Marquee');
    expect(page).toContain('<option value="ben">ben</option>');
    expect(page).toContain('name="state" value="s1"');
  });

  it('approving as a user sends the browser back with a code for that user; denying with access_denied', async () => {
    const approved = await fetch(authorize({ username: 'ben', consent: 'approve' }), { redirect: 'manual' });
    const back = new URL(approved.headers.get('location') ?? '');
    expect(back.searchParams.get('state')).toBe('s1');
    const token = await fetch(`${trakt.authUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'test' },
      body: JSON.stringify({
        grant_type: 'authorization_code',
        code: back.searchParams.get('code'),
        client_id: trakt.clientId,
        client_secret: trakt.clientSecret,
        redirect_uri: 'http://127.0.0.1:9/oauth/callback',
      }),
    });
    const { access_token } = (await token.json()) as { access_token: string };
    const settings = await fetch(`${trakt.url}/users/settings`, {
      headers: { authorization: `Bearer ${access_token}`, 'trakt-api-key': trakt.clientId, 'trakt-api-version': '2', 'user-agent': 'test' },
    });
    expect(((await settings.json()) as { user: { username: string } }).user.username).toBe('ben');

    const denied = await fetch(authorize({ username: 'ben', consent: 'deny' }), { redirect: 'manual' });
    expect(new URL(denied.headers.get('location') ?? '').searchParams.get('error')).toBe('access_denied');
  });
});
