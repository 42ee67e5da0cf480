import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase, pgliteDirFor } from '../../src/db/client.js';
import { upsertChatIdentity } from '../../src/db/queries/identities.js';
import { committedMigrationCount } from '../../src/db/client.js';
import { TEST_DATABASE_URL, throwAwayDatabase, type ThrowAwayDatabase } from '../helpers/db.js';
import { spawnService, stopProcess, waitForListening, type ServiceProcess } from '../helpers/process.js';

// Fake but well-formed settings pointing at local addresses; no chat adapter connects anywhere here.
const BASE_ENV = {
  ENV_FILE: '',
  TELEGRAM_BOT_TOKEN: '123456789:AAH-test-token-not-real-abcdefghijklm',
  TELEGRAM_API_ROOT: 'http://127.0.0.1:9',
  TRAKT_CLIENT_ID: 'client-id',
  TRAKT_CLIENT_SECRET: 'client-secret',
  TRAKT_API_URL: 'http://127.0.0.1:9',
  TRAKT_AUTH_URL: 'http://127.0.0.1:9',
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: 'info',
};
const KEY = Buffer.alloc(32, 3).toString('base64');

describe('the service process', { timeout: 90_000 }, () => {
  const running: ServiceProcess[] = [];
  let scratch: ThrowAwayDatabase | undefined;
  const start = (entry: string, env: Record<string, string>) => {
    const service = spawnService(entry, env);
    running.push(service);
    return service;
  };
  afterEach(async () => {
    await Promise.all(running.splice(0).map(stopProcess));
    await scratch?.drop();
    scratch = undefined;
  });

  it('GIVEN an empty environment THEN it lists every missing setting by name and exits non-zero', async () => {
    const service = start('src/main.ts', { ENV_FILE: '' });
    const { code } = await service.exited;
    expect(code).not.toBe(0);
    for (const name of ['TELEGRAM_BOT_TOKEN', 'DISCORD_TOKEN', 'TRAKT_CLIENT_ID', 'TRAKT_CLIENT_SECRET']) {
      expect(service.stderr()).toContain(name);
    }
  });

  it('GIVEN the embedded database THEN it creates DATA_DIR, migrates, answers health checks, and finds its data after a restart', async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'marquee-run-')), 'data');
    const first = start('src/main.ts', { ...BASE_ENV, DATA_DIR: dataDir });
    const url = await waitForListening(first);
    expect(first.logs.find((l) => l.msg === 'database migrated')).toMatchObject({ applied: await committedMigrationCount() });
    expect(first.logs.some((l) => String(l.msg).includes('generated a key'))).toBe(true);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);

    // Write a row while the service is down, then start again: it must see that row and the same key.
    const offline = await createDatabase({ databaseUrl: null, pgliteDataDir: pgliteDirFor(dataDir) });
    const identity = await upsertChatIdentity(offline.db, { platform: 'discord', platformUserId: '777', displayName: 'Kept' });
    await offline.close();

    const second = start('src/main.ts', { ...BASE_ENV, DATA_DIR: dataDir });
    const url2 = await waitForListening(second);
    expect(second.logs.find((l) => l.msg === 'database schema up to date')).toMatchObject({ applied: 0 });
    expect(second.logs.some((l) => String(l.msg).includes('generated a key'))).toBe(false);
    expect((await fetch(`${url2}/readyz`)).status).toBe(200);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);

    const reopened = await createDatabase({ databaseUrl: null, pgliteDataDir: pgliteDirFor(dataDir) });
    const again = await upsertChatIdentity(reopened.db, { platform: 'discord', platformUserId: '777' });
    await reopened.close();
    expect(again).toMatchObject({ id: identity.id, displayName: 'Kept' });
  });

  it.skipIf(TEST_DATABASE_URL === null)(
    'GIVEN two processes started at once against one Postgres THEN both become ready and the migrations ran once',
    async () => {
      scratch = await throwAwayDatabase();
      const env = { ...BASE_ENV, DATABASE_URL: scratch.url ?? '', TOKEN_ENCRYPTION_KEY: KEY };
      const a = start('src/main.ts', env);
      const b = start('src/main.ts', env);
      const [urlA, urlB] = await Promise.all([waitForListening(a), waitForListening(b)]);
      expect((await fetch(`${urlA}/readyz`)).status).toBe(200);
      expect((await fetch(`${urlB}/readyz`)).status).toBe(200);
      const applied = [a, b].map((s) => Number(s.logs.find((l) => 'applied' in l)?.applied)).sort();
      expect(applied).toEqual([0, await committedMigrationCount()]);
    },
  );

  it('GIVEN a slow request in flight WHEN SIGTERM arrives THEN the request finishes and the process exits 0', async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'marquee-run-')), 'data');
    const service = start('test/fixtures/slow-service.ts', { ...BASE_ENV, DATA_DIR: dataDir, SHUTDOWN_GRACE_MS: '20000' });
    const url = await waitForListening(service);
    const slow = fetch(`${url}/test/slow?ms=1500`);
    await service.waitForLog((l) => l.msg === 'slow request started');
    service.child.kill('SIGTERM');
    await service.waitForLog((l) => l.msg === 'shutting down');
    // A new connection is refused once the listener is closed.
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    const response = await slow;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ finished: true });
    expect((await service.exited).code).toBe(0);
    // It finished because the request was done, not because the grace period ran out.
    expect(service.logs.some((l) => String(l.msg).includes('grace period'))).toBe(false);
  });

  it('GIVEN a request slower than the grace period WHEN SIGTERM arrives THEN it is cut off and the process still exits 0', async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'marquee-run-')), 'data');
    const service = start('test/fixtures/slow-service.ts', { ...BASE_ENV, DATA_DIR: dataDir, SHUTDOWN_GRACE_MS: '300' });
    const url = await waitForListening(service);
    const slow = fetch(`${url}/test/slow?ms=60000`).then(
      (r) => r.status,
      () => 'cut off',
    );
    await service.waitForLog((l) => l.msg === 'slow request started');
    service.child.kill('SIGTERM');
    expect((await service.exited).code).toBe(0);
    expect(await slow).toBe('cut off');
    expect(service.logs.some((l) => String(l.msg).includes('grace period'))).toBe(true);
  });
});
