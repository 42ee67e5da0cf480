import { z } from 'zod';
import { defineJobKind, PermanentJobError, RetryJobLater, type JobContext, type JobKind, type JobKindRef, type JobRecord } from '../../jobs/types.js';
import type { WriteOutcome } from '../../watchlist/writer.js';
import { CoreContext, type CoreDeps } from './context.js';
import { TraktUnavailableError } from './errors.js';
import { defineAction, defineCommand } from './handlers.js';
import { translatorForIdentity } from './i18n/index.js';
import type { JobsPort, Target } from './ports.js';
import { targetKey, targetLabel } from './targets.js';
import { rich, type ActionOutcome, type Button, type MessageRef, type Reply, type Rich } from './types.js';
import type { WatchlistCopy } from './watchlist-copy.js';
import type { WatchlistWriter } from '../../watchlist/writer.js';
import { headerCard, patientWrite, readUsageAhead, refusedCard, slowCard, writePatienceMs, writtenCard, type ConfirmPayload } from './write-flow.js';

/**
 * The offline queue: every confirmed write is a durable job (src/jobs) before the press is answered,
 * so neither a Trakt outage nor a crash nor a restart loses it. The press then runs the job at once
 * (inline); when Trakt cannot take it (5xx, timeouts, network, a rate limit past the user's patience)
 * the card says it is queued, with Cancel, and the runner applies it later, in the order the user
 * confirmed (one lane per user), and edits the card to the outcome with Undo. Errors retrying cannot
 * fix (watchlist full, account locked, re-link needed, not found) are not queued: the card says so.
 */
export const WRITE_JOB_KIND = 'watchlist-write';

/** How long a queued write's Cancel button stays usable: as long as the queue keeps trying. */
const QUEUED_BUTTON_TTL_MS = 24 * 60 * 60_000;
/** A confirmed write's job is run by the press; the background loop takes it only if the press did not (a crash). */
const INLINE_HEAD_START_MS = 15_000;
/** Attempts of a queued write before it is given up: with the backoff below, about 16 hours. */
const WRITE_MAX_ATTEMPTS = 2_000;
/**
 * A write's lease, renewed every third of it while it runs: on Postgres, the job of a killed process is
 * taken over by another instance (or the next start) this long after its last renewal.
 */
const WRITE_LEASE_MS = 15_000;

const titleShape = z.looseObject({
  type: z.enum(['movie', 'show']),
  ids: z.looseObject({ trakt: z.number().int() }),
  title: z.string(),
  year: z.number().int().nullable(),
  posterUrl: z.string().nullable(),
});
const targetShape = z.union([
  z.looseObject({ kind: z.enum(['movie', 'show']), title: titleShape }),
  z.looseObject({ kind: z.literal('season'), show: titleShape, season: z.number().int().min(0) }),
  z.looseObject({ kind: z.literal('episode'), show: titleShape, season: z.number().int().min(0), episode: z.number().int().min(0) }),
]);
const targetSchema = z.custom<Target>((value) => targetShape.safeParse(value).success, 'not a watchlist target');
const platformSchema = z.enum(['telegram', 'discord']);

export const writeJobSchema = z.object({
  identityId: z.number().int().positive(),
  op: z.enum(['add', 'remove']),
  targets: z.array(targetSchema).min(1).max(1_000),
  /** Names too: a card edited from the background in a group still says whose it is. */
  user: z.object({ platform: platformSchema, userId: z.string().min(1), displayName: z.string().optional(), handle: z.string().optional() }),
  chat: z.object({ platform: platformSchema, chatId: z.string().min(1), kind: z.enum(['private', 'group']) }),
  privateChatId: z.string().optional(),
  /** The Confirm card, edited when the write is applied later. */
  card: z.object({ platform: platformSchema, chatId: z.string().min(1), messageId: z.string().min(1) }).optional(),
  /** The search the Confirm card came from (its outcome's Undo keeps Back to results). */
  back: z
    .object({ q: z.string(), year: z.number().int().optional(), type: z.enum(['movie', 'show', 'both']), index: z.number().int().min(0) })
    .optional(),
  /** Keys of the targets on the local copy at confirmation (see creditEarlierAttempt in src/watchlist). */
  listedAtConfirm: z.array(z.string()).optional(),
});
export type WriteJob = z.infer<typeof writeJobSchema>;

/** What Confirm's `prepare` hands to its `run`. */
export interface QueuedConfirm {
  jobId: number;
}

/** Backoff between attempts of a queued write: 5 s doubling, at most 30 s, with jitter (Trakt may be back any time). */
export function queuedWriteBackoffMs(attempt: number): number {
  const base = Math.min(30_000, 5_000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

function jobsOf(ctx: CoreContext): JobsPort {
  if (ctx.deps.jobs === undefined) throw new Error('the offline queue needs the job runner');
  return ctx.deps.jobs;
}

function laneOf(identityId: number): string {
  return `watchlist:${identityId}`;
}

/** Confirm's `prepare`: the write is queued (durable) before the press is answered. */
export async function enqueueConfirmedWrite(ctx: CoreContext, payload: ConfirmPayload, card: MessageRef | undefined): Promise<QueuedConfirm | undefined> {
  const jobs = ctx.deps.jobs;
  if (jobs === undefined || payload.targets.length === 0) return undefined;
  const listed = await ctx.deps.watchlists.present(ctx.identityId, payload.targets.map(targetKey)).catch(() => undefined);
  const job: WriteJob = {
    identityId: ctx.identityId,
    op: payload.op,
    targets: payload.targets,
    user: ctx.user,
    chat: ctx.chat,
    ...(ctx.privateChatId === undefined ? {} : { privateChatId: ctx.privateChatId }),
    ...(card === undefined ? {} : { card }),
    ...(payload.back === undefined ? {} : { back: payload.back }),
    ...(listed === undefined ? {} : { listedAtConfirm: [...listed] }),
  };
  const record = await jobs.enqueue(writeJobRef, job, {
    lane: laneOf(ctx.identityId),
    ownerIdentityId: ctx.identityId,
    runAt: new Date(ctx.now().getTime() + INLINE_HEAD_START_MS),
    // Claimed by this insert when nothing of the user's waits before it: the run that follows needs no claim.
    forRunNow: true,
  });
  if (record === undefined) throw new Error('the write could not be queued');
  return { jobId: record.id };
}

/** The card of a write waiting in the queue, with Cancel. */
async function queuedCard(ctx: CoreContext, payload: ConfirmPayload, jobId: number, why: 'trakt-down' | 'behind'): Promise<Reply> {
  const [target] = payload.targets;
  const header =
    why === 'trakt-down'
      ? ctx.t(payload.op === 'add' ? 'write:queued.downAdd' : 'write:queued.downRemove')
      : ctx.t(payload.op === 'add' ? 'write:queued.behindAdd' : 'write:queued.behindRemove');
  const view = ctx.view(QUEUED_BUTTON_TTL_MS);
  const buttons: Button[][] = [[view.button(ctx.t('cards:button.cancel'), 'unqueue', { jobId, ...(target === undefined ? {} : { target }) } satisfies UnqueuePayload)]];
  await view.save(ctx.deps.pending);
  if (target === undefined) return { text: header, buttons };
  return headerCard(ctx, target, header, [ctx.tr('write:queued.seeQueue')], buttons);
}

/** Confirm's `run` when the write was queued: run it now, or say that it waits. */
export async function runQueuedConfirm(ctx: CoreContext, payload: ConfirmPayload, queued: QueuedConfirm): Promise<ActionOutcome> {
  const [target] = payload.targets;
  if (target === undefined) return {};
  const work = jobsOf(ctx).runNow<WriteOutcome>(queued.jobId);
  readUsageAhead(ctx);
  return patientWrite(ctx, work, slowCard(ctx, target, payload.op, payload.targets.length), async (settled) => {
    if (settled.ok) {
      if (settled.result.ran) {
        const card = await writtenCard(ctx, payload, settled.result.result);
        return card === undefined ? {} : { edit: card };
      }
      // Behind the user's earlier queued writes; or the background loop took it first, and will edit this card.
      if (settled.result.reason === 'behind-lane') return { edit: await queuedCard(ctx, payload, queued.jobId, 'behind') };
      return { edit: slowCard(ctx, target, payload.op, payload.targets.length) };
    }
    const error = settled.error;
    if (error instanceof RetryJobLater) return { edit: await queuedCard(ctx, payload, queued.jobId, 'trakt-down') };
    return { edit: await refusedCard(ctx, payload, target, error instanceof PermanentJobError ? error.cause : error) };
  }, writePatienceMs(ctx, payload.targets.length));
}

export interface UnqueuePayload {
  jobId: number;
  target?: Target;
}

export const unqueueAction = defineAction<UnqueuePayload>({
  action: 'unqueue',
  async run(ctx, payload) {
    const cancelled = await jobsOf(ctx).cancel(payload.jobId, ctx.identityId);
    const header = ctx.t(cancelled !== undefined ? 'write:queued.cancelled' : 'write:queued.tooLateToCancel');
    return { edit: payload.target === undefined ? { text: header } : headerCard(ctx, payload.target, header) };
  },
});

/** One line of /queue: its number, the change (`Add <b>Dune (2021)</b>`) and how it stands. */
function queueLine(ctx: CoreContext, n: number, job: WriteJob, record: JobRecord): Rich {
  const [first] = job.targets;
  const i18n = ctx.i18n;
  const what =
    first === undefined
      ? i18n.t('write:queue.nothing')
      : job.targets.length === 1
        ? targetLabel(first, i18n)
        : i18n.t('write:namesAndMore', { names: targetLabel(first, i18n), count: job.targets.length - 1 });
  const state = record.status === 'running' ? 'Running' : record.attempts > 0 ? 'Tried' : '';
  return ctx.tr(`write:queue.item.${job.op}${state}`, { n, what, attempts: record.attempts });
}

/** The user's queued writes, oldest first (payloads that no longer parse are left out). */
async function queuedWrites(ctx: CoreContext): Promise<Array<{ record: JobRecord; job: WriteJob }>> {
  const records = await jobsOf(ctx).listLive({ ownerIdentityId: ctx.identityId, kind: WRITE_JOB_KIND });
  return records.flatMap((record) => {
    const parsed = writeJobSchema.safeParse(record.payload);
    return parsed.success ? [{ record, job: parsed.data }] : [];
  });
}

/** How many writes of this user wait in the queue (for /status). */
export async function queuedWriteCount(ctx: CoreContext): Promise<number> {
  if (ctx.deps.jobs === undefined) return 0;
  return (await jobsOf(ctx).listLive({ ownerIdentityId: ctx.identityId, kind: WRITE_JOB_KIND })).length;
}

const QUEUE_SHOWN = 10;

export const queueCommand = defineCommand({
  name: 'queue',
  account: true,
  description: 'Changes waiting for Trakt, with Cancel',
  listed: true,
  private: true,
  async run(ctx) {
    await ctx.requireAccount();
    if (ctx.deps.jobs === undefined) return [{ private: true, text: ctx.t('write:queue.empty') }];
    const writes = await queuedWrites(ctx);
    if (writes.length === 0) return [{ private: true, text: ctx.t('write:queue.allDone') }];
    const view = ctx.view(QUEUED_BUTTON_TTL_MS);
    const lines: Rich[] = [ctx.tr('write:queue.header', { count: writes.length })];
    const buttons: Button[][] = [];
    writes.slice(0, QUEUE_SHOWN).forEach(({ record, job }, i) => {
      lines.push(rich.line, queueLine(ctx, i + 1, job, record));
      if (record.status === 'queued') {
        buttons.push([view.button(ctx.t('write:button.cancelNumber', { n: i + 1 }), 'unqueue', { jobId: record.id, ...(job.targets[0] === undefined ? {} : { target: job.targets[0] }) } satisfies UnqueuePayload)]);
      }
    });
    if (writes.length > QUEUE_SHOWN) lines.push(rich.line, ctx.tr('write:queue.more', { count: writes.length - QUEUE_SHOWN }));
    await view.save(ctx.deps.pending);
    return [{ private: true, text: lines, ...(buttons.length > 0 ? { buttons } : {}) }];
  },
});

/** The write kind as enqueueing knows it; `createWriteJobKind` adds how it runs. */
const writeJobRef = {
  kind: WRITE_JOB_KIND,
  schema: writeJobSchema,
  maxAttempts: WRITE_MAX_ATTEMPTS,
} satisfies JobKindRef<WriteJob>;

export interface WriteJobKindDeps {
  deps: CoreDeps;
  copy: WatchlistCopy;
  writer: WatchlistWriter;
  /** Ties the buttons of a card edited from the background to its message. */
  bindMessage(reply: Reply, ref: MessageRef): Promise<void>;
}

/**
 * The job kind that applies a queued write through the one watchlist writer. In the background (not
 * from the press) it also edits the Confirm card to the outcome, or sends the outcome when the card
 * cannot be edited any more.
 */
export function createWriteJobKind(kindDeps: WriteJobKindDeps): { kind: JobKind<WriteJob, WriteOutcome>; traktAnswered(): void } {
  const { deps, copy, writer } = kindDeps;
  /** This process put a write back to wait for Trakt since Trakt last took one. */
  let waitingForTrakt = false;

  /** Trakt answers again: the writes waiting for it (any user's, any instance's) need not wait out their backoff. */
  function traktIsBack(): void {
    if (!waitingForTrakt) return;
    waitingForTrakt = false;
    void deps.jobs
      ?.hurry(WRITE_JOB_KIND)
      .then((count) => {
        if (count > 0) deps.logger.info({ writes: count }, 'Trakt answers again: queued writes are applied now');
      })
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'queued writes could not be brought forward'));
  }

  /** The context of a write run from the background, in the language of its chat (a group's) or its user. */
  async function contextOf(job: WriteJob): Promise<CoreContext> {
    const ctx = new CoreContext(deps, copy, writer, job.user, job.chat, job.identityId, job.privateChatId);
    ctx.i18n = await translatorForIdentity(deps, job.identityId, job.chat);
    return ctx;
  }

  async function show(job: WriteJob, reply: Reply): Promise<void> {
    const outbox = deps.outbox;
    if (outbox === undefined) return;
    if (job.card !== undefined) {
      try {
        const ref = await outbox.edit(job.card, reply);
        if (ref !== undefined) await kindDeps.bindMessage(reply, ref);
        return;
      } catch (error) {
        deps.logger.warn({ err: error, identityId: job.identityId, platform: job.card.platform }, 'queued write: card could not be edited; sending the outcome instead');
      }
    }
    const ref = await outbox.send({ platform: job.chat.platform, chatId: job.chat.chatId }, reply);
    if (ref !== undefined) await kindDeps.bindMessage(reply, ref);
  }

  const kind = defineJobKind<WriteJob, WriteOutcome>({
    ...writeJobRef,
    leaseMs: WRITE_LEASE_MS,
    backoffMs: queuedWriteBackoffMs,
    async run(job, run: JobContext) {
      let outcome: WriteOutcome;
      try {
        outcome = await writer.write({
          identityId: job.identityId,
          op: job.op,
          targets: job.targets,
          jobId: run.id,
          // The press runs its own job right after queueing it: nothing can have journaled it yet.
          firstAttempt: run.inline && run.attempt === 1,
          ...(job.listedAtConfirm === undefined ? {} : { listedAtConfirm: job.listedAtConfirm }),
        });
      } catch (error) {
        if (error instanceof TraktUnavailableError) {
          if (!run.inline && run.attempt === 1) {
            // Taken up after a crash or a restart and Trakt is down: the card says it waits.
            await show(job, await queuedCard(await contextOf(job), job, run.id, 'trakt-down')).catch(() => undefined);
          }
          waitingForTrakt = true;
          throw new RetryJobLater(queuedWriteBackoffMs(run.attempt), `Trakt unavailable (${error.kind})`, { cause: error });
        }
        throw new PermanentJobError(error instanceof Error ? error.name : 'write refused', { cause: error });
      }
      traktIsBack();
      if (!run.inline) {
        const card = await writtenCard(await contextOf(job), job, outcome);
        if (card !== undefined) await show(job, card).catch((error: unknown) => deps.logger.warn({ err: error, identityId: job.identityId }, 'queued write applied; the user could not be told'));
      }
      return outcome;
    },
    async onFailed(job, error, run) {
      // The final word on a write that will not be made: one line, with why (never the titles' text).
      const cause = error instanceof PermanentJobError || error instanceof RetryJobLater ? error.cause : error;
      deps.logger.warn(
        {
          jobId: run.id,
          attempts: run.attempt,
          ...(job === undefined ? {} : { identityId: job.identityId, op: job.op, items: job.targets.length }),
          error: cause instanceof Error ? cause.name : typeof cause,
        },
        'queued watchlist write given up',
      );
      if (job === undefined || run.inline) return;
      const [target] = job.targets;
      if (target === undefined) return;
      const ctx = await contextOf(job);
      const reply = await refusedCard(ctx, job, target, cause);
      await show(job, reply).catch((e: unknown) => deps.logger.warn({ err: e, identityId: job.identityId }, 'queued write failed; the user could not be told'));
    },
  });
  // Any answer from Trakt (a user's search, another write) means it is back: the queue need not wait.
  return { kind, traktAnswered: traktIsBack };
}
