import { FIELD_SIZE, IMETHOD_SIZE, KIND, KIND_MASK, METHOD_SIZE, PTR, TYPE_HEADER, UNCOMMON_SIZE, kindExtra, type TypesLayout } from './layout.js';
import type { TypesModuleData } from './moduledata.js';
import type { TypeSpace } from './space.js';

/** Where the walk starts: the linker's list of descriptors and the itabs. */
export interface TypeRoots {
  /** Descriptor addresses. */
  types: number[];
  /** Itab addresses (each names an interface type and a concrete type). */
  itabs: number[];
}

/** abi.ITab on 64-bit: Inter, Type, Hash uint32 (padded), Fun [1]uintptr. */
const ITAB_SIZE = 4 * PTR;

/**
 * Before Go 1.27 the module data lists both (typelinks: offsets from `types`;
 * itablinks: pointers). Go 1.27 dropped the lists: the typelink descriptors
 * sit one after another from `types + 8`, each pointer-aligned and as long as
 * abi.Type.DescriptorSize says, up to `types + typedesclen`; the itabs follow
 * each other at `types + itaboffset`, each as long as abi.ITab.Size says.
 */
export function typeRoots(space: TypeSpace, layout: TypesLayout, md: TypesModuleData): TypeRoots {
  if (!md.sequential) return { types: md.typelinks.map((off) => md.types + off), itabs: md.itabs };
  const { typedesclen, itaboffset, itabsize } = md.sequential;
  const types: number[] = [];
  const end = md.types + typedesclen;
  for (let td = md.types + PTR; ; ) {
    td = Math.ceil(td / PTR) * PTR;
    if (td >= end) break;
    types.push(td);
    td += descriptorSize(space, layout, td);
  }
  const itabs: number[] = [];
  const iend = md.types + itaboffset + itabsize;
  for (let p = md.types + itaboffset; p < iend; ) {
    itabs.push(p);
    const fun0 = space.word(p + 3 * PTR, 'itab fun[0]');
    const methods = fun0 === 0 ? 0 : space.word(space.pointer(p, 'itab interface') + TYPE_HEADER + 2 * PTR, 'interface method count');
    if (methods > (iend - p) / PTR) space.fail('ERR_TYPES_MALFORMED', `itab with ${methods} methods runs past the itabs' end`, p);
    p += ITAB_SIZE + Math.max(0, methods - 1) * PTR;
  }
  return { types, itabs };
}

/**
 * abi.Type.DescriptorSize (Go 1.27): the kind's struct, the uncommon type,
 * the parameters / interface methods / struct fields that follow, and the
 * methods. At least the 48-byte header, so the sequential walk always advances.
 */
export function descriptorSize(space: TypeSpace, layout: TypesLayout, a: number): number {
  const tflag = space.u8(a + 20, 'type tflag');
  const kind = space.u8(a + 23, 'type kind') & KIND_MASK;
  const extra = kindExtra(kind, layout);
  if (extra === undefined) return space.fail('ERR_TYPES_MALFORMED', `type descriptor with invalid kind ${kind}`, a + 23);
  const x = a + TYPE_HEADER;
  let size = TYPE_HEADER + extra;
  if (tflag & 1) size += UNCOMMON_SIZE + space.u16(x + extra + 4, 'uncommon mcount') * METHOD_SIZE;
  if (kind === KIND.Func) size += (space.u16(x, 'func inCount') + (space.u16(x + 2, 'func outCount') & 0x7fff)) * PTR;
  if (kind === KIND.Interface) size += space.word(x + 2 * PTR, 'interface method count') * IMETHOD_SIZE;
  if (kind === KIND.Struct) size += space.word(x + 2 * PTR, 'struct field count') * FIELD_SIZE;
  if (!Number.isSafeInteger(size)) space.fail('ERR_TYPES_MALFORMED', 'descriptor size overflows', a);
  return size;
}
