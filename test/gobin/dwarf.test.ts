// The DWARF reader against Go's own debug/dwarf (test/oracle/dwarf/main.go),
// run with the toolchain that built each binary, for every struct in it.
import { describe, expect, it } from 'vitest';
import { Dwarf, type StructType } from '../../gobin/dwarf/index.js';
import { ElfFile } from '../../gobin/elf.js';
import { GobinError } from '../../gobin/errors.js';
import { cProbe, cVariants, runOracle } from '../oracle/dwarf/oracle.js';
import { probeBinaries } from '../support/probes.js';
import { matrixToolchains } from '../support/toolchains.js';

const probes = await probeBinaries();
const goProbes = probes.filter((p) => !p.stripped);
const strippedProbes = probes.filter((p) => p.stripped);
const oracleToolchain = (await matrixToolchains())[0];

/** Struct-by-struct differences, so a failure names the first structs that differ rather than dumping thousands. */
function differences(ours: StructType[], oracle: StructType[]): string[] {
  const out: string[] = [];
  if (ours.length !== oracle.length) out.push(`${ours.length} structs, oracle has ${oracle.length}`);
  for (let i = 0; i < Math.min(ours.length, oracle.length) && out.length < 5; i++) {
    const a = JSON.stringify(ours[i]);
    const b = JSON.stringify(oracle[i]);
    if (a !== b) out.push(`#${i}:\n  ours:   ${a}\n  oracle: ${b}`);
  }
  return out;
}

describe('DWARF reader = Go debug/dwarf, every struct of every probe', () => {
  it('has probes for the whole matrix', async () => {
    expect(goProbes.length).toBeGreaterThan(0);
    expect(new Set(goProbes.map((p) => p.toolchain.version))).toEqual(new Set((await matrixToolchains()).map((t) => t.version)));
  });

  for (const p of goProbes) {
    describe(`${p.toolchain.version} ${p.variant}`, () => {
      it('structs() equals the oracle', async () => {
        const [oracle, elf] = await Promise.all([runOracle(p.toolchain, p.path), ElfFile.open(p.path)]);
        const ours = Dwarf.fromElf(elf).structs();
        expect(oracle.length).toBeGreaterThan(100);
        expect(differences(ours, oracle)).toEqual([]);
        expect(ours.find((s) => s.name === 'net/http.Request')).toBeDefined();
      });

      it('field() and findStruct() from a fresh open match the oracle, skimming only runtime units', async () => {
        const [oracle, elf] = await Promise.all([runOracle(p.toolchain, p.path), ElfFile.open(p.path)]);
        const byName = new Map(oracle.map((s) => [s.name, s]));
        const dwarf = Dwarf.fromElf(elf);
        expect(dwarf.pointerSize).toBe(8);
        // Embedded members: net.TCPConn embeds the struct conn, net/http.transportRequest the pointer *Request.
        const embedded = ['net.TCPConn.conn', 'net/http.transportRequest.Request'];
        for (const sel of embedded) {
          const dot = sel.lastIndexOf('.');
          expect(byName.get(sel.slice(0, dot))?.members.find((m) => m.name === sel.slice(dot + 1))?.embedded, `${sel} embedded per the oracle`).toBe(true);
        }
        for (const sel of ['net/http.Request.ctx', 'runtime.g.goid', 'main.Handler.Hits', ...embedded, 'net/http.Request.nonexistent']) {
          const dot = sel.lastIndexOf('.');
          const want = byName.get(sel.slice(0, dot))?.members.find((m) => m.name === sel.slice(dot + 1));
          expect(dwarf.field(sel)).toEqual({ type: sel.slice(0, dot), field: sel.slice(dot + 1), offset: want?.offset ?? null, size: want?.size ?? null });
        }
        expect(dwarf.field('net/http.Request.ctx').offset).not.toBeNull();
        // The whole-binary comparison checks Go's embedded-field flag only if some member carries it.
        expect(oracle.some((st) => st.members.some((m) => m.embedded))).toBe(true);
        const generic = oracle.find((st) => st.name.startsWith('main.Pair['));
        if (Number(p.toolchain.minor.split('.')[1]) >= 18) expect(generic).toBeDefined();
        if (generic) expect(dwarf.findStruct(generic.name)).toEqual(generic);
        expect(dwarf.findStruct('no/such.Type')).toBeUndefined();
        expect(dwarf.field('no/such.Type.f')).toEqual({ type: 'no/such.Type', field: 'f', offset: null, size: null });
        // Go's linker emits types into the runtime units: a lookup skims some of those and no unrelated unit,
        // and a second lookup in the same struct skims nothing more.
        const fresh = Dwarf.fromElf(elf);
        fresh.field('net/http.Request.ctx');
        const after = fresh.stats();
        expect(after.unitsSkimmed).toBeGreaterThanOrEqual(1);
        expect(after.unitsSkimmed).toBeLessThanOrEqual(after.runtimeUnits);
        expect(after.unitsSkimmed).toBeLessThan(after.units / 4);
        fresh.field('net/http.Request.Method');
        expect(fresh.stats().unitsSkimmed).toBe(after.unitsSkimmed);
        // Go 1.23 on numbers its structure_type abbreviations below 0x20: the byte search is sure there, and no unit is walked.
        if (Number(p.toolchain.minor.split('.')[1]) >= 23) expect(after.unitsWalked).toBe(0);
        // A type that no unit has: a byte search of the unit Go's linker wrote the types into, then one of the
        // whole section, sure from Go 1.23 on without C units of their own tables, and nothing walked; otherwise
        // only the units that may hold types (that unit, and those of other producers such as cgo's C).
        const miss = Dwarf.fromElf(elf);
        expect(miss.findStruct('no/such/package.Type')).toBeUndefined();
        const missed = miss.stats();
        const sure = Number(p.toolchain.minor.split('.')[1]) >= 23 && p.variant !== 'external';
        expect(missed.unitsSkimmed).toBeGreaterThanOrEqual(1);
        if (sure) expect(missed).toMatchObject({ unitsSkimmed: 1, unitsWalked: 0 });
        expect(missed.unitsSkimmed).toBeLessThan(p.variant === 'external' ? missed.units / 4 : 2);
      });

      // Where the byte search is sure (Go 1.23 on), in a position-dependent and a PIE layout; older Go only walks.
      const searchable = Number(p.toolchain.minor.split('.')[1]) >= 23 && (p.variant === 'plain' || p.variant === 'pie');
      if (searchable) it('every struct the oracle names, looked up one by one, equals the oracle (byte search or walk)', async () => {
        const [oracle, elf] = await Promise.all([runOracle(p.toolchain, p.path), ElfFile.open(p.path)]);
        // Names Go gives to more than one struct (function-local types of one name) answer with the first: left out.
        const count = new Map<string, number>();
        for (const s of oracle) count.set(s.name, (count.get(s.name) ?? 0) + 1);
        const unique = oracle.filter((s) => count.get(s.name) === 1);
        expect(unique.length).toBeGreaterThan(100);
        const dwarf = Dwarf.fromElf(elf);
        for (const want of unique) {
          const got = dwarf.findStruct(want.name);
          if (JSON.stringify(got) !== JSON.stringify(want)) expect(got, want.name).toEqual(want);
        }
      });
    });
  }

  for (const p of strippedProbes) {
    it(`${p.toolchain.version} ${p.variant}: ERR_NO_DWARF`, async () => {
      const elf = await ElfFile.open(p.path);
      expect(Dwarf.hasDwarf(elf)).toBe(false);
      expect(() => Dwarf.fromElf(elf)).toThrow(expect.objectContaining({ code: 'ERR_NO_DWARF' }));
    });
  }
});

describe('DWARF 2-5 forms and compression (gcc output; oracle: Go debug/dwarf)', () => {
  for (const variant of Object.keys(cVariants) as Array<keyof typeof cVariants>) {
    it(variant, async () => {
      const path = await cProbe(variant);
      const [oracle, elf] = await Promise.all([runOracle(oracleToolchain, path), ElfFile.open(path)]);
      const dwarf = Dwarf.fromElf(elf);
      const ours = dwarf.structs();
      expect(oracle.map((s) => s.name)).toEqual(expect.arrayContaining(['node', 'point', 'holder']));
      expect(differences(ours, oracle)).toEqual([]);
      expect(Dwarf.fromElf(elf).field('node.at')).toEqual({ type: 'node', field: 'at', offset: 16, size: 64 });
      expect(() => dwarf.field('node')).toThrow(GobinError);
    });
  }
});
