// Type-aware lint: a floating promise in a chat bot is a lost reply or an unhandled rejection.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const chatPackages = ['grammy', 'grammy/*', '@grammyjs/*', 'discord.js', 'discord.js/*', '@discordjs/*'];
const storagePackages = ['pg', 'pg/*', '@electric-sql/pglite', '@electric-sql/pglite/*', 'drizzle-orm', 'drizzle-orm/*', 'drizzle-kit'];
// Metrics live in src/metrics; the core and the Trakt client report through observer interfaces.
const metricsPackages = ['prom-client', 'prom-client/*'];
const platformAndStorage = [...chatPackages, 'fastify', 'fastify/*', '@fastify/*', ...storagePackages, ...metricsPackages];

/** A relative import that climbs out of its folder into one of `folders` (a regex alternation, relative to src/ or src/bot/). */
function ours(folders) {
  return `^(\\.\\./)+(${folders})(/|$)`;
}

/** What a chat adapter may not import: the other adapter, the Trakt client, storage, and implementations of the core's ports. */
function adapterPatterns({ other, otherPackages }) {
  return [
    { group: otherPackages, message: `An adapter uses only its own platform's library.` },
    { group: storagePackages, message: 'Adapters reach storage through the core, not directly.' },
    { regex: ours(other), message: 'An adapter never imports the other adapter: share through src/bot/core.' },
    {
      regex: ours('trakt|db|accounts|services|bot/services'),
      message: "Adapters talk to the core (its commands, replies and port interfaces in core/ports.ts), never to Trakt, the database or a port's implementation.",
    },
  ];
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/', 'drizzle/meta/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // The demo page's script runs in the browser (plain JS, no build step).
  {
    files: ['demo/page/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(['window', 'document', 'fetch', 'setTimeout', 'clearTimeout', 'setInterval', 'console'].map((name) => [name, 'readonly'])),
    },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Boundaries (ARCHITECTURE, "Dependencies point one way"): lint fails when an arrow points the wrong way.
  // test/lint/boundaries.test.ts proves each rule fires.
  {
    files: ['src/bot/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: platformAndStorage, message: 'The core knows no platform, HTTP server or database: put this in an adapter or a port implementation.' },
            {
              regex: ours('trakt|db|accounts|server|bot/services|services|telegram|discord|main\\.js'),
              message: 'The core speaks src/domain and its own ports (core/ports.ts); src/bot/services implements them for Trakt, the database and accounts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/bot/telegram/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: adapterPatterns({ other: 'discord', otherPackages: ['discord.js', 'discord.js/*', '@discordjs/*'] }) }],
    },
  },
  {
    files: ['src/bot/discord/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: adapterPatterns({ other: 'telegram', otherPackages: ['grammy', 'grammy/*', '@grammyjs/*'] }) }],
    },
  },
  {
    files: ['src/trakt/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: [...chatPackages, ...storagePackages], message: 'The Trakt client knows nothing about chat or storage.' },
            { group: metricsPackages, message: 'The Trakt client reports through its onRequest option; src/metrics owns prom-client.' },
            { regex: ours('bot|db|accounts'), message: 'The Trakt client knows nothing about chat or storage: src/trakt must not import src/bot, src/db or src/accounts.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/watchlist/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: platformAndStorage, message: 'The watchlist writer is chat-free and reaches Trakt and storage through its own ports (src/watchlist/ports.ts).' },
            {
              regex: ours('bot|trakt|db|accounts|server'),
              message: 'The watchlist writer speaks src/domain and its own ports: it imports nothing of chat, Trakt or storage.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/accounts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: chatPackages, message: 'Linking and tokens know nothing about chat platforms.' },
            { regex: ours('bot|server'), message: 'src/accounts emits src/domain events; it never imports the chat core, an adapter or the HTTP server.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/db/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: [...chatPackages, 'fastify', 'fastify/*'], message: 'Storage knows nothing about chat or HTTP.' },
            { regex: ours('bot|trakt|accounts|server|watchlist|main\\.js'), message: 'src/db is the bottom floor: it imports only src/domain and itself.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/jobs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!(zod|zod/.*|node:.*|\\.{1,2}/.*)$)',
              message: 'The job runner uses no package but zod and node: builtins (no chat platform, HTTP server or database driver): the store comes in through the JobStore port.',
            },
            {
              regex: ours('bot|trakt|db|accounts|server|watchlist|main\\.js'),
              message: 'src/jobs imports only zod, node: builtins and src/domain; kinds are defined by the rooms that own their logic, the store by src/db.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/imports/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!(csv-parse|csv-parse/.*|csv-stringify|csv-stringify/.*|fflate|node:.*|\\.{1,2}/.*)$)',
              message: 'The format readers and writers use only their format libraries (csv-parse, csv-stringify, fflate) and node: builtins: no chat platform, HTTP server or database driver.',
            },
            {
              regex: ours('bot|trakt|db|accounts|server|watchlist|jobs|main\\.js'),
              message: 'src/imports is pure: bytes in, neutral rows out. It imports only src/domain; matching against Trakt and writing happen in the rooms that use it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^\\.\\./', message: 'src/domain is the shared model: it imports nothing of ours outside src/domain.' }] },
      ],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
