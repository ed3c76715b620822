/**
 * debian/'s side of the project's one HTTP client (fetch/): the archive's
 * retry policy expressed as fetch/ options, and fetch/'s error codes mapped
 * onto DebianError codes at this boundary (ERR_NETWORK -> ERR_DEBIAN_UNREACHABLE,
 * ERR_HTTP_NOT_FOUND -> ERR_DEBIAN_NOT_FOUND, ERR_HTTP_STATUS -> ERR_DEBIAN_HTTP).
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FetchError } from '../fetch/errors.js';
import { httpGet, httpGetBytes, restartOnCutBody, toFetchError, type HttpOptions } from '../fetch/http.js';
import { DebianError } from './errors.js';

export interface FetchOptions {
  /** Attempts in all (first try included) for network faults and 5xx. */
  attempts?: number;
  /** First backoff delay; doubles each retry. */
  backoffMs?: number;
  /** Milliseconds without any byte (or to connect) before giving up on an attempt. */
  timeoutMs?: number;
}

const DEFAULTS: Required<FetchOptions> = { attempts: 4, backoffMs: 500, timeoutMs: 30_000 };

function httpOptions(opts: FetchOptions): HttpOptions & { attempts: number } {
  const o = { ...DEFAULTS, ...opts };
  return {
    attempts: o.attempts,
    maxRetries: Math.max(0, o.attempts - 1),
    minBackoffMs: o.backoffMs,
    maxBackoffMs: o.backoffMs * 2 ** Math.max(0, o.attempts - 2),
    connectTimeoutMs: o.timeoutMs,
    idleTimeoutMs: o.timeoutMs,
  };
}

/** fetch/'s FetchError as the DebianError with the matching stable code. */
function toDebianError(err: unknown, url: string, attempts: number): unknown {
  const e = err instanceof FetchError ? err : toFetchError(err, url);
  if (!(e instanceof FetchError)) return e;
  const why = e.message.replace(/ \([^()]*\)$/, '');
  if (e.code === 'ERR_HTTP_NOT_FOUND') return new DebianError('ERR_DEBIAN_NOT_FOUND', `HTTP ${e.status ?? 404}: not found on the mirror`, url, { cause: e });
  if (e.code === 'ERR_HTTP_STATUS') return new DebianError('ERR_DEBIAN_HTTP', e.status !== undefined && e.status < 500 ? `HTTP ${e.status}` : `${why} (${attempts} attempts)`, url, { cause: e });
  return new DebianError('ERR_DEBIAN_UNREACHABLE', `could not fetch after ${attempts} attempts: ${why}`, url, { cause: e });
}

/** GETs a whole (small) resource into memory. */
export async function fetchBytes(url: string, opts: FetchOptions = {}): Promise<Buffer> {
  const h = httpOptions(opts);
  try {
    return await restartOnCutBody(url, h, () => httpGetBytes(url, h));
  } catch (err) {
    throw toDebianError(err, url, h.attempts);
  }
}

export interface Expected {
  sha256: string;
  size?: number;
}

/** Throws ERR_DEBIAN_CHECKSUM unless the data matches what the archive promised. */
export function verify(what: string, actual: { sha256: string; size: number }, expected: Expected): void {
  if (expected.size !== undefined && actual.size !== expected.size) {
    throw new DebianError('ERR_DEBIAN_CHECKSUM', `size mismatch: got ${actual.size} bytes, expected ${expected.size}`, what);
  }
  if (actual.sha256 !== expected.sha256.toLowerCase()) {
    throw new DebianError('ERR_DEBIAN_CHECKSUM', `sha256 mismatch: got ${actual.sha256}, expected ${expected.sha256}`, what);
  }
}

/** GETs into memory and checks sha256 (and size) before returning the bytes. */
export async function fetchVerified(url: string, expected: Expected, opts: FetchOptions = {}): Promise<Buffer> {
  const data = await fetchBytes(url, opts);
  verify(url, { sha256: createHash('sha256').update(data).digest('hex'), size: data.length }, expected);
  return data;
}

/**
 * Streams `url` into `tmpPath`, hashing on the way, and verifies it. A connection
 * dropped mid-body is resumed by fetch/ (Range request), or restarted when the server cannot resume. On any failure the temp
 * file is removed, so the caller only renames a complete, verified file into place.
 */
export async function downloadVerified(url: string, tmpPath: string, expected: Expected, opts: FetchOptions = {}): Promise<void> {
  const h = httpOptions(opts);
  try {
    let hash = createHash('sha256');
    let size = 0;
    try {
      await restartOnCutBody(url, h, async () => {
      hash = createHash('sha256');
      size = 0;
      const res = await httpGet(url, h);
      const tap = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          size += chunk.length;
          cb(null, chunk);
        },
      });
      await pipeline(res.body, tap, createWriteStream(tmpPath));
      });
    } catch (err) {
      throw toDebianError(err, url, h.attempts);
    }
    verify(url, { sha256: hash.digest('hex'), size }, expected);
  } catch (err) {
    await rm(tmpPath, { force: true });
    throw err;
  }
}
