import { ConfigError, parseConfig } from '../config.js';
import { createDatabase, pgliteDirFor } from '../db/client.js';
import { resolveKeyRing } from '../db/crypto.js';
import { reencryptTraktLinks } from '../db/queries/trakt-links.js';

/**
 * `npm run keys:rotate`: re-encrypts every stored Trakt token under the newest key (the first one in
 * TOKEN_ENCRYPTION_KEY). Put the new key first, keep the old ones after it, run this, then drop the
 * old keys. Uses the same environment as the service.
 */
async function rotateKeys(): Promise<void> {
  const config = parseConfig(process.env);
  const embedded = config.databaseUrl === null;
  const { ring } = await resolveKeyRing({ configuredKeys: config.tokenEncryptionKeys, embedded, dataDir: config.dataDir });
  const database = await createDatabase({ databaseUrl: config.databaseUrl, pgliteDataDir: pgliteDirFor(config.dataDir) });
  try {
    await database.migrate();
    const result = await reencryptTraktLinks(database.db, ring);
    process.stdout.write(
      `Checked ${result.checked} Trakt link(s); re-encrypted ${result.reencrypted} under key ${ring.current.id}.\n`,
    );
    if (result.unreadable.length > 0) {
      process.stdout.write(
        `${result.unreadable.length} link(s) could not be decrypted with any configured key and were left unchanged; ` +
          'those users will be asked to link again.\n',
      );
      process.exitCode = 2;
    }
  } finally {
    await database.close();
  }
}

rotateKeys().catch((error: unknown) => {
  const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
