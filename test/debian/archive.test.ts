// The Debian archive client against the real archive configured in apt.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { debianMirror, debianMirrorSource } from '../../debian/mirror.js';
import { fetchRelease } from '../../debian/release.js';
import { DEFAULT_SUITES, listDebianGoPackages, newestPerMinor, type DebianGoPackage } from '../../debian/go-toolchains.js';
import { goEnv, MATRIX_ENV, matrixToolchains } from '../support/toolchains.js';

const run = promisify(execFile);

/** dpkg is the oracle for Debian version order. */
async function dpkgGreater(a: string, b: string): Promise<boolean> {
  return run('dpkg', ['--compare-versions', a, 'gt', b]).then(
    () => true,
    () => false,
  );
}

describe('the real Debian archive', async () => {
  const mirror = await debianMirror();
  let listing: DebianGoPackage[] = [];

  it('the mirror comes from the apt configuration and serves the debian archive', () => {
    expect(new URL(mirror).pathname.replace(/\/+$/, '')).toMatch(/\/debian$/);
  });

  it('every default suite has an InRelease signed by a key of the apt keyring (gpgv)', async () => {
    const { uri, keyring } = await debianMirrorSource();
    expect(keyring, 'no keyring: neither apt Signed-By nor debian-archive-keyring').toBeTruthy();
    for (const suite of DEFAULT_SUITES) {
      const release = await fetchRelease(uri, suite, {}, keyring);
      expect(release.sha256.size, suite).toBeGreaterThan(0);
    }
  });

  it('discovers at least the Go lines 1.15, 1.19, 1.21-1.24, 1.26 and 1.27 across the default suites', async () => {
    listing = await listDebianGoPackages({ mirror });
    const minors = new Set(listing.map((p) => p.minor));
    for (const want of ['1.15', '1.19', '1.21', '1.22', '1.23', '1.24', '1.26', '1.27']) expect(minors, `line ${want}`).toContain(want);
    expect(new Set(listing.map((p) => p.suite))).toEqual(new Set(DEFAULT_SUITES.filter((s) => listing.some((p) => p.suite === s))));
    for (const p of listing) {
      expect(p.go.package).toBe(`golang-${p.minor}-go`);
      expect(p.src.package).toBe(`golang-${p.minor}-src`);
      expect(p.src.version).toBe(p.go.version);
      expect(p.go.filename).toMatch(new RegExp(`^pool/main/g/golang-${p.minor.replace('.', '\\.')}/golang-${p.minor.replace('.', '\\.')}-go_`));
      expect(p.go.depends ?? '').toContain(`golang-${p.minor}-src`);
    }
  });

  it('picks the newest package of each line, by dpkg --compare-versions', async () => {
    if (listing.length === 0) listing = await listDebianGoPackages({ mirror });
    const picked = newestPerMinor(listing);
    expect(picked.map((p) => p.minor)).toEqual([...new Set(listing.map((p) => p.minor))].sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1])));
    for (const p of picked) {
      for (const other of listing.filter((o) => o.minor === p.minor && o !== p)) {
        expect(await dpkgGreater(other.debVersion, p.debVersion), `${other.suite} ${other.debVersion} newer than ${p.suite} ${p.debVersion}`).toBe(false);
      }
    }
  });

  it('test workers get the matrix from the manifest the global setup wrote', async () => {
    const manifest = process.env[MATRIX_ENV];
    expect(manifest, `${MATRIX_ENV} not set: the global setup did not run or its env did not reach the workers`).toBeTruthy();
    expect(JSON.parse(await readFile(manifest!, 'utf8'))).toEqual(await matrixToolchains());
  });

  it('every matrix toolchain runs, and its `go version` agrees with GOROOT/VERSION', async () => {
    const matrix = await matrixToolchains();
    expect(matrix.length).toBeGreaterThanOrEqual(8);
    for (const tc of matrix) {
      const version = (await readFile(join(tc.goroot, 'VERSION'), 'utf8')).split('\n')[0];
      expect(tc.version).toBe(version);
      expect(tc.version.startsWith(`go${tc.minor}`)).toBe(true);
      const { stdout } = await run(tc.go, ['version'], { env: goEnv(tc) });
      expect(stdout.trim()).toBe(`go version ${version} linux/amd64`);
      const { stdout: goroot } = await run(tc.go, ['env', 'GOROOT'], { env: goEnv(tc) });
      expect(goroot.trim()).toBe(tc.goroot);
    }
  });
});
