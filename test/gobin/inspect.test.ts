// `offsets inspect`, run as a process: the JSON contract other tools rely on, checked
// against `go version -m` and the probe's known build flags; text output; bad input exits non-zero.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildInspectReport } from '../../cli/commands/inspect-report.js';
import { GoBinary } from '../../gobin/index.js';
import { probeBinaries } from '../support/probes.js';
import { goVersionM } from '../oracle/buildinfo/goversion.js';
import { offsetsCli as offsets, repoRoot as root, requireFreshBuild } from '../support/built-cli.js';

const probes = await probeBinaries();
requireFreshBuild('dist/cli/commands/inspect.js', ['cli/offsets.ts', 'cli/commands/inspect.ts', 'gobin/binary.ts', 'gobin/buildinfo.ts', 'gobin/pclntab.ts']);

describe('offsets inspect --json', () => {
  // As a process for one variant of each toolchain (a start costs a few hundred ms of CPU); the
  // report the process prints is buildInspectReport's, checked in-process for every other probe.
  const asProcess = new Set(probes.filter((p, i) => probes.findIndex((q) => q.toolchain.version === p.toolchain.version) === i));
  for (const p of probes) {
    it(`${p.toolchain.version} ${p.variant}${asProcess.has(p) ? ' (as a process)' : ''}`, async () => {
      let got: unknown;
      if (asProcess.has(p)) {
        // --no-table: the contract without the table section, whether or not the package has its table yet.
        const r = await offsets('inspect', p.path, '--json', '--no-table');
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        got = JSON.parse(r.stdout);
      } else {
        got = JSON.parse(JSON.stringify(await buildInspectReport(await GoBinary.open(p.path))));
      }
      const want = await goVersionM(p.toolchain, p.path);
      expect(got).toEqual({
        goVersion: want.goVersion,
        arch: p.arch,
        pie: p.pie,
        stripped: p.stripped,
        main: want.main && { path: want.main.path, version: want.main.version },
        modules: want.modules,
        settings: want.settings,
      });
    });
  }
});

describe('offsets inspect --funcs', () => {
  const sample = probes.filter((p) => p.variant === 'stripped' || p.variant === 'arm64-stripped' || p.variant === 'pie');
  for (const p of sample) {
    it(`${p.toolchain.version} ${p.variant}: uprobe offsets of net/http.serverHandler.ServeHTTP`, async () => {
      const r = await offsets('inspect', p.path, '--funcs', '^net/http\\.serverHandler\\.ServeHTTP$', '--json');
      expect(r.code, r.stderr).toBe(0);
      const { functions } = JSON.parse(r.stdout);
      expect(functions).toHaveLength(1);
      const bin = await GoBinary.open(p.path);
      const fn = bin.functions().find((f) => f.name === 'net/http.serverHandler.ServeHTTP')!;
      expect(functions[0]).toEqual({ name: fn.name, entry: `0x${fn.entry.toString(16)}`, fileOffset: fn.fileOffset, returns: bin.returnSites(fn) });
      expect(bin.elf.fileOffsetToVaddr(functions[0].fileOffset)).toBe(parseInt(functions[0].entry, 16));
      expect(functions[0].returns.length).toBeGreaterThan(0);
      for (const ret of functions[0].returns) {
        expect(ret).toBeGreaterThan(fn.fileOffset);
        expect(ret).toBeLessThan(fn.fileOffset + (fn.end - fn.entry));
      }
    });
  }
});

describe('offsets inspect, text and errors', () => {
  const p = probes.find((q) => q.variant === 'stripped')!;
  it('prints readable text without --json', async () => {
    const r = await offsets('inspect', p.path, '--no-table');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Go version  ${p.toolchain.version}`);
    expect(r.stdout).toContain('stripped    yes');
    const f = await offsets('inspect', p.path, '--funcs', 'serverHandler\\.ServeHTTP$');
    expect(f.stdout).toMatch(/^net\/http\.serverHandler\.ServeHTTP\n {2}entry 0x[0-9a-f]+ {2}file offset 0x[0-9a-f]+\n {2}returns 0x/m);
  });
  it('--help works', async () => {
    const r = await offsets('inspect', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--funcs <regexp>');
  });
  it('a non-ELF file exits 1 with ERR_NOT_ELF', async () => {
    const r = await offsets('inspect', join(root, 'package.json'), '--json');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/ERR_NOT_ELF/);
  });
  it('a missing file exits 1 with ERR_OPEN, as in `offsets dwarf`', async () => {
    const r = await offsets('inspect', join(root, 'no-such-binary'), '--json');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`offsets: ERR_OPEN: ${join(root, 'no-such-binary')}: cannot read: ENOENT\n`);
  });
  it('a non-Go ELF exits 1 with ERR_NOT_GO', async () => {
    const r = await offsets('inspect', '/bin/true', '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ERR_NOT_GO/);
  });
  it('an invalid --funcs pattern is a typed error', async () => {
    const r = await offsets('inspect', p.path, '--funcs', '(', '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/invalid regular expression/);
  });
});
