/**
 * The tracker's one result cache: what measuring a job found, kept once per
 * machine and keyed by everything the result depends on. The planner's jobs
 * (one module version on one arch) and the Debian module source's jobs (one
 * package of one suite, every arch) are stored alike, in one format, through
 * common/json-cache.ts:
 *
 *   tracker/results/<key>.json   {"cache": "tracker-result", "format": 2, "data": MeasuredResult}
 *   tracker/probes/<key>-<arch>  the probe binary each reading came from
 *
 * A job is measured at most once per machine: under the lock of its result, a
 * second run that wants the same job (another shard, a test, a person) waits,
 * then reads the first one's result instead of building it again. Each run
 * builds in a private work directory; the probes, then the result, are renamed
 * into place only when complete, so a run killed midway leaves nothing that a
 * later run takes for a result.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { cachePath } from '../common/cache-dir.js';
import { readJsonCache, writeJsonCache, type JsonCacheKind } from '../common/json-cache.js';
import { withLock } from '../common/lock.js';
import { privatePath } from '../common/private-path.js';
import type { Arch, ObservationResult } from '../offsets/observation.js';

/** Bumped when probes, reading or this format change in a way that invalidates cached results (it is part of every key). */
const RESULT_FORMAT = 2;

/** One field read from one probe; the caller names the source it records it under. */
export interface Reading {
  module: string;
  version: string;
  arch: Arch;
  field: string;
  result: ObservationResult;
}

/** What measuring one job found. */
export interface MeasuredResult {
  readings: Reading[];
  /** arch -> the probe binary the readings of that arch came from, kept in the cache. */
  probes: Partial<Record<Arch, string>>;
  /** What the source records about the build (the Debian module source: toolchain and packages used); checked by the source. */
  detail?: Record<string, unknown>;
}

const ARCHS = new Set(['amd64', 'arm64']);
const STATUSES = new Set(['ok', 'absent', 'failed']);
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function isResult(r: unknown): r is ObservationResult {
  if (!isObject(r) || !STATUSES.has(r.status as string)) return false;
  if (r.status === 'ok') return Number.isSafeInteger(r.offset) && (r.offset as number) >= 0;
  return r.status !== 'failed' || typeof r.error === 'string';
}

function isReading(r: unknown): r is Reading {
  return isObject(r) && typeof r.module === 'string' && typeof r.version === 'string' && ARCHS.has(r.arch as string) && typeof r.field === 'string' && isResult(r.result);
}

export function isMeasuredResult(d: unknown): d is MeasuredResult {
  if (!isObject(d) || !Array.isArray(d.readings) || !d.readings.every(isReading) || !isObject(d.probes)) return false;
  if (!Object.entries(d.probes).every(([arch, path]) => ARCHS.has(arch) && typeof path === 'string')) return false;
  return d.detail === undefined || isObject(d.detail);
}

export const RESULT_CACHE: JsonCacheKind<MeasuredResult> = { name: 'tracker-result', format: RESULT_FORMAT, check: isMeasuredResult };

/** Where one job's result and probes live. */
export interface ResultEntry {
  /** Hex key: a hash of the format and of everything the result depends on. */
  key: string;
  file: string;
  probe(arch: Arch): string;
}

/** The entry of a job, keyed by `parts` (JSON): everything its result depends on. */
export function resultEntry(parts: unknown): ResultEntry {
  const key = createHash('sha256').update(JSON.stringify([RESULT_FORMAT, parts])).digest('hex');
  return { key, file: cachePath('tracker', 'results', `${key}.json`), probe: (arch) => cachePath('tracker', 'probes', `${key}-${arch}`) };
}

/**
 * The cached result of `entry`, when it is usable: the file passes the format's
 * check (a damaged or older one is reported and treated as absent), no reading
 * failed, every probe it names is still there, and `accept` (the caller's own
 * check, e.g. that it covers every field of the job) agrees.
 */
export async function readResult(entry: ResultEntry, accept: (r: MeasuredResult) => boolean = () => true): Promise<MeasuredResult | undefined> {
  const r = await readJsonCache(entry.file, RESULT_CACHE);
  if (!r || r.readings.some((x) => x.result.status === 'failed')) return undefined;
  if (!Object.values(r.probes).every((p) => p !== undefined && existsSync(p))) return undefined;
  return accept(r) ? r : undefined;
}

/** Stores a result; one with a failed reading is not stored (the job is retried next run). */
export async function writeResult(entry: ResultEntry, result: MeasuredResult): Promise<boolean> {
  if (result.readings.some((x) => x.result.status === 'failed')) return false;
  await mkdir(cachePath('tracker', 'results'), { recursive: true });
  await writeJsonCache(entry.file, RESULT_CACHE, result);
  return true;
}

export interface MeasureOnceOptions {
  /** Ignore a cached result (and overwrite it). */
  force?: boolean;
  accept?: (r: MeasuredResult) => boolean;
  /** Called when another process holds the job's lock. */
  onWait?: () => void;
}

/**
 * The job's result, from the cache or from `measure(workDir)`, at most once per
 * machine (see the file comment). `workDir` is private to this call and
 * removed after it; `measure` moves the probes it keeps to `entry.probe(arch)`
 * and returns the result to store (none, or one with a failed reading, is not stored).
 */
export async function measureOnce<T extends { result?: MeasuredResult }>(
  entry: ResultEntry,
  measure: (workDir: string) => Promise<T>,
  opts: MeasureOnceOptions = {},
): Promise<{ cached: MeasuredResult } | { measured: T }> {
  const cached = () => (opts.force ? Promise.resolve(undefined) : readResult(entry, opts.accept));
  const first = await cached();
  if (first) return { cached: first };
  return withLock(
    entry.file,
    async () => {
      const again = await cached();
      if (again) return { cached: again };
      const workDir = privatePath(cachePath('tracker', 'work', entry.key.slice(0, 16)));
      try {
        const measured = await measure(workDir);
        if (measured.result) await writeResult(entry, measured.result);
        return { measured };
      } finally {
        await rm(workDir, { recursive: true, force: true });
      }
    },
    { onWait: opts.onWait },
  );
}
