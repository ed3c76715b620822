import type { SemVer } from 'semver';
import { canonicalGoVersion, compareGoVersions, goMinorLine, parseGoVersion, type GoVersion } from './go-version.js';
import { compareModuleVersions, parseModuleVersion } from './module-version.js';
import type { ModuleKey } from './observation.js';

/**
 * One version in the scheme of its module: Go versions for `std`, semver for
 * every other module. This is what the table orders, stores and infers over.
 */
export interface TableVersion {
  /** The form stored in the table: `go1.21.13`, `go1.20`, `go1.22rc1`, `v1.60.0`. */
  canonical: string;
  /** The minor line range inference stays within: `1.21`. */
  line: string;
  /** A final release (not a pre-release, a pseudo-version or a devel build): the only kind range inference covers. */
  release: boolean;
  devel: boolean;
  order: { go: GoVersion } | { semver: SemVer };
}

/** A module version that names no version at all: `(devel)` or missing. */
export interface Unversioned {
  unversioned: 'devel' | 'missing';
  raw: string;
}

/** Parses a version in its module's scheme; throws ERR_BAD_GO_VERSION / ERR_BAD_MODULE_VERSION when malformed. */
export function parseVersionFor(module: ModuleKey, raw: string | undefined): TableVersion | Unversioned {
  if (module === 'std') {
    const go = parseGoVersion(raw ?? '');
    return {
      canonical: canonicalGoVersion(go),
      line: goMinorLine(go),
      release: go.kind === 'release' && go.pre === undefined,
      devel: go.kind === 'devel',
      order: { go },
    };
  }
  const mv = parseModuleVersion(raw);
  if (mv.kind !== 'semver') return { unversioned: mv.kind, raw: mv.raw };
  return { canonical: mv.canonical, line: mv.line, release: !mv.prerelease, devel: false, order: { semver: mv.parsed } };
}

export function isUnversioned(v: TableVersion | Unversioned): v is Unversioned {
  return 'unversioned' in v;
}

export function compareTableVersions(a: TableVersion, b: TableVersion): number {
  if ('go' in a.order && 'go' in b.order) return compareGoVersions(a.order.go, b.order.go);
  if ('semver' in a.order && 'semver' in b.order) return compareModuleVersions(a.order.semver, b.order.semver);
  throw new Error('internal: comparing a Go version with a module version');
}
