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
const SECRET_FIELDS = new Set(
  [
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
    'metricsToken',
    'password',
    'botToken',
    'apiKey',
    'api_key',
    'authorization',
    'encryptionKey',
    'tokenEncryptionKey',
  ].map((name) => name.toLowerCase()),
);
/** Secret-bearing HTTP headers, in any `headers` object (request, response, error, context). */
const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-telegram-bot-api-secret-token',
  'x-api-key',
  'trakt-api-key',
]);
/**
 * OAuth's `code` and `state` are secrets only where OAuth puts them: the callback's query, a token
 * request's body (`code` is also the device code in `POST /oauth/device/token`, REFERENCE §3.7).
 * Elsewhere `code` is an error code (ECONNREFUSED, a GrammyError's 403, Discord's 10062) and stays.
 */
const OAUTH_PARENTS = new Set(['query', 'body', 'params', 'oauth', 'callback']);
const OAUTH_FIELDS = new Set(['code', 'state']);
/** String fields that hold a URL or a path: their secret query parameters are redacted. */
const URL_FIELDS = new Set(['url', 'path', 'href', 'uri', 'location']);
const MAX_DEPTH = 6;

type Rule = 'headers' | 'oauth' | undefined;

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null || Array.isArray(value);
}

/**
 * The redaction rules, by path: a secret field anywhere (`accessToken`, `tokens.refresh_token`),
 * `headers.<secret header>`, `query|body|params.code|state`, and URLs in `url`/`path` fields. Plain
 * objects and arrays only (errors go through `serializeError`, requests through `serializeRequest`).
 * Copy on write: the caller's objects are never changed; an object without secrets is returned as is.
 */
function scrub(value: unknown, rule: Rule, depth: number): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH || !isPlain(value)) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, i) => {
      const next = scrub(item, undefined, depth + 1);
      if (next !== item) (copy ??= [...value])[i] = next;
    });
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const item = record[key];
    const lower = key.toLowerCase();
    let next: unknown;
    if (item === undefined || item === null) continue;
    if (SECRET_FIELDS.has(lower)) next = CENSOR;
    else if (rule === 'headers' && SECRET_HEADERS.has(lower)) next = CENSOR;
    else if (rule === 'oauth' && OAUTH_FIELDS.has(lower)) next = CENSOR;
    else if (typeof item === 'string') next = URL_FIELDS.has(lower) ? redactUrl(item) : item;
    else next = scrub(item, lower === 'headers' ? 'headers' : OAUTH_PARENTS.has(lower) ? 'oauth' : undefined, depth + 1);
    if (next !== item) (copy ??= { ...record })[key] = next;
  }
  return copy ?? value;
}

/** Applies the redaction rules to one log line's context object (see `scrub`). */
export function redactContext<T>(context: T): T {
  return scrub(context, undefined, 0) as T;
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

/** A serialized error (and its `cause` chain): URLs in the message and stack redacted, then the rules. */
function scrubSerializedError(serialized: object, depth: number): Record<string, unknown> {
  const record: Record<string, unknown> = { ...serialized };
  for (const key of ['message', 'stack']) {
    const text = record[key];
    if (typeof text === 'string') record[key] = redactUrl(text);
  }
  const cause = record['cause'];
  if (cause !== null && typeof cause === 'object' && depth < MAX_DEPTH) record['cause'] = scrubSerializedError(cause, depth + 1);
  return scrub(record, undefined, depth) as Record<string, unknown>;
}

/** pino's error serializer, with the redaction rules applied (to its `cause` chain too). */
function serializeError(error: Error): ReturnType<typeof pino.stdSerializers.err> {
  const out = pino.stdSerializers.err(error);
  if (out === null || typeof out !== 'object') return out;
  return scrubSerializedError(out, 1) as unknown as typeof out;
}

export function createLogger(options: { level: LogLevel; destination?: DestinationStream; name?: string }): Logger {
  return pino(
    {
      level: options.level,
      name: options.name ?? 'marquee',
      serializers: { req: serializeRequest, err: serializeError },
      formatters: { log: (context) => redactContext(context) },
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
