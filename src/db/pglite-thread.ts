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
 *   it ends (a lock in the worker), and a statement sent outside it meanwhile waits for its end.
 * - Statements that read or write rows run as named prepared statements (see the worker's `prepared`):
 *   Postgres parses each text once instead of on every run, and a run is one call into Postgres
 *   instead of six. Replaying the statements of a 300-user bench/telegram run took 7.4 s this way and
 *   11.8 s through PGlite's query() (one thread, nothing else running).
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
/**
 * Query options from their wire form, made once per distinct form. Its table is PGlite's parser table
 * with these parsers merged in: PGlite's parseResults copies the whole table (every type and array
 * type) into a new object on each call that brings its own parsers, so prepared statements pass the
 * merged table instead.
 */
const optionForms = new Map();
let defaultParsers;
const optionsOf = (wire) => {
  if (!wire) return undefined;
  const key = (wire.rowMode || '') + ':' + (wire.rawTypes ? wire.rawTypes.join(',') : '');
  let options = optionForms.get(key);
  if (options === undefined) {
    options = {};
    if (wire.rowMode) options.rowMode = wire.rowMode;
    if (wire.rawTypes) options.parsers = Object.fromEntries(wire.rawTypes.map((type) => [type, raw]));
    options.table = { ...defaultParsers, ...options.parsers };
    optionForms.set(key, options);
  }
  return options;
};
/** A FIFO lock: statements outside a transaction take it for their run; a transaction holds it from BEGIN to its end. */
const lock = () => {
  let tail = Promise.resolve();
  return () => {
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    const acquired = tail.then(() => release);
    tail = tail.then(() => held);
    return acquired;
  };
};
const concat = (parts) => {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) { out.set(part, offset); offset += part.length; }
  return out;
};
(async () => {
  let db;
  let serialize;
  let parseResults;
  try {
    const pglite = await import(workerData.pgliteUrl);
    serialize = pglite.protocol.serialize;
    parseResults = pglite.parse.parseResults;
    db = await pglite.PGlite.create(workerData.dataDir, { startParams: workerData.startParams });
    defaultParsers = db.parsers;
  } catch (error) {
    parentPort.postMessage({ type: 'failed', error: toWire(error) });
    return;
  }
  const acquire = lock();
  const transactions = new Map();

  /**
   * Statements that read or write rows run through named prepared statements, kept by SQL text: the
   * first run parses and describes one (PGlite's own query() parses, describes and plans an unnamed
   * statement on every run, in five calls into Postgres), later runs send Bind, Execute and Sync in
   * one call. Parameters are serialized as PGlite's query() does, by the types Postgres described,
   * and results are read by PGlite's own parser. Any other statement (DDL, SET, ...) runs through
   * PGlite's query() or exec() and forgets every prepared statement, whose row shape it may change.
   */
  const statements = new Map(); // SQL text -> { name, paramTypes, rowDescription }, least recently used first
  const closing = []; // names of forgotten statements, closed with the next call into Postgres
  let nextStatement = 1;
  const forget = () => {
    for (const statement of statements.values()) closing.push(statement.name);
    statements.clear();
  };
  const pending = () => closing.splice(0).map((name) => serialize.close({ type: 'S', name }));
  const run = async (parts, sql, params, options) => {
    try {
      return await db.execProtocol(concat(parts), { syncToFs: false });
    } catch (error) {
      // The fields PGlite's query() adds to a failed statement's error.
      throw Object.assign(error, { query: sql, params, queryOptions: options });
    }
  };
  const prepared = async (sql, params, options) => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      if (statements.size >= workerData.statements) {
        const [oldest, evicted] = statements.entries().next().value;
        statements.delete(oldest);
        closing.push(evicted.name);
      }
      const name = 'mq' + nextStatement++;
      const described = await run([...pending(), serialize.parse({ name, text: sql }), serialize.describe({ type: 'S', name }), serialize.sync()], sql, params, options);
      const parameters = described.messages.find((m) => m.name === 'parameterDescription');
      statement = { name, paramTypes: parameters ? parameters.dataTypeIDs : [], rowDescription: described.messages.find((m) => m.name === 'rowDescription') };
    } else {
      statements.delete(sql);
    }
    statements.set(sql, statement);
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serializer = db.serializers[statement.paramTypes[i]];
      return serializer ? serializer(value) : value.toString();
    });
    const result = await run([...pending(), serialize.bind({ statement: statement.name, values }), serialize.execute({}), serialize.sync()], sql, params, options);
    const messages = statement.rowDescription ? [statement.rowDescription, ...result.messages] : result.messages;
    return parseResults(messages, options ? options.table : db.parsers, options && options.rowMode ? { rowMode: options.rowMode } : undefined)[0];
  };
  const preparable = (sql) => /^\s*(select|insert|update|delete|with)\b/i.test(sql);
  /** One statement, on the database or on an open transaction. */
  const query = async (on, sql, params, options) => {
    if (preparable(sql)) return db.runExclusive(() => prepared(sql, params, options));
    try {
      return await on.query(sql, params, options);
    } finally {
      forget();
    }
  };
  const exec = async (on, sql, options) => {
    try {
      return await on.exec(sql, options);
    } finally {
      forget();
    }
  };

  const target = (tx) => {
    const open = transactions.get(tx);
    if (!open) throw new Error('the transaction has ended');
    return open.tx;
  };
  const outside = async (run) => {
    const release = await acquire();
    try {
      return await run();
    } finally {
      release();
    }
  };
  parentPort.on('message', async ({ id, request }) => {
    try {
      let result = null;
      switch (request.op) {
        case 'query': {
          const options = optionsOf(request.options);
          if (request.tx === undefined) {
            result = await outside(() => query(db, request.sql, request.params, options));
            await db.syncToFs();
          } else {
            result = await query(target(request.tx), request.sql, request.params, options);
          }
          break;
        }
        case 'exec':
          result = request.tx === undefined ? await outside(() => exec(db, request.sql, optionsOf(request.options))) : await exec(target(request.tx), request.sql, optionsOf(request.options));
          break;
        case 'begin': {
          const release = await acquire();
          await new Promise((begun, failed) => {
            const open = {};
            open.done = db.transaction((tx) => new Promise((commit, rollback) => {
              open.tx = tx;
              open.commit = commit;
              open.rollback = rollback;
              transactions.set(request.tx, open);
              begun();
            })).finally(release);
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
          await outside(() => db.close());
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

/**
 * Statements kept prepared in the worker, by SQL text, least recently used closed first. The service's
 * hot statements are a few dozen; queries whose text varies (an `in (...)` list of varying length)
 * take the rest.
 */
const PREPARED_STATEMENTS = 500;

/**
 * The worker's JS heap. What it keeps is small (PGlite's module and the prepared statements: about
 * 11 MB after a full collection); what it allocates is short-lived (each statement's messages and
 * rows, gone once posted). With Node's defaults its heap grew to 45-50 MB: a 16 MB semi-space (the
 * young generation is three of them) and, under a multi-gigabyte limit, V8 lets the old generation
 * reach four times what survived the last full collection before the next. A 2 MB semi-space and a
 * 512 MB limit (V8 then lets it grow by 1.4 times) keep it near what it uses. 512 MB is a ceiling no
 * statement of the service comes near (the largest result, a 10,000-item watchlist, is a few MB).
 */
const WORKER_HEAP = { maxYoungGenerationSizeMb: 6, maxOldGenerationSizeMb: 512 } as const;

/** Starts PGlite on `dataDir` in a worker thread; resolves once it has opened the database. */
export async function startPgliteThread(dataDir: string, startParams: string[]): Promise<PgliteThread> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { pgliteUrl: import.meta.resolve('@electric-sql/pglite'), dataDir, startParams, statements: PREPARED_STATEMENTS },
    // The service's own flags (e.g. tsx's loader) are not needed there.
    execArgv: [],
    resourceLimits: WORKER_HEAP,
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
