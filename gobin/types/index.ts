import type { ElfFile } from '../elf.js';
import { GobinError } from '../errors.js';
import type { AddressSpace } from '../memory.js';
import { parseSelector } from '../selector.js';
import { typesLayout, type TypesLayout } from './layout.js';
import { findTypesModuleData, type TypesModuleData } from './moduledata.js';
import { typeRoots } from './roots.js';
import { TypeSpace } from './space.js';
import { indexStructs, type StructIndex, type TypeStruct } from './structs.js';
import { findStructDescriptors } from './find.js';

// abi.Type (the same from Go 1.15 to today): Hash at 16, PtrToThis (a type offset) at 44.
const TYPE_HASH = 16;
const PTR_TO_THIS = 44;
import { DescriptorWalker } from './walk.js';

export type { TypeStruct, TypeStructMember } from './structs.js';
export { qualifiedName } from './structs.js';
export { typesLayout, goMinor, type TypesLayout } from './layout.js';

/** One field's answer from the descriptors (the `offsets dwarf` row, plus why it may be null). */
export interface TypeFieldOffset {
  type: string;
  field: string;
  offset: number | null;
  size: number | null;
  /** Set when offset is null: the struct has no descriptor, several (function-local types), or no such field. */
  missing?: 'no-descriptor' | 'ambiguous' | 'no-field';
}

export interface TypeDescriptorsInput {
  elf: ElfFile;
  mem: AddressSpace;
  /** The buildinfo's Go version (`go1.21.13`): picks the layout. */
  goVersion: string;
  /** The buildinfo's GOEXPERIMENT setting, if any. */
  goexperiment?: string;
  /** Virtual address of the pclntab header (the module data points to it). */
  pclntabAddr: number;
}

/**
 * Struct layouts from the runtime's type descriptors, which even a stripped
 * binary carries. Reading walks every descriptor reachable from the module's
 * type links and itabs once (a few milliseconds to tens of them); lookups
 * are then map reads.
 */
export class TypeDescriptors {
  private readonly index: StructIndex;

  private constructor(
    readonly layout: TypesLayout,
    readonly moduleData: TypesModuleData,
    /** How many descriptors were read. */
    readonly descriptorCount: number,
    index: StructIndex,
    private readonly space: TypeSpace,
  ) {
    this.index = index;
  }

  /** Every descriptor reachable from the module's type links and itabs. */
  static read(input: TypeDescriptorsInput): TypeDescriptors {
    const { layout, space, md, walker } = TypeDescriptors.open(input);
    const roots = typeRoots(space, layout, md);
    walker.walk(roots.types);
    const itabTypes: number[] = [];
    for (const it of roots.itabs) itabTypes.push(space.pointer(it, 'itab interface'), space.pointer(it + 8, 'itab type'));
    const count = walker.walk(itabTypes, 'itab');
    return new TypeDescriptors(layout, md, count, indexStructs(walker.types), space);
  }

  /**
   * Only the named structs `names` (`net/http.Request`), looked up by their
   * descriptor strings instead of walking the whole graph: a few
   * milliseconds instead of tens. Gives the same answers as `read` for those
   * structs (and knows no others); falls back to `read` for a name that
   * cannot be looked up (see find.ts).
   */
  static readStructs(input: TypeDescriptorsInput, names: Iterable<string>): TypeDescriptors {
    const { layout, space, md, walker } = TypeDescriptors.open(input);
    // A type name has no dot (but for a generic one's type arguments, which find.ts refuses): the package path is the rest.
    const wanted = [...new Set(names)].map((name) => ({ pkgPath: name.slice(0, Math.max(name.lastIndexOf('.'), 0)), typeName: name.slice(name.lastIndexOf('.') + 1) }));
    if (wanted.some((w) => !w.pkgPath)) return TypeDescriptors.read(input);
    const found = findStructDescriptors(space, layout, md, walker, wanted);
    if (!found) return TypeDescriptors.read(input);
    return new TypeDescriptors(layout, md, walker.types.size, indexStructs(walker.types, found), space);
  }

  private static open(input: TypeDescriptorsInput) {
    const { elf, mem } = input;
    if (elf.machine !== 'amd64' && elf.machine !== 'arm64') {
      throw new GobinError('ERR_TYPES_UNSUPPORTED', `${elf.name}: type descriptors are read for amd64 and arm64 only, not ${elf.machine}`);
    }
    const layout = typesLayout(input.goVersion, input.goexperiment);
    const space = new TypeSpace(elf, mem);
    const md = findTypesModuleData(elf, mem, space, input.pclntabAddr, layout);
    return { layout, space, md, walker: new DescriptorWalker(space, layout, md) };
  }

  /** Every named struct with exactly one descriptor, sorted by name. */
  structs(): TypeStruct[] {
    return [...this.index.byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Struct names carried by several descriptors (function-local types), with how many. */
  ambiguous(): Map<string, number> {
    return this.index.ambiguous;
  }

  /** The struct named `qualifiedName` (`net/http.Request`); undefined when it has no descriptor or is ambiguous. */
  findStruct(qualifiedName: string): TypeStruct | undefined {
    return this.index.byName.get(qualifiedName);
  }

  /** Virtual address of the struct's descriptor (diagnostics and tests). */
  descriptorAddress(qualifiedName: string): number | undefined {
    return this.index.addrs.get(qualifiedName);
  }

  /**
   * abi.Type.Hash of `*T` for the struct T named `qualifiedName`, found
   * through T's ptrToThis; undefined when the binary has no `*T`. The hash
   * does not move with the load address, unlike the descriptor: an eBPF
   * program can tell an interface's dynamic type by the copy of it in the
   * itab (itab.hash, at 2 words), PIE or not.
   */
  pointerTypeHash(qualifiedName: string): number | undefined {
    const addr = this.descriptorAddress(qualifiedName);
    if (addr === undefined) return undefined;
    const ptrToThis = this.space.i32(addr + PTR_TO_THIS, 'ptrToThis');
    if (ptrToThis === 0 || ptrToThis === -1) return undefined;
    return this.space.u32(this.moduleData.types + ptrToThis + TYPE_HASH, 'type hash');
  }

  /** `net/http.Request.ctx` → its offset and size; null with the reason when there is none to give. */
  field(selector: string): TypeFieldOffset {
    const { type, field } = parseSelector(selector);
    const none = (missing: TypeFieldOffset['missing']): TypeFieldOffset => ({ type, field, offset: null, size: null, missing });
    if (this.index.ambiguous.has(type)) return none('ambiguous');
    const s = this.index.byName.get(type);
    if (!s) return none('no-descriptor');
    const m = s.members.find((x) => x.name === field);
    return m ? { type, field, offset: m.offset, size: m.size } : none('no-field');
  }
}
