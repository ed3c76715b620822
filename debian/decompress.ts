import { Readable } from 'node:stream';
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
  // xz-decompress is a wasm build of xz-embedded; it speaks web streams.
  const web = new XzReadableStream(new Blob([data as Uint8Array<ArrayBuffer>]).stream() as ReadableStream<Uint8Array>);
  return Readable.fromWeb(web as import('node:stream/web').ReadableStream<Uint8Array>);
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
