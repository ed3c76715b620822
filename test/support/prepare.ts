// The suite's expensive shared builds, done through the tracker itself so that
// the tests reuse exactly the product's caches: the std probe of every matrix
// toolchain on both arches (test/tracker/run, shard, repo-table), and every
// Debian module build of the default config (test/tracker/debian-modules,
// repo-table). Cached results make a second call cheap.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IndexCache } from '../../debian/packages.js';
import { loadConfig } from '../../tracker/config.js';
import { debianModuleObservations } from '../../tracker/debian-modules/observe.js';
import { createProgress } from '../../tracker/progress.js';
import { runTracker } from '../../tracker/run.js';
import type { Toolchain } from './toolchains.js';
import { MIRROR_ENV } from './toolchains.js';

const log = (line: string) => process.stdout.write(`prepare:   ${line}\n`);

/** Runs the tracker's std jobs of the matrix (both arches) into a scratch table; returns the job count. */
export async function prepareTrackerStd(toolchains: Toolchain[]): Promise<number> {
  const config = await loadConfig();
  const scratch = await mkdtemp(join(tmpdir(), 'prepare-std-'));
  try {
    const res = await runTracker({
      config,
      sources: toolchains.map((tc) => `dir:${tc.goroot}`),
      moduleSources: [],
      archs: ['amd64', 'arm64'],
      out: join(scratch, 'offsets.json'),
      concurrency: 2,
      progress: createProgress({ tty: false, stream: process.stdout }),
    });
    if (res.exitCode !== 0) throw new Error(`the tracker's std jobs failed:\n${res.summary.failures.join('\n')}`);
    return res.stats.jobs;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Every Debian module build of the default config (both arches); fails naming the builds that failed. `indexes`: package indexes shared with other phases. */
export async function prepareDebianModules(indexes?: IndexCache): Promise<{ builds: number; built: number }> {
  const result = await debianModuleObservations({ config: await loadConfig(), mirror: process.env[MIRROR_ENV], log, indexes });
  const failed = result.builds.filter((b) => b.error);
  if (failed.length) throw new Error(`${failed.length} Debian module build(s) failed:\n${failed.map((b) => `${b.suite} ${b.package}: ${b.error}`).join('\n')}`);
  return { builds: result.builds.length, built: result.builds.filter((b) => !b.fromCache).length };
}
