import { GobinError } from '../errors.js';
import { DW_AT, DW_TAG } from './constants.js';
import { memberLocation } from './location.js';
import type { Cursor } from '../cursor.js';
import type { Abbrev } from './abbrev.js';
import { DieRef, Opaque, SigRef, type AttrValue, type DwarfData, type Entry } from './reader.js';
import type { Unit } from './unit.js';

export interface StructMember {
  name: string;
  /** Byte offset in the struct; null when DWARF gives none (or a location expression it cannot reduce). */
  offset: number | null;
  /** Byte size of the member's type; null when unknown. */
  size: number | null;
  /** Go name of the member's type, as DWARF names it (`*net/url.URL`, `[]uint8`, `context.Context`). */
  typeName: string;
  /** Go's DW_AT_go_embedded_field. */
  embedded: boolean;
}

export interface StructType {
  /** Go-qualified name: `net/http.Request`, `runtime.g`, `main.Pair[int,string]`. */
  name: string;
  /** DW_AT_byte_size; 0 for a declaration that has none. */
  size: number;
  members: StructMember[];
}

/** Longest chain of type references followed (typedef → const → array → typedef …); beyond it is a cycle. */
const MAX_TYPE_DEPTH = 64;

interface TypeInfo {
  name: string;
  size: number | null;
}

/**
 * Builds StructTypes from DIEs, resolving each member's type name and size
 * (through typedefs and qualifiers, like debug/dwarf's Type.Size) with a cache
 * by DIE offset, so a type shared by many members is decoded once.
 */
export class TypeResolver {
  private readonly types = new Map<number, TypeInfo>();

  constructor(private readonly data: DwarfData) {}

  /** The struct whose DW_TAG_structure_type DIE is at `offset`, members included. */
  structAt(offset: number): StructType {
    const u = this.data.unitAt(offset);
    const e = this.data.entry(u, offset);
    if (!e || e.tag !== DW_TAG.structure_type) {
      throw new GobinError('ERR_DWARF_MALFORMED', 'expected a DW_TAG_structure_type DIE', { section: '.debug_info', offset });
    }
    const s = this.head(e);
    if (e.hasChildren) {
      this.data.walk(
        u,
        e.end,
        (tag, depth) => (depth < 0 ? 'stop' : depth === 0 && tag === DW_TAG.member ? 'read' : 'skip'),
        (c, a, at) => s.members.push(this.member(c, u, a, at)),
      );
    }
    return s;
  }

  /** A StructType from its DW_TAG_structure_type DIE, members still to add (member()). */
  head(e: Entry): StructType {
    const size = e.attrs.get(DW_AT.byte_size);
    return { name: str(e.attrs.get(DW_AT.name)), size: typeof size === 'number' ? size : 0, members: [] };
  }

  /**
   * The DW_TAG_member DIE at `offset`, from a cursor at its attributes (walk's
   * `read`), which it reads past. Only these values are kept: a struct read
   * whole has thousands of members, and no Entry is made for any.
   */
  member(c: Cursor, u: Unit, a: Abbrev, offset: number): StructMember {
    let name = '';
    let loc: AttrValue | undefined;
    let typeRef: AttrValue | undefined;
    let embedded = false;
    // The last value of an attribute wins, as Attributes.get, should the abbreviation list it twice.
    for (let i = 0; i < a.attrs.length; i++) {
      const spec = a.attrs[i];
      const v = this.data.form(c, u, spec.form, spec.implicitConst, false);
      if (spec.at === DW_AT.name) name = str(v);
      else if (spec.at === DW_AT.data_member_location) loc = v;
      else if (spec.at === DW_AT.type) typeRef = v;
      else if (spec.at === DW_AT.go_embedded_field) embedded = Boolean(v);
    }
    const type = this.info(typeRef, offset, 0);
    return {
      name,
      offset: typeof loc === 'number' ? loc : loc instanceof Uint8Array ? memberLocation(loc) : null,
      size: type.size,
      typeName: type.name,
      embedded,
    };
  }

  private target(ref: AttrValue | undefined): number | undefined {
    if (ref instanceof DieRef) return ref.offset;
    if (ref instanceof SigRef) return this.data.signature(ref.signature);
    return undefined;
  }

  /** Name and size of the type `ref` points to; `from` is the referring DIE, for errors. */
  private info(ref: AttrValue | undefined, from: number, depth: number): TypeInfo {
    const offset = this.target(ref);
    if (offset === undefined) return { name: '', size: ref === undefined ? 0 : null };
    const cached = this.types.get(offset);
    if (cached) return cached;
    if (depth > MAX_TYPE_DEPTH) {
      throw new GobinError('ERR_DWARF_MALFORMED', `type references nest deeper than ${MAX_TYPE_DEPTH} (a cycle?)`, { section: '.debug_info', offset: from });
    }
    const u = this.data.unitAt(offset);
    const e = this.data.entry(u, offset);
    if (!e) throw new GobinError('ERR_DWARF_MALFORMED', `type reference 0x${offset.toString(16)} points at a null entry`, { section: '.debug_info', offset: from });
    const byteSize = e.attrs.get(DW_AT.byte_size);
    let size: number | null = typeof byteSize === 'number' ? byteSize : null;
    switch (e.tag) {
      case DW_TAG.typedef:
      case DW_TAG.const_type:
      case DW_TAG.volatile_type:
      case DW_TAG.restrict_type:
      case DW_TAG.atomic_type:
        // A typedef's size is its target's (debug/dwarf's TypedefType.Size).
        size = this.info(e.attrs.get(DW_AT.type), offset, depth + 1).size;
        break;
      case DW_TAG.pointer_type:
        size ??= u.addrSize;
        break;
      case DW_TAG.array_type:
        size = this.arraySize(e, u, depth);
        break;
    }
    const info = { name: str(e.attrs.get(DW_AT.name)), size };
    this.types.set(offset, info);
    return info;
  }

  /** Element size times every dimension's count; 0 when a dimension has no count (a flexible array). */
  private arraySize(e: Entry, u: Unit, depth: number): number | null {
    const elem = this.info(e.attrs.get(DW_AT.type), e.offset, depth + 1).size;
    let count = 1;
    let unknown = false;
    if (e.hasChildren) {
      this.data.walk(
        u,
        e.end,
        (tag, d) => (d < 0 ? 'stop' : d === 0 && tag === DW_TAG.subrange_type ? 'read' : 'skip'),
        (c, a, at) => {
          const sub = this.data.decode(c, u, a, at);
          const n = sub.attrs.get(DW_AT.count);
          const ub = sub.attrs.get(DW_AT.upper_bound);
          if (typeof n === 'number') count *= n;
          else if (typeof ub === 'number') count *= ub + 1;
          else unknown = true;
        },
      );
    }
    if (unknown) return 0;
    return elem === null ? null : count * elem;
  }
}

function str(v: AttrValue | undefined): string {
  return typeof v === 'string' ? v : v instanceof Opaque ? '' : '';
}
