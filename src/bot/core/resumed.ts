import type { ResumedWrite } from '../../watchlist/index.js';
import type { CoreLogger } from './ports.js';
import { errorReply } from './replies.js';
import { targetLabel } from './targets.js';
import { plainText, rich, type Reply, type Rich } from './types.js';

/** How many titles a notice names before it says "and N more". */
const NAMED = 5;

function titles(targets: ResumedWrite['targets']): Rich {
  const named = targets.slice(0, NAMED).map(targetLabel).join(', ');
  return targets.length > NAMED ? `${named} and ${targets.length - NAMED} more` : named;
}

/**
 * What a user hears about a change they confirmed that a restart cut off, once it has been taken up
 * again at the next start (src/watchlist, resumeInterrupted): it went through, or it could not be
 * finished and nothing changed. Sent privately: it concerns their own account.
 */
export function resumedWriteReply(resumed: ResumedWrite, logger: CoreLogger): Reply {
  const named = rich.bold(titles(resumed.targets));
  const interrupted: Rich[] =
    resumed.undoes !== null
      ? ['Marquee restarted while Trakt was undoing your change to ', named, '. ']
      : resumed.op === 'add'
        ? ['Marquee restarted while Trakt was adding ', named, ' to your watchlist. ']
        : ['Marquee restarted while Trakt was removing ', named, ' from your watchlist. '];
  if (!resumed.outcome.ok) {
    const reason = errorReply(resumed.outcome.error, logger, { identityId: resumed.identityId, step: 'resume-write' });
    return {
      private: true,
      text: [...interrupted, 'It could not be finished now, so nothing was changed. ', plainText(reason.text)],
      ...(reason.buttons === undefined ? {} : { buttons: reason.buttons }),
    };
  }
  const { write } = resumed.outcome;
  const lines: Rich[] = [...interrupted, 'It is finished now: '];
  if (write.changed.length > 0) {
    const where = write.op === 'add' ? 'on your watchlist' : 'off your watchlist';
    lines.push(titles(write.changed), write.changed.length === 1 ? ' is ' : ' are ', where, '.');
  } else {
    lines.push(write.op === 'add' ? 'it was already on your watchlist.' : 'it was not on your watchlist any more.');
  }
  if (write.notFound.length > 0) lines.push(' Trakt could not find ', titles(write.notFound), '.');
  return { private: true, text: lines };
}
