/**
 * Which versions of the tracked modules the Debian archive offers: per suite,
 * the package of each module (the config's mapping, else the naming
 * convention), and the Go version of its Debian version.
 */
import pLimit from 'p-limit';
import { DEFAULT_SUITES } from '../../debian/go-toolchains.js';
import type { FetchOptions } from '../../debian/http.js';
import { fetchPackageIndex, type IndexCache, type PackageStanza } from '../../debian/packages.js';
import { withinBounds, type TrackedModule } from '../config.js';
import { SuitePackages } from './depends.js';
import { DebianModuleError } from './errors.js';
import { candidatePackageNames } from './naming.js';
import { goVersionFromDebian, type GoVersionFromDebian } from './version.js';

export interface DiscoveredVersion {
  module: string;
  suite: string;
  package: PackageStanza;
  /** The package's Debian version mapped to Go (a release, or a snapshot that is skipped). */
  go: GoVersionFromDebian;
}

/** How suite indexes are read: HTTP options, the InRelease keyring, indexes already read in this run. */
export interface IndexReadOptions {
  http?: FetchOptions;
  /** OpenPGP keyring InRelease is checked with (debianMirrorSource); unchecked when absent. */
  keyring?: string;
  indexes?: IndexCache;
}

/** The suites' package indexes (fetched with the Debian release source's code, cached by sha256). */
export async function suitePackages(mirror: string, suites: string[] = DEFAULT_SUITES, read: IndexReadOptions = {}): Promise<SuitePackages[]> {
  const limit = pLimit(2);
  const indexes = await Promise.all(suites.map((suite) => limit(() => fetchPackageIndex({ mirror, suite, http: read.http, keyring: read.keyring, indexes: read.indexes }))));
  return indexes.map((i) => new SuitePackages(i.suite, i.packages));
}

/** The Debian package of `module` in a suite: the configured name, else the most specific conventional name the suite has. */
export function packageFor(module: string, pkgs: SuitePackages, override?: string): PackageStanza | undefined {
  if (override) return pkgs.byName.get(override);
  for (const name of candidatePackageNames(module)) {
    const p = pkgs.byName.get(name);
    if (p) return p;
  }
  return undefined;
}

/**
 * Every (module, suite) the archive offers, within the module's version
 * bounds (snapshots are kept, marked as such, for the caller to report).
 */
export function discoverIn(modules: TrackedModule[], all: SuitePackages[], packages: Record<string, string> = {}): DiscoveredVersion[] {
  for (const [module, name] of Object.entries(packages)) {
    if (!all.some((pkgs) => pkgs.byName.has(name))) {
      throw new DebianModuleError('ERR_DEBIAN_MODULE_PACKAGE', `Debian package ${JSON.stringify(name)} configured for ${module} is in none of the suites ${all.map((p) => p.suite).join(', ')}`);
    }
  }
  const out: DiscoveredVersion[] = [];
  for (const pkgs of all) {
    for (const m of modules) {
      if (m.module === 'std') continue;
      const pkg = packageFor(m.module, pkgs, packages[m.module]);
      if (!pkg) continue;
      const go = goVersionFromDebian(pkg.version);
      if (go.kind === 'release' && !withinBounds(go.version, m)) continue;
      if (go.kind === 'release' && !m.includePrereleases && go.version.includes('-')) continue;
      out.push({ module: m.module, suite: pkgs.suite, package: pkg, go });
    }
  }
  return out;
}
