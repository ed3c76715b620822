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
  /**
   * _func.args, right after the name offset: the bytes of the arguments in
   * their stack layout (with the register ABI too, where it sizes their
   * spill area; results are not counted there). Set by functionsNamed only.
   */
  argsSize?: number;
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
 * The same table as parseFunctions, in columns (no object per function): one
 * walk of the function table (walkFunctions), with names cut out of one
 * Latin-1 decoding of the (ASCII) name table, and decoded as UTF-8 one by one
 * otherwise.
 */
export function readFunctionColumns(data: Uint8Array, hdr: PclntabHeader, where: string, base = 0): FunctionColumns {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  // 1.16+: the name table is [funcnameOffset, cuOffset). Go names are ASCII in practice; then
  // one Latin-1 string maps bytes to characters one to one and each name is a slice of it.
  let region = '';
  let regionStart = 0;
  let regionEnd = 0;
  const nameBase = hdr.funcnameOffset;
  if (hdr.layout !== '1.2' && hdr.cuOffset > nameBase && hdr.cuOffset <= data.length && isAscii(data.subarray(nameBase, hdr.cuOffset))) {
    region = buf.toString('latin1', nameBase, hdr.cuOffset);
    regionStart = nameBase;
    regionEnd = hdr.cuOffset;
  }
  const names: string[] = new Array(hdr.nfunc);
  const entries = new Float64Array(hdr.nfunc + 1);
  walkFunctions(data, hdr, where, base, (i, entry, end, at, nameOffAt) => {
    let name: string | undefined;
    if (at >= regionStart && at < regionEnd) {
      const nul = region.indexOf('\0', at - regionStart);
      if (nul >= 0) name = region.slice(at - regionStart, nul);
    }
    if (name === undefined) {
      const nul = data.indexOf(0, at);
      if (nul < 0) failAt(data, where, base, `function ${i}: name offset ${at - nameBase} is outside the name table or unterminated`, nameOffAt);
      name = buf.toString('utf8', at, nul);
    }
    names[i] = name;
    entries[i] = entry;
    entries[i + 1] = end;
  });
  return { names, entries };
}

/** Functab fields are pointer-sized (8: parseHeader accepts no other) before 1.18, 32-bit offsets after. */
function functabFieldSize(hdr: PclntabHeader): 4 | 8 {
  return hdr.layout === '1.2' || hdr.layout === '1.16' ? 8 : 4;
}

/** Called by walkFunctions for each function, in table order: entry and end as stored, and where its name is. */
type FunctionVisitor = (i: number, entry: number, end: number, nameAt: number, nameOffAt: number) => void;

function failAt(data: Uint8Array, where: string, base: number, message: string, at: number): never {
  return new Cursor(data, where, 0, base).fail('ERR_PCLNTAB_MALFORMED', message, at);
}

/**
 * The one walk of the function table, and its one set of checks. The functab
 * is nfunc (entry, funcoff) pairs plus a final entry, the end of the last
 * function; each funcoff points at a _func record whose first field repeats
 * the entry and whose second is the name's offset in the name table. Checked:
 * the functab fits the data, entries are sorted, each record lies inside the
 * data and repeats its entry, each name offset lands inside the data, and no
 * 64-bit value exceeds 2^53. Every failure names its offset. The values are
 * read straight from a DataView (a Cursor per read costs too much on 50,000
 * functions); a Cursor is made only to report.
 */
function walkFunctions(data: Uint8Array, hdr: PclntabHeader, where: string, base: number, visit: FunctionVisitor): void {
  const n = hdr.nfunc;
  const len = data.length;
  const field = functabFieldSize(hdr);
  const wide = field === 8;
  const ft = hdr.pclnOffset;
  new Cursor(data, where, ft, base).need((2 * n + 1) * field);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  // A value as the Cursor reads it: a 64-bit one past 2^53 is reported as the Cursor reports it.
  const read = (off: number): number => {
    if (!wide) return view.getUint32(off, true);
    const hi = view.getUint32(off + 4, true);
    return hi > 0x1fffff ? new Cursor(data, where, off, base).u64() : hi * 0x1_0000_0000 + view.getUint32(off, true);
  };
  // funcoff is relative to the table start in 1.2, to the functab (pclnOffset) after.
  const funcBase = hdr.layout === '1.2' ? 0 : ft;
  const nameBase = hdr.funcnameOffset;
  let entry = read(ft);
  for (let i = 0, p = ft + field; i < n; i++, p += 2 * field) {
    const funcoff = read(p);
    const next = read(p + field);
    if (next < entry) failAt(data, where, base, `function ${i}: functab is not sorted (0x${next.toString(16)} after 0x${entry.toString(16)})`, p + field);
    const rec = funcBase + funcoff;
    if (rec + field + 4 > len) new Cursor(data, where, 0, base).seek(rec).need(field + 4);
    const recEntry = read(rec);
    if (recEntry !== entry) failAt(data, where, base, `function ${i}: _func entry 0x${recEntry.toString(16)} differs from functab entry 0x${entry.toString(16)}`, rec);
    const nameoff = view.getInt32(rec + field, true);
    const at = nameBase + nameoff;
    if (at < 0 || at >= len) failAt(data, where, base, `function ${i}: name offset ${nameoff} is outside the name table or unterminated`, rec + field);
    visit(i, entry, next, at, rec + field);
    entry = next;
  }
}

/**
 * Every function's entry as the table stores it, sorted, then the end of the
 * last: the functab's entry column alone (no _func record or name is read).
 */
export function functionEntryColumn(data: Uint8Array, hdr: PclntabHeader, where: string, base = 0): Float64Array {
  const n = hdr.nfunc;
  const field = functabFieldSize(hdr);
  const ft = hdr.pclnOffset;
  new Cursor(data, where, ft, base).need((2 * n + 1) * field);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Float64Array(n + 1);
  for (let i = 0, p = ft; i <= n; i++, p += 2 * field) {
    out[i] = field === 4 ? view.getUint32(p, true) : view.getUint32(p + 4, true) * 0x1_0000_0000 + view.getUint32(p, true);
    if (i > 0 && out[i] < out[i - 1]) failAt(data, where, base, `function ${i}: functab is not sorted`, p);
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
 * The functions named exactly `name` (several when the table has duplicates),
 * in table order; argsSize set. One walk of the table: see functionsNamedAll.
 */
export function functionsNamed(data: Uint8Array, hdr: PclntabHeader, name: string, where: string, base = 0): RawFunction[] {
  return functionsNamedAll(data, hdr, [name], where, base).get(name) ?? [];
}

/**
 * For each of `names`, the functions of exactly that name, in table order,
 * with argsSize: the names are found in the name table first (a byte search),
 * then one walk of the function table matches their offsets, however many
 * names there are.
 */
export function functionsNamedAll(data: Uint8Array, hdr: PclntabHeader, names: readonly string[], where: string, base = 0): Map<string, RawFunction[]> {
  // Since 1.16 the names sit in their own table, which the cu table follows: only that range is searched.
  const namesEnd = hdr.cuOffset > hdr.funcnameOffset ? Math.min(hdr.cuOffset, data.byteLength) : data.byteLength;
  const buf = Buffer.from(data.buffer, data.byteOffset, namesEnd);
  const candidates = new Map<number, string>();
  for (const name of names) {
    const needle = Buffer.from(`${name}\0`, 'utf8');
    for (let at = buf.indexOf(needle, hdr.funcnameOffset); at >= 0; at = buf.indexOf(needle, at + 1)) candidates.set(at, name);
  }
  const out = new Map<string, RawFunction[]>();
  if (candidates.size === 0) return out;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  walkFunctions(data, hdr, where, base, (i, entry, end, at, nameOffAt) => {
    const name = candidates.get(at);
    if (name === undefined) return;
    if (nameOffAt + 8 > data.length) failAt(data, where, base, `function ${i}: _func record runs past the data`, nameOffAt);
    const list = out.get(name) ?? [];
    list.push({ name, entry, end, argsSize: view.getInt32(nameOffAt + 4, true) });
    out.set(name, list);
  });
  return out;
}

/**
 * The 4-aligned offsets in `bytes` where a pclntab magic (little-endian) starts,
 * magic by magic, each magic's in increasing order.
 *
 * After a match at i the search resumes at i + 4, also when i is not aligned
 * (and the match is skipped): the next match of the same magic cannot start at
 * i+1..i+3. Each magic is one byte that is not 0xff (0xfb, 0xfa, 0xf0, 0xf1)
 * followed by three 0xff bytes; a second match at i + d (d = 1, 2 or 3) would
 * put its first byte at i + d, where the first match has 0xff. The same holds
 * for the big-endian forms (three 0xff, then the other byte), and the magics
 * are searched one at a time, so a different magic cannot hide one either.
 */
export function* pclntabMagicOffsets(bytes: Uint8Array): Generator<number> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const magic of Object.keys(PCLNTAB_MAGICS).map(Number)) {
    const needle = Buffer.alloc(4);
    needle.writeUInt32LE(magic);
    for (let i = buf.indexOf(needle); i >= 0; i = buf.indexOf(needle, i + 4)) {
      if (i % 4 === 0) yield i;
    }
  }
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
    for (const i of pclntabMagicOffsets(bytes)) {
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
  const detail = tried.length ? `; candidates rejected: ${tried.slice(0, 5).join(', ')}` : '';
  throw new GobinError('ERR_NO_PCLNTAB', `${elf.name}: no .gopclntab section and no valid pclntab header in any loaded segment${detail}`);
}
