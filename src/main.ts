import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { ConfigError, parseConfig, type Config } from './config.js';
import { createDatabase, pgliteDirFor, type Database } from './db/client.js';
import { resolveKeyRing, type KeyRing } from './db/crypto.js';
import { createLogger, type Logger } from './logger.js';
import { buildServer, type RoutePlugin } from './server/build-server.js';

/**
 * The composition root: the only module that knows every other one. It wires
 * config → database → HTTP server (→ Trakt client and chat adapters as they arrive) and owns the
 * process lifecycle.
 */
export interface RunningService {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: Database;
  readonly keyRing: KeyRing;
  readonly app: FastifyInstance;
  /** The address the HTTP server listens on, e.g. http://127.0.0.1:3000. */
  readonly url: string;
  /** Stops taking work, lets in-flight work finish within the grace period, closes the database. */
  stop(reason: string): Promise<void>;
}

export interface StartOptions {
  env: Readonly<Record<string, string | undefined>>;
  logger?: Logger;
  /** Extra HTTP routes; used by tests to put a slow request in flight. */
  extraRoutes?: readonly RoutePlugin[];
}

export const VERSION = readVersion();

export async function startService(options: StartOptions): Promise<RunningService> {
  const config = parseConfig(options.env);
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const embedded = config.databaseUrl === null;

  const keys = await resolveKeyRing({
    configuredKeys: config.tokenEncryptionKeys,
    embedded,
    dataDir: config.dataDir,
  });
  if (keys.generated) {
    logger.warn(
      { keyFile: keys.keyFile },
      'TOKEN_ENCRYPTION_KEY is not set: generated a key for the embedded database. Back this file up; without it stored Trakt links cannot be read.',
    );
  }

  const database = await createDatabase({
    databaseUrl: config.databaseUrl,
    pgliteDataDir: pgliteDirFor(config.dataDir),
  });
  let app: FastifyInstance | undefined;
  try {
    const applied = await database.migrate();
    logger.info({ driver: database.driver, applied }, applied > 0 ? 'database migrated' : 'database schema up to date');

    app = await buildServer({
      logger,
      checkReady: () => database.checkReady(),
      routes: options.extraRoutes ?? [],
    });
    await app.listen({ host: config.http.host, port: config.http.port });
  } catch (error) {
    await app?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.http.port;
  const url = `http://${config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host}:${port}`;
  logger.info({ url, version: VERSION, driver: database.driver }, 'Marquee is listening');

  const server = app;
  let stopping: Promise<void> | undefined;
  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ reason, graceMs: config.shutdownGraceMs }, 'shutting down');
      // Fastify stops accepting connections, answers new requests on kept-alive sockets with 503,
      // and resolves once in-flight requests are done. Past the grace period, cut them off.
      const closed = server.close().then(() => 'closed' as const);
      const outcome = await Promise.race([closed, delay(config.shutdownGraceMs).then(() => 'timeout' as const)]);
      if (outcome === 'timeout') {
        logger.warn('in-flight requests did not finish within the grace period; closing them');
        server.server.closeAllConnections();
        await closed;
      }
      await database.close();
      logger.info('stopped');
    })();
    return stopping;
  };

  return { config, logger, database, keyRing: keys.ring, app: server, url, stop };
}

/** SIGTERM/SIGINT stop the service and exit 0; a second signal exits at once. */
export function exitOnSignals(service: RunningService): void {
  let received = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      service.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    received = true;
    service.stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        service.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  loadEnvFile(env);
  let service: RunningService;
  try {
    service = await startService({ env });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n\nSee README.md, "Configuration", or copy .env.example to .env.\n`);
      process.exit(1);
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`Marquee could not start: ${message}\n`);
    process.exit(1);
  }
  exitOnSignals(service);
}

/**
 * Reads settings from `ENV_FILE` (default `.env`) when that file exists. Variables already set in the
 * environment win, so Docker and systemd settings are never overridden by a stray file.
 */
function loadEnvFile(env: NodeJS.ProcessEnv): void {
  const file = env.ENV_FILE ?? '.env';
  if (file === '' || !existsSync(file)) return;
  process.loadEnvFile(file);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  void main();
}
