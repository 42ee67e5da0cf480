// Trakt API v2 emulator (2026 behaviour) for tests and benchmarks. See CONTRACT.md for the API and
// README.md for which Trakt facts each behaviour follows.

import Fastify from 'fastify';
import { tokenSet } from './auth-store.js';
import { Catalog, plainShow } from './catalog.js';
import { registerApiRoutes } from './api-routes.js';
import { clearDates, registerCalendarRoutes, setEpisodeAired, setMovieDates } from './calendar.js';
import { EmulatorContext, resolveOptions } from './context.js';
import { registerControlRoutes } from './control-routes.js';
import { gate, loseAnswer, recordResponse } from './gate.js';
import { registerOauthRoutes } from './oauth-routes.js';
import type { Target } from './sync-body.js';
import { targetOfRef } from './user-store.js';
import type { CatalogEpisode, CatalogRef, TraktEmulator, TraktEmulatorOptions } from './types.js';

export type * from './types.js';

/** Catalogs are immutable once built and cost a few hundred ms: emulators in one process share them. */
const catalogs = new Map<string, Catalog>();

function catalogFor(size: number, seed: number): Catalog {
  const key = `${size}:${seed}`;
  let catalog = catalogs.get(key);
  if (!catalog) {
    catalog = new Catalog({ size, seed, now: Date.now() });
    catalogs.set(key, catalog);
  }
  return catalog;
}

export async function startTraktEmulator(options?: TraktEmulatorOptions): Promise<TraktEmulator> {
  const resolved = resolveOptions(options);
  const catalog = catalogFor(resolved.catalogSize, resolved.seed);
  const ctx = new EmulatorContext(resolved, catalog);

  // Two hosts, as Trakt has (REFERENCE §1): the API (api.trakt.tv) and OAuth (auth.trakt.tv: authorize,
  // token, refresh, revoke, device, activate). Each answers only its own routes, so a client that sends
  // OAuth to the API host gets a 404, as from Trakt ("Do not use the API hostname for these requests").
  const server = (host: 'api' | 'auth') => {
    const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 16 * 1024 * 1024 });
    // OAuth clients often post forms; Trakt's token endpoint accepts them too.
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    app.addHook('onRequest', async (request, reply) => gate(ctx, host, request, reply));
    app.addHook('onSend', async (request, reply, payload) => loseAnswer(ctx, request, reply, payload));
    app.addHook('onResponse', async (request, reply) => recordResponse(ctx, request, reply));
    return app;
  };
  const api = server('api');
  const authHost = server('auth');

  const emulator = buildEmulator(ctx, async () => {
    ctx.closing.abort();
    for (const end of [...ctx.hung]) end();
    await Promise.all([api.close(), authHost.close()]);
  });

  registerApiRoutes(api, ctx);
  registerCalendarRoutes(api, ctx);
  registerControlRoutes(api, ctx, emulator);
  registerOauthRoutes(authHost, ctx);

  try {
    const address = await api.listen({ host: '127.0.0.1', port: resolved.port });
    ctx.baseUrl = address.replace('localhost', '127.0.0.1');
    const authAddress = await authHost.listen({ host: '127.0.0.1', port: resolved.authPort });
    ctx.authBaseUrl = authAddress.replace('localhost', '127.0.0.1');
  } catch (error) {
    await Promise.all([api.close(), authHost.close()]);
    throw error;
  }
  emulator.url = ctx.baseUrl;
  emulator.authUrl = ctx.authBaseUrl;
  return emulator;
}

function buildEmulator(ctx: EmulatorContext, close: () => Promise<void>): TraktEmulator {
  const { users, auth, catalog, options } = ctx;

  const targetsOf = (refs: CatalogRef[]): Target[] =>
    refs.map((ref) => {
      const target = targetOfRef(catalog, ref);
      if (!target) throw new Error(`not in the emulated catalog: ${JSON.stringify(ref)}`);
      return target;
    });

  return {
    url: '',
    authUrl: '',
    clientId: options.clientId,
    clientSecret: options.clientSecret,

    addUser: (input) => users.publicUser(users.add(input)),
    setUser: (username, patch) => {
      users.patch(username, patch);
    },
    issueTokens: (username, opts) => {
      const user = users.get(username);
      return tokenSet(auth.issue(user.username, opts?.expiresIn ?? options.accessTokenTtlSeconds, false));
    },
    revokeAllTokens: (username) => auth.revokeAll(users.get(username).username),
    expireAccessTokens: (username) => auth.expireAll(users.get(username).username),
    setRefreshFailure: (username, mode) => {
      const slug = users.get(username).slug;
      if (mode === null) auth.refreshFailures.delete(slug);
      else auth.refreshFailures.set(slug, mode);
    },

    setAuthorizeDecision: (decision) => {
      users.get(decision.username);
      ctx.authorizeDecision = decision;
    },
    approveDevice: (userCode, username) => {
      const device = auth.deviceByUserCode(userCode);
      if (!device || device.status !== 'pending' || Date.now() >= device.expiresAtMs) {
        throw new Error(`no pending device code ${userCode}`);
      }
      device.status = 'approved';
      device.username = users.get(username).username;
    },
    denyDevice: (userCode) => {
      const device = auth.deviceByUserCode(userCode);
      if (!device) throw new Error(`unknown device code ${userCode}`);
      device.status = 'denied';
    },
    expireDevice: (userCode) => {
      const device = auth.deviceByUserCode(userCode);
      if (!device) throw new Error(`unknown device code ${userCode}`);
      device.expiresAtMs = Math.min(device.expiresAtMs, Date.now());
    },

    watchlist: (username) => users.records(users.get(username)),
    seedWatchlist: (username, refs) => {
      const user = users.get(username);
      users.addToWatchlist(user, targetsOf(refs).map((target) => ({ target, notes: undefined })), { enforceLimit: false });
    },
    markWatched: (username, refs) => {
      users.markWatched(users.get(username), targetsOf(refs));
    },
    catalog: {
      movies: () => [...catalog.movies],
      // shows are copied: internal seasons point back at their show, which JSON and deep equality cannot follow
      shows: () => catalog.shows.map(plainShow),
      findByTitle: (title) => {
        const found = catalog.withTitle(title)[0];
        return found?.type === 'show' ? plainShow(found) : found;
      },
      movie: (trakt) => catalog.movieById('trakt', trakt),
      show: (trakt) => {
        const show = catalog.showById('trakt', trakt);
        return show && plainShow(show);
      },
      episode: (showTrakt, seasonNumber, episodeNumber): CatalogEpisode | undefined => {
        const show = catalog.showById('trakt', showTrakt);
        const season = show && catalog.season(show, seasonNumber);
        const episode = season && catalog.episode(season, episodeNumber);
        return (
          episode && {
            season: episode.season,
            number: episode.number,
            title: episode.title,
            ids: episode.ids,
            first_aired: new Date(episode.firstAiredMs).toISOString(),
          }
        );
      },
    },

    setMovieDates: (trakt, dates) => setMovieDates(ctx, trakt, dates),
    setEpisodeAired: (show, season, episode, firstAired) => setEpisodeAired(ctx, show, season, episode, firstAired),
    clearDates: () => clearDates(ctx),

    setFault: (route, fault) => ctx.faults.set(route, fault),
    clearFaults: () => ctx.faults.clear(),

    requests: ctx.log,
    clearRequests: () => {
      ctx.log.length = 0;
    },
    close,
  };
}
