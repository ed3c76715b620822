// Build information read by gobin equals what `go version -m` (same toolchain) prints,
// for every probe binary of the matrix.
import { describe, expect, it } from 'vitest';
import { GoBinary } from '../../gobin/index.js';
import { testProbes } from '../oracle/buildinfo/fallback-probes.js';
import { goVersionM } from '../oracle/buildinfo/goversion.js';

const probes = await testProbes();

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
      // The probe has a replaced dependency: the "=>" line must have been read.
      expect(got.modules.some((m) => m.replace !== null)).toBe(true);
    });
  }
});
