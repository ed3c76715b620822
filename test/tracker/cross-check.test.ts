// The tracker's cross-check of the type-descriptor reader against the DWARF reading of
// the same build: on every probe with DWARF of the matrix it finds no disagreement; a
// disagreement names the field and both values; and in a real run (one toolchain, one
// arch, std) a disagreement fails the job and shows in the summary.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../tracker/config.js';
import { crossCheckDescriptors } from '../../tracker/cross-check.js';
import { readProbe } from '../../tracker/read.js';
import { probeBinaries } from '../support/probes.js';
import { dirSources, matrix, stdConfig, tempDir } from './tracker-helpers.js';

const probes = (await probeBinaries()).filter((p) => !p.stripped);
const std = (await loadConfig()).modules.find((m) => m.module === 'std')!;
const selectors = std.fields.map((f) => f.selector);

describe('descriptors = DWARF of the same build, for the tracked structs', () => {
  for (const p of probes) {
    it(`${p.toolchain.version} ${p.variant}`, async () => {
      const reading = await readProbe(p.path, selectors);
      const cross = await crossCheckDescriptors(p.path, reading);
      expect(cross.problems).toEqual([]);
      expect(cross.skipped).toBeUndefined();
      expect(cross.compared).toBeGreaterThan(8);
    });
  }

  it('a disagreement names the field and both values', async () => {
    const p = probes[probes.length - 1];
    const reading = await readProbe(p.path, selectors);
    const req = reading.structs.get('net/http.Request')!;
    const ctx = req.members.find((m) => m.name === 'ctx')!;
    const real = ctx.offset!;
    ctx.offset = real + 8;
    const cross = await crossCheckDescriptors(p.path, reading);
    expect(cross.problems).toEqual([`net/http.Request.ctx: offset ${real} size 16 from type descriptors, offset ${real + 8} size 16 from DWARF`]);
  });
});

describe('in a tracker run', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a disagreement fails the job and shows in the summary', async () => {
    // A tracker whose cross-check always disagrees, in a module graph of its own: test files share
    // their worker (vitest.config.ts, isolate: false), so the graph is reset again afterwards and no
    // other file imports this one's mocked tracker.
    vi.resetModules();
    vi.doMock('../../tracker/cross-check.js', () => ({
      crossCheckDescriptors: async () => ({ compared: 1, problems: ['net/http.Request.ctx: offset 232 size 16 from type descriptors, offset 240 size 16 from DWARF'] }),
    }));
    let result;
    try {
      const { runTracker } = await import('../../tracker/run.js');
      const tcs = await matrix();
      dir = await tempDir('cross-check');
      const { config } = await stdConfig(dir);
      result = await runTracker({ config, sources: dirSources([tcs[tcs.length - 1]]), archs: ['amd64'], out: join(dir, 'offsets.json'), force: true });
    } finally {
      vi.doUnmock('../../tracker/cross-check.js');
      vi.resetModules();
    }
    expect(result.exitCode).toBe(2);
    expect(result.stats.failed).toBe(1);
    expect(result.summary.failures.length).toBeGreaterThan(0);
    for (const f of result.summary.failures) expect(f).toMatch(/type descriptors disagree with DWARF \(a reader bug\): net\/http\.Request\.ctx: offset 232 size 16 from type descriptors, offset 240/);
  });
});
