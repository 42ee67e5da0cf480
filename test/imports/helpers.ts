import { readFileSync } from 'node:fs';
import { ImportError } from '../../src/imports/index.js';

const root = new URL('../fixtures/import-samples/', import.meta.url);

/** A sample file's bytes (test/fixtures/import-samples, copied from the shared samples; see its SOURCE.md). */
export function sample(path: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(path, root)));
}

export function sampleText(path: string): string {
  return new TextDecoder().decode(sample(path));
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Text as Windows-1252 bytes (only characters of Latin-1's printable range and ASCII, as in the samples used). */
export function windows1252(text: string): Uint8Array {
  return Uint8Array.from(text, (ch) => {
    const code = ch.charCodeAt(0);
    if (code > 0xff || (code >= 0x80 && code < 0xa0)) throw new Error(`not encodable here: ${ch}`);
    return code;
  });
}

/** The ImportError a promise rejects with (fails the test when it resolves or rejects with something else). */
export async function importError(promise: Promise<unknown>): Promise<ImportError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ImportError) return error;
    throw error;
  }
  throw new Error('expected an ImportError, but the file was read');
}
