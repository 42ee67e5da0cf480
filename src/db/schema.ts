import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * The database, as the source of truth for `drizzle/` (generated with `npm run db:generate`).
 * Secrets (Trakt tokens, PKCE verifiers, device codes) are stored only as ciphertexts produced by
 * src/db/crypto.ts; OAuth `state` values only as SHA-256 hashes.
 */

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

/** A person as one chat platform knows them. The same person on Telegram and Discord is two rows. */
export const chatIdentities = pgTable(
  'chat_identities',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    platform: text('platform', { enum: ['telegram', 'discord'] }).notNull(),
    platformUserId: text('platform_user_id').notNull(),
    displayName: text('display_name'),
    /** The client's language as the platform last said it (Telegram `language_code`, Discord `locale`). */
    locale: text('locale'),
    /** The user's own `/language` choice (`en`, `de`, …); null: follow the client's language. */
    language: text('language'),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('chat_identities_platform_user_uq').on(t.platform, t.platformUserId),
    check('chat_identities_platform_ck', sql`${t.platform} in ('telegram', 'discord')`),
  ],
);

/** A chat identity's link to a Trakt account, with its encrypted tokens. */
export const traktLinks = pgTable(
  'trakt_links',
  {
    identityId: bigint('identity_id', { mode: 'number' })
      .primaryKey()
      .references(() => chatIdentities.id, { onDelete: 'cascade' }),
    traktUsername: text('trakt_username').notNull(),
    traktSlug: text('trakt_slug').notNull(),
    traktUuid: text('trakt_uuid'),
    vip: boolean('vip').notNull().default(false),
    /** `limits.watchlist.item_count` from /users/settings; null when Trakt did not say. */
    watchlistLimit: integer('watchlist_limit'),
    accessTokenEnc: text('access_token_enc').notNull(),
    refreshTokenEnc: text('refresh_token_enc').notNull(),
    /** Id of the key that encrypted both tokens (also inside each ciphertext). */
    keyId: text('key_id').notNull(),
    tokenCreatedAt: timestamp('token_created_at', { withTimezone: true }).notNull(),
    /** `created_at + expires_in` as Trakt sent them; never a hard-coded lifetime. */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    status: text('status', { enum: ['active', 'needs_relink'] }).notNull().default('active'),
    relinkNotifiedAt: timestamp('relink_notified_at', { withTimezone: true }),
    linkedAt: timestamp('linked_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('trakt_links_slug_idx').on(t.traktSlug),
    index('trakt_links_expires_idx').on(t.expiresAt),
    check('trakt_links_status_ck', sql`${t.status} in ('active', 'needs_relink')`),
  ],
);

/** An OAuth authorization-code or device-code link attempt. */
export const linkAttempts = pgTable(
  'link_attempts',
  {
    /** Random id made by the service; also bound into the AAD of the encrypted columns. */
    id: text('id').primaryKey(),
    identityId: bigint('identity_id', { mode: 'number' })
      .notNull()
      .references(() => chatIdentities.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['oauth', 'device'] }).notNull(),
    /** SHA-256 of the OAuth `state` (authorization code flow only). */
    stateHash: text('state_hash'),
    pkceVerifierEnc: text('pkce_verifier_enc'),
    deviceCodeEnc: text('device_code_enc'),
    userCode: text('user_code'),
    verificationUrl: text('verification_url'),
    pollIntervalSeconds: integer('poll_interval_seconds'),
    nextPollAt: timestamp('next_poll_at', { withTimezone: true }),
    /** Where to tell the user about the outcome: `{ platform, chatId }`. */
    notify: jsonb('notify').$type<{ platform: 'telegram' | 'discord'; chatId: string }>(),
    status: text('status', { enum: ['pending', 'linked', 'denied', 'expired', 'failed', 'cancelled'] })
      .notNull()
      .default('pending'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('link_attempts_state_hash_uq').on(t.stateHash),
    index('link_attempts_poll_idx').on(t.status, t.nextPollAt),
    index('link_attempts_identity_idx').on(t.identityId),
  ],
);

/** State behind an inline button: the button carries only `v1:<action>:<id>`. */
export const pendingActions = pgTable(
  'pending_actions',
  {
    /**
     * `<view id><two index characters>`; a view's buttons are found by prefix (`like '<view>%'`).
     * Collated "C" (migration 0016; drizzle's schema cannot say so) so that the primary key's index
     * serves those prefix searches on any server collation. The table is also kept half-filled per
     * page (fillfactor 50, migration 0017) so that presses and binds update rows in place (HOT).
     */
    id: text('id').primaryKey(),
    ownerIdentityId: bigint('owner_identity_id', { mode: 'number' })
      .notNull()
      .references(() => chatIdentities.id, { onDelete: 'cascade' }),
    platform: text('platform', { enum: ['telegram', 'discord'] }).notNull(),
    chatId: text('chat_id').notNull(),
    messageId: text('message_id'),
    kind: text('kind').notNull(),
    payload: jsonb('payload').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    consumedAt: timestamp('consumed_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('pending_actions_expires_idx').on(t.expiresAt), index('pending_actions_owner_idx').on(t.ownerIdentityId)],
);

/** What a user changed on Trakt through the bot, so it can be undone. */
export const actionJournal = pgTable(
  'action_journal',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    identityId: bigint('identity_id', { mode: 'number' })
      .notNull()
      .references(() => chatIdentities.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['add', 'remove'] }).notNull(),
    /** The targets asked for (the intent): enough to write it again after a restart. */
    items: jsonb('items').notNull(),
    /**
     * `pending`: journaled before Trakt was called, with no answer yet (a process that stops here leaves
     * it for the next start to re-apply); `done`: Trakt answered; `failed`: Trakt refused, nothing changed.
     */
    status: text('status', { enum: ['pending', 'done', 'failed'] })
      .notNull()
      .default('done'),
    /** The targets this write changed, attributed from Trakt's answer: what an undo inverts. Null while pending. */
    changed: jsonb('changed'),
    /** Trakt's answer (counts, not_found, list). */
    result: jsonb('result'),
    /** The entry this write undoes; such a write is not itself undoable. */
    undoes: bigint('undoes', { mode: 'number' }),
    createdAt: createdAt(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    /** When a later start took a pending intent up again (one process per start gets it). */
    resumedAt: timestamp('resumed_at', { withTimezone: true }),
    /** When the process that journaled a pending intent stopped without Trakt's answer: resumable at once. */
    abandonedAt: timestamp('abandoned_at', { withTimezone: true }),
    undoneAt: timestamp('undone_at', { withTimezone: true }),
    /**
     * The job that carries this write (the offline queue). The job runner takes such an intent up
     * again when its job is rerun; resuming interrupted intents leaves it to the job.
     */
    jobId: bigint('job_id', { mode: 'number' }),
  },
  (t) => [
    index('action_journal_identity_created_idx').on(t.identityId, t.createdAt),
    index('action_journal_job_idx')
      .on(t.jobId)
      .where(sql`${t.jobId} is not null`),
    index('action_journal_pending_idx')
      .on(t.createdAt)
      .where(sql`${t.status} = 'pending'`),
  ],
);

/** Work that must survive a restart (the offline queue, bulk operations, device-code polling). */
export const jobs = pgTable(
  'jobs',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    kind: text('kind').notNull(),
    payload: jsonb('payload').notNull(),
    /** At most one live job per key (e.g. one watchlist sync per user). */
    dedupeKey: text('dedupe_key'),
    ownerIdentityId: bigint('owner_identity_id', { mode: 'number' }).references(() => chatIdentities.id, {
      onDelete: 'cascade',
    }),
    status: text('status', { enum: ['queued', 'running', 'done', 'failed', 'cancelled'] })
      .notNull()
      .default('queued'),
    runAt: timestamp('run_at', { withTimezone: true }).notNull().defaultNow(),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(5),
    lockedBy: text('locked_by'),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lastError: text('last_error'),
    /** Jobs of one lane run one at a time, oldest (lowest id) first; null = no lane. */
    lane: text('lane'),
    /** What a run saved so that a rerun does not repeat work (kind-specific JSON). */
    progress: jsonb('progress'),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('jobs_runnable_idx').on(t.status, t.runAt),
    uniqueIndex('jobs_live_dedupe_uq')
      .on(t.dedupeKey)
      .where(sql`${t.status} in ('queued', 'running')`),
    /** "Is there an older live job in this lane?" (the head-of-lane test of every claim). */
    index('jobs_live_lane_idx')
      .on(t.lane, t.id)
      .where(sql`${t.status} in ('queued', 'running') and ${t.lane} is not null`),
  ],
);

/**
 * The local copy of a user's Trakt watchlist (one row per entry), so /watchlist pages, sorts and
 * filters without asking Trakt. It is refreshed only when `GET /sync/last_activities` says the
 * watchlist moved (REFERENCE §10); `watchlist_sync` records the activity time the copy matches.
 */
export const watchlistSync = pgTable('watchlist_sync', {
  identityId: bigint('identity_id', { mode: 'number' })
    .primaryKey()
    .references(() => chatIdentities.id, { onDelete: 'cascade' }),
  /** `last_activities.watchlist.updated_at` the copy matches; null = the copy must be re-read. */
  activityAt: timestamp('activity_at', { withTimezone: true }),
  /** When last_activities was last asked. */
  checkedAt: timestamp('checked_at', { withTimezone: true }).notNull().defaultNow(),
  syncedAt: timestamp('synced_at', { withTimezone: true }).notNull().defaultNow(),
  itemCount: integer('item_count').notNull().default(0),
});

export const watchlistItems = pgTable(
  'watchlist_items',
  {
    identityId: bigint('identity_id', { mode: 'number' })
      .notNull()
      .references(() => chatIdentities.id, { onDelete: 'cascade' }),
    /** `movie:<trakt>`, `show:<trakt>`, `season:<show trakt>:<n>`, `episode:<show trakt>:<s>:<e>`. */
    itemKey: text('item_key').notNull(),
    type: text('type', { enum: ['movie', 'show', 'season', 'episode'] }).notNull(),
    /** Trakt id of the movie or show (the show for seasons and episodes). */
    traktId: integer('trakt_id').notNull(),
    title: text('title').notNull(),
    /** Lower-cased title without a leading article, for sorting and matching. */
    sortTitle: text('sort_title').notNull(),
    year: integer('year'),
    rating: real('rating'),
    listedAt: timestamp('listed_at', { withTimezone: true }).notNull(),
    rank: integer('rank'),
    /** What a card needs (the Trakt title, season/episode), as JSON. */
    data: jsonb('data').notNull(),
    /**
     * Read from `data` by Postgres on every write (stored generated columns), for /watchlist's filters
     * and sorts: the title's runtime in minutes (a show's episode runtime), its genre slugs (a JSON
     * array), and its release date `YYYY-MM-DD` (a movie's release, a show's first airing). A season's
     * or an episode's are its show's.
     */
    runtime: integer('runtime').generatedAlwaysAs(
      sql`round((case when type in ('movie', 'show') then data #>> '{target,title,runtime}' else data #>> '{target,show,runtime}' end)::numeric)::integer`,
    ),
    genres: jsonb('genres').generatedAlwaysAs(
      sql`case when type in ('movie', 'show') then data #> '{target,title,genres}' else data #> '{target,show,genres}' end`,
    ),
    released: text('released').generatedAlwaysAs(
      sql`left(case when type in ('movie', 'show') then coalesce(data #>> '{target,title,released}', data #>> '{target,title,firstAired}') else data #>> '{target,show,firstAired}' end, 10)`,
    ),
  },
  (t) => [
    primaryKey({ columns: [t.identityId, t.itemKey] }),
    index('watchlist_items_listed_idx').on(t.identityId, t.listedAt),
    index('watchlist_items_title_idx').on(t.identityId, t.sortTitle),
    index('watchlist_items_year_idx').on(t.identityId, t.year),
    index('watchlist_items_rating_idx').on(t.identityId, t.rating),
    index('watchlist_items_runtime_idx').on(t.identityId, t.runtime),
    index('watchlist_items_released_idx').on(t.identityId, t.released),
    /** A title's rows across members' copies (group picks read the pooled titles by it). */
    index('watchlist_items_trakt_idx').on(t.traktId, t.identityId),
  ],
);

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});

/**
 * Posters downloaded once from Trakt's image CDN (REFERENCE §6 forbids hot-linking) and kept here, so
 * each image is fetched once for every chat platform and every restart.
 */
export const posterCache = pgTable('poster_cache', {
  url: text('url').primaryKey(),
  contentType: text('content_type'),
  data: bytea('data'),
  /** Set when the download failed; cards go out without the image until `retry_after`. */
  failedAt: timestamp('failed_at', { withTimezone: true }),
  retryAfter: timestamp('retry_after', { withTimezone: true }),
  fetchedAt: timestamp('fetched_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A platform's handle for an image uploaded once (Telegram's `file_id`), reused instead of re-uploading. */
export const chatFiles = pgTable(
  'chat_files',
  {
    platform: text('platform', { enum: ['telegram', 'discord'] }).notNull(),
    sourceUrl: text('source_url').notNull(),
    fileId: text('file_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.sourceUrl] })],
);

export type ChatIdentity = typeof chatIdentities.$inferSelect;
export type TraktLinkRow = typeof traktLinks.$inferSelect;
export type LinkAttemptRow = typeof linkAttempts.$inferSelect;
export type PendingActionRow = typeof pendingActions.$inferSelect;
export type ActionJournalRow = typeof actionJournal.$inferSelect;
export type JobRow = typeof jobs.$inferSelect;
/**
 * Group picks (src/bot/core/picks): a chat's vote on what to watch. One live session per chat (the
 * partial unique index); members joined by consent; the ballot fixed when the vote starts; approvals
 * as an array on the member's row, so a vote is one atomic single-row update.
 */
export const pickSessions = pgTable(
  'pick_sessions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** Public id in buttons and in the tie-break's seed. */
    token: text('token').notNull(),
    platform: text('platform', { enum: ['telegram', 'discord'] }).notNull(),
    chatId: text('chat_id').notNull(),
    /** The session card, once sent (edited as people join and vote). */
    cardMessageId: text('card_message_id'),
    hostIdentityId: bigint('host_identity_id', { mode: 'number' })
      .notNull()
      .references(() => chatIdentities.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['gathering', 'voting', 'closed', 'cancelled'] }).notNull().default('gathering'),
    /** Filters, ballot size and voting time as the host gave them (JSON, see picks/options.ts). */
    options: jsonb('options').notNull(),
    /** Approvals each member may give (set when the vote starts). */
    cap: integer('cap'),
    deadline: timestamp('deadline', { withTimezone: true }),
    /** How the pool was made: members counted and how old the copies were (JSON). */
    pool: jsonb('pool'),
    /** The outcome once closed: winner, tally, seed (JSON, see picks/tally.ts). */
    result: jsonb('result'),
    closedBy: text('closed_by'),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('pick_sessions_token_uq').on(t.token),
    uniqueIndex('pick_sessions_live_chat_uq')
      .on(t.platform, t.chatId)
      .where(sql`${t.status} in ('gathering', 'voting')`),
    index('pick_sessions_chat_closed_idx').on(t.platform, t.chatId, t.closedAt),
  ],
);

export const pickMembers = pgTable(
  'pick_members',
  {
    sessionId: bigint('session_id', { mode: 'number' })
      .notNull()
      .references(() => pickSessions.id, { onDelete: 'cascade' }),
    identityId: bigint('identity_id', { mode: 'number' })
      .notNull()
      .references(() => chatIdentities.id, { onDelete: 'cascade' }),
    displayName: text('display_name').notNull(),
    /** `linked` pools the linked account's copy; `public` a public profile read without linking; `awaiting-link` is not counted until the link completes. */
    via: text('via', { enum: ['linked', 'public', 'awaiting-link'] }).notNull(),
    traktUsername: text('trakt_username'),
    /** Wants the result privately. */
    notify: boolean('notify').notNull().default(false),
    /** Ballot positions this member approves. */
    approvals: integer('approvals').array().notNull().default(sql`'{}'::integer[]`),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
    leftAt: timestamp('left_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.identityId] })],
);

export const pickBallot = pgTable(
  'pick_ballot',
  {
    sessionId: bigint('session_id', { mode: 'number' })
      .notNull()
      .references(() => pickSessions.id, { onDelete: 'cascade' }),
    /** 0-based order on the ballot; what approvals name. */
    position: integer('position').notNull(),
    /** `movie:<trakt>` or `show:<trakt>`. */
    itemKey: text('item_key').notNull(),
    /** The title (domain Title) as JSON. */
    title: jsonb('title').notNull(),
    wantedBy: integer('wanted_by').notNull(),
    /** Set for a title a member nominated (before the vote started). */
    nominatedBy: bigint('nominated_by', { mode: 'number' }).references(() => chatIdentities.id, { onDelete: 'set null' }),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.position] }), uniqueIndex('pick_ballot_item_uq').on(t.sessionId, t.itemKey)],
);

export type PickSessionRow = typeof pickSessions.$inferSelect;
export type PickMemberRow = typeof pickMembers.$inferSelect;
export type PickBallotRow = typeof pickBallot.$inferSelect;

/**
 * Imports (src/bot/core/imports): a file's rows, each matched to a Trakt title, previewed, then applied
 * in batches by jobs in the user's write lane. Every row's state is kept, so matching and applying
 * resume where they stopped after a crash or a restart.
 */
export const imports = pgTable(
  'imports',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    identityId: bigint('identity_id', { mode: 'number' })
      .notNull()
      .references(() => chatIdentities.id, { onDelete: 'cascade' }),
    platform: text('platform', { enum: ['telegram', 'discord'] }).notNull(),
    /** Where the progress card is (the private chat). */
    chatId: text('chat_id').notNull(),
    cardMessageId: text('card_message_id'),
    status: text('status', { enum: ['matching', 'preview', 'applying', 'done', 'cancelled', 'undoing', 'undone'] })
      .notNull()
      .default('matching'),
    format: text('format').notNull(),
    fileName: text('file_name').notNull(),
    /** What reading the file skipped and noted (JSON). */
    reading: jsonb('reading').notNull(),
    /** The outcome as the summary card shows it (JSON). */
    summary: jsonb('summary'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('imports_identity_idx').on(t.identityId, t.createdAt)],
);

export const importItems = pgTable(
  'import_items',
  {
    importId: bigint('import_id', { mode: 'number' })
      .notNull()
      .references(() => imports.id, { onDelete: 'cascade' }),
    /** Order in the file (0-based). */
    position: integer('position').notNull(),
    /** The row as read (JSON, src/imports ImportRow). */
    row: jsonb('row').notNull(),
    state: text('state', { enum: ['pending', 'matched', 'ambiguous', 'not-found', 'skipped'] })
      .notNull()
      .default('pending'),
    /** The watchlist target it matched (JSON). */
    target: jsonb('target'),
    /** For an ambiguous row: what the user chooses from (JSON). */
    candidates: jsonb('candidates'),
    /** The apply batch it goes in (null: not applied). */
    batch: integer('batch'),
    outcome: text('outcome', { enum: ['added', 'existing', 'not-found', 'listed', 'over-limit', 'duplicate'] }),
  },
  (t) => [primaryKey({ columns: [t.importId, t.position] }), index('import_items_batch_idx').on(t.importId, t.batch)],
);

export const importBatches = pgTable(
  'import_batches',
  {
    importId: bigint('import_id', { mode: 'number' })
      .notNull()
      .references(() => imports.id, { onDelete: 'cascade' }),
    batch: integer('batch').notNull(),
    /** The write's journal entry, for Undo import. */
    journalId: bigint('journal_id', { mode: 'number' }),
    doneAt: timestamp('done_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.importId, t.batch] })],
);

export type ImportRowRecord = typeof imports.$inferSelect;
export type ImportItemRecord = typeof importItems.$inferSelect;

export type WatchlistItemRow = typeof watchlistItems.$inferSelect;
export type WatchlistSyncRow = typeof watchlistSync.$inferSelect;

/**
 * Release notices (`/notify`): one row per chat identity that set them up. Quiet hours are minutes of
 * the day in `time_zone` (an IANA zone); start > end spans midnight (22:00–08:00).
 */
export const noticeSettings = pgTable(
  'notice_settings',
  {
    identityId: bigint('identity_id', { mode: 'number' })
      .primaryKey()
      .references(() => chatIdentities.id, { onDelete: 'cascade' }),
    enabled: boolean('enabled').notNull().default(false),
    /** When notices were last turned on: nothing released before that day is announced. */
    enabledAt: timestamp('enabled_at', { withTimezone: true }),
    quietStartMinute: integer('quiet_start_minute'),
    quietEndMinute: integer('quiet_end_minute'),
    timeZone: text('time_zone').notNull().default('UTC'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('notice_settings_enabled_idx').on(t.enabled),
    check('notice_settings_quiet_ck', sql`(${t.quietStartMinute} is null) = (${t.quietEndMinute} is null)`),
  ],
);

/**
 * Each release notice, once: the unique key (identity, item, event) makes finding the same release again
 * a no-op. A row is written when a calendar read finds the release and waits (`sent_at` null) until it
 * may be sent (quiet hours); delivery claims rows by setting `sent_at` before sending, so of two runs only
 * one sends a row (at most once; a failed send gives its rows back).
 */
export const notices = pgTable(
  'notices',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    identityId: bigint('identity_id', { mode: 'number' })
      .notNull()
      .references(() => chatIdentities.id, { onDelete: 'cascade' }),
    /** `movie:<trakt>` or `episode:<show trakt>:<season>:<episode>`. */
    itemKey: text('item_key').notNull(),
    /** `release` (a movie, whichever of its dates came first), `episode` or `premiere` (a season's first episode). */
    event: text('event').notNull(),
    /** What the message says (title, year, the kind of release, the episode). */
    detail: jsonb('detail').notNull(),
    /** When it came out. */
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('notices_identity_item_event_uq').on(t.identityId, t.itemKey, t.event),
    index('notices_unsent_idx').on(t.identityId).where(sql`${t.sentAt} is null`),
  ],
);

export type NoticeSettingsRow = typeof noticeSettings.$inferSelect;
export type NoticeRow = typeof notices.$inferSelect;

/**
 * Each user's watched progress on a show of their watchlist (`GET /shows/:id/progress/watched`), read
 * lazily for the page being shown (src/bot/core/show-progress.ts). A row is current while
 * `last_activities.episodes.watched_at` still equals `activity_at` and `fetched_at` is recent (new
 * episodes air without that time moving).
 */
export const showProgress = pgTable(
  'show_progress',
  {
    identityId: bigint('identity_id', { mode: 'number' })
      .notNull()
      .references(() => chatIdentities.id, { onDelete: 'cascade' }),
    showTraktId: integer('show_trakt_id').notNull(),
    /** Aired episodes (Trakt counts only those) and how many of them are watched. */
    aired: integer('aired').notNull(),
    completed: integer('completed').notNull(),
    /** The next episode to watch, when there is one. */
    nextSeason: integer('next_season'),
    nextEpisode: integer('next_episode'),
    nextTitle: text('next_title'),
    /** `last_activities.episodes.watched_at` when this was read (null: Trakt had none). */
    activityAt: timestamp('activity_at', { withTimezone: true }),
    fetchedAt: timestamp('fetched_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.identityId, t.showTraktId] }),
    /** The "in progress" filter: a user's started-but-unfinished shows. */
    index('show_progress_started_idx').on(t.identityId).where(sql`${t.completed} > 0 and ${t.completed} < ${t.aired}`),
  ],
);

export type ShowProgressRow = typeof showProgress.$inferSelect;

/**
 * Discord gateway shards divided among the instances of one bot (src/db/queries/discord-shards.ts):
 * one row per shard, held by at most one instance at a time through a lease that its holder renews
 * (times from the database's clock, so instances need no synchronised clocks). Every row carries the
 * shard count the first instance fixed; all instances use it. Changing the count: stop every
 * instance, `delete from discord_shard_leases`, start them with the new DISCORD_SHARD_COUNT.
 */
export const discordShardLeases = pgTable(
  'discord_shard_leases',
  {
    shardId: integer('shard_id').primaryKey(),
    shardCount: integer('shard_count').notNull(),
    /** The instance holding the shard (its random id, new at every start); null: free. */
    owner: text('owner'),
    /** The lease ends here unless renewed; past it, any instance may take the shard. */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    /** Bumped at every new holder: tells two holds of one shard apart (in logs). */
    generation: bigint('generation', { mode: 'number' }).notNull().default(0),
    updatedAt: updatedAt(),
  },
  (t) => [check('discord_shard_leases_shard_ck', sql`${t.shardId} >= 0 and ${t.shardId} < ${t.shardCount}`)],
);

/**
 * Instances taking part in the division of Discord shards, each alive while its heartbeat is
 * recent (`expires_at` in the future): the fair share of each is the shard count over these.
 */
export const discordGatewayInstances = pgTable('discord_gateway_instances', {
  instanceId: text('instance_id').primaryKey(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Telegram updates claimed by an instance, so that several instances sharing this database handle
 * each `update_id` once: a webhook behind a load balancer gets Telegram's redeliveries on any
 * instance, and a poller taking over gets the updates its predecessor fetched but had not confirmed.
 * A claim is `claimed` while `done_at` is null; its lease is renewed while the update is handled, so a
 * claim whose lease ran out belongs to an instance that died and is taken over (with the update kept
 * in `payload` until done). Rows are pruned after a day (Telegram keeps an undelivered update 24 h).
 */
export const telegramUpdates = pgTable(
  'telegram_updates',
  {
    /** The bot's numeric id (the part of the token before the colon, which is not secret). */
    botId: bigint('bot_id', { mode: 'number' }).notNull(),
    updateId: bigint('update_id', { mode: 'number' }).notNull(),
    claimedBy: text('claimed_by').notNull(),
    leaseUntil: timestamp('lease_until', { withTimezone: true }).notNull(),
    /** The update as received, while it is not done: what a takeover hands to the bot. */
    payload: jsonb('payload'),
    doneAt: timestamp('done_at', { withTimezone: true }),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.botId, t.updateId] }),
    index('telegram_updates_received_idx').on(t.receivedAt),
    /** Claims of dead instances, looked for by the takeover job. */
    index('telegram_updates_unfinished_idx').on(t.botId, t.leaseUntil).where(sql`${t.doneAt} is null`),
  ],
);

/**
 * Which instance long-polls a bot: Telegram allows one getUpdates at a time per bot (a second one ends
 * the first with 409 Conflict). The holder renews its lease while it polls and deletes the row when it
 * stops; another instance takes over when the lease runs out (the holder died).
 */
export const telegramPollers = pgTable('telegram_pollers', {
  botId: bigint('bot_id', { mode: 'number' }).primaryKey(),
  holder: text('holder').notNull(),
  leaseUntil: timestamp('lease_until', { withTimezone: true }).notNull(),
  since: timestamp('since', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * A chat's language, set with `/language` by an admin in a group: answers in that chat use it before
 * the platform's group language and each user's own. One row per chat that has one.
 */
export const chatLanguages = pgTable(
  'chat_languages',
  {
    platform: text('platform', { enum: ['telegram', 'discord'] }).notNull(),
    chatId: text('chat_id').notNull(),
    language: text('language').notNull(),
    setByIdentityId: bigint('set_by_identity_id', { mode: 'number' }).references(() => chatIdentities.id, { onDelete: 'set null' }),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.chatId] })],
);

/**
 * Trakt's rate limits shared by every instance of the service on this database (src/trakt/limits.ts,
 * `SharedLimitStore`; queries in src/db/queries/trakt-limits.ts). One row per (request class, user):
 * `write:trakt:<slug>`, `userGet:trakt:<slug>`, `appGet:app`. Every time is in milliseconds on the
 * database's clock (`clock_timestamp()`), the one clock all instances share.
 */
export const traktLimits = pgTable('trakt_limits', {
  key: text('key').primaryKey(),
  /** Writes: the earliest time the next write may leave (the last answer + the gap, or a 429's hold). */
  nextAt: bigint('next_at', { mode: 'number' }).notNull().default(0),
  /** Writes: the instance's turn in progress (null: none), its send time, and when it lapses unreleased. */
  leaseToken: text('lease_token'),
  leaseFrom: bigint('lease_from', { mode: 'number' }).notNull().default(0),
  leaseUntil: bigint('lease_until', { mode: 'number' }).notNull().default(0),
  /** Writes: the waiter booked for the next turn (a release hands the turn to it), and when the booking lapses. */
  nextToken: text('next_token'),
  nextUntil: bigint('next_until', { mode: 'number' }).notNull().default(0),
  /** GETs: the current window's end and the GETs taken in it (the limit is passed in with each take). */
  windowEnd: bigint('window_end', { mode: 'number' }).notNull().default(0),
  used: integer('used').notNull().default(0),
  /** GETs: no GET leaves before this (a 429's Retry-After), whatever the window holds. Kept apart from the window, so a hold never stretches it. */
  holdUntil: bigint('hold_until', { mode: 'number' }).notNull().default(0),
  /** GETs: whether the last take got one (set and read back in the same statement). */
  granted: boolean('granted').notNull().default(false),
  /** Last use; idle rows are deleted. */
  touchedAt: bigint('touched_at', { mode: 'number' }).notNull(),
});

export type TraktLimitRow = typeof traktLimits.$inferSelect;
