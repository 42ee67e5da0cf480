import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, telegramUsesWebhook } from '../src/config.js';

const TELEGRAM_TOKEN = '123456789:AAH-test-token-not-real-abcdefghijklm';
const KEY = Buffer.alloc(32, 7).toString('base64');
const minimal = { TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN, TRAKT_CLIENT_ID: 'client-id', TRAKT_CLIENT_SECRET: 'client-secret' };

function problemsOf(env: Record<string, string>): ConfigError {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('GIVEN an empty environment THEN it lists every missing setting by name at once', () => {
    const error = problemsOf({});
    const variables = error.problems.map((p) => p.variable);
    expect(variables).toEqual(expect.arrayContaining(['TELEGRAM_BOT_TOKEN', 'TRAKT_CLIENT_ID', 'TRAKT_CLIENT_SECRET']));
    expect(error.message).toContain('TRAKT_CLIENT_ID is required');
    expect(error.message).toContain('DISCORD_TOKEN');
    for (const problem of error.problems) expect(problem.hint).not.toBe('');
  });

  it('GIVEN bad values THEN each is reported with a hint and no secret value is echoed', () => {
    const secretish = 'supersecretvalue-do-not-print';
    const error = problemsOf({
      TELEGRAM_BOT_TOKEN: secretish,
      TRAKT_CLIENT_ID: 'x',
      TRAKT_CLIENT_SECRET: 'y',
      DATABASE_URL: `mysql://user:${secretish}@host/db`,
      TOKEN_ENCRYPTION_KEY: secretish,
      PORT: '70000',
      LOG_LEVEL: 'loud',
      PUBLIC_URL: 'not a url',
      DISCORD_TOKEN: `${secretish}-discord`,
    });
    const variables = error.problems.map((p) => p.variable);
    expect(variables).toEqual(
      expect.arrayContaining([
        'TELEGRAM_BOT_TOKEN',
        'DATABASE_URL',
        'TOKEN_ENCRYPTION_KEY',
        'PORT',
        'LOG_LEVEL',
        'PUBLIC_URL',
        'DISCORD_APPLICATION_ID',
      ]),
    );
    expect(error.message).not.toContain(secretish);
    expect(JSON.stringify(error.problems)).not.toContain(secretish);
  });

  it('GIVEN DATABASE_URL without TOKEN_ENCRYPTION_KEY THEN the key is required', () => {
    const error = problemsOf({ ...minimal, DATABASE_URL: 'postgres://localhost/marquee' });
    expect(error.problems.map((p) => p.variable)).toEqual(['TOKEN_ENCRYPTION_KEY']);
  });

  it('GIVEN a key that is not 32 bytes THEN it is refused', () => {
    const error = problemsOf({ ...minimal, TOKEN_ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') });
    expect(error.problems.map((p) => p.variable)).toEqual(['TOKEN_ENCRYPTION_KEY']);
  });

  it('GIVEN a minimal environment THEN defaults fill the rest and empty values count as unset', () => {
    const config = parseConfig({ ...minimal, DISCORD_TOKEN: '', LOG_LEVEL: '' });
    expect(config.telegram).toEqual({ botToken: TELEGRAM_TOKEN, apiRoot: 'https://api.telegram.org', webhookSecret: null, leaseMs: 30_000 });
    expect(config.discord).toBeNull();
    expect(config.trakt).toEqual({
      clientId: 'client-id',
      clientSecret: 'client-secret',
      apiUrl: 'https://api.trakt.tv',
      authUrl: 'https://auth.trakt.tv',
    });
    expect(config.http).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(config.databaseUrl).toBeNull();
    expect(config.dataDir).toBe('./data');
    expect(config.logLevel).toBe('info');
    expect(telegramUsesWebhook(config)).toBe(false);
  });

  it('GIVEN Discord, Postgres, several keys and a public URL THEN they are parsed', () => {
    const config = parseConfig({
      DISCORD_TOKEN: 'discord-token-0123456789abcdef',
      DISCORD_APPLICATION_ID: '123456789012345678',
      DISCORD_GUILD_ID: '223456789012345678',
      TRAKT_CLIENT_ID: 'a',
      TRAKT_CLIENT_SECRET: 'b',
      TRAKT_API_URL: 'http://127.0.0.1:4010/',
      DATABASE_URL: 'postgresql://marquee@db:5432/marquee',
      TOKEN_ENCRYPTION_KEY: `${KEY}, ${Buffer.alloc(32, 1).toString('base64')}`,
      PUBLIC_URL: 'https://marquee.example.org/',
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: 'hook_secret-1',
      PORT: '8080',
    });
    expect(config.discord?.guildId).toBe('223456789012345678');
    expect(config.trakt.apiUrl).toBe('http://127.0.0.1:4010');
    expect(config.publicUrl).toBe('https://marquee.example.org');
    expect(config.http.port).toBe(8080);
    expect(telegramUsesWebhook(config)).toBe(true);
  });

  it('GIVEN Discord shard settings THEN the count and lease are parsed, unset means the recommendation and 30 s, and a bad count is named', () => {
    const base = { DISCORD_TOKEN: 'discord-token-0123456789abcdef', DISCORD_APPLICATION_ID: '123456789012345678', TRAKT_CLIENT_ID: 'a', TRAKT_CLIENT_SECRET: 'b' };
    expect(parseConfig(base).discord).toMatchObject({ shardCount: null, shardLeaseMs: 30_000 });
    expect(parseConfig({ ...base, DISCORD_SHARD_COUNT: '8', DISCORD_SHARD_LEASE_MS: '5000' }).discord).toMatchObject({ shardCount: 8, shardLeaseMs: 5000 });
    expect(() => parseConfig({ ...base, DISCORD_SHARD_COUNT: '0' })).toThrow(/DISCORD_SHARD_COUNT/);
  });
});
