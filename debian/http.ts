import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, interceptors, request } from 'undici';
import { DebianError } from './errors.js';

export interface FetchOptions {
  /** Attempts in all (first try included) for network faults and 5xx. */
  attempts?: number;
  /** First backoff delay; doubles each retry. */
  backoffMs?: number;
  /** Milliseconds without any byte before giving up on an attempt. */
  timeoutMs?: number;
}

const DEFAULTS: Required<FetchOptions> = { attempts: 4, backoffMs: 500, timeoutMs: 30_000 };

/** An HTTP status that is final: retrying won't help. */
class FinalStatus extends Error {
  constructor(readonly error: DebianError) {
    super(error.message);
  }
}

/**
 * Runs `attempt` with retries and exponential backoff. Network faults (refused,
 * reset, timeout, body cut short) and 5xx are retried; 4xx are final.
 */
async function withRetries<T>(url: string, opts: FetchOptions, attempt: () => Promise<T>): Promise<T> {
  const o = { ...DEFAULTS, ...opts };
  let lastError: unknown;
  for (let i = 0; i < o.attempts; i++) {
    if (i > 0) await sleep(o.backoffMs * 2 ** (i - 1));
    try {
      return await attempt();
    } catch (err) {
      if (err instanceof FinalStatus) throw err.error;
      if (err instanceof DebianError && err.code !== 'ERR_DEBIAN_HTTP') throw err;
      lastError = err;
    }
  }
  if (lastError instanceof DebianError) throw lastError;
  const cause = lastError as { code?: string; message?: string };
  throw new DebianError(
    'ERR_DEBIAN_UNREACHABLE',
    `could not fetch after ${o.attempts} attempts: ${cause?.code ?? ''} ${cause?.message ?? String(lastError)}`.trim(),
    url,
    { cause: lastError },
  );
}

// Mirrors may redirect to a closer host: follow a few redirects.
const dispatcher = new Agent().compose(interceptors.redirect({ maxRedirections: 5 }));

async function open(url: string, o: Required<FetchOptions>) {
  const res = await request(url, { method: 'GET', headersTimeout: o.timeoutMs, bodyTimeout: o.timeoutMs, dispatcher });
  if (res.statusCode === 404 || res.statusCode === 410) {
    await res.body.dump();
    throw new FinalStatus(new DebianError('ERR_DEBIAN_NOT_FOUND', `HTTP ${res.statusCode}: not found on the mirror`, url));
  }
  if (res.statusCode < 200 || res.statusCode >= 300) {
    await res.body.dump();
    const err = new DebianError('ERR_DEBIAN_HTTP', `HTTP ${res.statusCode}`, url);
    if (res.statusCode >= 500) throw err; // retried
    throw new FinalStatus(err);
  }
  return res;
}

/** GETs a whole (small) resource into memory. */
export async function fetchBytes(url: string, opts: FetchOptions = {}): Promise<Buffer> {
  const o = { ...DEFAULTS, ...opts };
  return withRetries(url, o, async () => {
    const res = await open(url, o);
    return Buffer.from(await res.body.arrayBuffer());
  });
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
 * dropped mid-body is retried from scratch. On any failure the temp file is removed,
 * so the caller only renames a complete, verified file into place.
 */
export async function downloadVerified(url: string, tmpPath: string, expected: Expected, opts: FetchOptions = {}): Promise<void> {
  const o = { ...DEFAULTS, ...opts };
  try {
    await withRetries(url, o, async () => {
      const res = await open(url, o);
      const hash = createHash('sha256');
      let size = 0;
      const out = createWriteStream(tmpPath);
      try {
        for await (const chunk of res.body) {
          hash.update(chunk as Buffer);
          size += (chunk as Buffer).length;
          if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
        }
      } finally {
        await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      }
      verify(url, { sha256: hash.digest('hex'), size }, expected);
    });
  } catch (err) {
    await rm(tmpPath, { force: true });
    throw err;
  }
}
