/**
 * Planning: which (module, version, arch) jobs a run has, which shard each
 * belongs to, and which of them the existing table already answers.
 */
import { createHash } from 'node:crypto';
import { GoOffsetsError } from '../common/errors.js';
import { canonicalGoVersion, compareGoVersions, parseGoVersion } from '../offsets/go-version.js';
import type { Arch, Observation, ObservationResult } from '../offsets/observation.js';
import { fieldsAt, withinBounds, type TrackedField, type TrackedModule, type TrackerConfig } from './config.js';
import type { ModuleVersion } from './modules/index.js';
import { readResult, resultEntry, type MeasuredResult, type ResultEntry } from './result-cache.js';
import type { GoRelease } from './sources/index.js';

/** Stable codes of the tracker's own checks of its command line. */
export type RunErrorCode = 'ERR_BAD_ARCH' | 'ERR_BAD_NUMBER' | 'ERR_BAD_SHARD' | 'ERR_BAD_USAGE' | 'ERR_MODULE_SOURCE_SPEC';

export class RunError extends GoOffsetsError {
  declare readonly code: RunErrorCode;
  constructor(code: RunErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

export interface Shard {
  /** 1-based */
  index: number;
  count: number;
}

export interface Job {
  module: string;
  version: string;
  /** Every source that offers this version (observations are recorded for each). */
  sources: string[];
  /** The row of the run's source table the job is counted in (`go.dev`, `debian`, `dir:PATH`, `module proxy`). */
  listedBy: string;
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

/** Whether a key is this run's (always, without a shard). */
export function inShardOf(shard: Shard | undefined): (key: string) => boolean {
  return (key) => !shard || shardOf(key, shard.count) === shard.index;
}

/** A job's entry in the result cache: keyed by its module, version, arch and exact field set. */
export function jobEntry(module: string, version: string, arch: Arch, selectors: readonly string[]): ResultEntry {
  return resultEntry(['job', jobKey(module, version, arch), [...selectors].sort()]);
}

/** A cached result's field results. */
export function fromMeasured(r: MeasuredResult): Map<string, ObservationResult> {
  return new Map(r.readings.map((x) => [x.field, x.result]));
}

/** Whether a cached result answers every field of the job. */
export function covers(job: Job): (r: MeasuredResult) => boolean {
  return (r) => {
    const m = fromMeasured(r);
    return job.fields.every((f) => m.has(f.selector));
  };
}

/** The job's results from the result cache, when it answers every field. */
export async function cachedJob(job: Job): Promise<Map<string, ObservationResult> | undefined> {
  const r = await readResult(jobEntry(job.module, job.version, job.arch, job.fields.map((f) => f.selector)), covers(job));
  return r && fromMeasured(r);
}

/** Where the probe binary of a built job is kept (beside its cached result); it exists once the job was built. */
export function probeCachePath(module: string, version: string, arch: Arch, selectors: readonly string[]): string {
  return jobEntry(module, version, arch, selectors).probe(arch);
}

export function isKnown(r: ObservationResult | undefined): boolean {
  return r !== undefined && r.status !== 'failed';
}

/** What the existing table holds, per job key. */
export class TableKnowledge {
  private readonly byJob = new Map<string, Map<string, ObservationResult>>();
  constructor(readonly observations: readonly Observation[]) {
    for (const o of observations) {
      const key = jobKey(o.module, o.version, o.arch);
      let m = this.byJob.get(key);
      if (!m) this.byJob.set(key, (m = new Map()));
      m.set(o.field, o.result);
    }
  }

  /** True when the table has a value (or absent) for every field. */
  answers(module: string, version: string, arch: Arch, fields: readonly TrackedField[]): boolean {
    const known = this.byJob.get(jobKey(module, version, arch));
    return known !== undefined && fields.every((f) => isKnown(known.get(f.selector)));
  }
}

/** The newest stable release (no prerelease, no suffix): the toolchain that builds module probes. */
export function newestStable(releases: GoRelease[]): GoRelease | undefined {
  const stable = releases.map((r) => ({ r, v: parseGoVersion(r.version) })).filter(({ v }) => v.kind === 'release' && !v.pre && v.suffix === '');
  return stable.sort((a, b) => compareGoVersions(b.v, a.v))[0]?.r;
}

export interface Listings {
  /** Releases in source order, each with the row of the source that listed it. */
  releases: { release: GoRelease; listedBy: string }[];
  /** Module versions per tracked module (from the proxy source). */
  modules: Map<string, ModuleVersion[]>;
}

/**
 * Every job of the run, in listing order: one per (std release, arch) and per
 * (module version, arch) within the config's bounds. A version several
 * sources list (go.dev and debian) is built once, from the first source
 * listed, and recorded under that source only.
 */
export function planJobs(config: TrackerConfig, archs: readonly Arch[], listings: Listings, goproxy?: string): Job[] {
  const byVersion = new Map<string, { release: GoRelease; listedBy: string }>();
  for (const l of listings.releases) {
    const key = canonicalGoVersion(parseGoVersion(l.release.version));
    if (!byVersion.has(key)) byVersion.set(key, l);
  }
  const jobs: Job[] = [];
  const std = config.modules.find((m) => m.module === 'std');
  for (const { release, listedBy } of byVersion.values()) {
    if (!std || !withinBounds(release.version, std)) continue;
    const fields = fieldsAt(std, release.version);
    if (!fields.length) continue;
    for (const arch of archs) jobs.push({ module: 'std', version: release.version, sources: [release.source], listedBy, arch, fields, tracked: std, release });
  }
  const builder = newestStable([...byVersion.values()].map((l) => l.release));
  for (const tracked of config.modules.filter((m) => m.module !== 'std')) {
    for (const mv of listings.modules.get(tracked.module) ?? []) {
      if (!withinBounds(mv.version, tracked)) continue;
      const fields = fieldsAt(tracked, mv.version);
      if (!fields.length) continue;
      const origin = mv.source === 'proxy' && mv.origin ? mv.origin : goproxy;
      for (const arch of archs) jobs.push({ module: tracked.module, version: mv.version, sources: [mv.source], listedBy: 'module proxy', arch, fields, tracked, release: builder, goproxy: origin });
    }
  }
  return jobs;
}

/** A job's observations: one per field and per source that lists it. */
export function observationsFor(job: Job, results: ReadonlyMap<string, ObservationResult>): Observation[] {
  const out: Observation[] = [];
  for (const source of job.sources) {
    for (const f of job.fields) out.push({ module: job.module, version: job.version, source, arch: job.arch, field: f.selector, result: results.get(f.selector)! });
  }
  return out;
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
