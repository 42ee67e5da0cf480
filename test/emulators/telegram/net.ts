// Minimal HTTP client on node:http (no connection pooling, so nothing keeps sockets open after close).
import { request } from 'node:http';

export interface HttpResult {
  status: number;
  statusText: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export function httpRequest(
  url: string,
  init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string | Buffer; timeoutMs: number; signal?: AbortSignal },
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    if (target.protocol !== 'http:') {
      reject(new Error(`emulator can only reach http:// URLs, got ${target.protocol}`));
      return;
    }
    const req = request(
      target,
      {
        method: init.method,
        headers: { connection: 'close', ...init.headers },
        agent: false,
        timeout: init.timeoutMs,
        signal: init.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('Timeout expired')));
    req.on('error', reject);
    req.end(init.body);
  });
}
