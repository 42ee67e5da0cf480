import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger } from 'pino';

/** Query parameters whose values never reach a log line. */
const SECRET_QUERY_KEYS = new Set([
  'code',
  'state',
  'token',
  'access_token',
  'refresh_token',
  'client_secret',
  'code_verifier',
  'device_code',
  'secret',
  'key',
  'password',
]);

/**
 * Object paths redacted in every log line. Request headers are covered by the request serializer
 * below (which keeps only harmless ones); these paths catch secrets passed as log context.
 */
export const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-telegram-bot-api-secret-token"]',
  '*.authorization',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'clientSecret',
  '*.clientSecret',
  'client_secret',
  '*.client_secret',
  'code',
  '*.code',
  'state',
  '*.state',
  'codeVerifier',
  '*.codeVerifier',
  'deviceCode',
  '*.deviceCode',
  'device_code',
  '*.device_code',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'botToken',
  '*.botToken',
];

/** Replaces the values of secret query parameters in a URL or path, keeping everything else readable. */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  const params = new URLSearchParams(url.slice(queryStart + 1));
  let changed = false;
  for (const key of new Set(params.keys())) {
    if (SECRET_QUERY_KEYS.has(key.toLowerCase())) {
      params.set(key, '[REDACTED]');
      changed = true;
    }
  }
  return changed ? `${url.slice(0, queryStart)}?${params.toString()}` : url;
}

interface SerializableRequest {
  id?: unknown;
  method?: string;
  url?: string;
  hostname?: string;
  ip?: string;
  headers?: Record<string, unknown>;
}

/** Fastify request serializer: method, redacted URL, request id and a few safe headers. */
export function serializeRequest(req: SerializableRequest): Record<string, unknown> {
  return {
    id: req.id,
    method: req.method,
    url: req.url === undefined ? undefined : redactUrl(req.url),
    hostname: req.hostname,
    remoteAddress: req.ip,
    userAgent: req.headers?.['user-agent'],
  };
}

export function createLogger(options: { level: LogLevel; destination?: DestinationStream; name?: string }): Logger {
  return pino(
    {
      level: options.level,
      name: options.name ?? 'marquee',
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: { req: serializeRequest, err: pino.stdSerializers.err },
    },
    options.destination,
  );
}
