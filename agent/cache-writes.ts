import { writeFileAtomic } from '../common/atomic-write.js';

/**
 * Cache files the agent saves only after it has attached: writing them
 * (mkdir, temporary file, rename) would otherwise sit between start and
 * attached, and a cache that cannot be written (read-only home, full disk)
 * must not stop tracing. Each failure is reported as a warning.
 */
export class CacheWrites {
  private readonly pending: { path: string; data: string }[] = [];

  defer(path: string, data: string): void {
    this.pending.push({ path, data });
  }

  /** Writes every deferred file; resolves even when some could not be written, after warning about each. */
  async flush(warn: (line: string) => void): Promise<void> {
    const writes = this.pending.splice(0);
    await Promise.all(
      writes.map(({ path, data }) =>
        writeFileAtomic(path, data).catch((err: Error) => warn(`warning: cannot save the cache file ${path}: ${err.message}`)),
      ),
    );
  }
}
