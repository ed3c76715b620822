/**
 * The Go source of golang-*-dev packages, as GOPATH entries: each .deb's
 * /usr/share/gocode is extracted once into
 * cacheRoot()/debian-modules/gocode/<deb sha256>/ (its `src/` tree), shared by
 * every build and run. A build's GOPATH is the list of the chosen packages'
 * entries, so that the go command finds each import path in exactly the
 * package that was chosen for it, and nothing is copied.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cachePath } from '../../common/cache-dir.js';
import { privatePath } from '../../common/private-path.js';
import { discard, extractDeb, fetchDeb } from '../../debian/deb.js';
import type { FetchOptions } from '../../debian/http.js';
import type { PackageStanza } from '../../debian/packages.js';

export interface FetchStats {
  /** .debs downloaded now (not found in the cache). */
  downloaded: number;
  downloadedBytes: number;
  /** .debs found in the cache. */
  cached: number;
}

export function newFetchStats(): FetchStats {
  return { downloaded: 0, downloadedBytes: 0, cached: 0 };
}

export function gocodeCacheDir(): string {
  return cachePath('debian-modules', 'gocode');
}

const inflight = new Map<string, Promise<string>>();

/** The GOPATH entry (a dir holding `src/`) of one package, downloaded (checksum-verified) and extracted once. */
export function ensureGocode(mirror: string, pkg: PackageStanza, stats: FetchStats, http: FetchOptions = {}): Promise<string> {
  let p = inflight.get(pkg.sha256);
  if (!p) {
    p = extractGocode(mirror, pkg, stats, http).finally(() => inflight.delete(pkg.sha256));
    inflight.set(pkg.sha256, p);
  }
  return p;
}

async function extractGocode(mirror: string, pkg: PackageStanza, stats: FetchStats, http: FetchOptions): Promise<string> {
  const root = gocodeCacheDir();
  const final = join(root, pkg.sha256);
  if (existsSync(join(final, 'src'))) {
    stats.cached++;
    return final;
  }
  const debCached = await stat(join(cachePath('debian', 'debs'), `${pkg.sha256}.deb`)).then((s) => s.size === pkg.size, () => false);
  const deb = await fetchDeb(mirror, pkg, http);
  if (debCached) stats.cached++;
  else {
    stats.downloaded++;
    stats.downloadedBytes += pkg.size;
  }
  await mkdir(root, { recursive: true });
  const tmp = privatePath(join(root, pkg.sha256));
  try {
    await mkdir(tmp);
    const inGocode = (p: string) => p === 'usr' || p === 'usr/share' || p === 'usr/share/gocode' || p.startsWith('usr/share/gocode/');
    await extractDeb(deb, tmp, { filter: inGocode });
    const gocode = join(tmp, 'usr', 'share', 'gocode');
    await mkdir(join(gocode, 'src'), { recursive: true }); // transitional packages ship no source
    try {
      await rename(gocode, final);
    } catch (err) {
      if (!existsSync(join(final, 'src'))) throw err; // else another process finished first
    }
    return final;
  } finally {
    await discard(tmp);
  }
}

/** True when the GOPATH entry has a Go package (a directory with .go files) at the import path. */
export async function providesImport(entry: string, importPath: string): Promise<boolean> {
  const names = await readdir(join(entry, 'src', importPath)).catch(() => [] as string[]);
  return names.some((n) => n.endsWith('.go'));
}
