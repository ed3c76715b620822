// Tracker benchmark: a full run over the Debian toolchains (std, default config), per-version
// download / build / read split, the same run with --concurrency 1 as a ratio, and a rerun with
// nothing new (target < 5 s). Uses a private cache root so that the first run is really cold.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

export async function run(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'tracker-bench-'));
  process.env.GO_OFFSETS_CACHE ??= join(work, 'cache');
  const { defaultConfigPath, loadConfig } = await import('../tracker/config.js');
  const { runTracker } = await import('../tracker/run.js');
  const doc = JSON.parse(await readFile(defaultConfigPath, 'utf8')) as { modules: { module: string }[] };
  doc.modules = doc.modules.filter((m) => m.module === 'std');
  await writeFile(join(work, 'config.json'), JSON.stringify(doc));
  const config = await loadConfig(join(work, 'config.json'));
  const base = { config, sources: ['debian'], archs: ['amd64', 'arm64'] as ('amd64' | 'arm64')[] };

  const timed = async (label: string, opts: Parameters<typeof runTracker>[0]) => {
    const t = performance.now();
    const r = await runTracker(opts);
    const s = (performance.now() - t) / 1000;
    console.log(`${label}: ${s.toFixed(1)} s wall, ${r.stats.jobs} jobs, ${r.stats.built} built, ${r.stats.fromTable} from the table, ${r.stats.fromCache} from the cache, ${r.stats.failed} failed`);
    return { s, r };
  };

  const full = await timed(`full run, cold caches, --concurrency ${availableParallelism()}`, { ...base, out: join(work, 'full.json') });
  console.log('\n| job | download s | build s | read s |\n| --- | ---: | ---: | ---: |');
  for (const t of [...full.r.stats.timings].sort((a, b) => a.job.localeCompare(b.job))) {
    console.log(`| ${t.job} | ${(t.downloadMs / 1000).toFixed(1)} | ${(t.buildMs / 1000).toFixed(1)} | ${(t.readMs / 1000).toFixed(2)} |`);
  }
  // Same jobs, warm toolchain and build caches: the ratio isolates the effect of parallelism.
  const par = await timed(`--force, warm caches, --concurrency ${availableParallelism()}`, { ...base, out: join(work, 'par.json'), force: true });
  const seq = await timed('--force, warm caches, --concurrency 1', { ...base, out: join(work, 'seq.json'), force: true, concurrency: 1 });
  console.log(`concurrency 1 / concurrency ${availableParallelism()}: ${(seq.s / par.s).toFixed(2)}x`);
  const rerun = await timed('rerun, nothing new', { ...base, out: join(work, 'full.json') });
  console.log(`rerun target < 5 s: ${rerun.s < 5 ? 'met' : 'MISSED'}`);
}
