// Helpers for the emulator's own tests: a bare gateway client speaking the raw protocol, and a
// tiny PNG maker.

import zlib from 'node:zlib';
import { WebSocket } from 'ws';

export interface GatewayPayload {
  op: number;
  d: unknown;
  s: number | null;
  t: string | null;
}

/** A minimal gateway client: records every payload, answers nothing by itself. */
export class RawGatewayClient {
  readonly received: GatewayPayload[] = [];
  /** Every frame as it came over the wire. */
  readonly frames: Array<{ binary: boolean; syncFlushed: boolean }> = [];
  closeCode: number | null = null;
  closeReason = '';
  private readonly waiters = new Set<() => void>();
  private inflate: zlib.Inflate | null = null;
  private inflateChunks: Buffer[] = [];

  private constructor(readonly ws: WebSocket) {}

  static async connect(url: string): Promise<RawGatewayClient> {
    const ws = new WebSocket(url);
    const client = new RawGatewayClient(ws);
    const query = new URL(url).searchParams;
    if (query.get('compress') === 'zlib-stream') {
      client.inflate = zlib.createInflate({ chunkSize: 65535 });
      client.inflate.on('data', (c: Buffer) => client.inflateChunks.push(c));
    }
    ws.on('message', (data, isBinary) => client.onData(data as Buffer, isBinary));
    ws.on('close', (code, reason) => {
      client.closeCode = code;
      client.closeReason = reason.toString();
      client.notify();
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  private onData(data: Buffer, isBinary: boolean): void {
    const l = data.length;
    this.frames.push({ binary: isBinary, syncFlushed: l >= 4 && data.readUInt32BE(l - 4) === 0x0000ffff });
    if (!isBinary) {
      this.push(JSON.parse(data.toString('utf8')) as GatewayPayload);
      return;
    }
    const inflate = this.inflate;
    if (inflate) {
      // zlib-stream: a message is complete when the data ends with 00 00 ff ff.
      inflate.write(data);
      if (l >= 4 && data.readUInt32BE(l - 4) === 0x0000ffff) {
        inflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
          const text = Buffer.concat(this.inflateChunks).toString('utf8');
          this.inflateChunks = [];
          this.push(JSON.parse(text) as GatewayPayload);
        });
      }
      return;
    }
    this.push(JSON.parse(zlib.inflateSync(data).toString('utf8')) as GatewayPayload);
  }

  private push(payload: GatewayPayload): void {
    this.received.push(payload);
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  send(payload: unknown): void {
    this.ws.send(typeof payload === 'string' ? payload : JSON.stringify(payload));
  }

  /** Waits for a payload matching `match` received after index `from` (default: any so far). */
  waitFor(match: (p: GatewayPayload) => boolean, opts: { from?: number; timeoutMs?: number } = {}): Promise<GatewayPayload> {
    const from = opts.from ?? 0;
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.received.slice(from).find(match);
        if (found) {
          cleanup();
          resolve(found);
          return true;
        }
        if (this.closeCode !== null) {
          cleanup();
          reject(new Error(`connection closed (${this.closeCode} ${this.closeReason}) before the payload arrived`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error('timed out waiting for a gateway payload'));
      }, opts.timeoutMs ?? 5000);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter = (): void => {
        check();
      };
      this.waiters.add(waiter);
      check();
    });
  }

  dispatch(t: string, opts: { from?: number; timeoutMs?: number } = {}): Promise<GatewayPayload> {
    return this.waitFor((p) => p.op === 0 && p.t === t, opts);
  }

  /** Resolves with the close code once the server closed the connection. */
  closed(timeoutMs = 5000): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.closeCode !== null) {
        resolve(this.closeCode);
        return;
      }
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error('connection still open'));
      }, timeoutMs);
      const waiter = (): void => {
        if (this.closeCode !== null) {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(this.closeCode);
        }
      };
      this.waiters.add(waiter);
    });
  }

  identify(token: string, extra: Record<string, unknown> = {}): void {
    this.send({
      op: 2,
      d: { token, intents: 1, properties: { os: 'linux', browser: 'raw-test', device: 'raw-test' }, ...extra },
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

function crc32(buf: Buffer): number {
  let crc = ~0;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return ~crc >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A valid grey RGB PNG of the given size. */
export function makePng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x80)]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
