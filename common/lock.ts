/**
 * Cross-process locks on cache entries, so that two runs on one machine (two
 * tracker shards, a scheduled run and a person, two test files) never build
 * the same thing twice or into each other's work directories.
 *
 * proper-lockfile takes a lock by creating `<path>.lock` with mkdir (atomic on
 * every local filesystem) and keeps its mtime fresh while held. A holder that
 * died (SIGKILL, power loss) stops refreshing it, and after STALE_MS the next
 * process takes the lock over: nothing waits forever on a dead process.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';

/** Overrides STALE_MS (at least 2000, proper-lockfile's minimum): the tests that kill a holder set it low. */
export const STALE_MS_ENV = 'GO_OFFSETS_LOCK_STALE_MS';

/**
 * A lock not refreshed for this long belongs to a dead process (the holder
 * refreshes it every STALE_MS / 4). 10 s by default: long enough that a
 * machine too busy to run the refresh timer for a while is not taken for dead.
 */
export const STALE_MS = Math.max(2_000, Number(process.env[STALE_MS_ENV]) || 10_000);

export interface LockOptions {
  /** Told once when another process holds the lock and this one starts waiting. */
  onWait?: (what: string) => void;
}

/**
 * Runs `fn` while holding the lock on `path` (the entry it guards; the entry
 * itself need not exist). Waits, without limit, while another live process
 * holds it.
 */
export async function withLock<T>(path: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  await mkdir(dirname(path), { recursive: true });
  const base = {
    realpath: false,
    stale: STALE_MS,
    update: STALE_MS / 4,
    // A lock found stale while held (this process stalled for STALE_MS) is
    // reported, not thrown from a timer: the work still ends in an atomic rename.
    onCompromised: (err: Error) => process.stderr.write(`warning: lock on ${path} taken over by another process: ${err.message}\n`),
  };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(path, { ...base, retries: 0 });
  } catch (err) {
    if ((err as { code?: string }).code !== 'ELOCKED') throw err;
    opts.onWait?.(path);
    release = await lockfile.lock(path, { ...base, retries: { forever: true, factor: 1.3, minTimeout: 100, maxTimeout: 1_000 } });
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => {
      /* already taken over and reported by onCompromised */
    });
  }
}
