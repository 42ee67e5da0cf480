import type { FastifyInstance } from 'fastify';
import type { CallbackOutcome, LinkService } from '../../accounts/linking.js';

/**
 * `GET /oauth/callback`: where Trakt sends the user's browser back after authorizing (REFERENCE §3.2).
 * The page says what happened in one sentence and sends the user back to chat; the bot confirms there.
 */
export function registerOAuthCallback(app: FastifyInstance, deps: { links: LinkService }): void {
  app.get<{ Querystring: Record<string, string | string[] | undefined> }>('/oauth/callback', async (request, reply) => {
    const single = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);
    const outcome = await deps.links.completeCallback({
      state: single(request.query.state),
      code: single(request.query.code),
      error: single(request.query.error),
    });
    const page = pageFor(outcome);
    return reply
      .code(outcome.ok ? 200 : 400)
      .header('content-type', 'text/html; charset=utf-8')
      // The URL carried a code: keep it out of caches and out of Referer headers of anything linked.
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(renderPage(page.title, page.body));
  });
}

function pageFor(outcome: CallbackOutcome): { title: string; body: string } {
  if (outcome.ok) {
    return {
      title: 'Trakt account linked',
      body: `Your Trakt account <b>${escapeHtml(outcome.traktUsername)}</b> is linked. You can close this page and go back to the chat.`,
    };
  }
  const bodies: Record<typeof outcome.reason, string> = {
    missing: 'This page was opened without a link request. Start again with /link in the chat.',
    unknown: 'This link request is not known (it may have been tampered with). Nothing was linked. Start again with /link in the chat.',
    expired: 'This link request expired (they last 10 minutes). Nothing was linked. Start again with /link in the chat.',
    used: 'This link request was already used. Nothing more was linked. If you are not linked yet, start again with /link in the chat.',
    denied: 'You did not allow access on Trakt, so nothing was linked. Start again with /link in the chat if you change your mind.',
    failed: 'Trakt did not complete the link. Nothing was linked. Please try again with /link in the chat in a moment.',
  };
  return { title: 'Trakt account not linked', body: bodies[outcome.reason] };
}

function renderPage(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)} - Marquee</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5}</style></head><body><h1>${escapeHtml(title)}</h1><p>${body}</p></body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
