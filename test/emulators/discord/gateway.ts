// The Discord gateway over WebSocket, JSON encoding: HELLO, IDENTIFY → READY + GUILD_CREATE,
// heartbeats, sequence numbers, RESUME with replay, RECONNECT / INVALID_SESSION, close codes,
// optional zlib-stream transport compression and identify (per-payload) compression.
// https://discord.com/developers/docs/events/gateway

import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import zlib from 'node:zlib';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { Intent, type Core, type Dispatcher } from './core.js';
import type { GatewayConnectionInfo, GatewaySessionInfo, JsonObject } from './types.js';

export const GatewayOpcode = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  VoiceStateUpdate: 4,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
  RequestSoundboardSounds: 31,
} as const;

export const GatewayCloseCode = {
  UnknownError: 4000,
  UnknownOpcode: 4001,
  DecodeError: 4002,
  NotAuthenticated: 4003,
  AuthenticationFailed: 4004,
  AlreadyAuthenticated: 4005,
  InvalidSeq: 4007,
  RateLimited: 4008,
  SessionTimedOut: 4009,
  InvalidShard: 4010,
  ShardingRequired: 4011,
  InvalidApiVersion: 4012,
  InvalidIntents: 4013,
  DisallowedIntents: 4014,
} as const;

const CLOSE_REASONS: Record<number, string> = {
  4000: 'Unknown error.',
  4001: 'Unknown opcode.',
  4002: 'Error while decoding payload.',
  4003: 'Not authenticated.',
  4004: 'Authentication failed.',
  4005: 'Already authenticated.',
  4007: 'Invalid seq.',
  4008: 'Rate limited.',
  4009: 'Session timed out.',
  4010: 'Invalid shard.',
  4011: 'Sharding required.',
  4012: 'Invalid API version.',
  4013: 'Invalid intent(s).',
  4014: 'Disallowed intent(s).',
};

/** Close codes after which Discord does not let the session be resumed. */
const SESSION_ENDING_CODES = new Set([1000, 1001, 4004, 4007, 4009, 4010, 4011, 4012, 4013, 4014]);

const PRIVILEGED_INTENTS = Intent.GuildMembers | Intent.GuildPresences | Intent.MessageContent;
/** Intent bits Discord defines (0..25 with gaps that it also rejects in practice). */
const KNOWN_INTENTS = (1 << 26) - 1;
const SEND_LIMIT = 120;
const SEND_WINDOW_MS = 60_000;
const REPLAY_BUFFER = 2000;

export interface GatewayOptions {
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  sessionResumeWindowMs: number;
  privilegedIntents: number;
}

interface BufferedDispatch {
  s: number;
  payload: JsonObject;
}

export class Session {
  seq = 0;
  readonly buffer: BufferedDispatch[] = [];
  connection: Connection | null = null;
  disconnectedAt: number | null = null;
  invalid = false;

  constructor(
    readonly id: string,
    readonly shard: [number, number],
    readonly intents: number,
    readonly identifyCompress: boolean,
  ) {}
}

export class Connection {
  session: Session | null = null;
  lastHeartbeatAt: number;
  heartbeatTimer: NodeJS.Timeout | null = null;
  deflate: zlib.Deflate | null = null;
  identifyCompress = false;
  sendChain: Promise<void> = Promise.resolve();
  received: number[] = [];
  closing = false;

  constructor(
    readonly ws: WebSocket,
    readonly info: GatewayConnectionInfo,
  ) {
    this.lastHeartbeatAt = Date.now();
  }
}

export type GatewayEvent =
  | { type: 'open'; connection: GatewayConnectionInfo }
  | { type: 'identify'; sessionId: string }
  | { type: 'ready'; sessionId: string }
  | { type: 'resumed'; sessionId: string; replayed: number }
  | { type: 'heartbeat' }
  | { type: 'dispatch'; t: string; d: JsonObject; replay: boolean }
  | { type: 'close'; connection: GatewayConnectionInfo };

export class Gateway implements Dispatcher {
  readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  readonly sessions = new Map<string, Session>();
  readonly connections = new Set<Connection>();
  readonly connectionLog: GatewayConnectionInfo[] = [];
  identifyCount = 0;
  resumeCount = 0;
  heartbeatCount = 0;
  sessionStartRemaining = 1000;
  private nextConnectionId = 1;
  private listeners = new Set<(event: GatewayEvent) => void>();

  constructor(
    private readonly core: Core,
    private readonly options: GatewayOptions,
    private readonly urls: { gateway: () => string; resume: () => string },
  ) {}

  onEvent(listener: (event: GatewayEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: GatewayEvent): void {
    for (const l of [...this.listeners]) l(event);
  }

  // ------------------------------------------------------------------------------------------
  // Connection lifecycle

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/' && url.pathname !== '/gateway' && url.pathname !== '/gateway/resume') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, url));
  }

  private open(ws: WebSocket, url: URL): void {
    const query = Object.fromEntries(url.searchParams.entries());
    const info: GatewayConnectionInfo = {
      id: this.nextConnectionId++,
      openedAt: Date.now(),
      path: url.pathname,
      query,
      sessionId: null,
      auth: null,
      closedAt: null,
      closeCode: null,
      closedBy: null,
    };
    const conn = new Connection(ws, info);
    this.connections.add(conn);
    this.connectionLog.push(info);
    ws.on('message', (data) => this.onMessage(conn, data));
    ws.on('close', (code) => this.onClose(conn, code));
    ws.on('error', () => undefined);
    this.emit({ type: 'open', connection: info });

    const version = query.v;
    if (version !== undefined && version !== '9' && version !== '10') {
      this.close(conn, GatewayCloseCode.InvalidApiVersion);
      return;
    }
    if (query.encoding !== undefined && query.encoding !== 'json') {
      // Only JSON is emulated; ETF (erlpack) is refused as undecodable.
      this.close(conn, GatewayCloseCode.DecodeError);
      return;
    }
    if (query.compress !== undefined) {
      if (query.compress !== 'zlib-stream') {
        this.close(conn, GatewayCloseCode.DecodeError);
        return;
      }
      conn.deflate = zlib.createDeflate({ chunkSize: 65535 });
    }
    this.send(conn, { op: GatewayOpcode.Hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs, _trace: ['["discord-emulator"]'] } });
    conn.heartbeatTimer = setInterval(() => {
      if (Date.now() - conn.lastHeartbeatAt > this.options.heartbeatTimeoutMs) {
        // A client that stopped heartbeating is a zombie: Discord closes and ends the session.
        if (conn.session) conn.session.invalid = true;
        this.close(conn, GatewayCloseCode.SessionTimedOut);
      }
    }, Math.max(50, Math.min(1000, Math.floor(this.options.heartbeatTimeoutMs / 4))));
    conn.heartbeatTimer.unref();
  }

  private onClose(conn: Connection, code: number): void {
    if (conn.heartbeatTimer) clearInterval(conn.heartbeatTimer);
    conn.heartbeatTimer = null;
    conn.deflate?.close();
    this.connections.delete(conn);
    if (conn.info.closedAt === null) {
      conn.info.closedAt = Date.now();
      conn.info.closeCode = code;
      conn.info.closedBy = 'client';
    }
    const session = conn.session;
    if (session && session.connection === conn) {
      session.connection = null;
      session.disconnectedAt = Date.now();
      // A client closing with 1000/1001 ends its session (Discord shows the bot offline at once).
      if (conn.info.closedBy === 'client' && (code === 1000 || code === 1001)) session.invalid = true;
    }
    this.emit({ type: 'close', connection: conn.info });
  }

  /** Closes from the server side with a close frame. */
  close(conn: Connection, code: number, reason?: string): void {
    if (conn.closing) return;
    conn.closing = true;
    conn.info.closedAt = Date.now();
    conn.info.closeCode = code;
    conn.info.closedBy = 'server';
    if (conn.session && SESSION_ENDING_CODES.has(code)) conn.session.invalid = true;
    // Send the close frame after anything still queued in the compression chain.
    void conn.sendChain.then(() => {
      if (conn.ws.readyState === WebSocket.OPEN) conn.ws.close(code, reason ?? CLOSE_REASONS[code] ?? '');
    });
  }

  /** Drops the TCP connection without a close frame (the client sees 1006). */
  terminate(conn: Connection): void {
    conn.closing = true;
    conn.info.closedAt = Date.now();
    conn.info.closeCode = 1006;
    conn.info.closedBy = 'server';
    conn.ws.terminate();
  }

  closeAll(): void {
    for (const conn of [...this.connections]) {
      if (conn.heartbeatTimer) clearInterval(conn.heartbeatTimer);
      conn.ws.terminate();
    }
    this.wss.close();
  }

  // ------------------------------------------------------------------------------------------
  // Sending

  send(conn: Connection, payload: { op: number; d: unknown; s?: number | null; t?: string | null }): void {
    if (conn.ws.readyState !== WebSocket.OPEN || conn.closing) return;
    const json = JSON.stringify({ t: payload.t ?? null, s: payload.s ?? null, op: payload.op, d: payload.d });
    const deflate = conn.deflate;
    if (deflate) {
      // zlib-stream: one shared deflate context, each payload ends with a Z_SYNC_FLUSH (00 00 ff ff).
      conn.sendChain = conn.sendChain.then(
        () =>
          new Promise<void>((resolve) => {
            const chunks: Buffer[] = [];
            const onData = (chunk: Buffer): void => {
              chunks.push(chunk);
            };
            deflate.on('data', onData);
            deflate.write(json);
            deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
              setImmediate(() => {
                deflate.off('data', onData);
                if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(Buffer.concat(chunks), { binary: true });
                resolve();
              });
            });
          }),
      );
      return;
    }
    if (conn.identifyCompress) {
      conn.ws.send(zlib.deflateSync(json), { binary: true });
      return;
    }
    conn.ws.send(json);
  }

  private dispatchTo(session: Session, t: string, d: JsonObject): number {
    session.seq += 1;
    const payload: JsonObject = { t, s: session.seq, op: GatewayOpcode.Dispatch, d };
    session.buffer.push({ s: session.seq, payload });
    if (session.buffer.length > REPLAY_BUFFER) session.buffer.shift();
    const conn = session.connection;
    if (conn && conn.session === session) {
      this.send(conn, { op: 0, d, s: session.seq, t });
      this.emit({ type: 'dispatch', t, d, replay: false });
    }
    return session.seq;
  }

  /** True when the session can still receive (connected, or disconnected within the resume window). */
  private alive(session: Session): boolean {
    if (session.invalid) return false;
    if (session.connection) return true;
    const gone = session.disconnectedAt === null ? 0 : Date.now() - session.disconnectedAt;
    if (gone > this.options.sessionResumeWindowMs) {
      session.invalid = true;
      return false;
    }
    return true;
  }

  private sessionsFor(guildId: string | null): Session[] {
    return [...this.sessions.values()].filter((s) => {
      if (!this.alive(s)) return false;
      const [id, count] = s.shard;
      if (guildId === null) return id === 0; // DMs go to shard 0
      return Number((BigInt(guildId) >> 22n) % BigInt(count)) === id;
    });
  }

  hasSessionFor(guildId: string | null): boolean {
    return this.sessionsFor(guildId).length > 0;
  }

  dispatchEvent(t: string, d: JsonObject, target: { guildId: string | null; intent: number | null }): void {
    for (const session of this.sessionsFor(target.guildId)) {
      if (target.intent !== null && (session.intents & target.intent) === 0) continue;
      this.dispatchTo(session, t, d);
    }
  }

  /** Dispatches INTERACTION_CREATE (no intent needed) to the sessions of the guild's shard. */
  dispatchInteraction(guildId: string | null, d: JsonObject): void {
    for (const session of this.sessionsFor(guildId)) this.dispatchTo(session, 'INTERACTION_CREATE', d);
  }

  // ------------------------------------------------------------------------------------------
  // Receiving

  private onMessage(conn: Connection, data: RawData): void {
    if (conn.closing) return;
    const now = Date.now();
    conn.received = conn.received.filter((t) => now - t < SEND_WINDOW_MS);
    conn.received.push(now);
    if (conn.received.length > SEND_LIMIT) {
      this.close(conn, GatewayCloseCode.RateLimited);
      return;
    }
    let payload: unknown;
    try {
      // JSON encoding: the client sends text frames (binary frames holding JSON are tolerated).
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(new Uint8Array(data));
      const text = buf.toString('utf8');
      payload = JSON.parse(text);
    } catch {
      this.close(conn, GatewayCloseCode.DecodeError);
      return;
    }
    if (typeof payload !== 'object' || payload === null || typeof (payload as { op?: unknown }).op !== 'number') {
      this.close(conn, GatewayCloseCode.DecodeError);
      return;
    }
    const { op, d } = payload as { op: number; d: unknown };
    switch (op) {
      case GatewayOpcode.Heartbeat:
        conn.lastHeartbeatAt = now;
        this.heartbeatCount += 1;
        this.send(conn, { op: GatewayOpcode.HeartbeatAck, d: null });
        this.emit({ type: 'heartbeat' });
        return;
      case GatewayOpcode.Identify:
        this.identify(conn, d);
        return;
      case GatewayOpcode.Resume:
        this.resume(conn, d);
        return;
      case GatewayOpcode.PresenceUpdate:
      case GatewayOpcode.VoiceStateUpdate:
      case GatewayOpcode.RequestSoundboardSounds:
        if (!conn.session) this.close(conn, GatewayCloseCode.NotAuthenticated);
        return;
      case GatewayOpcode.RequestGuildMembers:
        if (!conn.session) {
          this.close(conn, GatewayCloseCode.NotAuthenticated);
          return;
        }
        this.requestGuildMembers(conn.session, d);
        return;
      default:
        this.close(conn, GatewayCloseCode.UnknownOpcode);
    }
  }

  private checkToken(token: unknown): boolean {
    return typeof token === 'string' && token.replace(/^Bot\s+/i, '') === this.core.config.token;
  }

  private identify(conn: Connection, d: unknown): void {
    if (conn.session) {
      this.close(conn, GatewayCloseCode.AlreadyAuthenticated);
      return;
    }
    if (typeof d !== 'object' || d === null) {
      this.close(conn, GatewayCloseCode.DecodeError);
      return;
    }
    const body = d as Record<string, unknown>;
    if (!this.checkToken(body.token)) {
      this.close(conn, GatewayCloseCode.AuthenticationFailed);
      return;
    }
    if (typeof body.properties !== 'object' || body.properties === null) {
      this.close(conn, GatewayCloseCode.DecodeError);
      return;
    }
    let shard: [number, number] = [0, 1];
    if (body.shard !== undefined) {
      const s = body.shard;
      if (
        !Array.isArray(s) ||
        s.length !== 2 ||
        !Number.isInteger(s[0]) ||
        !Number.isInteger(s[1]) ||
        (s[1] as number) < 1 ||
        (s[0] as number) < 0 ||
        (s[0] as number) >= (s[1] as number)
      ) {
        this.close(conn, GatewayCloseCode.InvalidShard);
        return;
      }
      shard = [s[0] as number, s[1] as number];
    }
    const intents = body.intents;
    if (typeof intents !== 'number' || !Number.isInteger(intents) || intents < 0 || (intents & ~KNOWN_INTENTS) !== 0) {
      this.close(conn, GatewayCloseCode.InvalidIntents);
      return;
    }
    if ((intents & PRIVILEGED_INTENTS & ~this.options.privilegedIntents) !== 0) {
      this.close(conn, GatewayCloseCode.DisallowedIntents);
      return;
    }
    const compress = body.compress === true && !conn.deflate;
    const session = new Session(randomBytes(16).toString('hex'), shard, intents, compress);
    this.sessions.set(session.id, session);
    conn.session = session;
    conn.identifyCompress = compress;
    session.connection = conn;
    conn.info.sessionId = session.id;
    conn.info.auth = 'identify';
    this.identifyCount += 1;
    this.sessionStartRemaining = Math.max(0, this.sessionStartRemaining - 1);
    this.emit({ type: 'identify', sessionId: session.id });

    const store = this.core.store;
    const guilds = [...store.guilds.values()].filter(
      (g) => Number((BigInt(g.id) >> 22n) % BigInt(shard[1])) === shard[0],
    );
    this.dispatchTo(session, 'READY', {
      v: Number(conn.info.query.v ?? 10),
      user_settings: {},
      user: store.botUserObject(),
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: this.urls.resume(),
      shard,
      application: { id: this.core.config.applicationId, flags: this.applicationFlags() },
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: ['emulator'],
      auth: {},
      _trace: ['["discord-emulator"]'],
    });
    if ((intents & Intent.Guilds) !== 0) {
      for (const guild of guilds) this.dispatchTo(session, 'GUILD_CREATE', store.guildCreateObject(guild));
    }
    this.emit({ type: 'ready', sessionId: session.id });
  }

  /** Application flags: GATEWAY_PRESENCE_LIMITED (1<<13), GATEWAY_GUILD_MEMBERS_LIMITED (1<<15),
   *  GATEWAY_MESSAGE_CONTENT_LIMITED (1<<19) for the privileged intents that are enabled. */
  applicationFlags(): number {
    let flags = 0;
    if (this.options.privilegedIntents & Intent.GuildPresences) flags |= 1 << 13;
    if (this.options.privilegedIntents & Intent.GuildMembers) flags |= 1 << 15;
    if (this.options.privilegedIntents & Intent.MessageContent) flags |= 1 << 19;
    return flags;
  }

  private resume(conn: Connection, d: unknown): void {
    if (conn.session) {
      this.close(conn, GatewayCloseCode.AlreadyAuthenticated);
      return;
    }
    if (typeof d !== 'object' || d === null) {
      this.close(conn, GatewayCloseCode.DecodeError);
      return;
    }
    const body = d as Record<string, unknown>;
    if (!this.checkToken(body.token)) {
      this.close(conn, GatewayCloseCode.AuthenticationFailed);
      return;
    }
    const session = typeof body.session_id === 'string' ? this.sessions.get(body.session_id) : undefined;
    const seq = body.seq;
    if (!session || !this.alive(session)) {
      this.send(conn, { op: GatewayOpcode.InvalidSession, d: false });
      return;
    }
    if (seq !== null && (typeof seq !== 'number' || seq > session.seq)) {
      this.close(conn, GatewayCloseCode.InvalidSeq);
      return;
    }
    const from = typeof seq === 'number' ? seq : 0;
    const oldest = session.buffer[0]?.s ?? session.seq + 1;
    if (from + 1 < oldest) {
      // Events the client missed are no longer buffered: it has to start a new session.
      session.invalid = true;
      this.send(conn, { op: GatewayOpcode.InvalidSession, d: false });
      return;
    }
    const previous = session.connection;
    if (previous && previous !== conn) {
      previous.session = null;
      this.terminate(previous);
    }
    session.connection = conn;
    session.disconnectedAt = null;
    conn.session = session;
    conn.identifyCompress = session.identifyCompress && !conn.deflate;
    conn.info.sessionId = session.id;
    conn.info.auth = 'resume';
    this.resumeCount += 1;
    const missed = session.buffer.filter((b) => b.s > from);
    for (const b of missed) {
      const t = String(b.payload.t);
      const d = b.payload.d as JsonObject;
      this.send(conn, { op: 0, d, s: b.s, t });
      this.emit({ type: 'dispatch', t, d, replay: true });
    }
    this.dispatchTo(session, 'RESUMED', { _trace: ['["discord-emulator"]'] });
    this.emit({ type: 'resumed', sessionId: session.id, replayed: missed.length });
  }

  private requestGuildMembers(session: Session, d: unknown): void {
    if (typeof d !== 'object' || d === null) return;
    const body = d as Record<string, unknown>;
    const guildIds = Array.isArray(body.guild_id) ? body.guild_id : [body.guild_id];
    for (const guildId of guildIds) {
      if (typeof guildId !== 'string' || !this.core.store.guilds.has(guildId)) continue;
      let members = this.core.store.guildMembers(guildId);
      if (Array.isArray(body.user_ids)) members = members.filter((m) => (body.user_ids as unknown[]).includes(m.userId));
      else if (typeof body.query === 'string' && body.query !== '') {
        const q = body.query.toLowerCase();
        members = members.filter((m) => this.core.store.user(m.userId)?.username.toLowerCase().startsWith(q));
      }
      if (typeof body.limit === 'number' && body.limit > 0) members = members.slice(0, body.limit);
      this.dispatchTo(session, 'GUILD_MEMBERS_CHUNK', {
        guild_id: guildId,
        members: members.map((m) => this.core.store.memberObject(m, { withUser: true })),
        chunk_index: 0,
        chunk_count: 1,
        ...(typeof body.nonce === 'string' ? { nonce: body.nonce } : {}),
      });
    }
  }

  // ------------------------------------------------------------------------------------------
  // Knobs used by the driver

  /** Authenticated, open connections. */
  sessionInfos(): GatewaySessionInfo[] {
    return [...this.sessions.values()].map((session) => {
      const connected = session.connection !== null && !session.connection.closing;
      const last = this.connectionLog.filter((c) => c.sessionId === session.id).at(-1);
      return {
        id: session.id,
        shard: [session.shard[0], session.shard[1]],
        connected,
        alive: this.alive(session),
        closeCode: connected ? null : (last?.closeCode ?? null),
        closedBy: connected ? null : (last?.closedBy ?? null),
      };
    });
  }

  liveConnections(): Connection[] {
    return [...this.connections].filter((c) => c.session !== null && !c.closing);
  }

  sendReconnect(): number {
    const conns = this.liveConnections();
    for (const c of conns) this.send(c, { op: GatewayOpcode.Reconnect, d: null });
    return conns.length;
  }

  invalidateSession(resumable: boolean): number {
    const conns = this.liveConnections();
    for (const c of conns) {
      const session = c.session;
      if (!session) continue;
      if (!resumable) session.invalid = true;
      // The connection is unauthenticated again: the client answers with RESUME or IDENTIFY.
      session.connection = null;
      session.disconnectedAt = Date.now();
      c.session = null;
      this.send(c, { op: GatewayOpcode.InvalidSession, d: resumable });
    }
    return conns.length;
  }

  requestHeartbeat(): number {
    const conns = this.liveConnections();
    for (const c of conns) this.send(c, { op: GatewayOpcode.Heartbeat, d: null });
    return conns.length;
  }

  dropConnections(opts: { code?: number; resumable: boolean }): number {
    const conns = this.liveConnections();
    for (const c of conns) {
      if (!opts.resumable && c.session) c.session.invalid = true;
      if (opts.code === undefined) this.terminate(c);
      else this.close(c, opts.code);
    }
    return conns.length;
  }
}
