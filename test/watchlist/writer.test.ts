import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenManager } from '../../src/accounts/token-manager.js';
import { createJournalStore, createWatchlistStore } from '../../src/bot/services/stores.js';
import { createTraktPort } from '../../src/bot/services/trakt-port.js';
import type { Database } from '../../src/db/client.js';
import type { Target } from '../../src/domain/target.js';
import { targetKey } from '../../src/domain/target.js';
import { createWatchlistWriter, type WatchlistWriter, type WatchlistWriterDeps } from '../../src/watchlist/writer.js';
import type { WriterTrakt } from '../../src/watchlist/ports.js';
import { startTraktEmulator, type TraktEmulator } from '../emulators/trakt/index.js';
import type { CatalogRef } from '../emulators/trakt/types.js';
import { DRIVER_NAME, throwAwayDatabase, type ThrowAwayDatabase } from '../helpers/db.js';
import { captureLogs } from '../helpers/logs.js';
import { linkedIdentity, testKeyRing, traktClientFor } from '../helpers/trakt-stack.js';

/**
 * The watchlist writer on the real stack: the Trakt emulator over HTTP, the Trakt client, the token
 * manager, and the journal and copy stores on a database of its own (PGlite, or Postgres with
 * TEST_DATABASE_URL): `resumeInterrupted` looks at every pending row, so no neighbour's rows may be there.
 */
let emulator: TraktEmulator;
let scratch: ThrowAwayDatabase;
let database: Database;
let port: ReturnType<typeof createTraktPort>;
const ring = testKeyRing();
const logs = captureLogs('info');

beforeAll(async () => {
  emulator = await startTraktEmulator({ catalogSize: 300 });
  scratch = await throwAwayDatabase();
  database = await scratch.open();
  await database.migrate();
  const client = traktClientFor(emulator);
  const tokens = createTokenManager({
    database,
    ring,
    oauth: client.oauth,
    redirectUri: 'urn:ietf:wg:oauth:2.0:oob',
    logger: logs.logger,
    onRelinkRequired: async () => undefined,
  });
  port = createTraktPort({ trakt: client, tokens });
});
afterAll(async () => {
  await scratch?.drop();
  await emulator?.close();
});

function writerWith(overrides: Partial<WatchlistWriterDeps> = {}): WatchlistWriter {
  return createWatchlistWriter({
    trakt: port,
    journal: createJournalStore(database.db),
    watchlists: createWatchlistStore(database.db),
    logger: logs.logger,
    ...overrides,
  });
}

function movies(count: number, skip = 0): Array<{ target: Target; ref: CatalogRef }> {
  return emulator.catalog
    .movies()
    .slice(skip, skip + count)
    .map((m) => ({
      target: { kind: 'movie', title: { type: 'movie', ids: { trakt: m.ids.trakt }, title: m.title, year: m.year ?? null, posterUrl: null } },
      ref: { type: 'movie', trakt: m.ids.trakt },
    }));
}

const refsOf = (username: string) => emulator.watchlist(username).map((r) => r.ref);
const postsBy = (username: string) => emulator.requests.filter((r) => r.user === username && r.method === 'POST' && r.path.startsWith('/sync/watchlist')).length;

describe(`watchlist writer: what an undo takes back (${DRIVER_NAME})`, () => {
  it('GIVEN three titles, one added on trakt.tv after the copy was read WHEN the batch is added and undone THEN the journal holds the two added and Undo leaves the third', async () => {
    const { identity, user } = await linkedIdentity(database, ring, emulator);
    const writer = writerWith();
    const picks = movies(3, 10);
    const trakt = await port.forIdentity(identity.id);
    await writer.copy.current(identity.id, trakt); // the copy is read, then goes stale
    emulator.seedWatchlist(user.username, [picks[1]!.ref]);

    const outcome = await writer.write({ identityId: identity.id, op: 'add', targets: picks.map((p) => p.target) });
    expect(outcome.changed.map(targetKey).sort()).toEqual([picks[0]!.target, picks[2]!.target].map(targetKey).sort());
    expect(outcome.unchanged.map(targetKey)).toEqual([targetKey(picks[1]!.target)]);
    expect(outcome.uncertain).toEqual([]);
    expect(outcome.entry.targets.map(targetKey).sort()).toEqual(outcome.changed.map(targetKey).sort());
    expect(outcome.itemCount).toBe(3);

    const undo = await writer.undo({ identityId: identity.id, journalId: outcome.entry.id, windowMs: 60_000 });
    expect(undo.kind).toBe('undone');
    expect(refsOf(user.username)).toEqual([picks[1]!.ref]);
  });

  it('GIVEN Trakt counts that disagree with the copy (a trakt.tv add between the check and the write) WHEN the batch is added THEN the uncertain titles stay out of the journal, and Undo never removes the other one', async () => {
    const { identity, user } = await linkedIdentity(database, ring, emulator);
    const picks = movies(3, 20);
    // Our own port, racing a trakt.tv add in just before the write reaches Trakt.
    const racing = {
      async forIdentity(id: number): Promise<WriterTrakt> {
        const real = await port.forIdentity(id);
        return {
          watchlistActivity: () => real.watchlistActivity(),
          watchlistAll: () => real.watchlistAll(),
          remove: (targets) => real.remove(targets),
          add: (targets) => {
            emulator.seedWatchlist(user.username, [picks[0]!.ref]);
            return real.add(targets);
          },
        };
      },
    };
    const writer = writerWith({ trakt: racing });
    const outcome = await writer.write({ identityId: identity.id, op: 'add', targets: picks.map((p) => p.target) });
    expect(outcome.result.changed.movies).toBe(2);
    expect(outcome.entry.targets.map(targetKey)).not.toContain(targetKey(picks[0]!.target));
    // Trakt says two of three were added; the copy said none was there, and the re-read shows all three
    // listed just now: which one was already there cannot be told, so none goes into the undo.
    expect(outcome.changed).toEqual([]);
    expect(outcome.uncertain.map(targetKey).sort()).toEqual(picks.map((p) => targetKey(p.target)).sort());

    expect(await writer.lastUndoable(identity.id, new Date(Date.now() - 60_000))).toBeUndefined();
    expect(await writer.undo({ identityId: identity.id, journalId: outcome.entry.id, windowMs: 60_000 })).toEqual({ kind: 'not-undoable' });
    expect(refsOf(user.username)).toHaveLength(3);
  });

  it('GIVEN a single title added on trakt.tv after the copy was read WHEN the user adds it THEN nothing changed and there is nothing to undo', async () => {
    const { identity, user } = await linkedIdentity(database, ring, emulator);
    const [pick] = movies(1, 30);
    const writer = writerWith();
    await writer.copy.current(identity.id, await port.forIdentity(identity.id));
    emulator.seedWatchlist(user.username, [pick!.ref]);
    const outcome = await writer.write({ identityId: identity.id, op: 'add', targets: [pick!.target] });
    expect(outcome.changed).toEqual([]);
    expect(outcome.unchanged.map(targetKey)).toEqual([targetKey(pick!.target)]);
    expect(outcome.entry.targets).toEqual([]);
    expect(await writer.lastUndoable(identity.id, new Date(Date.now() - 60_000))).toBeUndefined();
    expect(refsOf(user.username)).toEqual([pick!.ref]);
  });
});

describe(`watchlist writer: what it asks Trakt (${DRIVER_NAME})`, () => {
  it('GIVEN one title WHEN it is added and undone THEN each is one write and no read: the answer names the title exactly', async () => {
    const { identity, user } = await linkedIdentity(database, ring, emulator);
    const [pick] = movies(1, 40);
    const writer = writerWith();
    const before = emulator.requests.filter((r) => r.user === user.username).length;
    const outcome = await writer.write({ identityId: identity.id, op: 'add', targets: [pick!.target] });
    expect(outcome.changed.map(targetKey)).toEqual([targetKey(pick!.target)]);
    const undone = await writer.undo({ identityId: identity.id, journalId: outcome.entry.id, windowMs: 60_000 });
    expect(undone.kind).toBe('undone');
    const asked = emulator.requests.filter((r) => r.user === user.username).slice(before).map((r) => r.route);
    expect(asked).toEqual(['POST /sync/watchlist', 'POST /sync/watchlist/remove']);
    expect(refsOf(user.username)).toEqual([]);
  });
});

describe(`watchlist writer: intents survive a stop (${DRIVER_NAME})`, () => {
  it('GIVEN a pending intent left by a killed process WHEN a new writer resumes THEN it is applied exactly once, journaled from Trakt’s answer, and reported', async () => {
    const { identity, user } = await linkedIdentity(database, ring, emulator);
    const picks = movies(2, 40);
    const journal = createJournalStore(database.db);
    // The killed process got as far as journaling its intent.
    const intent = await journal.begin({ identityId: identity.id, kind: 'add', targets: picks.map((p) => p.target) });
    expect(intent.status).toBe('pending');
    await new Promise((resolve) => setTimeout(resolve, 5));

    const startedAt = new Date();
    const [a, b] = [writerWith({ startedAt }), writerWith({ startedAt })];
    const [first, second] = await Promise.all([a.resumeInterrupted(), b.resumeInterrupted()]);
    const resumed = [...first, ...second];
    expect(resumed).toHaveLength(1);
    const [only] = resumed;
    expect(only).toMatchObject({ identityId: identity.id, op: 'add', undoes: null });
    expect(only?.targets.map(targetKey)).toEqual(picks.map((p) => targetKey(p.target)));
    expect(only?.outcome.ok).toBe(true);
    if (only?.outcome.ok) expect(only.outcome.write.changed).toHaveLength(2);
    expect(postsBy(user.username)).toBe(1);
    expect(refsOf(user.username)).toEqual(expect.arrayContaining(picks.map((p) => p.ref)));

    // Done now: neither this start nor the next takes it up again, and it can be undone.
    expect(await a.resumeInterrupted()).toEqual([]);
    expect(await writerWith({ startedAt: new Date() }).resumeInterrupted()).toEqual([]);
    expect(postsBy(user.username)).toBe(1);
    expect((await a.lastUndoable(identity.id, new Date(Date.now() - 60_000)))?.id).toBe(intent.id);
  });

  it('GIVEN an intent the killed process had already sent WHEN resumed THEN Trakt reports it existing, and the undo takes nothing back', async () => {
    const { identity, user } = await linkedIdentity(database, ring, emulator);
    const [pick] = movies(1, 50);
    const journal = createJournalStore(database.db);
    await journal.begin({ identityId: identity.id, kind: 'add', targets: [pick!.target] });
    emulator.seedWatchlist(user.username, [pick!.ref]); // Trakt got it; the answer was lost with the process
    await new Promise((resolve) => setTimeout(resolve, 5));

    const resumed = await writerWith({ startedAt: new Date() }).resumeInterrupted();
    expect(resumed).toHaveLength(1);
    expect(resumed[0]?.outcome.ok && resumed[0].outcome.write.unchanged.map(targetKey)).toEqual([targetKey(pick!.target)]);
    expect(refsOf(user.username)).toEqual([pick!.ref]);
  });

  it('GIVEN a write in this process WHEN Trakt answers THEN the row is completed and not left for the next start', async () => {
    const { identity } = await linkedIdentity(database, ring, emulator);
    const writer = writerWith();
    const [pick] = movies(1, 60);
    await writer.write({ identityId: identity.id, op: 'add', targets: [pick!.target] });
    expect(await writerWith({ startedAt: new Date(Date.now() + 1000) }).resumeInterrupted()).toEqual([]);
  });

  it('GIVEN a user whose Trakt client cannot be had (the link gone) WHEN a write is asked THEN its error reaches the caller, nothing is sent, and no intent is left for the next start', async () => {
    const { identity, user } = await linkedIdentity(database, ring, emulator);
    const gone = new Error('not linked any more');
    // The client is asked for while the intent is journaled: its failure comes after the journal's row exists.
    const writer = writerWith({ trakt: { forIdentity: () => new Promise((_, reject) => setTimeout(() => reject(gone), 20)) } });
    const [pick] = movies(1, 70);
    await expect(writer.write({ identityId: identity.id, op: 'add', targets: [pick!.target] })).rejects.toBe(gone);
    expect(postsBy(user.username)).toBe(0);
    expect(await writerWith({ startedAt: new Date(Date.now() + 1000) }).resumeInterrupted()).toEqual([]);
    expect(await writer.lastUndoable(identity.id, new Date(Date.now() - 60_000))).toBeUndefined();
  });
});
