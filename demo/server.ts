// The demo page's server (127.0.0.1 only): the page itself (demo/page, plain HTML and JS, no build step),
// the demo's world (who can be played, in which chats), and the emulators' own HTTP drivers passed
// through under /api/<emulator>/..., so the page needs one origin and no CORS.
import { readFile } from 'node:fs/promises';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';

export interface DemoWorld {
  /** The service's own HTTP address (health, OAuth callback). */
  serviceUrl: string;
  /** The emulated auth.trakt.tv: the consent page lives there. */
  traktAuthUrl: string;
  /** The emulated Trakt account that already has a watchlist. */
  traktUser: string;
  telegram: { bot: string; conversations: Array<{ label: string; chatId: number; userId: number }> };
  discord: { conversations: Array<{ label: string; channelId: string; guildId: string | null; userId: string }> };
}

export interface DemoServerOptions {
  world: DemoWorld;
  port: number;
  /** Base URLs of the emulators' control APIs (`…/_emulator`). */
  telegramControl: string;
  discordControl: string;
  traktControl: string;
}

const PAGE_FILES: Record<string, string> = {
  '/': 'index.html',
  '/demo.js': 'demo.js',
  '/demo.css': 'demo.css',
};
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

export async function startDemoServer(options: DemoServerOptions): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  // Bodies are passed through to the emulators as they came.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  for (const [path, file] of Object.entries(PAGE_FILES)) {
    const text = await readFile(new URL(`./page/${file}`, import.meta.url), 'utf8');
    const type = TYPES[file.split('.').pop() ?? ''] ?? 'text/plain';
    app.get(path, async (_request, reply) => reply.header('content-type', type).header('cache-control', 'no-store').send(text));
  }
  app.get('/api/world', async () => options.world);

  const passThrough = (base: string) => async (request: FastifyRequest, reply: FastifyReply) => {
    const rest = (request.params as Record<string, string>)['*'] ?? '';
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    const body = Buffer.isBuffer(request.body) ? request.body : undefined;
    const answer = await fetch(`${base}${rest === '' ? '' : `/${rest}`}${query}`, {
      method: request.method,
      ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
    });
    return reply
      .code(answer.status)
      .header('content-type', answer.headers.get('content-type') ?? 'application/octet-stream')
      .send(Buffer.from(await answer.arrayBuffer()));
  };
  for (const [name, base] of [['telegram', options.telegramControl], ['discord', options.discordControl], ['trakt', options.traktControl]] as const) {
    app.route({ method: ['GET', 'POST'], url: `/api/${name}/*`, handler: passThrough(base) });
  }

  const address = await app.listen({ host: '127.0.0.1', port: options.port });
  return { url: `${address.replace('localhost', '127.0.0.1')}/`, close: () => app.close() };
}
