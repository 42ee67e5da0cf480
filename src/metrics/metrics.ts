/**
 * The service's Prometheus metrics (prom-client): one registry per service, the metric families, and the
 * observers the core and the Trakt client call (they know nothing of prom-client; `main.ts` wires them).
 * Gauges of state kept elsewhere (the job queue, the database pool, the chat adapters) are read when
 * scraped; the job queue through a short cache, so frequent scrapes do not become frequent queries.
 *
 * Every label has a small, fixed set of values: platforms, registry command names, Trakt route templates
 * (`/search/:type`, never a raw id), job kinds, HTTP statuses.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsOptions {
  version: string;
  /** How long the job queue's depth is reused between scrapes. Default 5 s. */
  jobDepthCacheMs?: number;
  now?: () => Date;
}

/** One attempt the Trakt client sent (the client's `onRequest`). */
export interface TraktRequestEvent {
  cls: string;
  endpoint: string;
  method: string;
  status: number | 'timeout' | 'network' | 'error';
  ms: number;
  queuedMs: number;
}

/** What the core reports (its `CoreObserver`, structurally). */
export interface CoreEvents {
  onUpdate(event: { platform: string; kind: string; outcome: string }): void;
  onCommand(event: { platform: string; command: string; outcome: string; ms: number }): void;
}

/** Live jobs per kind and status (the job store's `depth`). */
export type JobDepthRow = { kind: string; status: string; count: number; due?: number; oldestRunAt: Date | null };

/** State read when scraped; each is optional, and a source that fails leaves its gauges empty for that scrape. */
export interface MetricsSources {
  jobDepth?: (now: Date) => Promise<readonly JobDepthRow[]>;
  /** The job kind of queued watchlist writes (the offline queue). */
  offlineQueueKind?: string;
  /** The database driver, and the Postgres pool's use (null on PGlite). */
  database?: { driver: string; poolUse(): { total: number; idle: number; waiting: number; max: number } | null };
  /** Chat adapters' connection state, by platform. */
  adapters?: () => ReadonlyArray<{ platform: string; connected: boolean }>;
  /** Trakt as last seen: true up, false down, undefined not seen yet. */
  traktReachable?: () => boolean | undefined;
}

export interface Metrics {
  /** The service's own metric families (the process' are added when rendered). */
  readonly registry: Registry;
  readonly contentType: string;
  /** For the core's `observer`. */
  readonly core: CoreEvents;
  /** For the Trakt client's `onRequest`. */
  traktRequest(event: TraktRequestEvent): void;
  /** Sets what the scrape-time gauges read (main.ts calls this once the parts exist). */
  watch(sources: MetricsSources): void;
  /** The exposition text. */
  render(): Promise<string>;
}

const SECONDS = 1000;

/**
 * Process metrics (CPU, memory, event loop lag, GC, handles; prom-client's defaults, under their
 * standard names) belong to the process, not to a service: collected once per process (a test worker
 * starts many services), on first use.
 */
let processMetrics: Registry | undefined;
function processRegistry(): Registry {
  if (processMetrics === undefined) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}

export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  const perProcess = processRegistry();
  const now = options.now ?? (() => new Date());
  const cacheMs = options.jobDepthCacheMs ?? 5000;
  const registers = [registry];
  let sources: MetricsSources = {};

  new Gauge({ name: 'marquee_build_info', help: 'Always 1; the running version as a label.', labelNames: ['version'], registers }).set({ version: options.version }, 1);

  const updates = new Counter({
    name: 'marquee_chat_updates_total',
    help: 'Chat updates the core handled: commands, button presses (their first step), inline queries, autocompletes.',
    labelNames: ['platform', 'kind', 'outcome'],
    registers,
  });
  const commands = new Counter({
    name: 'marquee_commands_total',
    help: 'Commands handled, by registry name (unknown: not one of ours) and outcome.',
    labelNames: ['platform', 'command', 'outcome'],
    registers,
  });
  const commandSeconds = new Histogram({
    name: 'marquee_command_duration_seconds',
    help: 'Time from a command reaching the core to its replies being ready.',
    labelNames: ['platform', 'command'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const traktRequests = new Counter({
    name: 'marquee_trakt_requests_total',
    help: 'Trakt requests sent (each attempt), by request class, route template, method and status (or timeout/network/error).',
    labelNames: ['class', 'endpoint', 'method', 'status'],
    registers,
  });
  const traktSeconds = new Histogram({
    name: 'marquee_trakt_request_duration_seconds',
    help: 'Time from a Trakt request leaving to its answer read, by request class.',
    labelNames: ['class'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
    registers,
  });
  const rateLimited = new Counter({
    name: 'marquee_trakt_rate_limited_total',
    help: "Trakt's 429 answers (rate limit), by request class and route template.",
    labelNames: ['class', 'endpoint'],
    registers,
  });
  const accountLimited = new Counter({
    name: 'marquee_trakt_account_limit_total',
    help: "Trakt's 420 answers (a watchlist or list at its account limit), by route template.",
    labelNames: ['endpoint'],
    registers,
  });
  const limiterQueue = new Histogram({
    name: 'marquee_trakt_limiter_queue_seconds',
    help: "Time a Trakt request waited for the client-side rate limiter (a user's write slot, the GET budget).",
    labelNames: ['class'],
    buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60],
    registers,
  });

  // Scrape-time gauges. The job queue is read once per `cacheMs` whatever the number of scrapes.
  let depthCache: { at: number; rows: Promise<readonly JobDepthRow[]> } | undefined;
  const readDepth = (): Promise<readonly JobDepthRow[] | undefined> => {
    const source = sources.jobDepth;
    if (source === undefined) return Promise.resolve(undefined);
    const at = now().getTime();
    if (depthCache === undefined || at - depthCache.at >= cacheMs) {
      const rows = source(new Date(at));
      depthCache = { at, rows };
      // A failed read is not kept: the next scrape tries again.
      rows.catch(() => {
        if (depthCache?.rows === rows) depthCache = undefined;
      });
    }
    return depthCache.rows.catch(() => undefined);
  };
  new Gauge({
    name: 'marquee_jobs',
    help: 'Live background jobs, by kind and status (queued, running).',
    labelNames: ['kind', 'status'],
    registers,
    async collect() {
      this.reset();
      for (const row of (await readDepth()) ?? []) this.set({ kind: row.kind, status: row.status }, row.count);
    },
  });
  new Gauge({
    name: 'marquee_jobs_due',
    help: 'Queued jobs whose time has come, by kind (more than a few for long: the runners do not keep up).',
    labelNames: ['kind'],
    registers,
    async collect() {
      this.reset();
      for (const row of (await readDepth()) ?? []) if (row.status === 'queued') this.set({ kind: row.kind }, row.due ?? 0);
    },
  });
  new Gauge({
    name: 'marquee_jobs_oldest_due_age_seconds',
    help: 'How long the oldest queued job of a kind has been due (0 when none is due yet).',
    labelNames: ['kind'],
    registers,
    async collect() {
      this.reset();
      const at = now().getTime();
      for (const row of (await readDepth()) ?? []) {
        if (row.status !== 'queued' || row.oldestRunAt === null) continue;
        this.set({ kind: row.kind }, Math.max(0, at - row.oldestRunAt.getTime()) / SECONDS);
      }
    },
  });
  new Gauge({
    name: 'marquee_offline_queue_writes',
    help: 'Confirmed watchlist writes waiting in the offline queue (queued or running).',
    registers,
    async collect() {
      const kind = sources.offlineQueueKind;
      const rows = await readDepth();
      // NaN (no value) rather than 0 when the queue could not be read: an empty queue and an unknown one differ.
      if (kind === undefined || rows === undefined) return this.set(Number.NaN);
      this.set(rows.filter((row) => row.kind === kind).reduce((sum, row) => sum + row.count, 0));
    },
  });
  new Gauge({
    name: 'marquee_db_pool_connections',
    help: 'Postgres pool connections by state (total, idle, waiting: queries waiting for one, max). Absent on PGlite (one in-process connection).',
    labelNames: ['state'],
    registers,
    collect() {
      this.reset();
      const use = sources.database?.poolUse() ?? null;
      if (use === null) return;
      for (const state of ['total', 'idle', 'waiting', 'max'] as const) this.set({ state }, use[state]);
    },
  });
  new Gauge({
    name: 'marquee_db_info',
    help: 'Always 1; the database driver (pg or pglite) as a label.',
    labelNames: ['driver'],
    registers,
    collect() {
      this.reset();
      if (sources.database !== undefined) this.set({ driver: sources.database.driver }, 1);
    },
  });
  new Gauge({
    name: 'marquee_chat_adapter_connected',
    help: 'Whether a chat adapter is connected to its platform (1) or not (0).',
    labelNames: ['platform'],
    registers,
    collect() {
      this.reset();
      for (const adapter of sources.adapters?.() ?? []) this.set({ platform: adapter.platform }, adapter.connected ? 1 : 0);
    },
  });
  new Gauge({
    name: 'marquee_trakt_reachable',
    help: 'Trakt as last seen: 1 its latest answer was not a 5xx, 0 it failed (timeout, network, 5xx); NaN before the first request.',
    registers,
    collect() {
      const reachable = sources.traktReachable?.();
      this.set(reachable === undefined ? Number.NaN : reachable ? 1 : 0);
    },
  });

  return {
    registry,
    contentType: registry.contentType,
    core: {
      onUpdate: ({ platform, kind, outcome }) => updates.inc({ platform, kind, outcome }),
      onCommand: ({ platform, command, outcome, ms }) => {
        commands.inc({ platform, command, outcome });
        commandSeconds.observe({ platform, command }, ms / SECONDS);
      },
    },
    traktRequest(event) {
      const cls = event.cls;
      traktRequests.inc({ class: cls, endpoint: event.endpoint, method: event.method, status: String(event.status) });
      traktSeconds.observe({ class: cls }, event.ms / SECONDS);
      if (cls !== 'oauth') limiterQueue.observe({ class: cls }, event.queuedMs / SECONDS);
      // The device-token endpoint's 429 means "poll slower", not a rate limit (REFERENCE §3.7).
      if (event.status === 429 && cls !== 'oauth') rateLimited.inc({ class: cls, endpoint: event.endpoint });
      if (event.status === 420) accountLimited.inc({ endpoint: event.endpoint });
    },
    watch(next) {
      sources = { ...sources, ...next };
    },
    // The process' metrics, then the service's: two expositions with no name in common make one.
    render: async () => `${await perProcess.metrics()}\n${await registry.metrics()}`,
  };
}
