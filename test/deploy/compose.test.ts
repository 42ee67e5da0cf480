import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SECRET_VARIABLES } from '../../src/config.js';

/**
 * compose.yaml's scaled profile, read as Compose reads it (YAML with anchors and merge keys; there is no
 * Docker here to run it): which services it starts, that the instances share one database,
 * that the proxy reaches every instance, and that no secret is written into the file.
 */
interface Service {
  build?: unknown;
  image?: string;
  profiles?: string[];
  environment?: Record<string, string | number>;
  env_file?: string | string[];
  depends_on?: Record<string, unknown> | string[];
  ports?: string[];
  volumes?: string[];
}

const root = new URL('../../', import.meta.url);
const compose = parse(readFileSync(new URL('compose.yaml', root), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const SCALED = 'scaled';
const inScaled = (name: string) => services[name]?.profiles?.includes(SCALED) === true;
const dependencies = (service: Service | undefined): string[] =>
  service?.depends_on === undefined ? [] : Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on);
/** Bot instances of the scaled profile: built from this repository. */
const instances = Object.keys(services).filter((name) => inScaled(name) && services[name]?.build !== undefined);
const env = (name: string) => services[name]?.environment ?? {};

/** What `docker compose --profile scaled up -d proxy` starts: proxy and everything it depends on. */
function startedWith(name: string, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen;
  seen.add(name);
  for (const dependency of dependencies(services[name])) startedWith(dependency, seen);
  return seen;
}

/** Variables holding secrets: the service's own, Postgres' password, the metrics token. */
const SECRET_NAMES = new Set<string>([...SECRET_VARIABLES, 'POSTGRES_PASSWORD', 'METRICS_TOKEN', 'REDIS_PASSWORD']);
const REFERENCE = /^\$\{([A-Z_][A-Z0-9_]*)\}$/;
const REFERENCE_WITH_DEFAULT = /^\$\{([A-Z_][A-Z0-9_]*)(:?-[^}]*)?\}$/;

/** Secrets written into a compose file's environments (see the test below). */
function inlineSecrets(all: Record<string, Service>): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(all)) {
    const scaled = service.profiles?.includes(SCALED) === true;
    for (const [variable, raw] of Object.entries(service.environment ?? {})) {
      const value = String(raw);
      // `${VAR:?message}` would be evaluated for every profile and break the default `docker compose up`.
      if (scaled && value.includes(':?')) problems.push(`${name}.${variable} uses a required-variable check`);
      const reference = scaled ? REFERENCE : REFERENCE_WITH_DEFAULT;
      // A URL (DATABASE_URL, REDIS_URL) may be written out, but a password in it is a reference.
      const url = /^[a-z][a-z0-9+.-]*:\/\/(?:([^@/]*)@)?/i.exec(value);
      if (url !== null) {
        const userinfo = url[1];
        const password = userinfo?.includes(':') === true ? userinfo.slice(userinfo.indexOf(':') + 1) : undefined;
        if (password !== undefined && !reference.test(password)) problems.push(`${name}.${variable} has a password that is not a reference`);
      } else if (SECRET_NAMES.has(variable) && !reference.test(value)) {
        problems.push(`${name}.${variable} is not a reference`);
      }
    }
  }
  return problems;
}

describe('compose.yaml, scaled profile', () => {
  it('GIVEN the scaled profile THEN Postgres, two or more instances and a proxy; the single service stays out; no Redis (Trakt limits are shared through Postgres)', () => {
    expect(instances.length).toBeGreaterThanOrEqual(2);
    expect(services['redis']).toBeUndefined();
    expect(inScaled('proxy')).toBe(true);
    const started = startedWith('proxy');
    expect([...started].sort()).toEqual(['postgres', 'proxy', ...instances].sort());
    expect(started.has('marquee')).toBe(false);
    // The default `docker compose up` is unchanged: the single service and Postgres, nothing scaled.
    expect(Object.keys(services).filter((name) => services[name]?.profiles === undefined).sort()).toEqual(['marquee', 'postgres']);
  });

  it('GIVEN the instances THEN they share one DATABASE_URL on a service of this file, and serve metrics on a port of their own', () => {
    const databaseUrls = new Set(instances.map((name) => env(name)['DATABASE_URL']));
    expect(databaseUrls.size).toBe(1);
    const [databaseUrl] = [...databaseUrls];
    expect(new URL(String(databaseUrl).replace(/\$\{[^}]+\}/g, 'x')).hostname).toBe('postgres');
    for (const name of instances) {
      expect(env(name)['REDIS_URL']).toBeUndefined();
      expect(dependencies(services[name])).toEqual(['postgres']);
      expect(services[name]?.ports).toBeUndefined();
      expect(env(name)).toMatchObject({ HOST: '0.0.0.0', PORT: 3000, METRICS_PORT: 9464 });
      // Settings (tokens, PUBLIC_URL and TELEGRAM_WEBHOOK_SECRET for webhook mode) come from .env.
      expect(services[name]?.env_file).toBe('.env');
    }
  });

  it('GIVEN the proxy THEN it mounts the Caddyfile beside compose.yaml, which sends to every instance and hides /metrics', () => {
    const proxy = services['proxy'];
    expect(dependencies(proxy).sort()).toEqual([...instances].sort());
    const mount = proxy?.volumes?.find((volume) => volume.endsWith(':/etc/caddy/Caddyfile:ro'));
    expect(mount).toBeDefined();
    const file = new URL(String(mount?.split(':')[0]), root);
    expect(existsSync(file)).toBe(true);
    const caddyfile = readFileSync(file, 'utf8');
    expect(caddyfile).toMatch(/^\{\$PUBLIC_URL\} \{$/m);
    const upstreams = /^\s*reverse_proxy ([^{]+)\{/m.exec(caddyfile)?.[1]?.trim().split(/\s+/) ?? [];
    expect(upstreams.sort()).toEqual(instances.map((name) => `${name}:${env(name)['PORT']}`).sort());
    expect(caddyfile).toMatch(/^\s*health_uri \/readyz$/m);
    expect(caddyfile).toMatch(/^\s*respond \/metrics 404$/m);
    expect(env('proxy')).toEqual({ PUBLIC_URL: '${PUBLIC_URL}' });
  });

  it('GIVEN every service THEN no secret is written inline: secrets are references to .env, without defaults in the scaled profile', () => {
    expect(inlineSecrets(services)).toEqual([]);
    // And the check itself sees what it looks for.
    expect(
      inlineSecrets({
        bot: { profiles: [SCALED], environment: { TELEGRAM_BOT_TOKEN: '123456:AAsecret', DATABASE_URL: 'postgres://u:${POSTGRES_PASSWORD:-pw}@db/x', METRICS_TOKEN: '${METRICS_TOKEN:?set it}' } },
        plain: { environment: { POSTGRES_PASSWORD: 'hunter2', REDIS_URL: 'redis://:hunter2@redis:6379' } },
      }),
    ).toEqual([
      'bot.TELEGRAM_BOT_TOKEN is not a reference',
      'bot.DATABASE_URL has a password that is not a reference',
      'bot.METRICS_TOKEN uses a required-variable check',
      'bot.METRICS_TOKEN is not a reference',
      'plain.POSTGRES_PASSWORD is not a reference',
      'plain.REDIS_URL has a password that is not a reference',
    ]);
    expect(REFERENCE.test('${POSTGRES_PASSWORD}')).toBe(true);
    expect(REFERENCE.test('${POSTGRES_PASSWORD:-marquee}')).toBe(false);
    expect(REFERENCE.test('hunter2')).toBe(false);
    expect(REFERENCE_WITH_DEFAULT.test('${POSTGRES_PASSWORD:-marquee}')).toBe(true);
    expect(env('marquee-1')['DATABASE_URL']).toBe('postgres://marquee:${POSTGRES_PASSWORD}@postgres:5432/marquee');
  });
});
