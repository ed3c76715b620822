// The repository's table (offsets/offsets.json, as `npx offsets-tracker run`
// wrote it) against ground truth: every std offset of the default config, for
// every Go toolchain of the test matrix (the Debian archive's, one per minor
// line) and both arches, equals the DWARF of that toolchain's probe; every
// Debian module field equals the DWARF of its Debian module probe. The DWARF is
// read by Go's own debug/dwarf (test/tracker/debian-modules-oracle), not by the
// project's reader. Probes are the tracker's kept probe binaries
// (cacheRoot()/tracker/probes, cacheRoot()/debian-modules/results): with warm
// caches nothing is built.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debianMirror } from '../../debian/mirror.js';
import { defaultTablePath, loadTable, lookup, type OffsetsTable } from '../../offsets/index.js';
import type { Arch } from '../../offsets/observation.js';
import { fieldsAt, loadConfig, type TrackerConfig } from '../../tracker/config.js';
import { debianModuleObservations, type DebianModuleResult } from '../../tracker/debian-modules/observe.js';
import { probeCachePath, runTracker } from '../../tracker/run.js';
import { debianModulesOracle, dwarfTruth } from './debian-modules-oracle/oracle.js';
import { matrixToolchains, MIRROR_ENV, type Toolchain } from '../support/toolchains.js';

const ARCHS: Arch[] = ['amd64', 'arm64'];

function answer(table: OffsetsTable, field: string, arch: Arch, version: { go?: string; moduleVersion?: string }) {
  const r = lookup(table, { field, arch, policy: 'exact', ...version });
  return r.status === 'scanned' ? r.offset : r.status === 'absent' ? null : `${r.status}: ${r.message ?? ''}`;
}

let table: OffsetsTable;
let config: TrackerConfig;
let tcs: Toolchain[];
let scratch: string | undefined;

beforeAll(async () => {
  table = await loadTable(defaultTablePath());
  config = await loadConfig();
  tcs = await matrixToolchains();
  if (tcs.length === 0) throw new Error('prerequisite missing: no Go toolchain in the test matrix');
  await debianModulesOracle(); // built before the first comparison
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('offsets/offsets.json: std', () => {
  it('every std field of the default config, for every matrix toolchain and both arches, equals the DWARF of its probe', async () => {
    const std = config.modules.find((m) => m.module === 'std')!;
    const selectorsOf = (tc: Toolchain) => fieldsAt(std, tc.version).map((f) => f.selector);
    // Probes the tracker has not kept yet (a fresh cache): build them through the tracker, into a scratch table.
    const missing = tcs.filter((tc) => ARCHS.some((arch) => !existsSync(probeCachePath('std', tc.version, arch, selectorsOf(tc)))));
    if (missing.length) {
      scratch = await mkdtemp(join(tmpdir(), 'repo-table-'));
      const res = await runTracker({ config, sources: missing.map((tc) => `dir:${tc.goroot}`), moduleSources: [], archs: ARCHS, out: join(scratch, 'offsets.json'), force: true, concurrency: 2 });
      expect(res.exitCode).toBe(0);
    }
    let checked = 0;
    for (const tc of tcs) {
      const selectors = selectorsOf(tc);
      expect(selectors.length).toBeGreaterThan(10);
      expect(table.modules.std.versions.some((v) => v[0] === tc.version), `${tc.version} in the table`).toBe(true);
      for (const arch of ARCHS) {
        const truth = await dwarfTruth(probeCachePath('std', tc.version, arch, selectors), selectors);
        const got = Object.fromEntries(selectors.map((s) => [s, answer(table, s, arch, { go: tc.version })]));
        expect({ at: `${tc.version} ${arch}`, ...got }).toEqual({ at: `${tc.version} ${arch}`, ...truth });
        checked += selectors.length;
      }
    }
    // At least the well-known ones are values, not absent.
    expect(answer(table, 'net/http.Request.ctx', 'amd64', { go: tcs[tcs.length - 1].version })).toEqual(expect.any(Number));
    expect(checked).toBeGreaterThan(200);
  });
});

describe('offsets/offsets.json: modules from the Debian archive', () => {
  let result: DebianModuleResult;
  beforeAll(async () => {
    // With the caches warm this rebuilds nothing: it reads each suite's InRelease and the cached results.
    result = await debianModuleObservations({ config, mirror: await debianMirror({ override: process.env[MIRROR_ENV] }), archs: ARCHS });
  });

  it('every Debian module build succeeded, and the table lists each built version under its suite', () => {
    expect(result.builds.filter((b) => b.error).map((b) => `${b.suite} ${b.package}: ${b.error}`)).toEqual([]);
    expect(result.builds.length).toBeGreaterThanOrEqual(12);
    for (const b of result.builds) {
      for (const at of new Set(Object.values(b.recorded))) {
        const i = at.lastIndexOf('@');
        const versions = table.modules[at.slice(0, i)]?.versions ?? [];
        expect(versions.find((v) => v[0] === at.slice(i + 1))?.includes(`debian:${b.suite}`), `${at} debian:${b.suite}`).toBe(true);
      }
    }
  });

  it('every Debian module field in the table equals the DWARF of its probe, both arches', async () => {
    let checked = 0;
    for (const b of result.builds) {
      const selectors = Object.keys(b.recorded);
      expect(selectors.length, `${b.suite} ${b.package}`).toBeGreaterThan(0);
      for (const arch of ARCHS) {
        const binary = b.binaries[arch];
        expect(binary && existsSync(binary), `${b.suite} ${b.package} ${arch} probe`).toBe(true);
        const truth = await dwarfTruth(binary!, selectors);
        const got: Record<string, unknown> = {};
        for (const s of selectors) got[s] = answer(table, s, arch, { moduleVersion: b.recorded[s].slice(b.recorded[s].lastIndexOf('@') + 1) });
        expect({ at: `${b.suite} ${b.package} ${arch}`, ...got }).toEqual({ at: `${b.suite} ${b.package} ${arch}`, ...truth });
        checked += selectors.length;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('answers the grpc lookup of the README for v1.81.1 (sid)', () => {
    expect(answer(table, 'google.golang.org/grpc/internal/transport.Stream.id', 'amd64', { moduleVersion: 'v1.81.1' })).toEqual(expect.any(Number));
  });
});
