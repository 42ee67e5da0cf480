/**
 * Benchmark: Trakt's write limit held across several instances through the shared limit store.
 *
 *   node --import tsx bench/shared-limiter/run.ts
 *
 * Starts the Trakt emulator (Trakt's real limits: 1 write/s per user) in a child process, creates a
 * throw-away Postgres database, and starts BENCH_INSTANCES instances, each a child process with its own
 * pool, Trakt client and `createPgTraktLimitStore` (what src/main.ts wires on Postgres). For
 * BENCH_SECONDS, every user writes through every instance as fast as it is let (add a title, remove it
 * again): one writer per instance per user, all competing for the user's one write a second.
 *
 * Printed, from the emulator's request log (its clock): 429s (must be 0), and achieved / allowed write
 * rate per user (allowed interval / mean gap between a user's consecutive writes; must be ≥ 0.95).
 * Also each instance's writes, retries, database statements and CPU time. Exit code 1 if a 429 was seen
 * or the ratio stayed below 0.95.
 *
 * Environment (all optional): BENCH_USERS (300, 1–1000), BENCH_SECONDS (30, 2–120), BENCH_INSTANCES
 * (3, 1–8), BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/postgres: a server where a database
 * may be created and dropped), BENCH_SHARED=0 (the baseline: no shared store, each instance alone),
 * BENCH_TRACE=<file> (each instance appends the turns asked for and ended by users bench-0..4).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDatabase } from '../../src/db/client.js';
import type { BenchSetup, ServerReport } from '../trakt-limits/emulator-process.js';
import type { InstanceResult, InstanceRun } from './instance-process.js';

function envNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(n)) return fallback;
  return Math.min(max, Math.max(min, Math.round(n)));
}

const USERS = envNumber('BENCH_USERS', 300, 1, 1000);
const SECONDS = envNumber('BENCH_SECONDS', 30, 2, 120);
const INSTANCES = envNumber('BENCH_INSTANCES', 3, 1, 8);
const SERVER_URL = process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SHARED = process.env['BENCH_SHARED'] !== '0';
/** Trakt's AUTHED_API_POST_LIMIT (REFERENCE §4), which the emulator enforces. */
const WRITE_INTERVAL_MS = 1000;

function forkTs(file: string, env: Record<string, string>): ChildProcess {
  return fork(path.join(import.meta.dirname, file), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`child exited early (${code})`));
    child.once('exit', onExit);
    const onMessage = (message: { type: string } & Record<string, unknown>): void => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as T);
    };
    child.on('message', onMessage);
  });
}

async function adminQuery(text: string): Promise<void> {
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}

async function main(): Promise<void> {
  const loadBefore = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const name = `marquee_bench_limiter_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create database "${name}"`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  const children: ChildProcess[] = [];
  const watchdog = setTimeout(() => {
    console.error('benchmark watchdog fired');
    for (const c of children) c.kill();
    process.exit(1);
  }, (SECONDS + 120) * 1000);
  watchdog.unref();
  try {
    const database = await createDatabase({ databaseUrl: url.toString() });
    await database.migrate();
    await database.close();

    const emulator = forkTs('../trakt-limits/emulator-process.ts', { BENCH_USERS: String(USERS), BENCH_HEAVY_READERS: '0' });
    children.push(emulator);
    const { setup } = await nextMessage<{ setup: BenchSetup }>(emulator, 'ready');
    const instances = Array.from({ length: INSTANCES }, () => forkTs('instance-process.ts', {}));
    children.push(...instances);
    await Promise.all(instances.map((child) => nextMessage(child, 'ready')));

    const from = Date.now() + 500;
    const until = from + SECONDS * 1000;
    const done = instances.map((child) => nextMessage<{ result: InstanceResult }>(child, 'done'));
    instances.forEach((child, index) => {
      const run: InstanceRun = { index, setup, databaseUrl: url.toString(), shared: SHARED, until };
      child.send({ type: 'run', run });
    });
    const results = (await Promise.all(done)).map((m) => m.result);
    emulator.send({ type: 'report', from, to: until });
    const { report } = await nextMessage<{ report: ServerReport }>(emulator, 'report');
    emulator.send({ type: 'close' });

    const ratio = report.meanWriteGapMs === null ? 0 : WRITE_INTERVAL_MS / report.meanWriteGapMs;
    const writes = results.reduce((sum, r) => sum + r.writes, 0);
    console.log(`shared-limiter: ${USERS} users × ${SECONDS} s through ${INSTANCES} instances, ${SHARED ? 'shared store (Postgres)' : 'NO shared store (baseline)'}`);
    console.log(`  load average before: ${loadBefore} (${os.cpus().length} cores)`);
    console.log(`  429s sent by the emulator: ${report.status429}; seen by the instances: ${results.map((r) => r.rateLimited).join(' + ')}`);
    console.log(
      `  write rate achieved / allowed: ${ratio.toFixed(3)}${report.status429 > 0 ? ' (the 429s counted as writes)' : ''} (mean gap ${report.meanWriteGapMs?.toFixed(1) ?? '–'} ms, smallest ${report.minWriteGapMs ?? '–'} ms; ` +
        `${report.writesInWindow} writes in the window = ${(report.writesInWindow / USERS / SECONDS).toFixed(3)} per user per second)`,
    );
    results.forEach((r, i) =>
      console.log(
        `  instance ${i}: ${r.writes} writes sent, ${r.retries} retries, ${r.failures} failed calls, ${r.statements} database statements (${(r.statements / Math.max(1, r.writes)).toFixed(2)} per write), CPU ${(r.cpuMs / 1000).toFixed(1)} s`,
      ),
    );
    console.log(`  emulator CPU ${(report.cpuMs / 1000).toFixed(1)} s; writes sent in all ${writes}`);
    process.exitCode = report.status429 === 0 && ratio >= 0.95 ? 0 : 1;
  } finally {
    for (const c of children) if (c.connected) c.disconnect();
    await adminQuery(`drop database if exists "${name}" with (force)`);
  }
}

await main();
