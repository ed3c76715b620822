import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import xz from 'xz-decompress';

// A CommonJS webpack bundle: its named export is only reachable through the default import.
const { XzReadableStream } = xz;
import { DebianError } from './errors.js';

export type Compression = 'xz' | 'gz' | 'none';

export function compressionOf(name: string): Compression {
  if (name.endsWith('.xz')) return 'xz';
  if (name.endsWith('.gz')) return 'gz';
  return 'none';
}

/** A Node stream of the decompressed bytes of `data`. */
export function decompressStream(data: Uint8Array, kind: Compression): Readable {
  if (kind === 'none') return Readable.from([data]);
  if (kind === 'gz') return Readable.from([data]).pipe(createGunzip());
  if (SYSTEM_XZ) return systemXz(SYSTEM_XZ, data);
  // xz-decompress is a wasm build of xz-embedded; it speaks web streams.
  const web = new XzReadableStream(new Blob([data as Uint8Array<ArrayBuffer>]).stream() as ReadableStream<Uint8Array>);
  return Readable.fromWeb(web as import('node:stream/web').ReadableStream<Uint8Array>);
}

/**
 * Debian's own xz (xz-utils, which every Debian system has) when installed:
 * it decompresses a Go toolchain's 63 MB data.tar.xz in 6.8 s where the wasm
 * decoder takes 11.5 s (a cold test suite unpacks eight toolchains and reads
 * every suite's Packages.xz). Without it, the wasm decoder.
 */
const SYSTEM_XZ = ['/usr/bin/xz', '/bin/xz'].find((p) => existsSync(p));

function systemXz(xzPath: string, data: Uint8Array): Readable {
  const out = new PassThrough();
  const child = spawn(xzPath, ['--decompress', '--stdout'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.pipe(out, { end: false });
  child.on('error', (err) => out.destroy(err));
  // 'close' comes after stdout has ended: everything xz wrote is in `out` by then.
  child.on('close', (code, signal) => (code === 0 ? out.end() : out.destroy(new Error(`xz ${signal ?? `exited ${code}`}: ${stderr.trim() || 'no message'}`))));
  // On a corrupt stream xz exits before reading all of it: its exit status says why, not the broken pipe.
  child.stdin.on('error', () => {});
  child.stdin.end(data);
  return out;
}

/** Decompresses all of `data`; `what` names it in the error. */
export async function decompressAll(data: Uint8Array, kind: Compression, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const c of decompressStream(data, kind)) chunks.push(Buffer.from(c as Uint8Array));
  } catch (err) {
    throw new DebianError('ERR_DEBIAN_DECOMPRESS', `${kind} data does not decompress: ${(err as Error).message}`, what, { cause: err });
  }
  return Buffer.concat(chunks);
}
