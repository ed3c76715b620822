import { Cursor } from '../cursor.js';
import { DW_UT } from './constants.js';
import type { Abbrev } from './abbrev.js';

/** One unit of .debug_info: its header, and what its root DIE says about string and address tables. */
export interface Unit {
  /** Offset of the unit header in .debug_info. */
  offset: number;
  /** Offset just past the unit. */
  end: number;
  /** Offset of the first DIE. */
  dieStart: number;
  version: number;
  unitType: number;
  addrSize: number;
  /** 4 for 32-bit DWARF, 8 for 64-bit DWARF. */
  offsetSize: number;
  abbrevOffset: number;
  /** DW_UT_type / split_type units: the signature DW_FORM_ref_sig8 refers to, and the type DIE's offset. */
  typeSignature?: bigint;
  typeDie?: number;
  abbrevs?: Map<number, Abbrev>;
  /** The cursor DwarfData.entry reads this unit's DIEs with (made on first use). */
  cursor?: Cursor;
  /** Set once the root DIE's DW_AT_str_offsets_base and DW_AT_addr_base have been read. */
  root?: { strOffsetsBase: number; addrBase: number };
  /** The root DIE's DW_AT_name, once read (DwarfData.unitName). */
  name?: string;
}

/**
 * Reads every unit header of .debug_info, jumping from one unit_length to the
 * next: cheap, and the index everything else starts from. Handles DWARF 2-5
 * headers and the 64-bit DWARF format (unit_length 0xffffffff + 8 bytes).
 */
export function readUnitHeaders(info: Uint8Array): Unit[] {
  const units: Unit[] = [];
  const c = new Cursor(info, '.debug_info');
  while (!c.atEnd()) {
    const offset = c.off;
    let length = c.u32();
    let offsetSize = 4;
    if (length === 0xffffffff) {
      offsetSize = 8;
      length = c.u64();
    } else if (length >= 0xfffffff0) {
      c.fail('ERR_DWARF_MALFORMED', `reserved unit length 0x${length.toString(16)}`, offset);
    }
    const bodyStart = c.off;
    if (length > c.remaining) c.fail('ERR_TRUNCATED', `unit length ${length} runs past the section end (${c.remaining} bytes left)`, offset);
    const end = bodyStart + length;
    const version = c.u16();
    if (version < 2 || version > 5) c.fail('ERR_DWARF_UNSUPPORTED', `DWARF version ${version}; supported: 2 to 5`, bodyStart);
    let unitType: number = DW_UT.compile;
    let addrSize: number;
    let abbrevOffset: number;
    let typeSignature: bigint | undefined;
    let typeDie: number | undefined;
    if (version >= 5) {
      unitType = c.u8();
      addrSize = c.u8();
      abbrevOffset = c.uint(offsetSize);
      if (unitType === DW_UT.skeleton || unitType === DW_UT.split_compile) c.skip(8); // dwo_id
      else if (unitType === DW_UT.type || unitType === DW_UT.split_type) {
        typeSignature = c.u64big();
        typeDie = offset + c.uint(offsetSize);
      } else if (unitType !== DW_UT.compile && unitType !== DW_UT.partial) {
        c.fail('ERR_DWARF_UNSUPPORTED', `unit type ${unitType}`, bodyStart + 2);
      }
    } else {
      abbrevOffset = c.uint(offsetSize);
      addrSize = c.u8();
    }
    if (addrSize !== 4 && addrSize !== 8) c.fail('ERR_DWARF_MALFORMED', `address size ${addrSize}`, offset);
    if (c.off > end) c.fail('ERR_TRUNCATED', 'unit header runs past the unit end', offset);
    // Every field, the lazy ones too: units that all have one shape keep the reader's code monomorphic.
    units.push({ offset, end, dieStart: c.off, version, unitType, addrSize, offsetSize, abbrevOffset, typeSignature, typeDie, abbrevs: undefined, cursor: undefined, root: undefined, name: undefined });
    c.seek(end);
  }
  return units;
}
