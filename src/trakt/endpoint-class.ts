/**
 * The route template of a Trakt request path (`/shows/dune-prophecy/seasons/1` → `/shows/:id/seasons/:season`),
 * for metrics and logs that must not grow a series per title, user or date. Every path the client sends
 * has a template here; anything else is `other`, so the set of values stays small whatever is sent.
 */
const TEMPLATES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^\/search\/[^/]+$/, '/search/:type'],
  [/^\/search\/[^/]+\/[^/]+$/, '/search/:id_type/:id'],
  [/^\/sync\/watchlist$/, '/sync/watchlist'],
  [/^\/sync\/watchlist\/remove$/, '/sync/watchlist/remove'],
  [/^\/sync\/watchlist\/[^/]+\/[^/]+\/[^/]+$/, '/sync/watchlist/:type/:sort_by/:sort_how'],
  [/^\/sync\/last_activities$/, '/sync/last_activities'],
  [/^\/users\/settings$/, '/users/settings'],
  [/^\/users\/[^/]+\/watchlist$/, '/users/:id/watchlist'],
  [/^\/calendars\/my\/(movies|dvd)\/[^/]+\/[^/]+$/, '/calendars/my/$1/:start_date/:days'],
  [/^\/calendars\/my\/shows\/(new|premieres|finales)\/[^/]+\/[^/]+$/, '/calendars/my/shows/$1/:start_date/:days'],
  [/^\/calendars\/my\/shows\/[^/]+\/[^/]+$/, '/calendars/my/shows/:start_date/:days'],
  [/^\/shows\/[^/]+\/progress\/watched$/, '/shows/:id/progress/watched'],
  [/^\/shows\/[^/]+\/seasons$/, '/shows/:id/seasons'],
  [/^\/shows\/[^/]+\/seasons\/[^/]+$/, '/shows/:id/seasons/:season'],
  [/^\/movies\/[^/]+\/releases$/, '/movies/:id/releases'],
  [/^\/movies\/[^/]+\/releases\/[^/]+$/, '/movies/:id/releases/:country'],
  [/^\/oauth\/(token|revoke|device\/code|device\/token)$/, '/oauth/$1'],
];

/** The low-cardinality route template of a request path (query strings ignored); `other` when unknown. */
export function endpointClassOf(path: string): string {
  const bare = path.split('?')[0] ?? '';
  for (const [pattern, template] of TEMPLATES) {
    if (pattern.test(bare)) return bare.replace(pattern, template);
  }
  return 'other';
}
