// `offsets types` through the built launcher (bin/offsets.cjs → dist/bundle/): on the stripped
// probe of every toolchain (amd64 and arm64), `--all --json` equals Go's debug/dwarf
// reading of the unstripped twin for every struct in both. Needs `npm run build` first
// (scripts/setup.sh does it) and fails naming the stale files otherwise.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runOracle } from '../oracle/dwarf/oracle.js';
import { unescapedDwarfName } from '../oracle/types/compare.js';
import { offsetsCli as offsets, repoRoot as root, requireFreshBuild } from '../support/built-cli.js';
import { probeBinaries } from '../support/probes.js';
import { matrixToolchains } from '../support/toolchains.js';

const probes = await probeBinaries();

interface Row {
  type: string;
  field: string;
  offset: number | null;
  size: number | null;
  missing?: string;
}

beforeAll(() => {
  requireFreshBuild('dist/bundle/offsets.js', ['cli/commands/types.ts', ...readdirSync(join(root, 'gobin', 'types')).map((f) => `gobin/types/${f}`)]);
});

describe('offsets types --all --json on stripped binaries = Go debug/dwarf of the unstripped twin', async () => {
  const toolchains = await matrixToolchains();
  for (const tc of toolchains) {
    for (const [variant, twinVariant] of [['stripped', 'plain'], ['arm64-stripped', 'arm64']] as const) {
      it(`${tc.version} ${variant}`, async () => {
        const p = probes.find((q) => q.toolchain.version === tc.version && q.variant === variant)!;
        const twin = probes.find((q) => q.toolchain.version === tc.version && q.variant === twinVariant)!;
        expect(p.stripped && !twin.stripped).toBe(true);
        const [r, raw] = await Promise.all([offsets('types', p.path, '--all', '--json'), runOracle(tc, twin.path)]);
        const dwarf = raw.map((s) => ({ ...s, name: unescapedDwarfName(s.name) }));
        expect(r.code, r.stderr).toBe(0);
        const rows = JSON.parse(r.stdout) as Row[];
        const byType = new Map<string, Row[]>();
        for (const row of rows) byType.set(row.type, [...(byType.get(row.type) ?? []), row]);
        const count = new Map<string, number>();
        for (const s of dwarf) count.set(s.name, (count.get(s.name) ?? 0) + 1);
        let compared = 0;
        const differ: string[] = [];
        for (const s of dwarf) {
          const ours = byType.get(s.name);
          if (!ours || count.get(s.name) !== 1) continue;
          compared++;
          const want = s.members.map((m) => ({ type: s.name, field: m.name, offset: m.offset, size: m.size }));
          if (JSON.stringify(ours) !== JSON.stringify(want) && differ.length < 5) differ.push(`${s.name}: ${JSON.stringify(ours)} vs ${JSON.stringify(want)}`);
        }
        expect(differ).toEqual([]);
        expect(compared).toBeGreaterThan(400);
        // Few structs are in the descriptors but not in DWARF (DWARF drops some unused types, suffixes local ones).
        expect([...byType.keys()].filter((t) => !count.has(t)).length).toBeLessThan(compared / 10);
      });
    }
  }
});

describe('offsets types selectors and errors', () => {
  const stripped = () => probes.find((q) => q.variant === 'stripped')!;

  it('--json: answers, and nulls that say why', async () => {
    const r = await offsets('types', stripped().path, 'net/http.Request.ctx', 'net/http.Request.nope', 'no/such.Type.f', '--json');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Row[];
    expect(rows[0]).toMatchObject({ type: 'net/http.Request', field: 'ctx', size: 16 });
    expect(rows[0].offset).toBeGreaterThan(0);
    expect(rows.slice(1)).toEqual([
      { type: 'net/http.Request', field: 'nope', offset: null, size: null, missing: 'no-field' },
      { type: 'no/such.Type', field: 'f', offset: null, size: null, missing: 'no-descriptor' },
    ]);
  });

  it('text: a table with a note for what has no answer', async () => {
    const r = await offsets('types', stripped().path, 'runtime.g.goid', 'no/such.Type.f');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['TYPE', 'FIELD', 'OFFSET', 'SIZE', 'NOTE']);
    expect(lines[1]).toMatch(/^runtime\.g\s+goid\s+\d+\s+8$/);
    expect(lines[2]).toMatch(/^no\/such\.Type\s+f\s+-\s+-\s+no descriptor for this struct$/);
  });

  it('bad input: one line, a stable code, exit 1', async () => {
    for (const [args, code] of [
      [['types', stripped().path], 'ERR_USAGE'],
      [['types', stripped().path, 'nodot'], 'ERR_BAD_SELECTOR'],
      [['types', '/no/such/file', '--all'], 'ERR_OPEN'],
      [['types', '/bin/true', '--all'], 'ERR_NOT_GO'],
      [['types', join(root, 'package.json'), '--all'], 'ERR_NOT_ELF'],
    ] as const) {
      const r = await offsets(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^offsets: ${code}: .*\\n$`));
    }
  });
});
