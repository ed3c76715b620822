// End to end: `run` over every toolchain of the test matrix (dir: sources), both arches.
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lookup, tableObservations, type OffsetsTable } from '../../offsets/index.js';
import type { Arch } from '../../offsets/observation.js';
import { fieldsAt, type TrackerConfig } from '../../tracker/config.js';
import { probeCachePath, runTracker, type RunResult } from '../../tracker/run.js';
import type { Toolchain } from '../support/toolchains.js';
import { dwarfTruth } from './debian-modules-oracle/oracle.js';
import { dirSources, matrix, stdConfig, tempDir } from './tracker-helpers.js';

const ARCHS: Arch[] = ['amd64', 'arm64'];
let tcs: Toolchain[];
let config: TrackerConfig;
let dir: string;
let result: RunResult;
let brokenGoroot: string;

beforeAll(async () => {
  tcs = await matrix();
  dir = await tempDir('run');
  config = (await stdConfig(dir)).config;
  // A GOROOT whose go command is broken: its jobs must fail, the others must be kept.
  brokenGoroot = join(dir, 'broken-go');
  await mkdir(join(brokenGoroot, 'bin'), { recursive: true });
  await writeFile(join(brokenGoroot, 'VERSION'), 'go1.18.10\n');
  await writeFile(join(brokenGoroot, 'bin', 'go'), '#!/bin/sh\necho "this toolchain is broken" >&2\nexit 3\n');
  await chmod(join(brokenGoroot, 'bin', 'go'), 0o755);
  result = await runTracker({ config, sources: [...dirSources(tcs), `dir:${brokenGoroot}`], archs: ARCHS, out: join(dir, 'offsets.json') });
});

function value(table: OffsetsTable, field: string, go: string, arch: Arch): number | null | 'failed' | undefined {
  const o = tableObservations(table).find((x) => x.field === field && x.version === go && x.arch === arch);
  if (!o) return undefined;
  return o.result.status === 'ok' ? o.result.offset : o.result.status === 'absent' ? null : 'failed';
}

describe('offsets-tracker run over the test matrix', () => {
  it('scans every toolchain on both arches; a broken toolchain is recorded as failed and the rest is kept', () => {
    expect(result.exitCode).toBe(2);
    expect(result.stats.jobs).toBe((tcs.length + 1) * 2);
    const versions = new Set(tableObservations(result.table).map((o) => o.version));
    for (const tc of tcs) expect(versions, tc.version).toContain(tc.version);
    for (const arch of ARCHS) {
      expect(value(result.table, 'runtime.g.goid', 'go1.18.10', arch)).toBe('failed');
      for (const tc of tcs) expect(typeof value(result.table, 'runtime.g.goid', tc.version, arch), `${tc.version} ${arch}`).toBe('number');
    }
    expect(result.summary.failures.some((f) => f.includes('go1.18.10') && f.includes('this toolchain is broken'))).toBe(true);
  });

  it('records fields a version lacks as absent (pattern before Go 1.22, hmap from Go 1.24 on)', () => {
    for (const tc of tcs) {
      const minor = Number(tc.minor.split('.')[1]);
      const pat = value(result.table, 'net/http.pattern.str', tc.version, 'amd64');
      // Out of the field's bounds nothing is measured; within them it is a value.
      expect(pat, tc.version).toBe(minor >= 22 ? (pat as number) : undefined);
      if (minor >= 22) expect(typeof pat).toBe('number');
      const hmap = value(result.table, 'runtime.hmap.buckets', tc.version, 'amd64');
      expect(hmap, tc.version).toBe(minor >= 24 ? null : hmap);
      if (minor < 24) expect(typeof hmap).toBe('number');
    }
  });

  it("the table's offsets equal Go's debug/dwarf reading of the probe each job kept", async () => {
    // The probes the run measured (the result cache keeps each job's binary): no second build of
    // them here. The oracle is Go's own debug/dwarf, not the project's reader.
    const std = config.modules[0];
    let checked = 0;
    for (const tc of tcs) {
      for (const arch of ARCHS) {
        const selectors = fieldsAt(std, tc.version).map((f) => f.selector);
        const probe = probeCachePath('std', tc.version, arch, selectors);
        expect(existsSync(probe), `${tc.version} ${arch}: ${probe}`).toBe(true);
        const truth = await dwarfTruth(probe, selectors);
        for (const selector of selectors) {
          const r = lookup(result.table, { field: selector, go: tc.version, arch, policy: 'exact' });
          const got = r.status === 'scanned' ? r.offset : r.status === 'absent' ? null : r.status;
          expect(got, `${tc.version} ${arch} ${selector}`).toBe(truth[selector]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(200);
  });
});
