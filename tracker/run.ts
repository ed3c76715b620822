/**
 * `offsets-tracker run`: lists Go releases and module versions, builds one
 * probe per (version, arch) job that the table (or the result cache) does not
 * already answer, reads the offsets, checks them, and writes the table.
 *
 * The roles live apart: listing.ts (what the sources offer), plan.ts (jobs,
 * shards, what the table answers), result-cache.ts (one result format, once
 * per machine), measure.ts and measure-job.ts (build, read, check); the
 * Debian module source (debian-modules/observe.ts) plans its own jobs from the
 * archive and measures and caches them through the same two modules.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import pLimit from 'p-limit';
import { writeFileAtomic } from '../common/atomic-write.js';
import { GoOffsetsError } from '../common/errors.js';
import { DebianError } from '../debian/errors.js';
import { newIndexCache, type IndexCache } from '../debian/packages.js';
import { buildTable, loadTable, serializeTable, tableObservations, type OffsetsTable } from '../offsets/index.js';
import type { Arch, Observation } from '../offsets/observation.js';
import { fieldsAt, type TrackerConfig } from './config.js';
import { debianModuleObservations, type DebianModuleResult } from './debian-modules/observe.js';
import { listProxyVersions, listReleaseSources, LISTING_HTTP, type ProxyListing } from './listing.js';
import type { JobOutcome, JobTiming } from './measure-job.js';
import { cachedJob, combineObservations, inShardOf, jobKey, observationsFor, planJobs, TableKnowledge, type Job, type Shard } from './plan.js';
import { silentProgress, type Progress } from './progress.js';
import { noJobs, unavailableRow, type JobCounts, type SourceRow } from './report.js';
import { createReleaseSources, type GoRelease } from './sources/index.js';
import { summarize, type RunSummary } from './summary.js';

export { combineObservations, jobKey, parseShard, probeCachePath, RunError, shardOf, type Shard } from './plan.js';
export { LISTING_HTTP } from './listing.js';
export type { JobTiming } from './measure-job.js';

/** Where module versions come from: the GOPROXY list (GOPROXY/direct) and the Debian archive's golang-*-dev packages. */
export type ModuleSource = 'proxy' | 'debian';
export const MODULE_SOURCES: readonly ModuleSource[] = ['proxy', 'debian'];

export interface RunOptions {
  config: TrackerConfig;
  /** `go.dev`, `debian`, `dir:PATH` (default: go.dev and debian). */
  sources?: string[];
  /** Module version sources (default: proxy and debian). */
  moduleSources?: ModuleSource[];
  archs?: Arch[];
  /** Where the table (or, with a shard, the partial table) is written. */
  out: string;
  /** The existing table an incremental run starts from (default: `out`). */
  base?: string;
  shard?: Shard;
  concurrency?: number;
  force?: boolean;
  /** GOPROXY for module versions (default: the environment's). */
  goproxy?: string;
  goMirror?: string;
  debianMirror?: string;
  /** Debian suites read by the debian release and module sources (default: debian/ DEFAULT_SUITES). */
  debianSuites?: string[];
  /** Also list Go prereleases (rc, beta) from the release sources; default stable releases only. */
  goPrereleases?: boolean;
  timeoutMs?: number;
  progress?: Progress;
  signal?: AbortSignal;
}

export interface RunStats {
  jobs: number;
  /** Answered by the existing table. */
  fromTable: number;
  /** Answered by the result cache. */
  fromCache: number;
  built: number;
  failed: number;
  /** Toolchains or modules fetched (obtain/download calls). */
  downloads: number;
  timings: JobTiming[];
  /** The Debian module source: one job per (suite, package), every arch in it. */
  debianModules?: {
    jobs: number;
    /** Not run: the table already holds their targets, or another shard has them. */
    skipped: number;
    built: number;
    fromCache: number;
    failed: number;
    debsDownloaded: number;
    bytesDownloaded: number;
    debsCached: number;
    ms: number;
  };
}

export interface RunResult {
  table: OffsetsTable;
  text: string;
  summary: RunSummary;
  stats: RunStats;
  /** One row per source: available or why not, versions listed, jobs by outcome. */
  sources: SourceRow[];
  /** 0: all good; 2: some jobs failed (their results are recorded as failed, the rest is written). */
  exitCode: 0 | 2;
}

export async function runTracker(opts: RunOptions): Promise<RunResult> {
  const progress = opts.progress ?? silentProgress;
  const archs = opts.archs ?? ['amd64', 'arm64'];
  const inShard = inShardOf(opts.shard);
  const basePath = opts.base ?? opts.out;
  const table = new TableKnowledge(existsSync(basePath) ? tableObservations(await loadTable(basePath)) : []);
  const listed = await listAll(opts, archs, table, progress);
  const mine = planJobs(opts.config, archs, listed, opts.goproxy).filter((j) => inShard(jobKey(j.module, j.version, j.arch)));
  const stats: RunStats = { jobs: mine.length, fromTable: 0, fromCache: 0, built: 0, failed: 0, downloads: 0, timings: [] };
  const rows = new Map(listed.rows.map((r) => [r.source, r]));
  const fresh: Observation[] = [];
  const totals = noJobs();
  const record = (job: Job, o: Outcome) => {
    tally(rows.get(job.listedBy)!.counts, o);
    tally(totals, o);
  };
  if (listed.debian) {
    const keep = (o: Observation) => inShard(jobKey(o.module, o.version, o.arch));
    fresh.push(...addDebianModules(listed.debian, rows.get('debian modules')!, stats).filter(keep));
  }
  const toRun = await answerFromTableOrCache(mine, table, opts.force, record, fresh);
  await measureJobs(toRun, opts, progress, stats, (job, outcome) => {
    record(job, outcome);
    if (outcome.timing) stats.timings.push(outcome.timing);
    fresh.push(...observationsFor(job, outcome.results));
  });
  Object.assign(stats, { fromTable: totals.fromTable, fromCache: totals.fromCache, built: totals.built, failed: stats.failed + totals.failed });
  const before = table.observations.filter((o) => inShard(jobKey(o.module, o.version, o.arch)));
  const final = combineObservations(before, fresh);
  const out = buildTable(final);
  const text = serializeTable(out);
  await writeFileAtomic(opts.out, text);
  const summary = summarize(before, final, listed.problems);
  return { table: out, text, summary, stats, sources: [...rows.values()], exitCode: stats.failed > 0 ? 2 : 0 };
}

interface AllListings {
  releases: { release: GoRelease; listedBy: string }[];
  modules: ProxyListing['modules'];
  rows: SourceRow[];
  /** Unavailable sources and skipped module lists, for the Markdown summary. */
  problems: string[];
  debian?: { result: DebianModuleResult; ms: number };
}

/**
 * Every source at once: an unreachable go.dev and an unreachable GOPROXY cost
 * one timeout together, not one each. Rows come in a fixed order: release
 * sources, module proxy, Debian modules.
 */
async function listAll(opts: RunOptions, archs: Arch[], table: TableKnowledge, progress: Progress): Promise<AllListings> {
  const moduleSources = new Set(opts.moduleSources ?? MODULE_SOURCES);
  const modules = opts.config.modules.filter((m) => m.module !== 'std');
  // One read of each Debian suite's InRelease and Packages per run, shared by the Go release source and the Debian module source.
  const debianIndexes = newIndexCache();
  const sources = createReleaseSources(opts.sources ?? ['go.dev', 'debian'], { goMirror: opts.goMirror, debianMirror: opts.debianMirror, debianSuites: opts.debianSuites, includePrereleases: opts.goPrereleases, debianIndexes, progress, listHttp: LISTING_HTTP });
  const [rel, proxy, deb] = await Promise.all([
    listReleaseSources(sources),
    moduleSources.has('proxy') && modules.length ? listProxyVersions(modules, opts.goproxy) : undefined,
    moduleSources.has('debian') && modules.length ? runDebianModules(opts, archs, debianIndexes, table, progress) : undefined,
  ]);
  for (const p of proxy?.problems ?? []) progress.log(`module proxy: ${p}`);
  const rows = [...rel.rows, ...(proxy ? [proxy.row] : []), ...(deb ? [deb.row] : [])];
  const problems = [...rows.filter((r) => !r.available).map((r) => `${r.source}: ${r.why}`), ...(proxy?.problems ?? []), ...(deb?.listed?.result.notes.map((n) => `debian modules: ${n}`) ?? [])];
  return { releases: rel.releases, modules: proxy?.modules ?? new Map(), rows, problems, debian: deb?.listed };
}

/** The Debian module source; its row says why when the Debian archive cannot be read. */
async function runDebianModules(opts: RunOptions, archs: Arch[], indexes: IndexCache, table: TableKnowledge, progress: Progress): Promise<{ row: SourceRow; listed?: { result: DebianModuleResult; ms: number } }> {
  const inShard = inShardOf(opts.shard);
  // A target is wanted when one of its keys is in the shard and not yet in the base table.
  const select = ({ module, version }: { module: string; version: string }): boolean => {
    const tracked = opts.config.modules.find((m) => m.module === module && m.module !== 'std');
    if (!tracked) return false;
    const fields = fieldsAt(tracked, version);
    return archs.some((arch) => inShard(jobKey(module, version, arch)) && (opts.force || !table.answers(module, version, arch, fields)));
  };
  const t0 = performance.now();
  try {
    const log = (l: string) => progress.log(`debian modules: ${l}`);
    const result = await debianModuleObservations({ config: opts.config, archs, mirror: opts.debianMirror, suites: opts.debianSuites, indexes, force: opts.force, timeoutMs: opts.timeoutMs, select, log });
    return { row: { source: 'debian modules', available: true, versions: result.listed, counts: noJobs() }, listed: { result, ms: performance.now() - t0 } };
  } catch (err) {
    // The archive unavailable (a DebianError), not a package the module source cannot read.
    if (!(err instanceof DebianError) || err.code === 'ERR_DEBIAN_MODULE_VERSION') throw err;
    return { row: unavailableRow('debian modules', err) };
  }
}

/** How one job ended, as the source table counts it. */
type Outcome = Pick<JobOutcome, 'fromCache' | 'built' | 'failed'> & { fromTable?: boolean };

function tally(c: JobCounts, o: Outcome): void {
  c.jobs++;
  if (o.fromTable) c.fromTable++;
  if (o.fromCache) c.fromCache++;
  if (o.built) c.built++;
  if (o.failed) c.failed++;
}

/** Jobs the table or the result cache answers are recorded as such; the rest is returned, to be measured. */
async function answerFromTableOrCache(jobs: Job[], table: TableKnowledge, force: boolean | undefined, record: (job: Job, o: Outcome) => void, fresh: Observation[]): Promise<Job[]> {
  const toRun: Job[] = [];
  for (const job of jobs) {
    if (!force && table.answers(job.module, job.version, job.arch, job.fields)) {
      record(job, { fromTable: true, fromCache: false, built: false, failed: false });
      continue;
    }
    const cached = force ? undefined : await cachedJob(job);
    if (!cached) {
      toRun.push(job);
      continue;
    }
    record(job, { fromCache: true, built: false, failed: false });
    fresh.push(...observationsFor(job, cached));
  }
  return toRun;
}

/** Measures the jobs, `concurrency` at a time, obtaining each toolchain once. */
async function measureJobs(jobs: Job[], opts: RunOptions, progress: Progress, stats: RunStats, done: (job: Job, outcome: JobOutcome) => void): Promise<void> {
  if (!jobs.length) return;
  // The build path is loaded only when something is built: a rerun with nothing new never needs it.
  const { measureJob } = await import('./measure-job.js');
  const limit = pLimit(Math.max(1, opts.concurrency ?? availableParallelism()));
  const obtained = new Map<GoRelease, Promise<string>>();
  const obtain = (r: GoRelease) => {
    let p = obtained.get(r);
    if (!p) {
      stats.downloads++;
      obtained.set(r, (p = r.obtain(opts.signal).then((x) => x.goroot)));
    }
    return p;
  };
  const task = progress.task('build', jobs.length);
  const log = (line: string) => progress.log(line);
  await Promise.all(
    jobs.map((job) =>
      limit(async () => {
        done(job, await measureJob(job, { obtain, force: opts.force, timeoutMs: opts.timeoutMs, signal: opts.signal, log }));
        task.increment(`${job.module} ${job.version} ${job.arch}`);
      }),
    ),
  );
  task.done();
}

/** Counts the Debian module source's jobs in the stats and its row; returns its observations (every shard's: a build's other arch or another module's fields may belong to another one). */
function addDebianModules(deb: { result: DebianModuleResult; ms: number }, row: SourceRow, stats: RunStats): Observation[] {
  const r = deb.result;
  const b = r.builds;
  const d = {
    jobs: b.length + r.unselected,
    skipped: r.unselected,
    built: b.filter((x) => !x.fromCache && !x.error).length,
    fromCache: b.filter((x) => x.fromCache).length,
    failed: b.filter((x) => x.error).length,
    debsDownloaded: r.fetch.downloaded,
    bytesDownloaded: r.fetch.downloadedBytes,
    debsCached: r.fetch.cached,
    ms: deb.ms,
  };
  stats.debianModules = d;
  stats.failed += d.failed;
  row.counts = { jobs: d.jobs, fromTable: d.skipped, fromCache: d.fromCache, built: d.built, failed: d.failed };
  row.debs = { downloaded: d.debsDownloaded, bytes: d.bytesDownloaded, cached: d.debsCached };
  return r.observations;
}
