import { randomInt } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { completeJournalEntry, insertJournalIntent, reopenJournalEntry } from '../../src/db/queries/action-journal.js';
import { upsertChatIdentity } from '../../src/db/queries/identities.js';
import { DRIVER_NAME, sharedTestDatabase } from '../helpers/db.js';

/**
 * A job's write whose lease was taken over: the run that lost it may fail late, after the run that took
 * it over completed the write. The late failure must not turn the journal's "done" into "failed" (the
 * write happened; its Undo depends on "done").
 */
let database: Database;
beforeAll(async () => {
  database = await sharedTestDatabase();
});

describe(`completing a journal entry (${DRIVER_NAME})`, () => {
  it('GIVEN an entry completed as done WHEN a late attempt completes it as failed THEN it stays done with its changes', async () => {
    const identityId = (await upsertChatIdentity(database.db, { platform: 'telegram', platformUserId: String(randomInt(1, 2 ** 47)) })).id;
    const intent = await insertJournalIntent(database.db, { identityId, kind: 'add', items: [{ kind: 'movie' }], jobId: undefined });
    const done = await completeJournalEntry(database.db, intent.id, { status: 'done', changed: [{ kind: 'movie' }], result: { ok: true }, completedAt: new Date() });
    expect(done?.status).toBe('done');
    const late = await completeJournalEntry(database.db, intent.id, { status: 'failed', changed: [], result: { error: 'TraktUnavailableError' }, completedAt: new Date() });
    expect(late).toMatchObject({ status: 'done', changed: [{ kind: 'movie' }], result: { ok: true } });
    // A done entry is not reopened either; a failed one is.
    expect(await reopenJournalEntry(database.db, intent.id)).toBeUndefined();
    const other = await insertJournalIntent(database.db, { identityId, kind: 'add', items: [] });
    await completeJournalEntry(database.db, other.id, { status: 'failed', changed: [], result: null, completedAt: new Date() });
    expect((await reopenJournalEntry(database.db, other.id))?.status).toBe('pending');
  });
});
