import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Update } from 'grammy/types';
import type { User } from '../emulators/telegram/index.js';

export interface Forwarded {
  updateId: number;
  instance: number;
  /** What the instance answered. */
  status: number;
  /** What Telegram was told (504 when the answer was "lost"). */
  told: number;
  /** How long the instance took to answer, in milliseconds (for benchmarks; tests never look at it). */
  answerMs: number;
}

/**
 * A tiny round-robin load balancer (for test/e2e/telegram/multi-instance.test.ts and bench/telegram-multi) in front of the instances' webhook routes (PUBLIC_URL points here).
 * `loseAnswer` picks deliveries whose answer never reaches Telegram (a timeout at the balancer): the
 * instance got the update, Telegram hears 504 and delivers it again, to the next instance.
 */
export async function startBalancer(loseAnswer: (updateId: number, seen: number) => boolean): Promise<{ url: string; targets: string[]; log: Forwarded[]; close(): Promise<void> }> {
  const targets: string[] = [];
  const log: Forwarded[] = [];
  const seen = new Map<number, number>();
  let next = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const updateId = (JSON.parse(body) as { update_id: number }).update_id;
        if (targets.length === 0) {
          response.writeHead(503).end();
          return;
        }
        const instance = next++ % targets.length;
        const times = (seen.get(updateId) ?? 0) + 1;
        seen.set(updateId, times);
        const startedAt = performance.now();
        const answer = await fetch(`${targets[instance]}${request.url ?? ''}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': String(request.headers['x-telegram-bot-api-secret-token'] ?? '') },
          body,
        }).then(
          async (r) => ({ status: r.status, body: await r.text() }),
          () => ({ status: 502, body: '' }),
        );
        const told = answer.status === 200 && loseAnswer(updateId, times) ? 504 : answer.status;
        log.push({ updateId, instance, status: answer.status, told, answerMs: performance.now() - startedAt });
        response.writeHead(told, { 'content-type': 'application/json' }).end(told === 200 ? answer.body : '');
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    targets,
    log,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A private-chat `/help` from `user`, as Telegram would post it, under an update id of the test's choosing. */
export function helpUpdate(updateId: number, user: User): Update {
  return {
    update_id: updateId,
    message: {
      message_id: updateId % 1_000_000,
      date: Math.floor(Date.now() / 1000),
      chat: { id: user.id, type: 'private', first_name: user.first_name },
      from: user,
      text: '/help',
      entities: [{ type: 'bot_command', offset: 0, length: 5 }],
    },
  } as Update;
}
