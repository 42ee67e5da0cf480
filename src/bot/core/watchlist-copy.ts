import type { WatchlistCopy as Copy } from '../../watchlist/copy.js';
import type { TraktUserPort, WatchlistCopyState } from './ports.js';

/** Who asks for the copy: a user, and how long they wait (the core's context, structurally). */
export interface CopyReader {
  readonly identityId: number;
  patiently<T>(work: Promise<T>): Promise<T>;
}

/**
 * The core's view of the watchlist writer's local copy (src/watchlist/copy.ts): the same copy, read
 * within the user's patience. Past it, the sync keeps going, so the next command finds it done.
 */
export class WatchlistCopy {
  constructor(private readonly copy: Copy) {}

  /** `recheck` asks Trakt's last_activities even within the freshness window (commands do; button presses rely on the window). */
  current(reader: CopyReader, trakt: TraktUserPort, options: { recheck?: boolean } = {}): Promise<WatchlistCopyState> {
    return reader.patiently(this.copy.current(reader.identityId, trakt, options));
  }

  /** `current`, with a read of the copy made alongside the check (and again only if the check replaced the copy). */
  currentWith<T>(reader: CopyReader, trakt: TraktUserPort, read: () => Promise<T>, options: { recheck?: boolean } = {}): Promise<{ state: WatchlistCopyState; value: T }> {
    return reader.patiently(this.copy.currentWith(reader.identityId, trakt, read, options));
  }

  /** `current`, and which of `keys` are on the copy, in one round trip when no sync is running. */
  currentWithPresent(reader: CopyReader, trakt: TraktUserPort, keys: string[], options: { recheck?: boolean } = {}): Promise<{ state: WatchlistCopyState; present: Set<string> }> {
    return reader.patiently(this.copy.currentWithPresent(reader.identityId, trakt, keys, options));
  }
}
