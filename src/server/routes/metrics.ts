import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../../logger.js';

export const METRICS_PATH = '/metrics';

export interface MetricsRouteDeps {
  /** The exposition text and its content type (src/metrics). */
  render(): Promise<string>;
  contentType: string;
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  token: string | null;
}

function sameToken(given: string, expected: string): boolean {
  // Hashing first gives equal lengths, so the comparison time says nothing about the token.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token of `Authorization: Bearer <token>`, or undefined. */
function bearerOf(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * `GET /metrics` in Prometheus' text format. With a token, a request without it or with another one gets
 * 401 (the same answer for both, and the comparison takes the same time whatever the token).
 */
export function registerMetricsRoute(app: FastifyInstance, deps: MetricsRouteDeps): void {
  app.get(METRICS_PATH, { logLevel: 'warn' }, async (request, reply) => {
    if (deps.token !== null) {
      const given = bearerOf(request.headers.authorization);
      if (given === undefined || !sameToken(given, deps.token)) {
        return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').send({ error: 'Unauthorized' });
      }
    }
    const text = await deps.render();
    return reply.code(200).header('content-type', deps.contentType).header('cache-control', 'no-store').send(text);
  });
}

/**
 * A server of its own for `/metrics` (METRICS_PORT): nothing else is served on it, and it never listens
 * here (main.ts listens, on loopback unless METRICS_HOST says otherwise).
 */
export async function buildMetricsServer(deps: MetricsRouteDeps & { logger: Logger }): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: deps.logger as FastifyBaseLogger, return503OnClosing: true });
  registerMetricsRoute(app, deps);
  await app.ready();
  return app;
}
