// API stub: the DWARF engineer replaces this file with the real reader; keep these exports.
import type { ElfFile } from '../elf.js';
import { GobinError } from '../errors.js';

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
  size: number;
  members: StructMember[];
}

export interface FieldOffset {
  type: string;
  field: string;
  offset: number | null;
  size: number | null;
}

export class Dwarf {
  static hasDwarf(elf: ElfFile): boolean {
    return elf.section('.debug_info') !== undefined || elf.section('.zdebug_info') !== undefined;
  }
  static fromElf(elf: ElfFile): Dwarf {
    throw new GobinError('ERR_NO_DWARF', `${elf.name}: DWARF reader not implemented yet`);
  }
  /** Pointer size of the target, from the compile units' address size. */
  get pointerSize(): number {
    throw new Error('not implemented');
  }
  structs(): StructType[] {
    throw new Error('not implemented');
  }
  findStruct(_qualifiedName: string): StructType | undefined {
    throw new Error('not implemented');
  }
  /** `net/http.Request.ctx` → its offset; offset null when the type or field does not exist. */
  field(_selector: string): FieldOffset {
    throw new Error('not implemented');
  }
}
