/** Little-endian fields written one after another into a preallocated buffer. */
export class ByteWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  pos = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u8(x: number): void {
    this.bytes[this.pos++] = x;
  }

  u16(x: number): void {
    this.view.setUint16(this.pos, x, true);
    this.pos += 2;
  }

  u32(x: number): void {
    this.view.setUint32(this.pos, x, true);
    this.pos += 4;
  }

  /** An unsigned integer of `size` bytes (1, 2, 4 or 8); x at most 2^53. */
  uint(x: number, size: 1 | 2 | 4 | 8): void {
    if (size === 1) this.u8(x);
    else if (size === 2) this.u16(x);
    else if (size === 4) this.u32(x);
    else this.u64(x);
  }

  /** A non-negative safe integer as 8 bytes. */
  u64(x: number): void {
    this.view.setUint32(this.pos, x % 0x1_0000_0000, true);
    this.view.setUint32(this.pos + 4, Math.floor(x / 0x1_0000_0000), true);
    this.pos += 8;
  }

  /** A safe integer, negative ones included, as 8 bytes two's complement. */
  i64(x: number): void {
    this.view.setBigInt64(this.pos, BigInt(x), true);
    this.pos += 8;
  }

  /** All ones, 8 bytes: HDF5's "undefined address". */
  undefinedAddress(): void {
    this.view.setUint32(this.pos, 0xffff_ffff, true);
    this.view.setUint32(this.pos + 4, 0xffff_ffff, true);
    this.pos += 8;
  }

  f64(x: number): void {
    this.view.setFloat64(this.pos, x, true);
    this.pos += 8;
  }

  raw(b: Uint8Array): void {
    this.bytes.set(b, this.pos);
    this.pos += b.length;
  }

  /** float64 values little-endian, bit for bit (NaN payloads included). */
  float64s(data: Float64Array): void {
    if (LITTLE_ENDIAN) {
      this.bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), this.pos);
    } else {
      for (let i = 0; i < data.length; i++) this.view.setFloat64(this.pos + 8 * i, data[i]!, true);
    }
    this.pos += data.byteLength;
  }
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
