import { Cursor, indexOfByte } from '../cursor.js';
import { GobinError } from '../errors.js';
import { parseAbbrevTable, SKIP, skipOp, type Abbrev, type AttrSpec } from './abbrev.js';
import { DW_AT, DW_FORM, DW_UT } from './constants.js';
import type { SectionSource } from './sections.js';
import { readUnitHeaders, type Unit } from './unit.js';

/** A reference to a DIE, as an offset in .debug_info. */
export class DieRef {
  constructor(readonly offset: number) {}
}
/** DW_FORM_ref_sig8: a type unit's signature. */
export class SigRef {
  constructor(readonly signature: bigint) {}
}
/** A value this reader does not follow: supplementary (dwz) files, or an index read before its base is known. */
export class Opaque {
  constructor(
    readonly form: number,
    readonly value: number,
  ) {}
}

export type AttrValue = number | bigint | string | boolean | Uint8Array | DieRef | SigRef | Opaque;

/**
 * A DIE's attribute values, in its abbreviation's order. A DIE has a handful:
 * looking one up by a scan beats a hash table, and costs one array per DIE.
 */
export class Attributes {
  constructor(
    private readonly specs: readonly AttrSpec[],
    private readonly values: readonly AttrValue[],
  ) {}

  /** The value of attribute `at` (the last one, should the abbreviation list it twice), or undefined. */
  get(at: number): AttrValue | undefined {
    for (let i = this.specs.length - 1; i >= 0; i--) if (this.specs[i].at === at) return this.values[i];
    return undefined;
  }
}

export interface Entry {
  offset: number;
  tag: number;
  hasChildren: boolean;
  attrs: Attributes;
  /** Offset just past this DIE's attributes: its first child, or its next sibling. */
  end: number;
}

/** Bound on DW_FORM_indirect chains (each link names another form). */
const MAX_INDIRECT = 4;

/**
 * The layer under the type reader, after debug/dwarf's buf.go + entry.go:
 * unit headers, abbreviation tables, attribute forms and DIEs. Everything is
 * decoded on demand and cached by offset.
 */
export class DwarfData {
  readonly info: Uint8Array;
  readonly units: Unit[];
  private readonly abbrevCache = new Map<number, Map<number, Abbrev>>();
  private signatures?: Map<bigint, number>;

  constructor(readonly sections: SectionSource) {
    const info = sections.get('info');
    if (!info) throw new GobinError('ERR_NO_DWARF', 'no .debug_info section');
    this.info = info;
    this.units = readUnitHeaders(info);
  }

  /** The unit containing `offset`, by binary search over unit starts. */
  unitAt(offset: number): Unit {
    const u = this.unitOfDie(offset);
    if (!u) throw new GobinError('ERR_DWARF_MALFORMED', `DIE reference 0x${offset.toString(16)} is not inside any unit's DIEs`, { section: '.debug_info', offset });
    return u;
  }

  /** The unit whose DIEs span `offset`, or undefined (a unit header, or outside every unit). */
  unitOfDie(offset: number): Unit | undefined {
    const units = this.units;
    let lo = 0;
    let hi = units.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const u = units[mid];
      if (offset < u.offset) hi = mid - 1;
      else if (offset >= u.end) lo = mid + 1;
      else return offset >= u.dieStart ? u : undefined;
    }
    return undefined;
  }

  abbrevs(u: Unit): Map<number, Abbrev> {
    if (u.abbrevs) return u.abbrevs;
    // What a parsed table depends on: its offset, and the unit's version and sizes (the skip codes, abbrev.ts).
    const key = u.abbrevOffset * 64 + u.version * 4 + (u.addrSize === 8 ? 2 : 0) + (u.offsetSize === 8 ? 1 : 0);
    let table = this.abbrevCache.get(key);
    if (!table) {
      const section = this.sections.get('abbrev');
      if (!section) throw new GobinError('ERR_DWARF_MALFORMED', 'no .debug_abbrev section', { section: '.debug_info', offset: u.offset });
      if (u.abbrevOffset >= section.length) {
        throw new GobinError('ERR_DWARF_MALFORMED', `unit at 0x${u.offset.toString(16)}: abbreviation offset 0x${u.abbrevOffset.toString(16)} is outside .debug_abbrev (${section.length} bytes)`, { section: '.debug_info', offset: u.offset });
      }
      table = parseAbbrevTable(section, u.abbrevOffset, u);
      this.abbrevCache.set(key, table);
    }
    u.abbrevs = table;
    return table;
  }

  /** The root DIE's facts that other DIEs' forms depend on: the DWARF 5 string and address bases. */
  root(u: Unit): NonNullable<Unit['root']> {
    if (u.root) return u.root;
    const base = (at: number, dflt: number): number => {
      const v = this.attribute(u, u.dieStart, at);
      return typeof v === 'number' ? v : dflt;
    };
    // DWARF 5 §7.26/§7.27: the bases point just past the 8-byte (32-bit format) contribution header.
    const header = u.offsetSize === 8 ? 16 : 8;
    u.root = { strOffsetsBase: base(DW_AT.str_offsets_base, header), addrBase: base(DW_AT.addr_base, header) };
    return u.root;
  }

  /** The unit's name (its root DIE's DW_AT_name: a Go package path, a C file), '' when it has none. */
  unitName(u: Unit): string {
    u.name ??= this.rootString(u, DW_AT.name);
    return u.name;
  }

  /** A string attribute of the unit's root DIE (DW_AT_name, DW_AT_producer), '' when it has none. */
  rootString(u: Unit, at: number): string {
    // Indexed forms are left unresolved until the bases are known: DW_AT_str_offsets_base may come after DW_AT_name (strx).
    const v = this.attribute(u, u.dieStart, at, true);
    return v instanceof Opaque ? String(this.resolveIndexed(u, v, u.dieStart)) : typeof v === 'string' ? v : '';
  }

  private abbrevAt(u: Unit, c: Cursor, at: number): Abbrev | undefined {
    // Most codes fit in one byte.
    const first = c.off < c.data.length ? c.data[c.off] : 0x80;
    const code = first < 0x80 ? (c.off++, first) : c.uleb128();
    if (code === 0) return undefined;
    const a = this.abbrevs(u).get(code);
    if (!a) c.fail('ERR_DWARF_MALFORMED', `DIE uses abbreviation code ${code}, which unit 0x${u.offset.toString(16)}'s table lacks`, at);
    return a;
  }

  /** Decodes the DIE at `offset` (undefined for a null entry, which ends a sibling list). */
  entry(u: Unit, offset: number, deferIndexed = false): Entry | undefined {
    return this.atDie(u, offset, this.readEntry, 0, deferIndexed);
  }

  /**
   * The value of attribute `at` of the DIE at `offset` (undefined when the DIE
   * has none, or is a null entry): the attributes before it are skipped and no
   * other is decoded. For a caller that wants one attribute of many DIEs (the
   * names of a unit's structs), without a whole Entry for each.
   */
  attribute(u: Unit, offset: number, at: number, deferIndexed = false): AttrValue | undefined {
    return this.atDie(u, offset, this.readAttribute, at, deferIndexed);
  }

  /**
   * Reads the DIE at `offset` with `read` (a method: no closure to make for each
   * DIE), given a cursor just past the DIE's abbreviation code; undefined for a
   * null entry. One cursor per unit serves every read, and is put back where it
   * was after each: a nested read (the root DIE read for a string base, below
   * form()) leaves the outer one where it was.
   */
  private atDie<T>(u: Unit, offset: number, read: (c: Cursor, u: Unit, a: Abbrev, offset: number, at: number, deferIndexed: boolean) => T, at: number, deferIndexed: boolean): T | undefined {
    if (offset < u.dieStart || offset >= u.end) {
      throw new GobinError('ERR_DWARF_MALFORMED', `DIE offset 0x${offset.toString(16)} is outside unit 0x${u.offset.toString(16)}`, { section: '.debug_info', offset });
    }
    const c = (u.cursor ??= new Cursor(this.info.subarray(0, u.end), '.debug_info'));
    const resume = c.off;
    try {
      c.off = offset;
      const a = this.abbrevAt(u, c, offset);
      return a ? read.call(this, c, u, a, offset, at, deferIndexed) : undefined;
    } finally {
      c.off = resume;
    }
  }

  private readEntry(c: Cursor, u: Unit, a: Abbrev, offset: number, _at: number, deferIndexed: boolean): Entry {
    return this.decode(c, u, a, offset, deferIndexed);
  }

  /** The DIE at `offset` whose abbreviation is `a`, from a cursor at its attributes (walk's `read`), which it reads past. */
  decode(c: Cursor, u: Unit, a: Abbrev, offset: number, deferIndexed = false): Entry {
    return { offset, tag: a.tag, hasChildren: a.hasChildren, attrs: this.attributes(c, u, a, deferIndexed), end: c.off };
  }

  private readAttribute(c: Cursor, u: Unit, a: Abbrev, _offset: number, at: number, deferIndexed: boolean): AttrValue | undefined {
    // The last one, as Attributes.get, should the abbreviation list it twice.
    let i = a.attrs.length - 1;
    while (i >= 0 && a.attrs[i].at !== at) i--;
    if (i < 0) return undefined;
    this.skipAttributes(c, u, a, i);
    return this.form(c, u, a.attrs[i].form, a.attrs[i].implicitConst, deferIndexed);
  }

  private attributes(c: Cursor, u: Unit, a: Abbrev, deferIndexed: boolean): Attributes {
    const values = new Array<AttrValue>(a.attrs.length);
    for (let i = 0; i < a.attrs.length; i++) {
      const spec = a.attrs[i];
      values[i] = this.form(c, u, spec.form, spec.implicitConst, deferIndexed);
    }
    return new Attributes(a.attrs, values);
  }

  /**
   * Walks the DIEs of [from, unit end) in order, calling `visit` with each
   * abbreviation and depth. For 'read', `read` gets a cursor at the DIE's
   * attributes and must read past them (decode() makes an Entry of them; a
   * caller that wants a few values reads them with form(), making nothing
   * else). Otherwise the attributes are skipped by size, and a DIE with
   * DW_AT_sibling whose children `visit` does not want is jumped over.
   */
  walk(
    u: Unit,
    from: number,
    visit: (tag: number, depth: number, offset: number) => 'read' | 'skip' | 'skip-children' | 'stop',
    read: (c: Cursor, a: Abbrev, offset: number, depth: number) => void,
  ): void {
    const c = new Cursor(this.info.subarray(0, u.end), '.debug_info', from);
    let depth = 0;
    while (c.off < u.end) {
      const at = c.off;
      const a = this.abbrevAt(u, c, at);
      if (!a) {
        depth--;
        if (depth < 0) return;
        continue;
      }
      const what = visit(a.tag, depth, at);
      if (what === 'stop') return;
      if (what === 'read') {
        read(c, a, at, depth);
      } else if (what === 'skip-children' && a.hasChildren && a.siblingIndex >= 0) {
        let sibling: AttrValue | undefined;
        for (let i = 0; i < a.attrs.length; i++) {
          const spec = a.attrs[i];
          if (i === a.siblingIndex) sibling = this.form(c, u, spec.form, spec.implicitConst, false);
          else this.skipForm(c, u, spec.form);
        }
        if (sibling instanceof DieRef && sibling.offset > at && sibling.offset <= u.end) {
          c.seek(sibling.offset);
          continue;
        }
      } else {
        this.skipAttributes(c, u, a);
      }
      if (a.hasChildren) depth++;
    }
  }

  /**
   * Skips the attribute values of a DIE (its first `count`): most DIEs of a unit are read only to
   * be skipped, so this is the reader's inner loop. It goes by the skip codes
   * of the abbreviation (abbrev.ts), and takes skipForm's general path for the
   * other forms and for anything out of the ordinary (a value running past the
   * unit, an overlong LEB128), which reports what is wrong.
   */
  private skipAttributes(c: Cursor, u: Unit, a: Abbrev, count = a.attrs.length): void {
    if (a.fixedSize >= 0 && count === a.attrs.length) return c.skip(a.fixedSize);
    const data = c.data;
    const end = data.length;
    const ops = a.skip;
    let off = c.off;
    for (let i = 0; i < count; i++) {
      const op = ops[i];
      const start = off;
      if (op >= 0) {
        off += op;
      } else if (op === SKIP.string) {
        while (off < end && data[off] !== 0) off++;
        off++;
      } else if (op === SKIP.leb128) {
        while (off < end && data[off] & 0x80) off++;
        off++;
        if (off - start > 10) off = end + 1;
      } else if (op === SKIP.lebBlock) {
        c.off = off;
        const length = c.uleb128();
        off = c.off + length;
      } else if (op === SKIP.block1) {
        off += off < end ? data[off] + 1 : 1;
      } else {
        off = end + 1;
      }
      if (off > end) {
        c.off = start;
        this.skipForm(c, u, a.attrs[i].form);
        off = c.off;
      }
    }
    c.off = off;
  }

  private skipForm(c: Cursor, u: Unit, form: number, indirections = 0): void {
    // The skip code says how big a value is (abbrev.ts); the forms it leaves to this path are below.
    const op = skipOp(form, u);
    if (op >= 0) return c.skip(op);
    switch (op) {
      case SKIP.string: {
        const end = indexOfByte(c.data, 0, c.off);
        if (end < 0) c.fail('ERR_TRUNCATED', 'unterminated DW_FORM_string');
        c.off = end + 1;
        return;
      }
      case SKIP.leb128:
        return skipLeb128(c);
      case SKIP.lebBlock:
        return c.skip(c.uleb128());
      case SKIP.block1:
        return c.skip(c.u8());
    }
    switch (form) {
      case DW_FORM.block2:
        return c.skip(c.u16());
      case DW_FORM.block4:
        return c.skip(c.u32());
      case DW_FORM.indirect:
        if (indirections >= MAX_INDIRECT) c.fail('ERR_DWARF_MALFORMED', 'DW_FORM_indirect chain too long');
        return this.skipForm(c, u, c.uleb128(), indirections + 1);
    }
    c.fail('ERR_DWARF_UNSUPPORTED', `unknown attribute form 0x${form.toString(16)}`);
  }

  /** Decodes one attribute value of `form` (DWARF 5 §7.5.6). */
  form(c: Cursor, u: Unit, form: number, implicitConst: number, deferIndexed: boolean, indirections = 0): AttrValue {
    switch (form) {
      case DW_FORM.addr:
        return u.addrSize === 8 ? u64(c) : c.u32();
      case DW_FORM.data1:
      case DW_FORM.flag:
        return form === DW_FORM.flag ? c.u8() !== 0 : c.u8();
      case DW_FORM.data2:
        return c.u16();
      case DW_FORM.data4:
        return c.u32();
      case DW_FORM.data8:
        return u64(c);
      case DW_FORM.data16:
        return c.bytes(16);
      case DW_FORM.sdata:
        return leb128(c, true);
      case DW_FORM.udata:
        return leb128(c, false);
      case DW_FORM.implicit_const:
        return implicitConst;
      case DW_FORM.flag_present:
        return true;
      case DW_FORM.string:
        return c.cstring();
      case DW_FORM.block1:
        return c.bytes(c.u8());
      case DW_FORM.block2:
        return c.bytes(c.u16());
      case DW_FORM.block4:
        return c.bytes(c.u32());
      case DW_FORM.block:
      case DW_FORM.exprloc:
        return c.bytes(c.uleb128());
      case DW_FORM.ref1:
        return new DieRef(u.offset + c.u8());
      case DW_FORM.ref2:
        return new DieRef(u.offset + c.u16());
      case DW_FORM.ref4:
        return new DieRef(u.offset + c.u32());
      case DW_FORM.ref8:
        return new DieRef(u.offset + u64(c, true));
      case DW_FORM.ref_udata:
        return new DieRef(u.offset + c.uleb128());
      case DW_FORM.ref_addr:
        return new DieRef(u64(c, true, u.version <= 2 ? u.addrSize : u.offsetSize));
      case DW_FORM.ref_sig8:
        return new SigRef(c.u64big());
      case DW_FORM.sec_offset:
        return u64(c, true, u.offsetSize);
      case DW_FORM.strp:
        return this.string('str', u64(c, true, u.offsetSize), c);
      case DW_FORM.line_strp:
        return this.string('line_str', u64(c, true, u.offsetSize), c);
      case DW_FORM.strx:
      case DW_FORM.GNU_str_index:
        return this.indexed(u, DW_FORM.strx, c.uleb128(), deferIndexed, c);
      case DW_FORM.strx1:
        return this.indexed(u, DW_FORM.strx, c.u8(), deferIndexed, c);
      case DW_FORM.strx2:
        return this.indexed(u, DW_FORM.strx, c.u16(), deferIndexed, c);
      case DW_FORM.strx3:
        return this.indexed(u, DW_FORM.strx, u24(c), deferIndexed, c);
      case DW_FORM.strx4:
        return this.indexed(u, DW_FORM.strx, c.u32(), deferIndexed, c);
      case DW_FORM.addrx:
      case DW_FORM.GNU_addr_index:
        return this.indexed(u, DW_FORM.addrx, c.uleb128(), deferIndexed, c);
      case DW_FORM.addrx1:
        return this.indexed(u, DW_FORM.addrx, c.u8(), deferIndexed, c);
      case DW_FORM.addrx2:
        return this.indexed(u, DW_FORM.addrx, c.u16(), deferIndexed, c);
      case DW_FORM.addrx3:
        return this.indexed(u, DW_FORM.addrx, u24(c), deferIndexed, c);
      case DW_FORM.addrx4:
        return this.indexed(u, DW_FORM.addrx, c.u32(), deferIndexed, c);
      // Indexes into .debug_loclists / .debug_rnglists: kept as the index; nothing here reads those lists.
      case DW_FORM.loclistx:
      case DW_FORM.rnglistx:
        return new Opaque(form, c.uleb128());
      // Supplementary object files (DWARF 5 sup, GNU dwz): not followed.
      case DW_FORM.ref_sup4:
        return new Opaque(form, c.u32());
      case DW_FORM.ref_sup8:
        return new Opaque(form, u64(c, true));
      case DW_FORM.strp_sup:
      case DW_FORM.GNU_ref_alt:
      case DW_FORM.GNU_strp_alt:
        return new Opaque(form, u64(c, true, u.offsetSize));
      case DW_FORM.indirect: {
        if (indirections >= MAX_INDIRECT) c.fail('ERR_DWARF_MALFORMED', 'DW_FORM_indirect chain too long');
        const actual = c.uleb128();
        return this.form(c, u, actual, actual === DW_FORM.implicit_const ? c.sleb128() : implicitConst, deferIndexed, indirections + 1);
      }
      default:
        return c.fail('ERR_DWARF_UNSUPPORTED', `unknown attribute form 0x${form.toString(16)}`);
    }
  }

  private indexed(u: Unit, form: number, index: number, deferIndexed: boolean, c: Cursor): AttrValue {
    if (deferIndexed) return new Opaque(form, index);
    return this.resolveIndexed(u, new Opaque(form, index), c.off);
  }

  /** DW_FORM_strx* through .debug_str_offsets, DW_FORM_addrx* through .debug_addr. */
  resolveIndexed(u: Unit, v: Opaque, at: number): string | number {
    const root = this.root(u);
    const isStr = v.form === DW_FORM.strx;
    const section = isStr ? 'str_offsets' : 'addr';
    const data = this.sections.get(section);
    const size = isStr ? u.offsetSize : u.addrSize;
    const base = isStr ? root.strOffsetsBase : root.addrBase;
    const pos = base + v.value * size;
    if (!data || pos + size > data.length) {
      throw new GobinError('ERR_DWARF_MALFORMED', `index ${v.value} is outside .debug_${section} (base 0x${base.toString(16)}, ${data?.length ?? 0} bytes)`, { section: '.debug_info', offset: at });
    }
    const c = new Cursor(data, `.debug_${section}`, pos);
    const value = u64(c, true, size);
    return isStr ? this.string('str', value, c) : value;
  }

  private string(section: 'str' | 'line_str', offset: number, from: Cursor): string {
    const data = this.sections.get(section);
    if (!data || offset >= data.length) {
      from.fail('ERR_DWARF_MALFORMED', `string offset 0x${offset.toString(16)} is outside .debug_${section} (${data?.length ?? 0} bytes)`, from.off);
    }
    return new Cursor(data, `.debug_${section}`, offset).cstring();
  }

  /** The DIE offset of the type unit with this signature (DWARF 5 type units in .debug_info). */
  signature(sig: bigint): number | undefined {
    if (!this.signatures) {
      this.signatures = new Map();
      for (const u of this.units) {
        if ((u.unitType === DW_UT.type || u.unitType === DW_UT.split_type) && u.typeSignature !== undefined && u.typeDie !== undefined) {
          this.signatures.set(u.typeSignature, u.typeDie);
        }
      }
    }
    return this.signatures.get(sig);
  }
}

function skipLeb128(c: Cursor): void {
  for (let i = 0; c.u8() & 0x80; i++) if (i >= 9) c.fail('ERR_DWARF_MALFORMED', 'LEB128 value longer than 10 bytes');
}

/** A LEB128 constant: a number when it fits in 2^53, else a bigint (Go writes 64-bit constants this way). */
function leb128(c: Cursor, signed: boolean): number | bigint {
  // Most values take a few bytes: up to 7 (49 bits), plain arithmetic is exact.
  const data = c.data;
  let end = c.off;
  while (end < data.length && end - c.off < 7 && data[end] & 0x80) end++;
  if (end < data.length && end - c.off < 7) {
    let value = 0;
    let mul = 1;
    for (let i = c.off; i <= end; i++, mul *= 128) value += (data[i] & 0x7f) * mul;
    if (signed && data[end] & 0x40) value -= mul;
    c.off = end + 1;
    return value;
  }
  return leb128Big(c, signed);
}

/** leb128 for long values, exactly, through bigint. */
function leb128Big(c: Cursor, signed: boolean): number | bigint {
  const at = c.off;
  let result = 0n;
  let shift = 0n;
  let b = 0;
  for (let i = 0; ; i++) {
    if (i >= 10) c.fail('ERR_DWARF_MALFORMED', 'LEB128 value longer than 10 bytes', at);
    b = c.u8();
    result |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if ((b & 0x80) === 0) break;
  }
  if (signed && b & 0x40) result -= 1n << shift;
  return result >= BigInt(Number.MIN_SAFE_INTEGER) && result <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(result) : result;
}

function u24(c: Cursor): number {
  const lo = c.u16();
  return lo | (c.u8() << 16);
}

/**
 * An 8-byte (or `size`-byte) unsigned value. Constants past 2^53 stay bigint;
 * offsets past 2^53 (`asOffset`) cannot be real and are reported.
 */
function u64(c: Cursor, asOffset: true, size?: number): number;
function u64(c: Cursor): number | bigint;
function u64(c: Cursor, asOffset = false, size = 8): number | bigint {
  if (size !== 8) return c.uint(size);
  c.need(8);
  // Below 2^53 (addresses, offsets, most constants), as a number without making a bigint.
  const hi = c.view.getUint32(c.off + 4, true);
  if (hi <= 0x1fffff) {
    const lo = c.view.getUint32(c.off, true);
    c.off += 8;
    return hi * 0x1_0000_0000 + lo;
  }
  const at = c.off;
  const v = c.u64big();
  if (asOffset) c.fail('ERR_DWARF_MALFORMED', `offset 0x${v.toString(16)} is out of range`, at);
  return v;
}
