// The type-descriptor reader against Go's own debug/dwarf (test/oracle/dwarf) on the
// unstripped twin of each probe: every struct present in both, on every probe of the
// matrix (plain, stripped, pie, external, arm64, arm64-stripped of every toolchain).
import { describe, expect, it } from 'vitest';
import { GoBinary } from '../../gobin/index.js';
import { runOracle } from '../oracle/dwarf/oracle.js';
import { compareWithDwarf } from '../oracle/types/compare.js';
import { probeBinaries, type ProbeBinary } from '../support/probes.js';
import { matrixToolchains } from '../support/toolchains.js';

const probes = await probeBinaries();

/** The build with DWARF that a probe is the twin of: itself, or the same toolchain's unstripped build of the same arch. */
function twinOf(p: ProbeBinary): ProbeBinary {
  if (!p.stripped) return p;
  const variant = p.variant === 'stripped' ? 'plain' : 'arm64';
  const twin = probes.find((q) => q.toolchain.version === p.toolchain.version && q.variant === variant);
  if (!twin) throw new Error(`no ${variant} twin of ${p.toolchain.version} ${p.variant}`);
  return twin;
}

const minor = (p: ProbeBinary) => Number(p.toolchain.minor.split('.')[1]);

describe('type descriptors = Go debug/dwarf of the unstripped twin, every struct in both', () => {
  it('covers the whole matrix in every variant', async () => {
    const versions = new Set((await matrixToolchains()).map((t) => t.version));
    expect(new Set(probes.map((p) => p.toolchain.version))).toEqual(versions);
    expect(new Set(probes.map((p) => p.variant))).toEqual(new Set(['plain', 'stripped', 'pie', 'external', 'arm64', 'arm64-stripped']));
  });

  for (const p of probes) {
    it(`${p.toolchain.version} ${p.variant}`, async () => {
      const twin = twinOf(p);
      const [dwarf, bin] = await Promise.all([runOracle(twin.toolchain, twin.path), GoBinary.open(p.path)]);
      expect(bin.stripped).toBe(p.stripped);
      const td = bin.types();
      const structs = td.structs();
      const cmp = compareWithDwarf(structs, dwarf);
      expect(cmp.differences).toEqual([]);
      // Most of the descriptors' structs are in DWARF too (DWARF drops some unused ones and
      // names function-local ones with a suffix, `headerBudget·1`).
      expect(cmp.compared).toBeGreaterThan(400);
      expect(cmp.onlyTypes.length).toBeLessThan(cmp.compared / 10);
      // The structs the agent reads, an embedded struct and an embedded pointer, a generic instantiation.
      for (const sel of ['net/http.Request.ctx', 'runtime.g.goid', 'net/url.URL.Path', 'main.Handler.Hits']) {
        expect(td.field(sel).offset, sel).not.toBeNull();
      }
      expect(td.findStruct('net.TCPConn')?.members.find((m) => m.name === 'conn')?.embedded).toBe(true);
      expect(td.findStruct('net/http.transportRequest')?.members.find((m) => m.name === 'Request')?.embedded).toBe(true);
      // Generic instantiations keep their full names (type arguments with import paths), as DWARF has them.
      const generic = structs.filter((s) => s.name.includes('[') && dwarf.some((d) => d.name === s.name));
      if (minor(p) >= 21) expect(generic.map((s) => s.name)).toContain('sync/atomic.Pointer[net/http.response]');
      expect(td.field('no/such.Type.f')).toEqual({ type: 'no/such.Type', field: 'f', offset: null, size: null, missing: 'no-descriptor' });
      expect(td.field('net/http.Request.nonexistent').missing).toBe('no-field');
      // How the module data was found: the types area and its lists (sequential in 1.27).
      expect(td.layout.minor).toBe(minor(p));
      expect(td.moduleData.sequential !== undefined).toBe(minor(p) >= 27);
      // The targeted read (the agent's: a few structs by name, no walk of the graph) answers
      // exactly as the whole walk for every struct it can look up by name, ambiguous ones included;
      // a generic instantiation falls back to the walk.
      const byName = [...structs.map((s) => s.name), ...td.ambiguous().keys()].filter((n) => !/[[\] ]/.test(n));
      expect(byName.length).toBeGreaterThan(400);
      const targeted = GoBinary.fromElf(bin.elf).typesOf(byName);
      for (const name of byName) {
        expect({ name, s: targeted.findStruct(name), ambiguous: targeted.ambiguous().get(name) }).toEqual({ name, s: td.findStruct(name), ambiguous: td.ambiguous().get(name) });
      }
      const few = GoBinary.fromElf(bin.elf).typesOf(['runtime.g', 'net/http.Request', 'net/url.URL']);
      expect(few.structs().map((s) => s.name)).toEqual(['net/http.Request', 'net/url.URL', 'runtime.g']);
      expect(few.descriptorCount).toBeLessThan(td.descriptorCount / 10); // those structs and their fields' types only
      for (const sel of ['net/http.Request.ctx', 'runtime.g.goid', 'net/url.URL.Path']) expect(few.field(sel)).toEqual(td.field(sel));
      if (generic.length) expect(GoBinary.fromElf(bin.elf).typesOf([generic[0].name]).findStruct(generic[0].name)).toEqual(generic[0]);
      if (p.stripped) {
        // The stripped build's descriptors are the unstripped twin's, struct for struct.
        expect(structs).toEqual((await GoBinary.open(twin.path)).types().structs());
      }
    });
  }
});
