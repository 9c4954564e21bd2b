import { randomFillSync } from 'node:crypto';

/** Random bytes for 256 ids, refilled from the CSPRNG when used up. */
const POOL_BYTES = 16 * 256;
const pool = Buffer.allocUnsafeSlow(POOL_BYTES);
let offset = POOL_BYTES;
/** The 36 ASCII characters of one id, written in place (the dashes never change). */
const text = Buffer.alloc(36);
text[8] = text[13] = text[18] = text[23] = 0x2d;
/** Where each of the 16 bytes' two hex digits go in `text`. */
const SLOT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const HEX = Buffer.from('0123456789abcdef');

/**
 * A version-4 UUID from the CSPRNG, as crypto.randomUUID() makes, but one flat string: randomUUID joins 20
 * pieces, so the first Map lookup of an id built from it (task ids, request ids) flattens and copies them again.
 */
export function randomUuid(): string {
  if (offset === POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  for (let i = 0; i < 16; i++) {
    let byte = pool[offset + i]!;
    if (i === 6) byte = (byte & 0x0f) | 0x40; // version 4
    else if (i === 8) byte = (byte & 0x3f) | 0x80; // variant 10xx
    const slot = SLOT[i]!;
    text[slot] = HEX[byte >> 4]!;
    text[slot + 1] = HEX[byte & 0x0f]!;
  }
  offset += 16;
  return text.toString('latin1', 0, 36);
}
