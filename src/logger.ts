import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger } from 'pino';

const CENSOR = '[REDACTED]';
const ENCODED_CENSOR = encodeURIComponent(CENSOR);

/**
 * Names of query parameters whose values never reach a log line. A rule, not a list, so a new name of
 * the same family (`secret_token`, `api_key`, `X-Api-Key`, `hub.secret`, `new_password`) cannot slip
 * through: the name is lower-cased with everything but letters and digits dropped, then searched for
 * these fragments. `code` and `state` are the OAuth callback's (REFERENCE §3.2). A harmless parameter
 * caught by it (`author`, say) only costs readability.
 */
const SECRET_NAME_FRAGMENTS = /secret|token|passw|pwd|key|auth|sig|code|state|verifier|session|cookie|credential|otp|nonce|jwt|bearer/;

/** True when a query parameter of this name carries a secret. */
export function isSecretParameter(name: string): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    // a malformed escape: judge the raw name
  }
  return SECRET_NAME_FRAGMENTS.test(decoded.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

/** `?name=value` / `&name=value` anywhere in a text. */
const QUERY_PARAMETER = /([?&])([^=&#?\s"'<>]+)=([^&#\s"'<>]*)/g;
/** A Telegram bot token inside a Bot API URL path: `/bot123456:AA.../getMe`. */
const BOT_TOKEN_IN_PATH = /\/bot\d+:[\w-]+/g;
/** `scheme://user:password@host`. */
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s"'<>]+@/gi;
const BEARER = /\b(Bearer|Basic)\s+[\w.~+/-]+=*/g;

/**
 * Hides secrets inside a URL, a path or any text that may hold URLs (an error message): values of
 * secret query parameters (see `isSecretParameter`), bot tokens in Bot API paths, credentials before
 * `@` in a URL, and bearer/basic credentials. Everything else stays byte for byte.
 */
export function redactUrl(text: string): string {
  if (text.length === 0) return text;
  return text
    .replace(QUERY_PARAMETER, (whole, sep: string, name: string) => (isSecretParameter(name) ? `${sep}${name}=${ENCODED_CENSOR}` : whole))
    .replace(BOT_TOKEN_IN_PATH, `/bot${CENSOR}`)
    .replace(URL_USERINFO, `$1${CENSOR}@`)
    .replace(BEARER, `$1 ${CENSOR}`);
}

/** Fields that hold a secret whatever object they sit in (tokens, client secrets, passwords). */
const SECRET_FIELDS = [
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'idToken',
  'id_token',
  'clientSecret',
  'client_secret',
  'codeVerifier',
  'code_verifier',
  'deviceCode',
  'device_code',
  'secret',
  'secretToken',
  'secret_token',
  'webhookSecret',
  'password',
  'botToken',
  'apiKey',
  'api_key',
  'authorization',
  'encryptionKey',
  'tokenEncryptionKey',
];
/** Secret-bearing HTTP headers, wherever a `headers` object is logged (request, response, context). */
const SECRET_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-telegram-bot-api-secret-token',
  'x-api-key',
  'trakt-api-key',
];
/**
 * OAuth's `code` and `state` are secrets only where OAuth puts them: the callback's query, a token
 * request's body (`code` is also the device code in `POST /oauth/device/token`, REFERENCE §3.7).
 * Elsewhere `code` is an error code (ECONNREFUSED, a GrammyError's 403, Discord's 10062) and stays.
 */
const OAUTH_PARENTS = ['query', 'body', 'params', 'oauth', 'callback'];
const OAUTH_FIELDS = ['code', 'state'];

function atDepths(path: string): string[] {
  return [path, `*.${path}`, `*.*.${path}`];
}

/** Object paths redacted in every log line (pino `redact`): by path, never by a bare `code` or `state`. */
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_FIELDS.flatMap(atDepths),
  ...SECRET_HEADERS.flatMap((header) => atDepths(`headers["${header}"]`)),
  ...OAUTH_PARENTS.flatMap((parent) => OAUTH_FIELDS.flatMap((field) => atDepths(`${parent}.${field}`))),
];

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

const redactIfString = (value: unknown): unknown => (typeof value === 'string' ? redactUrl(value) : value);

/** pino's error serializer, with URLs and credentials in the message and stack redacted. */
function serializeError(error: Error): ReturnType<typeof pino.stdSerializers.err> {
  const out = pino.stdSerializers.err(error);
  if (out === null || typeof out !== 'object') return out;
  const record = out as unknown as Record<string, unknown>;
  for (const key of ['message', 'stack', 'url']) {
    if (typeof record[key] === 'string') record[key] = redactUrl(record[key]);
  }
  return out;
}

export function createLogger(options: { level: LogLevel; destination?: DestinationStream; name?: string }): Logger {
  return pino(
    {
      level: options.level,
      name: options.name ?? 'marquee',
      redact: { paths: [...REDACT_PATHS], censor: CENSOR },
      serializers: { req: serializeRequest, err: serializeError, url: redactIfString, path: redactIfString, href: redactIfString },
      hooks: {
        // Message texts can hold URLs too (Fastify's "Route GET:/x?secret_token=… not found").
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? redactUrl(arg) : arg)) as Parameters<typeof method>);
        },
      },
    },
    options.destination,
  );
}
