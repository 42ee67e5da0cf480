import type { CoreContext } from './context.js';
import { NeedsLinkError } from './errors.js';
import type { Title } from './ports.js';
import { enqueueConfirmedWrite, runQueuedConfirm } from './queued-writes.js';
import { linkPrompt } from './replies.js';
import type { ActionOutcome, ActionStep, ChatRef } from './types.js';
import { runConfirmedWrite } from './write-flow.js';

/** Every reply of an outcome sent privately (a shared card's presser hears their own outcome alone). */
function privately(outcome: ActionOutcome): ActionOutcome {
  const sends = [...(outcome.edit === undefined ? [] : [{ ...outcome.edit, private: true }]), ...(outcome.send ?? []).map((r) => ({ ...r, private: true }))];
  return {
    ...(sends.length > 0 ? { send: sends } : {}),
    ...(outcome.followUp === undefined ? {} : { followUp: outcome.followUp.then(privately) }),
  };
}

function privateChat(ctx: CoreContext): ChatRef | undefined {
  return ctx.privateChatId === undefined ? undefined : { platform: ctx.chat.platform, chatId: ctx.privateChatId, kind: 'private' };
}

/**
 * "Add to my watchlist" on a card anyone may press (a group pick's result, an inline card): the title
 * goes on the presser's own watchlist, with their own link, through the offline queue (a confirmed
 * write that no outage loses), and the outcome (with Undo) is told to the presser alone. An unlinked
 * presser gets the link prompt privately. `title` is read only once the presser is known to be linked.
 */
export async function addForPresser(ctx: CoreContext, title: () => Promise<Title | undefined>): Promise<ActionStep> {
  let linked = false;
  try {
    linked = (await ctx.linkedAccount()) !== null;
  } catch (error) {
    if (!(error instanceof NeedsLinkError)) throw error;
  }
  if (!linked) {
    const prompt = { ...linkPrompt(false, ctx.userI18n), private: true };
    return { ack: { text: ctx.userI18n.t('add:ack.linkFirst') }, work: () => Promise.resolve({ send: [prompt] }) };
  }
  const found = await title();
  if (found === undefined) return { ack: { text: ctx.userI18n.t('add:ack.titleGone'), alert: true } };
  const chat = privateChat(ctx);
  const own = chat === undefined ? ctx : ctx.inChat(chat);
  const payload = { op: 'add' as const, targets: [{ kind: found.type, title: found }] };
  const queued = await enqueueConfirmedWrite(own, payload, undefined);
  return {
    ack: { text: ctx.userI18n.t('add:ack.adding') },
    work: async () => privately(queued === undefined ? await runConfirmedWrite(own, payload) : await runQueuedConfirm(own, payload, queued)),
  };
}
