// The tracker's one result cache (tracker/result-cache.ts) never trusts a file
// just because it is there: a truncated one, one in an older format (including
// the format before the envelope) and one of the wrong shape are each reported
// once and rebuilt, for a planned std job and for a Debian module job alike,
// and the rebuilt result is the same as the first.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUnusableCacheReporter, reportUnusableCache } from '../../common/json-cache.js';
import { debianMirror } from '../../debian/mirror.js';
import { newIndexCache } from '../../debian/packages.js';
import { loadConfig, fieldsAt, type TrackerConfig } from '../../tracker/config.js';
import { debianModuleObservations } from '../../tracker/debian-modules/observe.js';
import { jobEntry } from '../../tracker/plan.js';
import { readResult } from '../../tracker/result-cache.js';
import { runTracker } from '../../tracker/run.js';
import { MIRROR_ENV } from '../support/toolchains.js';
import { matrix, stdConfig, tempDir } from './tracker-helpers.js';

const reports: string[] = [];
const original = reportUnusableCache;
beforeAll(() => setUnusableCacheReporter((path, why) => reports.push(`${path}: ${why}`)));
afterAll(() => setUnusableCacheReporter(original));

/** Damaged versions of a good cache file's text. */
function corruptions(good: string): Record<string, string> {
  const env = JSON.parse(good) as { cache: string; format: number; data: unknown };
  return {
    truncated: good.slice(0, Math.floor(good.length / 2)),
    'older format': JSON.stringify({ ...env, format: env.format - 1 }),
    'before the envelope': JSON.stringify(Object.fromEntries((env.data as { readings: { field: string; result: unknown }[] }).readings.map((r) => [r.field, r.result]))),
    'wrong shape': JSON.stringify({ ...env, data: { readings: [{ field: 'x', result: { status: 'ok', offset: -1 } }], probes: {} } }),
  };
}

describe('std job results', () => {
  let dir: string;
  let config: TrackerConfig;
  beforeAll(async () => {
    dir = await tempDir('result-cache');
    config = (await stdConfig(dir)).config;
  });

  it('each damaged result file is reported once and rebuilt, with the same table', async () => {
    const tc = (await matrix())[0];
    const opts = (name: string) => ({ config, sources: [`dir:${tc.goroot}`], moduleSources: [], archs: ['amd64' as const], base: join(dir, 'none.json'), out: join(dir, name) });
    const first = await runTracker(opts('first.json'));
    expect(first.exitCode).toBe(0);
    const std = config.modules.find((m) => m.module === 'std')!;
    const entry = jobEntry('std', tc.version, 'amd64', fieldsAt(std, tc.version).map((f) => f.selector));
    const good = await readFile(entry.file, 'utf8');
    reports.length = 0;
    for (const [what, text] of Object.entries(corruptions(good))) {
      await writeFile(entry.file, text);
      const again = await runTracker(opts(`${what}.json`));
      expect({ what, built: again.stats.built, fromCache: again.stats.fromCache }).toEqual({ what, built: 1, fromCache: 0 });
      expect(again.text).toBe(first.text);
      expect(await readResult(entry)).toBeDefined();
    }
    // Reported once per file and process (common/json-cache.ts), not once per damage.
    expect(reports).toEqual([expect.stringContaining(entry.file)]);
  });
});

describe('Debian module job results', () => {
  it('each damaged result file is reported once and rebuilt, with the same observations', async () => {
    const mirror = await debianMirror({ override: process.env[MIRROR_ENV] });
    // One index cache for the five runs: the suite's Packages index is read once, not five times.
    const opts = { config: await loadConfig(), mirror, suites: ['sid'], archs: ['amd64' as const], modules: ['github.com/segmentio/kafka-go'], indexes: newIndexCache() };
    const first = await debianModuleObservations(opts);
    expect(first.builds.map((b) => b.error ?? 'ok')).toEqual(['ok']);
    // The probe sits beside the result it belongs to: tracker/probes/<key>-<arch>, tracker/results/<key>.json.
    const probe = first.builds[0].binaries.amd64!;
    const file = join(probe, '..', '..', 'results', `${probe.split('/').pop()!.replace(/-amd64$/, '')}.json`);
    const good = await readFile(file, 'utf8');
    const damaged = corruptions(good);
    const detail = JSON.parse(good) as { data: { detail: Record<string, unknown> } };
    damaged['wrong detail'] = JSON.stringify({ ...detail, data: { ...detail.data, detail: { ...detail.data.detail, chosen: 'everything' } } });
    reports.length = 0;
    // The damages the std job's file went through are the shared cache helper's: here one of them, and
    // the one only a Debian module result can have.
    for (const what of ['truncated', 'wrong detail']) {
      await writeFile(file, damaged[what]);
      const again = await debianModuleObservations(opts);
      expect({ what, fromCache: again.builds[0].fromCache, error: again.builds[0].error }).toEqual({ what, fromCache: false, error: undefined });
      expect(again.observations).toEqual(first.observations);
      const cached = await debianModuleObservations(opts);
      expect(cached.builds[0].fromCache).toBe(true);
    }
    expect(reports).toEqual([expect.stringContaining(file)]);
  });
});
