/**
 * A cache entry (a file or a directory) that is produced once per machine,
 * whichever process asks for it first: the others wait for it and reuse it.
 *
 * The producer writes to a private temporary path beside the entry, which is
 * renamed into place only when complete: a run killed midway leaves a
 * temporary path that nothing reads as a result (and a lock that goes stale),
 * removed by the next process that works in the same directory.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { withLock, type LockOptions } from './lock.js';
import { privatePath } from './private-path.js';

export interface BuildOnceOptions extends LockOptions {
  /** True when the entry at `path` is complete and usable (default: it exists). */
  valid?: (path: string) => boolean | Promise<boolean>;
}

/**
 * Returns `path` once it holds a complete entry. When it does not, takes the
 * entry's lock, checks again (another process may have finished it), and runs
 * `produce(tmp)`; `tmp` is renamed to `path` when `produce` resolves.
 */
export async function buildOnce(path: string, produce: (tmp: string) => Promise<unknown>, opts: BuildOnceOptions = {}): Promise<string> {
  const valid = opts.valid ?? existsSync;
  if (await valid(path)) return path;
  return withLock(
    path,
    async () => {
      if (await valid(path)) return path;
      await mkdir(dirname(path), { recursive: true });
      const tmp = privatePath(path);
      try {
        await produce(tmp);
        await rm(path, { recursive: true, force: true }); // an incomplete or outdated entry
        await rename(tmp, path);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
      return path;
    },
    opts,
  );
}
