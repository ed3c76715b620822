// Against objdump (binutils, for the binary's own architecture), one run per probe:
// - return sites equal the return instructions it lists: over every function of the
//   plain probes of four toolchains, over the net/http code (at least 200 functions)
//   of every other probe; a stripped probe has its twin's code, so it is compared
//   with its twin instead;
// - end sites after calls (gobin/call-sites.ts): where every direct call and jump
//   of a function is, what follows each call, which addresses jumps land on; the
//   data is searched for the function's address in the sections readelf lists
//   (and, in a PIE, among the RELATIVE relocations readelf prints).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROBES } from '../../agent/probes.js';
import { GoBinary, type GoFunction } from '../../gobin/index.js';
import { probeBinaries } from '../support/probes.js';
import { disassembly, instructionsIn, returnsIn, type Instruction } from './objdump.js';

const run = promisify(execFile);

const probes = await probeBinaries();

// The end sites after calls are checked on a sample of the matrix, each variant and both ABIs
// (their listings are kept from the return-site tests: no second objdump).
const SAMPLE = [
  ['go1.15', 'plain'],
  ['go1.21', 'pie'],
  ['go1.24', 'plain'],
  ['go1.27', 'external'],
];
const sampled = probes.filter((p) => p.arch === 'amd64' && SAMPLE.some(([v, variant]) => p.toolchain.version.startsWith(`${v}.`) && p.variant === variant));

/** The toolchains whose plain probes are checked over every function (the rest over their net/http code). */
const EVERY_FUNCTION = ['go1.15', 'go1.19', 'go1.24', 'go1.27'];

/** Buckets sorted addresses into the function whose [entry, end) holds them. */
function bucket(funcs: GoFunction[], addrs: number[]): Map<GoFunction, number[]> {
  const sorted = [...funcs].sort((a, b) => a.entry - b.entry);
  const out = new Map<GoFunction, number[]>(sorted.map((f) => [f, []]));
  let i = 0;
  for (const a of addrs.sort((x, y) => x - y)) {
    while (i < sorted.length && sorted[i].end <= a) i++;
    if (i < sorted.length && sorted[i].entry <= a) out.get(sorted[i])!.push(a);
  }
  return out;
}

describe('return sites vs objdump', () => {
  it('has probes of both arches', () => {
    expect(new Set(probes.map((p) => p.arch))).toEqual(new Set(['amd64', 'arm64']));
  });
  for (const p of probes.filter((q) => q.variant === 'plain' || q.variant === 'arm64')) {
    it(`${p.toolchain.version} ${p.variant} (${p.arch})`, async () => {
      const bin = await GoBinary.open(p.path);
      expect(bin.arch).toBe(p.arch);
      const text = bin.elf.section('.text')!;
      const inText = bin.functions().filter((f) => f.entry >= text.addr && f.end <= text.addr + text.size);
      // Every function for four toolchains (both ABIs, both pclntab layouts of entries), the net/http code
      // for the others: a whole listing and every function decoded is seconds of CPU per probe.
      const every = EVERY_FUNCTION.some((v) => p.toolchain.version.startsWith(`${v}.`));
      const funcs = every ? inText : inText.filter((f) => f.name.startsWith('net/http.'));
      expect(funcs.length).toBeGreaterThanOrEqual(200);
      const range = every || sampled.includes(p) ? undefined : { start: Math.min(...funcs.map((f) => f.entry)), stop: Math.max(...funcs.map((f) => f.end)) };
      const want = bucket(funcs, returnsIn(await disassembly(p.arch, p.path, sampled.includes(p), range)));
      let total = 0;
      for (const f of funcs) {
        const got = bin.returnSites(f);
        const expected = want.get(f)!.map((a) => bin.elf.vaddrToFileOffset(a));
        expect(got, f.name).toEqual(expected);
        total += got.length;
      }
      expect(total).toBeGreaterThan(funcs.length / 2);
    });
  }
  // -s -w drops the symbols and DWARF, not a byte of code: the same sites as the twin's, on a sample.
  for (const p of probes.filter((q) => q.variant === 'stripped' || q.variant === 'arm64-stripped')) {
    it(`${p.toolchain.version} ${p.variant}: the sites of its unstripped twin`, async () => {
      const twin = probes.find((q) => q.toolchain.version === p.toolchain.version && q.variant === (p.arch === 'arm64' ? 'arm64' : 'plain'))!;
      const [bin, plain] = await Promise.all([GoBinary.open(p.path), GoBinary.open(twin.path)]);
      expect(bin.stripped).toBe(true);
      const funcs = bin.functions().filter((f) => f.name.startsWith('net/http.'));
      const twins = new Map(plain.functions().map((f) => [f.name, f]));
      expect(funcs.length).toBeGreaterThanOrEqual(200);
      for (const f of funcs) expect(bin.returnSites(f), f.name).toEqual(plain.returnSites(twins.get(f.name)!));
    });
  }
  // PIE and externally linked probes: the same comparison, on a sample (C code in .text is not Go's).
  for (const p of probes.filter((q) => q.variant === 'external' || q.variant === 'pie')) {
    it(`${p.toolchain.version} ${p.variant} (${p.arch})`, async () => {
      const bin = await GoBinary.open(p.path);
      const funcs = bin.functions().filter((f) => f.name.startsWith('net/http.'));
      expect(funcs.length).toBeGreaterThanOrEqual(200);
      // Only the sample's code is disassembled, unless the end-site tests want the whole listing.
      const range = { start: Math.min(...funcs.map((f) => f.entry)), stop: Math.max(...funcs.map((f) => f.end)) };
      const listing = await disassembly(p.arch, p.path, sampled.includes(p), sampled.includes(p) ? undefined : range);
      const want = bucket(bin.functions(), returnsIn(listing));
      for (const f of funcs) expect(bin.returnSites(f), f.name).toEqual(want.get(f)!.map((a) => bin.elf.vaddrToFileOffset(a)));
    });
  }
});

/** Whether the 8 bytes of `value` occur in an allocated, non-code section (readelf's list) or as a RELATIVE relocation's addend. */
async function storedInData(path: string, values: number[]): Promise<Set<number>> {
  const file = await readFile(path);
  const { stdout: sections } = await run('readelf', ['-SW', path]);
  const { stdout: relocs } = await run('readelf', ['-rW', path], { maxBuffer: 1 << 30 });
  const found = new Set<number>();
  for (const line of sections.split('\n')) {
    const m = /\]\s+(\S+)\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+\S+\s+(\S*)/.exec(line);
    if (!m || m[2] === 'NOBITS' || m[1] === '.gopclntab' || !m[6].includes('A') || m[6].includes('X')) continue;
    const [off, size] = [parseInt(m[4], 16), parseInt(m[5], 16)];
    const bytes = file.subarray(off, off + size);
    for (const v of values) {
      const needle = Buffer.alloc(8);
      needle.writeUIntLE(v, 0, 6);
      for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1)) if ((parseInt(m[3], 16) + at) % 8 === 0) found.add(v);
    }
  }
  for (const line of relocs.split('\n')) {
    const m = /R_X86_64_RELATIVE\s+([0-9a-f]+)/.exec(line);
    if (m && values.includes(parseInt(m[1], 16))) found.add(parseInt(m[1], 16));
  }
  return found;
}

/** objdump's listing, indexed: direct references by target, and the function each address is in. */
class Listing {
  readonly refs = new Map<number, Instruction[]>();
  private readonly byAddr = new Map<number, number>();
  private readonly sorted: GoFunction[];

  constructor(
    readonly ins: Instruction[],
    funcs: GoFunction[],
  ) {
    ins.forEach((i, k) => {
      this.byAddr.set(i.addr, k);
      if (i.target !== undefined && !i.indirect) this.refs.set(i.target, [...(this.refs.get(i.target) ?? []), i]);
    });
    this.sorted = [...funcs].sort((a, b) => a.entry - b.entry);
  }

  functionAt(a: number): GoFunction | undefined {
    let lo = 0;
    let hi = this.sorted.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const f = this.sorted[mid];
      if (a < f.entry) hi = mid - 1;
      else if (a >= f.end) lo = mid + 1;
      else return f;
    }
    return undefined;
  }

  body(f: GoFunction): Instruction[] {
    const out: Instruction[] = [];
    for (let k = this.byAddr.get(f.entry) ?? this.ins.length; k < this.ins.length && this.ins[k].addr < f.end; k++) out.push(this.ins[k]);
    return out;
  }
}

/** What the end sites of `fn` must be, from objdump's listing alone. */
function expectedEnds(listing: Listing, fn: GoFunction, readsResults: boolean): { sites: number[] } | 'unsuited' {
  const inside = (a: number, f: GoFunction) => a >= f.entry && a < f.end;
  const refs = listing.refs.get(fn.entry) ?? [];
  const calls = refs.filter((i) => !inside(i.addr, fn) || i.mnemonic.startsWith('call'));
  if (calls.length === 0 || calls.some((i) => !i.mnemonic.startsWith('call') || inside(i.addr, fn))) return 'unsuited';
  const sites: number[] = [];
  for (const call of calls) {
    const caller = listing.functionAt(call.addr);
    if (!caller) continue;
    const body = listing.body(caller);
    const jumpTargets = new Set(body.filter((i) => i.mnemonic.startsWith('j') && i.target !== undefined && inside(i.target, caller)).map((i) => i.target!));
    const k = body.indexOf(call) + 1;
    const ret = body[k].addr;
    if (jumpTargets.has(ret)) return 'unsuited';
    let site = ret;
    if (!readsResults && !body.some((i) => i.mnemonic.startsWith('jmp') && i.indirect)) {
      for (let j = k; j < Math.min(body.length, k + 16); j++) {
        const i = body[j];
        if (j > k && jumpTargets.has(i.addr)) break;
        if ((i.mnemonic.startsWith('j') || i.mnemonic.startsWith('call')) && !i.indirect) {
          site = i.addr;
          break;
        }
        if (i.mnemonic.startsWith('j') || i.mnemonic.startsWith('ret') || i.mnemonic === 'int3' || i.mnemonic === 'ud2' || i.mnemonic === 'hlt') break;
      }
    }
    sites.push(site);
  }
  return { sites };
}

describe('end sites after calls vs objdump', () => {
  it('has amd64 probes of every variant', () => {
    expect(sampled.map((p) => `${p.toolchain.version.split('.').slice(0, 2).join('.')} ${p.variant}`).sort()).toEqual(SAMPLE.map((x) => x.join(' ')).sort());
  });
  for (const p of sampled) {
    it(`${p.toolchain.version} ${p.variant}`, async () => {
      const bin = await GoBinary.open(p.path);
      const funcs = bin.functions();
      const listing = new Listing(instructionsIn(await disassembly('amd64', p.path)), funcs);
      // The agent's functions, and a sample of the rest: every 25th of net/http's.
      const wanted = new Set(Object.values(PROBES).flatMap((probe) => probe.functions as readonly string[]));
      const http = funcs.filter((f) => f.name.startsWith('net/http.'));
      const chosen = funcs.filter((f) => wanted.has(f.name)).concat(http.filter((_, i) => i % 25 === 0));
      expect(chosen.length).toBeGreaterThan(20);
      const stored = await storedInData(p.path, chosen.map((f) => f.entry));
      expect(bin.takenAddresses(chosen.map((f) => f.entry))).toEqual(stored);
      let suited = 0;
      for (const readsResults of [false, true]) {
        const queries = chosen.map((fn) => ({ fn, readsResults }));
        const got = bin.endSites(queries);
        // The agent's way gives the same: the search made first (on its main thread), handed to the decoding with the table's entries.
        const entries = bin.functionEntries();
        expect(bin.endSites(queries, entries, bin.endSiteCandidates(chosen.map((f) => f.entry), entries))).toEqual(got);
        chosen.forEach((fn, i) => {
          const want = stored.has(fn.entry) ? 'unsuited' : expectedEnds(listing, fn, readsResults);
          const r = got[i];
          if (want === 'unsuited') expect('unsuited' in r, `${fn.name}: ${JSON.stringify(r)}`).toBe(true);
          else {
            const sorted = (xs: readonly (number | undefined)[]) => [...xs].sort((a, b) => a! - b!);
            expect('sites' in r ? sorted(r.sites) : r, fn.name).toEqual(sorted(want.sites.map((a) => bin.elf.vaddrToFileOffset(a))));
            suited++;
          }
        });
      }
      // A test that finds nothing to compare would prove nothing: the sample has callers enough.
      expect(suited).toBeGreaterThan(10);
    });
  }
});
