// Vocabulary for the generated catalog, and titles chosen to break careless escaping in chat replies
// (Telegram HTML and MarkdownV2, Discord markdown): <, &, ", markdown specials, emoji, CJK, RTL, very long.

export const ADJECTIVES = [
  'Silent', 'Broken', 'Hidden', 'Last', 'Crimson', 'Golden', 'Frozen', 'Wild', 'Dark', 'Bright', 'Lost', 'Secret',
  'Endless', 'Electric', 'Quiet', 'Burning', 'Hollow', 'Distant', 'Iron', 'Velvet', 'Midnight', 'Northern', 'Savage',
  'Gentle', 'Restless', 'Scarlet', 'Silver', 'Wicked', 'Ancient', 'Final', 'Perfect', 'Strange', 'Little', 'Eternal',
  'Fading', 'Falling', 'Rising', 'Sleeping', 'Shattered', 'Bitter', 'Sweet', 'Lonely', 'Blue', 'Black', 'White',
  'Green', 'Neon', 'Paper', 'Glass', 'Stone', 'Borrowed', 'Infinite', 'Sacred', 'Deadly', 'Brave', 'Bad', 'Good',
  'Young', 'Old', 'Cold', 'Hot', 'Fast', 'Slow', 'Hungry', 'Lucky', 'Crooked', 'Honest', 'Forgotten', 'Invisible',
];

export const NOUNS = [
  'Harbor', 'Kingdom', 'Empire', 'Garden', 'River', 'Mountain', 'Horizon', 'Signal', 'Protocol', 'Echo', 'Shadow',
  'Storm', 'Legacy', 'Promise', 'Witness', 'Frontier', 'Machine', 'Circuit', 'Heart', 'Crown', 'Throne', 'Voyage',
  'Island', 'Station', 'Window', 'Mirror', 'Letter', 'Summer', 'Winter', 'Autumn', 'Hunter', 'Stranger', 'Doctor',
  'Detective', 'Captain', 'Dragon', 'Wolf', 'Raven', 'Tiger', 'Phoenix', 'Orchid', 'Lantern', 'Compass', 'Anchor',
  'Bridge', 'Tower', 'Canyon', 'Desert', 'Ocean', 'City', 'Village', 'Road', 'Highway', 'Avenger', 'Breaking',
  'Legend', 'Ghost', 'Angel', 'Saint', 'Thief', 'Queen', 'King', 'Prince', 'Soldier', 'Pilot', 'Sister', 'Brother',
  'Family', 'Secret', 'Game', 'House', 'Castle', 'Forest', 'Planet', 'Star', 'Moon', 'Sun', 'Night', 'Dawn', 'Fire',
  'Ice', 'Water', 'Blood', 'Bone', 'Dream', 'Memory', 'Silence', 'Thunder', 'Engine', 'Orbit', 'Code', 'Line',
];

export const PLACES = [
  'Paris', 'Tokyo', 'Brooklyn', 'Havana', 'Berlin', 'Mars', 'Avalon', 'Eden', 'Babylon', 'Casablanca', 'Nowhere',
  'the North', 'the Moon', 'Lisbon', 'Cairo', 'Seoul', 'Oslo', 'Montana', 'Texas', 'Venice', 'Atlantis', 'Hollow Creek',
  'Riverside', 'Kyoto', 'Marrakesh', 'the Deep', 'Tomorrow', 'Yesterday', 'the West', 'Winterfell Road',
];

export const FIRST_NAMES = [
  'Alice', 'Frank', 'Marlowe', 'Rosa', 'Kenji', 'Amara', 'Otto', 'Lena', 'Jack', 'Nora', 'Diego', 'Priya', 'Sam', 'Ines',
  'Hugo', 'Mei', 'Omar', 'Greta', 'Luca', 'Zoe', 'Ivan', 'Chloe', 'Tariq', 'Elena', 'Noah', 'Yuki', 'Felix', 'Hana',
  'Oscar', 'Maya', 'Arjun', 'Sofia', 'Theo', 'Aisha', 'Milo', 'Clara', 'Kofi', 'Ada', 'Ravi', 'Ingrid',
];

export const LAST_NAMES = [
  'Hart', 'Moreau', 'Tanaka', 'Okafor', 'Lindqvist', 'Reyes', 'Novak', 'Sato', 'Fischer', 'Kowalski', 'Haddad',
  'Brennan', 'Costa', 'Nakamura', 'Oyelaran', 'Petrov', 'Quinn', 'Rossi', 'Silva', 'Varga', 'Walsh', 'Young', 'Zhou',
  'Abbott', 'Bauer', 'Castillo', 'Dubois', 'Eriksen', 'Ferreira', 'Gallagher', 'Ibrahim', 'Jensen', 'Kim', 'Larsen',
];

export const MOVIE_GENRES = [
  'action', 'adventure', 'animation', 'comedy', 'crime', 'documentary', 'drama', 'family', 'fantasy', 'history',
  'horror', 'music', 'mystery', 'romance', 'science-fiction', 'thriller', 'war', 'western', 'superhero', 'suspense',
];

export const SHOW_GENRES = [...MOVIE_GENRES, 'anime', 'reality', 'soap', 'talk-show', 'game-show', 'mini-series'];

export const NETWORKS = [
  'HBO', 'Netflix', 'AMC', 'BBC One', 'Apple TV+', 'Hulu', 'FX', 'NBC', 'CBS', 'ABC', 'Prime Video', 'Disney+',
  'Channel 4', 'NHK', 'tvN', 'Canal+', 'ZDF', 'Showtime', 'Starz', 'Paramount+',
];

export const COUNTRIES = ['us', 'us', 'us', 'gb', 'gb', 'fr', 'de', 'jp', 'kr', 'ca', 'es', 'it', 'in', 'se'];
export const LANGUAGE_OF_COUNTRY: Record<string, string> = {
  us: 'en', gb: 'en', ca: 'en', fr: 'fr', de: 'de', jp: 'ja', kr: 'ko', es: 'es', it: 'it', in: 'hi', se: 'sv',
};
export const MOVIE_CERTIFICATIONS = ['G', 'PG', 'PG-13', 'PG-13', 'R', 'R', 'NR'];
export const SHOW_CERTIFICATIONS = ['TV-Y', 'TV-G', 'TV-PG', 'TV-14', 'TV-14', 'TV-MA', 'TV-MA'];
export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
export const TIMEZONES = ['America/New_York', 'America/Los_Angeles', 'Europe/London', 'Asia/Tokyo', 'Europe/Paris'];

export const OVERVIEW_OPENINGS = [
  'When a routine job goes wrong,', 'After a mysterious signal reaches a remote town,', 'Years after a family tragedy,',
  'On the eve of a long-awaited wedding,', 'In a city that never sleeps,', 'Stranded far from home,',
  'With nothing left to lose,', 'Haunted by a promise made long ago,',
];
export const OVERVIEW_SUBJECTS = [
  'a retired detective', 'two estranged siblings', 'an ambitious young pilot', 'a reluctant heir', 'a crew of misfits',
  'a small-town doctor', 'a brilliant but reckless engineer', 'a grieving widow', 'an unlikely pair of thieves',
];
export const OVERVIEW_ENDINGS = [
  'must decide what they are willing to sacrifice.', 'uncovers a conspiracy that reaches the very top.',
  'races against time to save the people they love.', 'learns that the past never stays buried.',
  'finds an unexpected second chance.', 'is pulled into a war they never wanted.',
];

export interface EdgeCaseTitle {
  type: 'movie' | 'show';
  title: string;
  year: number;
  /** Trakt transliterates slugs; titles without Latin letters need one given */
  slug?: string;
}

export const EDGE_CASE_TITLES: EdgeCaseTitle[] = [
  { type: 'movie', title: 'Tom & Jerry: "The Chase" <Director\'s Cut>', year: 2021 },
  { type: 'show', title: 'The <b>Bold</b> & the "Beautiful"', year: 2019 },
  { type: 'movie', title: '<script>alert(\'popcorn\')</script>', year: 2023 },
  { type: 'movie', title: '*Stars* & _Underscores_: The ~Tilde~ |Pipe| Saga', year: 2018 },
  { type: 'movie', title: '[Brackets] (Parens) {Braces} #Hash +Plus -Minus =Equals .Dot !Bang `Tick` >Quote', year: 2020 },
  { type: 'show', title: '**Spoiler** ||Alert|| __Underline__', year: 2024 },
  { type: 'movie', title: '🎬 Popcorn Time 🍿', year: 2022 },
  { type: 'show', title: '👨‍👩‍👧 Family Matters 🏠', year: 2025 },
  { type: 'movie', title: '千と千尋の神隠し', year: 2001, slug: 'sen-to-chihiro-no-kamikakushi-2001' },
  { type: 'movie', title: '기생충', year: 2019, slug: 'gisaengchung-2019' },
  { type: 'show', title: '三体', year: 2023, slug: 'san-ti' },
  { type: 'movie', title: 'وجدة', year: 2012, slug: 'wadjda-2012' },
  { type: 'movie', title: 'Amélie', year: 2001 },
  { type: 'movie', title: 'Tár', year: 2022 },
  { type: 'movie', title: 'WALL·E', year: 2008 },
  { type: 'movie', title: 'Se7en', year: 1995 },
  { type: 'movie', title: '[REC]', year: 2007 },
  { type: 'movie', title: '#Alive', year: 2020 },
  { type: 'movie', title: '1917', year: 2019 },
  { type: 'movie', title: 'Don\'t Look Up', year: 2021 },
  { type: 'movie', title: 'Mission: Impossible – Dead Reckoning Part One', year: 2023 },
  { type: 'movie', title: 'Who\'s Afraid of Virginia Woolf?', year: 1966 },
  { type: 'movie', title: 'C:\\Users\\Ghost\\Desktop', year: 2016 },
  { type: 'show', title: 'M*A*S*H', year: 1972 },
  { type: 'show', title: 'Love, Death & Robots', year: 2019 },
  { type: 'show', title: 'Marvel\'s Agents of S.H.I.E.L.D.', year: 2013 },
  { type: 'show', title: 'Fish &amp; Chips &lt;Live&gt;', year: 2015 },
  {
    type: 'movie',
    title:
      'The Extraordinarily Long and Winding Tale of the Man Who Kept Adding Words to the Title of His Film Because ' +
      'Nobody Told Him to Stop, Including a Subtitle, a Second Subtitle, and a Third One: Part Seven of an Unplanned ' +
      'Trilogy That Somehow Became a Franchise Spanning Several Decades, Continents, Streaming Services and Formats',
    year: 2024,
  },
  { type: 'show', title: 'Night Shift', year: 2014 },
  { type: 'show', title: 'Night Shift', year: 2025 },
];

/**
 * Titles that end in (or are) a year-like number, added after the generated catalog so that the ids and
 * the random stream of everything before them stay as they were. Each has a namesake a year filter
 * would find instead, as on Trakt.
 */
export const YEAR_LIKE_TITLES: EdgeCaseTitle[] = [
  { type: 'movie', title: 'Blade Runner 2049', year: 2017 },
  { type: 'movie', title: 'Blade Runner', year: 1982 },
  { type: 'movie', title: 'Wonder Woman 1984', year: 2020 },
  { type: 'movie', title: 'Wonder Woman', year: 2017 },
  { type: 'movie', title: '2001: A Space Odyssey', year: 1968 },
  { type: 'movie', title: '2001 Maniacs', year: 2005 },
];

/**
 * The titles Marquee's README, `/help` and error texts use as examples (`/search dune 2021`, `/add tt1160419`,
 * `/search shows office`), so every example works against the emulator (and in `npm run demo`). Added last,
 * with a random stream of their own, so nothing generated before them changes. `imdb` is the real IMDb id
 * where an example names it; other ids are generated.
 */
export const EXAMPLE_TITLES: Array<EdgeCaseTitle & { imdb?: string; votes: number }> = [
  { type: 'movie', title: 'Dune', year: 2021, imdb: 'tt1160419', votes: 60_000 },
  { type: 'movie', title: 'Dune', year: 1984, imdb: 'tt0087182', votes: 12_000 },
  { type: 'movie', title: 'Dune: Part Two', year: 2024, imdb: 'tt15239678', votes: 40_000 },
  { type: 'show', title: 'The Office', year: 2005, imdb: 'tt0386676', votes: 50_000 },
  { type: 'show', title: 'The Office', year: 2001, imdb: 'tt0290978', votes: 9_000 },
];
