import { GobinError } from './errors.js';

/**
 * A bounds-checked little-endian reader over a byte range, in the spirit of
 * debug/dwarf's buf.go: it owns an offset, and every failure says where.
 * 64-bit values are returned as numbers; Go binaries' addresses and sizes fit
 * in 2^53, and anything larger is reported rather than rounded.
 */
/** Buffer's own UTF-8 decoder (node:buffer), which @types/node does not declare. */
type Utf8Sliceable = Buffer & { utf8Slice(start: number, end: number): string };

const typedArrayIndexOf = Uint8Array.prototype.indexOf;

/** `data.indexOf(byte, from)` through TypedArray's builtin, whether `data` is a Buffer or not. */
export function indexOfByte(data: Uint8Array, byte: number, from: number): number {
  return typedArrayIndexOf.call(data, byte, from);
}

export class Cursor {
  readonly view: DataView;
  off: number;
  /** The same bytes as a Buffer, for decoding strings (made on first use). */
  private text: Utf8Sliceable | undefined = undefined;

  constructor(
    readonly data: Uint8Array,
    readonly section: string,
    off = 0,
    /** Added to `off` in error messages, so they name file (or section) offsets. */
    readonly base = 0,
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.off = off;
  }

  get length(): number {
    return this.data.length;
  }
  get remaining(): number {
    return this.data.length - this.off;
  }
  atEnd(): boolean {
    return this.off >= this.data.length;
  }

  fail(code: ConstructorParameters<typeof GobinError>[0], message: string, at = this.off): never {
    throw new GobinError(code, message, { section: this.section, offset: this.base + at });
  }

  need(n: number): void {
    if (n < 0 || this.off + n > this.data.length || this.off < 0) {
      this.fail('ERR_TRUNCATED', `need ${n} bytes, ${Math.max(0, this.data.length - this.off)} left`);
    }
  }

  seek(off: number): this {
    if (off < 0 || off > this.data.length) this.fail('ERR_TRUNCATED', `seek to ${off} past end ${this.data.length}`, off);
    this.off = off;
    return this;
  }
  skip(n: number): void {
    this.need(n);
    this.off += n;
  }

  u8(): number {
    this.need(1);
    return this.data[this.off++];
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.off, true);
    this.off += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.off, true);
    this.off += 4;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.off, true);
    this.off += 4;
    return v;
  }
  u64(): number {
    this.need(8);
    const lo = this.view.getUint32(this.off, true);
    const hi = this.view.getUint32(this.off + 4, true);
    if (hi > 0x1fffff) this.fail('ERR_ELF_MALFORMED', `64-bit value 0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')} exceeds 2^53`);
    this.off += 8;
    return hi * 0x1_0000_0000 + lo;
  }
  u64big(): bigint {
    this.need(8);
    const v = this.view.getBigUint64(this.off, true);
    this.off += 8;
    return v;
  }
  /** An unsigned integer of `size` bytes (1, 2, 4 or 8). */
  uint(size: number): number {
    switch (size) {
      case 1:
        return this.u8();
      case 2:
        return this.u16();
      case 4:
        return this.u32();
      case 8:
        return this.u64();
      default:
        return this.fail('ERR_ELF_MALFORMED', `unsupported integer size ${size}`);
    }
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const b = this.data.subarray(this.off, this.off + n);
    this.off += n;
    return b;
  }
  /** NUL-terminated string. */
  cstring(): string {
    // A DWARF read decodes thousands of names, mostly while V8 still interprets this code. Two
    // shortcuts halve their cost then: TypedArray's own indexOf (a V8 builtin) rather than Buffer's
    // JavaScript wrapper, and Buffer's utf8Slice, what toString('utf8', start, end) calls once it
    // has resolved the encoding's name.
    const end = indexOfByte(this.data, 0, this.off);
    if (end < 0) this.fail('ERR_TRUNCATED', 'unterminated string');
    this.text ??= Buffer.from(this.data.buffer, this.data.byteOffset, this.data.byteLength) as Utf8Sliceable;
    const s = this.text.utf8Slice(this.off, end);
    this.off = end + 1;
    return s;
  }
  uleb128(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; ; i++) {
      const b = this.u8();
      if (i >= 10) this.fail('ERR_DWARF_MALFORMED', 'LEB128 value longer than 10 bytes');
      result += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) break;
    }
    if (result > Number.MAX_SAFE_INTEGER) this.fail('ERR_DWARF_MALFORMED', 'LEB128 value exceeds 2^53');
    return result;
  }
  sleb128(): number {
    let result = 0;
    let mul = 1;
    let b = 0;
    for (let i = 0; ; i++) {
      b = this.u8();
      if (i >= 10) this.fail('ERR_DWARF_MALFORMED', 'LEB128 value longer than 10 bytes');
      result += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) break;
    }
    if (b & 0x40) result -= mul;
    return result;
  }
}
