export * from './client.js';
export * from './errors.js';
export * from './types.js';
export { createPkcePair, type PkcePair, type TraktOAuth } from './oauth.js';
export type { LimitsOptions, RateLimitSpec, RequestClass } from './limits.js';
export type { FetchFunction, RetryOptions } from './request.js';
export type { TraktClientStats } from './stats.js';
