import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { cacheRoot } from '../common/cache-dir.js';
import { FetchError } from './errors.js';
import { httpGet, toFetchError, type HttpOptions } from './http.js';

export interface DownloadOptions extends HttpOptions {
  /** Expected sha256 (hex). The file is refused unless it matches. */
  sha256: string;
  /** Expected size in bytes, when known. */
  size?: number;
  signal?: AbortSignal;
  /** Cache root (default cacheRoot()). */
  cacheDir?: string;
  /** Called with the byte count as data arrives. */
  onBytes?: (received: number) => void;
}

/** Where the verified file with this hash lives: <cache>/downloads/sha256/<hash>. */
export function downloadPath(sha256: string, cacheDir = cacheRoot()): string {
  return join(cacheDir, 'downloads', 'sha256', sha256.toLowerCase());
}

/** Partial downloads: same filesystem as the cache, so the final rename is atomic. */
export function downloadTempDir(cacheDir = cacheRoot()): string {
  return join(cacheDir, 'downloads', 'tmp');
}

/**
 * Downloads `url` into the content-addressed cache and returns its path.
 * Bytes go to a temp file that is renamed into place only after the sha256
 * (and size) check, so an interrupted or corrupt download never becomes a
 * cache entry. A file already in the cache is returned without any request.
 */
export async function download(url: string, opts: DownloadOptions): Promise<string> {
  const sha256 = opts.sha256.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new FetchError('ERR_CHECKSUM', `not a sha256 hex digest: ${JSON.stringify(opts.sha256)}`, url);
  const dest = downloadPath(sha256, opts.cacheDir);
  if (await exists(dest)) return dest;

  const tmpDir = downloadTempDir(opts.cacheDir);
  await mkdir(tmpDir, { recursive: true });
  await mkdir(join(dest, '..'), { recursive: true });
  const tmp = join(tmpDir, `${sha256}.${process.pid}.${randomBytes(4).toString('hex')}.part`);
  try {
    const res = await httpGet(url, opts);
    const hash = createHash('sha256');
    let received = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        received += chunk.length;
        opts.onBytes?.(received);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(res.body, tap, createWriteStream(tmp), { signal: opts.signal });
    } catch (err) {
      throw toFetchError(err, url);
    }
    if (opts.size !== undefined && received !== opts.size) {
      throw new FetchError('ERR_CHECKSUM', `size mismatch: expected ${opts.size} bytes, got ${received}`, url);
    }
    const got = hash.digest('hex');
    if (got !== sha256) throw new FetchError('ERR_CHECKSUM', `sha256 mismatch: expected ${sha256}, got ${got}`, url);
    await rename(tmp, dest);
    return dest;
  } finally {
    await rm(tmp, { force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
