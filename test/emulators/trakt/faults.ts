// Injected faults, keyed by a route pattern: '*' (everything), 'GET /search/*', 'POST /sync/watchlist',
// '/oauth/*' (any method). `*` matches any characters, slashes included. A pattern is tried against both the
// concrete path ('/search/movie') and the route pattern ('/search/:type'). Query strings are ignored.

import type { Rng } from './random.js';
import type { FaultSpec } from './types.js';

export interface FaultAction {
  latencyMs: number;
  hang: boolean;
  /** status to answer instead of the real one, if the share lottery picked this request */
  status: number | undefined;
  /** carry the request out, then drop the connection instead of answering */
  loseAnswer: boolean;
  retryAfter: number | undefined;
}

interface ActiveFault {
  method: string | undefined;
  path: RegExp;
  spec: FaultSpec;
  remaining: number | undefined;
}

export class FaultTable {
  private readonly faults = new Map<string, ActiveFault>();

  constructor(private readonly rng: Rng) {}

  get size(): number {
    return this.faults.size;
  }

  set(pattern: string, spec: FaultSpec | null): void {
    if (spec === null || (spec.count !== undefined && spec.count <= 0)) {
      this.faults.delete(pattern);
      return;
    }
    const trimmed = pattern.trim();
    const space = trimmed.indexOf(' ');
    const head = space > 0 ? trimmed.slice(0, space) : undefined;
    const isMethod = head !== undefined && /^([A-Z]+|\*)$/.test(head);
    const method = isMethod && head !== '*' ? head : undefined;
    const pathGlob = isMethod ? trimmed.slice(space + 1).trim() : trimmed;
    const regex = new RegExp(`^${pathGlob.split('*').map(escapeRegExp).join('.*')}$`);
    this.faults.delete(pattern);
    this.faults.set(pattern, { method, path: regex, spec, remaining: spec.count });
  }

  clear(): void {
    this.faults.clear();
  }

  /** The first fault (in the order set) matching the request, consumed by one if it has a count */
  take(method: string, path: string, routePattern: string | undefined): FaultAction | undefined {
    for (const [pattern, fault] of this.faults) {
      const verb = method === 'HEAD' ? 'GET' : method;
      if (fault.method !== undefined && fault.method !== verb && fault.method !== method) continue;
      if (!fault.path.test(path) && (routePattern === undefined || !fault.path.test(routePattern))) continue;
      if (fault.remaining !== undefined) {
        fault.remaining--;
        if (fault.remaining <= 0) this.faults.delete(pattern);
      }
      const { spec } = fault;
      const options: Array<number | 'hang' | 'lose'> = [...(spec.statuses ?? []), ...(spec.hang ? (['hang'] as const) : []), ...(spec.loseAnswer ? (['lose'] as const) : [])];
      const share = spec.share ?? 1;
      const drawn = options.length > 0 && this.rng() < share ? options[Math.floor(this.rng() * options.length)] : undefined;
      return {
        latencyMs: spec.latencyMs ?? 0,
        hang: drawn === 'hang',
        status: typeof drawn === 'number' ? drawn : undefined,
        retryAfter: spec.retryAfter,
        loseAnswer: drawn === 'lose',
      };
    }
    return undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
