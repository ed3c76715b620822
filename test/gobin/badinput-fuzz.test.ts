// Property: whatever bytes of a real probe binary are changed, or wherever it is cut,
// reading it either succeeds or throws a GobinError; never another exception, never a hang.
import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ElfFile, GoBinary, GobinError } from '../../gobin/index.js';
import { probeBinaries } from '../support/probes.js';

const probes = await probeBinaries();
const targets = ['stripped', 'arm64-stripped', 'pie'].map((v) => {
  const p = probes.find((q) => q.variant === v);
  if (!p) throw new Error(`fuzz test needs a ${v} probe binary; none was built`);
  return p;
});

describe('mutated probes', () => {
  for (const p of targets) {
    it(`${p.toolchain.version} ${p.variant}: success or GobinError`, async () => {
      const original = new Uint8Array(await readFile(p.path));
      const elf = ElfFile.parse(original, p.path);
      // Mutations aim where the reader looks: headers, the Go tables, and anywhere.
      const regions = [
        [0, 64],
        [elf.sections.length ? Number(new DataView(original.buffer, original.byteOffset).getBigUint64(0x28, true)) : 0, 64 * elf.sections.length],
        ...['.gopclntab', '.go.buildinfo', '.noptrdata', '.go.module', '.data.rel.ro'].flatMap((n) => {
          const s = elf.section(n);
          return s ? [[s.offset, Math.min(s.size, 1 << 16)]] : [];
        }),
        [0, original.length],
      ].filter(([, len]) => len > 0);
      const mutation = fc.record({
        region: fc.nat({ max: regions.length - 1 }),
        edits: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 8 }),
        cut: fc.option(fc.nat(), { freq: 4 }),
      });
      let outcomes = { ok: 0, error: 0 };
      fc.assert(
        fc.property(mutation, ({ region, edits, cut }) => {
          const [start, len] = regions[region];
          let data = original.slice();
          for (const [at, byte] of edits) data[start + (at % len)] = byte;
          if (cut !== null) data = data.subarray(0, cut % data.length);
          const t0 = performance.now();
          try {
            const bin = GoBinary.fromElf(ElfFile.parse(data, 'mutated'));
            bin.buildInfo();
            const fns = bin.functions();
            for (const f of fns.slice(0, 50)) bin.returnSites(f);
            outcomes.ok++;
          } catch (err) {
            if (!(err instanceof GobinError)) throw err;
            outcomes.error++;
          }
          // Bounded: one read of a mutated binary must stay in the order of a normal read.
          expect(performance.now() - t0).toBeLessThan(10_000);
        }),
        { numRuns: 150, seed: 0x60f5e7 },
      );
      expect(outcomes.ok + outcomes.error).toBe(150);
      expect(outcomes.error).toBeGreaterThan(0);
    });
  }
});
