import type { ElfFile } from './elf.js';
import { PT_DYNAMIC, PT_LOAD, EM_X86_64, EM_AARCH64 } from './elf.js';
import { GobinError } from './errors.js';

/** The pointer size of every binary read here: only 64-bit ELF files are accepted (elf.ts). */
export const PTR_SIZE = 8;

// Dynamic-section tags and relocation types (elf.h) needed to resolve pointers in PIE data.
const DT_NULL = 0;
const DT_RELA = 7;
const DT_RELASZ = 8;
const DT_RELAENT = 9;
const R_X86_64_RELATIVE = 8;
const R_AARCH64_RELATIVE = 1027;
const PF_W = 2;

/**
 * The program's memory image as the loader would build it before relocation
 * processing is needed: segments from the file, plus the RELATIVE dynamic
 * relocations that a position-independent binary relies on. Pointers stored
 * in a PIE's data may be zero in the file with the value in the relocation's
 * addend (RELA), so pointer reads consult the relocations first.
 */
export class AddressSpace {
  private relative?: RelativeRelocations;

  constructor(readonly elf: ElfFile) {}

  /** Writable PT_LOAD segments (where Go keeps moduledata and, without sections, buildinfo). */
  writableSegments() {
    return this.elf.programs.filter((p) => p.type === PT_LOAD && (p.flags & PF_W) !== 0);
  }

  /**
   * True when [addr, addr+len) lies in the zero-filled tail of a PT_LOAD
   * (memsz past filesz: .bss, .noptrbss): the loader gives it zeros, the file has no bytes.
   */
  zeroFilled(addr: number, len: number): boolean {
    return this.elf.programs.some((p) => p.type === PT_LOAD && addr >= p.vaddr + p.filesz && addr + len <= p.vaddr + p.memsz);
  }

  /**
   * Reads a little-endian pointer at `addr`, applying a RELATIVE relocation when one targets it.
   * Pointers are 8 bytes: ElfFile rejects 32-bit (ELFCLASS32) files before anything is read.
   */
  pointer(addr: number): number {
    const rel = this.relocations().get(addr);
    if (rel !== undefined) return rel;
    const b = this.elf.readVaddr(addr, PTR_SIZE);
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const hi = v.getUint32(4, true);
    if (hi > 0x1fffff) throw new GobinError('ERR_ADDRESS', `${this.elf.name}: pointer at 0x${addr.toString(16)} exceeds 2^53`);
    return hi * 0x1_0000_0000 + v.getUint32(0, true);
  }

  /** RELATIVE relocations: target address → value the loader stores there (before adding the load bias). */
  relocations(): RelativeRelocations {
    if (this.relative) return this.relative;
    const relType = this.elf.machineCode === EM_X86_64 ? R_X86_64_RELATIVE : this.elf.machineCode === EM_AARCH64 ? R_AARCH64_RELATIVE : -1;
    const dyn = this.elf.programs.find((p) => p.type === PT_DYNAMIC);
    if (!dyn || relType < 0) return (this.relative = RelativeRelocations.NONE);
    const tags = new Map<number, number>();
    const d = this.elf.slice(dyn.offset, dyn.filesz, 'dynamic segment');
    const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    for (let off = 0; off + 16 <= d.length; off += 16) {
      const tag = Number(dv.getBigUint64(off, true));
      if (tag === DT_NULL) break;
      tags.set(tag, Number(dv.getBigUint64(off + 8, true)));
    }
    const relaAddr = tags.get(DT_RELA);
    const relaSize = tags.get(DT_RELASZ) ?? 0;
    const entSize = tags.get(DT_RELAENT) ?? 24;
    if (relaAddr === undefined || relaSize === 0 || entSize < 24) return (this.relative = RelativeRelocations.NONE);
    const fileOff = this.elf.vaddrToFileOffset(relaAddr);
    if (fileOff === undefined) throw new GobinError('ERR_ELF_MALFORMED', `${this.elf.name}: DT_RELA 0x${relaAddr.toString(16)} is not in any loaded segment`);
    return (this.relative = RelativeRelocations.read(this.elf.slice(fileOff, relaSize, 'dynamic relocations'), entSize, relType));
  }
}

/**
 * RELATIVE relocations sorted by target address, looked up by binary search.
 * A PIE Go binary has one for every pointer in its data (over 100,000 in a
 * net/http server): two typed arrays build in a fraction of the time a Map
 * of them takes, which is most of a targeted type-descriptor read.
 */
export class RelativeRelocations {
  static readonly NONE = new RelativeRelocations(new Float64Array(0), new Float64Array(0));

  private constructor(
    private readonly targets: Float64Array,
    private readonly values: Float64Array,
  ) {}

  /** The RELATIVE entries (`type`) of a RELA table of `entSize`-byte entries (offset, info, addend). */
  static read(rela: Uint8Array, entSize: number, type: number): RelativeRelocations {
    const v = new DataView(rela.buffer, rela.byteOffset, rela.byteLength);
    const n = Math.floor(rela.length / entSize);
    let targets = new Float64Array(n);
    let values = new Float64Array(n);
    let count = 0;
    let sorted = true;
    for (let off = 0; off + entSize <= rela.length; off += entSize) {
      if (v.getUint32(off + 8, true) !== type) continue;
      // 64-bit words as two halves: no BigInt per entry. Addresses fit in 2^53.
      const target = v.getUint32(off + 4, true) * 0x1_0000_0000 + v.getUint32(off, true);
      values[count] = v.getInt32(off + 20, true) * 0x1_0000_0000 + v.getUint32(off + 16, true);
      if (count > 0 && target < targets[count - 1]) sorted = false;
      targets[count++] = target;
    }
    targets = targets.subarray(0, count);
    values = values.subarray(0, count);
    if (!sorted) {
      // Linkers emit them sorted; a file that is not is sorted here, not misread.
      const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => targets[a] - targets[b]);
      targets = Float64Array.from(order, (i) => targets[i]);
      values = Float64Array.from(order, (i) => values[i]);
    }
    return new RelativeRelocations(targets, values);
  }

  get size(): number {
    return this.targets.length;
  }

  /** The value stored at `addr`; undefined when no RELATIVE relocation targets it. */
  get(addr: number): number | undefined {
    const t = this.targets;
    let lo = 0;
    let hi = t.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const x = t[mid];
      if (x === addr) return this.values[mid];
      if (x < addr) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** Which of `wanted` some relocation stores. */
  storedValues(wanted: ReadonlySet<number>): Set<number> {
    const found = new Set<number>();
    for (const v of this.values) if (wanted.has(v)) found.add(v);
    return found;
  }

  *[Symbol.iterator](): Generator<[number, number]> {
    for (let i = 0; i < this.targets.length; i++) yield [this.targets[i], this.values[i]];
  }
}
