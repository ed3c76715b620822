// Build information read by gobin equals what `go version -m` (same toolchain) prints,
// for every probe binary of the matrix, and for a probe with a replaced dependency per toolchain.
import { describe, expect, it } from 'vitest';
import { GoBinary } from '../../gobin/index.js';
import { probeBinaries } from '../support/probes.js';
import { goVersionM } from '../oracle/buildinfo/goversion.js';
import { replaceProbe } from '../oracle/buildinfo/replace-probe.js';
import { matrixToolchains } from '../support/toolchains.js';

const probes = await probeBinaries();
const toolchains = await matrixToolchains();

describe('buildinfo vs go version -m', () => {
  it('has probes to check', () => {
    expect(probes.length, 'no probe binaries: the toolchain matrix or the probe build is missing').toBeGreaterThan(0);
  });
  for (const p of probes) {
    it(`${p.toolchain.version} ${p.variant}`, async () => {
      const bin = await GoBinary.open(p.path);
      const got = bin.buildInfo();
      const want = await goVersionM(p.toolchain, p.path);
      expect(want.goVersion).toBe(p.toolchain.version);
      expect(got.goVersion).toBe(want.goVersion);
      expect(got.path).toBe(want.path);
      expect(got.main).toEqual(want.main);
      expect(got.modules).toEqual(want.modules);
      expect(got.settings).toEqual(want.settings);
    });
  }
});

// The shared probe has no dependencies: a replaced one comes from test/oracle/buildinfo/probe.
describe('a replaced dependency vs go version -m', () => {
  for (const tc of toolchains) {
    it(tc.version, async () => {
      const path = await replaceProbe(tc);
      const got = (await GoBinary.open(path)).buildInfo();
      const want = await goVersionM(tc, path);
      expect(got.goVersion).toBe(want.goVersion);
      expect(got.main).toEqual(want.main);
      expect(got.modules).toEqual(want.modules);
      expect(got.settings).toEqual(want.settings);
      // The "=>" line must have been read.
      expect(got.modules.find((m) => m.path === 'example.com/goffsets/dep')?.replace).toMatchObject({ path: './dep', replace: null });
    });
  }
});
