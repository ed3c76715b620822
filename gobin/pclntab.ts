import { isAscii } from 'node:buffer';
import type { ElfFile } from './elf.js';
import { PT_LOAD } from './elf.js';
import { Cursor } from './cursor.js';
import { GobinError } from './errors.js';

/** Header magics, one per pclntab layout (runtime/symtab.go, internal/abi/symtab.go). */
export const PCLNTAB_MAGICS = {
  0xfffffffb: '1.2', // Go 1.2-1.15: absolute entry PCs, names relative to the table
  0xfffffffa: '1.16', // Go 1.16-1.17: pcHeader with offsets to sub-tables
  0xfffffff0: '1.18', // Go 1.18-1.19: entries become 32-bit offsets from textStart
  0xfffffff1: '1.20', // Go 1.20+: same layout (funcID/flag changes only)
} as const;
export type PclntabLayout = (typeof PCLNTAB_MAGICS)[keyof typeof PCLNTAB_MAGICS];

export interface PclntabHeader {
  layout: PclntabLayout;
  magic: number;
  /** Instruction size quantum: 1 on amd64, 4 on arm64. */
  minLC: number;
  ptrSize: number;
  nfunc: number;
  /** Base of 1.18+ entry offsets as the header records it; 0 since Go 1.26 (see moduledata.ts). */
  textStart: number;
  /** Offset of the function-name table from the header (1.16+; 0 before: names are table-relative). */
  funcnameOffset: number;
  /** Offset of the compilation-unit table, which follows the name table (1.16+; 0 before). */
  cuOffset: number;
  /** Offset of the function table (functab followed by _func records) from the header. */
  pclnOffset: number;
}

/** The runtime.pclntab (pcHeader onwards) as it sits in the file. */
export interface PclntabLocation {
  data: Uint8Array;
  /** Virtual address of the header. */
  addr: number;
  /** `.gopclntab` or how it was found without one. */
  source: string;
}

export interface RawFunction {
  name: string;
  /** Entry as the table stores it: absolute before 1.18, an offset from the text start after. */
  entry: number;
  end: number;
}

/**
 * Parses the header. The checks are debug/gosym's (zero padding, quantum 1/2/4,
 * pointer size 4/8) plus: the sub-table offsets must lie inside the data.
 */
export function parseHeader(data: Uint8Array, where: string, base = 0): PclntabHeader {
  const c = new Cursor(data, where, 0, base);
  if (data.length < 16) c.fail('ERR_PCLNTAB_MALFORMED', `pclntab of ${data.length} bytes is shorter than its header`);
  const magic = c.u32();
  const layout = (PCLNTAB_MAGICS as Record<number, PclntabLayout>)[magic];
  if (!layout) c.fail('ERR_PCLNTAB_UNSUPPORTED', `unknown pclntab magic 0x${magic.toString(16)}`, 0);
  const pad1 = c.u8();
  const pad2 = c.u8();
  const minLC = c.u8();
  const ptrSize = c.u8();
  if (pad1 !== 0 || pad2 !== 0) c.fail('ERR_PCLNTAB_MALFORMED', 'pclntab header padding is not zero', 4);
  if (minLC !== 1 && minLC !== 2 && minLC !== 4) c.fail('ERR_PCLNTAB_MALFORMED', `pclntab instruction quantum ${minLC} is not 1, 2 or 4`, 6);
  if (ptrSize !== 8) c.fail('ERR_PCLNTAB_UNSUPPORTED', `pclntab pointer size ${ptrSize}: only 64-bit binaries are supported`, 7);
  const word = () => c.u64();
  const nfunc = word();
  let textStart = 0;
  let funcnameOffset = 0;
  let cuOffset = 0;
  let pclnOffset = 8 + ptrSize; // 1.2: functab follows nfunc
  if (layout !== '1.2') {
    word(); // nfiles
    if (layout === '1.18' || layout === '1.20') textStart = word();
    funcnameOffset = word();
    cuOffset = word();
    word(); // filetabOffset
    word(); // pctabOffset
    pclnOffset = word();
  }
  for (const [name, v] of [['funcnameOffset', funcnameOffset], ['pclnOffset', pclnOffset]] as const) {
    if (v >= data.length) c.fail('ERR_PCLNTAB_MALFORMED', `${name} 0x${v.toString(16)} lies outside the ${data.length}-byte pclntab`, 8);
  }
  // Each function needs at least an 8-byte functab entry; rejects absurd counts before allocating.
  if (nfunc === 0 || nfunc * 8 > data.length) c.fail('ERR_PCLNTAB_MALFORMED', `function count ${nfunc} does not fit the ${data.length}-byte pclntab`, 8);
  return { layout, magic, minLC, ptrSize, nfunc, textStart, funcnameOffset, cuOffset, pclnOffset };
}

/**
 * The function table in columns: `names[i]` is function i's name; `entries`
 * holds nfunc + 1 values as the table stores them (absolute before 1.18, offsets
 * from the text start after): function i spans [entries[i], entries[i + 1]).
 */
export interface FunctionColumns {
  names: string[];
  entries: Float64Array;
}

/**
 * Lists the functions: name, and entry/end as the table stores them. The
 * functab is nfunc (entry, funcoff) pairs plus a final entry, the end of the
 * last function; each funcoff points at a _func record whose second field is
 * the name offset.
 */
export function parseFunctions(data: Uint8Array, hdr: PclntabHeader, where: string, base = 0): RawFunction[] {
  const { names, entries } = readFunctionColumns(data, hdr, where, base);
  const out: RawFunction[] = new Array(names.length);
  for (let i = 0; i < names.length; i++) out[i] = { name: names[i], entry: entries[i], end: entries[i + 1] };
  return out;
}

/**
 * The same table as parseFunctions, in columns (no object per function). A
 * single pass reads the functab and _func records straight from a DataView and
 * cuts names out of one Latin-1 decoding of the (ASCII) name table; anything
 * unusual (a bound, order or agreement check failing, a name outside that
 * table, a 64-bit value past 2^53) hands over to the checked reader, which
 * accepts the same tables and reports the same errors.
 */
export function readFunctionColumns(data: Uint8Array, hdr: PclntabHeader, where: string, base = 0): FunctionColumns {
  return fastFunctionColumns(data, hdr) ?? checkedFunctionColumns(data, hdr, where, base);
}

/** Functab fields are pointer-sized before 1.18, 32-bit offsets after. */
function functabFieldSize(hdr: PclntabHeader): number {
  return hdr.layout === '1.2' || hdr.layout === '1.16' ? hdr.ptrSize : 4;
}

/** The single-pass reader; undefined when anything is unusual (exported for tests: it must not bail on real tables). */
export function fastFunctionColumns(data: Uint8Array, hdr: PclntabHeader): FunctionColumns | undefined {
  const n = hdr.nfunc;
  const len = data.length;
  const field = functabFieldSize(hdr);
  if (field !== 4 && field !== 8) return undefined;
  const ft = hdr.pclnOffset;
  if (ft + (2 * n + 1) * field > len) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  // funcoff is relative to the table start in 1.2, to the functab (pclnOffset) after.
  const funcBase = hdr.layout === '1.2' ? 0 : ft;
  const nameBase = hdr.funcnameOffset;
  // 1.16+: the name table is [funcnameOffset, cuOffset). Go names are ASCII in practice; then
  // one Latin-1 string maps bytes to characters one to one and each name is a slice of it.
  let region = '';
  let regionStart = 0;
  let regionEnd = 0;
  if (hdr.layout !== '1.2' && hdr.cuOffset > nameBase && hdr.cuOffset <= len && isAscii(data.subarray(nameBase, hdr.cuOffset))) {
    region = buf.toString('latin1', nameBase, hdr.cuOffset);
    regionStart = nameBase;
    regionEnd = hdr.cuOffset;
  }
  const wide = field === 8;
  const entries = new Float64Array(n + 1);
  const names: string[] = new Array(n);
  let entry = wide ? u64(view, ft) : view.getUint32(ft, true);
  if (entry < 0) return undefined;
  entries[0] = entry;
  for (let i = 0, p = ft + field; i < n; i++, p += 2 * field) {
    let funcoff: number;
    let next: number;
    let recEntry: number;
    if (wide) {
      funcoff = u64(view, p);
      next = u64(view, p + 8);
      if (funcoff < 0 || next < 0) return undefined;
    } else {
      funcoff = view.getUint32(p, true);
      next = view.getUint32(p + 4, true);
    }
    if (next < entry) return undefined;
    const rec = funcBase + funcoff;
    if (rec + field + 4 > len) return undefined;
    if (wide) recEntry = u64(view, rec);
    else recEntry = view.getUint32(rec, true);
    if (recEntry !== entry) return undefined;
    const at = nameBase + view.getInt32(rec + field, true);
    let name: string | undefined;
    if (at >= regionStart && at < regionEnd) {
      const nul = region.indexOf('\0', at - regionStart);
      if (nul >= 0) name = region.slice(at - regionStart, nul);
    }
    if (name === undefined) {
      if (at < 0 || at >= len) return undefined;
      const nul = data.indexOf(0, at);
      if (nul < 0) return undefined;
      name = buf.toString('utf8', at, nul);
    }
    names[i] = name;
    entries[i + 1] = next;
    entry = next;
  }
  return { names, entries };
}

/** A little-endian 64-bit value, or -1 when it exceeds 2^53 (the checked reader reports that). */
function u64(view: DataView, off: number): number {
  const hi = view.getUint32(off + 4, true);
  return hi > 0x1fffff ? -1 : hi * 0x1_0000_0000 + view.getUint32(off, true);
}

/** The bounds-checked reader: every failure names its offset (exported for tests: the reference for the fast one). */
export function checkedFunctionColumns(data: Uint8Array, hdr: PclntabHeader, where: string, base = 0): FunctionColumns {
  const field = functabFieldSize(hdr);
  const ft = new Cursor(data, where, hdr.pclnOffset, base);
  ft.need((2 * hdr.nfunc + 1) * field);
  const funcBase = hdr.layout === '1.2' ? 0 : hdr.pclnOffset;
  const names = hdr.funcnameOffset;
  const rec = new Cursor(data, where, 0, base);
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out: FunctionColumns = { names: new Array(hdr.nfunc), entries: new Float64Array(hdr.nfunc + 1) };
  let entry = ft.uint(field);
  out.entries[0] = entry;
  for (let i = 0; i < hdr.nfunc; i++) {
    const funcoff = ft.uint(field);
    const next = ft.uint(field);
    if (next < entry) ft.fail('ERR_PCLNTAB_MALFORMED', `function ${i}: functab is not sorted (0x${next.toString(16)} after 0x${entry.toString(16)})`, ft.off - field);
    rec.seek(funcBase + funcoff);
    const recEntry = rec.uint(field);
    if (recEntry !== entry) rec.fail('ERR_PCLNTAB_MALFORMED', `function ${i}: _func entry 0x${recEntry.toString(16)} differs from functab entry 0x${entry.toString(16)}`, funcBase + funcoff);
    const nameoff = rec.i32();
    const at = names + nameoff;
    const nul = at >= 0 && at < data.length ? data.indexOf(0, at) : -1;
    if (nul < 0) rec.fail('ERR_PCLNTAB_MALFORMED', `function ${i}: name offset ${nameoff} is outside the name table or unterminated`, rec.off - 4);
    out.names[i] = buf.toString('utf8', at, nul);
    out.entries[i + 1] = next;
    entry = next;
  }
  return out;
}

/** The first entry and the end of the last function, as the table stores them (the functab's first and last values). */
export function entryBounds(data: Uint8Array, hdr: PclntabHeader, where: string, base = 0): { first: number; end: number } {
  const field = functabFieldSize(hdr);
  const ft = new Cursor(data, where, hdr.pclnOffset, base);
  ft.need((2 * hdr.nfunc + 1) * field);
  const first = ft.uint(field);
  ft.seek(hdr.pclnOffset + 2 * hdr.nfunc * field);
  return { first, end: ft.uint(field) };
}

/**
 * The functions named exactly `name`, without decoding the other names: the
 * name's bytes are searched for in the table, and the functab is scanned for
 * records pointing at them. Reading every name of a large binary (thousands
 * of strings) costs tens of milliseconds; this costs one or two. The records
 * found get the checks checkedFunctionColumns makes.
 */
export function functionsNamed(data: Uint8Array, hdr: PclntabHeader, name: string, where: string, base = 0): RawFunction[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const needle = Buffer.from(`${name}\0`, 'utf8');
  const nameBase = hdr.funcnameOffset;
  const candidates = new Set<number>();
  for (let at = buf.indexOf(needle, nameBase); at >= 0; at = buf.indexOf(needle, at + 1)) candidates.add(at - nameBase);
  if (candidates.size === 0) return [];
  const field = functabFieldSize(hdr);
  const ft = new Cursor(data, where, hdr.pclnOffset, base);
  ft.need((2 * hdr.nfunc + 1) * field);
  const funcBase = hdr.layout === '1.2' ? 0 : hdr.pclnOffset;
  const rec = new Cursor(data, where, 0, base);
  const out: RawFunction[] = [];
  // The scan reads the functab directly (its bounds were checked above), and a
  // name offset only where its record lies inside the data; a record that does
  // not is reported by the checked reader, not here.
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const wide = field === 8;
  const last = data.length - field - 4;
  for (let i = 0, p = hdr.pclnOffset + field; i < hdr.nfunc; i++, p += 2 * field) {
    const funcoff = wide ? view.getUint32(p, true) + view.getUint32(p + 4, true) * 0x1_0000_0000 : view.getUint32(p, true);
    const at = funcBase + funcoff;
    if (at > last || !candidates.has(view.getInt32(at + field, true))) continue;
    ft.seek(hdr.pclnOffset + 2 * i * field);
    const entry = ft.uint(field);
    ft.skip(field);
    const end = ft.uint(field);
    if (end < entry) ft.fail('ERR_PCLNTAB_MALFORMED', `function ${i}: functab is not sorted (0x${end.toString(16)} after 0x${entry.toString(16)})`, ft.off - field);
    rec.seek(funcBase + funcoff);
    const recEntry = rec.uint(field);
    if (recEntry !== entry) rec.fail('ERR_PCLNTAB_MALFORMED', `function ${i}: _func entry 0x${recEntry.toString(16)} differs from functab entry 0x${entry.toString(16)}`, funcBase + funcoff);
    out.push({ name, entry, end });
  }
  return out;
}

/**
 * Finds the table: the `.gopclntab` section (`.data.rel.ro.gopclntab` in some
 * externally linked PIEs), or, when section headers are gone, a header magic
 * in a loaded segment that passes the header checks and whose function table
 * parses.
 */
export function locatePclntab(elf: ElfFile): PclntabLocation {
  for (const name of ['.gopclntab', '.data.rel.ro.gopclntab']) {
    const sec = elf.section(name);
    if (sec) return { data: elf.sectionData(sec), addr: sec.addr, source: name };
  }
  const tried: string[] = [];
  for (const seg of elf.programs) {
    if (seg.type !== PT_LOAD) continue;
    const bytes = elf.slice(seg.offset, seg.filesz, 'loaded segment');
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const magic of Object.keys(PCLNTAB_MAGICS).map(Number)) {
      const needle = Buffer.alloc(4);
      needle.writeUInt32LE(magic);
      for (let i = buf.indexOf(needle); i >= 0; i = buf.indexOf(needle, i + 4)) {
        if (i % 4 !== 0) continue;
        const data = bytes.subarray(i);
        try {
          const hdr = parseHeader(data, 'pclntab candidate', seg.offset + i);
          readFunctionColumns(data, hdr, 'pclntab candidate', seg.offset + i);
          return { data, addr: seg.vaddr + i, source: `segment at file offset 0x${seg.offset.toString(16)}` };
        } catch (err) {
          if (!(err instanceof GobinError)) throw err;
          tried.push(`0x${(seg.offset + i).toString(16)}: ${err.code}`);
        }
      }
    }
  }
  const detail = tried.length ? `; candidates rejected: ${tried.slice(0, 5).join(', ')}` : '';
  throw new GobinError('ERR_NO_PCLNTAB', `${elf.name}: no .gopclntab section and no valid pclntab header in any loaded segment${detail}`);
}
