import type { ElfFile } from '../elf.js';
import { GobinError } from '../errors.js';
import type { AddressSpace } from '../memory.js';
import { moduleDataCandidates } from '../moduledata.js';
import { PTR, type TypesLayout } from './layout.js';
import type { TypeSpace } from './space.js';

/** What the descriptor walker needs from runtime.firstmoduledata. */
export interface TypesModuleData {
  /** Address of the moduledata. */
  addr: number;
  /** [types, etypes): every descriptor and name; name and type offsets are relative to `types`. */
  types: number;
  etypes: number;
  /** Offsets from `types` of the descriptors the linker lists (typelinks), before Go 1.27. */
  typelinks: number[];
  /** Addresses of the itabs, before Go 1.27. */
  itabs: number[];
  /**
   * Go 1.27+: the typelink descriptors are laid out one after another in
   * [types + 8, types + typedesclen); the itabs in [types + itaboffset, + itabsize).
   */
  sequential?: { typedesclen: number; itaboffset: number; itabsize: number };
}

/** Longest typelinks / itablinks accepted (the real ones hold a few thousand). */
const MAX_LINKS = 1 << 22;

/**
 * Finds runtime.firstmoduledata without symbols: every pointer-aligned word
 * holding the pclntab's address (a RELATIVE relocation's addend in a PIE) in
 * `.go.module` (Go 1.26+) and the writable segments is a candidate, accepted
 * only when the rest of that Go version's layout is consistent: pc bounds
 * ordered, [types, etypes) mapped, and the link slices mapped with len ≤ cap
 * and every type link inside the types area.
 */
export function findTypesModuleData(elf: ElfFile, mem: AddressSpace, space: TypeSpace, pclntabAddr: number, layout: TypesLayout): TypesModuleData {
  const { md } = layout;
  const rejected: string[] = [];
  const tried = new Set<number>();
  for (const addr of moduleDataCandidates(elf, mem, pclntabAddr, md.words)) {
    if (tried.has(addr) || addr % PTR !== 0) continue;
    tried.add(addr);
    try {
      return validate(space, addr, pclntabAddr, layout);
    } catch (err) {
      rejected.push(`0x${addr.toString(16)} (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  throw new GobinError(
    'ERR_NO_TYPES',
    `${elf.name}: runtime.firstmoduledata not found for Go 1.${layout.minor}${rejected.length ? `; rejected ${rejected.slice(0, 3).join(', ')}` : ' (no word holds the pclntab address)'}`,
  );
}

function validate(space: TypeSpace, addr: number, pclntabAddr: number, layout: TypesLayout): TypesModuleData {
  const { md } = layout;
  const w = (i: number): number => space.pointer(addr + i * PTR, 'moduledata word');
  if (w(md.pclntab) !== pclntabAddr) throw new Error('no pclntab pointer');
  const minpc = w(md.minpc);
  const maxpc = w(md.minpc + 1);
  const text = w(md.text);
  const etext = w(md.text + 1);
  if (!(text <= minpc && minpc <= maxpc && maxpc <= etext)) throw new Error('pc bounds out of order');
  const types = w(md.types);
  const etypes = w(md.etypes);
  if (!(types < etypes) || !space.contains(types, etypes - types)) throw new Error('[types, etypes) not mapped');
  const typelinks: number[] = [];
  const itabs: number[] = [];
  if (md.typelinks !== undefined && md.itablinks !== undefined) {
    const tl = slice(space, w, md.typelinks, 4);
    for (let i = 0; i < tl.len; i++) {
      const off = space.i32(tl.ptr + 4 * i, 'typelink');
      if (off < 0 || types + off >= etypes) throw new Error(`typelink ${i} (${off}) outside the types area`);
      typelinks.push(off);
    }
    const il = slice(space, w, md.itablinks, PTR);
    for (let i = 0; i < il.len; i++) itabs.push(space.pointer(il.ptr + PTR * i, 'itablink'));
  }
  if (md.typedesclen !== undefined && md.itaboffset !== undefined) {
    const area = etypes - types;
    const typedesclen = w(md.typedesclen);
    const itaboffset = w(md.itaboffset);
    const itabsize = w(md.itaboffset + 1);
    if (typedesclen > area || itaboffset < typedesclen || itaboffset + itabsize > area) throw new Error('typedesclen/itaboffset/itabsize outside the types area');
    return { addr, types, etypes, typelinks, itabs, sequential: { typedesclen, itaboffset, itabsize } };
  }
  return { addr, types, etypes, typelinks, itabs };
}

function slice(space: TypeSpace, w: (i: number) => number, at: number, elem: number): { ptr: number; len: number } {
  const ptr = w(at);
  const len = w(at + 1);
  const cap = w(at + 2);
  if (len > cap || len > MAX_LINKS) throw new Error(`slice len ${len} cap ${cap}`);
  if (len > 0 && !space.contains(ptr, len * elem)) throw new Error('slice not mapped');
  return { ptr, len };
}
