import type { ElfFile } from '../elf.js';
import { GobinError } from '../errors.js';
import { DW_AT, DW_TAG } from './constants.js';
import { hasDwarf } from './present.js';
import { DieRef, DwarfData, type AttrValue } from './reader.js';
import { DEFAULT_MAX_SECTION_BYTES, ElfSections, MapSections, type SectionMap } from './sections.js';
import { TypeResolver, type StructMember, type StructType } from './types.js';
import type { Unit } from './unit.js';
import { parseSelector } from '../selector.js';
import { searchStructByName, searchStructByNameInAllUnits } from './name-search.js';

export { parseSelector } from '../selector.js';

export type { StructMember, StructType } from './types.js';
export { DEFAULT_MAX_SECTION_BYTES } from './sections.js';

/** DW_AT_producer of the units Go's toolchain writes: "Go cmd/compile go1.22.12; regabi". */
const GO_LINKER_PRODUCER = 'Go cmd/compile ';

export interface FieldOffset {
  type: string;
  field: string;
  offset: number | null;
  size: number | null;
}

export interface DwarfOptions {
  /** Largest size any compressed section may inflate to (default 1 GiB). */
  maxSectionBytes?: number;
}

/**
 * Struct layouts from a binary's DWARF. Opening reads only the unit headers;
 * a lookup skims units (skipping DIEs by their abbreviation's size) until it
 * finds the type, starting with the `runtime` unit, where Go's linker puts
 * every type DIE; structs() decodes everything once.
 */
export class Dwarf {
  private readonly types: TypeResolver;
  /** Struct name → DIE offset, for the units skimmed so far. */
  private readonly index = new Map<string, number>();
  private readonly skimmed = new Set<Unit>();
  /** Units that a lookup has looked into, by a byte search or a walk. */
  private readonly searched = new Set<Unit>();
  private readonly built = new Map<number, StructType>();
  private searchOrder?: Unit[];
  /** typeUnit()'s answer once found (undefined: none), null before. */
  private typeUnitFound: Unit | undefined | null = null;
  private otherOrder?: Unit[];
  private readonly goUnits = new Map<Unit, boolean>();

  private constructor(readonly data: DwarfData) {
    this.types = new TypeResolver(data);
  }

  static hasDwarf(elf: ElfFile): boolean {
    return hasDwarf(elf);
  }

  static fromElf(elf: ElfFile, options: DwarfOptions = {}): Dwarf {
    if (!Dwarf.hasDwarf(elf)) {
      throw new GobinError('ERR_NO_DWARF', `${elf.name}: no DWARF (.debug_info): built with -ldflags=-w or stripped`);
    }
    return new Dwarf(new DwarfData(new ElfSections(elf, options.maxSectionBytes ?? DEFAULT_MAX_SECTION_BYTES)));
  }

  /** From raw, already inflated sections (`info` and `abbrev` at least). */
  static fromSections(sections: SectionMap): Dwarf {
    return new Dwarf(new DwarfData(new MapSections(sections)));
  }

  /** Pointer size of the target, from the compile units' address size. */
  get pointerSize(): number {
    const u = this.data.units[0];
    if (!u) throw new GobinError('ERR_DWARF_MALFORMED', '.debug_info has no units', { section: '.debug_info', offset: 0 });
    return u.addrSize;
  }

  /** Every DW_TAG_structure_type of every unit that may hold types, in DIE order, members included. */
  structs(): StructType[] {
    const out: StructType[] = [];
    this.eachStruct((s) => out.push(s));
    return out;
  }

  /**
   * structs() one at a time: `visit` gets each struct once its members are
   * read, and nothing keeps it after that. A caller that prints the structs as
   * they come (`offsets dwarf --all`) holds a few at a time instead of every
   * one of them: V8's young generation then has little to copy when it is
   * collected, which it is a dozen times over a binary's thousands of structs.
   */
  eachStruct(visit: (s: StructType) => void): void {
    for (const u of this.data.units) {
      if (!this.mayHoldTypes(u)) continue;
      // The struct whose members are being read, and its depth; a DIE at that depth or above ends it.
      let open: StructType | undefined;
      let openDepth = -1;
      const close = (): void => {
        if (open) visit(open);
        open = undefined;
      };
      this.data.walk(
        u,
        u.dieStart,
        (tag, depth) => {
          if (open && depth <= openDepth) close();
          if (tag === DW_TAG.structure_type) return 'read';
          return open && depth === openDepth + 1 && tag === DW_TAG.member ? 'read' : 'skip';
        },
        (c, a, offset, depth) => {
          if (a.tag !== DW_TAG.structure_type) {
            open?.members.push(this.types.member(c, u, a, offset));
            return;
          }
          close();
          const e = this.data.decode(c, u, a, offset);
          // A struct a lookup has built already: the same object, its children only skipped.
          const built = this.built.get(offset);
          if (built) {
            visit(built);
            return;
          }
          open = this.types.head(e);
          openDepth = depth;
          this.remember(open.name, offset);
          if (!e.hasChildren) close();
        },
      );
      close();
      this.skimmed.add(u);
    }
  }

  /** The struct named `qualifiedName` (`net/http.Request`), or undefined. */
  findStruct(qualifiedName: string): StructType | undefined {
    const offset = this.locate(qualifiedName);
    if (offset === undefined) return undefined;
    let s = this.built.get(offset);
    if (!s) {
      s = this.types.structAt(offset);
      this.built.set(offset, s);
    }
    return s;
  }

  /** `net/http.Request.ctx` → its offset; offset null when the type or field does not exist. */
  field(selector: string): FieldOffset {
    const { type, field } = parseSelector(selector);
    const member: StructMember | undefined = this.findStruct(type)?.members.find((m) => m.name === field);
    return { type, field, offset: member?.offset ?? null, size: member ? member.size : null };
  }

  /**
   * What has been read so far: lookups should look into few units. `unitsSkimmed` counts the units a
   * lookup looked into (searched by bytes or walked) or structs() walked; `unitsWalked` those walked.
   */
  stats(): { units: number; runtimeUnits: number; unitsSkimmed: number; unitsWalked: number; structsBuilt: number } {
    const runtimeUnits = this.data.units.filter((u) => this.data.unitName(u) === 'runtime').length;
    const looked = new Set([...this.skimmed, ...this.searched]);
    return { units: this.data.units.length, runtimeUnits, unitsSkimmed: looked.size, unitsWalked: this.skimmed.size, structsBuilt: this.built.size };
  }

  private remember(name: string, offset: number): void {
    if (name && !this.index.has(name)) this.index.set(name, offset);
  }

  private locate(name: string): number | undefined {
    const known = this.index.get(name);
    if (known !== undefined) return known;
    // The unit that holds Go's types first, by a byte search of its bytes alone (name-search.ts).
    const types = this.typeUnit();
    const inTypes = types ? this.lookIn(types, name) : undefined;
    if (inTypes !== undefined) return inTypes;
    // One byte search of every unit, sure for a Go binary: a struct elsewhere, or none at all.
    const everywhere = searchStructByNameInAllUnits(this.data, name);
    if (everywhere === 'none') return undefined;
    if (everywhere !== 'unsure') {
      this.searched.add(this.data.unitAt(everywhere));
      this.remember(name, everywhere);
      return everywhere;
    }
    for (const u of this.order()) {
      const found = this.lookIn(u, name);
      if (found !== undefined) return found;
    }
    for (const u of this.otherUnits()) {
      const found = this.lookIn(u, name);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** The struct named `name` in unit `u`, if it holds one and has not been walked already. */
  private lookIn(u: Unit, name: string): number | undefined {
    if (this.skimmed.has(u)) return undefined;
    // A byte search for the name first (name-search.ts); the unit's walk when it cannot be sure.
    const searched = searchStructByName(this.data, u, name);
    this.searched.add(u);
    if (searched === 'none') return undefined;
    if (searched !== 'unsure') {
      this.remember(name, searched);
      return searched;
    }
    this.skim(u);
    return this.index.get(name);
  }

  /**
   * The units that may hold a struct, for a lookup: Go's runtime unit that
   * holds the types (typeUnit), or when it cannot be told every runtime unit,
   * last first; then the other units that may hold types (otherUnits). Each
   * unit is skimmed at most once.
   */
  private order(): Unit[] {
    if (!this.searchOrder) {
      const types = this.typeUnit();
      this.searchOrder = types ? [types] : this.data.units.filter((u) => this.data.unitName(u) === 'runtime').reverse();
    }
    return this.searchOrder;
  }

  /** The units after order()'s, found only when a lookup gets that far: it reads every unit's producer. */
  private otherUnits(): Unit[] {
    this.otherOrder ??= this.data.units.filter((u) => this.data.unitName(u) !== 'runtime' && this.mayHoldTypes(u));
    return this.otherOrder;
  }

  /**
   * Whether a unit may hold type DIEs. Go's linker writes every type DIE into
   * one unit of package runtime (movetomodule in cmd/link, Go 1.15 to 1.27 at
   * least: the DWARF oracle's tests check it on every probe). The unit it
   * writes for any other package, and runtime's other units, hold only code:
   * functions, variables and constants, nine DIEs in ten of a Go binary. Units
   * that another producer wrote (C through cgo, gccgo) may hold types
   * anywhere, and so may a unit that names no producer.
   */
  private mayHoldTypes(u: Unit): boolean {
    if (!this.writtenByGo(u)) return true;
    if (this.data.unitName(u) !== 'runtime') return false;
    const types = this.typeUnit();
    return types === undefined || types === u;
  }

  /** Whether Go's toolchain wrote the unit (its DW_AT_producer), as against cgo's C compiler or another. */
  private writtenByGo(u: Unit): boolean {
    let go = this.goUnits.get(u);
    if (go === undefined) {
      go = this.data.rootString(u, DW_AT.producer).startsWith(GO_LINKER_PRODUCER);
      this.goUnits.set(u, go);
    }
    return go;
  }

  /**
   * The runtime unit Go's linker wrote the types into. It is not always the
   * last runtime unit in the section (Go 1.27 puts runtime code after it), so
   * it is found from a use: the type of the first parameter or variable of a
   * unit of Go code, which points into it. Undefined when no such reference
   * leads to a runtime unit: then every runtime unit is read.
   */
  private typeUnit(): Unit | undefined {
    if (this.typeUnitFound !== null) return this.typeUnitFound;
    this.typeUnitFound = undefined;
    for (const u of this.data.units) {
      if (this.data.unitName(u) === 'runtime' || !this.writtenByGo(u)) continue;
      let ref: AttrValue | undefined;
      this.data.walk(
        u,
        u.dieStart,
        (tag) => (ref !== undefined ? 'stop' : tag === DW_TAG.formal_parameter || tag === DW_TAG.variable ? 'read' : 'skip'),
        (c, a, offset) => {
          ref = this.data.decode(c, u, a, offset).attrs.get(DW_AT.type);
        },
      );
      if (ref === undefined) continue;
      const target = ref instanceof DieRef ? this.data.unitOfDie(ref.offset) : undefined;
      if (target && this.data.unitName(target) === 'runtime') this.typeUnitFound = target;
      break;
    }
    return this.typeUnitFound;
  }

  /** Records every struct name of a unit, decoding only their names (and jumping over subtrees that carry DW_AT_sibling). */
  private skim(u: Unit): void {
    const structs: number[] = [];
    this.data.walk(
      u,
      u.dieStart,
      (tag, _depth, offset) => {
        if (tag === DW_TAG.structure_type) structs.push(offset);
        return 'skip-children';
      },
      () => {
        throw new Error('unreachable: skim reads no DIE');
      },
    );
    // An indexed loop: V8 may still be interpreting this, and then for-of makes an object per step.
    for (let i = 0; i < structs.length; i++) {
      const name = this.data.attribute(u, structs[i], DW_AT.name);
      if (typeof name === 'string') this.remember(name, structs[i]);
    }
    this.skimmed.add(u);
  }
}
