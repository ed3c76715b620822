import { readFile, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { cachePath } from '../common/cache-dir.js';
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

/** True when `p` (already resolved) is `root` or inside it. */
function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
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
  const root = resolve(target);
  let unsafe: DebianError | undefined;
  const check = (entryPath: string, entry: tar.ReadEntry): boolean => {
    const path = entryPath.replace(/^\.\//, '');
    // Explicit check on top of node-tar's own (it would silently drop such entries).
    const dest = resolve(root, path);
    if (isAbsolute(path) || !inside(root, dest)) {
      unsafe ??= new DebianError('ERR_DEBIAN_UNSAFE_PATH', `entry ${JSON.stringify(entryPath)} escapes the extraction root`, debPath);
      return false;
    }
    if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
      const link = entry.linkpath ?? '';
      const linkDest = entry.type === 'Link' ? resolve(root, link.replace(/^\.\//, '')) : resolve(dirname(dest), link);
      if (isAbsolute(link) || !inside(root, linkDest)) {
        unsafe ??= new DebianError('ERR_DEBIAN_UNSAFE_PATH', `${entry.type === 'Link' ? 'hard link' : 'symlink'} ${JSON.stringify(entryPath)} -> ${JSON.stringify(link)} points outside the extraction root`, debPath);
        return false;
      }
    }
    if (path === '' || path === '.') return false;
    return opts.filter ? opts.filter(posix.normalize(path)) : true;
  };
  const compressed = data.subarray(member.offset, member.offset + member.size);
  try {
    await pipeline(
      decompressStream(compressed, compressionOf(member.name)),
      // The synchronous unpacker, fed chunk by chunk: node-tar's asynchronous one sends each
      // file's open, write and close through libuv's thread pool, and unpacked a Go source
      // package (17,000 files) 3.9x slower (`npm run bench debian`); the event loop is free
      // again between chunks.
      new tar.UnpackSync({ cwd: root, filter: (p, e) => check(p, e as tar.ReadEntry), preserveOwner: false, strict: true }),
    );
  } catch (err) {
    if (unsafe) throw unsafe;
    if (err instanceof DebianError) throw err;
    throw new DebianError('ERR_DEBIAN_DEB_MALFORMED', `${member.name} does not unpack: ${(err as Error).message}`, debPath, { cause: err });
  }
  if (unsafe) throw unsafe;
}

/** Removes a directory tree, ignoring absence (used to discard temp extraction dirs). */
export async function discard(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
