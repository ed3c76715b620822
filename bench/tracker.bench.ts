// Tracker benchmark, against the shared cache (toolchains and Go build caches
// warm, as on the machine that regenerates the table):
//  1. a full run over the Debian toolchains (std of the default config, both
//     arches), --force, into a scratch table: wall time and, per job, the
//     download / build / read split from runTracker's stats;
//  2. the same run with --concurrency 1, as a ratio;
//  3. a rerun with nothing new, as `npx offsets-tracker run` does it (default
//     config, go.dev + debian, module sources proxy + debian) over a scratch
//     copy of offsets/offsets.json: target < 5 s.
// The repository's table is never written. Machine load (uptime) is printed
// with the figures: the CPU is shared.
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();

export async function run(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'tracker-bench-'));
  try {
    const { loadConfig } = await import('../tracker/config.js');
    const { runTracker } = await import('../tracker/run.js');
    const { defaultTablePath } = await import('../offsets/index.js');
    const { createProgress } = await import('../tracker/progress.js');
    const config = await loadConfig();
    const cores = availableParallelism();
    const std = { config, sources: ['debian'], moduleSources: [], archs: ['amd64', 'arm64'] } as const satisfies Partial<Parameters<typeof runTracker>[0]>;

    const timed = async (label: string, opts: Parameters<typeof runTracker>[0]) => {
      console.log(`load before: ${uptime()}`);
      const t = performance.now();
      const r = await runTracker(opts);
      const s = (performance.now() - t) / 1000;
      console.log(`${label}: ${s.toFixed(1)} s wall, ${r.stats.jobs} jobs, ${r.stats.built} built, ${r.stats.fromTable} from the table, ${r.stats.fromCache} from the cache, ${r.stats.failed} failed, exit ${r.exitCode}`);
      return { s, r };
    };

    const par = await timed(`full run over the Debian toolchains, --force, --concurrency ${cores}`, { ...std, archs: [...std.archs], moduleSources: [], out: join(work, 'par.json'), force: true });
    console.log('\n| job | download s | build s | read s |\n| --- | ---: | ---: | ---: |');
    let d = 0, b = 0, rd = 0;
    for (const t of [...par.r.stats.timings].sort((x, y) => x.job.localeCompare(y.job))) {
      d += t.downloadMs; b += t.buildMs; rd += t.readMs;
      console.log(`| ${t.job} | ${(t.downloadMs / 1000).toFixed(2)} | ${(t.buildMs / 1000).toFixed(1)} | ${(t.readMs / 1000).toFixed(2)} |`);
    }
    console.log(`| total (summed over jobs) | ${(d / 1000).toFixed(1)} | ${(b / 1000).toFixed(1)} | ${(rd / 1000).toFixed(2)} |\n`);
    const seq = await timed('same run, --force, --concurrency 1', { ...std, archs: [...std.archs], moduleSources: [], out: join(work, 'seq.json'), force: true, concurrency: 1 });
    console.log(`concurrency 1 / concurrency ${cores}: ${(seq.s / par.s).toFixed(2)}x`);

    const scratch = join(work, 'rerun.json');
    await copyFile(defaultTablePath(), scratch);
    const progress = createProgress({ tty: false });
    const rerun = await timed('rerun with nothing new (default config, go.dev + debian, module sources proxy + debian)', { config, out: scratch, progress });
    progress.stop();
    const dm = rerun.r.stats.debianModules;
    if (dm) console.log(`  debian modules: ${dm.jobs} jobs, ${dm.skipped} not needed, ${dm.built} built, .debs downloaded ${dm.debsDownloaded}`);
    console.log(`rerun target < 5 s: ${rerun.s < 5 ? 'met' : 'MISSED'}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
