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
  private relative?: Map<number, number>;

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
  relocations(): Map<number, number> {
    if (this.relative) return this.relative;
    this.relative = new Map();
    const relType = this.elf.machineCode === EM_X86_64 ? R_X86_64_RELATIVE : this.elf.machineCode === EM_AARCH64 ? R_AARCH64_RELATIVE : -1;
    const dyn = this.elf.programs.find((p) => p.type === PT_DYNAMIC);
    if (!dyn || relType < 0) return this.relative;
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
    if (relaAddr === undefined || relaSize === 0 || entSize < 24) return this.relative;
    const fileOff = this.elf.vaddrToFileOffset(relaAddr);
    if (fileOff === undefined) throw new GobinError('ERR_ELF_MALFORMED', `${this.elf.name}: DT_RELA 0x${relaAddr.toString(16)} is not in any loaded segment`);
    const r = this.elf.slice(fileOff, relaSize, 'dynamic relocations');
    const rv = new DataView(r.buffer, r.byteOffset, r.byteLength);
    for (let off = 0; off + entSize <= r.length; off += entSize) {
      const type = rv.getUint32(off + 8, true);
      if (type !== relType) continue;
      this.relative.set(Number(rv.getBigUint64(off, true)), Number(rv.getBigInt64(off + 16, true)));
    }
    return this.relative;
  }
}
