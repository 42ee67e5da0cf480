import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Token encryption at rest: AES-256-GCM with a fresh 96-bit nonce per encryption.
 *
 * A ciphertext reads `v1.<keyId>.<nonce>.<ciphertext>.<tag>` (base64url parts). The key id travels
 * with the ciphertext so that several keys can be accepted for decryption while the newest one
 * encrypts (rotation). Additional authenticated data binds each ciphertext to its owner row and
 * column: a ciphertext copied into another user's row, or from the refresh-token column into the
 * access-token column, fails authentication.
 */
export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export interface KeyRing {
  /** The key that encrypts: the first one configured. */
  readonly current: EncryptionKey;
  readonly keys: ReadonlyMap<string, EncryptionKey>;
}

export class TokenDecryptionError extends Error {
  constructor(reason: string) {
    // The reason never contains key material or plaintext.
    super(`Stored token could not be decrypted: ${reason}`);
    this.name = 'TokenDecryptionError';
  }
}

const VERSION = 'v1';
const NONCE_BYTES = 12;
const KEY_BYTES = 32;
export const EMBEDDED_KEY_FILE = 'token-encryption.key';

/** Key id: a short digest of the key, so it needs no name and never reveals the key. */
export function keyIdFor(key: Buffer): string {
  return createHash('sha256').update('marquee-token-key:').update(key).digest('hex').slice(0, 12);
}

export function decodeKey(base64: string): EncryptionKey {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== KEY_BYTES) throw new Error(`an encryption key must be ${KEY_BYTES} bytes`);
  return { id: keyIdFor(key), key };
}

/** Builds a ring from base64 keys, newest first. Duplicates are ignored. */
export function createKeyRing(base64Keys: readonly string[]): KeyRing {
  const decoded = base64Keys.filter((k) => k.trim() !== '').map(decodeKey);
  const first = decoded[0];
  if (first === undefined) throw new Error('at least one encryption key is needed');
  const keys = new Map<string, EncryptionKey>();
  for (const key of decoded) if (!keys.has(key.id)) keys.set(key.id, key);
  return { current: first, keys };
}

export function parseKeyList(raw: string): string[] {
  return raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

export function generateKeyBase64(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

export function encryptToken(ring: KeyRing, plaintext: string, aad: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', ring.current.key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, ring.current.id, b64url(nonce), b64url(body), b64url(tag)].join('.');
}

export function decryptToken(ring: KeyRing, ciphertext: string, aad: string): string {
  const parts = ciphertext.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION) throw new TokenDecryptionError('unknown format');
  const [, keyId, nonce, body, tag] = parts as [string, string, string, string, string];
  const key = ring.keys.get(keyId);
  if (key === undefined) throw new TokenDecryptionError(`key ${keyId} is not configured`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(nonce, 'base64url'));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new TokenDecryptionError('authentication failed (tampered, wrong key, or wrong owner)');
  }
}

export function keyIdOfCiphertext(ciphertext: string): string | null {
  const parts = ciphertext.split('.');
  return parts.length === 5 && parts[0] === VERSION ? (parts[1] ?? null) : null;
}

/** Additional authenticated data for a secret stored in `table.column` of the row owned by `ownerId`. */
export function secretAad(table: string, column: string, ownerId: string | number): string {
  return `marquee:${table}:${column}:${ownerId}`;
}

export interface KeyRingSource {
  ring: KeyRing;
  /** True when the key was generated into DATA_DIR on this start. */
  generated: boolean;
  keyFile: string | null;
}

/**
 * Resolves the key ring. Configured keys come first (the first encrypts). In embedded mode a key
 * file under DATA_DIR is used when no key is configured, generated once (mode 0600) if missing; when
 * keys are configured, an existing key file is still accepted for decryption, so moving from the
 * generated key to a configured one only needs `npm run keys:rotate`.
 */
export async function resolveKeyRing(options: {
  configuredKeys: string | null;
  embedded: boolean;
  dataDir: string;
}): Promise<KeyRingSource> {
  const configured = options.configuredKeys === null ? [] : parseKeyList(options.configuredKeys);
  if (!options.embedded) {
    if (configured.length === 0) throw new Error('TOKEN_ENCRYPTION_KEY is required with DATABASE_URL');
    return { ring: createKeyRing(configured), generated: false, keyFile: null };
  }
  const keyFile = join(options.dataDir, EMBEDDED_KEY_FILE);
  let fileKey = await readKeyFile(keyFile);
  let generated = false;
  if (fileKey === null && configured.length === 0) {
    await mkdir(options.dataDir, { recursive: true });
    const fresh = generateKeyBase64();
    try {
      // 'wx': never overwrite a key another process wrote a moment ago.
      await writeFile(keyFile, `${fresh}\n`, { mode: 0o600, flag: 'wx' });
      generated = true;
      fileKey = fresh;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      fileKey = await readKeyFile(keyFile);
    }
  }
  const all = [...configured, ...(fileKey === null ? [] : [fileKey])];
  return { ring: createKeyRing(all), generated, keyFile: fileKey === null ? null : keyFile };
}

async function readKeyFile(path: string): Promise<string | null> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    return text === '' ? null : text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function b64url(buffer: Buffer): string {
  return buffer.toString('base64url');
}

