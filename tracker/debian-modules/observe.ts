/**
 * The Debian archive as a module source, end to end: for each (suite, package
 * version) of a tracked module, fetch the package and what the probe's import
 * graph needs from the same suite, build the probe in GOPATH mode with the
 * suite's Go, read the fields from its DWARF, and return observations with
 * source `debian:<suite>`. Each field is recorded under the module that owns
 * its package, at the version of the Debian package that provided that
 * package in the build's GOPATH.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { goCommandsToFillCores } from '../../common/go-runtime-env.js';
import { GoOffsetsError } from '../../common/errors.js';
import type { FetchOptions } from '../../debian/http.js';
import { debianMirrorSource } from '../../debian/mirror.js';
import type { IndexCache, PackageStanza } from '../../debian/packages.js';
import type { DebianToolchain } from '../../debian/go-toolchains.js';
import type { Arch, Observation, ObservationResult } from '../../offsets/observation.js';
import { withinBounds, type TrackedField, type TrackedModule, type TrackerConfig } from '../config.js';
import type { Toolchain } from '../build.js';
import { measureProbe } from '../measure.js';
import { buildWithFewestInjections } from '../probe/lazy.js';
import { measureOnce, resultEntry, type MeasuredResult, type ResultEntry } from '../result-cache.js';
import type { SuitePackages } from './depends.js';
import { discoverIn, suitePackages, type DiscoveredVersion } from './discover.js';
import { buildGopathProbe, gopathEnv } from './gobuild.js';
import { listGoFiles } from '../build.js';
import { ensureGocode, newFetchStats, providesImport, type FetchStats } from './gopath.js';
import { resolveImportGraph, type ResolvedTree } from './resolve.js';
import { newestToolchain, suiteToolchain } from './toolchain.js';
import { goVersionFromDebian } from './version.js';

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
  /** Package versions found for the tracked modules, in every suite (snapshots included). */
  listed: number;
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
    const missing = tracked.filter((m) => !found.some((d) => d.suite === pkgs.suite && d.module === m.module)).map((m) => m.module);
    if (missing.length) note(`${pkgs.suite}: no Debian package for ${missing.join(', ')}`);
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
  const result: DebianModuleResult = { observations: [], builds: [], notes, fetch, listed: found.length, unselected: grouped.length - jobs.length };
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
  // As many jobs at a time as it takes go commands to fill the cores: one, unless each go command
  // is held to fewer cores than the machine has (common/go-runtime-env.ts). Results keep the jobs' order.
  const limit = pLimit(goCommandsToFillCores());
  for (const { build, observations } of await Promise.all(jobs.map((job) => limit(() => runJob(job, ctx))))) {
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
      note(`${d.suite}: ${d.module}: skipped ${d.package.package} ${d.package.version}: a git snapshot (${d.go.date}, commit ${d.go.commit}), no Go version can be derived`);
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

interface JobResult {
  build: DebianModuleBuild;
  observations: Observation[];
}

/** What the result cache keeps of a build besides its readings and probes (DebianModuleBuild without those). */
type BuildDetail = Omit<DebianModuleBuild, 'binaries' | 'fromCache' | 'error'>;

const isStrings = (x: unknown) => Array.isArray(x) && x.every((s) => typeof s === 'string');

function isBuildDetail(d: Record<string, unknown> | undefined): d is BuildDetail & Record<string, unknown> {
  if (!d) return false;
  const strings = ['suite', 'package', 'debVersion', 'go'].every((k) => typeof d[k] === 'string');
  const chosen = Array.isArray(d.chosen) && d.chosen.every((c) => typeof c === 'object' && c !== null && typeof c.package === 'string' && typeof c.version === 'string' && typeof c.size === 'number');
  const recorded = typeof d.recorded === 'object' && d.recorded !== null && Object.values(d.recorded).every((v) => typeof v === 'string');
  return strings && typeof d.fallback === 'boolean' && chosen && isStrings(d.rejected) && isStrings(d.outsideDepends) && recorded;
}

/** The job's entry in the tracker's result cache: keyed by the suite, the package's exact contents, the targets, every tracked field and the arches. */
function jobEntry(job: Job, ctx: JobContext): ResultEntry {
  const selectors = ctx.everyField.map((f) => `${f.module.module} ${f.field.selector} ${f.field.minVersion ?? ''} ${f.field.maxVersion ?? ''}`).sort();
  const targets = job.targets.map((t) => t.module).sort();
  return resultEntry(['debian-module', job.pkgs.suite, job.root.sha256, targets, selectors, [...ctx.archs].sort()]);
}

/** A cached result as the job's build and observations (recorded under `debian:<suite>`). */
function fromCache(r: MeasuredResult, job: Job): JobResult {
  const { suite, package: pkg, debVersion, go, fallback, chosen, rejected, outsideDepends, recorded } = r.detail as BuildDetail;
  const build: DebianModuleBuild = { suite, package: pkg, debVersion, go, fallback, binaries: { ...r.probes }, chosen, rejected, outsideDepends, recorded, fromCache: true };
  return { build, observations: r.readings.map((x) => ({ module: x.module, version: x.version, source: `debian:${job.pkgs.suite}`, arch: x.arch, field: x.field, result: x.result })) };
}

/** One job through the tracker's result cache: measured at most once per machine (tracker/result-cache.ts). */
async function runJob(job: Job, ctx: JobContext): Promise<JobResult> {
  const entry = jobEntry(job, ctx);
  const r = await measureOnce(entry, (workDir) => buildJob(job, ctx, entry, workDir), {
    force: ctx.opts.force,
    accept: (c) => isBuildDetail(c.detail),
    onWait: () => ctx.opts.log?.(`${job.pkgs.suite}: ${job.root.package} ${job.root.version}: waiting for another process building it`),
  });
  return 'cached' in r ? fromCache(r.cached, job) : r.measured.job;
}

/** What one build attempt of a job needs: the target fields, the tracked packages the root package has, and how to fail. */
interface Attempt {
  label: string;
  build: DebianModuleBuild;
  version: string;
  targetFields: { field: TrackedField; module: TrackedModule }[];
  present: Set<string>;
  imports: Set<string>;
  failAll: (error: string) => { job: JobResult };
}

async function buildJob(job: Job, ctx: JobContext, entry: ResultEntry, workDir: string): Promise<{ job: JobResult; result?: MeasuredResult }> {
  const suite = job.pkgs.suite;
  const build: DebianModuleBuild = { suite, package: job.root.package, debVersion: job.root.version, go: '', fallback: false, binaries: {}, chosen: [], rejected: [], outsideDepends: [], recorded: {}, fromCache: false };
  const rootVersion = goVersionFromDebian(job.root.version);
  const version = rootVersion.kind === 'release' ? rootVersion.version : '';
  const targetFields = job.targets.flatMap((m) => m.fields.filter((f) => withinBounds(version, f)).map((f) => ({ field: f, module: m })));
  const label = `${suite}: ${job.root.package} ${job.root.version}`;
  const failAll = (error: string) => {
    build.error = error;
    ctx.note(`${label}: failed: ${error.split('\n')[0]}`);
    return { job: { build, observations: targetFields.flatMap(({ field, module }) => obs(module.module, version, suite, field.selector, { status: 'failed', error }, ctx.archs)) } };
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
    return await withToolchains(job, ctx, entry, workDir, { label, build, version, targetFields, present, imports, failAll });
  } catch (err) {
    return failAll(err instanceof Error ? err.message : String(err));
  }
}

/** The suite's own Go first, then the newest Go of the matrix when the suite's fails (or it has none). */
async function withToolchains(job: Job, ctx: JobContext, entry: ResultEntry, workDir: string, a: Attempt): Promise<{ job: JobResult; result?: MeasuredResult }> {
  const suiteGo = await ctx.suiteGo(job.pkgs);
  const candidates: { tc: DebianToolchain; fallback: boolean }[] = [];
  if (suiteGo) candidates.push({ tc: suiteGo, fallback: false });
  const newest = await ctx.newestGo();
  if (!suiteGo || newest.version !== suiteGo.version) candidates.push({ tc: newest, fallback: true });
  let lastError = '';
  for (const { tc, fallback } of candidates) {
    try {
      await rm(workDir, { recursive: true, force: true });
      const done = await attempt(job, ctx, entry, workDir, a, { version: tc.version, goroot: tc.goroot }, fallback);
      if ('error' in done) return a.failAll(done.error);
      if (fallback) ctx.note(`${a.label}: built with ${tc.version} (newest matrix Go), not the suite's ${suiteGo?.version ?? '(none)'}: ${lastError.split('\n')[0] || 'the suite has no golang-go'}`);
      return done;
    } catch (err) {
      if (!(err instanceof GoOffsetsError)) throw err;
      lastError = err.message;
    }
  }
  return a.failAll(lastError);
}

/** One build with one toolchain: resolve the import graph, then measure a probe per arch. */
async function attempt(job: Job, ctx: JobContext, entry: ResultEntry, workDir: string, a: Attempt, toolchain: Toolchain, fallback: boolean): Promise<{ job: JobResult; result: MeasuredResult } | { error: string }> {
  const suite = job.pkgs.suite;
  const tree = await resolveImportGraph({ mirror: ctx.mirror, pkgs: job.pkgs, root: job.root, imports: [...a.imports], toolchain, archs: ctx.archs, workDir, stats: ctx.fetch, http: ctx.opts.http });
  const fields = fieldsToRead(tree, job, ctx, fallback);
  const selectors = fields.map((f) => f.field.selector);
  const spec = { imports: [...a.imports], types: fields.map(({ field }) => ({ pkg: field.pkg, type: field.type })) };
  const observations: Observation[] = [];
  for (const arch of ctx.archs) {
    const build = () =>
      buildWithFewestInjections(
        spec,
        (probe) => buildGopathProbe({ toolchain, arch, gopath: tree.gopath, probe, workDir: join(workDir, arch), timeoutMs: ctx.opts.timeoutMs }),
        (pkgs, cwd) => listGoFiles(toolchain, pkgs, { cwd, env: gopathEnv(toolchain, arch, tree.gopath), timeoutMs: ctx.opts.timeoutMs }),
      );
    const { outcome } = await measureProbe({ arch, selectors, build, keep: entry.probe(arch) });
    a.build.binaries[arch] = entry.probe(arch);
    if ('error' in outcome) return outcome;
    for (const f of fields) observations.push(...obs(f.module.module, f.version, suite, f.field.selector, outcome.fields.get(f.field.selector)!, [arch]));
  }
  // Tracked packages of the library that this version does not have: absent.
  for (const { field, module } of a.targetFields) {
    if (!a.present.has(field.pkg)) observations.push(...obs(module.module, a.version, suite, field.selector, { status: 'absent' }, ctx.archs));
  }
  const b = a.build;
  Object.assign(b, { go: toolchain.version, fallback, chosen: tree.chosen.map((p) => ({ package: p.package, version: p.version, size: p.size })), rejected: tree.triedAndRejected, outsideDepends: tree.outsideDepends });
  for (const o of tree.outsideDepends) ctx.note(`${a.label}: Depends incomplete: took ${o} (naming convention, same suite)`);
  for (const f of fields) b.recorded[f.field.selector] = `${f.module.module}@${f.version}`;
  const detail: BuildDetail = { suite: b.suite, package: b.package, debVersion: b.debVersion, go: b.go, fallback: b.fallback, chosen: b.chosen, rejected: b.rejected, outsideDepends: b.outsideDepends, recorded: b.recorded };
  const readings = observations.map(({ module, version, arch, field, result }) => ({ module, version, arch, field, result }));
  return { job: { build: b, observations }, result: { readings, probes: { ...b.binaries }, detail } };
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
