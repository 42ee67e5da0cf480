import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { ConfigError, metricsExposure, oauthCallbackUrl, parseConfig, telegramUsesWebhook, type Config } from './config.js';
import { createDatabase, pgliteDirFor, type Database } from './db/client.js';
import { resolveKeyRing, type KeyRing } from './db/crypto.js';
import { createLogger, type Logger } from './logger.js';
import { createLinkService, DEVICE_REDIRECT_URI, type LinkService } from './accounts/linking.js';
import { createTokenManager, type TokenManager } from './accounts/token-manager.js';
import { createPickStore } from './bot/services/pick-store.js';
import { createImportStore } from './bot/services/import-store.js';
import { createNoticeStore } from './bot/services/notice-store.js';
import { createShowProgressStore } from './bot/services/show-progress-store.js';
import { createDiscordShardLeases } from './bot/services/discord-shard-leases.js';
import { createLanguageStore } from './bot/services/language-store.js';
import { translatorForIdentity } from './bot/core/i18n/index.js';
import { createOutbox, linkNoticeReply, relinkRequiredReply, type Outbox } from './bot/core/notices.js';
import { createBotCore, type BotCore } from './bot/core/bot-core.js';
import { resumedWriteReply } from './bot/core/resumed.js';
import { createWatchlistWriter } from './watchlist/index.js';
import { createAccountPort } from './bot/services/accounts-port.js';
import { createPosterSource } from './bot/services/posters.js';
import { createJournalStore, createPendingActionStore, createWatchlistStore } from './bot/services/stores.js';
import { createTraktPort } from './bot/services/trakt-port.js';
import { findIdentityById } from './db/queries/identities.js';
import { deleteExpiredLinkAttempts } from './db/queries/link-attempts.js';
import {
  botIdOfToken,
  createTelegramPollLease,
  createTelegramUpdateClaims,
  deleteOldTelegramUpdates,
  releaseUnfinishedTelegramUpdates,
} from './db/queries/telegram-updates.js';
import { buildServer, type RoutePlugin } from './server/build-server.js';
import { registerOAuthCallback } from './server/routes/oauth-callback.js';
import { registerTelegramWebhook, TELEGRAM_WEBHOOK_PATH } from './server/routes/telegram-webhook.js';
import { buildMetricsServer } from './server/routes/metrics.js';
import type { DependencyReport } from './server/routes/health.js';
import { createMetrics } from './metrics/metrics.js';
import { TraktReachability } from './metrics/dependencies.js';
import { WRITE_JOB_KIND } from './bot/core/queued-writes.js';
import { createTraktClient, type TraktClient } from './trakt/client.js';
import { createJobStore, deleteFinishedJobs } from './db/queries/jobs.js';
import { createPgTraktLimitStore } from './db/queries/trakt-limits.js';
import { findWatchlistSyncCandidates } from './db/queries/watchlist-copy.js';
import { runBackgroundSync } from './watchlist/background-sync.js';
import { createJobRunner } from './jobs/runner.js';
import type { JobRunner, RecurringKind } from './jobs/types.js';
import type { JobsPort } from './bot/core/ports.js';

/**
 * The composition root: the only module that knows every other one. It wires
 * config → database → Trakt client → accounts (linking, tokens) → the core on its ports
 * (src/bot/services) → chat adapters → HTTP server, and owns the process lifecycle.
 */
export interface RunningService {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: Database;
  readonly keyRing: KeyRing;
  readonly app: FastifyInstance;
  readonly trakt: TraktClient;
  readonly links: LinkService;
  readonly tokens: TokenManager;
  /** Sends and edits chat messages outside an answer (notices, background work updating a card). */
  readonly outbox: Outbox;
  /** The platform-free core the chat adapters share (its job kinds run on `jobs`). */
  readonly core: BotCore;
  /** Durable background work: the offline queue of writes and the periodic tasks. */
  readonly jobs: JobRunner;
  /** The address the HTTP server listens on, e.g. http://127.0.0.1:3000. */
  readonly url: string;
  /** `/metrics` on its own port (METRICS_PORT), e.g. http://127.0.0.1:9464/metrics; null when not served there. */
  readonly metricsUrl: string | null;
  /** Stops taking work, lets in-flight work finish within the grace period, closes the database. */
  stop(reason: string): Promise<void>;
}

/** What main.ts needs from a chat adapter. */
export interface ChatAdapter {
  readonly name: string;
  /** Connects and starts taking updates; keeps retrying on its own while the platform is unreachable. */
  start(): Promise<void>;
  /** Stops taking new updates and lets handlers in flight finish. */
  stop(): Promise<void>;
  /** Connected to the platform now, and the latest failure (never a secret), for `/readyz` and the metrics. */
  status?(): ChatAdapterStatus;
}

export interface ChatAdapterStatus {
  connected: boolean;
  since?: string;
  lastError?: string;
}

export interface StartOptions {
  env: Readonly<Record<string, string | undefined>>;
  logger?: Logger;
  /** Extra HTTP routes; used by tests to put a slow request in flight. */
  extraRoutes?: readonly RoutePlugin[];
}

export const VERSION = readVersion();

/**
 * Longer than any watchlist write takes: the Trakt client gives up retrying after 60 s (+ one 15 s
 * attempt and the wait for the user's write slot). A pending intent older than this has no writer.
 */
const WRITE_STALE_MS = 3 * 60_000;

/**
 * Jobs one instance runs at once. A queued write spends most of its time waiting for its user's write
 * slot at Trakt (one a second), holding no database connection, so after an outage one slot per user
 * with writes waiting is what applies them at Trakt's pace (bench/offline).
 */
const JOB_CONCURRENCY = 64;

/** Telegram keeps an update it could not deliver for 24 hours; claims are kept an hour longer. */
const TELEGRAM_UPDATE_KEEP_MS = 25 * 60 * 60_000;

export async function startService(options: StartOptions): Promise<RunningService> {
  const startedAt = new Date();
  const config = parseConfig(options.env);
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const embedded = config.databaseUrl === null;

  const keys = await resolveKeyRing({
    configuredKeys: config.tokenEncryptionKeys,
    embedded,
    dataDir: config.dataDir,
  });
  if (keys.generated) {
    logger.warn(
      { keyFile: keys.keyFile },
      'TOKEN_ENCRYPTION_KEY is not set: generated a key for the embedded database. Back this file up; without it stored Trakt links cannot be read.',
    );
  }

  // Metrics (src/metrics): the core and the Trakt client report through observers; gauges of the job
  // queue, the database pool and the adapters are read when scraped (sources set below).
  const metrics = createMetrics({ version: VERSION });
  const traktReachability = new TraktReachability();

  // The core is built after the Trakt client; it hears of Trakt's answers through this.
  const traktAnswers = { answered: (): void => undefined };
  const database = await createDatabase({
    databaseUrl: config.databaseUrl,
    pgliteDataDir: pgliteDirFor(config.dataDir),
  });
  // Trakt's rate limits hold per Trakt user and per app, whichever instance sends: on Postgres (where
  // several instances may run) they are kept in the database; the embedded PGlite is one process, whose
  // in-process limiters are the whole truth (TRAKT_LIMITS_STORE=local does the same on Postgres).
  const sharedLimits =
    database.driver === 'pg' && config.traktLimitsStore === 'auto'
      ? createPgTraktLimitStore(database.db, {
          databaseUrl: config.databaseUrl ?? undefined,
          onError: (error) => logger.warn({ err: error }, 'shared Trakt limits: database trouble (carrying on)'),
        })
      : undefined;
  const trakt = createTraktClient({
    apiUrl: config.trakt.apiUrl,
    authUrl: config.trakt.authUrl,
    clientId: config.trakt.clientId,
    clientSecret: config.trakt.clientSecret,
    userAgent: `Marquee/${VERSION}`,
    logger: logger.child({ component: 'trakt' }),
    retry: { maxRetryTimeMs: config.traktRetryMs },
    // Any answer but a 5xx or a 429 says Trakt is taking requests again (the offline queue hurries).
    onAnswer: ({ status }) => {
      if (status < 500 && status !== 429) traktAnswers.answered();
    },
    onRequest: (request) => {
      metrics.traktRequest(request);
      traktReachability.observe(request);
    },
    timeoutMs: config.traktTimeoutMs,
    ...(sharedLimits === undefined ? {} : { limits: { shared: sharedLimits } }),
  });
  // Closing the client gives back the write turns it holds; the store sends that before the database closes.
  const closeTrakt = async (): Promise<void> => {
    trakt.close();
    await sharedLimits?.close();
  };
  // The core is built after the link service; a completed link reaches it through this.
  const linkedHook = { accountLinked: (_identityId: number): Promise<void> => Promise.resolve() };
  const outbox = createOutbox((platform) => logger.warn({ platform }, 'no chat adapter for this platform; message dropped'));
  // Users' and groups' `/language` choices (the core falls back to the client's language); notices
  // sent outside an answer are in the recipient's language.
  const languages = createLanguageStore(database.db);
  const recipientLanguage = (identityId: number) => translatorForIdentity({ languages, logger }, identityId);
  const redirectUri = oauthCallbackUrl(config);
  const links = createLinkService({
    database,
    ring: keys.ring,
    trakt,
    redirectUri,
    logger: logger.child({ component: 'linking' }),
    notify: async (notice) => {
      await outbox.send(notice.target, linkNoticeReply(notice, await recipientLanguage(notice.identityId)));
      // A group pick the user pressed Join on counts them now.
      if (notice.kind === 'linked') await linkedHook.accountLinked(notice.identityId);
    },
  });
  const tokens = createTokenManager({
    database,
    ring: keys.ring,
    oauth: trakt.oauth,
    redirectUri: redirectUri ?? DEVICE_REDIRECT_URI,
    logger: logger.child({ component: 'tokens' }),
    async onRelinkRequired(notice) {
      const identity = await findIdentityById(database.db, notice.identityId);
      if (identity === undefined) return;
      await outbox.send({ platform: identity.platform, userId: identity.platformUserId }, relinkRequiredReply(notice.traktUsername, await recipientLanguage(notice.identityId)));
    },
  });
  // Durable background work (src/jobs): the offline queue of writes and every periodic task run as
  // jobs in the database, so several instances share them and a restart resumes them.
  const jobStore = createJobStore(database.db);
  // The runner needs the core's job kinds and the core needs the runner: it is built below, after the core.
  const built: { runner?: JobRunner } = {};
  const runnerOrFail = (): JobRunner => {
    if (built.runner === undefined) throw new Error('the job runner is not built yet');
    return built.runner;
  };
  const jobs: JobsPort = {
    enqueue: (kind, payload, enqueueOptions) => runnerOrFail().enqueue(kind, payload, enqueueOptions),
    runNow: (id) => runnerOrFail().runNow(id),
    hurry: (kind) => runnerOrFail().hurry(kind),
    cancel: (id, owner) => jobStore.cancel(id, owner),
    listLive: (input) => jobStore.listLive(input),
  };

  // The platform-free core on the real ports (src/bot/services); every chat adapter shares it.
  const botLogger = logger.child({ component: 'bot' });
  const traktPort = createTraktPort({ trakt, tokens });
  const pendingActions = createPendingActionStore(database.db);
  const journal = createJournalStore(database.db);
  const watchlists = createWatchlistStore(database.db);
  // The one watchlist writer: every change to a Trakt watchlist goes through it (src/watchlist).
  const writer = createWatchlistWriter({ trakt: traktPort, journal, watchlists, logger: botLogger, startedAt });
  const posters = createPosterSource({ db: database.db, logger: botLogger, userAgent: `Marquee/${VERSION}` });
  const core = createBotCore({
    accounts: createAccountPort({ db: database.db, links, onLinkChanged: (identityId) => traktPort.forget(identityId) }),
    trakt: traktPort,
    pending: pendingActions,
    journal,
    watchlists,
    writer,
    logger: botLogger,
    outbox,
    jobs,
    picks: createPickStore(database.db),
    imports: createImportStore(database.db),
    notices: createNoticeStore(database.db),
    showProgress: createShowProgressStore(database.db),
    observer: metrics.core,
    languages,
    posters,
  });
  traktAnswers.answered = () => core.traktAnswered();
  linkedHook.accountLinked = (identityId) => core.accountLinked(identityId);

  // --- chat adapters: each registers its sender in `outbox`, may add HTTP routes (webhooks), and is
  // started after the server listens and stopped first on shutdown. Each platform's library is loaded
  // only when that platform is configured (discord.js alone holds ~40 MB).
  const adapters: ChatAdapter[] = [];
  const adapterRoutes: RoutePlugin[] = [];
  /** Recurring jobs of the chat adapters (added to `recurring` below). */
  const adapterRecurring: RecurringKind[] = [];
  /** Work on the migrated database before the adapters start. */
  const beforeAdapters: Array<() => Promise<void>> = [];
  if (config.telegram !== null) {
    // Several instances on one database work as one bot: each update is claimed by update_id before it
    // is handled (a redelivery reaching another instance is skipped), and on Postgres one instance at a
    // time long-polls (README, Scaling). The embedded database has one process and needs no poller lease,
    // and when it polls, no claims either (below).
    const botId = botIdOfToken(config.telegram.botToken);
    const leases = { botId, owner: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`, leaseMs: config.telegram.leaseMs };
    const claims = createTelegramUpdateClaims(database.db, leases);
    if (database.driver === 'pglite') {
      // Its one process: a claim left unfinished was cut off by the previous run; taken over at once.
      beforeAdapters.push(async () => {
        await releaseUnfinishedTelegramUpdates(database.db, botId);
      });
    }
    const webhook =
      telegramUsesWebhook(config) && config.publicUrl !== null && config.telegram.webhookSecret !== null
        ? { url: `${config.publicUrl}${TELEGRAM_WEBHOOK_PATH}`, secret: config.telegram.webhookSecret }
        : undefined;
    const { createTelegramAdapter } = await import('./bot/telegram/telegram-bot.js');
    const telegram = createTelegramAdapter({
      token: config.telegram.botToken,
      apiRoot: config.telegram.apiRoot,
      core,
      posters,
      logger: logger.child({ component: 'telegram' }),
      ...(webhook === undefined ? {} : { webhook }),
      // Claims matter where an update can arrive twice: webhook redeliveries, or a second poller on
      // Postgres taking over. One process polling the embedded database has neither, and chaining a
      // claim before every polled update on its single connection cost interactive steps ~0.7 s p50 at
      // 100 updates/s (bench/telegram: /add before Confirm 726 ms with claims, 28 ms without).
      ...(database.driver === 'pg' || webhook !== undefined ? { claims } : {}),
      ...(database.driver === 'pg' ? { pollLease: createTelegramPollLease(database.db, leases) } : {}),
    });
    outbox.register('telegram', telegram);
    adapters.push(telegram);
    if (webhook !== undefined) {
      adapterRoutes.push((instance) => registerTelegramWebhook(instance, { secret: webhook.secret, accept: (update) => telegram.acceptUpdate(update) }));
    }
    adapterRecurring.push(
      // Updates an instance claimed and did not finish (it died) are handled by another one.
      {
        kind: 'telegram-update-takeover',
        everyMs: config.telegram.leaseMs,
        run: async () => {
          await telegram.takeOverAbandoned();
        },
      },
      { kind: 'telegram-update-prune', everyMs: 60 * 60_000, run: () => deleteOldTelegramUpdates(database.db, new Date(Date.now() - TELEGRAM_UPDATE_KEEP_MS)) },
    );
  }
  if (config.discord !== null) {
    const { createDiscordAdapter } = await import('./bot/discord/discord-bot.js');
    const discord = createDiscordAdapter({
      token: config.discord.token,
      applicationId: config.discord.applicationId,
      apiUrl: config.discord.apiUrl,
      guildId: config.discord.guildId,
      core,
      posters,
      logger: logger.child({ component: 'discord' }),
      // On Postgres, instances of the bot divide the gateway shards through leases in the database; the
      // embedded database has one process, which runs every shard.
      sharding: {
        count: config.discord.shardCount,
        leases: database.driver === 'pglite' ? null : createDiscordShardLeases(database.db),
        leaseMs: config.discord.shardLeaseMs,
      },
    });
    outbox.register('discord', discord);
    adapters.push(discord);
  }
  // --- end chat adapters

  metrics.watch({
    jobDepth: (now) => jobStore.depth(now),
    offlineQueueKind: WRITE_JOB_KIND,
    database: { driver: database.driver, poolUse: () => database.poolUse() },
    adapters: () => adapters.map((adapter) => ({ platform: adapter.name, connected: adapter.status?.().connected ?? false })),
    traktReachable: () => {
      const { status } = traktReachability.state();
      return status === 'unknown' ? undefined : status === 'up';
    },
  });
  // /readyz: the database decides readiness; Trakt and the chat platforms are reported as last seen.
  const dependencies = (): Record<string, DependencyReport> => {
    const reports: Record<string, DependencyReport> = { trakt: traktReachability.state() };
    for (const adapter of adapters) {
      const status = adapter.status?.();
      if (status === undefined) continue;
      reports[adapter.name] = {
        status: status.connected ? 'up' : status.lastError === undefined ? 'unknown' : 'down',
        ...(status.since === undefined ? {} : { since: status.since }),
        ...(status.lastError === undefined ? {} : { lastError: status.lastError }),
      };
    }
    return reports;
  };
  const exposure = metricsExposure(config);
  const metricsRoute = { render: () => metrics.render(), contentType: metrics.contentType, token: config.metrics.token };

  let app: FastifyInstance | undefined;
  let metricsServer: FastifyInstance | undefined;
  let metricsUrl: string | null = null;
  try {
    const applied = await database.migrate();
    logger.info({ driver: database.driver, applied }, applied > 0 ? 'database migrated' : 'database schema up to date');
    for (const prepare of beforeAdapters) await prepare();

    app = await buildServer({
      logger,
      checkReady: () => database.checkReady(),
      dependencies,
      routes: [(instance) => registerOAuthCallback(instance, { links }), ...adapterRoutes, ...(options.extraRoutes ?? [])],
      ...(exposure === 'main-port-with-token' && config.metrics.token !== null ? { metrics: { ...metricsRoute, token: config.metrics.token } } : {}),
    });
    await app.listen({ host: config.http.host, port: config.http.port });
    if (exposure === 'own-port' && config.metrics.port !== null) {
      metricsServer = await buildMetricsServer({ ...metricsRoute, logger: logger.child({ component: 'metrics' }) });
      await metricsServer.listen({ host: config.metrics.host, port: config.metrics.port });
      metricsUrl = `${urlOf(config.metrics.host, portOf(metricsServer, config.metrics.port))}/metrics`;
    }
  } catch (error) {
    await metricsServer?.close().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await closeTrakt();
    await database.close().catch(() => undefined);
    throw error;
  }
  // A chat platform being unreachable must not stop the service: adapters connect in the background.
  for (const adapter of adapters) {
    adapter.start().catch((error: unknown) => logger.error({ err: error, adapter: adapter.name }, 'chat adapter failed to start'));
  }
  // Writes a stopped process left half-done (those not carried by a job: an undo) are applied now and
  // their users told. The embedded database has one process, so everything journaled before this
  // start is someone's cut-off write; on Postgres another instance may have a write in flight, so only
  // intents older than any write can take are taken up (and the check repeats, for instances that
  // died without a restart).
  const resumeInterrupted = async () => {
    const before = database.driver === 'pglite' ? undefined : new Date(Math.min(startedAt.getTime(), Date.now() - WRITE_STALE_MS));
    for (const resumed of await writer.resumeInterrupted(before === undefined ? {} : { before })) {
      const identity = await findIdentityById(database.db, resumed.identityId);
      if (identity === undefined) continue;
      await outbox
        .send(
          { platform: identity.platform, userId: identity.platformUserId },
          resumedWriteReply(resumed, botLogger, await translatorForIdentity({ languages, logger: botLogger }, resumed.identityId)),
        )
        .catch((error: unknown) => logger.warn({ err: error, identityId: resumed.identityId }, 'could not tell the user about a resumed write'));
    }
  };
  const recurring: RecurringKind[] = [
    // Device-code links are polled from the database, so a restart resumes them.
    { kind: 'device-link-poll', everyMs: 1000, run: () => links.pollDueDevices() },
    // Tokens of users who stay away are renewed before they expire (REFERENCE §3.4: refresh ahead).
    { kind: 'token-refresh', everyMs: 5 * 60_000, run: () => tokens.refreshDue() },
    // Expired OAuth states and device codes can never be used again; a day's margin lets a late
    // callback still hear "expired" rather than "unknown".
    { kind: 'link-attempt-prune', everyMs: 60 * 60_000, run: () => deleteExpiredLinkAttempts(database.db, new Date(Date.now() - 24 * 60 * 60_000)) },
    { kind: 'pending-action-prune', everyMs: 60 * 60_000, run: () => pendingActions.pruneExpired(new Date()) },
    { kind: 'resume-interrupted-writes', everyMs: 60_000, run: resumeInterrupted },
    // Release notices (/notify): subscribers' Trakt calendars are read and what came out on their
    // watchlists is sent once, outside their quiet hours (which only delay notices, so the check runs
    // more than once a day: by default hourly).
    {
      kind: 'release-notices',
      everyMs: config.noticesCheckMs,
      run: async () => {
        const result = await core.checkNotices();
        if (result.recorded > 0 || result.sent > 0 || result.failed > 0) logger.info({ notices: result }, 'release notices checked');
      },
    },
    // Active users' copies follow changes made on Trakt itself (REFERENCE §10), at a bounded pace.
    {
      kind: 'watchlist-sync',
      everyMs: config.watchlistSyncMs,
      run: (job) =>
        runBackgroundSync(
          {
            candidates: (input) => findWatchlistSyncCandidates(database.db, input),
            traktFor: (identityId) => traktPort.forIdentity(identityId),
            copy: writer.copy,
            now: () => new Date(),
            everyMs: config.watchlistSyncMs,
            perMinute: config.watchlistSyncPerMinute,
            sleep: (ms, signal) => delay(ms, undefined, signal === undefined ? {} : { signal }),
            logger: logger.child({ component: 'watchlist-sync' }),
          },
          job.signal,
        ),
    },
    // Finished jobs are kept a week (what a write changed stays in the action journal).
    { kind: 'jobs-prune', everyMs: 60 * 60_000, run: () => deleteFinishedJobs(database.db, new Date(Date.now() - 7 * 24 * 60 * 60_000)) },
    // How background work is seen: one log line with the queue's depth per kind while anything waits.
    {
      kind: 'jobs-report',
      everyMs: 5 * 60_000,
      run: async () => {
        const depth = (await jobStore.depth(new Date())).filter((d) => d.count > 0);
        if (depth.length > 0) logger.info({ jobs: depth }, 'background jobs waiting');
      },
    },
    ...adapterRecurring,
  ];
  const jobRunner = createJobRunner({
    store: jobStore,
    kinds: core.jobKinds,
    recurring,
    logger: logger.child({ component: 'jobs' }),
    // Most of a job's time is spent waiting on Trakt (a user's write slot comes once a second), so
    // more run at once than there are cores.
    concurrency: JOB_CONCURRENCY,
    // The embedded database has one process: a job still marked running at start was cut off.
    releaseRunningAtStart: database.driver === 'pglite',
  });
  built.runner = jobRunner;
  jobRunner.start();
  const url = urlOf(config.http.host, portOf(app, config.http.port));
  logger.info({ url, version: VERSION, driver: database.driver, metrics: exposure, ...(metricsUrl === null ? {} : { metricsUrl }) }, 'Marquee is listening');

  const server = app;
  let stopping: Promise<void> | undefined;
  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ reason, graceMs: config.shutdownGraceMs }, 'shutting down');
      // New connections are refused from now on, so a load balancer or Telegram's webhook delivery
      // moves on at once; requests in flight and kept-alive sockets are served until Fastify closes
      // below (it tolerates the listener being closed already).
      server.server.close();
      // One grace period for everything in flight: chat updates (a Confirm stuck on a slow Trakt
      // write), background ticks and HTTP requests. A write cut off here is not lost: its intent is
      // journaled before Trakt is called and is applied again at the next start.
      const deadline = Date.now() + config.shutdownGraceMs;
      const untilDeadline = () => delay(Math.max(0, deadline - Date.now()), 'timeout' as const, { ref: false });
      const adaptersDone = Promise.allSettled(adapters.map((adapter) => adapter.stop())).then(() => 'done' as const);
      if ((await Promise.race([adaptersDone, untilDeadline()])) === 'timeout') {
        core.close();
        logger.warn('chat updates still in flight at the end of the grace period were cut off; interrupted writes resume at the next start');
      }
      // The runner stops claiming, lets running jobs finish until the deadline and gives the rest back
      // (queued), for the next start or another instance.
      const jobsStopped = await jobRunner.stop(new Date(deadline)).catch((error: unknown) => {
        logger.error({ err: error }, 'job runner did not stop cleanly; its jobs are taken up again when their lease ends');
        return { finished: 0, released: 0 };
      });
      if (jobsStopped.released > 0) logger.warn({ jobs: jobsStopped.released }, 'background jobs still running at the end of the grace period were given back for the next start');
      // Fastify stops accepting connections, answers new requests on kept-alive sockets with 503,
      // and resolves once in-flight requests are done. Past the grace period, cut them off.
      const closed = server.close().then(() => 'closed' as const);
      const outcome = await Promise.race([closed, untilDeadline()]);
      if (outcome === 'timeout') {
        logger.warn('in-flight requests did not finish within the grace period; closing them');
        server.server.closeAllConnections();
        await closed;
      }
      // Writes still waiting for Trakt are left to the next start (or another instance) to finish.
      const abandoned = await writer.abandonInFlight().catch((error: unknown) => {
        logger.error({ err: error }, 'could not mark the writes in flight as interrupted; they resume after a while');
        return 0;
      });
      if (abandoned > 0) logger.warn({ writes: abandoned }, 'watchlist writes still waiting for Trakt are left for the next start');
      await metricsServer?.close().catch(() => undefined);
      await closeTrakt();
      await database.close();
      logger.info('stopped');
    })();
    return stopping;
  };

  return { config, logger, database, keyRing: keys.ring, app: server, url, metricsUrl, trakt, links, tokens, outbox, core, jobs: jobRunner, stop };
}

/** SIGTERM/SIGINT stop the service and exit 0; a second signal exits at once. */
export function exitOnSignals(service: RunningService): void {
  let received = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      service.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    received = true;
    service.stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        service.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  loadEnvFile(env);
  let service: RunningService;
  try {
    service = await startService({ env });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n\nSee README.md, "Configuration", or copy .env.example to .env.\n`);
      process.exit(1);
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`Marquee could not start: ${message}\n`);
    process.exit(1);
  }
  exitOnSignals(service);
}

/**
 * Reads settings from `ENV_FILE` (default `.env`) when that file exists. Variables already set in the
 * environment win, so Docker and systemd settings are never overridden by a stray file.
 */
function loadEnvFile(env: NodeJS.ProcessEnv): void {
  const file = env.ENV_FILE ?? '.env';
  if (file === '' || !existsSync(file)) return;
  process.loadEnvFile(file);
}


function portOf(app: FastifyInstance, fallback: number): number {
  const address = app.server.address();
  return typeof address === 'object' && address !== null ? address.port : fallback;
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  void main();
}
