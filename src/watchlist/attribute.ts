import type { MediaCounts, NotFoundEntry, WatchlistEntry, WatchlistWriteResult } from '../domain/media.js';
import type { Target } from '../domain/target.js';
import type { WriteOp } from './ports.js';
import { entryKey, targetKey, titleOf } from '../domain/target.js';

/**
 * Which targets a write really changed. Trakt answers a write with counts per type (`added` or
 * `deleted`, `existing`) and the items it did not find (REFERENCE §9), not with the items it changed.
 * Per type: drop the not-found; if the count says none or all of the rest changed, that is it; else the
 * copy read just before the write predicts which (on the list before: existing; off it: not removed);
 * when even that disagrees with the count (someone changed the list on trakt.tv meanwhile), a re-read
 * of the watchlist decides (`resolveFromList`), and what it cannot decide is left uncertain: an undo
 * never takes back what this write did not change.
 */
export interface Attribution {
  /** Added (add) or removed (remove) by this write. */
  changed: Target[];
  /** Already listed (add) or not listed (remove): this write did not change them. */
  unchanged: Target[];
  notFound: Target[];
  /** Trakt's counts and what we know disagree: left out of the undo. */
  uncertain: Target[];
}

type CountKey = keyof MediaCounts;

/** One type's targets whose count could not be matched from the answer and the copy. */
export interface UnresolvedGroup {
  type: CountKey;
  candidates: Target[];
  reported: number;
}

export function countKeyOf(target: Target): CountKey {
  switch (target.kind) {
    case 'movie':
      return 'movies';
    case 'show':
      return 'shows';
    case 'season':
      return 'seasons';
    case 'episode':
      return 'episodes';
  }
}

/** Targets without repeats (the same target twice would make the counts lie). */
export function distinctTargets(targets: readonly Target[]): Target[] {
  const seen = new Map<string, Target>();
  for (const target of targets) if (!seen.has(targetKey(target))) seen.set(targetKey(target), target);
  return [...seen.values()];
}

function sameId(a: unknown, b: unknown): boolean {
  return a !== undefined && a !== null && b !== undefined && b !== null && String(a) === String(b);
}

/** Whether Trakt echoed this target as not found (matched by any id of its movie or show). */
function echoedNotFound(target: Target, notFound: readonly NotFoundEntry[]): boolean {
  const ids = titleOf(target).ids as unknown as Record<string, unknown>;
  const kinds = target.kind === 'movie' ? ['movies'] : ['shows', 'seasons', 'episodes'];
  return notFound.some(
    (entry) =>
      kinds.includes(entry.kind) &&
      entry.ids !== undefined &&
      Object.entries(entry.ids).some(([name, value]) => sameId(ids[name], value)),
  );
}

/** First pass, from Trakt's answer and the pre-write copy (`listedBefore`: keys on the list; undefined: unknown). */
export function attributeFromAnswer(
  op: WriteOp,
  targets: readonly Target[],
  result: WatchlistWriteResult,
  listedBefore: ReadonlySet<string> | undefined,
): { attribution: Attribution; unresolved: UnresolvedGroup[] } {
  const attribution: Attribution = { changed: [], unchanged: [], notFound: [], uncertain: [] };
  const unresolved: UnresolvedGroup[] = [];
  const groups = new Map<CountKey, Target[]>();
  for (const target of targets) {
    if (echoedNotFound(target, result.notFound)) {
      attribution.notFound.push(target);
      continue;
    }
    const type = countKeyOf(target);
    groups.set(type, [...(groups.get(type) ?? []), target]);
  }
  for (const [type, candidates] of groups) {
    const reported = result.changed[type];
    if (reported <= 0) {
      attribution.unchanged.push(...candidates);
      continue;
    }
    if (reported === candidates.length) {
      attribution.changed.push(...candidates);
      continue;
    }
    if (listedBefore !== undefined) {
      const wasListed = (t: Target) => listedBefore.has(targetKey(t));
      const predicted = candidates.filter((t) => (op === 'add' ? !wasListed(t) : wasListed(t)));
      if (predicted.length === reported) {
        attribution.changed.push(...predicted);
        attribution.unchanged.push(...candidates.filter((t) => !predicted.includes(t)));
        continue;
      }
    }
    unresolved.push({ type, candidates, reported });
  }
  return { attribution, unresolved };
}

/**
 * Second pass, from the watchlist as read after the write: an add changed the candidates listed since
 * the write began (`since`, allowing for clock skew); a remove changed those no longer listed (that were
 * listed before, when the copy says). A count that still disagrees leaves the group uncertain.
 */
export function resolveFromList(
  op: WriteOp,
  groups: readonly UnresolvedGroup[],
  after: readonly WatchlistEntry[],
  since: Date,
  listedBefore: ReadonlySet<string> | undefined,
): Attribution {
  const listed = new Map<string, Date>();
  for (const entry of after) {
    const key = entryKey(entry);
    if (key !== undefined) listed.set(key, entry.listedAt);
  }
  const out: Attribution = { changed: [], unchanged: [], notFound: [], uncertain: [] };
  for (const { candidates, reported } of groups) {
    if (op === 'add') {
      const recent = candidates.filter((t) => {
        const at = listed.get(targetKey(t));
        return at !== undefined && at.getTime() >= since.getTime();
      });
      const rest = candidates.filter((t) => !recent.includes(t));
      out.unchanged.push(...rest);
      if (recent.length === reported) out.changed.push(...recent);
      else out.uncertain.push(...recent);
      continue;
    }
    const absent = candidates.filter((t) => !listed.has(targetKey(t)));
    const still = candidates.filter((t) => listed.has(targetKey(t)));
    out.unchanged.push(...still);
    const wasListed = listedBefore === undefined ? absent : absent.filter((t) => listedBefore.has(targetKey(t)));
    if (wasListed.length === reported) {
      out.changed.push(...wasListed);
      out.unchanged.push(...absent.filter((t) => !wasListed.includes(t)));
    } else if (absent.length === reported) {
      out.changed.push(...absent);
    } else {
      out.uncertain.push(...absent);
    }
  }
  return out;
}

/**
 * After an earlier attempt of the same write that may have reached Trakt (a lost answer, a process
 * killed mid-call, a retried request), Trakt reports that attempt's effect as "already listed" (add)
 * or "not listed" (remove). Those targets were changed by us, not before us, when the list as it was at
 * confirmation says so (add: not listed then; remove: listed then); with no such record every one is
 * credited, as the write was ours.
 */
export function creditEarlierAttempt(op: WriteOp, attribution: Attribution, listedAtConfirm: ReadonlySet<string> | undefined): Attribution {
  const ours = (t: Target) => listedAtConfirm === undefined || (op === 'add' ? !listedAtConfirm.has(targetKey(t)) : listedAtConfirm.has(targetKey(t)));
  const credited = attribution.unchanged.filter(ours);
  if (credited.length === 0) return attribution;
  return {
    ...attribution,
    changed: [...attribution.changed, ...credited],
    unchanged: attribution.unchanged.filter((t) => !credited.includes(t)),
  };
}
