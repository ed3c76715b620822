// Return sites equal the return instructions objdump lists (binutils, for the binary's
// own architecture), checked over every function of each probe (at least 200 each).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { GoBinary, type GoFunction } from '../../gobin/index.js';
import { probeBinaries } from '../support/probes.js';

const run = promisify(execFile);
const probes = await probeBinaries();

const OBJDUMP = { amd64: 'objdump', arm64: 'aarch64-linux-gnu-objdump' } as const;
// amd64: ret, ret $imm (objdump may print retq / a bnd or repz prefix); arm64: ret, ret xN.
const RET = /^\s*([0-9a-f]+):\s+(?:(?:bnd|repz|rep)\s+)?ret[qw]?(?:\s|$)/;

/** Addresses of every return instruction in .text, by one objdump run. */
async function objdumpReturns(arch: 'amd64' | 'arm64', path: string): Promise<number[]> {
  let stdout: string;
  try {
    ({ stdout } = await run(OBJDUMP[arch], ['-d', '--no-show-raw-insn', '-j', '.text', path], { maxBuffer: 1 << 30 }));
  } catch (err) {
    throw new Error(`${OBJDUMP[arch]} failed (install binutils${arch === 'arm64' ? '-aarch64-linux-gnu' : ''}): ${(err as Error).message}`);
  }
  const out: number[] = [];
  for (const line of stdout.split('\n')) {
    const m = RET.exec(line);
    if (m) out.push(parseInt(m[1], 16));
  }
  return out;
}

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
  for (const p of probes.filter((q) => q.variant !== 'external' && q.variant !== 'pie')) {
    it(`${p.toolchain.version} ${p.variant} (${p.arch})`, async () => {
      const bin = await GoBinary.open(p.path);
      expect(bin.arch).toBe(p.arch);
      const text = bin.elf.section('.text')!;
      const funcs = bin.functions().filter((f) => f.entry >= text.addr && f.end <= text.addr + text.size);
      expect(funcs.length).toBeGreaterThanOrEqual(200);
      const want = bucket(funcs, await objdumpReturns(p.arch, p.path));
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
  // PIE and externally linked probes: the same comparison, on a sample (C code in .text is not Go's).
  for (const p of probes.filter((q) => q.variant === 'external' || q.variant === 'pie')) {
    it(`${p.toolchain.version} ${p.variant} (${p.arch})`, async () => {
      const bin = await GoBinary.open(p.path);
      const want = bucket(bin.functions(), await objdumpReturns(p.arch, p.path));
      const funcs = bin.functions().filter((f) => f.name.startsWith('net/http.'));
      expect(funcs.length).toBeGreaterThanOrEqual(200);
      for (const f of funcs) expect(bin.returnSites(f), f.name).toEqual(want.get(f)!.map((a) => bin.elf.vaddrToFileOffset(a)));
    });
  }
});
