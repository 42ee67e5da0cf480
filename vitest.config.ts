import { defineConfig } from 'vitest/config';

// One worker per core. Workers are reused across files (isolate: false) so each worker keeps one
// embedded PGlite instance (it takes about 2 s to start); tests therefore use their own random ids
// instead of expecting an empty database.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 10_000,
    reporters: ['default'],
  },
});
