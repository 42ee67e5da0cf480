import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { CallbackOutcome, LinkService } from '../../src/accounts/linking.js';
import { localeFromAcceptLanguage } from '../../src/bot/core/i18n/index.js';
import { buildServer } from '../../src/server/build-server.js';
import { registerOAuthCallback } from '../../src/server/routes/oauth-callback.js';
import { captureLogs } from '../helpers/logs.js';

/** The OAuth callback page in the browser's language (Accept-Language); linking itself is tested in test/accounts. */
describe('the OAuth callback page', () => {
  let app: FastifyInstance;
  let outcome: CallbackOutcome = { ok: false, reason: 'missing' };
  beforeAll(async () => {
    // Only the callback's outcome matters here: a LinkService that answers with it.
    const links = { completeCallback: async () => outcome } as Pick<LinkService, 'completeCallback'> as LinkService;
    app = await buildServer({ logger: captureLogs('info').logger, checkReady: async () => ({ ok: true }), routes: [(instance) => registerOAuthCallback(instance, { links })] });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('GIVEN Accept-Language headers WHEN read THEN the best of our languages wins, by quality then order, else English', () => {
    expect(localeFromAcceptLanguage('de-DE,de;q=0.9,en;q=0.8')).toBe('de');
    expect(localeFromAcceptLanguage('pt-BR,fr;q=0.5,es;q=0.7')).toBe('es');
    expect(localeFromAcceptLanguage('ja,zh;q=0.9')).toBe('en');
    expect(localeFromAcceptLanguage('fr;q=0, de')).toBe('de');
    expect(localeFromAcceptLanguage(undefined)).toBe('en');
  });

  it('GIVEN a German browser WHEN the link worked or failed THEN the page is German, the username escaped', async () => {
    outcome = { ok: true, traktUsername: '<i>ana</i>' };
    const linked = await app.inject({ method: 'GET', url: '/oauth/callback?state=x&code=y', headers: { 'accept-language': 'de-DE,de;q=0.9' } });
    expect(linked.body).toContain('<html lang="de">');
    expect(linked.body).toContain('<h1>Trakt-Konto verknüpft</h1>');
    expect(linked.body).toContain('Dein Trakt-Konto <b>&lt;i&gt;ana&lt;/i&gt;</b> ist verknüpft.');
    outcome = { ok: false, reason: 'denied' };
    const denied = await app.inject({ method: 'GET', url: '/oauth/callback?error=access_denied', headers: { 'accept-language': 'fr' } });
    expect(denied.statusCode).toBe(400);
    expect(denied.body).toContain('Tu n’as pas autorisé l’accès sur Trakt');
    const english = await app.inject({ method: 'GET', url: '/oauth/callback?error=access_denied' });
    expect(english.body).toContain('You did not allow access on Trakt, so nothing was linked.');
  });
});
