/**
 * Bob Jenkins' lookup3 `hashlittle`, the checksum of every version 2 HDF5 structure (superblock,
 * object headers). HDF5 feeds it bytes one at a time, as the portable path of lookup3.c does, so
 * the result does not depend on alignment or platform byte order.
 */

const rot = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/** lookup3 hashlittle of bytes[start, end), with the given initial value (HDF5 uses 0). */
export function lookup3(bytes: Uint8Array, start = 0, end = bytes.length, initval = 0): number {
  let length = end - start;
  let a = (0xdeadbeef + length + initval) | 0;
  let b = a;
  let c = a;
  let k = start;
  while (length > 12) {
    a = (a + (bytes[k]! | (bytes[k + 1]! << 8) | (bytes[k + 2]! << 16) | (bytes[k + 3]! << 24))) | 0;
    b = (b + (bytes[k + 4]! | (bytes[k + 5]! << 8) | (bytes[k + 6]! << 16) | (bytes[k + 7]! << 24))) | 0;
    c = (c + (bytes[k + 8]! | (bytes[k + 9]! << 8) | (bytes[k + 10]! << 16) | (bytes[k + 11]! << 24))) | 0;
    // mix(a, b, c)
    a = (a - c) | 0; a ^= rot(c, 4); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rot(a, 6); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rot(b, 8); b = (b + a) | 0;
    a = (a - c) | 0; a ^= rot(c, 16); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rot(a, 19); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rot(b, 4); b = (b + a) | 0;
    length -= 12;
    k += 12;
  }
  // the last 1 to 12 bytes (a switch with fall-through in lookup3.c); none left: no final mixing
  if (length === 0) return c >>> 0;
  if (length >= 12) c = (c + (bytes[k + 11]! << 24)) | 0;
  if (length >= 11) c = (c + (bytes[k + 10]! << 16)) | 0;
  if (length >= 10) c = (c + (bytes[k + 9]! << 8)) | 0;
  if (length >= 9) c = (c + bytes[k + 8]!) | 0;
  if (length >= 8) b = (b + (bytes[k + 7]! << 24)) | 0;
  if (length >= 7) b = (b + (bytes[k + 6]! << 16)) | 0;
  if (length >= 6) b = (b + (bytes[k + 5]! << 8)) | 0;
  if (length >= 5) b = (b + bytes[k + 4]!) | 0;
  if (length >= 4) a = (a + (bytes[k + 3]! << 24)) | 0;
  if (length >= 3) a = (a + (bytes[k + 2]! << 16)) | 0;
  if (length >= 2) a = (a + (bytes[k + 1]! << 8)) | 0;
  a = (a + bytes[k]!) | 0;
  // final(a, b, c)
  c ^= b; c = (c - rot(b, 14)) | 0;
  a ^= c; a = (a - rot(c, 11)) | 0;
  b ^= a; b = (b - rot(a, 25)) | 0;
  c ^= b; c = (c - rot(b, 16)) | 0;
  a ^= c; a = (a - rot(c, 4)) | 0;
  b ^= a; b = (b - rot(a, 14)) | 0;
  c ^= b; c = (c - rot(b, 24)) | 0;
  return c >>> 0;
}
