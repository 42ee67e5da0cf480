import type { ResumedWrite } from '../../watchlist/index.js';
import type { Translator } from './i18n/index.js';
import type { CoreLogger } from './ports.js';
import { errorReply } from './replies.js';
import { targetLabel } from './targets.js';
import { plainText, type Reply, type Rich } from './types.js';

/** How many titles a notice names before it says "and N more". */
const NAMED = 5;

function titles(targets: ResumedWrite['targets'], i18n: Translator): string {
  const named = targets
    .slice(0, NAMED)
    .map((t) => targetLabel(t, i18n))
    .join(', ');
  return targets.length > NAMED ? i18n.t('write:namesAndMore', { names: named, count: targets.length - NAMED }) : named;
}

/**
 * What a user hears about a change they confirmed that a restart cut off, once it has been taken up
 * again at the next start (src/watchlist, resumeInterrupted): it went through, or it could not be
 * finished and nothing changed. Sent privately: it concerns their own account. `i18n`: the user's
 * language (translatorForIdentity), as this is said outside any answer.
 */
export function resumedWriteReply(resumed: ResumedWrite, logger: CoreLogger, i18n: Translator): Reply {
  const named = titles(resumed.targets, i18n);
  const interrupted = i18n.tr(resumed.undoes !== null ? 'write:resumed.undoing' : resumed.op === 'add' ? 'write:resumed.adding' : 'write:resumed.removing', {
    titles: named,
  });
  if (!resumed.outcome.ok) {
    const reason = errorReply(resumed.outcome.error, logger, { identityId: resumed.identityId, step: 'resume-write' }, i18n);
    return {
      private: true,
      text: [interrupted, ' ', i18n.t('write:resumed.notFinished'), ' ', plainText(reason.text)],
      ...(reason.buttons === undefined ? {} : { buttons: reason.buttons }),
    };
  }
  const { write } = resumed.outcome;
  const lines: Rich[] = [interrupted, ' '];
  if (write.changed.length > 0) {
    const key = write.op === 'add' ? 'write:resumed.finishedOn' : 'write:resumed.finishedOff';
    lines.push(i18n.t(key, { count: write.changed.length, titles: titles(write.changed, i18n) }));
  } else {
    lines.push(i18n.t(write.op === 'add' ? 'write:resumed.finishedAlready' : 'write:resumed.finishedGone'));
  }
  if (write.notFound.length > 0) lines.push(' ', i18n.t('write:resumed.notFound', { titles: titles(write.notFound, i18n) }));
  return { private: true, text: lines };
}
