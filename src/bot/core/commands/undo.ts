import { defineAction, defineCommand } from '../handlers.js';
import type { Target } from '../ports.js';
import { formatMinutes } from '../replies.js';
import { runUndo, type UndoPayload } from '../write-flow.js';
import type { Reply } from '../types.js';

export const undoCommand = defineCommand({
  name: 'undo',
  account: true,
  description: 'Undo your last change',
  listed: true,
  async run(ctx) {
    await ctx.requireAccount();
    const since = new Date(ctx.now().getTime() - ctx.options.undoWindowMs);
    const entry = await ctx.writer.lastUndoable(ctx.identityId, since);
    if (entry === undefined) {
      return [{ text: ctx.tr('undo:nothingToUndo', { minutes: formatMinutes(ctx.options.undoWindowMs, ctx.i18n) }) }];
    }
    const target: Target | undefined = entry.targets[0];
    const outcome = await runUndo(ctx, entry.id, target);
    const replies: Reply[] = outcome.edit ? [outcome.edit] : [];
    if (outcome.followUp) ctx.sendLater(outcome.followUp.then((later) => later.edit ?? { text: ctx.tr('undo:done') }));
    return replies;
  },
});

export const undoAction = defineAction<UndoPayload>({
  action: 'undo',
  ack: (i18n) => i18n.t('undo:undoingAck'),
  run: (ctx, payload) => runUndo(ctx, payload.journalId, payload.target, payload.back),
});
