import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLinkService, type LinkNotice, type LinkService } from '../../src/accounts/linking.js';
import type { Database } from '../../src/db/client.js';
import { decryptToken, encryptToken, secretAad } from '../../src/db/crypto.js';
import { upsertChatIdentity } from '../../src/db/queries/identities.js';
import { findTraktLink } from '../../src/db/queries/trakt-links.js';
import { linkAttempts } from '../../src/db/schema.js';
import type { TraktClient } from '../../src/trakt/client.js';
import { startTraktEmulator, type TraktEmulator } from '../emulators/trakt/index.js';
import { DRIVER_NAME, sharedTestDatabase } from '../helpers/db.js';
import { captureLogs } from '../helpers/logs.js';
import { testKeyRing, traktClientFor, uniqueName } from '../helpers/trakt-stack.js';

describe(`linking with the device code on ${DRIVER_NAME}`, () => {
  let emulator: TraktEmulator;
  let database: Database;
  let trakt: TraktClient;
  const ring = testKeyRing();
  const logs = captureLogs('debug');
  const notices: LinkNotice[] = [];
  let clock = Date.now();

  const service = (): LinkService =>
    createLinkService({
      database,
      ring,
      trakt,
      redirectUri: null,
      logger: logs.logger,
      notify: async (notice) => {
        notices.push(notice);
      },
      now: () => new Date(clock),
    });

  beforeAll(async () => {
    emulator = await startTraktEmulator({ rateLimits: false, catalogSize: 200, deviceIntervalSeconds: 1 });
    database = await sharedTestDatabase();
    trakt = traktClientFor(emulator, logs.logger);
  });
  afterAll(async () => {
    trakt.close();
    await emulator.close();
    expect(logs.text()).not.toContain(emulator.clientSecret);
  });
  beforeEach(() => {
    notices.length = 0;
    clock = Date.now();
  });

  async function begin(links: LinkService) {
    const username = uniqueName('device');
    emulator.addUser({ username });
    const identity = await upsertChatIdentity(database.db, { platform: 'discord', platformUserId: uniqueName('') });
    const start = await links.start({ identityId: identity.id, notify: { platform: 'discord', chatId: 'dm-1' } });
    if (start.kind !== 'device') throw new Error('expected a device link without a public URL');
    const [attempt] = await database.db.select().from(linkAttempts).where(eq(linkAttempts.identityId, identity.id));
    if (attempt === undefined) throw new Error('no attempt stored');
    return { username, identity, start, attempt };
  }

  /** Moves the clock past the attempt's next poll time and runs one polling pass. */
  async function pollNow(links: LinkService, attemptId: string) {
    const [row] = await database.db.select().from(linkAttempts).where(eq(linkAttempts.id, attemptId));
    if (row?.nextPollAt) clock = Math.max(clock, row.nextPollAt.getTime() + 1);
    await links.pollDueDevices();
    const [after] = await database.db.select().from(linkAttempts).where(eq(linkAttempts.id, attemptId));
    return after;
  }

  it('GIVEN no public URL THEN /link offers the activation link with the code filled in, and the code stays encrypted', async () => {
    const { start, attempt } = await begin(service());
    expect(start.url).toBe(`${emulator.authUrl}/activate/${start.userCode}`);
    expect(start.userCode).toMatch(/^[A-Z0-9]{8}$/);
    expect(attempt.deviceCodeEnc).toMatch(/^v1\./);
    expect(attempt.status).toBe('pending');
  });

  it('GIVEN a pending code THEN polling keeps waiting, and approval links the account and tells the chat', async () => {
    const links = service();
    const { username, identity, start, attempt } = await begin(links);
    expect((await pollNow(links, attempt.id))?.status).toBe('pending');
    expect(pollsOf(attempt).map((r) => r.status)).toEqual([400]);

    emulator.approveDevice(start.userCode, username);
    expect((await pollNow(links, attempt.id))?.status).toBe('linked');
    expect(await findTraktLink(database.db, identity.id)).toMatchObject({ traktUsername: username, status: 'active' });
    expect(noticesFor(identity.id)).toEqual([expect.objectContaining({ kind: 'linked', traktUsername: username })]);
  });

  it('GIVEN Trakt says slow down (429) THEN polling goes on, 5 s slower', async () => {
    const links = service();
    const { attempt } = await begin(links);
    // Two polls within one interval: the second is answered 429.
    await links.pollDueDevices();
    clock = (attempt.nextPollAt?.getTime() ?? clock) + 1;
    await links.pollDueDevices();
    await database.db.update(linkAttempts).set({ nextPollAt: new Date(clock - 1) }).where(eq(linkAttempts.id, attempt.id));
    await links.pollDueDevices();
    expect(pollsOf(attempt).map((r) => r.status)).toContain(429);
    const [after] = await database.db.select().from(linkAttempts).where(eq(linkAttempts.id, attempt.id));
    expect(after?.status).toBe('pending');
    expect(after?.pollIntervalSeconds).toBe(6);
  });

  it.each([
    ['denied (418)', 'denied', 'denied'],
    ['expired (410)', 'expired', 'expired'],
    ['unknown code (404)', 'invalid_code', 'failed'],
  ] as const)('GIVEN the code is %s THEN polling stops and the user is told', async (_label, reason, status) => {
    const links = service();
    const { start, attempt } = await begin(links);
    if (reason === 'denied') emulator.denyDevice(start.userCode);
    if (reason === 'expired') emulator.expireDevice(start.userCode);
    if (reason === 'invalid_code') {
      await database.db
        .update(linkAttempts)
        .set({ deviceCodeEnc: encryptToken(ring, 'no-such-device-code', secretAad('link_attempts', 'device_code', attempt.id)) })
        .where(eq(linkAttempts.id, attempt.id));
    }
    expect((await pollNow(links, attempt.id))?.status).toBe(status);
    expect(noticesFor(attempt.identityId)).toEqual([expect.objectContaining({ kind: 'failed', reason })]);
    const polls = pollsOf(attempt).length;
    clock += 60_000;
    await links.pollDueDevices();
    expect(pollsOf(attempt).length).toBe(polls);
  });

  it('GIVEN a code already used (409) THEN polling stops', async () => {
    const links = service();
    const { username, start, attempt } = await begin(links);
    emulator.approveDevice(start.userCode, username);
    expect((await pollNow(links, attempt.id))?.status).toBe('linked');
    notices.splice(0);
    // Pretend the success was lost: the attempt is pending again and polls once more.
    await database.db
      .update(linkAttempts)
      .set({
        status: 'pending',
        deviceCodeEnc: attempt.deviceCodeEnc,
      })
      .where(eq(linkAttempts.id, attempt.id));
    expect((await pollNow(links, attempt.id))?.status).toBe('failed');
    expect(pollsOf(attempt).at(-1)?.status).toBe(409);
    expect(noticesFor(attempt.identityId)).toEqual([expect.objectContaining({ kind: 'failed', reason: 'already_used' })]);
  });

  it('GIVEN the code outlives its expiry without an answer THEN the attempt expires and the user is told', async () => {
    const links = service();
    const { attempt } = await begin(links);
    clock = attempt.expiresAt.getTime() + 1;
    await links.pollDueDevices();
    const [after] = await database.db.select().from(linkAttempts).where(eq(linkAttempts.id, attempt.id));
    expect(after?.status).toBe('expired');
    expect(noticesFor(attempt.identityId)).toEqual([expect.objectContaining({ kind: 'failed', reason: 'expired' })]);
    expect(pollsOf(attempt)).toEqual([]);
  });

  it('GIVEN the service restarts during a device link THEN a new instance resumes polling and completes it', async () => {
    const before = service();
    const { username, identity, start, attempt } = await begin(before);
    await pollNow(before, attempt.id);
    emulator.approveDevice(start.userCode, username);
    const after = service();
    expect((await pollNow(after, attempt.id))?.status).toBe('linked');
    expect(await findTraktLink(database.db, identity.id)).toMatchObject({ traktUsername: username });
  });

  it('GIVEN a second /link THEN the earlier attempt is cancelled and no longer polled', async () => {
    const links = service();
    const { identity, attempt } = await begin(links);
    await links.start({ identityId: identity.id, notify: { platform: 'discord', chatId: 'dm-1' } });
    const [old] = await database.db.select().from(linkAttempts).where(eq(linkAttempts.id, attempt.id));
    expect(old?.status).toBe('cancelled');
  });

  /** Other tests' attempts stay pending in the shared database and get polled too: look at one attempt only. */
  function noticesFor(identityId: number) {
    return notices.filter((n) => n.identityId === identityId);
  }
  function pollsOf(attempt: { id: string; deviceCodeEnc: string | null }) {
    const code = decryptToken(ring, attempt.deviceCodeEnc ?? '', secretAad('link_attempts', 'device_code', attempt.id));
    return emulator.requests.filter((r) => r.route === 'POST /oauth/device/token' && (r.body as { code?: string }).code === code);
  }

});
