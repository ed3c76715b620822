import { DebianError, debianMirrorSource, ensureDebianToolchain, goVersionOfPackage, listDebianGoPackages, compareDebianVersions, type DebianGoPackage, type IndexCache } from '../../debian/index.js';
import { silentProgress, type Progress } from '../progress.js';
import { isPrerelease } from './dir.js';
import { SourceUnavailableError } from './errors.js';
import type { GoRelease, ReleaseSource } from './types.js';

export interface DebianSourceOptions {
  /** Mirror URL; default: the debian archive entry of the apt configuration. */
  mirror?: string;
  /** Keyring for InRelease; default: apt's (debianMirrorSource), none for an explicit mirror unless given. */
  keyring?: string;
  /** Indexes shared with other readers in this run. */
  indexes?: IndexCache;
  suites?: string[];
  includePrereleases?: boolean;
  progress?: Progress;
}

/** Go version of a Debian package version: 2:1.21.13-1~bpo12+1 -> go1.21.13, 1.22~rc1-1 -> go1.22rc1. */
export const goVersionOfDebian = goVersionOfPackage;

/**
 * Go toolchains from the Debian archive (golang-1.N-go + -src of every suite),
 * through debian/. One release per Go version (the newest Debian build of it);
 * `source` is `debian:<suite>`. obtain() assembles the GOROOT in the cache.
 */
export class DebianSource implements ReleaseSource {
  readonly name = 'debian';
  constructor(private readonly opts: DebianSourceOptions = {}) {}

  async list(): Promise<GoRelease[]> {
    let pkgs: DebianGoPackage[];
    try {
      const { uri: mirror, keyring } = await debianMirrorSource({ override: this.opts.mirror, keyring: this.opts.keyring });
      pkgs = await listDebianGoPackages({ mirror, suites: this.opts.suites, keyring, indexes: this.opts.indexes });
    } catch (err) {
      if (err instanceof DebianError) throw new SourceUnavailableError(this.name, err.message, { cause: err });
      throw err;
    }
    const best = new Map<string, DebianGoPackage>();
    for (const p of pkgs) {
      const v = goVersionOfDebian(p.debVersion);
      const cur = best.get(v);
      if (!cur || compareDebianVersions(p.debVersion, cur.debVersion) > 0) best.set(v, p);
    }
    const progress = this.opts.progress ?? silentProgress;
    return [...best]
      .filter(([v]) => this.opts.includePrereleases || !isPrerelease(v))
      .map(([version, pkg]) => ({
        version,
        source: `debian:${pkg.suite}`,
        obtain: async () => {
          const task = progress.task('download', 1);
          try {
            const tc = await ensureDebianToolchain(pkg);
            task.increment(`${pkg.go.package} ${pkg.debVersion}`);
            return { goroot: tc.goroot };
          } finally {
            task.done();
          }
        },
      }));
  }
}
