// Fault tests for the Debian archive client against a real HTTP server on 127.0.0.1.
import { mkdtemp, readdir, readFile, readlink, rm, stat, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DebianError } from '../../debian/errors.js';
import { extractDeb, fetchDeb } from '../../debian/deb.js';
import { fetchPackageIndex, PACKAGE_INDEX_CACHE, packageIndexCachePath } from '../../debian/packages.js';
import { readJsonCache, setUnusableCacheReporter } from '../../common/json-cache.js';
import { fetchRelease } from '../../debian/release.js';
import { ensureDebianToolchain, listDebianGoPackages, TOOLCHAIN_MARKER_CACHE, toolchainMarkerPath } from '../../debian/go-toolchains.js';
import { publishSuite, sha256, startArchiveServer, type ArchiveServer } from './support/archive-server.js';
import { makeDeb, type TarEntry } from './support/deb-builder.js';

const fast = { attempts: 3, backoffMs: 10, timeoutMs: 5_000 };
let srv: ArchiveServer;
let cache: string;
const savedCache = process.env.GO_OFFSETS_CACHE;

const cacheReports: string[] = [];
beforeAll(async () => {
  srv = await startArchiveServer();
  setUnusableCacheReporter((path, why) => cacheReports.push(`${path}: ${why}`));
});

/** Ways a cache file goes bad: cut short, written by an older version, the wrong shape, another kind. */
const corruptions: [string, (good: string) => string][] = [
  ['truncated', (good) => good.slice(0, good.length >> 1)],
  ['in an older format (no envelope)', (good) => JSON.stringify((JSON.parse(good) as { data: unknown }).data)],
  ['of the wrong shape', (good) => JSON.stringify({ ...JSON.parse(good), data: [{ package: 1 }] })],
  ['of another format version', (good) => JSON.stringify({ ...JSON.parse(good), format: 0 })],
];
afterAll(async () => {
  await srv.close();
});
beforeEach(async () => {
  // A private cache per test, so "nothing half-written" is checked on a clean slate.
  cache = await mkdtemp(join(tmpdir(), 'go-offsets-debian-'));
  process.env.GO_OFFSETS_CACHE = cache;
  srv.files.clear();
  srv.faults.clear();
  srv.hits.clear();
});
afterEach(async () => {
  if (savedCache === undefined) delete process.env.GO_OFFSETS_CACHE;
  else process.env.GO_OFFSETS_CACHE = savedCache;
  await rm(cache, { recursive: true, force: true });
});

/** Every file under dir (relative paths), to check that nothing half-written was left. */
async function listAll(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (!e.isDirectory()) out.push(join(e.parentPath ?? (e as unknown as { path: string }).path, e.name).slice(dir.length + 1));
  }
  return out.sort();
}

async function rejection(p: Promise<unknown>): Promise<DebianError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected a rejection').toBeInstanceOf(DebianError);
  return err as DebianError;
}

const hello = makeDeb([
  { path: './', type: 'dir' },
  { path: './usr/', type: 'dir' },
  { path: './usr/share/hello.txt', body: 'hello\n' },
]);

describe('Release and Packages', () => {
  it('reads a suite index, verified against the Release file, and caches it by sha256', async () => {
    publishSuite(srv, 'test', [{ name: 'hello', version: '1.0-1', arch: 'all', deb: hello, extra: 'Depends: libc6 (>= 2.34)' }]);
    const idx = await fetchPackageIndex({ mirror: srv.url, suite: 'test', http: fast });
    expect(idx.packages).toEqual([
      { package: 'hello', version: '1.0-1', architecture: 'all', depends: 'libc6 (>= 2.34)', filename: 'pool/main/f/hello/hello_1.0-1_all.deb', size: hello.length, sha256: sha256(hello) },
    ]);
    const gzPath = '/debian/dists/test/main/binary-amd64/Packages.gz';
    expect(srv.hits.get(gzPath)).toBe(1);
    const again = await fetchPackageIndex({ mirror: srv.url, suite: 'test', http: fast });
    expect(again.packages).toEqual(idx.packages);
    expect(srv.hits.get(gzPath), 'the cached index is reused: only InRelease is fetched again').toBe(1);
    expect(srv.hits.get('/debian/dists/test/InRelease')).toBe(2);
  });

  it.each(corruptions)('rebuilds a parsed index cache file that is %s, reporting it once', async (_what, corrupt) => {
    publishSuite(srv, 'test', [{ name: 'hello', version: '1.0-1', arch: 'all', deb: hello }]);
    const idx = await fetchPackageIndex({ mirror: srv.url, suite: 'test', http: fast });
    const file = packageIndexCachePath(idx.indexSha256);
    await writeFile(file, corrupt(await readFile(file, 'utf8')));
    const before = cacheReports.length;
    const again = await fetchPackageIndex({ mirror: srv.url, suite: 'test', http: fast });
    expect(again.packages).toEqual(idx.packages);
    expect(cacheReports.slice(before)).toEqual([expect.stringContaining(file)]);
    expect(srv.hits.get('/debian/dists/test/main/binary-amd64/Packages.gz'), 'fetched again, not trusted').toBe(2);
    expect(await readJsonCache(file, PACKAGE_INDEX_CACHE)).toEqual(idx.packages);
  });

  it('reports a missing suite as not found (InRelease and Release both 404)', async () => {
    const err = await rejection(fetchRelease(srv.url, 'nosuch', fast));
    expect(err.code).toBe('ERR_DEBIAN_NOT_FOUND');
    expect(err.message).toContain('/dists/nosuch/Release');
    expect(srv.hits.get('/debian/dists/nosuch/InRelease')).toBe(1); // 404 is final: no retries
  });

  it('refuses a Packages file whose sha256 differs from the Release file, and caches nothing', async () => {
    publishSuite(srv, 'test', [{ name: 'hello', version: '1.0-1', arch: 'all', deb: hello }], { releaseSha: 'ab'.repeat(32) });
    const err = await rejection(fetchPackageIndex({ mirror: srv.url, suite: 'test', http: fast }));
    expect(err.code).toBe('ERR_DEBIAN_CHECKSUM');
    expect(err.message).toMatch(/sha256 mismatch.*Packages\.gz/);
    expect(await listAll(cache)).toEqual([]);
  });

  it('gives a clear error for a malformed Packages file, naming the line', async () => {
    publishSuite(srv, 'test', [], { packagesText: 'Package: hello\nVersion: 1.0\nthis line has no colon\n' });
    const err = await rejection(fetchPackageIndex({ mirror: srv.url, suite: 'test', http: fast }));
    expect(err.code).toBe('ERR_DEBIAN_INDEX_MALFORMED');
    expect(err.message).toContain('line 3');
    expect(await listAll(cache)).toEqual([]);
  });

  it('gives a clear error for a stanza that lacks a required field', async () => {
    publishSuite(srv, 'test', [], { packagesText: 'Package: hello\nVersion: 1.0\nArchitecture: all\n' });
    const err = await rejection(fetchPackageIndex({ mirror: srv.url, suite: 'test', http: fast }));
    expect(err.code).toBe('ERR_DEBIAN_INDEX_MALFORMED');
    expect(err.message).toMatch(/\(hello\) has no filename field/);
  });

  it('refuses an InRelease whose signature the keyring does not accept', async () => {
    publishSuite(srv, 'test', [{ name: 'hello', version: '1.0-1', arch: 'all', deb: hello }]);
    const keyring = '/usr/share/keyrings/debian-archive-keyring.gpg';
    await stat(keyring).catch(() => {
      throw new Error(`${keyring} is missing: install debian-archive-keyring`);
    });
    const err = await rejection(fetchPackageIndex({ mirror: srv.url, suite: 'test', http: fast, keyring }));
    expect(err.code).toBe('ERR_DEBIAN_SIGNATURE');
    expect(err.message).toContain('/dists/test/InRelease');
    expect(await listAll(cache)).toEqual([]);
  });

  it('retries 5xx answers with backoff', async () => {
    publishSuite(srv, 'test', [{ name: 'hello', version: '1.0-1', arch: 'all', deb: hello }]);
    srv.faults.set('/debian/dists/test/InRelease', ['503', '503']);
    const release = await fetchRelease(srv.url, 'test', fast);
    expect(release.sha256.size).toBe(1);
    expect(srv.hits.get('/debian/dists/test/InRelease')).toBe(3);
  });

  it('reports an unreachable mirror after its retries', async () => {
    const dead = await startArchiveServer();
    const url = dead.url;
    await dead.close();
    const err = await rejection(fetchRelease(url, 'test', fast));
    expect(err.code).toBe('ERR_DEBIAN_UNREACHABLE');
    expect(err.message).toMatch(/after 3 attempts/);
  });
});

describe('.deb download and extraction', () => {
  it('retries a connection dropped mid-download and keeps only the complete file', async () => {
    publishSuite(srv, 'test', [{ name: 'hello', version: '1.0-1', arch: 'all', deb: hello }]);
    const [pkg] = (await fetchPackageIndex({ mirror: srv.url, suite: 'test', http: fast })).packages;
    srv.faults.set(`/debian/${pkg.filename}`, ['drop-mid-body']);
    const path = await fetchDeb(srv.url, pkg, fast);
    // The cut body, fetch/'s Range resume (this server ignores Range and answers 200: not resumable), the restart from scratch.
    expect(srv.hits.get(`/debian/${pkg.filename}`)).toBe(3);
    expect(sha256(await readFile(path))).toBe(pkg.sha256);
    expect((await listAll(join(cache, 'debian', 'debs')))).toEqual([`${pkg.sha256}.deb`]);
  });

  it('reports a .deb whose body is cut off on every attempt by code, leaving nothing in the cache', async () => {
    publishSuite(srv, 'test', [{ name: 'hello', version: '1.0-1', arch: 'all', deb: hello }]);
    const [pkg] = (await fetchPackageIndex({ mirror: srv.url, suite: 'test', http: fast })).packages;
    srv.faults.set(`/debian/${pkg.filename}`, Array<'drop-mid-body'>(50).fill('drop-mid-body'));
    const err = await rejection(fetchDeb(srv.url, pkg, fast));
    expect(err.code).toBe('ERR_DEBIAN_UNREACHABLE');
    expect((err.cause as { code?: string }).code).toBe('ERR_TRUNCATED');
    expect(err.message).toContain(pkg.filename);
    expect(await listAll(join(cache, 'debian', 'debs'))).toEqual([]);
  });

  it('refuses a .deb whose checksum differs from the index, leaving nothing in the cache', async () => {
    publishSuite(srv, 'test', [{ name: 'hello', version: '1.0-1', arch: 'all', deb: hello, sha256: 'cd'.repeat(32) }]);
    const [pkg] = (await fetchPackageIndex({ mirror: srv.url, suite: 'test', http: fast })).packages;
    const err = await rejection(fetchDeb(srv.url, pkg, fast));
    expect(err.code).toBe('ERR_DEBIAN_CHECKSUM');
    expect(await listAll(join(cache, 'debian', 'debs'))).toEqual([]);
  });

  it('reports a .deb missing from the pool as not found', async () => {
    publishSuite(srv, 'test', [{ name: 'hello', version: '1.0-1', arch: 'all', deb: hello }]);
    const [pkg] = (await fetchPackageIndex({ mirror: srv.url, suite: 'test', http: fast })).packages;
    srv.files.delete(`/debian/${pkg.filename}`);
    const err = await rejection(fetchDeb(srv.url, pkg, fast));
    expect(err.code).toBe('ERR_DEBIAN_NOT_FOUND');
    expect(err.message).toContain(pkg.filename);
    expect(await listAll(join(cache, 'debian', 'debs'))).toEqual([]);
  });

  async function extractInto(entries: TarEntry[]): Promise<{ root: string; outside: string; result: Promise<void> }> {
    const base = join(cache, 'x');
    const root = join(base, 'root');
    await mkdir(root, { recursive: true });
    const debPath = join(cache, 'evil.deb');
    await import('node:fs/promises').then((fs) => fs.writeFile(debPath, makeDeb(entries)));
    return { root, outside: base, result: extractDeb(debPath, root) };
  }

  it('refuses an entry whose path escapes the target, writing nothing outside it', async () => {
    const { outside, result } = await extractInto([
      { path: './usr/ok.txt', body: 'ok' },
      { path: './../escaped.txt', body: 'pwned' },
    ]);
    const err = await rejection(result);
    expect(err.code).toBe('ERR_DEBIAN_UNSAFE_PATH');
    expect(err.message).toContain('../escaped.txt');
    expect(await stat(join(outside, 'escaped.txt')).catch(() => undefined)).toBeUndefined();
  });

  it('refuses a symlink pointing outside the target', async () => {
    const { result } = await extractInto([{ path: './usr/link', type: 'symlink', linkpath: '../../../etc' }]);
    const err = await rejection(result);
    expect(err.code).toBe('ERR_DEBIAN_UNSAFE_PATH');
    expect(err.message).toContain('symlink');
  });

  it('keeps relative symlinks that stay inside the target', async () => {
    const { root, result } = await extractInto([
      { path: './usr/share/x/file', body: 'data' },
      { path: './usr/lib/x', type: 'symlink', linkpath: '../share/x' },
    ]);
    await result;
    expect(await readlink(join(root, 'usr/lib/x'))).toBe('../share/x');
    expect(await readFile(join(root, 'usr/lib/x/file'), 'utf8')).toBe('data');
  });

  it('reports a truncated .deb by the member that is cut short', async () => {
    const debPath = join(cache, 'short.deb');
    await import('node:fs/promises').then((fs) => fs.writeFile(debPath, hello.subarray(0, hello.length - 40)));
    const err = await rejection(extractDeb(debPath, cache));
    expect(err.code).toBe('ERR_DEBIAN_DEB_TRUNCATED');
    expect(err.message).toContain('data.tar.gz');
  });

  it('refuses a file that is not a .deb', async () => {
    const debPath = join(cache, 'not.deb');
    await import('node:fs/promises').then((fs) => fs.writeFile(debPath, 'PK\x03\x04 zip, not ar'));
    const err = await rejection(extractDeb(debPath, cache));
    expect(err.code).toBe('ERR_DEBIAN_DEB_MALFORMED');
  });
});

describe('Go toolchain assembly from a local archive', () => {
  // A stand-in golang-1.99 pair laid out like Debian's: the -go package's GOROOT
  // (/usr/lib/go-1.99) symlinks src into the -src package's /usr/share/go-1.99.
  const goScript = '#!/bin/sh\necho "go version go1.99.1 linux/amd64"\n';
  const goDeb = makeDeb([
    { path: './usr/lib/go-1.99/VERSION', body: 'go1.99.1\ntime 2030-01-01T00:00:00Z\n' },
    { path: './usr/lib/go-1.99/bin/go', body: goScript, mode: 0o755 },
    { path: './usr/lib/go-1.99/src', type: 'symlink', linkpath: '../../share/go-1.99/src' },
    { path: './usr/share/doc/golang-1.99-go/copyright', body: 'not part of GOROOT' },
  ]);
  const srcDeb = makeDeb([{ path: './usr/share/go-1.99/src/runtime/extern.go', body: 'package runtime\n' }]);
  const publish = (src: Buffer, srcSha?: string) =>
    publishSuite(srv, 'fake', [
      { name: 'golang-1.99-go', version: '1.99.1-1', arch: 'amd64', deb: goDeb, extra: 'Depends: golang-1.99-src (>= 1.99.1-1)' },
      { name: 'golang-1.99-src', version: '1.99.1-1', arch: 'all', deb: src, sha256: srcSha },
    ]);

  it('discovers the package pair and assembles a GOROOT with its symlinks', async () => {
    publish(srcDeb);
    const [pkg, ...rest] = await listDebianGoPackages({ mirror: srv.url, suites: ['fake'], http: fast });
    expect(rest).toEqual([]);
    expect(pkg).toMatchObject({ suite: 'fake', minor: '1.99', debVersion: '1.99.1-1' });
    const tc = await ensureDebianToolchain(pkg, fast);
    expect(tc).toMatchObject({ version: 'go1.99.1', minor: '1.99', suite: 'fake', debVersion: '1.99.1-1' });
    expect(tc.goroot).toBe(join(cache, 'toolchains', 'go1.99.1', 'usr', 'lib', 'go-1.99'));
    expect(await readFile(join(tc.goroot, 'src', 'runtime', 'extern.go'), 'utf8')).toBe('package runtime\n');
    expect(await stat(join(cache, 'toolchains', 'go1.99.1', 'usr', 'share', 'doc')).catch(() => undefined), 'only GOROOT trees are kept').toBeUndefined();
    expect((await readdir(join(cache, 'toolchains'))).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it.each(corruptions)('assembles again a GOROOT whose marker is %s, reporting it once', async (_what, corrupt) => {
    publish(srcDeb);
    const [pkg] = await listDebianGoPackages({ mirror: srv.url, suites: ['fake'], http: fast });
    const tc = await ensureDebianToolchain(pkg, fast);
    const marker = toolchainMarkerPath(join(cache, 'toolchains', 'go1.99.1'));
    const good = await readFile(marker, 'utf8');
    await writeFile(marker, corrupt(good));
    const before = cacheReports.length;
    expect(await ensureDebianToolchain(pkg, fast)).toEqual(tc);
    expect(cacheReports.slice(before)).toEqual([expect.stringContaining(marker)]);
    expect(await readJsonCache(marker, TOOLCHAIN_MARKER_CACHE)).toEqual(JSON.parse(good).data);
    expect(await readFile(join(tc.goroot, 'src', 'runtime', 'extern.go'), 'utf8')).toBe('package runtime\n');
  });

  it('leaves no half-assembled GOROOT when a package is truncated', async () => {
    const truncated = srcDeb.subarray(0, srcDeb.length - 30);
    publish(truncated);
    const [pkg] = await listDebianGoPackages({ mirror: srv.url, suites: ['fake'], http: fast });
    const err = await rejection(ensureDebianToolchain(pkg, fast));
    expect(err.code).toBe('ERR_DEBIAN_DEB_TRUNCATED');
    expect(await readdir(join(cache, 'toolchains'))).toEqual([]);
  });

  it('leaves no GOROOT when a package fails its checksum', async () => {
    publish(srcDeb, 'ef'.repeat(32));
    const [pkg] = await listDebianGoPackages({ mirror: srv.url, suites: ['fake'], http: fast });
    const err = await rejection(ensureDebianToolchain(pkg, fast));
    expect(err.code).toBe('ERR_DEBIAN_CHECKSUM');
    expect(await readdir(join(cache, 'toolchains'))).toEqual([]);
    expect(await listAll(join(cache, 'debian', 'debs'))).toEqual([`${sha256(goDeb)}.deb`]);
  });
});
