import type { ElfFile } from '../elf.js';
import { PT_LOAD } from '../elf.js';
import { GobinError, type GobinErrorCode } from '../errors.js';
import type { AddressSpace, RelativeRelocations } from '../memory.js';

interface Segment {
  vaddr: number;
  end: number;
  /** Where the segment's image starts in the file. */
  offset: number;
  /** Read on the first access: a binary read on demand reads only the segments the walk reaches (not the code). */
  view: DataView;
  bytes: Uint8Array;
}

const UNREAD = new Uint8Array(0);

/**
 * Bounds-checked reads at virtual addresses for the descriptor walker: every
 * read must lie inside one loaded segment's file image, every pointer goes
 * through the PIE relocations, and every failure is a GobinError naming the
 * section (or segment) and the address where it happened. The segment of the
 * last read is remembered, so the walker's reads (nearly all in the types
 * area) cost one range check each.
 */
export class TypeSpace {
  private readonly segments: Segment[];
  private last: Segment;
  private readonly relocations: RelativeRelocations;

  constructor(
    readonly elf: ElfFile,
    mem: AddressSpace,
  ) {
    this.segments = elf.programs
      .filter((p) => p.type === PT_LOAD && p.filesz > 0 && p.offset + p.filesz <= elf.size)
      .map((p) => ({ vaddr: p.vaddr, end: p.vaddr + p.filesz, offset: p.offset, bytes: UNREAD, view: new DataView(UNREAD.buffer) }));
    if (this.segments.length === 0) throw new GobinError('ERR_ELF_MALFORMED', `${elf.name}: no loaded segment with file contents`);
    this.last = { vaddr: -1, end: -1, offset: 0, bytes: UNREAD, view: new DataView(UNREAD.buffer) }; // holds no address
    this.relocations = mem.relocations();
  }

  /** Where an address is, for error messages: its section name when the file has section headers. */
  where(addr: number): { section: string; offset: number } {
    for (const s of this.elf.sections) {
      if (s.addr !== 0 && addr >= s.addr && addr < s.addr + s.size) return { section: s.name, offset: addr - s.addr };
    }
    return { section: 'address space', offset: addr };
  }

  fail(code: GobinErrorCode, message: string, addr: number): never {
    throw new GobinError(code, `${this.elf.name}: ${message}`, this.where(addr));
  }

  contains(addr: number, len: number): boolean {
    return this.segmentOf(addr, len) !== undefined;
  }

  private segmentOf(addr: number, len: number): Segment | undefined {
    const l = this.last;
    if (addr >= l.vaddr && addr + len <= l.end) return l;
    for (const s of this.segments) {
      if (addr >= s.vaddr && addr + len <= s.end) return (this.last = this.read(s));
    }
    return undefined;
  }

  private read(s: Segment): Segment {
    if (s.bytes === UNREAD) {
      s.bytes = this.elf.slice(s.offset, s.end - s.vaddr, `segment at 0x${s.vaddr.toString(16)}`);
      s.view = new DataView(s.bytes.buffer, s.bytes.byteOffset, s.bytes.byteLength);
    }
    return s;
  }

  private seg(addr: number, len: number, what: string): Segment {
    if (!Number.isSafeInteger(addr) || addr < 0) this.fail('ERR_TYPES_MALFORMED', `${what} at a bad address ${addr}`, 0);
    const s = this.segmentOf(addr, len);
    if (!s) this.fail('ERR_TYPES_MALFORMED', `${what} [0x${addr.toString(16)}, +${len}) is outside every loaded segment`, addr);
    return s;
  }

  u8(addr: number, what: string): number {
    const s = this.seg(addr, 1, what);
    return s.bytes[addr - s.vaddr];
  }
  u16(addr: number, what: string): number {
    const s = this.seg(addr, 2, what);
    return s.view.getUint16(addr - s.vaddr, true);
  }
  u32(addr: number, what: string): number {
    const s = this.seg(addr, 4, what);
    return s.view.getUint32(addr - s.vaddr, true);
  }
  i32(addr: number, what: string): number {
    const s = this.seg(addr, 4, what);
    return s.view.getInt32(addr - s.vaddr, true);
  }
  /** A 64-bit word (a size, count or offset); values past 2^53 are errors, not rounded. */
  word(addr: number, what: string): number {
    const s = this.seg(addr, 8, what);
    const hi = s.view.getUint32(addr - s.vaddr + 4, true);
    if (hi > 0x1fffff) this.fail('ERR_TYPES_MALFORMED', `${what} 0x${hi.toString(16)}… exceeds 2^53`, addr);
    return hi * 0x1_0000_0000 + s.view.getUint32(addr - s.vaddr, true);
  }
  /** A pointer: the RELATIVE relocation's addend when one targets the slot (PIE), else the stored word. */
  pointer(addr: number, what: string): number {
    const rel = this.relocations.get(addr);
    if (rel !== undefined) {
      this.seg(addr, 8, what);
      return rel;
    }
    return this.word(addr, what);
  }
  bytes(addr: number, len: number, what: string): Uint8Array {
    const s = this.seg(addr, len, what);
    return s.bytes.subarray(addr - s.vaddr, addr - s.vaddr + len);
  }
}
