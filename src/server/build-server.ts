import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../logger.js';
import { registerHealthRoutes, type HealthDeps } from './routes/health.js';
import { registerMetricsRoute, type MetricsRouteDeps } from './routes/metrics.js';

export type RoutePlugin = (app: FastifyInstance) => void | Promise<void>;

export interface ServerDeps extends HealthDeps {
  logger: Logger;
  /** Further routes (OAuth callback, Telegram webhook) registered by main.ts. */
  routes?: readonly RoutePlugin[];
  /** Behind a reverse proxy, trust its X-Forwarded-* headers. */
  trustProxy?: boolean;
  /** `/metrics` on this server: only with a token (METRICS_TOKEN); on a port of its own it is `buildMetricsServer`. */
  metrics?: MetricsRouteDeps & { token: string };
}

/** Builds the HTTP app without listening: main.ts listens, tests use `app.inject`. */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    trustProxy: deps.trustProxy ?? false,
    // Requests arriving while shutting down get 503 instead of starting new work.
    return503OnClosing: true,
    bodyLimit: 1024 * 1024,
  });

  // While closing, answers on kept-alive connections also close them: otherwise a client's idle
  // keep-alive socket would hold `close()` open until the shutdown grace period runs out.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (closing) reply.header('connection', 'close');
  });

  app.setErrorHandler((error: { statusCode?: number; message?: string }, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    // Only client errors carry their message out; server errors say nothing about internals.
    const message = status < 500 ? (error.message ?? 'Bad request') : 'Internal error';
    return reply.code(status).send({ error: message, requestId: request.id });
  });

  registerHealthRoutes(app, deps);
  if (deps.metrics !== undefined) registerMetricsRoute(app, deps.metrics);
  for (const plugin of deps.routes ?? []) await plugin(app);
  return app;
}
