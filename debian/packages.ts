import { cachePath } from '../common/cache-dir.js';
import { readJsonCache, writeJsonCache, type JsonCacheKind } from '../common/json-cache.js';
import { compressionOf, decompressAll } from './decompress.js';
import { DebianError } from './errors.js';
import { fetchVerified, type FetchOptions } from './http.js';
import { fetchRelease, type ReleaseEntry } from './release.js';

/** The fields of a Packages stanza this project uses. */
export interface PackageStanza {
  package: string;
  version: string;
  architecture: string;
  filename: string;
  size: number;
  sha256: string;
  depends?: string;
  provides?: string;
  source?: string;
}

const OPTIONAL_FIELDS = ['depends', 'provides', 'source'] as const;

function isStanza(s: unknown): s is PackageStanza {
  const o = s as Record<string, unknown>;
  return (
    typeof o === 'object' && o !== null &&
    ['package', 'version', 'architecture', 'filename', 'sha256'].every((k) => typeof o[k] === 'string') &&
    Number.isSafeInteger(o.size) &&
    OPTIONAL_FIELDS.every((k) => o[k] === undefined || typeof o[k] === 'string')
  );
}

/** A parsed Packages index, cached by the sha256 of the compressed file it came from. */
export const PACKAGE_INDEX_CACHE: JsonCacheKind<PackageStanza[]> = {
  name: 'debian-package-index',
  format: 1,
  check: (d) => Array.isArray(d) && d.every(isStanza),
};

/** Where the parsed index of the Packages file with this sha256 is cached. */
export function packageIndexCachePath(indexSha256: string): string {
  return cachePath('debian', 'indexes', `${indexSha256}.stanzas.json`);
}

export interface PackageIndex {
  mirror: string;
  suite: string;
  component: string;
  arch: string;
  /** sha256 of the compressed index file as listed in the Release file (the cache key). */
  indexSha256: string;
  packages: PackageStanza[];
}

export interface IndexQuery {
  mirror: string;
  suite: string;
  component?: string;
  arch?: string;
  http?: FetchOptions;
  /** OpenPGP keyring to check InRelease with (gpgv); unchecked when absent. */
  keyring?: string;
  /** Indexes already read in this run (see newIndexCache): each is fetched and parsed once. */
  indexes?: IndexCache;
}

/**
 * The indexes one run has read, keyed by mirror, suite, component, arch and keyring:
 * callers that share it (the tracker's Go release source and its Debian module
 * source) fetch InRelease and parse each Packages index once per run. Not meant to
 * outlive a run: the mirror may publish a new index later.
 */
export type IndexCache = Map<string, Promise<PackageIndex>>;

export function newIndexCache(): IndexCache {
  return new Map();
}

const FIELDS: Record<string, keyof PackageStanza> = {
  Package: 'package',
  Version: 'version',
  Architecture: 'architecture',
  Filename: 'filename',
  Size: 'size',
  SHA256: 'sha256',
  Depends: 'depends',
  Provides: 'provides',
  Source: 'source',
};
const REQUIRED: (keyof PackageStanza)[] = ['package', 'version', 'architecture', 'filename', 'size', 'sha256'];

/** Parses a Packages file (RFC 822-style stanzas separated by blank lines). */
export function parsePackages(text: string, where: string): PackageStanza[] {
  const out: PackageStanza[] = [];
  let lineNo = 0;
  let stanzaLine = 1;
  let cur: Partial<Record<keyof PackageStanza, string>> = {};
  let any = false;
  const finish = () => {
    if (!any) return;
    for (const k of REQUIRED) {
      if (cur[k] === undefined) {
        throw new DebianError('ERR_DEBIAN_INDEX_MALFORMED', `stanza at line ${stanzaLine}${cur.package ? ` (${cur.package})` : ''} has no ${k} field`, where);
      }
    }
    const size = Number(cur.size);
    if (!Number.isSafeInteger(size) || size < 0) throw new DebianError('ERR_DEBIAN_INDEX_MALFORMED', `stanza at line ${stanzaLine} (${cur.package}) has a bad Size ${JSON.stringify(cur.size)}`, where);
    if (!/^[0-9a-f]{64}$/.test(cur.sha256!)) throw new DebianError('ERR_DEBIAN_INDEX_MALFORMED', `stanza at line ${stanzaLine} (${cur.package}) has a bad SHA256`, where);
    out.push({ ...(cur as Record<keyof PackageStanza, string>), size });
    cur = {};
    any = false;
  };
  for (const line of text.split('\n')) {
    lineNo++;
    if (line === '') {
      finish();
      stanzaLine = lineNo + 1;
      continue;
    }
    if (line[0] === ' ' || line[0] === '\t') {
      if (!any) throw new DebianError('ERR_DEBIAN_INDEX_MALFORMED', `line ${lineNo}: continuation line outside a field`, where);
      continue; // continuation of a field we keep whole-line only (Description etc.)
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new DebianError('ERR_DEBIAN_INDEX_MALFORMED', `line ${lineNo}: not a "Field: value" line: ${JSON.stringify(line.slice(0, 80))}`, where);
    any = true;
    const key = FIELDS[line.slice(0, colon)];
    if (key) cur[key] = line.slice(colon + 1).trim();
  }
  finish();
  return out;
}

/** Which Packages file to take from the Release list: smallest download we can decompress. */
function pickIndex(entries: Map<string, ReleaseEntry>, dir: string): ReleaseEntry | undefined {
  return entries.get(`${dir}/Packages.xz`) ?? entries.get(`${dir}/Packages.gz`) ?? entries.get(`${dir}/Packages`);
}

/**
 * The Packages index of one suite/component/arch, verified against the suite's
 * Release file. Only the small InRelease is fetched when the parsed index for
 * that sha256 is already cached.
 */
export function fetchPackageIndex(q: IndexQuery): Promise<PackageIndex> {
  if (!q.indexes) return readPackageIndex(q);
  const key = JSON.stringify([q.mirror, q.suite, q.component ?? 'main', q.arch ?? 'amd64', q.keyring ?? '']);
  let p = q.indexes.get(key);
  if (!p) {
    const cache = q.indexes;
    p = readPackageIndex(q);
    cache.set(key, p);
    // A failure is not remembered: a later caller tries again.
    p.catch(() => cache.get(key) === p && cache.delete(key));
  }
  return p;
}

async function readPackageIndex(q: IndexQuery): Promise<PackageIndex> {
  const component = q.component ?? 'main';
  const arch = q.arch ?? 'amd64';
  const release = await fetchRelease(q.mirror, q.suite, q.http, q.keyring);
  const dir = `${component}/binary-${arch}`;
  const entry = pickIndex(release.sha256, dir);
  if (!entry) throw new DebianError('ERR_DEBIAN_RELEASE_MALFORMED', `the Release file lists no ${dir}/Packages index`, `${q.mirror}/dists/${q.suite}`);
  const base = { mirror: q.mirror, suite: q.suite, component, arch, indexSha256: entry.sha256 };
  const cacheFile = packageIndexCachePath(entry.sha256);
  const cached = await readJsonCache(cacheFile, PACKAGE_INDEX_CACHE);
  if (cached) return { ...base, packages: cached };

  // by-hash URLs never change under us while the mirror updates (Acquire-By-Hash).
  const plain = `${q.mirror}/dists/${q.suite}/${entry.path}`;
  const byHash = `${q.mirror}/dists/${q.suite}/${dir}/by-hash/SHA256/${entry.sha256}`;
  let data: Buffer;
  let url = release.acquireByHash ? byHash : plain;
  try {
    data = await fetchVerified(url, entry, q.http);
  } catch (err) {
    if (!(release.acquireByHash && err instanceof DebianError && err.code === 'ERR_DEBIAN_NOT_FOUND')) throw err;
    url = plain;
    data = await fetchVerified(url, entry, q.http);
  }
  const text = (await decompressAll(data, compressionOf(entry.path), url)).toString('utf8');
  const packages = parsePackages(text, url);
  await writeJsonCache(cacheFile, PACKAGE_INDEX_CACHE, packages);
  return { ...base, packages };
}
