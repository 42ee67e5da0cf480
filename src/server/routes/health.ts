import type { FastifyInstance } from 'fastify';
import { redactUrl } from '../../logger.js';

/** One dependency as `/readyz` reports it (see src/metrics/dependencies.ts). */
export interface DependencyReport {
  status: 'up' | 'down' | 'unknown';
  since?: string;
  lastError?: string;
}

export interface HealthDeps {
  /** Database reachable and migrations applied. */
  checkReady(): Promise<{ ok: true } | { ok: false; reason: string }>;
  /**
   * The other dependencies as last seen (Trakt, the chat platforms), by name. Reported, never a reason
   * to be unready: without Trakt the bot queues writes, without a chat platform it reconnects on its own.
   */
  dependencies?: () => Record<string, DependencyReport>;
}

const MAX_ERROR_LENGTH = 200;

export function registerHealthRoutes(app: FastifyInstance, deps: HealthDeps): void {
  // Liveness: the process answers. It deliberately checks nothing else, so an orchestrator does not
  // restart a healthy process because the database blinked.
  app.get('/healthz', { logLevel: 'warn' }, () => ({ status: 'ok' }));

  // Readiness fails only when the database is: every answer and every queued write needs it, while a
  // Trakt outage is what the offline queue is for and a chat platform's outage is not cured by sending
  // this instance's traffic elsewhere (every instance talks to the same platform).
  app.get('/readyz', { logLevel: 'warn' }, async (_request, reply) => {
    const result = await deps.checkReady();
    const checks: Record<string, DependencyReport> = {
      database: result.ok ? { status: 'up' } : { status: 'down', lastError: result.reason },
    };
    for (const [name, report] of Object.entries(deps.dependencies?.() ?? {})) checks[name] = safeReport(report);
    if (result.ok) return { status: 'ready', checks };
    return reply.code(503).send({ status: 'unavailable', reason: result.reason, checks });
  });
}

/** `/readyz` may be reachable through the proxy: error texts are cut short and any URL secret hidden. */
function safeReport(report: DependencyReport): DependencyReport {
  return {
    status: report.status,
    ...(report.since === undefined ? {} : { since: report.since }),
    ...(report.lastError === undefined ? {} : { lastError: redactUrl(report.lastError).slice(0, MAX_ERROR_LENGTH) }),
  };
}
