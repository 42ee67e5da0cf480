/**
 * Bytes to text: UTF-8 (a BOM is dropped) when the bytes are valid UTF-8, otherwise Windows-1252
 * (IMDb exports of 2019–2021 are Windows-1252; SOURCE.md §1). Node's TextDecoder knows both.
 */
export type TextEncodingName = 'utf-8' | 'windows-1252';

export function decodeText(bytes: Uint8Array): { text: string; encoding: TextEncodingName } {
  try {
    // ignoreBOM: false (the default) strips a leading UTF-8 BOM.
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  }
}
