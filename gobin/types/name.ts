import type { TypeSpace } from './space.js';

/** A decoded runtime name (internal/abi Name; runtime `name` before Go 1.21). */
export interface GoName {
  name: string;
  exported: boolean;
  /** Struct field of an embedded type (flag bit 3, Go 1.19+; before it is in the field's offset word). */
  embedded: boolean;
}

const FLAG_EXPORTED = 1 << 0;
const FLAG_TAG = 1 << 1;
const FLAG_EMBEDDED = 1 << 3;
/** No real name comes near this; a longer length is a corrupt or hostile one. */
const MAX_NAME = 1 << 20;

/**
 * Decodes names: one flags byte, the length (uvarint since Go 1.17, 2-byte
 * big-endian before), the bytes, then an optional tag and package-path
 * offset, which are not needed here. Cached by address: package paths and
 * field names are shared by many descriptors.
 */
export class NameReader {
  private readonly cache = new Map<number, GoName>();

  constructor(
    private readonly space: TypeSpace,
    private readonly varint: boolean,
  ) {}

  at(addr: number): GoName {
    let n = this.cache.get(addr);
    if (n) return n;
    const flags = this.space.u8(addr, 'name flags');
    const { len, start } = this.length(addr + 1);
    if (len > MAX_NAME) this.space.fail('ERR_TYPES_MALFORMED', `name length ${len} exceeds ${MAX_NAME}`, addr);
    const bytes = this.space.bytes(start, len, 'name bytes');
    n = {
      name: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
      exported: (flags & FLAG_EXPORTED) !== 0,
      embedded: this.varint && (flags & FLAG_EMBEDDED) !== 0,
    };
    if (flags & FLAG_TAG) this.length(start + len); // the tag's length must be readable too
    this.cache.set(addr, n);
    return n;
  }

  private length(at: number): { len: number; start: number } {
    if (!this.varint) return { len: (this.space.u8(at, 'name length') << 8) | this.space.u8(at + 1, 'name length'), start: at + 2 };
    let len = 0;
    let mul = 1;
    for (let i = 0; i < 4; i++) {
      const b = this.space.u8(at + i, 'name length');
      len += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return { len, start: at + i + 1 };
      mul *= 128;
    }
    return this.space.fail('ERR_TYPES_MALFORMED', 'name length varint longer than 4 bytes', at);
  }
}
