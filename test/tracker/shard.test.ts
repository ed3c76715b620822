// Sharded runs: each shard computes a partial table; merging them gives the unsharded table byte for byte.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tableObservations, loadTable } from '../../offsets/index.js';
import { mergePartials } from '../../tracker/merge.js';
import { jobKey, parseShard, runTracker, shardOf } from '../../tracker/run.js';
import { dirSources, matrix, stdConfig, tempDir } from './tracker-helpers.js';

describe('sharded runs', () => {
  it('merge of n shards equals the unsharded run byte for byte', async () => {
    const tcs = await matrix();
    const dir = await tempDir('shard');
    const { config } = await stdConfig(dir);
    const base = { config, sources: dirSources(tcs), archs: ['amd64', 'arm64'] as const };
    const whole = await runTracker({ ...base, archs: [...base.archs], out: join(dir, 'whole.json') });
    const n = 3;
    const partials: string[] = [];
    const seen = new Set<string>();
    for (let i = 1; i <= n; i++) {
      const out = join(dir, `partial-${i}.json`);
      const r = await runTracker({ ...base, archs: [...base.archs], out, base: join(dir, 'none.json'), shard: { index: i, count: n } });
      const keys = new Set(tableObservations(await loadTable(out)).map((o) => jobKey(o.module, o.version, o.arch)));
      for (const k of keys) {
        expect(seen.has(k), `${k} in two shards`).toBe(false);
        expect(shardOf(k, n)).toBe(i);
        seen.add(k);
      }
      expect(r.stats.jobs).toBe(keys.size);
      partials.push(out);
    }
    expect(seen.size).toBe(tcs.length * 2);
    const merged = await mergePartials(partials, join(dir, 'merged.json'));
    expect(merged).toBe(await readFile(join(dir, 'whole.json'), 'utf8'));
    expect(merged).toBe(whole.text);
  });

  it('parses i/n and rejects anything else', () => {
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    for (const bad of ['0/3', '4/3', '1/0', 'a/b', '1', '1/2/3']) expect(() => parseShard(bad), bad).toThrow(expect.objectContaining({ code: 'ERR_BAD_SHARD' }));
  });
});
