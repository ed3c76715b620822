import type { ElfFile } from './elf.js';
import { GobinError } from './errors.js';
import { PTR_SIZE, type AddressSpace } from './memory.js';
import type { PclntabHeader } from './pclntab.js';

/** What this reader needs from runtime.firstmoduledata. */
export interface ModuleData {
  /** Virtual address of the moduledata struct. */
  addr: number;
  text: number;
  etext: number;
  minpc: number;
  maxpc: number;
}

// runtime.moduledata since Go 1.16, in pointer-sized words (runtime/symtab.go):
//   pcHeader *pcHeader; funcnametab, cutab, filetab, pctab, pclntable, ftab (slices: ptr,len,cap);
//   findfunctab, minpc, maxpc, text, etext uintptr
// This leading part is the same from 1.16 through 1.27 (checked against each release's symtab.go).
const W_PCHEADER = 0;
const W_FUNCNAMETAB = 1;
const W_PCLNTABLE = 13;
const W_FTAB = 16;
const W_MINPC = 20;
const W_MAXPC = 21;
const W_TEXT = 22;
const W_ETEXT = 23;
const WORDS = 24;

/**
 * Finds runtime.firstmoduledata: a pointer-sized word equal to the pclntab's
 * address (directly, or as a PIE's RELATIVE relocation addend) followed by
 * slices that point into the same pclntab at the header's offsets, and pc
 * bounds that agree with the function table. Go 1.26 moved it to its own
 * `.go.module` section; before that it is in `.noptrdata`; both are in the
 * writable data segment, which is scanned when sections are missing.
 */
export function findModuleData(elf: ElfFile, mem: AddressSpace, pclntabAddr: number, hdr: PclntabHeader, firstEntryOff: number, lastEntryOff: number): ModuleData {
  if (hdr.layout === '1.2') throw new GobinError('ERR_PCLNTAB_UNSUPPORTED', `${elf.name}: moduledata layout before Go 1.16 is not read (not needed: entries are absolute)`);
  const rejected: string[] = [];
  const tried = new Set<number>();
  // Candidates in order (relocation targets, then `.go.module`, then the writable
  // segments), each validated as soon as it is found: the first that validates wins.
  for (const addr of moduleDataCandidates(elf, mem, pclntabAddr, WORDS)) {
    if (tried.has(addr)) continue;
    tried.add(addr);
    try {
      const w = (n: number) => mem.pointer(addr + n * PTR_SIZE);
      if (w(W_PCHEADER) !== pclntabAddr) throw new Error('pcHeader mismatch');
      if (w(W_FUNCNAMETAB) !== pclntabAddr + hdr.funcnameOffset) throw new Error('funcnametab mismatch');
      if (w(W_PCLNTABLE) !== pclntabAddr + hdr.pclnOffset || w(W_FTAB) !== pclntabAddr + hdr.pclnOffset) throw new Error('pclntable/ftab mismatch');
      const md = { addr, minpc: w(W_MINPC), maxpc: w(W_MAXPC), text: w(W_TEXT), etext: w(W_ETEXT) };
      if (md.minpc - md.text !== firstEntryOff || md.maxpc - md.text !== lastEntryOff) throw new Error('pc bounds disagree with the function table');
      if (!(md.text <= md.minpc && md.maxpc <= md.etext)) throw new Error('text bounds inconsistent');
      return md;
    } catch (err) {
      rejected.push(`0x${addr.toString(16)} (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  throw new GobinError(
    'ERR_PCLNTAB_MALFORMED',
    `${elf.name}: runtime.firstmoduledata not found (needed for the text start, which this pclntab header leaves zero)${rejected.length ? `; rejected ${rejected.slice(0, 3).join(', ')}` : ''}`,
  );
}

/**
 * Addresses of pointer-aligned words holding the pclntab address: RELATIVE
 * relocation targets whose addend is it (PIE), then words equal to it in
 * `.go.module` and in every writable segment, with room for the moduledata
 * after them. The word is found with Buffer.indexOf (memmem), not word by word.
 */
export function* moduleDataCandidates(elf: ElfFile, mem: AddressSpace, pclntabAddr: number, words: number): Generator<number> {
  for (const [addr, value] of mem.relocations()) if (value === pclntabAddr) yield addr;
  const goModule = elf.section('.go.module');
  const ranges: Array<{ addr: number; data: Uint8Array }> = goModule ? [{ addr: goModule.addr, data: elf.sectionData(goModule) }] : [];
  for (const seg of mem.writableSegments()) ranges.push({ addr: seg.vaddr, data: elf.slice(seg.offset, seg.filesz, 'data segment') });
  const needle = Buffer.alloc(PTR_SIZE);
  needle.writeUInt32LE(pclntabAddr % 0x1_0000_0000, 0);
  needle.writeUInt32LE(Math.floor(pclntabAddr / 0x1_0000_0000), 4);
  for (const r of ranges) {
    const buf = Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength);
    const limit = r.data.length - words * PTR_SIZE; // the last start with room for the words read
    for (let i = buf.indexOf(needle); i >= 0 && i <= limit; i = buf.indexOf(needle, i + 1)) {
      if ((r.addr + i) % PTR_SIZE === 0) yield r.addr + i;
    }
  }
}
