/**
 * The `debian` module version source: a module's versions as the Debian
 * archive's golang-*-dev packages ship them, one per suite, recorded with
 * source `debian:<suite>`. Git snapshots are left out (see
 * tracker/debian-modules/version.ts). Building them is
 * tracker/debian-modules/observe.ts's job (GOPATH mode, not the module proxy).
 */
import { debianMirrorSource } from '../../debian/mirror.js';
import type { FetchOptions } from '../../debian/http.js';
import { discoverIn, suitePackages } from '../debian-modules/discover.js';
import type { ModuleVersion } from './types.js';

export interface DebianModuleSourceOptions {
  /** Mirror URI; default: from the apt configuration. */
  mirror?: string;
  /** Keyring for InRelease; default: apt's (debianMirrorSource), none for an explicit mirror unless given. */
  keyring?: string;
  suites?: string[];
  /** Debian package of the module, overriding the naming convention. */
  debianPackage?: string;
  minVersion?: string;
  maxVersion?: string;
  includePrereleases?: boolean;
  http?: FetchOptions;
}

/** Versions of `module` in the archive's suites, one entry per (suite, version); `origin` is `<package>=<Debian version>`. */
export async function listDebianModuleVersions(module: string, opts: DebianModuleSourceOptions = {}): Promise<ModuleVersion[]> {
  const { uri: mirror, keyring } = await debianMirrorSource({ override: opts.mirror, keyring: opts.keyring });
  const all = await suitePackages(mirror, opts.suites, { http: opts.http, keyring });
  const tracked = { module, packages: [], fields: [], includePrereleases: opts.includePrereleases ?? false, minVersion: opts.minVersion, maxVersion: opts.maxVersion };
  const found = discoverIn([tracked], all, opts.debianPackage ? { [module]: opts.debianPackage } : {});
  return found.flatMap((d) => (d.go.kind === 'release' ? [{ module, version: d.go.version, source: `debian:${d.suite}`, origin: `${d.package.package}=${d.package.version}` }] : []));
}
