import { Cursor } from '../cursor.js';
import { GobinError } from '../errors.js';
import { DW_FORM } from './constants.js';

export interface AttrSpec {
  at: number;
  form: number;
  /** DW_FORM_implicit_const: the value lives in the abbreviation, not the DIE. */
  implicitConst: number;
}

export interface Abbrev {
  code: number;
  tag: number;
  hasChildren: boolean;
  attrs: AttrSpec[];
  /** Bytes every DIE of this abbreviation takes after its code, or -1 when a form has a variable size. */
  fixedSize: number;
  /** Index in `attrs` of DW_AT_sibling, or -1. */
  siblingIndex: number;
  /** How to skip each attribute's value: see skipOp. */
  skip: Int8Array;
}

/**
 * How the reader skips a value of a form without decoding it, so that the DIEs
 * nobody asked for cost as little as possible: a fixed size in bytes (0-16),
 * or one of the codes below for the forms whose size is in the data.
 */
export const enum SKIP {
  /** NUL-terminated (DW_FORM_string). */
  string = -1,
  /** LEB128 (udata, sdata, ref_udata, strx, addrx, loclistx, rnglistx). */
  leb128 = -2,
  /** A ULEB128 length, then that many bytes (block, exprloc). */
  lebBlock = -3,
  /** A 1-byte length, then that many bytes (block1). */
  block1 = -4,
  /** Anything else (block2, block4, indirect, an unknown form): the reader's general path. */
  other = -5,
}

/** The skip code of `form` in a unit of this shape (SKIP). */
export function skipOp(form: number, u: UnitShape): number {
  const size = fixedFormSize(form, u);
  if (size >= 0) return size;
  switch (form) {
    case DW_FORM.string:
      return SKIP.string;
    case DW_FORM.sdata:
    case DW_FORM.udata:
    case DW_FORM.ref_udata:
    case DW_FORM.strx:
    case DW_FORM.addrx:
    case DW_FORM.loclistx:
    case DW_FORM.rnglistx:
    case DW_FORM.GNU_addr_index:
    case DW_FORM.GNU_str_index:
      return SKIP.leb128;
    case DW_FORM.block:
    case DW_FORM.exprloc:
      return SKIP.lebBlock;
    case DW_FORM.block1:
      return SKIP.block1;
    default:
      return SKIP.other;
  }
}

export interface UnitShape {
  version: number;
  addrSize: number;
  offsetSize: number;
}

/** Bytes a form takes in a unit of this shape, or -1 when it varies with the value. */
export function fixedFormSize(form: number, u: UnitShape): number {
  switch (form) {
    case DW_FORM.flag_present:
    case DW_FORM.implicit_const:
      return 0;
    case DW_FORM.data1:
    case DW_FORM.ref1:
    case DW_FORM.flag:
    case DW_FORM.strx1:
    case DW_FORM.addrx1:
      return 1;
    case DW_FORM.data2:
    case DW_FORM.ref2:
    case DW_FORM.strx2:
    case DW_FORM.addrx2:
      return 2;
    case DW_FORM.strx3:
    case DW_FORM.addrx3:
      return 3;
    case DW_FORM.data4:
    case DW_FORM.ref4:
    case DW_FORM.strx4:
    case DW_FORM.addrx4:
    case DW_FORM.ref_sup4:
      return 4;
    case DW_FORM.data8:
    case DW_FORM.ref8:
    case DW_FORM.ref_sig8:
    case DW_FORM.ref_sup8:
      return 8;
    case DW_FORM.data16:
      return 16;
    case DW_FORM.addr:
      return u.addrSize;
    case DW_FORM.ref_addr:
      // DWARF 2 made DW_FORM_ref_addr address-sized; DWARF 3 made it offset-sized.
      return u.version <= 2 ? u.addrSize : u.offsetSize;
    case DW_FORM.strp:
    case DW_FORM.line_strp:
    case DW_FORM.sec_offset:
    case DW_FORM.strp_sup:
    case DW_FORM.GNU_ref_alt:
    case DW_FORM.GNU_strp_alt:
      return u.offsetSize;
    default:
      return -1;
  }
}

/**
 * Parses the abbreviation table at `offset` of .debug_abbrev. Every entry
 * consumes bytes and the loop stops at the section end, so a corrupt table
 * yields an error, never a hang.
 */
export function parseAbbrevTable(section: Uint8Array, offset: number, shape: UnitShape): Map<number, Abbrev> {
  const c = new Cursor(section, '.debug_abbrev', offset);
  const table = new Map<number, Abbrev>();
  for (;;) {
    const at = c.off;
    const code = c.uleb128();
    if (code === 0) break;
    const tag = c.uleb128();
    const children = c.u8();
    if (children > 1) c.fail('ERR_DWARF_MALFORMED', `abbreviation ${code}: DW_CHILDREN value ${children}`, c.off - 1);
    const attrs: AttrSpec[] = [];
    let fixedSize = 0;
    let siblingIndex = -1;
    for (;;) {
      const attr = c.uleb128();
      const form = c.uleb128();
      if (attr === 0 && form === 0) break;
      const implicitConst = form === DW_FORM.implicit_const ? c.sleb128() : 0;
      if (attr === 0x01) siblingIndex = attrs.length;
      attrs.push({ at: attr, form, implicitConst });
      const size = fixedFormSize(form, shape);
      fixedSize = size < 0 || fixedSize < 0 ? -1 : fixedSize + size;
    }
    if (table.has(code)) throw new GobinError('ERR_DWARF_MALFORMED', `abbreviation code ${code} defined twice`, { section: '.debug_abbrev', offset: at });
    table.set(code, { code, tag, hasChildren: children === 1, attrs, fixedSize, siblingIndex, skip: Int8Array.from(attrs, (a) => skipOp(a.form, shape)) });
  }
  return table;
}
