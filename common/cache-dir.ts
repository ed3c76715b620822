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
