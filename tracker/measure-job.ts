/**
 * Measuring one planned job (a module version on one arch) through the result
 * cache: obtain its toolchain (and module source), generate and build the
 * probe, and measure it (measure.ts). Loaded only when something is built: a
 * rerun that the table or the cache answers never needs the build path.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ObservationResult } from '../offsets/observation.js';
import { buildProbe, downloadModule, goEnv, listGoFiles, type Toolchain } from './build.js';
import { measureProbe } from './measure.js';
import { covers, fromMeasured, jobEntry, jobKey, type Job } from './plan.js';
import { buildWithFewestInjections } from './probe/lazy.js';
import { measureOnce, type MeasuredResult } from './result-cache.js';
import type { GoRelease } from './sources/index.js';

export interface JobTiming {
  job: string;
  downloadMs: number;
  buildMs: number;
  readMs: number;
}

export interface JobMeasureOptions {
  /** The job's toolchain, obtained at most once per release in a run. */
  obtain: (r: GoRelease) => Promise<string>;
  force?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** How a job ended: its field results and, when it was measured here, whether a probe was built and the timings. */
export interface JobOutcome {
  results: Map<string, ObservationResult>;
  fromCache: boolean;
  built: boolean;
  failed: boolean;
  timing?: JobTiming;
}

/** The job's field results as the result cache stores them. */
function toMeasured(job: Job, results: Map<string, ObservationResult>, probe?: string): MeasuredResult {
  const readings = job.fields.map((f) => ({ module: job.module, version: job.version, arch: job.arch, field: f.selector, result: results.get(f.selector)! }));
  return { readings, probes: probe ? { [job.arch]: probe } : {} };
}

/** One job, from the cache or measured (at most once per machine); any failure is a failed result for every field. */
export async function measureJob(job: Job, opts: JobMeasureOptions): Promise<JobOutcome> {
  const entry = jobEntry(job.module, job.version, job.arch, job.fields.map((f) => f.selector));
  const key = jobKey(job.module, job.version, job.arch);
  const r = await measureOnce(entry, (workDir) => build(job, entry.probe(job.arch), workDir, opts), {
    force: opts.force,
    accept: covers(job),
    onWait: () => opts.log?.(`waiting for another process building ${key}`),
  });
  if ('cached' in r) return { results: fromMeasured(r.cached), fromCache: true, built: false, failed: false };
  return r.measured.outcome;
}

async function build(job: Job, keep: string, workDir: string, opts: JobMeasureOptions): Promise<{ result: MeasuredResult; outcome: JobOutcome }> {
  const timing: JobTiming = { job: jobKey(job.module, job.version, job.arch), downloadMs: 0, buildMs: 0, readMs: 0 };
  const done = (results: Map<string, ObservationResult>, built: boolean, probe?: string) => {
    const failed = [...results.values()].some((x) => x.status === 'failed');
    return { result: toMeasured(job, results, probe), outcome: { results, fromCache: false, built, failed, timing } };
  };
  const fail = (error: string, built: boolean) => {
    opts.log?.(`failed: ${timing.job}: ${error.split('\n')[0]}`);
    return done(new Map(job.fields.map((f) => [f.selector, { status: 'failed', error }])), built);
  };
  let built = false;
  try {
    if (!job.release) return fail(`no Go toolchain to build ${job.module} with (no Go release source listed one)`, false);
    const t = performance.now();
    const { toolchain, imports, types } = await probeInputs(job, job.release, workDir, opts);
    timing.downloadMs = performance.now() - t;
    const spec = { module: job.module === 'std' ? undefined : job.module, moduleVersion: job.version, imports, types };
    const selectors = job.fields.map((f) => f.selector);
    const buildOne = async () => {
      const binary = await buildWithFewestInjections(
        spec,
        (probe) => buildProbe({ toolchain, arch: job.arch, probe, workDir: join(workDir, 'build'), goproxy: job.goproxy, timeoutMs: opts.timeoutMs, signal: opts.signal }),
        (pkgs, cwd) => listGoFiles(toolchain, pkgs, { cwd, env: goEnv(toolchain, job.arch, job.goproxy), timeoutMs: opts.timeoutMs, signal: opts.signal }),
      );
      built = true;
      return binary;
    };
    const { outcome, timings } = await measureProbe({ arch: job.arch, selectors, build: buildOne, keep });
    Object.assign(timing, timings);
    if ('error' in outcome) return fail(outcome.error, built);
    return done(outcome.fields, built, keep);
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err), built);
  }
}

/** The toolchain, and what the probe imports and reaches: only the tracked packages this version has. */
async function probeInputs(job: Job, release: GoRelease, workDir: string, opts: JobMeasureOptions) {
  const goroot = await opts.obtain(release);
  const toolchain: Toolchain = { version: release.version, goroot };
  const present = new Set<string>();
  let imports: string[];
  if (job.module === 'std') {
    for (const p of job.tracked.packages) if (existsSync(join(goroot, 'src', p.path))) present.add(p.path);
    imports = job.tracked.packages.filter((p) => present.has(p.path) && p.path !== 'runtime').map((p) => p.importPath);
  } else {
    const dir = await downloadModule({ toolchain, module: job.module, version: job.version, goproxy: job.goproxy, workDir: join(workDir, 'dl'), timeoutMs: opts.timeoutMs, signal: opts.signal });
    const rel = (p: string) => join(dir, p.slice(job.module.length + 1));
    for (const p of job.tracked.packages) if (existsSync(rel(p.path))) present.add(p.path);
    imports = job.tracked.packages.filter((p) => present.has(p.path) && existsSync(rel(p.importPath))).map((p) => p.importPath);
  }
  const types = job.fields.filter((f) => present.has(f.pkg)).map((f) => ({ pkg: f.pkg, type: f.type }));
  return { toolchain, imports, types };
}
