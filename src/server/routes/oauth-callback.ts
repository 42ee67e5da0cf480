import type { FastifyInstance } from 'fastify';
import type { CallbackOutcome, LinkService } from '../../accounts/linking.js';
import { localeFromAcceptLanguage, translator, type Translator } from '../../bot/core/i18n/index.js';
import type { Rich, RichNode } from '../../bot/core/types.js';

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
    // In the browser's language (the page is seen before the chat says anything).
    const i18n = translator(localeFromAcceptLanguage(request.headers['accept-language']));
    const page = pageFor(outcome, i18n);
    return reply
      .code(outcome.ok ? 200 : 400)
      .header('content-type', 'text/html; charset=utf-8')
      // The URL carried a code: keep it out of caches and out of Referer headers of anything linked.
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(renderPage(i18n.locale, page.title, page.body));
  });
}

function pageFor(outcome: CallbackOutcome, i18n: Translator): { title: string; body: string } {
  if (outcome.ok) {
    return { title: i18n.t('link:page.linkedTitle'), body: html(i18n.tr('link:page.linked', { username: outcome.traktUsername })) };
  }
  const bodies: Record<typeof outcome.reason, string> = {
    missing: 'link:page.missing',
    unknown: 'link:page.unknown',
    expired: 'link:page.expired',
    used: 'link:page.used',
    denied: 'link:page.denied',
    failed: 'link:page.failed',
  };
  return { title: i18n.t('link:page.notLinkedTitle'), body: html(i18n.tr(bodies[outcome.reason])) };
}

/** Rich text from the catalog as HTML: every string escaped. */
function html(value: Rich): string {
  if (typeof value === 'string') return escapeHtml(value);
  if (Array.isArray(value)) return (value as readonly Rich[]).map(html).join('');
  const node = value as RichNode;
  switch (node.kind) {
    case 'bold':
      return `<b>${html(node.content)}</b>`;
    case 'italic':
      return `<i>${html(node.content)}</i>`;
    case 'code':
      return `<code>${escapeHtml(node.text)}</code>`;
    case 'link':
      return html(node.content);
    case 'line':
      return '<br>';
  }
}

function renderPage(lang: string, title: string, body: string): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)} - Marquee</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5}</style></head><body><h1>${escapeHtml(title)}</h1><p>${body}</p></body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
