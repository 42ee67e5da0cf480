// OAuth (auth.trakt.tv in 2026, REFERENCE §1 and §3): authorize, token (authorization_code, refresh_token,
// PKCE), revoke, and the device flow. Registered on the emulator's OAuth host only; the API host 404s them. These endpoints are not rate limited like the API (§4).

import type { FastifyInstance, FastifyReply } from 'fastify';
import { pkceMatches, tokenSet } from './auth-store.js';
import type { EmulatorContext, RouteMeta } from './context.js';
import { escapeHtml, html, jsonError, query } from './context.js';
import { isObject } from './sync-body.js';

const OAUTH: RouteMeta = { kind: 'oauth', auth: 'optional' };

/** Doorkeeper's wording, as quoted in the fixture apiary-examples/oauth/token.refresh.401.json */
const INVALID_GRANT =
  'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.';
const INVALID_CLIENT =
  'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.';
const OOB = 'urn:ietf:wg:oauth:2.0:oob';

export function registerOauthRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const { auth, users, options } = ctx;

  ctx.route(app, 'GET', '/oauth/authorize', OAUTH, async (request, reply) => {
    const q = query(request);
    if (q.client_id !== options.clientId) {
      return html(reply, 400, page('Invalid client', 'Client authentication failed due to unknown client.'));
    }
    const redirectUri = q.redirect_uri;
    const redirect = redirectUri && redirectUri !== OOB ? parseUrl(redirectUri) : undefined;
    if (!redirectUri || (redirectUri !== OOB && !redirect)) {
      return html(reply, 400, page('Invalid redirect URI', 'The redirect uri included is not valid.'));
    }
    const back = (fields: Record<string, string | undefined>): FastifyReply => {
      if (!redirect) return html(reply, 200, page('Authorization', `<code>${escapeHtml(JSON.stringify(fields))}</code>`));
      for (const [key, value] of Object.entries(fields)) if (value !== undefined) redirect.searchParams.set(key, value);
      return reply.code(302).header('location', redirect.toString()).send();
    };
    if (q.response_type !== 'code') {
      return back({ error: 'unsupported_response_type', error_description: 'The authorization server does not support this response type.', state: q.state });
    }
    const challenge = q.code_challenge || undefined;
    const method = q.code_challenge_method ?? 'plain';
    if (challenge !== undefined && method !== 'S256' && method !== 'plain') {
      return back({ error: 'invalid_request', error_description: 'Unsupported code_challenge_method.', state: q.state });
    }
    if (options.consentPage && q.consent === undefined) {
      return html(reply, 200, consentPage(q, users.all().map((u) => u.username)));
    }
    const decision = options.consentPage
      ? { username: q.username ?? '', approve: q.consent === 'approve' }
      : (ctx.authorizeDecision ?? (users.first() ? { username: users.first()?.username ?? '', approve: true } : undefined));
    const user = decision && users.find(decision.username);
    if (!decision || !user) {
      // nobody is signed in on the emulated website: Trakt would show its sign-in page
      return html(reply, 200, page('Sign in to Trakt', 'No emulated user is signed in; add one with addUser().'));
    }
    if (!decision.approve) {
      return back({ error: 'access_denied', error_description: 'The resource owner or authorization server denied the request.', state: q.state });
    }
    const code = auth.createCode({
      username: user.username,
      redirectUri,
      codeChallenge: challenge,
      codeChallengeMethod: method === 'S256' ? 'S256' : 'plain',
    });
    if (!redirect) return html(reply, 200, page('Authorization code', `<code id="code">${code.code}</code>`));
    return back({ code: code.code, state: q.state });
  });

  ctx.route(app, 'POST', '/oauth/token', OAUTH, async (request, reply) => {
    const body = bodyOf(request.body);
    if (body.client_id !== options.clientId) return jsonError(reply, 401, 'invalid_client', INVALID_CLIENT);
    const secretGiven = body.client_secret !== undefined && body.client_secret !== '';
    const secretOk = body.client_secret === options.clientSecret;
    if (secretGiven && !secretOk) return jsonError(reply, 401, 'invalid_client', INVALID_CLIENT);

    if (body.grant_type === 'authorization_code') {
      const code = typeof body.code === 'string' ? auth.takeCode(body.code) : undefined;
      if (!code || body.redirect_uri !== code.redirectUri) return jsonError(reply, 400, 'invalid_grant', INVALID_GRANT);
      if (code.codeChallenge !== undefined) {
        // REFERENCE §3.1: with PKCE the verifier proves the client, in place of the secret
        const verifier = body.code_verifier;
        if (typeof verifier !== 'string' || !pkceMatches(verifier, code.codeChallenge, code.codeChallengeMethod)) {
          return jsonError(reply, 400, 'invalid_grant', INVALID_GRANT);
        }
      } else if (!secretOk) {
        return jsonError(reply, 401, 'invalid_client', INVALID_CLIENT);
      }
      if (!users.find(code.username)) return jsonError(reply, 400, 'invalid_grant', INVALID_GRANT);
      const token = auth.issue(code.username, options.accessTokenTtlSeconds, code.codeChallenge !== undefined && !secretOk);
      return tokenSet(token);
    }

    if (body.grant_type === 'refresh_token') {
      const token = typeof body.refresh_token === 'string' ? auth.findRefresh(body.refresh_token) : undefined;
      if (!token) return jsonError(reply, 400, 'invalid_grant', INVALID_GRANT);
      const failure = auth.refreshFailures.get(users.find(token.username)?.slug ?? '');
      // REFERENCE §3.3: refreshes fail with 400 or 401 invalid_grant, or (tokens from before the July-2026
      // auth migration, #888) a 400 with an empty body
      if (failure === 'invalid_grant_400') return jsonError(reply, 400, 'invalid_grant', INVALID_GRANT);
      if (failure === 'invalid_grant_401') return jsonError(reply, 401, 'invalid_grant', INVALID_GRANT);
      if (failure === 'empty_400') return reply.code(400).header('content-type', 'application/json; charset=utf-8').send('');
      if (!secretOk && !token.pkce) return jsonError(reply, 401, 'invalid_client', INVALID_CLIENT);
      // REFERENCE §3.5: refresh tokens are single-use; the old pair dies with the refresh
      auth.revoke(token);
      return tokenSet(auth.issue(token.username, options.accessTokenTtlSeconds, token.pkce));
    }

    return jsonError(reply, 400, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.');
  });

  ctx.route(app, 'POST', '/oauth/revoke', OAUTH, async (request, reply) => {
    const body = bodyOf(request.body);
    if (body.client_id !== options.clientId) return jsonError(reply, 401, 'invalid_client', INVALID_CLIENT);
    if (body.client_secret !== undefined && body.client_secret !== options.clientSecret) {
      return jsonError(reply, 401, 'invalid_client', INVALID_CLIENT);
    }
    if (typeof body.token === 'string') auth.revokeByValue(body.token);
    // REFERENCE §3.6: 200 with an empty body, also for unknown tokens (RFC 7009)
    return reply.code(200).send();
  });

  // ---- device flow (REFERENCE §3.7) ----

  ctx.route(app, 'POST', '/oauth/device/code', OAUTH, async (request, reply) => {
    const body = bodyOf(request.body);
    if (body.client_id !== options.clientId) return jsonError(reply, 401, 'invalid_client', INVALID_CLIENT);
    const device = auth.createDevice(options.deviceCodeTtlSeconds, options.deviceIntervalSeconds);
    return {
      device_code: device.deviceCode,
      user_code: device.userCode,
      verification_url: `${ctx.authBaseUrl}/activate`,
      expires_in: options.deviceCodeTtlSeconds,
      interval: options.deviceIntervalSeconds,
    };
  });

  ctx.route(app, 'POST', '/oauth/device/token', OAUTH, async (request, reply) => {
    const body = bodyOf(request.body);
    if (body.client_id !== options.clientId) return jsonError(reply, 401, 'invalid_client', INVALID_CLIENT);
    if (body.client_secret !== undefined && body.client_secret !== options.clientSecret) {
      return jsonError(reply, 401, 'invalid_client', INVALID_CLIENT);
    }
    // the field is `code`, not RFC 8628's `device_code`
    const device = typeof body.code === 'string' ? auth.device(body.code) : undefined;
    if (!device) return reply.code(404).send();
    if (device.status === 'used') return reply.code(409).send();
    if (device.status === 'denied') return reply.code(418).send();
    const now = Date.now();
    if (now >= device.expiresAtMs) return reply.code(410).send();
    if (device.status === 'approved' && device.username !== undefined && users.find(device.username)) {
      device.status = 'used';
      return tokenSet(auth.issue(device.username, options.accessTokenTtlSeconds, body.client_secret === undefined));
    }
    const previousPoll = device.lastPollMs;
    device.lastPollMs = now;
    if (previousPoll !== undefined && now - previousPoll < device.intervalMs) return reply.code(429).send();
    // "Trakt API does not return a correct body for 400 responses": JSON content type, empty body
    return reply.code(400).header('content-type', 'application/json; charset=utf-8').send('');
  });

  const activatePage = async (_request: unknown, reply: FastifyReply): Promise<FastifyReply> =>
    html(reply, 200, page('Activate your device', 'Enter the code shown on your device. (Approve it in tests with approveDevice().)'));
  ctx.route(app, 'GET', '/activate', OAUTH, activatePage);
  ctx.route(app, 'GET', '/activate/:code', OAUTH, activatePage);
}

function bodyOf(body: unknown): Record<string, unknown> {
  return isObject(body) ? body : {};
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html><head><title>${escapeHtml(title)} | Trakt</title></head><body><h1>${escapeHtml(title)}</h1><p>${body}</p></body></html>`;
}

/**
 * The consent page of the `consentPage` option: Trakt's "Authorize <app>" screen, with the emulated user to
 * sign in as. Approve and Deny send the same authorize request again with `consent` (and `username`) added.
 */
function consentPage(q: Record<string, string | undefined>, usernames: string[]): string {
  const hidden = Object.entries(q)
    .filter(([key, value]) => value !== undefined && key !== 'consent' && key !== 'username')
    .map(([key, value]) => `<input type="hidden" name="${escapeHtml(key)}" value="${escapeHtml(value ?? '')}">`)
    .join('');
  const options = usernames.map((u) => `<option value="${escapeHtml(u)}">${escapeHtml(u)}</option>`).join('');
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Authorize Marquee | Trakt</title>
<style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
button{font-size:1rem;padding:.4rem 1.2rem;margin-right:.5rem}.approve{background:#ed1c24;color:#fff;border:0;border-radius:4px}</style></head>
<body><h1>Authorize Marquee</h1><p><b>Marquee</b> would like to access your Trakt account: read and change your watchlist.</p>
<p>(Trakt emulator: no password; pick which emulated user is signed in.)</p>
<form method="get" action="/oauth/authorize">${hidden}
<p><label>Signed in as <select name="username">${options}</select></label></p>
<p><button class="approve" name="consent" value="approve">Yes, allow</button><button name="consent" value="deny">No</button></p>
</form></body></html>`;
}
