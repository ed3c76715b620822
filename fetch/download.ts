import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { cacheRoot } from '../common/cache-dir.js';
import { withLock } from '../common/lock.js';
import { privatePath } from '../common/private-path.js';
import { FetchError } from './errors.js';
import { httpGetBody, type HttpOptions } from './http.js';

export interface DownloadOptions extends HttpOptions {
  /** Expected sha256 (hex). The file is refused unless it matches. */
  sha256: string;
  /** Expected size in bytes, when known. */
  size?: number;
  signal?: AbortSignal;
  /** Cache root (default cacheRoot()). */
  cacheDir?: string;
  /**
   * Where the verified file goes, for a caller that keeps its own layout
   * (debian/'s `<sha256>.deb`); default downloadPath(sha256, cacheDir).
   */
  dest?: string;
  /** Called with the byte count as data arrives. */
  onBytes?: (received: number) => void;
}

/** Where the verified file with this hash lives by default: <cache>/downloads/sha256/<hash>. */
export function downloadPath(sha256: string, cacheDir = cacheRoot()): string {
  return join(cacheDir, 'downloads', 'sha256', sha256.toLowerCase());
}

/** Partial downloads: same filesystem as the cache, so the final rename is atomic. */
export function downloadTempDir(cacheDir = cacheRoot()): string {
  return join(cacheDir, 'downloads', 'tmp');
}

/**
 * Downloads `url` into the cache and returns the path it wrote: the one
 * download path of the project (toolchain archives, .debs). Bytes go to a temp
 * file that is renamed into place only after the sha256 (and size) check, so
 * an interrupted or corrupt download never becomes a cache entry. A body cut
 * off mid-way is resumed with a Range request, or restarted when the server
 * cannot resume (httpGetBody). A complete file already in place is returned
 * without any request; two processes asking for the same file download it once
 * (the second waits on the entry's lock, then finds it).
 */
export async function download(url: string, opts: DownloadOptions): Promise<string> {
  const sha256 = opts.sha256.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new FetchError('ERR_CHECKSUM', `not a sha256 hex digest: ${JSON.stringify(opts.sha256)}`, url);
  const dest = opts.dest ?? downloadPath(sha256, opts.cacheDir);
  if (await complete(dest, opts.size)) return dest;
  const tmpDir = opts.dest ? dirname(dest) : downloadTempDir(opts.cacheDir);
  await mkdir(tmpDir, { recursive: true });
  await mkdir(dirname(dest), { recursive: true });
  return withLock(dest, async () => {
    if (await complete(dest, opts.size)) return dest;
    const tmp = privatePath(join(tmpDir, basename(dest)), '.part');
    try {
      const got = await fetchToFile(url, tmp, opts);
      if (opts.size !== undefined && got.size !== opts.size) {
        throw new FetchError('ERR_CHECKSUM', `size mismatch: expected ${opts.size} bytes, got ${got.size}`, url);
      }
      if (got.sha256 !== sha256) throw new FetchError('ERR_CHECKSUM', `sha256 mismatch: expected ${sha256}, got ${got.sha256}`, url);
      await rename(tmp, dest);
      return dest;
    } finally {
      await rm(tmp, { force: true });
    }
  });
}

/** Streams the body into `path` (afresh on each restart), hashing on the way. */
function fetchToFile(url: string, path: string, opts: DownloadOptions): Promise<{ sha256: string; size: number }> {
  return httpGetBody(url, opts, async (body) => {
    const hash = createHash('sha256');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        size += chunk.length;
        opts.onBytes?.(size);
        cb(null, chunk);
      },
    });
    await pipeline(body, tap, createWriteStream(path), { signal: opts.signal });
    return { sha256: hash.digest('hex'), size };
  });
}

async function complete(path: string, size: number | undefined): Promise<boolean> {
  const st = await stat(path).catch(() => undefined);
  return st !== undefined && (size === undefined || st.size === size);
}
