import { z } from 'zod';

/**
 * The service's whole configuration, read once from the environment by `parseConfig`.
 * `parseConfig` is pure: it never reads `process.env` itself and never prints. Every problem is
 * collected and reported by variable name with a hint; values are never echoed, because several of
 * these variables are secrets and the rest may be pasted next to them.
 */
export interface Config {
  telegram: TelegramConfig | null;
  discord: DiscordConfig | null;
  trakt: TraktConfig;
  /** Base URL users' browsers reach, without a trailing slash; null when the service is not public. */
  publicUrl: string | null;
  http: { host: string; port: number };
  /** Postgres URL; null means embedded PGlite under `dataDir`. */
  databaseUrl: string | null;
  dataDir: string;
  /** Raw `TOKEN_ENCRYPTION_KEY` value (comma-separated base64 keys, newest first); see src/db/crypto.ts. */
  tokenEncryptionKeys: string | null;
  logLevel: LogLevel;
  /** How long SIGTERM waits for in-flight work before closing anyway. */
  shutdownGraceMs: number;
  /** How long one Trakt call keeps retrying 5xx, timeouts and resets; then a confirmed write waits in the offline queue. */
  traktRetryMs: number;
  /** How long one Trakt request may take before it counts as failed (and is retried). */
  traktTimeoutMs: number;
  /** How often release notices are checked (calendars read, waiting notices sent after quiet hours). */
  noticesCheckMs: number;
  /** How often the background sync checks active users' watchlists (`last_activities`, then a read if it moved). */
  watchlistSyncMs: number;
  /** Trakt requests the background sync sends per minute at most. */
  watchlistSyncPerMinute: number;
  /**
   * Where Trakt's rate limits are kept: `auto` shares them through Postgres when `databaseUrl` is set
   * (several instances), `local` keeps them in this process only (one instance).
   */
  traktLimitsStore: 'auto' | 'local';
  /** How `/metrics` is served; see `metricsExposure`. */
  metrics: MetricsConfig;
}

export interface MetricsConfig {
  /** A port of its own for `/metrics` (0: any free port); null: none. */
  port: number | null;
  /** Where that port listens; loopback unless set. */
  host: string;
  /** Bearer token `/metrics` asks for (on its own port too, when both are set); null: none. */
  token: string | null;
}

export interface TelegramConfig {
  botToken: string;
  apiRoot: string;
  /** Set together with PUBLIC_URL: webhook mode; otherwise long polling. */
  webhookSecret: string | null;
  /**
   * Instances sharing a Postgres database: how long an instance's claim of an update, and the poller
   * lease, last without renewal (renewed at a third of it), i.e. how soon another instance takes over
   * from one that died.
   */
  leaseMs: number;
}

export interface DiscordConfig {
  token: string;
  applicationId: string;
  apiUrl: string;
  guildId: string | null;
  /** Gateway shards in all; null: Discord's recommendation (with Postgres), 1 (embedded database). */
  shardCount: number | null;
  /** How long an instance holds a shard without renewing (several instances on Postgres). */
  shardLeaseMs: number;
}

export interface TraktConfig {
  clientId: string;
  clientSecret: string;
  apiUrl: string;
  authUrl: string;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Variables whose values must never appear in output. */
export const SECRET_VARIABLES = [
  'TELEGRAM_BOT_TOKEN',
  'TELEGRAM_WEBHOOK_SECRET',
  'DISCORD_TOKEN',
  'TRAKT_CLIENT_SECRET',
  'TOKEN_ENCRYPTION_KEY',
  'DATABASE_URL',
  'METRICS_TOKEN',
] as const;

export interface ConfigProblem {
  variable: string;
  message: string;
  hint: string;
}

export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(formatProblems(problems));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const HINTS: Record<string, string> = {
  TELEGRAM_BOT_TOKEN: 'the token BotFather gave you, shaped like 123456789:AA...',
  TELEGRAM_API_ROOT: 'an http(s) URL; leave unset for https://api.telegram.org',
  TELEGRAM_WEBHOOK_SECRET: '1-256 characters from A-Z, a-z, 0-9, _ and -; e.g. `openssl rand -hex 32`',
  TELEGRAM_LEASE_MS: 'milliseconds, 1000 to 600000; default 30000',
  DISCORD_TOKEN: 'the bot token from the Bot page of your Discord application',
  DISCORD_APPLICATION_ID: 'the numeric Application ID from the General Information page of your Discord application',
  DISCORD_API_URL: 'an http(s) URL; leave unset for https://discord.com/api',
  DISCORD_GUILD_ID: 'a numeric server id (enable Developer Mode, right-click the server, Copy Server ID)',
  DISCORD_SHARD_COUNT: 'a whole number of gateway shards from 1 to 4096; leave unset for Discord\'s recommendation',
  DISCORD_SHARD_LEASE_MS: 'milliseconds an instance holds a shard without renewing it, 1000 to 600000; default 30000',
  TRAKT_CLIENT_ID: 'the Client ID of your app at https://trakt.tv/oauth/applications',
  TRAKT_CLIENT_SECRET: 'the Client Secret of your app at https://trakt.tv/oauth/applications',
  TRAKT_API_URL: 'an http(s) URL; leave unset for https://api.trakt.tv',
  TRAKT_AUTH_URL: 'an http(s) URL; leave unset for https://auth.trakt.tv',
  PUBLIC_URL: 'the https URL where users reach this service, e.g. https://marquee.example.org',
  HOST: 'an interface address such as 0.0.0.0 or 127.0.0.1',
  PORT: 'a TCP port number between 0 and 65535',
  DATABASE_URL: 'a postgres:// or postgresql:// URL; leave unset for the embedded database',
  DATA_DIR: 'a directory path where the embedded database and generated key live',
  TOKEN_ENCRYPTION_KEY:
    'comma-separated base64 keys of 32 bytes each, newest first; generate one with `openssl rand -base64 32`',
  LOG_LEVEL: `one of ${LOG_LEVELS.join(', ')}`,
  SHUTDOWN_GRACE_MS: 'milliseconds, e.g. 10000',
  NOTICES_CHECK_MS: 'milliseconds between release-notice checks, 1000 to 86400000 (a day); default 3600000 (an hour)',
  WATCHLIST_SYNC_MS: 'milliseconds between background watchlist checks, e.g. 900000 (15 minutes)',
  WATCHLIST_SYNC_PER_MINUTE: 'Trakt requests per minute the background sync may send, e.g. 120',
  METRICS_PORT: 'a TCP port number between 0 and 65535 for /metrics alone, e.g. 9464',
  METRICS_HOST: 'an interface address for METRICS_PORT such as 127.0.0.1 (the default) or 0.0.0.0',
  METRICS_TOKEN: '16 to 256 characters without spaces; e.g. `openssl rand -hex 32`',
};

const httpUrl = z
  .string()
  .refine((value) => isUrlWithProtocol(value, ['http:', 'https:']), { message: 'is not an http(s) URL' })
  .transform(stripTrailingSlash);

/** A whole number within bounds (milliseconds, a port), with readable messages. */
function wholeNumber(min: number, max: number, fallback: number) {
  return z.coerce
    .number({ message: 'is not a number' })
    .int({ message: 'is not a whole number' })
    .min(min, { message: 'is out of range' })
    .max(max, { message: 'is out of range' })
    .default(fallback);
}

const snowflake = z.string().regex(/^\d{5,25}$/, { message: 'is not a numeric Discord id' });

const envSchema = z
  .object({
    TELEGRAM_BOT_TOKEN: z
      .string()
      .regex(/^\d+:[A-Za-z0-9_-]{20,}$/, { message: 'does not look like a Telegram bot token' })
      .optional(),
    TELEGRAM_API_ROOT: httpUrl.default('https://api.telegram.org'),
    TELEGRAM_WEBHOOK_SECRET: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/, { message: 'has characters Telegram does not allow, or is too long' })
      .optional(),
    TELEGRAM_LEASE_MS: wholeNumber(1000, 600_000, 30_000),
    DISCORD_TOKEN: z.string().min(20, { message: 'is too short to be a Discord bot token' }).optional(),
    DISCORD_APPLICATION_ID: snowflake.optional(),
    DISCORD_API_URL: httpUrl.default('https://discord.com/api'),
    DISCORD_GUILD_ID: snowflake.optional(),
    DISCORD_SHARD_COUNT: z.coerce
      .number({ message: 'is not a number' })
      .int({ message: 'is not a whole number' })
      .min(1, { message: 'is out of range' })
      .max(4096, { message: 'is out of range' })
      .optional(),
    DISCORD_SHARD_LEASE_MS: wholeNumber(1000, 600_000, 30_000),
    TRAKT_CLIENT_ID: z.string({ message: 'is required' }).min(1, { message: 'is required' }),
    TRAKT_CLIENT_SECRET: z.string({ message: 'is required' }).min(1, { message: 'is required' }),
    TRAKT_API_URL: httpUrl.default('https://api.trakt.tv'),
    TRAKT_AUTH_URL: httpUrl.default('https://auth.trakt.tv'),
    PUBLIC_URL: httpUrl.optional(),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: wholeNumber(0, 65535, 3000),
    DATABASE_URL: z
      .string()
      .refine((value) => isUrlWithProtocol(value, ['postgres:', 'postgresql:']), {
        message: 'is not a postgres:// URL',
      })
      .optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    TOKEN_ENCRYPTION_KEY: z
      .string()
      .refine(isValidKeyList, { message: 'is not a list of base64-encoded 32-byte keys' })
      .optional(),
    LOG_LEVEL: z.enum(LOG_LEVELS, { message: 'is not a log level' }).default('info'),
    SHUTDOWN_GRACE_MS: wholeNumber(0, 600_000, 10_000),
    TRAKT_TIMEOUT_MS: wholeNumber(100, 120_000, 15_000),
    TRAKT_RETRY_MS: wholeNumber(0, 600_000, 60_000),
    NOTICES_CHECK_MS: wholeNumber(1000, 86_400_000, 3_600_000),
    WATCHLIST_SYNC_MS: wholeNumber(1000, 24 * 60 * 60_000, 15 * 60_000),
    WATCHLIST_SYNC_PER_MINUTE: wholeNumber(1, 100_000, 120),
    TRAKT_LIMITS_STORE: z.enum(['auto', 'local'], { message: 'is not auto or local' }).default('auto'),
    METRICS_PORT: wholeNumber(0, 65535, 0).optional(),
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    METRICS_TOKEN: z
      .string()
      .regex(/^[\x21-\x7e]{16,256}$/, { message: 'is not 16 to 256 visible characters without spaces' })
      .optional(),
  });

/** Rules across variables; checked on the raw values so they are reported together with the rest. */
function crossVariableProblems(present: Readonly<Record<string, string>>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const problem = (variable: string, message: string) => problems.push({ variable, message, hint: HINTS[variable] ?? '' });
  if (present.TELEGRAM_BOT_TOKEN === undefined && present.DISCORD_TOKEN === undefined) {
    problem('TELEGRAM_BOT_TOKEN', 'or DISCORD_TOKEN is required: no chat platform is configured (set one or both)');
  }
  if (present.DISCORD_TOKEN !== undefined && present.DISCORD_APPLICATION_ID === undefined) {
    problem('DISCORD_APPLICATION_ID', 'is required when DISCORD_TOKEN is set');
  }
  if (present.DATABASE_URL !== undefined && present.TOKEN_ENCRYPTION_KEY === undefined) {
    problem('TOKEN_ENCRYPTION_KEY', 'is required when DATABASE_URL is set (a key is generated only for the embedded database)');
  }
  return problems;
}

/**
 * Parses the environment. Empty values count as unset, since `.env` files and compose files often
 * carry `NAME=` lines. Throws `ConfigError` listing every problem.
 */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const present: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') present[name] = value.trim();
  }
  const result = envSchema.safeParse(present);
  const crossProblems = crossVariableProblems(present);
  if (!result.success || crossProblems.length > 0) {
    const schemaIssues = result.success ? [] : result.error.issues;
    const problems = schemaIssues.map((issue): ConfigProblem => {
      const variable = String(issue.path[0] ?? 'environment');
      const missing = issue.code === 'invalid_type' && present[variable] === undefined;
      return {
        variable,
        message: missing ? 'is required' : issue.message,
        hint: HINTS[variable] ?? '',
      };
    });
    throw new ConfigError(dedupeProblems([...crossProblems, ...problems]));
  }
  const e = result.data;
  return {
    telegram:
      e.TELEGRAM_BOT_TOKEN === undefined
        ? null
        : {
            botToken: e.TELEGRAM_BOT_TOKEN,
            apiRoot: e.TELEGRAM_API_ROOT,
            webhookSecret: e.TELEGRAM_WEBHOOK_SECRET ?? null,
            leaseMs: e.TELEGRAM_LEASE_MS,
          },
    discord:
      e.DISCORD_TOKEN === undefined || e.DISCORD_APPLICATION_ID === undefined
        ? null
        : {
            token: e.DISCORD_TOKEN,
            applicationId: e.DISCORD_APPLICATION_ID,
            apiUrl: e.DISCORD_API_URL,
            guildId: e.DISCORD_GUILD_ID ?? null,
            shardCount: e.DISCORD_SHARD_COUNT ?? null,
            shardLeaseMs: e.DISCORD_SHARD_LEASE_MS,
          },
    trakt: {
      clientId: e.TRAKT_CLIENT_ID,
      clientSecret: e.TRAKT_CLIENT_SECRET,
      apiUrl: e.TRAKT_API_URL,
      authUrl: e.TRAKT_AUTH_URL,
    },
    publicUrl: e.PUBLIC_URL ?? null,
    http: { host: e.HOST, port: e.PORT },
    databaseUrl: e.DATABASE_URL ?? null,
    dataDir: e.DATA_DIR,
    tokenEncryptionKeys: e.TOKEN_ENCRYPTION_KEY ?? null,
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    traktRetryMs: e.TRAKT_RETRY_MS,
    traktTimeoutMs: e.TRAKT_TIMEOUT_MS,
    noticesCheckMs: e.NOTICES_CHECK_MS,
    watchlistSyncMs: e.WATCHLIST_SYNC_MS,
    watchlistSyncPerMinute: e.WATCHLIST_SYNC_PER_MINUTE,
    traktLimitsStore: e.TRAKT_LIMITS_STORE,
    metrics: { port: present.METRICS_PORT === undefined ? null : (e.METRICS_PORT ?? null), host: e.METRICS_HOST, token: e.METRICS_TOKEN ?? null },
  };
}

/**
 * How `/metrics` is served. Never public by default: with neither `METRICS_PORT` nor `METRICS_TOKEN` it
 * is not served at all (`off`); with `METRICS_PORT` on a port of its own, loopback unless `METRICS_HOST`
 * says otherwise (and asking for the token too when one is set); with `METRICS_TOKEN` alone on the main
 * port, to requests carrying `Authorization: Bearer <token>`.
 */
export function metricsExposure(config: Config): 'off' | 'own-port' | 'main-port-with-token' {
  if (config.metrics.port !== null) return 'own-port';
  return config.metrics.token === null ? 'off' : 'main-port-with-token';
}

/** True when Telegram updates should arrive by webhook rather than long polling. */
export function telegramUsesWebhook(config: Config): boolean {
  return config.telegram !== null && config.telegram.webhookSecret !== null && config.publicUrl !== null;
}

export function oauthCallbackUrl(config: Config): string | null {
  return config.publicUrl === null ? null : `${config.publicUrl}/oauth/callback`;
}

export function formatProblems(problems: readonly ConfigProblem[]): string {
  const lines = problems.map((p) => `  - ${p.variable} ${p.message}${p.hint ? ` (hint: ${p.hint})` : ''}`);
  return `Configuration is not valid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`;
}

function dedupeProblems(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.variable}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function isUrlWithProtocol(value: string, protocols: readonly string[]): boolean {
  try {
    const url = new URL(value);
    return protocols.includes(url.protocol) && url.host !== '';
  } catch {
    return false;
  }
}

function stripTrailingSlash(value: string): string {
  return value.replace(/\/+$/, '');
}

function isValidKeyList(value: string): boolean {
  const parts = value.split(',').map((part) => part.trim());
  return parts.length > 0 && parts.every(isBase64Key);
}

function isBase64Key(value: string): boolean {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return false;
  return Buffer.from(value, 'base64').length === 32;
}
