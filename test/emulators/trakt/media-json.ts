// Catalog records → Trakt JSON. Key order and fields follow the fixtures: minimal objects are
// `title, year, ids` (fixture movies/12601 minimal form, Movie_Min.json); `extended=full` adds the summary
// fields (Movie_Full.json, Show_Full.json, Episode_Full.json); images come with `images` and, because of the
// 2026 regression (REFERENCE §6, trakt/trakt-api#784), with `full` as well.
//
// Everything comes out as JSON text: responses are assembled from these pieces by string concatenation, and
// the text of a movie or show is cached per extended level. Serializing the same full records again and again
// was most of the emulator's CPU time under load.

import type { Catalog } from './catalog.js';
import { iso } from './catalog.js';
import type { EpisodeRecord, ListRecord, MovieRecord, PersonRecord, SeasonRecord, ShowRecord } from './catalog-types.js';
import { imagesFor } from './images.js';

export interface Extended {
  full: boolean;
  images: boolean;
  episodes: boolean;
}

export function parseExtended(value: unknown): Extended {
  const parts = typeof value === 'string' ? value.split(',').map((p) => p.trim()) : [];
  const full = parts.includes('full');
  return { full, images: full || parts.includes('images'), episodes: parts.includes('episodes') };
}

type Json = Record<string, unknown>;

/** JSON text of an array of JSON texts */
export function jsonArray(items: string[]): string {
  return `[${items.join(',')}]`;
}

export class MediaJson {
  private readonly movieCache = new Map<MovieRecord, string[]>();
  private readonly showCache = new Map<ShowRecord, string[]>();

  constructor(
    private readonly catalog: Catalog,
    private readonly baseUrl: () => string,
  ) {}

  movie(movie: MovieRecord, ext: Extended): string {
    return cached(this.movieCache, movie, ext, () => JSON.stringify(this.movieObject(movie, ext)));
  }

  show(show: ShowRecord, ext: Extended): string {
    return cached(this.showCache, show, ext, () => JSON.stringify(this.showObject(show, ext)));
  }

  season(season: SeasonRecord, ext: Extended): string {
    const out = this.seasonObject(season, ext);
    if (!ext.episodes) return JSON.stringify(out);
    const episodes = jsonArray(this.catalog.episodes(season).map((e) => this.episode(e, { ...ext, episodes: false })));
    return `${JSON.stringify(out).slice(0, -1)},"episodes":${episodes}}`;
  }

  episode(episode: EpisodeRecord, ext: Extended): string {
    return JSON.stringify(this.episodeObject(episode, ext));
  }

  person(person: PersonRecord): string {
    return JSON.stringify({ name: person.name, ids: person.ids });
  }

  list(list: ListRecord): string {
    return JSON.stringify(list);
  }

  private movieObject(movie: MovieRecord, ext: Extended): Json {
    const out: Json = { title: movie.title, year: movie.year, ids: movie.ids };
    if (ext.full) {
      Object.assign(out, {
        tagline: movie.tagline,
        overview: movie.overview,
        released: movie.released,
        runtime: movie.runtime,
        country: movie.country,
        trailer: movie.trailer,
        homepage: movie.homepage,
        status: movie.status,
        rating: movie.rating,
        votes: movie.votes,
        comment_count: movie.comment_count,
        updated_at: movie.updated_at,
        language: movie.language,
        languages: movie.languages,
        available_translations: movie.available_translations,
        genres: movie.genres,
        certification: movie.certification,
        original_title: movie.original_title,
      });
    }
    if (ext.images) out.images = imagesFor(this.baseUrl(), 'movie', movie.ids.trakt);
    return out;
  }

  private showObject(show: ShowRecord, ext: Extended): Json {
    const out: Json = { title: show.title, year: show.year, ids: show.ids };
    if (ext.full) {
      Object.assign(out, {
        tagline: show.tagline,
        overview: show.overview,
        first_aired: show.first_aired,
        airs: show.airs,
        runtime: show.runtime,
        certification: show.certification,
        network: show.network,
        country: show.country,
        trailer: show.trailer,
        homepage: show.homepage,
        status: show.status,
        rating: show.rating,
        votes: show.votes,
        comment_count: show.comment_count,
        updated_at: show.updated_at,
        language: show.language,
        languages: show.languages,
        available_translations: show.available_translations,
        genres: show.genres,
        aired_episodes: show.aired_episodes,
        original_title: show.original_title,
      });
    }
    if (ext.images) out.images = imagesFor(this.baseUrl(), 'show', show.ids.trakt);
    return out;
  }

  private seasonObject(season: SeasonRecord, ext: Extended): Json {
    const out: Json = { number: season.number, ids: season.ids };
    if (ext.full) {
      Object.assign(out, {
        rating: season.rating,
        votes: season.votes,
        episode_count: season.episode_count,
        aired_episodes: season.aired_episodes,
        title: season.number === 0 ? 'Specials' : `Season ${season.number}`,
        overview: null,
        first_aired: iso(season.firstAiredMs),
        updated_at: season.show.updated_at,
        network: season.show.network,
      });
    }
    if (ext.images) out.images = imagesFor(this.baseUrl(), 'season', season.ids.trakt);
    return out;
  }

  private episodeObject(episode: EpisodeRecord, ext: Extended): Json {
    const out: Json = { season: episode.season, number: episode.number, title: episode.title, ids: episode.ids };
    if (ext.full) {
      Object.assign(out, {
        number_abs: episode.number_abs,
        overview: episode.overview,
        rating: episode.rating,
        votes: episode.votes,
        comment_count: Math.floor(episode.votes / 100),
        first_aired: iso(episode.firstAiredMs),
        updated_at: episode.show.updated_at,
        available_translations: episode.show.available_translations,
        runtime: episode.runtime,
        episode_type: episodeType(episode),
      });
    }
    if (ext.images) out.images = imagesFor(this.baseUrl(), 'episode', episode.ids.trakt);
    return out;
  }

}

function cached<K>(cache: Map<K, string[]>, key: K, ext: Extended, build: () => string): string {
  const slot = (ext.full ? 2 : 0) + (ext.images ? 1 : 0);
  let texts = cache.get(key);
  if (!texts) {
    texts = [];
    cache.set(key, texts);
  }
  return (texts[slot] ??= build());
}

function episodeType(episode: EpisodeRecord): string {
  const season = episode.seasonRecord;
  if (episode.number === 1) return episode.season === 1 ? 'series_premiere' : 'season_premiere';
  if (episode.number === season.episode_count) {
    const lastSeason = episode.show.seasons[episode.show.seasons.length - 1];
    const ended = episode.show.status === 'ended' || episode.show.status === 'canceled';
    return ended && lastSeason === season ? 'series_finale' : 'season_finale';
  }
  return 'standard';
}
