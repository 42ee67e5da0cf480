// The emulated Trakt catalog: the real titles of the fixtures plus a seeded, generated remainder.
// Built once per emulator; every lookup a request needs is a Map or a binary search, never a scan, except
// text search, which goes through the prebuilt inverted index (search-index.ts).
//
// Episodes are not materialized up front: a season stores the ids of its episode 1 and episode n is derived
// (ids base + n - 1), so 100k episodes cost a few numbers per season. Real episodes from the fixtures
// replace the generated ones with the same number.

import type { CatalogMovie, CatalogShow } from './types.js';
import type {
  EpisodeRecord,
  FixtureEpisode,
  FixtureMovie,
  FixtureShow,
  ListRecord,
  MediaRecord,
  MovieRecord,
  PersonRecord,
  SeasonRecord,
  ShowRecord,
} from './catalog-types.js';
import {
  ADJECTIVES,
  COUNTRIES,
  EDGE_CASE_TITLES,
  EXAMPLE_TITLES,
  YEAR_LIKE_TITLES,
  FIRST_NAMES,
  LANGUAGE_OF_COUNTRY,
  LAST_NAMES,
  MOVIE_CERTIFICATIONS,
  MOVIE_GENRES,
  NETWORKS,
  NOUNS,
  OVERVIEW_ENDINGS,
  OVERVIEW_OPENINGS,
  OVERVIEW_SUBJECTS,
  PLACES,
  SHOW_CERTIFICATIONS,
  SHOW_GENRES,
  TIMEZONES,
  WEEKDAYS,
} from './catalog-data.js';
import { fixtureLists, fixtureMovies, fixturePeople, fixtureShows } from './fixture-catalog.js';
import { createRng, intBetween, pick, pickSome, rngFor } from './random.js';
import type { Rng } from './random.js';
import { TextIndex, titleKey } from './search-index.js';
import type { Analysis } from './search-index.js';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

// Generated ids live far above the real ids of the fixtures so the two never collide.
const ID = {
  movieTrakt: 900_000,
  movieTmdb: 2_000_000,
  movieImdb: 60_000_000,
  showTrakt: 400_000,
  showTmdb: 500_000,
  showTvdb: 600_000,
  showImdb: 70_000_000,
  seasonTrakt: 2_000_000,
  seasonTvdb: 50_000_000,
  seasonTmdb: 60_000_000,
  episodeTrakt: 20_000_000,
  episodeTvdb: 30_000_000,
  episodeTmdb: 40_000_000,
  episodeImdb: 80_000_000,
  personTrakt: 700_000,
  personTmdb: 5_000_000,
  personImdb: 9_000_000,
  listTrakt: 30_000_000,
} as const;

const FIXED_UPDATED_AT = Date.UTC(2025, 0, 1);

export interface CatalogOptions {
  size: number;
  seed: number;
  now: number;
}

interface EpisodeRange {
  first: number;
  count: number;
  season: SeasonRecord;
}

type EpisodeIdKind = 'trakt' | 'tvdb' | 'tmdb' | 'imdb';

export interface EpisodeDoc {
  season: SeasonRecord;
  number: number;
}

export class Catalog {
  readonly movies: MovieRecord[] = [];
  readonly shows: ShowRecord[] = [];
  readonly people: PersonRecord[] = [];
  readonly lists: ListRecord[] = [];
  readonly movieIndex = new TextIndex();
  readonly showIndex = new TextIndex();
  readonly personIndex = new TextIndex();
  readonly listIndex = new TextIndex();

  private readonly seed: number;
  private readonly now: number;
  private readonly moviesById = new IdIndex<MovieRecord>();
  private readonly showsById = new IdIndex<ShowRecord>();
  private readonly seasonsById = new IdIndex<SeasonRecord>();
  private readonly explicitEpisodes = new IdIndex<EpisodeRecord>();
  private readonly peopleById = new IdIndex<PersonRecord>();
  private readonly listsById = new IdIndex<ListRecord>();
  private readonly byTitle = new Map<string, MediaRecord[]>();
  private readonly ranges: Record<EpisodeIdKind, EpisodeRange[]> = { trakt: [], tvdb: [], tmdb: [], imdb: [] };
  private readonly episodeCache = new Map<number, EpisodeRecord>();
  private episodeIndexCache: { index: TextIndex; docs: EpisodeDoc[] } | undefined;
  private counters = { seasonTrakt: ID.seasonTrakt, episodeBase: 0 };

  constructor(options: CatalogOptions) {
    this.seed = options.seed;
    this.now = options.now;
    const rng = createRng(options.seed);

    for (const fixture of fixtureMovies) this.addMovie(this.movieFromFixture(fixture));
    for (const fixture of fixtureShows) this.addShow(this.showFromFixture(fixture));

    const generatedShows = Math.round(options.size * 0.4);
    const generatedMovies = options.size - generatedShows;
    let movieSerial = 0;
    let showSerial = 0;
    for (const edge of EDGE_CASE_TITLES) {
      if (edge.type === 'movie') this.addMovie(this.generateMovie(movieSerial++, rng, edge.title, edge.year, edge.slug));
      else this.addShow(this.generateShow(showSerial++, rng, edge.title, edge.year, edge.slug));
    }
    while (movieSerial < generatedMovies) this.addMovie(this.generateMovie(movieSerial++, rng));
    while (showSerial < generatedShows) this.addShow(this.generateShow(showSerial++, rng));
    for (const late of YEAR_LIKE_TITLES) this.addMovie(this.generateMovie(movieSerial++, rng, late.title, late.year, late.slug));
    // their own random stream: the people and lists generated below stay as they were
    const exampleRng = rngFor(options.seed, 0x5eed);
    for (const example of EXAMPLE_TITLES) {
      const media =
        example.type === 'movie'
          ? this.generateMovie(movieSerial++, exampleRng, example.title, example.year, example.slug)
          : this.generateShow(showSerial++, exampleRng, example.title, example.year, example.slug);
      media.votes = example.votes;
      if (example.imdb !== undefined) media.ids.imdb = example.imdb;
      if (media.type === 'movie') this.addMovie(media);
      else this.addShow(media);
    }

    for (const kind of Object.keys(this.ranges) as EpisodeIdKind[]) this.ranges[kind].sort((a, b) => a.first - b.first);

    for (const fixture of fixturePeople) this.addPerson({ name: fixture.name, ids: fixture.ids });
    for (let i = 0; i < 300; i++) {
      const name = `${pick(rng, FIRST_NAMES)} ${pick(rng, LAST_NAMES)}`;
      this.addPerson({
        name,
        ids: {
          trakt: ID.personTrakt + i,
          slug: `${slugify(name)}-${i}`,
          imdb: `nm${String(ID.personImdb + i)}`,
          tmdb: ID.personTmdb + i,
        },
      });
    }
    for (const fixture of fixtureLists) {
      this.addList(this.makeList(fixture.name, fixture.description, fixture.ids, fixture.username, fixture.name_of_user, {
        item_count: fixture.item_count,
        likes: fixture.likes,
        created_at: fixture.created_at,
        updated_at: fixture.updated_at,
      }));
    }
    for (let i = 0; i < 100; i++) {
      const name = pick(rng, [
        `Best ${pick(rng, ADJECTIVES)} Movies`,
        `${pick(rng, FIRST_NAMES)}'s ${pick(rng, NOUNS)} Picks`,
        `Top 100 ${pick(rng, MOVIE_GENRES)}`,
        `${pick(rng, ADJECTIVES)} ${pick(rng, NOUNS)} Marathon`,
      ]);
      const user = pick(rng, FIRST_NAMES).toLowerCase();
      const created = FIXED_UPDATED_AT - intBetween(rng, 30, 3000) * DAY_MS;
      this.addList(this.makeList(name, `A list about ${name.toLowerCase()}.`, { trakt: ID.listTrakt + i, slug: `${slugify(name)}-${i}` }, user, user, {
        item_count: intBetween(rng, 5, 250),
        likes: intBetween(rng, 0, 500),
        created_at: iso(created),
        updated_at: iso(created + intBetween(rng, 1, 30) * DAY_MS),
      }));
    }
  }

  // ---- lookups ----

  /** `/movies/:id`: trakt id, slug or imdb id */
  movie(idOrSlug: string): MovieRecord | undefined {
    return this.moviesById.byPathId(idOrSlug);
  }

  show(idOrSlug: string): ShowRecord | undefined {
    return this.showsById.byPathId(idOrSlug);
  }

  movieById(kind: IdKind, value: string | number): MovieRecord | undefined {
    return this.moviesById.get(kind, value);
  }

  showById(kind: IdKind, value: string | number): ShowRecord | undefined {
    return this.showsById.get(kind, value);
  }

  seasonById(kind: IdKind, value: string | number): SeasonRecord | undefined {
    return this.seasonsById.get(kind, value);
  }

  personById(kind: IdKind, value: string | number): PersonRecord | undefined {
    return this.peopleById.get(kind, value);
  }

  listById(kind: IdKind, value: string | number): ListRecord | undefined {
    return this.listsById.get(kind, value);
  }

  /** Media with exactly this title (normalized), most votes first */
  withTitle(title: string): MediaRecord[] {
    return this.byTitle.get(titleKey(title)) ?? [];
  }

  season(show: ShowRecord, number: number): SeasonRecord | undefined {
    return show.seasons.find((s) => s.number === number);
  }

  episode(season: SeasonRecord, number: number): EpisodeRecord | undefined {
    if (!Number.isInteger(number) || number < 1 || number > season.episode_count) return undefined;
    const explicit = season.explicit?.get(number);
    if (explicit) return explicit;
    const trakt = season.idBase.trakt + number - 1;
    const cached = this.episodeCache.get(trakt);
    if (cached) return cached;
    const episode = this.generateEpisode(season, number);
    // generating is cheap; the cache only spares repeated work for popular episodes, so keep it bounded
    if (this.episodeCache.size >= 20_000) this.episodeCache.clear();
    this.episodeCache.set(trakt, episode);
    return episode;
  }

  episodeById(kind: EpisodeIdKind, value: string | number): EpisodeRecord | undefined {
    const explicit = this.explicitEpisodes.get(kind, value);
    if (explicit) return explicit;
    const numeric = kind === 'imdb' ? imdbNumber(String(value)) : Number(value);
    if (numeric === undefined || !Number.isInteger(numeric)) return undefined;
    const ranges = this.ranges[kind];
    let lo = 0;
    let hi = ranges.length - 1;
    let found: EpisodeRange | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const range = ranges[mid];
      if (!range) break;
      if (range.first <= numeric) {
        found = range;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (!found || numeric >= found.first + found.count) return undefined;
    const number = numeric - found.first + 1;
    // a real episode took this slot: its generated ids do not exist
    if (found.season.explicit?.has(number)) return undefined;
    return this.episode(found.season, number);
  }

  /** Episode search documents, built on first use (about 100k titles): most bots never search episodes. */
  episodeIndex(): { index: TextIndex; docs: EpisodeDoc[] } {
    if (this.episodeIndexCache) return this.episodeIndexCache;
    const index = new TextIndex();
    const docs: EpisodeDoc[] = [];
    const memo = new Map<string, Analysis>();
    for (const show of this.shows) {
      for (const season of show.seasons) {
        for (let n = 1; n <= season.episode_count; n++) {
          const explicit = season.explicit?.get(n);
          index.add(explicit ? explicit.title : this.generatedTitle(season, n), 1, memo);
          docs.push({ season, number: n });
        }
      }
    }
    this.episodeIndexCache = { index, docs };
    return this.episodeIndexCache;
  }

  episodes(season: SeasonRecord): EpisodeRecord[] {
    const out: EpisodeRecord[] = [];
    for (let n = 1; n <= season.episode_count; n++) {
      const episode = this.episode(season, n);
      if (episode) out.push(episode);
    }
    return out;
  }

  isAired(episode: EpisodeRecord): boolean {
    return episode.firstAiredMs <= this.now;
  }

  // ---- building ----

  private addMovie(movie: MovieRecord): void {
    const doc = this.movieIndex.add(movie.title, popularityBoost(movie.votes));
    if (doc !== this.movies.length) throw new Error('movie index out of step');
    this.movies.push(movie);
    this.moviesById.add(movie.ids, movie);
    this.indexTitle(movie);
  }

  private addShow(show: ShowRecord): void {
    const doc = this.showIndex.add(show.title, popularityBoost(show.votes));
    if (doc !== this.shows.length) throw new Error('show index out of step');
    this.shows.push(show);
    this.showsById.add(show.ids, show);
    this.indexTitle(show);
    for (const season of show.seasons) {
      this.seasonsById.add(season.ids, season);
      if (season.explicit) for (const episode of season.explicit.values()) this.explicitEpisodes.add(episode.ids, episode);
      const base = season.idBase;
      this.ranges.trakt.push({ first: base.trakt, count: season.episode_count, season });
      this.ranges.tvdb.push({ first: base.tvdb, count: season.episode_count, season });
      this.ranges.tmdb.push({ first: base.tmdb, count: season.episode_count, season });
      if (base.imdb !== null) this.ranges.imdb.push({ first: base.imdb, count: season.episode_count, season });
    }
  }

  private addPerson(person: PersonRecord): void {
    this.personIndex.add(person.name, 1);
    this.people.push(person);
    this.peopleById.add(person.ids, person);
  }

  private addList(list: ListRecord): void {
    this.listIndex.add(`${list.name} ${list.description}`, popularityBoost(list.likes));
    this.lists.push(list);
    this.listsById.add(list.ids, list);
  }

  private indexTitle(media: MediaRecord): void {
    const key = titleKey(media.title);
    const list = this.byTitle.get(key);
    if (!list) {
      this.byTitle.set(key, [media]);
      return;
    }
    list.push(media);
    list.sort((a, b) => b.votes - a.votes);
  }

  private movieFromFixture(fixture: FixtureMovie): MovieRecord {
    const rng = rngFor(this.seed, fixture.ids.trakt);
    const movie = this.fillMovie(rng, fixture.title, fixture.year, fixture.ids, intBetween(rng, 800, 9000));
    return Object.assign(movie, fixture.full ?? {}, releasedFields(fixture.full?.released ?? movie.released, this.now));
  }

  private generateMovie(serial: number, rng: Rng, title?: string, year?: number, slug?: string): MovieRecord {
    const name = title ?? generateTitle(rng, 'movie');
    const released = year ?? generateYear(rng);
    const trakt = ID.movieTrakt + serial;
    const slugBase = slug ?? `${slugify(name) || `movie-${trakt}`}-${released}`;
    const ids = {
      trakt,
      slug: this.uniqueSlug(this.moviesById, slugBase),
      imdb: rng() < 0.95 ? formatImdb(ID.movieImdb + serial) : null,
      tmdb: ID.movieTmdb + serial,
    };
    return this.fillMovie(rngFor(this.seed, trakt), name, released, ids, heavyTailVotes(rng));
  }

  private fillMovie(rng: Rng, title: string, year: number, ids: MovieRecord['ids'], votes: number): MovieRecord {
    const country = pick(rng, COUNTRIES);
    const language = LANGUAGE_OF_COUNTRY[country] ?? 'en';
    const released = `${year}-${pad2(intBetween(rng, 1, 12))}-${pad2(intBetween(rng, 1, 28))}`;
    return {
      type: 'movie',
      title,
      year,
      ids,
      tagline: `${pick(rng, ADJECTIVES)} ${pick(rng, NOUNS).toLowerCase()}s never die.`,
      overview: generateOverview(rng),
      released,
      runtime: intBetween(rng, 78, 165),
      country,
      trailer: null,
      homepage: null,
      rating: round5(5 + rng() * 4),
      votes,
      comment_count: Math.floor(votes / 150),
      updated_at: iso(FIXED_UPDATED_AT + intBetween(rng, 0, 300) * DAY_MS),
      language,
      languages: [language],
      available_translations: language === 'en' ? ['en', 'de', 'es', 'fr'] : [language, 'en'],
      genres: pickSome(rng, MOVIE_GENRES, 1, 3),
      certification: pick(rng, MOVIE_CERTIFICATIONS),
      original_title: title,
      sortTitle: title.toLowerCase(),
      ...releasedFields(released, this.now),
    };
  }

  private showFromFixture(fixture: FixtureShow): ShowRecord {
    const rng = rngFor(this.seed, fixture.ids.trakt + 7_000_000);
    const show = this.fillShow(rng, fixture.title, fixture.year, fixture.ids, intBetween(rng, 800, 9000));
    Object.assign(show, fixture.full ?? {});
    const explicitBySeason = new Map<number, FixtureEpisode[]>();
    for (const episode of fixture.episodes) {
      const list = explicitBySeason.get(episode.season) ?? [];
      list.push(episode);
      explicitBySeason.set(episode.season, list);
    }
    let abs = 1;
    for (const shape of fixture.seasons) {
      const season = this.makeSeason(show, shape.number, shape.episodes, Date.parse(shape.firstAired), WEEK_MS, rng, {
        ids: shape.ids,
        firstEpisodeTrakt: shape.firstEpisodeTrakt,
        titles: fixture.titles?.[shape.number],
        absBase: shape.number === 0 ? null : abs,
      });
      if (shape.number !== 0) abs += shape.episodes;
      const explicit = explicitBySeason.get(shape.number);
      if (explicit) {
        season.explicit = new Map();
        for (const fixtureEpisode of explicit) {
          const generated = this.generateEpisode(season, fixtureEpisode.number);
          const details = fixtureEpisode.details ?? {};
          season.explicit.set(fixtureEpisode.number, {
            ...generated,
            title: fixtureEpisode.title,
            ids: fixtureEpisode.ids,
            overview: details.overview ?? generated.overview,
            firstAiredMs: details.first_aired ? Date.parse(details.first_aired) : generated.firstAiredMs,
            runtime: details.runtime ?? generated.runtime,
            rating: details.rating ?? generated.rating,
            votes: details.votes ?? generated.votes,
            number_abs: details.number_abs !== undefined ? details.number_abs : generated.number_abs,
          });
        }
      }
      show.seasons.push(season);
    }
    this.finishShow(show, fixture.full?.status);
    if (fixture.full?.first_aired) {
      show.first_aired = fixture.full.first_aired;
      show.firstAiredMs = Date.parse(fixture.full.first_aired);
    }
    return show;
  }

  private generateShow(serial: number, rng: Rng, title?: string, year?: number, slug?: string): ShowRecord {
    const name = title ?? generateTitle(rng, 'show');
    const trakt = ID.showTrakt + serial;
    const startYear = year ?? generateYear(rng);
    const slugBase = slug ?? (slugify(name) || `show-${trakt}`);
    const ids = {
      trakt,
      slug: this.uniqueSlug(this.showsById, slugBase, startYear),
      imdb: rng() < 0.9 ? formatImdb(ID.showImdb + serial) : null,
      // REFERENCE §7: tmdb/tvdb ids are not unique across types; one show shares The Avengers' tmdb id so an
      // id lookup without ?type= returns two results, as on Trakt.
      tmdb: serial === 42 ? 24428 : ID.showTmdb + serial,
      tvdb: rng() < 0.95 ? ID.showTvdb + serial : null,
    };
    const showRng = rngFor(this.seed, trakt + 7_000_000);
    const show = this.fillShow(showRng, name, startYear, ids, heavyTailVotes(rng));
    const seasonCount = pick(showRng, [1, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 10]);
    let start = Date.UTC(startYear, intBetween(showRng, 0, 11), intBetween(showRng, 1, 28), intBetween(showRng, 0, 23));
    if (showRng() < 0.25) {
      show.seasons.push(this.makeSeason(show, 0, intBetween(showRng, 1, 4), start, 60 * DAY_MS, showRng, { absBase: null }));
    }
    let abs = 1;
    for (let n = 1; n <= seasonCount; n++) {
      const count = intBetween(showRng, 6, 22);
      const interval = showRng() < 0.15 ? DAY_MS : WEEK_MS; // some streaming shows drop weekly, a few daily
      show.seasons.push(this.makeSeason(show, n, count, start, interval, showRng, { absBase: abs }));
      abs += count;
      start += count * interval + intBetween(showRng, 120, 500) * DAY_MS;
      // stop before seasons far in the future; one upcoming season is fine
      if (start > this.now + 200 * DAY_MS) break;
    }
    this.finishShow(show, undefined, showRng);
    return show;
  }

  private fillShow(rng: Rng, title: string, year: number, ids: ShowRecord['ids'], votes: number): ShowRecord {
    const country = pick(rng, COUNTRIES);
    const language = LANGUAGE_OF_COUNTRY[country] ?? 'en';
    return {
      type: 'show',
      title,
      year,
      ids,
      tagline: '',
      overview: generateOverview(rng),
      first_aired: null,
      airs: { day: pick(rng, WEEKDAYS), time: `${pad2(intBetween(rng, 18, 22))}:00`, timezone: pick(rng, TIMEZONES) },
      runtime: pick(rng, [22, 25, 30, 42, 45, 50, 55, 60]),
      certification: pick(rng, SHOW_CERTIFICATIONS),
      network: pick(rng, NETWORKS),
      country,
      trailer: null,
      homepage: null,
      status: 'returning series',
      rating: round5(5 + rng() * 4),
      votes,
      comment_count: Math.floor(votes / 150),
      updated_at: iso(FIXED_UPDATED_AT + intBetween(rng, 0, 300) * DAY_MS),
      language,
      languages: [language],
      available_translations: language === 'en' ? ['en', 'de', 'es', 'fr'] : [language, 'en'],
      genres: pickSome(rng, SHOW_GENRES, 1, 3),
      aired_episodes: 0,
      original_title: title,
      seasons: [],
      sortTitle: title.toLowerCase(),
      firstAiredMs: 0,
    };
  }

  private makeSeason(
    show: ShowRecord,
    number: number,
    episodeCount: number,
    firstAiredMs: number,
    intervalMs: number,
    rng: Rng,
    extra: { ids?: SeasonRecord['ids']; firstEpisodeTrakt?: number; titles?: string[]; absBase: number | null },
  ): SeasonRecord {
    const seasonSerial = this.counters.seasonTrakt++ - ID.seasonTrakt;
    const episodeSerial = this.counters.episodeBase;
    this.counters.episodeBase += episodeCount;
    return {
      show,
      number,
      ids: extra.ids ?? {
        trakt: ID.seasonTrakt + seasonSerial,
        tvdb: ID.seasonTvdb + seasonSerial,
        tmdb: ID.seasonTmdb + seasonSerial,
      },
      episode_count: episodeCount,
      firstAiredMs,
      intervalMs,
      idBase: {
        trakt: extra.firstEpisodeTrakt ?? ID.episodeTrakt + episodeSerial,
        tvdb: ID.episodeTvdb + episodeSerial,
        tmdb: ID.episodeTmdb + episodeSerial,
        imdb: number === 0 || show.ids.imdb === null ? null : ID.episodeImdb + episodeSerial,
      },
      absBase: extra.absBase,
      explicit: undefined,
      titles: extra.titles,
      aired_episodes: 0,
      rating: round5(6 + rng() * 3),
      votes: intBetween(rng, 10, 3000),
    };
  }

  private finishShow(show: ShowRecord, fixedStatus: string | undefined, rng?: Rng): void {
    let aired = 0;
    let first = Number.POSITIVE_INFINITY;
    let last = 0;
    for (const season of show.seasons) {
      const airedInSeason = airedCount(season, this.now);
      season.aired_episodes = airedInSeason;
      if (season.number !== 0) {
        aired += airedInSeason;
        first = Math.min(first, season.firstAiredMs);
        last = Math.max(last, season.firstAiredMs + (season.episode_count - 1) * season.intervalMs);
      }
    }
    show.aired_episodes = aired;
    if (Number.isFinite(first)) {
      show.firstAiredMs = first;
      show.first_aired = iso(first);
    }
    if (fixedStatus) show.status = fixedStatus;
    else if (first > this.now) show.status = 'upcoming';
    else if (last < this.now - 400 * DAY_MS) show.status = rng && rng() < 0.2 ? 'canceled' : 'ended';
    else show.status = 'returning series';
  }

  /** The title of a generated episode; draws the same numbers as generateEpisode, first. */
  private generatedTitle(season: SeasonRecord, number: number, rng = rngFor(this.seed, season.idBase.trakt + number - 1)): string {
    const known = season.titles?.[number - 1];
    return known ?? (season.number === 1 && number === 1 ? 'Pilot' : generateEpisodeTitle(rng));
  }

  private generateEpisode(season: SeasonRecord, number: number): EpisodeRecord {
    const base = season.idBase;
    const trakt = base.trakt + number - 1;
    const rng = rngFor(this.seed, trakt);
    const show = season.show;
    const title = this.generatedTitle(season, number, rng);
    return {
      show,
      seasonRecord: season,
      season: season.number,
      number,
      title,
      ids: {
        trakt,
        tvdb: base.tvdb + number - 1,
        imdb: base.imdb === null ? null : formatImdb(base.imdb + number - 1),
        tmdb: base.tmdb + number - 1,
      },
      number_abs: season.absBase === null ? null : season.absBase + number - 1,
      overview: generateOverview(rng),
      firstAiredMs: season.firstAiredMs + (number - 1) * season.intervalMs,
      runtime: Math.max(5, show.runtime + intBetween(rng, -4, 4)),
      rating: round5(6 + rng() * 3.5),
      votes: intBetween(rng, 5, 5000),
    };
  }

  private makeList(
    name: string,
    description: string,
    ids: { trakt: number; slug: string },
    username: string,
    displayName: string,
    stats: { item_count: number; likes: number; created_at: string; updated_at: string },
  ): ListRecord {
    return {
      name,
      description,
      privacy: 'public',
      share_link: `https://trakt.tv/lists/${ids.trakt}`,
      type: 'personal',
      display_numbers: true,
      allow_comments: true,
      sort_by: 'rank',
      sort_how: 'asc',
      created_at: stats.created_at,
      updated_at: stats.updated_at,
      item_count: stats.item_count,
      comment_count: 0,
      likes: stats.likes,
      ids,
      user: { username, private: false, name: displayName, vip: false, vip_ep: false, ids: { slug: username } },
    };
  }

  private uniqueSlug<T>(index: IdIndex<T>, base: string, year?: number): string {
    if (!index.slug.has(base)) return base;
    if (year !== undefined && !index.slug.has(`${base}-${year}`)) return `${base}-${year}`;
    for (let i = 2; ; i++) if (!index.slug.has(`${base}-${i}`)) return `${base}-${i}`;
  }
}

export type IdKind = 'trakt' | 'slug' | 'imdb' | 'tmdb' | 'tvdb';

interface AnyIds {
  trakt: number;
  slug?: string;
  imdb?: string | null;
  tmdb?: number | null;
  tvdb?: number | null;
}

/** Numeric ids in numeric Maps: string-keyed Maps cost several times more to build at this size. */
class IdIndex<T> {
  readonly trakt = new Map<number, T>();
  readonly tmdb = new Map<number, T>();
  readonly tvdb = new Map<number, T>();
  readonly imdb = new Map<string, T>();
  readonly slug = new Map<string, T>();

  add(ids: AnyIds, value: T): void {
    setOnce(this.trakt, ids.trakt, value);
    if (ids.tmdb != null) setOnce(this.tmdb, ids.tmdb, value);
    if (ids.tvdb != null) setOnce(this.tvdb, ids.tvdb, value);
    if (ids.imdb != null) setOnce(this.imdb, ids.imdb, value);
    if (ids.slug != null) setOnce(this.slug, ids.slug, value);
  }

  get(kind: IdKind, value: string | number): T | undefined {
    if (kind === 'imdb' || kind === 'slug') return this[kind].get(String(value).toLowerCase());
    const n = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Number.NaN;
    return this[kind].get(n);
  }

  /** `/movies/:id` style: a trakt id, an imdb id or a slug */
  byPathId(id: string): T | undefined {
    if (/^\d+$/.test(id)) return this.trakt.get(Number(id));
    if (/^tt\d+$/i.test(id)) return this.imdb.get(id.toLowerCase());
    return this.slug.get(id.toLowerCase());
  }
}

function setOnce<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (!map.has(key)) map.set(key, value);
}

function airedCount(season: SeasonRecord, now: number): number {
  if (season.firstAiredMs > now) return 0;
  return Math.min(season.episode_count, Math.floor((now - season.firstAiredMs) / season.intervalMs) + 1);
}

function releasedFields(released: string, now: number): { releasedMs: number; status: string } {
  const releasedMs = Date.parse(`${released}T00:00:00.000Z`);
  return { releasedMs, status: releasedMs <= now ? 'released' : 'post production' };
}

function generateTitle(rng: Rng, type: 'movie' | 'show'): string {
  const adjective = pick(rng, ADJECTIVES);
  const noun = pick(rng, NOUNS);
  const other = pick(rng, NOUNS);
  const place = pick(rng, PLACES);
  const name = pick(rng, FIRST_NAMES);
  const patterns =
    type === 'movie'
      ? [
          `The ${adjective} ${noun}`,
          `${adjective} ${noun}`,
          `${noun} of ${place}`,
          `The ${noun} of ${place}`,
          `${name}'s ${noun}`,
          `${noun} & ${other}`,
          `${adjective} ${noun}: ${other} of the ${pick(rng, NOUNS)}`,
          `The Last ${noun}`,
          `${noun}s`,
          `${adjective} ${noun} ${pick(rng, ['2', '3', 'II', 'III', 'Returns', 'Rising'])}`,
        ]
      : [
          `The ${noun}s`,
          `${adjective} ${noun}`,
          `${place} ${pick(rng, ['Nights', 'Stories', 'Files', 'Confidential', 'Blues'])}`,
          `${noun} Street`,
          `${name} & ${pick(rng, FIRST_NAMES)}`,
          `The ${adjective} ${noun}s`,
          `${noun} ${pick(rng, ['Academy', 'Station', 'Hospital', 'Squad', 'Chronicles', 'Diaries'])}`,
        ];
  return pick(rng, patterns);
}

function generateEpisodeTitle(rng: Rng): string {
  const noun = pick(rng, NOUNS);
  return pick(rng, [
    `The ${noun}`,
    `${pick(rng, ADJECTIVES)} ${noun}`,
    `${noun} and ${pick(rng, NOUNS)}`,
    `A ${noun} in ${pick(rng, PLACES)}`,
    `The ${noun}'s ${pick(rng, NOUNS)}`,
    `${pick(rng, ADJECTIVES)} Night`,
  ]);
}

function generateOverview(rng: Rng): string {
  return `${pick(rng, OVERVIEW_OPENINGS)} ${pick(rng, OVERVIEW_SUBJECTS)} ${pick(rng, OVERVIEW_ENDINGS)}`;
}

/** Skewed to recent years, as a real catalog is */
function generateYear(rng: Rng): number {
  return 2026 - Math.floor(66 * rng() * rng());
}

function heavyTailVotes(rng: Rng): number {
  return Math.floor(5 * Math.exp(rng() * 9.5));
}

/** Popular titles rank first among equally good matches, as on Trakt */
export function popularityBoost(votes: number): number {
  return Math.sqrt(Math.sqrt(1 + votes));
}

export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function formatImdb(n: number): string {
  return `tt${String(n).padStart(7, '0')}`;
}

function imdbNumber(imdb: string): number | undefined {
  const match = /^tt(\d+)$/.exec(imdb);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function round5(n: number): number {
  return Math.round(n * 100000) / 100000;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function plainMovie(movie: CatalogMovie): CatalogMovie {
  const { type, title, year, ids, released, runtime, rating, votes, genres, overview } = movie;
  return { type, title, year, ids, released, runtime, rating, votes, genres, overview };
}

/** Shows without the internal back-references of their seasons */
export function plainShow(show: CatalogShow): CatalogShow {
  const { type, title, year, ids, status, network, aired_episodes, rating, votes, genres, overview } = show;
  const seasons = show.seasons.map((s) => ({ number: s.number, ids: s.ids, episode_count: s.episode_count }));
  return { type, title, year, ids, status, network, aired_episodes, rating, votes, genres, overview, seasons };
}
