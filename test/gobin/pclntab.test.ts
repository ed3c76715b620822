// The function table read by gobin equals Go's debug/gosym run with the toolchain that
// built the binary (test/oracle/gosym), for every probe; and the moduledata scan used
// when the header has no text start (Go 1.26+) agrees with the header where it has one.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../../gobin/memory.js';
import { GoBinary, findModuleData, locatePclntab, parseFunctions, parseHeader } from '../../gobin/index.js';
import { entryBounds, functionsNamed, pclntabMagicOffsets, readFunctionColumns } from '../../gobin/pclntab.js';
import { gosymFunctions } from '../oracle/gosym/oracle.js';
import { probeBinaries } from '../support/probes.js';

const probes = await probeBinaries();

describe('pclntab vs debug/gosym', () => {
  it('has probes to check', () => {
    expect(probes.length, 'no probe binaries: the toolchain matrix or the probe build is missing').toBeGreaterThan(0);
  });
  for (const p of probes) {
    it(`${p.toolchain.version} ${p.variant}`, async () => {
      const bin = await GoBinary.open(p.path);
      const got = bin.functions();
      const want = await gosymFunctions(p.toolchain, p.path);
      expect(got.length).toBe(want.funcs.length);
      expect(got.map((f) => ({ name: f.name, entry: f.entry, end: f.end }))).toEqual(want.funcs);
      for (const f of got) expect(bin.elf.fileOffsetToVaddr(f.fileOffset)).toBe(f.entry);
      expect(got.some((f) => f.name === 'net/http.serverHandler.ServeHTTP')).toBe(true);
    });
  }
});

describe('findFunction (one name, without reading the whole table) vs debug/gosym', () => {
  for (const p of probes) {
    it(`${p.toolchain.version} ${p.variant}`, async () => {
      const want = (await gosymFunctions(p.toolchain, p.path)).funcs;
      // A fresh GoBinary (where the tables are cached) for each lookup, over the file read once:
      // findFunction must not lean on a table read before.
      const { elf } = await GoBinary.open(p.path);
      const find = async (name: string) => GoBinary.fromElf(elf).findFunction(name);
      const names = ['net/http.serverHandler.ServeHTTP', 'net/http.(*Transport).roundTrip', 'runtime.goexit', 'main.main', want[0].name, want[want.length - 1].name];
      for (const name of names) {
        const w = want.find((f) => f.name === name)!;
        const got = await find(name);
        expect(got && { name: got.name, entry: got.entry, end: got.end }, name).toEqual(w);
        expect(elf.fileOffsetToVaddr(got!.fileOffset), name).toBe(w.entry);
      }
      // A prefix or a suffix of a real name is not a function.
      expect(await find('net/http.serverHandler.Serve')).toBeUndefined();
      expect(await find('http.serverHandler.ServeHTTP')).toBeUndefined();
      expect(await find('no.such.function')).toBeUndefined();
    });
  }
});

describe('runtime.firstmoduledata', () => {
  for (const p of probes) {
    it(`${p.toolchain.version} ${p.variant}: its text agrees with the table`, async () => {
      const bin = await GoBinary.open(p.path);
      const loc = locatePclntab(bin.elf);
      const hdr = parseHeader(loc.data, loc.source);
      if (hdr.layout === '1.2' || hdr.layout === '1.16') {
        // Absolute entries: nothing to rebase; the facade must say so.
        expect(bin.functionTable().textSource).toBe('absolute entries');
        return;
      }
      const raw = parseFunctions(loc.data, hdr, loc.source);
      const md = findModuleData(bin.elf, new AddressSpace(bin.elf), loc.addr, hdr, raw[0].entry, raw[raw.length - 1].end);
      if (hdr.textStart !== 0) expect(md.text).toBe(hdr.textStart);
      else expect(bin.functionTable().textSource).toBe('runtime.firstmoduledata');
      expect(md.text).toBe(bin.functionTable().textStart);
    });
  }
});

// The function table has one walk (and one set of checks): every reader of it must agree.
describe('the one walk of the function table', () => {
  for (const p of probes) {
    it(`${p.toolchain.version} ${p.variant}: every function, the functions of one name, and the bounds agree`, async () => {
      const bin = await GoBinary.open(p.path);
      const loc = locatePclntab(bin.elf);
      const hdr = parseHeader(loc.data, loc.source);
      const { names, entries } = readFunctionColumns(loc.data, hdr, loc.source);
      expect(entryBounds(loc.data, hdr, loc.source)).toEqual({ first: entries[0], end: entries[names.length] });
      for (const name of ['main.main', 'net/http.serverHandler.ServeHTTP', 'runtime.goexit', names[0], names[names.length - 1]]) {
        const expected = names.flatMap((n, i) => (n === name ? [{ name, entry: entries[i], end: entries[i + 1] }] : []));
        expect(functionsNamed(loc.data, hdr, name, loc.source).map(({ argsSize: _, ...f }) => f)).toEqual(expected);
      }
      // _func.args, against the Go signatures: func main() has none; serverHandler.ServeHTTP(sh, rw, req) has
      // four words (sh a one-pointer struct, rw an interface, req a pointer).
      expect(functionsNamed(loc.data, hdr, 'main.main', loc.source)[0].argsSize).toBe(0);
      expect(functionsNamed(loc.data, hdr, 'net/http.serverHandler.ServeHTTP', loc.source)[0].argsSize).toBe(32);
    });
  }

  // A non-ASCII name (Go allows Unicode identifiers): the name table is then not one
  // Latin-1 string; names must still decode as UTF-8, as debug/gosym reads them.
  const sample = [probes[0], probes[probes.length - 1]].map((q) => probes.find((p) => p.toolchain.version === q.toolchain.version && p.variant === 'stripped')!);
  for (const p of sample) {
    it(`${p.toolchain.version} ${p.variant}: a UTF-8 function name, against debug/gosym`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'pclntab-utf8-'));
      try {
        const bytes = new Uint8Array(await readFile(p.path));
        const { elf } = await GoBinary.open(p.path);
        const loc = locatePclntab(elf);
        const start = loc.data.byteOffset - elf.data.byteOffset; // file offset of the table
        // "main.main\0" becomes "main.m\xc3\xa9n\0" ("main.mén"): same length, two-byte UTF-8 in the middle.
        const needle = Buffer.from('\0main.main\0', 'latin1');
        const at = Buffer.from(bytes.buffer, bytes.byteOffset + start, loc.data.length).indexOf(needle);
        expect(at).toBeGreaterThan(0);
        bytes.set([0xc3, 0xa9], start + at + 7);
        const patched = join(dir, 'probe');
        await writeFile(patched, bytes);
        const got = (await GoBinary.open(patched)).functions();
        const want = await gosymFunctions(p.toolchain, patched);
        expect(got.map((f) => ({ name: f.name, entry: f.entry, end: f.end }))).toEqual(want.funcs);
        expect(got.filter((f) => f.name === 'main.m\u00e9n')).toHaveLength(1);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});

// Issue 13 suspected that the scan for a header, resuming at i + 4 after an
// unaligned match at i, skips an aligned header at i+1..i+3. It cannot: every
// magic is one byte other than 0xff followed by three 0xff (little-endian), so
// two matches of one magic never overlap (see pclntabMagicOffsets). These show
// it on the bytes themselves, against a search of every aligned offset.
describe('the scan for a pclntab header without section headers', () => {
  const MAGICS = [0xfffffffb, 0xfffffffa, 0xfffffff0, 0xfffffff1];
  const le = (m: number) => [m & 0xff, 0xff, 0xff, 0xff];
  /** Every 4-aligned offset holding a magic, in increasing order: what the scan must find. */
  const everyAligned = (bytes: Uint8Array) => {
    const out: number[] = [];
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i + 4 <= bytes.length; i += 4) if (MAGICS.includes(v.getUint32(i, true))) out.push(i);
    return out;
  };
  const scan = (bytes: Uint8Array) => [...pclntabMagicOffsets(bytes)].sort((a, b) => a - b);

  it('finds an aligned header right after an unaligned or partial match of the same magic', () => {
    for (const m of MAGICS) {
      for (const shift of [1, 2, 3]) {
        // A full magic at `shift` (unaligned), then the aligned header at 8, the first aligned offset it leaves free.
        const bytes = new Uint8Array(24);
        bytes.set(le(m), shift);
        const aligned = 8;
        bytes.set(le(m), aligned);
        expect(scan(bytes)).toEqual(everyAligned(bytes));
        expect(scan(bytes)).toContain(aligned);
        // A partial magic (its non-0xff byte and fewer 0xff) ending just before the aligned one.
        const partial = new Uint8Array(16);
        partial.set([m & 0xff, 0xff, 0xff].slice(0, 4 - shift), shift);
        partial.set(le(m), 4);
        expect(scan(partial)).toEqual([4]);
      }
    }
  });

  it('finds exactly the aligned magics in any mix of magic bytes and 0xff', () => {
    const byte = fc.constantFrom(0xff, 0xff, 0xff, 0xfb, 0xfa, 0xf0, 0xf1, 0x00);
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 64 }), fc.array(fc.tuple(fc.constantFrom(...MAGICS), fc.nat(60)), { maxLength: 6 }), (noise, planted) => {
        const bytes = Uint8Array.from(noise.length >= 64 ? noise : [...noise, ...new Array(64 - noise.length).fill(0)]);
        for (const [m, at] of planted) bytes.set(le(m), at);
        expect(scan(bytes)).toEqual(everyAligned(bytes));
      }),
      { numRuns: 2000 },
    );
  });
});
