/**
 * The Debian archive as a module source, end to end: for each (suite, package
 * version) of a tracked module, fetch the package and what the probe's import
 * graph needs from the same suite, build the probe in GOPATH mode with the
 * suite's Go, read the fields from its DWARF, and return observations with
 * source `debian:<suite>`. Each field is recorded under the module that owns
 * its package, at the version of the Debian package that provided that
 * package in the build's GOPATH.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../common/atomic-write.js';
import { tempBeside } from '../../common/build-once.js';
import { withLock } from '../../common/lock.js';
import { cachePath } from '../../common/cache-dir.js';
import { GoOffsetsError } from '../../common/errors.js';
import type { FetchOptions } from '../../debian/http.js';
import { debianMirrorSource } from '../../debian/mirror.js';
import type { IndexCache, PackageStanza } from '../../debian/packages.js';
import type { DebianToolchain } from '../../debian/go-toolchains.js';
import type { Arch, Observation, ObservationResult } from '../../offsets/observation.js';
import { withinBounds, type TrackedField, type TrackedModule, type TrackerConfig } from '../config.js';
import { buildWithFewestInjections } from '../probe/lazy.js';
import { crossCheckDescriptors } from '../cross-check.js';
import { readProbe } from '../read.js';
import type { SuitePackages } from './depends.js';
import { discoverIn, suitePackages, type DiscoveredVersion } from './discover.js';
import { buildGopathProbe } from './gobuild.js';
import { ensureGocode, newFetchStats, providesImport, type FetchStats } from './gopath.js';
import { resolveImportGraph, type ResolvedTree } from './resolve.js';
import { newestToolchain, suiteToolchain } from './toolchain.js';
import { goVersionFromDebian } from './version.js';

/** Bumped when builds or readings change in a way that invalidates cached results. */
const RESULT_FORMAT = 1;

export interface DebianModuleOptions {
  config: TrackerConfig;
  /** Mirror URI; default: from the apt configuration. */
  mirror?: string;
  /** Keyring for InRelease; default: apt's (debianMirrorSource), none for an explicit mirror unless given. */
  keyring?: string;
  /** Indexes shared with other readers in this run (the tracker's Go release source). */
  indexes?: IndexCache;
  /** Default: debian/ DEFAULT_SUITES (bullseye, bookworm, bookworm-backports, trixie, sid). */
  suites?: string[];
  archs?: Arch[];
  /** module -> Debian package, overriding the naming convention. */
  packages?: Record<string, string>;
  /** Only these modules (default: every non-std module of the config). */
  modules?: string[];
  /** Ignore cached results (builds still reuse the cached sources and go build cache). */
  force?: boolean;
  http?: FetchOptions;
  timeoutMs?: number;
  /** One line per event worth telling (skips, fallbacks, failures). */
  log?: (line: string) => void;
  /**
   * Which jobs to run: a (suite, package) job runs when `select` accepts one
   * of its targets (module at the package's version). The tracker uses it for
   * --shard and for what the table already holds. Default: every job.
   */
  select?: (target: { module: string; version: string; suite: string }) => boolean;
}

/** One build: a (suite, package version) and how it went. */
export interface DebianModuleBuild {
  suite: string;
  package: string;
  debVersion: string;
  /** Go version of the toolchain used, and whether it is the suite's own. */
  go: string;
  fallback: boolean;
  /** arch -> probe binary (kept in the cache, for checks against the DWARF). */
  binaries: Partial<Record<Arch, string>>;
  /** Packages whose source the build used (GOPATH order). */
  chosen: { package: string; version: string; size: number }[];
  /** Packages fetched while looking for an import path, then not used. */
  rejected: string[];
  /** Packages taken by the naming convention for an import path that no Depends named (`package for path`). */
  outsideDepends: string[];
  /** Field selector -> module@version it was recorded under (or why it was not). */
  recorded: Record<string, string>;
  fromCache: boolean;
  error?: string;
}

export interface DebianModuleResult {
  observations: Observation[];
  builds: DebianModuleBuild[];
  /** Skips (snapshots, suites without the package) and fallbacks, one line each. */
  notes: string[];
  /** Jobs `select` turned down (not run at all). */
  unselected: number;
  fetch: FetchStats;
}

interface Job {
  pkgs: SuitePackages;
  root: PackageStanza;
  targets: TrackedModule[];
}

/** Runs every Debian module job; failures become `failed` observations and a note, never a thrown error. */
export async function debianModuleObservations(opts: DebianModuleOptions): Promise<DebianModuleResult> {
  const log = opts.log ?? (() => {});
  const archs = opts.archs ?? ['amd64', 'arm64'];
  const { uri: mirror, keyring } = await debianMirrorSource({ override: opts.mirror, keyring: opts.keyring });
  const read = { http: opts.http, keyring, indexes: opts.indexes };
  const all = await suitePackages(mirror, opts.suites, read);
  const tracked = opts.config.modules.filter((m) => m.module !== 'std' && (!opts.modules || opts.modules.includes(m.module)));
  const found = discoverIn(tracked, all, opts.packages);
  const notes: string[] = [];
  const note = (line: string) => {
    notes.push(line);
    log(line);
  };
  for (const pkgs of all) {
    for (const m of tracked) if (!found.some((d) => d.suite === pkgs.suite && d.module === m.module)) note(`${pkgs.suite}: no Debian package for ${m.module}`);
  }
  const grouped = groupJobs(found, all, tracked, note);
  const select = opts.select;
  const jobs = select
    ? grouped.filter((job) => {
        const v = goVersionFromDebian(job.root.version);
        return v.kind === 'release' && job.targets.some((t) => select({ module: t.module, version: v.version, suite: job.pkgs.suite }));
      })
    : grouped;
  const fetch = newFetchStats();
  const result: DebianModuleResult = { observations: [], builds: [], notes, fetch, unselected: grouped.length - jobs.length };
  const toolchains = new Map<string, Promise<DebianToolchain | undefined>>();
  let newest: Promise<DebianToolchain> | undefined;
  const ctx: JobContext = {
    mirror,
    archs,
    opts,
    fetch,
    note,
    everyField: tracked.flatMap((m) => m.fields.map((f) => ({ field: f, module: m }))),
    suiteGo: (pkgs) => {
      if (!toolchains.has(pkgs.suite)) toolchains.set(pkgs.suite, suiteToolchain(mirror, pkgs, read));
      return toolchains.get(pkgs.suite)!;
    },
    newestGo: () => (newest ??= newestToolchain(mirror, undefined, read)),
  };
  // One job at a time: each go build already uses both cores.
  for (const job of jobs) {
    const { build, observations } = await runJob(job, ctx);
    result.builds.push(build);
    result.observations.push(...observations);
  }
  return result;
}

/** Jobs per (suite, package): a package can carry several tracked modules (otel and otel/trace). */
function groupJobs(found: DiscoveredVersion[], all: SuitePackages[], tracked: TrackedModule[], note: (l: string) => void): Job[] {
  const jobs = new Map<string, Job>();
  for (const d of found) {
    if (d.go.kind === 'snapshot') {
      note(`${d.suite}: ${d.module}: skipped ${d.package.package} ${d.package.version}: ${d.go.why}`);
      continue;
    }
    const key = `${d.suite}\0${d.package.package}`;
    let job = jobs.get(key);
    if (!job) jobs.set(key, (job = { pkgs: all.find((p) => p.suite === d.suite)!, root: d.package, targets: [] }));
    job.targets.push(tracked.find((m) => m.module === d.module)!);
  }
  return [...jobs.values()];
}

interface JobContext {
  mirror: string;
  archs: Arch[];
  opts: DebianModuleOptions;
  fetch: FetchStats;
  note: (line: string) => void;
  everyField: { field: TrackedField; module: TrackedModule }[];
  suiteGo: (pkgs: SuitePackages) => Promise<DebianToolchain | undefined>;
  newestGo: () => Promise<DebianToolchain>;
}

interface CachedJob {
  build: DebianModuleBuild;
  observations: Observation[];
}

function jobCacheDir(job: Job, ctx: JobContext): string {
  const selectors = ctx.everyField.map((f) => `${f.module.module} ${f.field.selector} ${f.field.minVersion ?? ''} ${f.field.maxVersion ?? ''}`).sort();
  const targets = job.targets.map((t) => t.module).sort();
  const key = JSON.stringify([RESULT_FORMAT, job.pkgs.suite, job.root.sha256, targets, selectors, [...ctx.archs].sort()]);
  return cachePath('debian-modules', 'results', createHash('sha256').update(key).digest('hex').slice(0, 24));
}

/** The job's cached result, when it and every probe binary it names are there. */
async function readCachedJob(resultFile: string): Promise<CachedJob | undefined> {
  if (!existsSync(resultFile)) return undefined;
  const cached = JSON.parse(await readFile(resultFile, 'utf8')) as CachedJob;
  if (!Object.values(cached.build.binaries).every((b) => b && existsSync(b))) return undefined;
  cached.build.fromCache = true;
  return cached;
}

/**
 * One job, at most once per machine: under the job's lock, a second run (another
 * shard, test file or person) waits and then reads the first one's result. Each
 * run builds in a private work directory; the probes and result.json (last) are
 * renamed into the job's directory only when complete.
 */
async function runJob(job: Job, ctx: JobContext): Promise<CachedJob> {
  const dir = jobCacheDir(job, ctx);
  const resultFile = join(dir, 'result.json');
  if (!ctx.opts.force) {
    const cached = await readCachedJob(resultFile);
    if (cached) return cached;
  }
  return withLock(
    resultFile,
    async () => {
      if (!ctx.opts.force) {
        const cached = await readCachedJob(resultFile);
        if (cached) return cached;
      }
      const workDir = tempBeside(join(dir, 'work'));
      try {
        return await buildJob(job, ctx, dir, workDir);
      } finally {
        await rm(workDir, { recursive: true, force: true });
      }
    },
    { onWait: () => ctx.opts.log?.(`${job.pkgs.suite}: ${job.root.package} ${job.root.version}: waiting for another process building it`) },
  );
}

async function buildJob(job: Job, ctx: JobContext, dir: string, workDir: string): Promise<CachedJob> {
  const resultFile = join(dir, 'result.json');
  const suite = job.pkgs.suite;
  const label = `${suite}: ${job.root.package} ${job.root.version}`;
  const build: DebianModuleBuild = { suite, package: job.root.package, debVersion: job.root.version, go: '', fallback: false, binaries: {}, chosen: [], rejected: [], outsideDepends: [], recorded: {}, fromCache: false };
  const rootVersion = goVersionFromDebian(job.root.version);
  const version = rootVersion.kind === 'release' ? rootVersion.version : '';
  const targetFields = job.targets.flatMap((m) => m.fields.filter((f) => withinBounds(version, f)).map((f) => ({ field: f, module: m })));
  const failAll = (error: string): CachedJob => {
    build.error = error;
    ctx.note(`${label}: failed: ${error.split('\n')[0]}`);
    const observations = targetFields.map(({ field, module }) => obs(module.module, version, suite, field.selector, { status: 'failed', error }, ctx.archs)).flat();
    return { build, observations };
  };
  try {
    const rootEntry = await ensureGocode(ctx.mirror, job.root, ctx.fetch, ctx.opts.http);
    const present = new Set<string>();
    const imports = new Set<string>();
    for (const m of job.targets) {
      for (const p of m.packages) {
        if (!(await providesImport(rootEntry, p.path))) continue;
        present.add(p.path);
        if (await providesImport(rootEntry, p.importPath)) imports.add(p.importPath);
      }
    }
    if (imports.size === 0) return failAll(`${job.root.package} ${job.root.version} has none of the tracked packages of ${job.targets.map((t) => t.module).join(', ')}`);

    const suiteGo = await ctx.suiteGo(job.pkgs);
    const candidates: { tc: DebianToolchain; fallback: boolean }[] = [];
    if (suiteGo) candidates.push({ tc: suiteGo, fallback: false });
    const newest = await ctx.newestGo();
    if (!suiteGo || newest.version !== suiteGo.version) candidates.push({ tc: newest, fallback: true });
    let lastError = '';
    for (const { tc, fallback } of candidates) {
      const toolchain = { version: tc.version, goroot: tc.goroot };
      try {
        await rm(workDir, { recursive: true, force: true });
        const tree = await resolveImportGraph({ mirror: ctx.mirror, pkgs: job.pkgs, root: job.root, imports: [...imports], toolchain, archs: ctx.archs, workDir, stats: ctx.fetch, http: ctx.opts.http });
        const fields = fieldsToRead(tree, job, ctx, fallback);
        const spec = { imports: [...imports], types: fields.map(({ field }) => ({ pkg: field.pkg, type: field.type })) };
        const observations: Observation[] = [];
        for (const arch of ctx.archs) {
          const binary = await buildWithFewestInjections(spec, (probe) => buildGopathProbe({ toolchain, arch, gopath: tree.gopath, probe, workDir: join(workDir, arch), timeoutMs: ctx.opts.timeoutMs }));
          const kept = join(dir, `probe-${arch}`);
          await mkdir(dir, { recursive: true });
          await rename(binary, kept);
          build.binaries[arch] = kept;
          const reading = await readProbe(kept, fields.map((f) => f.field.selector));
          // As for every tracker probe: the build's type descriptors must agree with its DWARF.
          const cross = await crossCheckDescriptors(kept, reading);
          if (cross.problems.length) return failAll(`type descriptors disagree with DWARF (a reader bug): ${cross.problems.join('; ')}`);
          for (const f of fields) {
            const r = reading.fields.get(f.field.selector);
            const res: ObservationResult = r === null || r === undefined ? { status: 'absent' } : typeof r === 'number' ? { status: 'ok', offset: r } : { status: 'failed', error: r.error };
            observations.push(...obs(f.module.module, f.version, suite, f.field.selector, res, [arch]));
          }
        }
        // Tracked packages of the library that this version does not have: absent.
        for (const { field, module } of targetFields) {
          if (!present.has(field.pkg)) observations.push(...obs(module.module, version, suite, field.selector, { status: 'absent' }, ctx.archs));
        }
        await rm(workDir, { recursive: true, force: true });
        build.go = tc.version;
        build.fallback = fallback;
        build.chosen = tree.chosen.map((p) => ({ package: p.package, version: p.version, size: p.size }));
        build.rejected = tree.triedAndRejected;
        build.outsideDepends = tree.outsideDepends;
        for (const o of tree.outsideDepends) ctx.note(`${label}: Depends incomplete: took ${o} (naming convention, same suite)`);
        for (const f of fields) build.recorded[f.field.selector] = `${f.module.module}@${f.version}`;
        if (fallback) ctx.note(`${label}: built with ${tc.version} (newest matrix Go), not the suite's ${suiteGo?.version ?? '(none)'}: ${lastError.split('\n')[0] || 'the suite has no golang-go'}`);
        const done: CachedJob = { build, observations };
        await mkdir(dir, { recursive: true });
        await writeFileAtomic(resultFile, JSON.stringify(done));
        return done;
      } catch (err) {
        if (!(err instanceof GoOffsetsError)) throw err;
        lastError = err.message;
      }
    }
    return failAll(lastError);
  } catch (err) {
    return failAll(err instanceof Error ? err.message : String(err));
  }
}

/**
 * The tracked fields this build can read: those of the packages its import
 * graph links in, each under the module that owns it, at the version of the
 * package that provided it. A field of another module (genproto's
 * googleapis/rpc/status in a grpc build) is kept when that package's version
 * is a release and the build used the suite's own Go (so that two builds can
 * never disagree on one (module, version, suite)).
 */
function fieldsToRead(tree: ResolvedTree, job: Job, ctx: JobContext, fallback: boolean): { field: TrackedField; module: TrackedModule; version: string }[] {
  const out: { field: TrackedField; module: TrackedModule; version: string }[] = [];
  const skipped = new Set<string>();
  for (const { field, module } of ctx.everyField) {
    const provider = tree.provider.get(field.pkg);
    if (!provider) continue;
    const isTarget = job.targets.includes(module);
    if (!isTarget && fallback) continue;
    const go = goVersionFromDebian(provider.version);
    if (go.kind !== 'release') {
      const key = `${module.module} ${provider.package}`;
      if (!skipped.has(key)) ctx.note(`${job.pkgs.suite}: ${module.module} fields (linked into the ${job.root.package} probe from ${provider.package} ${provider.version}) not recorded: ${go.why}`);
      skipped.add(key);
      continue;
    }
    if (!withinBounds(go.version, field)) continue;
    out.push({ field, module, version: go.version });
  }
  return out;
}

function obs(module: string, version: string, suite: string, field: string, result: ObservationResult, archs: Arch[]): Observation[] {
  return archs.map((arch) => ({ module, version, source: `debian:${suite}`, arch, field, result }));
}
