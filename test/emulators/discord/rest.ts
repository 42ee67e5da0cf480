// Discord's REST API (the subset a bot uses) on Fastify: /api/v10/... and /api/v9/...
// Bot routes need `Authorization: Bot <token>`; interaction callback and webhook routes are
// authenticated by the token in their path (discord.js sends them with `auth: false`).
// Every response carries Discord's rate-limit headers.

import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { CONTROL_PREFIX } from './control.js';
import type { Core } from './core.js';
import { DiscordHttpError } from './errors.js';
import type { Gateway } from './gateway.js';
import type { JsonObject, RestCall, UploadedFile } from './types.js';
import { isRecord } from './validation.js';

export interface RestOptions {
  rateLimit: false | { limit: number; windowMs: number };
  attachmentSizeLimit: number;
  gatewayUrl: () => string;
  recommendedShards: number;
  maxConcurrency: number;
  onCall: (call: RestCall) => void;
  onInternalError: (error: unknown) => void;
}

interface ParsedBody {
  body: unknown;
  files: UploadedFile[];
}

interface Bucket {
  count: number;
  resetAt: number;
}

const API_PREFIX = /^\/api\/v(\d+)/;

/** Routes (after the /api/vN prefix) that are not authenticated with the bot token. */
function isTokenlessRoute(route: string): boolean {
  return route.startsWith('/interactions/') || route.startsWith('/webhooks/') || route === '/gateway';
}

function param(request: FastifyRequest, name: string): string {
  const params = request.params as Record<string, string | undefined>;
  const value = params[name];
  if (value === undefined) throw new Error(`route has no :${name}`);
  return value;
}

function queryOf(request: FastifyRequest): Record<string, string> {
  const q = request.query;
  const out: Record<string, string> = {};
  if (isRecord(q)) for (const [k, v] of Object.entries(q)) if (typeof v === 'string') out[k] = v;
  return out;
}

export async function buildRestServer(core: Core, gateway: Gateway, options: RestOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024 * 1024,
    forceCloseConnections: true,
    // Interaction tokens in paths are ~200 characters.
    routerOptions: { maxParamLength: 1000 },
  });
  await app.register(multipart, {
    limits: { fileSize: options.attachmentSizeLimit, files: 11, fieldSize: 16 * 1024 * 1024 },
  });

  const parsed = new WeakMap<FastifyRequest, ParsedBody>();
  const buckets = new Map<string, Bucket>();

  const routeOf = (request: FastifyRequest): { route: string | null; version: number | null } => {
    const pattern = request.routeOptions.url;
    if (pattern === undefined) return { route: null, version: null };
    const m = API_PREFIX.exec(pattern);
    return m ? { route: pattern.slice(m[0].length), version: Number(m[1]) } : { route: pattern, version: null };
  };

  // ---------------------------------------------------------------------------------------------
  // Hooks: authentication, rate limits, multipart bodies, call log

  app.addHook('onRequest', async (request, reply) => {
    const { route, version } = routeOf(request);
    if (route === null || version === null) return;
    // Rate limit per route and major parameter (channel, guild, webhook or interaction).
    const params = request.params as Record<string, string | undefined>;
    const major = params.channelId ?? params.guildId ?? (params.token ? `${params.applicationId ?? ''}/${params.token}` : undefined) ?? params.interactionId ?? '';
    const bucketRoute = `${request.method} ${route}`;
    const hash = createHash('sha1').update(bucketRoute).digest('hex').slice(0, 32);
    const limit = options.rateLimit === false ? 50 : options.rateLimit.limit;
    const windowMs = options.rateLimit === false ? 1000 : options.rateLimit.windowMs;
    const key = `${hash}:${major}`;
    const now = Date.now();
    let bucket = buckets.get(key);
    if (!bucket || bucket.resetAt <= now) {
      bucket = { count: 0, resetAt: now + windowMs };
      buckets.set(key, bucket);
    }
    bucket.count += 1;
    const resetAfter = Math.max(0, bucket.resetAt - now) / 1000;
    void reply.headers({
      'x-ratelimit-bucket': hash,
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, limit - bucket.count)),
      'x-ratelimit-reset': (bucket.resetAt / 1000).toFixed(3),
      'x-ratelimit-reset-after': resetAfter.toFixed(3),
    });
    if (!isTokenlessRoute(route) && request.headers.authorization !== `Bot ${core.config.token}`) {
      throw DiscordHttpError.unauthorized();
    }
    if (options.rateLimit !== false && bucket.count > limit) {
      void reply.headers({ 'retry-after': String(Math.ceil(resetAfter)), 'x-ratelimit-scope': 'user' });
      throw new DiscordHttpError(429, 0, 'You are being rate limited.', undefined, {
        retry_after: Number(resetAfter.toFixed(3)),
        global: false,
      });
    }
  });

  app.addHook('preHandler', async (request) => {
    if (!request.isMultipart()) return;
    const files: UploadedFile[] = [];
    let body: unknown = undefined;
    const fields: Record<string, string> = {};
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        files.push({ field: part.fieldname, filename: part.filename, contentType: part.mimetype, data: await part.toBuffer() });
      } else if (part.fieldname === 'payload_json') {
        try {
          body = JSON.parse(String(part.value));
        } catch {
          throw DiscordHttpError.invalidJson();
        }
      } else {
        fields[part.fieldname] = String(part.value);
      }
    }
    if (body === undefined && Object.keys(fields).length > 0) body = fields;
    parsed.set(request, { body, files });
  });

  const bodyOf = (request: FastifyRequest): ParsedBody => parsed.get(request) ?? { body: request.body, files: [] };

  app.addHook('onSend', async (request, reply, payload) => {
    const { route, version } = routeOf(request);
    const url = request.url.split('?')[0] ?? request.url;
    // the driver's own routes (control.ts) are not calls of the bot
    if (url.startsWith(CONTROL_PREFIX)) return payload;
    const m = API_PREFIX.exec(url);
    const { body, files } = bodyOf(request);
    let response: unknown = payload;
    if (typeof payload === 'string' && String(reply.getHeader('content-type') ?? '').includes('json')) {
      try {
        response = JSON.parse(payload);
      } catch {
        response = payload;
      }
    } else if (payload === null || payload === undefined || payload === '') response = null;
    else if (typeof payload !== 'string') response = '<binary>';
    options.onCall({
      at: Date.now(),
      method: request.method,
      path: m ? url.slice(m[0].length) : url,
      route,
      version,
      query: queryOf(request),
      authorized: request.headers.authorization === `Bot ${core.config.token}`,
      body: body ?? null,
      files: files.map(({ data: _d, ...rest }) => rest),
      status: reply.statusCode,
      response,
    });
    return payload;
  });

  app.setErrorHandler(async (error: unknown, _request, reply: FastifyReply) => {
    let e: DiscordHttpError;
    if (error instanceof DiscordHttpError) e = error;
    else {
      const code = isRecord(error) && typeof error.code === 'string' ? error.code : '';
      if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error instanceof SyntaxError) {
        e = DiscordHttpError.invalidJson();
      } else if (code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_ERR_CTP_BODY_TOO_LARGE' || code === 'FST_FILES_LIMIT') {
        e = DiscordHttpError.requestTooLarge();
      } else if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || code.startsWith('FST_INVALID_MULTIPART')) {
        e = new DiscordHttpError(400, 0, '400: Bad Request');
      } else {
        options.onInternalError(error);
        e = new DiscordHttpError(500, 0, '500: Internal Server Error');
      }
    }
    return reply.status(e.status).type('application/json').send(e.toBody());
  });

  app.setNotFoundHandler(async (_request, reply) => {
    const e = DiscordHttpError.notFound();
    return reply.status(404).type('application/json').send(e.toBody());
  });

  const noContent = (reply: FastifyReply): FastifyReply => reply.status(204).send();

  // ---------------------------------------------------------------------------------------------
  // Routes

  const routes = async (api: FastifyInstance): Promise<void> => {
    api.get('/gateway', async () => ({ url: options.gatewayUrl() }));
    api.get('/gateway/bot', async () => ({
      url: options.gatewayUrl(),
      shards: options.recommendedShards,
      session_start_limit: {
        total: 1000,
        remaining: gateway.sessionStartRemaining,
        reset_after: 14_400_000,
        max_concurrency: options.maxConcurrency,
      },
    }));

    api.get('/users/@me', async () => core.store.botUserObject());
    api.get('/users/:userId', async (request) => {
      const user = core.store.user(param(request, 'userId'));
      if (!user) throw new DiscordHttpError(404, 10013, 'Unknown User');
      return core.store.userObject(user);
    });
    api.post('/users/@me/channels', async (request) => {
      const body = request.body;
      const recipient = isRecord(body) && typeof body.recipient_id === 'string' ? core.store.user(body.recipient_id) : undefined;
      if (!recipient) throw DiscordHttpError.fieldError(['recipient_id'], 'BASE_TYPE_REQUIRED', 'This field is required');
      return core.getChannel(recipient.dmChannelId);
    });

    const applicationObject = (): JsonObject => ({
      id: core.config.applicationId,
      name: core.config.botUsername,
      icon: null,
      description: '',
      summary: '',
      type: null,
      hook: true,
      bot_public: true,
      bot_require_code_grant: false,
      verify_key: createHash('sha256').update(core.config.applicationId).digest('hex'),
      flags: gateway.applicationFlags(),
      team: null,
      owner: { id: '1000000000000000001', username: 'emulator-owner', discriminator: '0', global_name: null, avatar: null, public_flags: 0, flags: 0 },
      bot: core.store.botUserObject(),
      approximate_guild_count: core.store.guilds.size,
      redirect_uris: [],
      interactions_endpoint_url: null,
      role_connections_verification_url: null,
      integration_types_config: { '0': {} },
      install_params: { scopes: ['bot', 'applications.commands'], permissions: '0' },
    });
    api.get('/applications/@me', async () => applicationObject());
    api.get('/oauth2/applications/@me', async () => applicationObject());

    // ---- application commands (global and guild)
    for (const scope of ['global', 'guild'] as const) {
      const base = scope === 'global' ? '/applications/:applicationId/commands' : '/applications/:applicationId/guilds/:guildId/commands';
      const guildOf = (request: FastifyRequest): string | null => (scope === 'guild' ? param(request, 'guildId') : null);
      api.get(base, async (request) => core.getCommands(param(request, 'applicationId'), guildOf(request)));
      api.put(base, async (request) => core.overwriteCommands(param(request, 'applicationId'), guildOf(request), request.body));
      api.post(base, async (request, reply) => {
        const { created, data } = core.createCommand(param(request, 'applicationId'), guildOf(request), request.body);
        return reply.status(created ? 201 : 200).send(data);
      });
      api.get(`${base}/:commandId`, async (request) =>
        core.getCommand(param(request, 'applicationId'), guildOf(request), param(request, 'commandId')),
      );
      api.patch(`${base}/:commandId`, async (request) =>
        core.editCommand(param(request, 'applicationId'), guildOf(request), param(request, 'commandId'), request.body),
      );
      api.delete(`${base}/:commandId`, async (request, reply) => {
        core.deleteCommand(param(request, 'applicationId'), guildOf(request), param(request, 'commandId'));
        return noContent(reply);
      });
    }

    // ---- interactions
    api.post('/interactions/:interactionId/:token/callback', async (request, reply) => {
      const { body, files } = bodyOf(request);
      const withResponse = queryOf(request).with_response === 'true';
      const result = core.interactionCallback(param(request, 'interactionId'), param(request, 'token'), body, files, withResponse);
      return result === null ? noContent(reply) : reply.status(200).send(result);
    });

    api.post('/webhooks/:applicationId/:token', async (request) => {
      const { body, files } = bodyOf(request);
      return core.webhookExecute(param(request, 'applicationId'), param(request, 'token'), body, files);
    });
    api.get('/webhooks/:applicationId/:token/messages/:messageId', async (request) =>
      core.webhookGetMessage(param(request, 'applicationId'), param(request, 'token'), param(request, 'messageId')),
    );
    api.patch('/webhooks/:applicationId/:token/messages/:messageId', async (request) => {
      const { body, files } = bodyOf(request);
      return core.webhookEditMessage(param(request, 'applicationId'), param(request, 'token'), param(request, 'messageId'), body, files);
    });
    api.delete('/webhooks/:applicationId/:token/messages/:messageId', async (request, reply) => {
      core.webhookDeleteMessage(param(request, 'applicationId'), param(request, 'token'), param(request, 'messageId'));
      return noContent(reply);
    });

    // ---- channels and messages
    api.get('/channels/:channelId', async (request) => core.getChannel(param(request, 'channelId')));
    api.post('/channels/:channelId/typing', async (request, reply) => {
      core.getChannel(param(request, 'channelId'));
      return noContent(reply);
    });
    api.get('/channels/:channelId/messages', async (request) => {
      const limit = Number(queryOf(request).limit ?? 50);
      return core.listChannelMessages(param(request, 'channelId'), Number.isFinite(limit) ? limit : 50);
    });
    api.post('/channels/:channelId/messages', async (request) => {
      const { body, files } = bodyOf(request);
      return core.postChannelMessage(param(request, 'channelId'), body, files);
    });
    api.get('/channels/:channelId/messages/:messageId', async (request) =>
      core.getChannelMessage(param(request, 'channelId'), param(request, 'messageId')),
    );
    api.patch('/channels/:channelId/messages/:messageId', async (request) => {
      const { body, files } = bodyOf(request);
      return core.patchChannelMessage(param(request, 'channelId'), param(request, 'messageId'), body, files);
    });
    api.delete('/channels/:channelId/messages/:messageId', async (request, reply) => {
      core.deleteChannelMessage(param(request, 'channelId'), param(request, 'messageId'));
      return noContent(reply);
    });

    // ---- guilds (read-only)
    const guildOr403 = (request: FastifyRequest): string => {
      const guildId = param(request, 'guildId');
      if (!core.store.guilds.has(guildId)) throw DiscordHttpError.missingAccess();
      return guildId;
    };
    api.get('/guilds/:guildId', async (request) => {
      const guild = core.store.guilds.get(guildOr403(request));
      if (!guild) throw DiscordHttpError.unknownGuild();
      const full = core.store.guildCreateObject(guild);
      for (const k of ['joined_at', 'large', 'unavailable', 'member_count', 'voice_states', 'members', 'channels', 'threads', 'presences', 'stage_instances', 'guild_scheduled_events', 'soundboard_sounds', 'lazy']) {
        delete full[k];
      }
      return full;
    });
    api.get('/guilds/:guildId/channels', async (request) => {
      const guild = core.store.guilds.get(guildOr403(request));
      return (guild?.channelIds ?? []).map((id) => core.getChannel(id));
    });
    api.get('/guilds/:guildId/members/:userId', async (request) => {
      const member = core.store.member(guildOr403(request), param(request, 'userId'));
      if (!member) throw new DiscordHttpError(404, 10007, 'Unknown Member');
      return core.store.memberObject(member, { withUser: true });
    });
  };

  await app.register(routes, { prefix: '/api/v10' });
  await app.register(routes, { prefix: '/api/v9' });

  // Attachment downloads (what Discord's CDN serves for attachment URLs).
  const serveAttachment = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const id = param(request, 'attachmentId');
    for (const message of core.store.messages.values()) {
      const att = message.attachments.find((a) => a.id === id && a.filename === param(request, 'filename'));
      if (att) return reply.type(att.contentType ?? 'application/octet-stream').send(att.data);
    }
    return reply.status(404).type('text/plain').send('This content is no longer available.');
  };
  app.get('/attachments/:channelId/:attachmentId/:filename', serveAttachment);
  app.get('/media-proxy/attachments/:channelId/:attachmentId/:filename', serveAttachment);

  // Files users gave attachment options: ephemeral attachments at signed URLs (`ex`, `is`, `hm`), as
  // Discord's CDN serves them; without a valid signature, or past `ex`, the CDN answers 404.
  const serveCommandAttachment = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const att = core.store.commandAttachments.get(param(request, 'attachmentId'));
    const query = queryOf(request);
    const expires = Number.parseInt(query.ex ?? '', 16);
    const valid =
      att !== undefined &&
      att.channelId === param(request, 'channelId') &&
      att.filename === param(request, 'filename') &&
      query.hm === att.signature &&
      Number.isFinite(expires) &&
      expires * 1000 > Date.now();
    if (!valid) return reply.status(404).type('text/plain').send('This content is no longer available.');
    return reply.type(att.contentType ?? 'application/octet-stream').header('content-length', String(att.data.length)).send(att.data);
  };
  app.get('/ephemeral-attachments/:channelId/:attachmentId/:filename', serveCommandAttachment);
  app.get('/media-proxy/ephemeral-attachments/:channelId/:attachmentId/:filename', serveCommandAttachment);

  return app;
}
