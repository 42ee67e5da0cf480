/**
 * The embedded database on its own thread. PGlite runs Postgres compiled to WebAssembly in the thread
 * that calls it, so with it in the main thread every statement's planning and execution (about 1 ms of
 * CPU each) stood in line with the chat adapters, the Trakt client and drizzle on one core: at 300 users
 * (bench/telegram) the service spent ~45 s of CPU in a 38 s run, half of it inside PGlite, and every
 * answer waited behind the queue. Here PGlite lives in a worker thread and this side forwards the part
 * of its API that drizzle and src/db/client.ts use: `query`, `exec`, `transaction` (with `query`/`exec`
 * on the transaction) and `close`.
 *
 * PGlite's own `PGliteWorker` (`@electric-sql/pglite/worker`) is made for browser Web Workers: it
 * elects a leader tab through `navigator.locks`, which Node 20 does not have, so it cannot be used here.
 *
 * Semantics kept from PGlite in the same thread:
 * - Statements run one at a time, in the order they were sent; a transaction holds the database until
 *   it ends (PGlite's own mutex, in the worker, does this), and a statement sent outside it meanwhile
 *   waits for its end.
 * - A failed statement rejects with an Error carrying PGlite's fields (`code`, `detail`, `constraint`,
 *   ...), so callers that read `code` (e.g. 23505 for a unique violation) see the same thing.
 * - Parsers: drizzle passes parsers that return the text as it is (timestamps, dates, intervals,
 *   numeric and their arrays). Functions cannot cross threads, so the worker installs the same
 *   "as it is" parser for those types; any other parser is refused with an error rather than ignored.
 */
import { Worker } from 'node:worker_threads';

export interface ThreadQueryOptions {
  rowMode?: 'array' | 'object';
  parsers?: Record<number, (value: string, typeId: number) => unknown>;
}

export interface ThreadResults {
  rows: unknown[];
  fields: Array<{ name: string; dataTypeID: number }>;
  affectedRows?: number;
}

export interface ThreadTransaction {
  query(sql: string, params?: unknown[], options?: ThreadQueryOptions): Promise<ThreadResults>;
  exec(sql: string, options?: ThreadQueryOptions): Promise<ThreadResults[]>;
}

export interface PgliteThread extends ThreadTransaction {
  transaction<T>(callback: (tx: ThreadTransaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

interface WireOptions {
  rowMode?: 'array' | 'object';
  /** Types whose values are returned as Postgres sent them (text). */
  rawTypes?: number[];
}

type Request =
  | { op: 'query'; sql: string; params: unknown[]; options?: WireOptions; tx?: number }
  | { op: 'exec'; sql: string; options?: WireOptions; tx?: number }
  | { op: 'begin'; tx: number }
  | { op: 'end'; tx: number; commit: boolean }
  | { op: 'close' };

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: Record<string, unknown> & { message: string; name?: string } };

/**
 * The worker's code, run with `eval` so that it needs no file of its own (the service runs from dist/
 * in production and from the sources under tsx or vitest in development, where a .ts worker file could
 * not be loaded). It imports PGlite by the URL the main thread resolved.
 */
const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const toWire = (error) => {
  const out = { message: String(error && error.message || error), name: error && error.name };
  if (error && typeof error === 'object') {
    for (const [key, value] of Object.entries(error)) {
      if (value === undefined || typeof value === 'function') continue;
      try { structuredClone(value); out[key] = value; } catch { /* not cloneable: left out */ }
    }
  }
  return out;
};
const raw = (value) => value;
const optionsOf = (wire) => {
  if (!wire) return undefined;
  const options = {};
  if (wire.rowMode) options.rowMode = wire.rowMode;
  if (wire.rawTypes) options.parsers = Object.fromEntries(wire.rawTypes.map((type) => [type, raw]));
  return options;
};
(async () => {
  let db;
  try {
    const { PGlite } = await import(workerData.pgliteUrl);
    db = await PGlite.create(workerData.dataDir, { startParams: workerData.startParams });
  } catch (error) {
    parentPort.postMessage({ type: 'failed', error: toWire(error) });
    return;
  }
  const transactions = new Map();
  const target = (tx) => {
    if (tx === undefined) return db;
    const open = transactions.get(tx);
    if (!open) throw new Error('the transaction has ended');
    return open.tx;
  };
  parentPort.on('message', async ({ id, request }) => {
    try {
      let result = null;
      switch (request.op) {
        case 'query':
          result = await target(request.tx).query(request.sql, request.params, optionsOf(request.options));
          break;
        case 'exec':
          result = await target(request.tx).exec(request.sql, optionsOf(request.options));
          break;
        case 'begin': {
          await new Promise((begun, failed) => {
            const open = {};
            open.done = db.transaction((tx) => new Promise((commit, rollback) => {
              open.tx = tx;
              open.commit = commit;
              open.rollback = rollback;
              transactions.set(request.tx, open);
              begun();
            }));
            // A BEGIN that fails never calls the callback.
            open.done.catch(failed);
          });
          break;
        }
        case 'end': {
          const open = transactions.get(request.tx);
          transactions.delete(request.tx);
          if (!open) break;
          if (request.commit) {
            open.commit();
            await open.done;
          } else {
            const marker = new Error('rolled back');
            open.rollback(marker);
            await open.done.catch((error) => { if (error !== marker) throw error; });
          }
          break;
        }
        case 'close':
          await db.close();
          break;
      }
      parentPort.postMessage({ id, ok: true, result });
    } catch (error) {
      parentPort.postMessage({ id, ok: false, error: toWire(error) });
    }
  });
  parentPort.postMessage({ type: 'ready' });
})();
`;

/** An Error on this side with the fields PGlite's had (code, detail, constraint, ...). */
function fromWire(wire: Record<string, unknown> & { message: string; name?: string }): Error {
  const error = new Error(wire.message);
  const { message: _message, name, stack: _stack, ...fields } = wire;
  if (typeof name === 'string' && name !== '') error.name = name;
  return Object.assign(error, fields);
}

/** Parsers known to return the text as it is, by the parsers object drizzle passes (one per query kind). */
const checkedParsers = new WeakMap<object, number[]>();

function wireOptions(options: ThreadQueryOptions | undefined): WireOptions | undefined {
  if (options === undefined) return undefined;
  const wire: WireOptions = {};
  if (options.rowMode !== undefined) wire.rowMode = options.rowMode;
  const parsers = options.parsers;
  if (parsers !== undefined) {
    let types = checkedParsers.get(parsers);
    if (types === undefined) {
      types = Object.entries(parsers).map(([type, parse]) => {
        const probe = '2026-01-02 03:04:05+00';
        if (parse(probe, Number(type)) !== probe) throw new Error(`PGlite thread: only parsers that return the text as it is can be used (type ${type})`);
        return Number(type);
      });
      checkedParsers.set(parsers, types);
    }
    wire.rawTypes = types;
  }
  return wire;
}

/** Starts PGlite on `dataDir` in a worker thread; resolves once it has opened the database. */
export async function startPgliteThread(dataDir: string, startParams: string[]): Promise<PgliteThread> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { pgliteUrl: import.meta.resolve('@electric-sql/pglite'), dataDir, startParams },
    // The service's own flags (e.g. tsx's loader) are not needed there.
    execArgv: [],
  });
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let nextTx = 1;
  let exited: Error | undefined;

  await new Promise<void>((resolve, reject) => {
    const onMessage = (message: { type?: string; error?: Record<string, unknown> & { message: string } }) => {
      if (message.type === 'ready') {
        worker.off('message', onMessage);
        resolve();
      } else if (message.type === 'failed') {
        worker.off('message', onMessage);
        reject(fromWire(message.error ?? { message: 'PGlite could not start' }));
      }
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the PGlite thread exited while starting (code ${code})`)));
  });

  worker.on('message', (reply: Reply) => {
    const pending = waiting.get(reply.id);
    if (pending === undefined) return;
    waiting.delete(reply.id);
    if (reply.ok) pending.resolve(reply.result);
    else pending.reject(fromWire(reply.error));
  });
  const failAll = (error: Error) => {
    exited = error;
    for (const pending of waiting.values()) pending.reject(error);
    waiting.clear();
  };
  worker.on('error', (error) => failAll(error));
  worker.on('exit', (code) => failAll(new Error(`the PGlite thread has exited (code ${code})`)));

  function call<T>(request: Request): Promise<T> {
    if (exited !== undefined) return Promise.reject(exited);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, request });
    });
  }

  const on = (tx?: number): ThreadTransaction => ({
    query: (sql, params = [], options) => call<ThreadResults>({ op: 'query', sql, params, ...optionsField(options), ...(tx === undefined ? {} : { tx }) }),
    exec: (sql, options) => call<ThreadResults[]>({ op: 'exec', sql, ...optionsField(options), ...(tx === undefined ? {} : { tx }) }),
  });

  return {
    ...on(),
    async transaction<T>(callback: (tx: ThreadTransaction) => Promise<T>): Promise<T> {
      const tx = nextTx++;
      await call({ op: 'begin', tx });
      let value: T;
      try {
        value = await callback(on(tx));
      } catch (error) {
        await call({ op: 'end', tx, commit: false }).catch(() => undefined);
        throw error;
      }
      await call({ op: 'end', tx, commit: true });
      return value;
    },
    async close() {
      if (exited !== undefined) return;
      try {
        await call({ op: 'close' });
      } finally {
        await worker.terminate();
      }
    },
  };
}

function optionsField(options: ThreadQueryOptions | undefined): { options?: WireOptions } {
  const wire = wireOptions(options);
  return wire === undefined ? {} : { options: wire };
}
