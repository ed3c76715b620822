// `offsets inspect BINARY --offsets`: every tracked field (tracker/config.default.json)
// that applies to the binary, with its offset and source. On the stripped probe of every
// toolchain every field whose struct Go's debug/dwarf finds in the unstripped twin is
// answered from the type descriptors with DWARF's offset; on the plain probe from DWARF.
// Through the built CLI: the JSON contract, a table that agrees and one that does not.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveOffsets, type OffsetAnswer } from '../../cli/commands/inspect-offsets.js';
import { GoBinary } from '../../gobin/index.js';
import { loadConfig, withinBounds } from '../../tracker/config.js';
import { runOracle } from '../oracle/dwarf/oracle.js';
import { offsetsCli as offsets, repoRoot as root, requireFreshBuild } from '../support/built-cli.js';
import { probeBinaries } from '../support/probes.js';
import { matrixToolchains } from '../support/toolchains.js';

const probes = await probeBinaries();
const toolchains = await matrixToolchains();
const config = await loadConfig();
const stdFields = config.modules.find((m) => m.module === 'std')!.fields;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inspect-offsets-'));
  requireFreshBuild('dist/bundle/offsets.js', ['cli/commands/inspect.ts', 'cli/commands/inspect-offsets.ts']);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('every tracked field of a stripped binary, from its type descriptors = DWARF of the twin', () => {
  for (const tc of toolchains) {
    for (const [variant, twinVariant] of [['stripped', 'plain'], ['arm64-stripped', 'arm64']] as const) {
      it(`${tc.version} ${variant}`, async () => {
        const p = probes.find((q) => q.toolchain.version === tc.version && q.variant === variant)!;
        const twin = probes.find((q) => q.toolchain.version === tc.version && q.variant === twinVariant)!;
        const [dwarf, report] = await Promise.all([runOracle(tc, twin.path), GoBinary.open(p.path).then((b) => resolveOffsets(b, config))]);
        expect(report.sources.dwarf).toBe(false);
        expect(report.sources.types).toHaveProperty('structs');
        const byField = new Map(report.offsets.map((o) => [o.field, o]));
        // Exactly the std fields whose bounds include this Go version (the probe links no tracked module).
        const applies = stdFields.filter((f) => withinBounds(tc.version, f)).map((f) => f.selector).sort();
        expect([...byField.keys()]).toEqual(applies);
        const structs = new Map(dwarf.map((s) => [s.name, s]));
        let answered = 0;
        for (const f of stdFields.filter((x) => applies.includes(x.selector))) {
          const o = byField.get(f.selector)!;
          const s = structs.get(`${f.pkg}.${f.type}`);
          if (!s) {
            // No struct in DWARF either (e.g. runtime.hmap after swiss maps): nobody answers, nothing is guessed.
            expect(o, f.selector).toMatchObject({ source: null, offset: null, status: 'unknown' });
            expect(o.message).toMatch(/no type descriptor in this binary/);
            continue;
          }
          const want = s.members.find((m) => m.name === f.field)?.offset ?? null;
          expect(o, f.selector).toMatchObject({ source: 'types', offset: want, status: want === null ? 'absent' : 'found', version: tc.version, module: 'std' });
          answered++;
        }
        expect(answered).toBeGreaterThan(20);
      });
    }
  }

  it('the plain probe answers from DWARF', async () => {
    const p = probes.find((q) => q.toolchain.version === toolchains[0].version && q.variant === 'plain')!;
    const report = await resolveOffsets(await GoBinary.open(p.path), config);
    expect(report.sources.dwarf).toBe(true);
    expect(report.offsets.find((o) => o.field === 'net/http.Request.ctx')).toMatchObject({ source: 'dwarf', status: 'found' });
  });
});

describe('offsets inspect --offsets (built CLI)', () => {
  const newest = () => probes.find((q) => q.toolchain.version === toolchains[toolchains.length - 1].version && q.variant === 'stripped')!;

  it('--json --no-table: every field with its source', async () => {
    const r = await offsets('inspect', newest().path, '--offsets', '--no-table', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { stripped: boolean; offsets: OffsetAnswer[]; offsetSources: unknown; fields?: unknown };
    expect(report.stripped).toBe(true);
    expect(report.fields).toBeUndefined();
    expect(report.offsets.length).toBeGreaterThan(20);
    for (const o of report.offsets) {
      expect(Object.keys(o).slice(0, 6)).toEqual(['field', 'module', 'version', 'offset', 'source', 'status']);
      expect(['types', null]).toContain(o.source);
    }
    expect(report.offsets.find((o) => o.field === 'net/http.Request.ctx')).toMatchObject({ source: 'types', status: 'found' });
  });

  it('--table: the table value beside the binary one; a disagreeing table value is reported, never used', async () => {
    const p = newest();
    const bin = await GoBinary.open(p.path);
    const ctx = bin.types().field('net/http.Request.ctx').offset!;
    const table = JSON.parse(await readFile(join(root, 'offsets', 'offsets.json'), 'utf8'));
    // Every run of net/http.Request.ctx moved by 8: the table now disagrees with the binary.
    const runs = table.modules.std.fields['net/http.Request.ctx'].runs as Array<[string, string, number | null]>;
    for (const r of runs) if (r[2] !== null) r[2] += 8;
    const file = join(dir, 'wrong.json');
    await writeFile(file, JSON.stringify(table));
    const r = await offsets('inspect', p.path, '--offsets', '--table', file, '--policy', 'nearest', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { offsets: OffsetAnswer[]; table: { path: string; policy: string } };
    expect(report.table).toEqual({ path: file, policy: 'nearest' });
    const o = report.offsets.find((x) => x.field === 'net/http.Request.ctx')!;
    expect(o).toMatchObject({ offset: ctx, source: 'types', status: 'found', agrees: false, table: { offset: ctx + 8, policy: 'nearest' } });
    const agreeing = report.offsets.filter((x) => x.agrees === true);
    expect(agreeing.length).toBeGreaterThan(10);
    for (const a of agreeing) expect(a.table!.offset).toBe(a.offset);
    const text = await offsets('inspect', p.path, '--offsets', '--table', file, '--policy', 'nearest');
    expect(text.stdout).toMatch(new RegExp(`DISAGREES net/http\\.Request\\.ctx: binary \\(types\\) ${ctx}, table ${ctx + 8}`));
    expect(text.stdout).toMatch(/\d+ fields: 0 from DWARF, \d+ from type descriptors, \d+ from the table, \d+ unknown, 1 where the table disagrees/);
  });
});
