/**
 * `offsets-tracker run`: lists Go releases and module versions, builds one
 * probe per (version, arch) job that the table (or the result cache) does not
 * already answer, reads the offsets, checks them, and writes the table.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import pLimit from 'p-limit';
import semver from 'semver';
import { writeFileAtomic } from '../common/atomic-write.js';
import { cachePath } from '../common/cache-dir.js';
import { withLock } from '../common/lock.js';
import { GoOffsetsError } from '../common/errors.js';
import { buildTable, canonicalGoVersion, loadTable, parseGoVersion, serializeTable, tableObservations, type OffsetsTable } from '../offsets/index.js';
import type { Arch, Observation, ObservationResult } from '../offsets/observation.js';
import type { Toolchain } from './build.js';
import { fieldsAt, versionKey, withinBounds, type TrackedField, type TrackedModule, type TrackerConfig } from './config.js';
import { debianModuleObservations, type DebianModuleResult } from './debian-modules/observe.js';
import { DebianError } from '../debian/errors.js';
import { newIndexCache, type IndexCache } from '../debian/packages.js';
import { FetchError } from '../fetch/errors.js';
import type { HttpOptions } from '../fetch/http.js';
import { listModuleVersions, ModuleSourceError, resolveGoproxy, type ModuleVersion } from './modules/index.js';
import { silentProgress, type Progress } from './progress.js';
import { createReleaseSources, listReleases, type GoRelease } from './sources/index.js';
import { summarize, type RunSummary } from './summary.js';

/** Bumped when probes or reading change in a way that invalidates cached results. */
const RESULT_FORMAT = 1;

/** Where module versions come from: the GOPROXY list (GOPROXY/direct) and the Debian archive's golang-*-dev packages. */
export type ModuleSource = 'proxy' | 'debian';
export const MODULE_SOURCES: readonly ModuleSource[] = ['proxy', 'debian'];

/**
 * Listings (go.dev index, GOPROXY lists) fail fast: an unreachable source is
 * reported in one line and skipped, it must not hold the run for minutes.
 */
export const LISTING_HTTP: HttpOptions = { connectTimeoutMs: 5_000, idleTimeoutMs: 30_000, maxRetries: 1, minBackoffMs: 300, maxBackoffMs: 1_000 };

export interface Shard {
  /** 1-based */
  index: number;
  count: number;
}

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

export interface JobTiming {
  job: string;
  downloadMs: number;
  buildMs: number;
  readMs: number;
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
  /** 0: all good; 2: some jobs failed (their results are recorded as failed, the rest is written). */
  exitCode: 0 | 2;
}

/** Stable codes of the tracker's own checks of its command line. */
export type RunErrorCode = 'ERR_BAD_ARCH' | 'ERR_BAD_NUMBER' | 'ERR_BAD_SHARD' | 'ERR_BAD_USAGE' | 'ERR_MODULE_SOURCE_SPEC';

export class RunError extends GoOffsetsError {
  declare readonly code: RunErrorCode;
  constructor(code: RunErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

interface Job {
  module: string;
  version: string;
  /** Every source that offers this version (observations are recorded for each). */
  sources: string[];
  arch: Arch;
  fields: TrackedField[];
  tracked: TrackedModule;
  /** std: the release itself; modules: the builder toolchain's release. */
  release?: GoRelease;
  goproxy?: string;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new RunError('ERR_BAD_SHARD', `--shard ${JSON.stringify(text)}: expected i/n with 1 <= i <= n`);
  return { index, count };
}

/** Canonical (module, version, arch) key: what shards partition and what the table answers. */
export function jobKey(module: string, version: string, arch: Arch): string {
  const v = module === 'std' ? canonicalGoVersion(parseGoVersion(version)) : version;
  return `${module}@${v}/${arch}`;
}

/** Which shard (1-based) a job key belongs to: a hash, so that the partition does not depend on listing order. */
export function shardOf(key: string, count: number): number {
  return (createHash('sha256').update(key).digest().readUInt32BE(0) % count) + 1;
}

export async function runTracker(opts: RunOptions): Promise<RunResult> {
  const progress = opts.progress ?? silentProgress;
  const archs = opts.archs ?? ['amd64', 'arm64'];
  const inShard = (key: string) => !opts.shard || shardOf(key, opts.shard.count) === opts.shard.index;
  const stats: RunStats = { jobs: 0, fromTable: 0, fromCache: 0, built: 0, failed: 0, downloads: 0, timings: [] };

  const basePath = opts.base ?? opts.out;
  const old = existsSync(basePath) ? await loadTable(basePath) : undefined;
  const oldObs = old ? tableObservations(old) : [];
  const oldByJob = groupByJob(oldObs);

  // A Debian module target is wanted when one of its keys is in the shard and not yet in the base table.
  const selectDebianTarget = ({ module, version }: { module: string; version: string }): boolean => {
    const tracked = opts.config.modules.find((m) => m.module === module && m.module !== 'std');
    if (!tracked) return false;
    const fields = fieldsAt(tracked, version);
    return archs.some((arch) => {
      const key = jobKey(module, version, arch);
      const known = oldByJob.get(key);
      return inShard(key) && (opts.force || !(known && fields.every((f) => isKnown(known.get(f.selector)))));
    });
  };
  const moduleSources = new Set(opts.moduleSources ?? MODULE_SOURCES);
  const modules = opts.config.modules.filter((m) => m.module !== 'std');
  // One read of each Debian suite's InRelease and Packages per run, shared by the
  // Go release source and the Debian module source.
  const debianIndexes = newIndexCache();
  const sources = createReleaseSources(opts.sources ?? ['go.dev', 'debian'], { goMirror: opts.goMirror, debianMirror: opts.debianMirror, debianSuites: opts.debianSuites, includePrereleases: opts.goPrereleases, debianIndexes, progress, listHttp: LISTING_HTTP });
  // The listings do not depend on each other: an unreachable go.dev and an
  // unreachable GOPROXY cost one timeout together, not one each.
  const proxyProblems: string[] = [];
  const debianProblems: string[] = [];
  const [{ releases, unavailable }, listed, deb] = await Promise.all([
    listReleases(sources, { progress }),
    moduleSources.has('proxy') && modules.length ? listProxyVersions(modules, opts, progress, proxyProblems) : new Map<string, ModuleVersion[]>(),
    moduleSources.has('debian') && modules.length ? runDebianModules(opts, archs, debianIndexes, progress, debianProblems, selectDebianTarget) : undefined,
  ]);
  const byVersion = new Map<string, GoRelease[]>();
  for (const r of releases) {
    const key = canonicalGoVersion(parseGoVersion(r.version));
    byVersion.set(key, [...(byVersion.get(key) ?? []), r]);
  }

  const jobs: Job[] = [];
  // Same order as when the listings ran one after the other: release sources, proxy, Debian modules.
  const problems: string[] = [...unavailable.map((u) => u.message), ...proxyProblems, ...debianProblems];
  const std = opts.config.modules.find((m) => m.module === 'std');
  for (const rels of byVersion.values()) {
    // A version several sources list (go.dev and debian) is built once, from the
    // first source listed, and recorded under that source only.
    const release = rels[0];
    if (!std || !withinBounds(release.version, std)) continue;
    const fields = fieldsAt(std, release.version);
    if (!fields.length) continue;
    for (const arch of archs) jobs.push({ module: 'std', version: release.version, sources: [release.source], arch, fields, tracked: std, release });
  }
  const builder = newestStable([...byVersion.values()].map((rels) => rels[0]));
  for (const tracked of modules) {
    for (const mv of listed.get(tracked.module) ?? []) {
      if (!withinBounds(mv.version, tracked)) continue;
      const fields = fieldsAt(tracked, mv.version);
      if (!fields.length) continue;
      const goproxy = mv.source === 'proxy' && mv.origin ? mv.origin : opts.goproxy;
      for (const arch of archs) jobs.push({ module: tracked.module, version: mv.version, sources: [mv.source], arch, fields, tracked, release: builder, goproxy });
    }
  }

  const mine = jobs.filter((j) => inShard(jobKey(j.module, j.version, j.arch)));
  stats.jobs = mine.length;
  const fresh: Observation[] = [];
  if (deb) {
    // Only this shard's keys: a build's other arch or another module's fields may belong to another shard.
    fresh.push(...deb.result.observations.filter((o) => inShard(jobKey(o.module, o.version, o.arch))));
    const b = deb.result.builds;
    stats.debianModules = {
      jobs: b.length + deb.result.unselected,
      skipped: deb.result.unselected,
      built: b.filter((x) => !x.fromCache && !x.error).length,
      fromCache: b.filter((x) => x.fromCache).length,
      failed: b.filter((x) => x.error).length,
      debsDownloaded: deb.result.fetch.downloaded,
      bytesDownloaded: deb.result.fetch.downloadedBytes,
      debsCached: deb.result.fetch.cached,
      ms: deb.ms,
    };
    stats.failed += stats.debianModules.failed;
  }
  const toRun: Job[] = [];
  for (const job of mine) {
    const known = oldByJob.get(jobKey(job.module, job.version, job.arch));
    if (!opts.force && known && job.fields.every((f) => isKnown(known.get(f.selector)))) {
      stats.fromTable++;
      continue;
    }
    const cached = opts.force ? undefined : await readCachedResult(job);
    if (cached) {
      stats.fromCache++;
      fresh.push(...observationsFor(job, cached));
      continue;
    }
    toRun.push(job);
  }

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
  const task = progress.task('build', toRun.length);
  await Promise.all(
    toRun.map((job) =>
      limit(async () => {
        const results = await measureOnce(job, obtain, opts, stats);
        fresh.push(...observationsFor(job, results));
        task.increment(`${job.module} ${job.version} ${job.arch}`);
      }),
    ),
  );
  task.done();

  const final = combineObservations(oldObs.filter((o) => inShard(jobKey(o.module, o.version, o.arch))), fresh);
  const table = buildTable(final);
  const text = serializeTable(table);
  await writeFileAtomic(opts.out, text);
  const summary = summarize(oldObs.filter((o) => inShard(jobKey(o.module, o.version, o.arch))), final, problems);
  return { table, text, summary, stats, exitCode: stats.failed > 0 ? 2 : 0 };
}

/**
 * Versions of every tracked module from the GOPROXY list. Without --goproxy
 * and GOPROXY, the go command's own default is used. A proxy that cannot be
 * reached is one line for the whole source, not one per module: the
 * remaining modules are not tried.
 */
async function listProxyVersions(modules: TrackedModule[], opts: RunOptions, progress: Progress, problems: string[]): Promise<Map<string, ModuleVersion[]>> {
  const out = new Map<string, ModuleVersion[]>();
  const skip = (why: string) => {
    const line = `module source proxy: ${why.replace(/\s+/g, ' ')}`;
    progress.log(`unavailable, skipped: ${line}`);
    problems.push(line);
    return out;
  };
  let goproxy: string;
  try {
    goproxy = await resolveGoproxy(opts.goproxy);
  } catch (err) {
    return skip((err as Error).message);
  }
  for (const tracked of modules) {
    try {
      out.set(tracked.module, await listModuleVersions(tracked.module, { goproxy, minVersion: tracked.minVersion, includePrereleases: tracked.includePrereleases, http: LISTING_HTTP }));
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      if (err instanceof ModuleSourceError && err.code === 'ERR_MODULE_LIST' && cause instanceof FetchError && cause.code === 'ERR_NETWORK') {
        return skip(`GOPROXY=${goproxy}: ${cause.message}`);
      }
      if (err instanceof ModuleSourceError && (err.code === 'ERR_GOPROXY_OFF' || err.code === 'ERR_GOPROXY_SYNTAX')) return skip(err.message);
      const line = `${tracked.module}: ${(err as Error).message.replace(/\s+/g, ' ')}`;
      progress.log(`unavailable, skipped: ${line}`);
      problems.push(line);
    }
  }
  return out;
}

/** The Debian module source; undefined (and one line) when the Debian archive cannot be read. */
async function runDebianModules(
  opts: RunOptions,
  archs: Arch[],
  indexes: IndexCache,
  progress: Progress,
  problems: string[],
  select: (t: { module: string; version: string }) => boolean,
): Promise<{ result: DebianModuleResult; ms: number } | undefined> {
  const t0 = performance.now();
  try {
    const result = await debianModuleObservations({
      config: opts.config,
      archs,
      mirror: opts.debianMirror,
      suites: opts.debianSuites,
      indexes,
      force: opts.force,
      timeoutMs: opts.timeoutMs,
      select,
      log: (l) => progress.log(`debian modules: ${l}`),
    });
    problems.push(...result.notes.map((n) => `debian modules: ${n}`));
    return { result, ms: performance.now() - t0 };
  } catch (err) {
    // The archive unavailable (a DebianError), not a package the module source cannot read.
    if (!(err instanceof DebianError) || err.code === 'ERR_DEBIAN_MODULE_VERSION') throw err;
    const line = `module source debian: ${err.message.replace(/\s+/g, ' ')}`;
    progress.log(`unavailable, skipped: ${line}`);
    problems.push(line);
    return undefined;
  }
}

function obsKey(o: Pick<Observation, 'module' | 'version' | 'arch' | 'field'>): string {
  return `${jobKey(o.module, o.version, o.arch)} ${o.field}`;
}

/**
 * The table's observations after this run: everything the old table holds
 * stays unless this run measured the same (module, version, arch, field) anew;
 * a fresh failure never erases a value an earlier run measured.
 */
export function combineObservations(oldObs: readonly Observation[], fresh: readonly Observation[]): Observation[] {
  const freshKnown = new Set<string>();
  const freshAny = new Set<string>();
  for (const f of fresh) {
    freshAny.add(obsKey(f));
    if (f.result.status !== 'failed') freshKnown.add(obsKey(f));
  }
  const oldKnown = new Set(oldObs.filter((o) => o.result.status !== 'failed').map(obsKey));
  const kept = oldObs.filter((o) => !(freshKnown.has(obsKey(o)) || (o.result.status === 'failed' && freshAny.has(obsKey(o)))));
  return [...kept, ...fresh.filter((f) => !(f.result.status === 'failed' && oldKnown.has(obsKey(f))))];
}

function isKnown(r: ObservationResult | undefined): boolean {
  return r !== undefined && r.status !== 'failed';
}

function groupByJob(obs: Observation[]): Map<string, Map<string, ObservationResult>> {
  const out = new Map<string, Map<string, ObservationResult>>();
  for (const o of obs) {
    const key = jobKey(o.module, o.version, o.arch);
    let m = out.get(key);
    if (!m) out.set(key, (m = new Map()));
    m.set(o.field, o.result);
  }
  return out;
}

function newestStable(releases: GoRelease[]): GoRelease | undefined {
  const stable = releases.filter((r) => /^go\d+\.\d+(\.\d+)?$/.test(r.version));
  return stable.sort((a, b) => semver.compare(versionKey(b.version)!, versionKey(a.version)!))[0];
}

function observationsFor(job: Job, results: Map<string, ObservationResult>): Observation[] {
  const out: Observation[] = [];
  for (const source of job.sources) {
    for (const f of job.fields) out.push({ module: job.module, version: job.version, source, arch: job.arch, field: f.selector, result: results.get(f.selector)! });
  }
  return out;
}

let buildPathModules: Promise<{
  buildProbe: typeof import('./build.js').buildProbe;
  downloadModule: typeof import('./build.js').downloadModule;
  checkReading: typeof import('./checks.js').checkReading;
  crossCheckDescriptors: typeof import('./cross-check.js').crossCheckDescriptors;
  generateProbe: typeof import('./probe/generate.js').generateProbe;
  readProbe: typeof import('./read.js').readProbe;
}> | undefined;

function buildPath() {
  return (buildPathModules ??= Promise.all([import('./build.js'), import('./checks.js'), import('./probe/generate.js'), import('./read.js'), import('./cross-check.js')]).then(([b, c, g, r, x]) => ({
    buildProbe: b.buildProbe,
    downloadModule: b.downloadModule,
    checkReading: c.checkReading,
    crossCheckDescriptors: x.crossCheckDescriptors,
    generateProbe: g.generateProbe,
    readProbe: r.readProbe,
  })));
}

/**
 * One job at most once per machine: under the lock of its result, a second run
 * that wants the same job (another shard, a test, a person) waits, then reads
 * the first one's result from the cache instead of building it again.
 */
async function measureOnce(job: Job, obtain: (r: GoRelease) => Promise<string>, opts: RunOptions, stats: RunStats): Promise<Map<string, ObservationResult>> {
  const key = jobKey(job.module, job.version, job.arch);
  return withLock(
    resultCachePath(job),
    async () => {
      const cached = opts.force ? undefined : await readCachedResult(job);
      if (cached) {
        stats.fromCache++;
        return cached;
      }
      const results = await measure(job, obtain, opts, stats);
      if ([...results.values()].some((r) => r.status === 'failed')) stats.failed++;
      else await writeCachedResult(job, results);
      return results;
    },
    { onWait: () => opts.progress?.log(`waiting for another process building ${key}`) },
  );
}

/** Builds and reads one job; any failure becomes a failed result for every field of the job. */
async function measure(job: Job, obtain: (r: GoRelease) => Promise<string>, opts: RunOptions, stats: RunStats): Promise<Map<string, ObservationResult>> {
  const results = new Map<string, ObservationResult>();
  const fail = (error: string) => {
    for (const f of job.fields) results.set(f.selector, { status: 'failed', error });
    return results;
  };
  const timing: JobTiming = { job: jobKey(job.module, job.version, job.arch), downloadMs: 0, buildMs: 0, readMs: 0 };
  stats.timings.push(timing);
  // Per process too: two runs (a test and a benchmark) may build the same job at once, and each removes its work dir.
  const workDir = cachePath('tracker', 'work', `${createHash('sha256').update(timing.job).digest('hex').slice(0, 16)}-${process.pid}`);
  try {
    if (!job.release) return fail(`no Go toolchain to build ${job.module} with (no Go release source listed one)`);
    // The build path is loaded only when something is built: a rerun with nothing new never needs it.
    const { buildProbe, downloadModule, checkReading, crossCheckDescriptors, generateProbe, readProbe } = await buildPath();
    let t = performance.now();
    const goroot = await obtain(job.release);
    const toolchain: Toolchain = { version: job.release.version, goroot };
    let imports: string[];
    let types: { pkg: string; type: string }[];
    const present = new Set<string>();
    if (job.module === 'std') {
      for (const p of job.tracked.packages) if (existsSync(join(goroot, 'src', p.path))) present.add(p.path);
      imports = job.tracked.packages.filter((p) => present.has(p.path) && p.path !== 'runtime').map((p) => p.importPath);
    } else {
      const dir = await downloadModule({ toolchain, module: job.module, version: job.version, goproxy: job.goproxy, workDir: `${workDir}-dl`, timeoutMs: opts.timeoutMs, signal: opts.signal });
      const rel = (p: string) => join(dir, p.slice(job.module.length + 1));
      for (const p of job.tracked.packages) if (existsSync(rel(p.path))) present.add(p.path);
      imports = job.tracked.packages.filter((p) => present.has(p.path) && existsSync(rel(p.importPath))).map((p) => p.importPath);
    }
    types = job.fields.filter((f) => present.has(f.pkg)).map((f) => ({ pkg: f.pkg, type: f.type }));
    timing.downloadMs = performance.now() - t;
    t = performance.now();
    const probe = generateProbe({ module: job.module === 'std' ? undefined : job.module, moduleVersion: job.version, imports, types });
    const binary = await buildProbe({ toolchain, arch: job.arch, probe, workDir, goproxy: job.goproxy, timeoutMs: opts.timeoutMs, signal: opts.signal });
    stats.built++;
    timing.buildMs = performance.now() - t;
    t = performance.now();
    // Kept next to the result cache: the probe is the evidence a check against the DWARF can reread.
    const kept = probeCachePath(job.module, job.version, job.arch, job.fields.map((f) => f.selector));
    await mkdir(dirname(kept), { recursive: true });
    await rename(binary, kept);
    const reading = await readProbe(kept, job.fields.map((f) => f.selector));
    timing.readMs = performance.now() - t;
    const problems = checkReading(reading, job.arch);
    if (problems.length) return fail(`checks failed: ${problems.join('; ')}`);
    // The same build's type descriptors, read as `offsets types` reads a stripped binary, must agree with its DWARF.
    const cross = await crossCheckDescriptors(kept, reading);
    if (cross.problems.length) return fail(`type descriptors disagree with DWARF (a reader bug): ${cross.problems.join('; ')}`);
    for (const f of job.fields) {
      const r = reading.fields.get(f.selector);
      results.set(f.selector, r === null || r === undefined ? { status: 'absent' } : typeof r === 'number' ? { status: 'ok', offset: r } : { status: 'failed', error: r.error });
    }
    return results;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    opts.progress?.log(`failed: ${timing.job}: ${message.split('\n')[0]}`);
    return fail(message);
  } finally {
    await rm(workDir, { recursive: true, force: true });
    await rm(`${workDir}-dl`, { recursive: true, force: true });
  }
}

function resultHash(module: string, version: string, arch: Arch, selectors: readonly string[]): string {
  const key = JSON.stringify([RESULT_FORMAT, jobKey(module, version, arch), [...selectors].sort()]);
  return createHash('sha256').update(key).digest('hex');
}

/** Results are cached by everything they depend on: module, version, arch and the exact field set. */
function resultCachePath(job: Job): string {
  return cachePath('tracker', 'results', `${resultHash(job.module, job.version, job.arch, job.fields.map((f) => f.selector))}.json`);
}

/** Where the probe binary of a built job is kept (same key as its cached result); it exists once the job was built. */
export function probeCachePath(module: string, version: string, arch: Arch, selectors: readonly string[]): string {
  return cachePath('tracker', 'probes', resultHash(module, version, arch, selectors));
}

async function readCachedResult(job: Job): Promise<Map<string, ObservationResult> | undefined> {
  try {
    const doc = JSON.parse(await readFile(resultCachePath(job), 'utf8')) as Record<string, ObservationResult>;
    const m = new Map(Object.entries(doc));
    return job.fields.every((f) => isKnown(m.get(f.selector))) ? m : undefined;
  } catch {
    return undefined;
  }
}

async function writeCachedResult(job: Job, results: Map<string, ObservationResult>): Promise<void> {
  await mkdir(cachePath('tracker', 'results'), { recursive: true });
  await writeFileAtomic(resultCachePath(job), JSON.stringify(Object.fromEntries(results)));
}
