import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

/**
 * The folder boundaries of eslint.config.js (ARCHITECTURE: "Dependencies point one way"), proved on
 * deliberate violations: each snippet is linted as if it lived at `filePath`, with the project's own
 * config, and must be reported by `no-restricted-imports` (or, for the allowed imports, must not).
 * The snippets are not files of the TypeScript project, so type-aware parsing (and the rules that need
 * it) is switched off for them; the boundary rules need no types.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: `${root}eslint.config.js`,
  overrideConfig: { files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked },
});

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${filePath}` });
  if (result === undefined) throw new Error(`ESLint returned no result for ${filePath}`);
  const fatal = result.messages.filter((m) => m.fatal === true);
  if (fatal.length > 0) throw new Error(`ESLint could not lint ${filePath}: ${fatal.map((m) => m.message).join('; ')}`);
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const forbidden: Array<{ rule: string; filePath: string; code: string }> = [
  { rule: 'core → grammy', filePath: 'src/bot/core/x.ts', code: "import { Bot } from 'grammy';\nexport const b = Bot;\n" },
  { rule: 'core → grammy/types', filePath: 'src/bot/core/commands/x.ts', code: "import type { Update } from 'grammy/types';\nexport type U = Update;\n" },
  { rule: 'core → discord.js', filePath: 'src/bot/core/x.ts', code: "import { Client } from 'discord.js';\nexport const c = Client;\n" },
  { rule: 'core → fastify', filePath: 'src/bot/core/x.ts', code: "import Fastify from 'fastify';\nexport const f = Fastify;\n" },
  { rule: 'core → pg', filePath: 'src/bot/core/x.ts', code: "import pg from 'pg';\nexport const p = pg;\n" },
  { rule: 'core → pglite', filePath: 'src/bot/core/x.ts', code: "import { PGlite } from '@electric-sql/pglite';\nexport const p = PGlite;\n" },
  { rule: 'core → drizzle-orm', filePath: 'src/bot/core/x.ts', code: "import { eq } from 'drizzle-orm';\nexport const e = eq;\n" },
  { rule: 'core → src/trakt', filePath: 'src/bot/core/x.ts', code: "import { createTraktClient } from '../../trakt/client.js';\nexport const c = createTraktClient;\n" },
  { rule: 'core → src/trakt (type only)', filePath: 'src/bot/core/x.ts', code: "import type { TraktClient } from '../../trakt/client.js';\nexport type C = TraktClient;\n" },
  { rule: 'core → src/trakt (re-export)', filePath: 'src/bot/core/x.ts', code: "export { TraktError } from '../../trakt/errors.js';\n" },
  { rule: 'core/commands → src/trakt', filePath: 'src/bot/core/commands/x.ts', code: "import type { TraktClient } from '../../../trakt/client.js';\nexport type C = TraktClient;\n" },
  { rule: 'core → src/db', filePath: 'src/bot/core/x.ts', code: "import { createDatabase } from '../../db/client.js';\nexport const d = createDatabase;\n" },
  { rule: 'core → src/accounts', filePath: 'src/bot/core/x.ts', code: "import { createLinkService } from '../../accounts/linking.js';\nexport const l = createLinkService;\n" },
  { rule: 'core → src/bot/services', filePath: 'src/bot/core/x.ts', code: "import { createTraktPort } from '../services/trakt-port.js';\nexport const t = createTraktPort;\n" },
  { rule: 'core → an adapter', filePath: 'src/bot/core/x.ts', code: "import { renderReply } from '../telegram/render.js';\nexport const r = renderReply;\n" },
  { rule: 'telegram → discord adapter', filePath: 'src/bot/telegram/x.ts', code: "import { toCore } from '../discord/to-core.js';\nexport const t = toCore;\n" },
  { rule: 'telegram → discord.js', filePath: 'src/bot/telegram/x.ts', code: "import { Client } from 'discord.js';\nexport const c = Client;\n" },
  { rule: 'telegram → src/trakt', filePath: 'src/bot/telegram/x.ts', code: "import { createTraktClient } from '../../trakt/client.js';\nexport const c = createTraktClient;\n" },
  { rule: 'telegram → src/db', filePath: 'src/bot/telegram/x.ts', code: "import { createDatabase } from '../../db/client.js';\nexport const d = createDatabase;\n" },
  { rule: 'telegram → a port implementation', filePath: 'src/bot/telegram/x.ts', code: "import { createPosterSource } from '../services/posters.js';\nexport const p = createPosterSource;\n" },
  { rule: 'discord → telegram adapter', filePath: 'src/bot/discord/x.ts', code: "import { toCore } from '../telegram/to-core.js';\nexport const t = toCore;\n" },
  { rule: 'discord → grammy', filePath: 'src/bot/discord/x.ts', code: "import { Bot } from 'grammy';\nexport const b = Bot;\n" },
  { rule: 'discord → src/trakt', filePath: 'src/bot/discord/x.ts', code: "import type { TraktClient } from '../../trakt/client.js';\nexport type C = TraktClient;\n" },
  { rule: 'trakt → src/bot', filePath: 'src/trakt/x.ts', code: "import type { Reply } from '../bot/core/types.js';\nexport type R = Reply;\n" },
  { rule: 'trakt/schemas → src/bot', filePath: 'src/trakt/schemas/x.ts', code: "import type { Reply } from '../../bot/core/types.js';\nexport type R = Reply;\n" },
  { rule: 'trakt → src/db', filePath: 'src/trakt/x.ts', code: "import { createDatabase } from '../db/client.js';\nexport const d = createDatabase;\n" },
  { rule: 'trakt → grammy', filePath: 'src/trakt/x.ts', code: "import { Bot } from 'grammy';\nexport const b = Bot;\n" },
  { rule: 'trakt → drizzle-orm', filePath: 'src/trakt/x.ts', code: "import { eq } from 'drizzle-orm';\nexport const e = eq;\n" },
  { rule: 'trakt → prom-client', filePath: 'src/trakt/x.ts', code: "import { Counter } from 'prom-client';\nexport const c = Counter;\n" },
  { rule: 'core → prom-client', filePath: 'src/bot/core/x.ts', code: "import { Counter } from 'prom-client';\nexport const c = Counter;\n" },
  { rule: 'watchlist → src/bot/core', filePath: 'src/watchlist/x.ts', code: "import type { Reply } from '../bot/core/types.js';\nexport type R = Reply;\n" },
  { rule: 'watchlist → src/trakt', filePath: 'src/watchlist/x.ts', code: "import type { TraktClient } from '../trakt/client.js';\nexport type C = TraktClient;\n" },
  { rule: 'watchlist → src/db', filePath: 'src/watchlist/x.ts', code: "import { createDatabase } from '../db/client.js';\nexport const d = createDatabase;\n" },
  { rule: 'watchlist → grammy', filePath: 'src/watchlist/x.ts', code: "import { Bot } from 'grammy';\nexport const b = Bot;\n" },
  { rule: 'accounts → src/bot/core', filePath: 'src/accounts/x.ts', code: "import type { Reply } from '../bot/core/types.js';\nexport type R = Reply;\n" },
  { rule: 'accounts → grammy', filePath: 'src/accounts/x.ts', code: "import { Bot } from 'grammy';\nexport const b = Bot;\n" },
  { rule: 'db → src/bot', filePath: 'src/db/queries/x.ts', code: "import type { Reply } from '../../bot/core/types.js';\nexport type R = Reply;\n" },
  { rule: 'db → src/trakt', filePath: 'src/db/x.ts', code: "import type { TraktClient } from '../trakt/client.js';\nexport type C = TraktClient;\n" },
  { rule: 'jobs → src/db', filePath: 'src/jobs/x.ts', code: "import { createDatabase } from '../db/client.js';\nexport const d = createDatabase;\n" },
  { rule: 'jobs → drizzle-orm', filePath: 'src/jobs/x.ts', code: "import { eq } from 'drizzle-orm';\nexport const e = eq;\n" },
  { rule: 'jobs → grammy', filePath: 'src/jobs/x.ts', code: "import { Bot } from 'grammy';\nexport const b = Bot;\n" },
  { rule: 'jobs → pino (any package but zod)', filePath: 'src/jobs/x.ts', code: "import { pino } from 'pino';\nexport const p = pino;\n" },
  { rule: 'jobs → src/watchlist', filePath: 'src/jobs/x.ts', code: "import type { WriteJournal } from '../watchlist/ports.js';\nexport type J = WriteJournal;\n" },
  { rule: 'imports → src/trakt', filePath: 'src/imports/x.ts', code: "import type { TraktClient } from '../trakt/client.js';\nexport type C = TraktClient;\n" },
  { rule: 'imports → src/db', filePath: 'src/imports/x.ts', code: "import { createDatabase } from '../db/client.js';\nexport const d = createDatabase;\n" },
  { rule: 'imports → src/bot/core', filePath: 'src/imports/x.ts', code: "import type { Reply } from '../bot/core/types.js';\nexport type R = Reply;\n" },
  { rule: 'imports → src/watchlist', filePath: 'src/imports/x.ts', code: "import type { WriteJournal } from '../watchlist/ports.js';\nexport type J = WriteJournal;\n" },
  { rule: 'imports → grammy', filePath: 'src/imports/x.ts', code: "import { Bot } from 'grammy';\nexport const b = Bot;\n" },
  { rule: 'imports → drizzle-orm', filePath: 'src/imports/x.ts', code: "import { eq } from 'drizzle-orm';\nexport const e = eq;\n" },
  { rule: 'imports → pino (not a format library)', filePath: 'src/imports/x.ts', code: "import { pino } from 'pino';\nexport const p = pino;\n" },
  { rule: 'domain → src/trakt', filePath: 'src/domain/x.ts', code: "import type { TraktClient } from '../trakt/client.js';\nexport type C = TraktClient;\n" },
  { rule: 'domain → src/bot/core', filePath: 'src/domain/x.ts', code: "import type { Reply } from '../bot/core/types.js';\nexport type R = Reply;\n" },
];

const allowed: Array<{ rule: string; filePath: string; code: string }> = [
  { rule: 'core → src/domain', filePath: 'src/bot/core/x.ts', code: "import type { Title } from '../../domain/media.js';\nexport type T = Title;\n" },
  { rule: 'core → its own files', filePath: 'src/bot/core/commands/x.ts', code: "import type { TraktPort } from '../ports.js';\nexport type P = TraktPort;\n" },
  { rule: 'telegram → grammy and the core', filePath: 'src/bot/telegram/x.ts', code: "import { Bot } from 'grammy';\nimport type { BotCore } from '../core/bot-core.js';\nexport const b = Bot;\nexport type C = BotCore;\n" },
  { rule: 'trakt → src/domain', filePath: 'src/trakt/x.ts', code: "import type { Title } from '../domain/media.js';\nexport type T = Title;\n" },
  { rule: 'watchlist → src/domain', filePath: 'src/watchlist/x.ts', code: "import type { Target } from '../domain/target.js';\nexport type T = Target;\n" },
  { rule: 'core → the watchlist writer', filePath: 'src/bot/core/x.ts', code: "import type { WriteJournal } from '../../watchlist/ports.js';\nexport type J = WriteJournal;\n" },
  { rule: 'accounts → src/domain and src/db', filePath: 'src/accounts/x.ts', code: "import type { LinkEvent } from '../domain/link.js';\nimport type { Database } from '../db/client.js';\nexport type E = LinkEvent;\nexport type D = Database;\n" },
  { rule: 'db → src/domain', filePath: 'src/db/queries/x.ts', code: "import type { Target } from '../../domain/target.js';\nexport type T = Target;\n" },
  { rule: 'jobs → zod, node: builtins and src/domain', filePath: 'src/jobs/x.ts', code: "import { z } from 'zod';\nimport { hostname } from 'node:os';\nimport type { Target } from '../domain/target.js';\nexport const s = z.string();\nexport const h = hostname;\nexport type T = Target;\n" },
  { rule: 'domain → src/domain', filePath: 'src/domain/x.ts', code: "import type { Title } from './media.js';\nexport type T = Title;\n" },
  { rule: 'imports → format libraries, node: builtins and src/domain', filePath: 'src/imports/x.ts', code: "import { parse } from 'csv-parse/sync';\nimport { stringify } from 'csv-stringify/sync';\nimport { unzipSync } from 'fflate';\nimport { Readable } from 'node:stream';\nimport type { WatchlistEntry } from '../domain/media.js';\nimport { parseCsv } from './csv.js';\nexport const a = [parse, stringify, unzipSync, Readable, parseCsv];\nexport type E = WatchlistEntry;\n" },
  { rule: 'bot/services → src/trakt (it implements the ports)', filePath: 'src/bot/services/x.ts', code: "import type { TraktClient } from '../../trakt/client.js';\nexport type C = TraktClient;\n" },
];

describe('import boundaries (eslint.config.js)', () => {
  it.each(forbidden)('GIVEN $rule WHEN linted THEN no-restricted-imports reports it', async ({ filePath, code }) => {
    expect(await restrictedImports(filePath, code)).toHaveLength(1);
  });

  it.each(allowed)('GIVEN $rule WHEN linted THEN nothing is reported', async ({ filePath, code }) => {
    expect(await restrictedImports(filePath, code)).toEqual([]);
  });
});
