// Trakt's images (REFERENCE §6): `images{fanart, poster, logo, clearart, banner, thumb}` of one-URL arrays,
// WebP, URLs without a scheme on walter-r2.trakt.tv / media.trakt.tv. The emulator cannot serve TLS, so its
// URLs carry `http://127.0.0.1:<port>` and point at itself; bots must download and cache them ("Hotlinking
// images is not allowed"), so the emulator really serves each one.
//
// Every image is a valid, solid-colour lossless WebP (VP8L) whose colour derives from its path: a 1-symbol
// prefix code per channel needs zero bits per pixel, so a 680x1000 poster is about 40 bytes.

import { hashString } from './random.js';

export const IMAGE_KINDS = {
  posters: { key: 'poster', width: 680, height: 1000 },
  fanarts: { key: 'fanart', width: 1280, height: 720 },
  logos: { key: 'logo', width: 800, height: 310 },
  cleararts: { key: 'clearart', width: 1000, height: 562 },
  banners: { key: 'banner', width: 1000, height: 185 },
  thumbs: { key: 'thumb', width: 1000, height: 562 },
  screenshots: { key: 'screenshot', width: 1280, height: 720 },
} as const;

export type ImageKind = keyof typeof IMAGE_KINDS;
type ImageOwner = 'movie' | 'show' | 'season' | 'episode';

const MEDIA_KINDS: ImageKind[] = ['fanarts', 'posters', 'logos', 'cleararts', 'banners', 'thumbs'];

export function imageUrl(baseUrl: string, kind: ImageKind, owner: ImageOwner, trakt: number): string {
  return `${baseUrl}/images/${kind}/${owner}-${trakt}.webp`;
}

/** The `images` object Trakt adds with extended=images (and, see #784, with extended=full) */
export function imagesFor(baseUrl: string, owner: ImageOwner, trakt: number): Record<string, string[]> {
  const kinds: ImageKind[] =
    owner === 'episode' ? ['screenshots'] : owner === 'season' ? ['posters', 'thumbs'] : MEDIA_KINDS;
  const images: Record<string, string[]> = {};
  for (const kind of kinds) images[IMAGE_KINDS[kind].key] = [imageUrl(baseUrl, kind, owner, trakt)];
  return images;
}

const IMAGE_FILE = /^(movie|show|season|episode)-(\d{1,10})\.webp$/;

/** The image at /images/:kind/:file, or undefined when the path names none */
export function renderImage(kind: string, file: string): Buffer | undefined {
  if (!Object.hasOwn(IMAGE_KINDS, kind) || !IMAGE_FILE.test(file)) return undefined;
  const { width, height } = IMAGE_KINDS[kind as ImageKind];
  const h = hashString(`${kind}/${file}`);
  return solidWebp(width, height, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff);
}

export function solidWebp(width: number, height: number, red: number, green: number, blue: number): Buffer {
  const bits = new BitWriter();
  bits.write(0x2f, 8); // VP8L signature
  bits.write(width - 1, 14);
  bits.write(height - 1, 14);
  bits.write(0, 1); // alpha_is_used
  bits.write(0, 3); // version
  bits.write(0, 1); // no transform
  bits.write(0, 1); // no colour cache
  bits.write(0, 1); // no meta prefix codes
  // Prefix codes in the order green, red, blue, alpha: "simple" codes holding one 8-bit symbol each.
  for (const symbol of [green, red, blue, 0xff]) {
    bits.write(1, 1); // simple code
    bits.write(0, 1); // one symbol
    bits.write(1, 1); // 8-bit symbol
    bits.write(symbol, 8);
  }
  // distance code: one 1-bit symbol (never used)
  bits.write(1, 1);
  bits.write(0, 1);
  bits.write(0, 1);
  bits.write(0, 1);
  const data = bits.finish();
  const padded = data.length + (data.length % 2);
  const out = Buffer.alloc(20 + padded);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(12 + padded, 4);
  out.write('WEBP', 8, 'ascii');
  out.write('VP8L', 12, 'ascii');
  out.writeUInt32LE(data.length, 16);
  data.copy(out, 20);
  return out;
}

class BitWriter {
  private readonly bytes: number[] = [];
  private current = 0;
  private used = 0;

  /** LSB-first, as VP8L reads its bitstream */
  write(value: number, count: number): void {
    for (let i = 0; i < count; i++) {
      this.current |= ((value >>> i) & 1) << this.used;
      this.used++;
      if (this.used === 8) {
        this.bytes.push(this.current);
        this.current = 0;
        this.used = 0;
      }
    }
  }

  finish(): Buffer {
    if (this.used > 0) this.bytes.push(this.current);
    return Buffer.from(this.bytes);
  }
}
