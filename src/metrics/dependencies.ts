/**
 * Dependencies' states as last seen, for `/readyz` and the metrics. Nothing here probes: Trakt's state is
 * what its latest answer said (a probe would spend the rate limit), the chat adapters' is what they report.
 */

/** One dependency's state as `/readyz` shows it. */
export interface DependencyState {
  /** `unknown`: nothing seen yet (no Trakt request since the start, an adapter still connecting). */
  status: 'up' | 'down' | 'unknown';
  /** Since when the dependency has been in this state. */
  since?: string;
  /** A short, safe description of the latest failure (a status, an error class); never a secret. */
  lastError?: string;
}

/** What `onRequest` of the Trakt client reports, as far as reachability goes. */
export interface TraktAttempt {
  status: number | 'timeout' | 'network' | 'error';
}

/**
 * Trakt as last seen: up when its latest attempt got an answer that is neither a 5xx nor a 429, down
 * when it timed out, failed on the network or got a 5xx (Cloudflare's 52x included). A 429 says Trakt is
 * there but asks us to wait, so it leaves the state as it was; other 4xx are answers, so up.
 */
export class TraktReachability {
  private current: DependencyState = { status: 'unknown' };

  constructor(private readonly now: () => Date = () => new Date()) {}

  observe(attempt: TraktAttempt): void {
    const { status } = attempt;
    if (status === 429) return;
    const next = typeof status === 'number' && status < 500 ? 'up' : 'down';
    const since = next === this.current.status ? (this.current.since ?? this.now().toISOString()) : this.now().toISOString();
    this.current = next === 'up' ? { status: 'up', since } : { status: 'down', since, lastError: typeof status === 'number' ? `HTTP ${status}` : status };
  }

  state(): DependencyState {
    return { ...this.current };
  }
}
