import type { FastifyInstance } from 'fastify';

export interface HealthDeps {
  /** Database reachable and migrations applied. */
  checkReady(): Promise<{ ok: true } | { ok: false; reason: string }>;
}

export function registerHealthRoutes(app: FastifyInstance, deps: HealthDeps): void {
  // Liveness: the process answers. It deliberately checks nothing else, so an orchestrator does not
  // restart a healthy process because the database blinked.
  app.get('/healthz', { logLevel: 'warn' }, () => ({ status: 'ok' }));

  app.get('/readyz', { logLevel: 'warn' }, async (_request, reply) => {
    const result = await deps.checkReady();
    if (result.ok) return { status: 'ready' };
    return reply.code(503).send({ status: 'unavailable', reason: result.reason });
  });
}
