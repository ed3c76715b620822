import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Root of every cache this project keeps (toolchains, downloads, probe builds).
 * It lives outside the repository so that CI runs on the same machine reuse it.
 * Override with GO_OFFSETS_CACHE.
 */
export function cacheRoot(): string {
  if (process.env.GO_OFFSETS_CACHE) return process.env.GO_OFFSETS_CACHE;
  const xdg = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdg, 'go-offsets');
}

export function cachePath(...parts: string[]): string {
  return join(cacheRoot(), ...parts);
}

/**
 * The one Go build cache (GOCACHE) of every go command this project runs: the
 * tracker's, the Debian module builds', the test fixtures'. The go command keys
 * each entry by all of its inputs (toolchain, flags, sources, toolexec's
 * -V=full) and locks the cache itself, so toolchains and concurrent processes
 * share it safely, and a package compiled once is never compiled again.
 */
export function goBuildCache(): string {
  return cachePath('gocache');
}
