export * from './media.js';
export * from './search.js';
export * from './watchlist.js';
export * from './sync.js';
export * from './users.js';
export * from './shows.js';
export * from './oauth.js';
export * from './calendars.js';
