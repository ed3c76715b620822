import { readdir, rm, stat, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../common/atomic-write.js';

/**
 * The most cache files the agent keeps in one directory. Its caches are keyed
 * by an executable's device, inode and mtime, so every deployment of a target
 * adds one: past this many, the least recently used are removed. A target
 * whose entry went is inspected again at its next start (tens of ms).
 */
export const MAX_CACHE_FILES = 256;

/**
 * Cache files the agent saves only after it has attached: writing them
 * (mkdir, temporary file, rename) would otherwise sit between start and
 * attached, and a cache that cannot be written (read-only home, full disk)
 * must not stop tracing. Each failure is reported as a warning.
 */
export class CacheWrites {
  private readonly pending: { path: string; data: string }[] = [];
  private readonly used = new Set<string>();

  defer(path: string, data: string): void {
    this.pending.push({ path, data });
  }

  /** A cache file that answered this start: its mtime is renewed at flush, so that pruning keeps it. */
  markUsed(path: string): void {
    this.used.add(path);
  }

  /**
   * Writes every deferred file, renews the used ones, and prunes each directory
   * written to down to `maxFiles`; resolves even when some of it failed, after
   * warning about each deferred file not written.
   */
  async flush(warn: (line: string) => void, maxFiles = MAX_CACHE_FILES): Promise<void> {
    const writes = this.pending.splice(0);
    const used = [...this.used];
    this.used.clear();
    const now = new Date();
    await Promise.all([
      ...writes.map(({ path, data }) =>
        writeFileAtomic(path, data).catch((err: Error) => warn(`warning: cannot save the cache file ${path}: ${err.message}`)),
      ),
      ...used.map((path) => utimes(path, now, now).catch(() => undefined)),
    ]);
    for (const dir of new Set(writes.map((w) => dirname(w.path)))) await pruneCacheDir(dir, maxFiles);
  }
}

/**
 * Removes the oldest `.json` files of `dir` (by mtime: written or last used)
 * beyond the newest `maxFiles`; returns their names. Best effort: what cannot
 * be read or removed stays.
 */
export async function pruneCacheDir(dir: string, maxFiles: number): Promise<string[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  if (names.length <= maxFiles) return [];
  const dated = await Promise.all(names.map(async (name) => ({ name, mtime: (await stat(join(dir, name)).catch(() => undefined))?.mtimeMs ?? 0 })));
  dated.sort((a, b) => b.mtime - a.mtime || a.name.localeCompare(b.name));
  const old = dated.slice(maxFiles).map((d) => d.name);
  await Promise.all(old.map((name) => rm(join(dir, name), { force: true }).catch(() => undefined)));
  return old;
}
