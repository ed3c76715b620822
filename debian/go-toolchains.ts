import { execFile } from 'node:child_process';
import { mkdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pLimit from 'p-limit';
import { cachePath } from '../common/cache-dir.js';
import { readJsonCache, writeJsonCache, type JsonCacheKind } from '../common/json-cache.js';
import { withLock } from '../common/lock.js';
import { privatePath } from '../common/private-path.js';
import { discard, extractDeb, fetchDeb } from './deb.js';
import { DebianError } from './errors.js';
import type { FetchOptions } from './http.js';
import { fetchPackageIndex, type IndexCache, type PackageStanza } from './packages.js';
import { compareDebianVersions, versionFromDebian } from './version.js';

const run = promisify(execFile);

/** Suites searched by default: every Go line Debian has shipped recently. */
export const DEFAULT_SUITES = ['bullseye', 'bookworm', 'bookworm-backports', 'trixie', 'sid'];

/** A golang-1.N-go package and its matching golang-1.N-src, as offered by one suite. */
export interface DebianGoPackage {
  mirror: string;
  suite: string;
  /** Go minor line from the package name, e.g. `1.21`. */
  minor: string;
  debVersion: string;
  go: PackageStanza;
  src: PackageStanza;
}

export interface DebianToolchain {
  /** Exact version from GOROOT/VERSION, e.g. `go1.21.13`. */
  version: string;
  minor: string;
  suite: string;
  debVersion: string;
  goroot: string;
  /** Path of bin/go. */
  go: string;
}

export interface ListOptions {
  mirror: string;
  suites?: string[];
  arch?: string;
  http?: FetchOptions;
  /** OpenPGP keyring for InRelease (see debianMirrorSource()); unchecked when absent. */
  keyring?: string;
  /** Indexes shared with other readers in this run (see newIndexCache). */
  indexes?: IndexCache;
}

const GO_PACKAGE = /^golang-(1\.\d+)-go$/;

/**
 * Every golang-1.N-go package (with its -src) in the given suites. Versions are
 * discovered from the indexes, never assumed.
 */
export async function listDebianGoPackages(opts: ListOptions): Promise<DebianGoPackage[]> {
  const suites = opts.suites ?? DEFAULT_SUITES;
  const out: DebianGoPackage[] = [];
  const limit = pLimit(2);
  const indexes = await Promise.all(
    suites.map((suite) => limit(() => fetchPackageIndex({ mirror: opts.mirror, suite, arch: opts.arch ?? 'amd64', http: opts.http, keyring: opts.keyring, indexes: opts.indexes }))),
  );
  for (const index of indexes) {
    const golang = index.packages.filter((p) => p.package.startsWith('golang-1.'));
    for (const go of golang) {
      const m = GO_PACKAGE.exec(go.package);
      if (!m) continue;
      const src = golang.find((p) => p.package === `golang-${m[1]}-src` && p.version === go.version);
      if (!src) {
        throw new DebianError('ERR_DEBIAN_NO_PACKAGE', `${go.package} ${go.version} has no golang-${m[1]}-src of the same version`, `${opts.mirror}/dists/${index.suite}`);
      }
      out.push({ mirror: opts.mirror, suite: index.suite, minor: m[1], debVersion: go.version, go, src });
    }
  }
  return out;
}

/** One package per Go minor line: the newest Debian version across suites, sorted by line. */
export function newestPerMinor(pkgs: DebianGoPackage[]): DebianGoPackage[] {
  const best = new Map<string, DebianGoPackage>();
  for (const p of pkgs) {
    const cur = best.get(p.minor);
    if (!cur || compareDebianVersions(p.debVersion, cur.debVersion) > 0) best.set(p.minor, p);
  }
  const minorKey = (m: string) => Number(m.split('.')[1]);
  return [...best.values()].sort((a, b) => minorKey(a.minor) - minorKey(b.minor));
}

function toolchainsDir(): string {
  return cachePath('toolchains');
}

/** What we record next to an assembled GOROOT, so a cached one can be trusted and reused. */
interface Marker {
  package: string;
  debVersion: string;
  goSha256: string;
  srcSha256: string;
  suite: string;
  version: string;
  minor: string;
}

function describe(dir: string, m: Marker): DebianToolchain {
  const goroot = join(dir, 'usr', 'lib', `go-${m.minor}`);
  return { version: m.version, minor: m.minor, suite: m.suite, debVersion: m.debVersion, goroot, go: join(goroot, 'bin', 'go') };
}

/** The marker's kind: a damaged or older marker is reported and the GOROOT assembled again. */
export const TOOLCHAIN_MARKER_CACHE: JsonCacheKind<Marker> = {
  name: 'debian-toolchain',
  format: 1,
  check: (d) => typeof d === 'object' && d !== null && MARKER_FIELDS.every((k) => typeof (d as Record<string, unknown>)[k] === 'string'),
};
const MARKER_FIELDS: (keyof Marker)[] = ['package', 'debVersion', 'goSha256', 'srcSha256', 'suite', 'version', 'minor'];

/** The marker of an assembled GOROOT (the directory's toolchain.json). */
export function toolchainMarkerPath(dir: string): string {
  return join(dir, 'toolchain.json');
}

function readMarker(dir: string): Promise<Marker | undefined> {
  return readJsonCache(toolchainMarkerPath(dir), TOOLCHAIN_MARKER_CACHE);
}

async function writeMarker(dir: string, marker: Marker): Promise<void> {
  await writeJsonCache(toolchainMarkerPath(dir), TOOLCHAIN_MARKER_CACHE, marker);
}

/** Reads GOROOT/VERSION's first line (Go 1.21+ adds a `time` line below it). */
async function readGoVersion(goroot: string): Promise<string> {
  const text = await readFile(join(goroot, 'VERSION'), 'utf8').catch(() => {
    throw new DebianError('ERR_DEBIAN_TOOLCHAIN', 'assembled GOROOT has no VERSION file', goroot);
  });
  const first = text.split('\n')[0].trim();
  if (!/^go1\.\d+/.test(first)) throw new DebianError('ERR_DEBIAN_TOOLCHAIN', `VERSION says ${JSON.stringify(first)}`, goroot);
  return first;
}

/** Runs `go version` with the GOROOT set and checks that it reports `version`. */
export async function checkGoVersion(goroot: string, version: string): Promise<void> {
  const go = join(goroot, 'bin', 'go');
  let out: string;
  try {
    ({ stdout: out } = await run(go, ['version'], { env: { ...process.env, GOROOT: goroot, GOTOOLCHAIN: 'local', GOFLAGS: '' } }));
  } catch (err) {
    throw new DebianError('ERR_DEBIAN_TOOLCHAIN', `go version failed: ${(err as Error).message}`, go, { cause: err });
  }
  if (!out.startsWith(`go version ${version} `)) {
    throw new DebianError('ERR_DEBIAN_TOOLCHAIN', `go version says ${JSON.stringify(out.trim())}, GOROOT/VERSION says ${version}`, go);
  }
}

/** The Go version a golang-1.N-go package version names (1:1.21.13-1~bpo12+1 -> go1.21.13); confirmed by GOROOT/VERSION on assembly. */
export function goVersionOfPackage(debVersion: string): string {
  const v = versionFromDebian(debVersion, 'go');
  if (v.kind !== 'release') throw new DebianError('ERR_DEBIAN_GO_VERSION', v.why);
  return v.version;
}

const inflight = new Map<string, Promise<DebianToolchain>>();

/**
 * A complete GOROOT for a Debian Go package, assembled once under
 * cacheRoot()/toolchains/<version>/ from golang-1.N-go + golang-1.N-src (the
 * former's /usr/lib/go-1.N symlinks into the latter's /usr/share/go-1.N, so both
 * trees are kept with their relative layout). Assembly happens in a temp dir that
 * is renamed into place only when complete and `go version` agrees with VERSION.
 */
export function ensureDebianToolchain(pkg: DebianGoPackage, http: FetchOptions = {}): Promise<DebianToolchain> {
  const key = `${pkg.go.sha256}:${pkg.src.sha256}`;
  let p = inflight.get(key);
  if (!p) {
    p = assemble(pkg, http).finally(() => inflight.delete(key));
    inflight.set(key, p);
  }
  return p;
}

async function assemble(pkg: DebianGoPackage, http: FetchOptions): Promise<DebianToolchain> {
  const root = toolchainsDir();
  const matches = (m: Marker | undefined) => m !== undefined && m.goSha256 === pkg.go.sha256 && m.srcSha256 === pkg.src.sha256;
  const guessed = join(root, goVersionOfPackage(pkg.debVersion));
  const hit = await readMarker(guessed);
  if (matches(hit)) return describe(guessed, hit!);
  // Another process assembling the same package: wait for it, then take its GOROOT.
  return withLock(join(root, `.${pkg.go.sha256}`), async () => {
    const again = await readMarker(guessed);
    if (matches(again)) return describe(guessed, again!);
    return assembleLocked(pkg, http, root, matches);
  });
}

async function assembleLocked(pkg: DebianGoPackage, http: FetchOptions, root: string, matches: (m: Marker | undefined) => boolean): Promise<DebianToolchain> {
  await mkdir(root, { recursive: true });
  const tmp = privatePath(join(root, `assemble-${pkg.go.package}`));
  try {
    await mkdir(tmp);
    const [goDeb, srcDeb] = await Promise.all([fetchDeb(pkg.mirror, pkg.go, http), fetchDeb(pkg.mirror, pkg.src, http)]);
    const wanted = (p: string) => p.startsWith(`usr/lib/go-${pkg.minor}`) || p.startsWith(`usr/share/go-${pkg.minor}`) || p === 'usr' || p === 'usr/lib' || p === 'usr/share';
    await extractDeb(goDeb, tmp, { filter: wanted });
    await extractDeb(srcDeb, tmp, { filter: wanted });
    const goroot = join(tmp, 'usr', 'lib', `go-${pkg.minor}`);
    const version = await readGoVersion(goroot);
    await checkGoVersion(goroot, version);
    const marker: Marker = { package: pkg.go.package, debVersion: pkg.debVersion, goSha256: pkg.go.sha256, srcSha256: pkg.src.sha256, suite: pkg.suite, version, minor: pkg.minor };
    await writeMarker(tmp, marker);
    const final = join(root, version);
    const existing = await readMarker(final);
    if (matches(existing)) return describe(final, existing!); // someone else finished first
    if (await stat(final).catch(() => undefined)) {
      // A different (older or broken) build of this version: move it aside, then replace.
      const old = privatePath(join(root, `old-${version}`));
      await rename(final, old);
      void discard(old);
    }
    await rename(tmp, final);
    return describe(final, marker);
  } finally {
    await discard(tmp);
  }
}

/** Every Go minor line the archive offers (newest package of each), assembled and cached. */
export async function ensureDebianMatrix(opts: ListOptions): Promise<DebianToolchain[]> {
  const pkgs = newestPerMinor(await listDebianGoPackages(opts));
  const limit = pLimit(2);
  return Promise.all(pkgs.map((p) => limit(() => ensureDebianToolchain(p, opts.http))));
}
