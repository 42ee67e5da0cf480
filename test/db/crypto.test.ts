import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createKeyRing,
  decryptToken,
  EMBEDDED_KEY_FILE,
  encryptToken,
  generateKeyBase64,
  keyIdOfCiphertext,
  resolveKeyRing,
  secretAad,
  TokenDecryptionError,
} from '../../src/db/crypto.js';

const aadAlice = secretAad('trakt_links', 'access_token', 1);
const aadBob = secretAad('trakt_links', 'access_token', 2);

describe('token encryption', () => {
  const ring = createKeyRing([generateKeyBase64()]);

  it('round-trips and never stores the plaintext', () => {
    const ciphertext = encryptToken(ring, 'access-token-value', aadAlice);
    expect(ciphertext).not.toContain('access-token-value');
    expect(keyIdOfCiphertext(ciphertext)).toBe(ring.current.id);
    expect(decryptToken(ring, ciphertext, aadAlice)).toBe('access-token-value');
  });

  it('uses a fresh nonce every time', () => {
    const a = encryptToken(ring, 'same', aadAlice);
    const b = encryptToken(ring, 'same', aadAlice);
    expect(a).not.toBe(b);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
  });

  it('refuses a tampered ciphertext', () => {
    const ciphertext = encryptToken(ring, 'access-token-value', aadAlice);
    const parts = ciphertext.split('.');
    const body = Buffer.from(parts[3] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    parts[3] = body.toString('base64url');
    expect(() => decryptToken(ring, parts.join('.'), aadAlice)).toThrow(TokenDecryptionError);
    expect(() => decryptToken(ring, 'garbage', aadAlice)).toThrow(TokenDecryptionError);
  });

  it('refuses a ciphertext moved to another owner or another column', () => {
    const ciphertext = encryptToken(ring, 'access-token-value', aadAlice);
    expect(() => decryptToken(ring, ciphertext, aadBob)).toThrow(TokenDecryptionError);
    expect(() => decryptToken(ring, ciphertext, secretAad('trakt_links', 'refresh_token', 1))).toThrow(
      TokenDecryptionError,
    );
  });

  it('decrypts with older keys after rotation and encrypts with the newest', () => {
    const oldKey = generateKeyBase64();
    const newKey = generateKeyBase64();
    const before = createKeyRing([oldKey]);
    const after = createKeyRing([newKey, oldKey]);
    const old = encryptToken(before, 'token', aadAlice);
    expect(decryptToken(after, old, aadAlice)).toBe('token');
    const fresh = encryptToken(after, 'token', aadAlice);
    expect(keyIdOfCiphertext(fresh)).toBe(after.current.id);
    expect(() => decryptToken(before, fresh, aadAlice)).toThrow(/not configured/);
  });

  it('error messages carry no key or plaintext', () => {
    const key = generateKeyBase64();
    const other = createKeyRing([key]);
    const ciphertext = encryptToken(ring, 'the-plaintext', aadAlice);
    try {
      decryptToken(createKeyRing([generateKeyBase64(), key]), ciphertext, aadAlice);
    } catch (error) {
      expect(String(error)).not.toContain('the-plaintext');
      expect(String(error)).not.toContain(key);
    }
    expect(other.current.id).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('key resolution', () => {
  it('GIVEN embedded mode without a key THEN one is generated once into DATA_DIR with mode 0600', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'marquee-key-'));
    const first = await resolveKeyRing({ configuredKeys: null, embedded: true, dataDir });
    expect(first.generated).toBe(true);
    const file = join(dataDir, EMBEDDED_KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const second = await resolveKeyRing({ configuredKeys: null, embedded: true, dataDir });
    expect(second.generated).toBe(false);
    expect(second.ring.current.id).toBe(first.ring.current.id);
    expect((await readFile(file, 'utf8')).trim()).toHaveLength(44);
  });

  it('GIVEN a configured key and an old generated key file THEN the configured key encrypts and both decrypt', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'marquee-key-'));
    const generated = await resolveKeyRing({ configuredKeys: null, embedded: true, dataDir });
    const configured = generateKeyBase64();
    const resolved = await resolveKeyRing({ configuredKeys: configured, embedded: true, dataDir });
    expect(resolved.ring.current.id).not.toBe(generated.ring.current.id);
    expect(resolved.ring.keys.has(generated.ring.current.id)).toBe(true);
  });

  it('GIVEN Postgres mode without a key THEN it refuses to start', async () => {
    await expect(resolveKeyRing({ configuredKeys: null, embedded: false, dataDir: '/nonexistent' })).rejects.toThrow(
      /TOKEN_ENCRYPTION_KEY/,
    );
  });
});
