/**
 * debian/'s side of the project's one HTTP client (fetch/): the archive's
 * retry policy expressed as fetch/ options, and fetch/'s error codes mapped
 * onto DebianError codes at this boundary, by code only (ERR_NETWORK ->
 * ERR_DEBIAN_UNREACHABLE, ERR_HTTP_NOT_FOUND -> ERR_DEBIAN_NOT_FOUND,
 * ERR_HTTP_STATUS -> ERR_DEBIAN_HTTP, ERR_CHECKSUM -> ERR_DEBIAN_CHECKSUM).
 */
import { createHash } from 'node:crypto';
import { download } from '../fetch/download.js';
import { FetchError, type FetchErrorCode } from '../fetch/errors.js';
import { httpGetBytes, toFetchError, type HttpOptions } from '../fetch/http.js';
import { DebianError, type DebianErrorCode } from './errors.js';

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

/** fetch/'s codes as debian/'s; the archive-extraction codes never come from a download. */
const CODES: Record<FetchErrorCode, DebianErrorCode> = {
  ERR_HTTP_NOT_FOUND: 'ERR_DEBIAN_NOT_FOUND',
  ERR_HTTP_STATUS: 'ERR_DEBIAN_HTTP',
  ERR_NETWORK: 'ERR_DEBIAN_UNREACHABLE',
  ERR_TRUNCATED: 'ERR_DEBIAN_UNREACHABLE',
  ERR_CHECKSUM: 'ERR_DEBIAN_CHECKSUM',
  ERR_UNSAFE_ARCHIVE: 'ERR_DEBIAN_UNSAFE_PATH',
  ERR_EXTRACT: 'ERR_DEBIAN_DEB_MALFORMED',
};

/** fetch/'s FetchError as the DebianError with the matching stable code. */
function toDebianError(err: unknown, url: string, attempts: number): unknown {
  const e = err instanceof FetchError ? err : toFetchError(err, url);
  if (!(e instanceof FetchError)) return e;
  const code = CODES[e.code];
  let why = e.reason;
  if (e.code === 'ERR_HTTP_NOT_FOUND') why = `HTTP ${e.status ?? 404}: not found on the mirror`;
  else if (e.code === 'ERR_HTTP_STATUS') why = e.status !== undefined && e.status < 500 ? `HTTP ${e.status}` : `${e.reason} (${attempts} attempts)`;
  else if (e.code === 'ERR_NETWORK' || e.code === 'ERR_TRUNCATED') why = `could not fetch after ${attempts} attempts: ${e.reason}`;
  return new DebianError(code, why, url, { cause: e });
}

/** GETs a whole (small) resource into memory. */
export async function fetchBytes(url: string, opts: FetchOptions = {}): Promise<Buffer> {
  const h = httpOptions(opts);
  try {
    return await httpGetBytes(url, h);
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
 * Downloads `url` to `dest` through fetch/'s one download path (resumed or
 * restarted when cut, verified, renamed into place only when complete) and
 * returns the path it wrote.
 */
export async function downloadTo(url: string, dest: string, expected: Expected, opts: FetchOptions = {}): Promise<string> {
  const h = httpOptions(opts);
  try {
    return await download(url, { ...h, sha256: expected.sha256, size: expected.size, dest });
  } catch (err) {
    throw toDebianError(err, url, h.attempts);
  }
}
