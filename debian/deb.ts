import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cachePath } from '../common/cache-dir.js';
import { untar, UnsafeTarEntry } from '../common/untar.js';
import { readArMembers } from './ar.js';
import { compressionOf, decompressStream } from './decompress.js';
import { DebianError } from './errors.js';
import { downloadTo, type FetchOptions } from './http.js';
import type { PackageStanza } from './packages.js';

/** Where downloaded .debs live: content-addressed by their sha256. */
export function debCacheDir(): string {
  return cachePath('debian', 'debs');
}

/**
 * Downloads a package's .deb into the content-addressed cache (once), verified
 * against the index's sha256 and size, and returns its path. The download goes to
 * a temp file renamed only when complete and verified.
 */
export function fetchDeb(mirror: string, pkg: Pick<PackageStanza, 'filename' | 'sha256' | 'size'>, http: FetchOptions = {}): Promise<string> {
  return downloadTo(`${mirror}/${pkg.filename}`, join(debCacheDir(), `${pkg.sha256}.deb`), { sha256: pkg.sha256, size: pkg.size }, http);
}

export interface ExtractOptions {
  /** Keep only entries for which this returns true (path as in the archive, without a leading ./). */
  filter?: (path: string) => boolean;
}

/**
 * Extracts the data.tar.* member of a .deb into `target` (which must exist),
 * keeping symlinks. Any entry whose path, or symlink/hardlink target, would land
 * outside `target` makes the whole extraction fail with ERR_DEBIAN_UNSAFE_PATH;
 * the caller extracts into a temp dir and discards it on failure.
 */
export async function extractDeb(debPath: string, target: string, opts: ExtractOptions = {}): Promise<void> {
  const data = await readFile(debPath);
  const members = readArMembers(data, debPath);
  const member = members.find((m) => /^data\.tar(\.(xz|gz|zst))?$/.test(m.name));
  if (!member) throw new DebianError('ERR_DEBIAN_DEB_MALFORMED', `no data.tar member (members: ${members.map((m) => m.name).join(', ')})`, debPath);
  if (member.name.endsWith('.zst')) throw new DebianError('ERR_DEBIAN_DEB_MALFORMED', 'data.tar.zst is not supported', debPath);
  const compressed = data.subarray(member.offset, member.offset + member.size);
  // The archive's root entry ("./") is the target itself: left alone.
  const keep = (path: string) => path !== '.' && (opts.filter ? opts.filter(path) : true);
  try {
    await untar(decompressStream(compressed, compressionOf(member.name)), target, keep);
  } catch (err) {
    if (err instanceof UnsafeTarEntry) throw new DebianError('ERR_DEBIAN_UNSAFE_PATH', err.message, debPath);
    if (err instanceof DebianError) throw err;
    throw new DebianError('ERR_DEBIAN_DEB_MALFORMED', `${member.name} does not unpack: ${(err as Error).message}`, debPath, { cause: err });
  }
}

/** Removes a directory tree, ignoring absence (used to discard temp extraction dirs). */
export async function discard(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
