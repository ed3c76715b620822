/**
 * The one format of every JSON cache file this project keeps: an envelope that
 * names the kind of entry and its format version, around the data.
 *
 *   {"cache": "tracker-result", "format": 3, "data": ...}
 *
 * A file is read back only when it parses, names the expected kind and format,
 * and its data passes the kind's check. Anything else (a truncated write from
 * an older tool, a file from an older format, bytes damaged on disk) is
 * reported once on stderr and treated as absent, so the caller rebuilds it:
 * a cache is never trusted just because it exists.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write.js';

export interface JsonCacheKind<T> {
  /** What the file holds, e.g. "tracker-result"; stored in the file and checked. */
  readonly name: string;
  /** Bumped whenever the data's shape changes: older files are then rebuilt. */
  readonly format: number;
  /** True when `data` has the shape this kind stores (a type guard or an ajv validator). */
  readonly check: (data: unknown) => boolean;
}

interface Envelope {
  cache: string;
  format: number;
  data: unknown;
}

/** Where a cache file that was not usable is reported; tests replace it. */
export let reportUnusableCache = (path: string, why: string): void => {
  process.stderr.write(`go-offsets: cache file ${path} ${why}; rebuilding it\n`);
};

export function setUnusableCacheReporter(report: (path: string, why: string) => void): void {
  reportUnusableCache = report;
}

const reported = new Set<string>();

function unusable(path: string, why: string): undefined {
  if (!reported.has(path)) {
    reported.add(path);
    reportUnusableCache(path, why);
  }
  return undefined;
}

/** The data of a cache file's text, or undefined (reported) when it is not usable. */
export function parseJsonCache<T>(path: string, text: string, kind: JsonCacheKind<T>): T | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return unusable(path, `is not valid JSON (${text.length} bytes; truncated or damaged)`);
  }
  const env = doc as Partial<Envelope> | null;
  if (typeof env !== 'object' || env === null || typeof env.cache !== 'string' || typeof env.format !== 'number') {
    return unusable(path, `has no cache envelope (written by an older version)`);
  }
  if (env.cache !== kind.name) return unusable(path, `holds a "${env.cache}" entry, not "${kind.name}"`);
  if (env.format !== kind.format) return unusable(path, `is in format ${env.format}, not ${kind.format}`);
  if (!kind.check(env.data)) return unusable(path, `holds data of the wrong shape for "${kind.name}"`);
  return env.data as T;
}

function missing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR';
}

/** The cached data at `path`; undefined when there is none or it is not usable (then reported once). */
export async function readJsonCache<T>(path: string, kind: JsonCacheKind<T>): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (missing(err)) return undefined;
    return unusable(path, `cannot be read (${(err as Error).message})`);
  }
  return parseJsonCache(path, text, kind);
}

/** The synchronous twin of readJsonCache, for start-up paths that do no other I/O. */
export function readJsonCacheSync<T>(path: string, kind: JsonCacheKind<T>): T | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (missing(err)) return undefined;
    return unusable(path, `cannot be read (${(err as Error).message})`);
  }
  return parseJsonCache(path, text, kind);
}

/** The text of a cache file holding `data`. */
export function formatJsonCache<T>(kind: JsonCacheKind<T>, data: T): string {
  const env: Envelope = { cache: kind.name, format: kind.format, data };
  return JSON.stringify(env);
}

/** Writes `data` to `path` atomically: readers see the old file or the whole new one. */
export async function writeJsonCache<T>(path: string, kind: JsonCacheKind<T>, data: T): Promise<void> {
  await writeFileAtomic(path, formatJsonCache(kind, data));
}
