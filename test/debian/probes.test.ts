// The probe binaries: every toolchain builds every variant that variantsFor gives it, and each binary is what
// its variant promises, checked with binutils' readelf and `go version -m`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { probeBinaries, VARIANTS, variantsFor, type ProbeBinary } from '../support/probes.js';
import { goEnv, matrixToolchains } from '../support/toolchains.js';

const run = promisify(execFile);

async function readelf(args: string[], path: string): Promise<string> {
  return (await run('readelf', ['-W', ...args, path], { maxBuffer: 64 << 20 })).stdout;
}

describe('probe binaries', async () => {
  const probes = await probeBinaries();
  const matrix = await matrixToolchains();

  it('exist for every toolchain of the matrix in each of its variants, every variant in at least three toolchains', () => {
    const have = probes.map((p) => `${p.toolchain.version}/${p.variant}`).sort();
    expect(have).toEqual(matrix.flatMap((tc) => variantsFor(tc, matrix).map((v) => `${tc.version}/${v}`)).sort());
    for (const v of Object.keys(VARIANTS)) expect(new Set(probes.filter((p) => p.variant === v).map((p) => p.toolchain.version)).size, v).toBeGreaterThanOrEqual(Math.min(3, matrix.length));
    // The oldest and the newest toolchain have every variant.
    for (const tc of [matrix[0], matrix[matrix.length - 1]]) expect(variantsFor(tc, matrix).sort(), tc.version).toEqual(Object.keys(VARIANTS).sort());
  });

  const name = (p: ProbeBinary) => `${p.toolchain.version} ${p.variant}`;

  it('have the architecture, symbols, ELF type and linking their variant promises (readelf)', async () => {
    for (const p of probes) {
      const header = await readelf(['-h'], p.path);
      expect(header, name(p)).toContain(p.arch === 'arm64' ? 'AArch64' : 'X86-64');
      expect(header, name(p)).toMatch(p.pie ? /Type:\s+DYN/ : /Type:\s+EXEC/);
      const sections = await readelf(['-S'], p.path);
      expect(/\s\.symtab\s/.test(sections), `${name(p)} .symtab`).toBe(!p.stripped);
      expect(/\s\.(z)?debug_info\s/.test(sections), `${name(p)} DWARF`).toBe(!p.stripped);
      const dynamic = await readelf(['-d'], p.path);
      expect(/NEEDED.*libc\.so/.test(dynamic), `${name(p)} links libc`).toBe(p.variant === 'external');
    }
  });

  it('carry build info naming their toolchain and module (go version -m)', async () => {
    for (const p of probes) {
      const { stdout } = await run(p.toolchain.go, ['version', '-m', p.path], { env: goEnv(p.toolchain) });
      expect(stdout, name(p)).toContain(`: ${p.toolchain.version}\n`);
      expect(stdout, name(p)).toMatch(/\n\s+path\s+example\.com\/probe\n/);
    }
  });

  it('run (amd64): serve a request over loopback and report generics and cgo as built', async () => {
    for (const p of probes.filter((x) => x.arch === 'amd64')) {
      const { stdout } = await run(p.path, ['serve'], { timeout: 60_000 });
      const minor = Number(p.toolchain.minor.split('.')[1]);
      const generics = minor >= 18 ? 'generics=1' : 'generics=0';
      const cgo = p.variant === 'external' ? 'cgo=1' : 'cgo=0';
      expect(stdout, name(p)).toBe(`probe GET /hello\n${p.toolchain.version} ${generics} ${cgo}\n`);
    }
  });
});
