/**
 * The Go toolchain a suite's libraries are built with: the suite's default Go
 * (the golang-1.N-go that the suite's golang-go depends on), assembled by
 * debian/; and, as the fallback for a library that needs a newer Go, the
 * newest Go line the archive offers in any suite.
 */
import { DEFAULT_SUITES, ensureDebianToolchain, listDebianGoPackages, newestPerMinor, type DebianToolchain } from '../../debian/go-toolchains.js';
import type { IndexReadOptions } from './discover.js';
import type { SuitePackages } from './depends.js';
import { DebianModuleError } from './errors.js';

/** The Go minor line (`1.19`) of the suite's golang-go, from its Depends; undefined when the suite has no golang-go. */
export function suiteDefaultGoMinor(pkgs: SuitePackages): string | undefined {
  const golangGo = pkgs.byName.get('golang-go');
  if (!golangGo) return undefined;
  for (const group of pkgs.depends(golangGo)) {
    for (const alt of group) {
      const m = /^golang-(1\.\d+)-go$/.exec(alt.name);
      if (m) return m[1];
    }
  }
  return undefined;
}

export async function suiteToolchain(mirror: string, pkgs: SuitePackages, read: IndexReadOptions = {}): Promise<DebianToolchain | undefined> {
  const minor = suiteDefaultGoMinor(pkgs);
  if (!minor) return undefined;
  const offered = await listDebianGoPackages({ mirror, suites: [pkgs.suite], ...read });
  const pkg = offered.find((p) => p.minor === minor);
  if (!pkg) throw new DebianModuleError('ERR_DEBIAN_MODULE_TOOLCHAIN', `${pkgs.suite}: golang-go depends on golang-${minor}-go, which the suite's index does not list`);
  return ensureDebianToolchain(pkg, read.http);
}

/** The newest Go line offered by any of the suites (the matrix's newest toolchain). */
export async function newestToolchain(mirror: string, suites: string[] = DEFAULT_SUITES, read: IndexReadOptions = {}): Promise<DebianToolchain> {
  const lines = newestPerMinor(await listDebianGoPackages({ mirror, suites, ...read }));
  if (lines.length === 0) throw new DebianModuleError('ERR_DEBIAN_MODULE_TOOLCHAIN', `no golang-1.N-go package in suites ${suites.join(', ')}`);
  return ensureDebianToolchain(lines[lines.length - 1], read.http);
}
