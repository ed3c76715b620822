// The RELATIVE relocations of PIE probes (gobin/memory.ts) against binutils' objdump -R:
// every entry, its target and its addend, and lookups of targets and of addresses between them.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ElfFile } from '../../gobin/elf.js';
import { AddressSpace } from '../../gobin/memory.js';
import { probeBinaries } from '../support/probes.js';

const run = promisify(execFile);
const probes = (await probeBinaries()).filter((p) => p.pie);

async function objdumpRelative(path: string): Promise<[number, number][]> {
  const { stdout } = await run('objdump', ['-R', path], { maxBuffer: 1 << 28 });
  const out: [number, number][] = [];
  for (const m of stdout.matchAll(/^([0-9a-f]{16}) R_X86_64_RELATIVE\s+\*ABS\*\+0x([0-9a-f]+)$/gm)) out.push([parseInt(m[1], 16), parseInt(m[2], 16)]);
  return out;
}

describe('RELATIVE relocations = objdump -R', () => {
  it('the matrix has PIE probes', () => expect(probes.length).toBeGreaterThan(5));
  for (const p of probes) {
    it(`${p.toolchain.version} ${p.variant}`, async () => {
      const want = await objdumpRelative(p.path);
      expect(want.length).toBeGreaterThan(1000);
      const rel = new AddressSpace(await ElfFile.open(p.path)).relocations();
      expect(rel.size).toBe(want.length);
      expect([...rel].sort((a, b) => a[0] - b[0])).toEqual([...want].sort((a, b) => a[0] - b[0]));
      for (const [target, value] of want.filter((_, i) => i % 97 === 0)) {
        expect(rel.get(target)).toBe(value);
        if (!want.some(([t]) => t === target + 1)) expect(rel.get(target + 1)).toBeUndefined();
      }
    });
  }
});
