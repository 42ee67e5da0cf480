/**
 * Database statements about Telegram updates (claims, finishes) gathered into batches: under load each
 * statement costs CPU on the service and on Postgres, and one statement for many updates costs about as
 * much as one for a single update.
 */

/**
 * Gathers items into batches for `run`, one batch at a time. Items asked for within one tick (grammY's
 * runner hands every update of a getUpdates answer to the middleware in one loop; webhook requests
 * arriving together) form a batch; items asked for while a batch is under way wait for it and form the
 * next. Each caller gets its own item's answer (`run` answers one per item, in order), or the batch's
 * error. Batches are answered in the order they were asked for and callers within one are resolved in
 * order, so the code after each caller's `await` runs in the order the items were asked for.
 */
export function createOrderedBatches<I, O>(run: (items: I[]) => Promise<O[]>, options: { maxBatch: number }): (item: I) => Promise<O> {
  const pending: Array<{ item: I; resolve: (answer: O) => void; reject: (error: unknown) => void }> = [];
  let scheduled = false;
  let running = false;

  function schedule(): void {
    if (scheduled || running || pending.length === 0) return;
    scheduled = true;
    // setImmediate runs after the promise jobs of this tick: every item asked for in it is pending by then.
    setImmediate(() => {
      scheduled = false;
      void send();
    });
  }

  async function send(): Promise<void> {
    running = true;
    const batch = pending.splice(0, options.maxBatch);
    try {
      const answers = await run(batch.map((entry) => entry.item));
      if (answers.length !== batch.length) throw new Error(`a batch of ${batch.length} was answered with ${answers.length}`);
      batch.forEach((entry, n) => entry.resolve(answers[n] as O));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    } finally {
      running = false;
      schedule();
    }
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      schedule();
    });
}

export interface DelayedBatches<I> {
  /** Adds an item; it is sent with the others within `delayMs`. */
  add(item: I): void;
  /** Sends what is pending now and resolves once every batch sent so far is answered (or failed). */
  flush(): Promise<void>;
}

/**
 * Gathers items for `delayMs` from the first one, then sends them in one call of `run` (several calls
 * above `maxBatch`). For work nobody waits on (marking updates done): a failure goes to `failed`.
 */
export function createDelayedBatches<I>(
  run: (items: I[]) => Promise<void>,
  options: { delayMs: number; maxBatch: number; failed: (error: unknown, items: I[]) => void },
): DelayedBatches<I> {
  let pending: I[] = [];
  let timer: NodeJS.Timeout | undefined;
  const sending = new Set<Promise<void>>();

  function sendPending(): void {
    clearTimeout(timer);
    timer = undefined;
    while (pending.length > 0) {
      const batch = pending.slice(0, options.maxBatch);
      pending = pending.slice(options.maxBatch);
      const sent = run(batch)
        .catch((error: unknown) => options.failed(error, batch))
        .finally(() => sending.delete(sent));
      sending.add(sent);
    }
  }

  return {
    add(item) {
      pending.push(item);
      timer ??= setTimeout(sendPending, options.delayMs);
    },
    async flush() {
      sendPending();
      while (sending.size > 0) await Promise.allSettled([...sending]);
    },
  };
}
