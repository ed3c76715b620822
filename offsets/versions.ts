import type { SemVer } from 'semver';
import { canonicalGoVersion, compareGoVersions, goMinorLine, parseGoVersion, type GoVersion } from './go-version.js';
import { compareModuleVersions, parseModuleVersion } from './module-version.js';
import { TableError } from './errors.js';
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

/**
 * A version written without its module, as the tracker's config and its
 * observations write them: a Go version when it starts with `go` or `devel`
 * (`go1.21.0 X:boringcrypto`, `go1.22rc1`), a module version otherwise
 * (`v1.60.0`). Throws ERR_BAD_GO_VERSION / ERR_BAD_MODULE_VERSION when it is
 * neither, or names no version (`(devel)`).
 */
export function parseTaggedVersion(raw: string): TableVersion {
  const module: ModuleKey = /^\s*(go|devel)/.test(raw) ? 'std' : 'module';
  const v = parseVersionFor(module, raw);
  if (isUnversioned(v)) throw new TableError('ERR_BAD_MODULE_VERSION', `not a version: ${JSON.stringify(raw)}`);
  return v;
}

/** parseTaggedVersion, or undefined when `raw` is not a version. */
export function tryParseTaggedVersion(raw: string): TableVersion | undefined {
  try {
    return parseTaggedVersion(raw);
  } catch (err) {
    if (err instanceof TableError) return undefined;
    throw err;
  }
}

/** Orders two tagged versions of one scheme (both Go, or both module versions). */
export function compareTaggedVersions(a: string, b: string): number {
  return compareTableVersions(parseTaggedVersion(a), parseTaggedVersion(b));
}

/** The minor line of a tagged version, with its scheme's prefix: `go1.21.13` → `go1.21`, `v1.60.2` → `v1.60`. */
export function taggedMinorLine(raw: string): string {
  const v = parseTaggedVersion(raw);
  return `${'go' in v.order ? 'go' : 'v'}${v.line}`;
}

export interface VersionBounds {
  minVersion?: string;
  maxVersion?: string;
}

/**
 * True when the tagged `version` lies within the inclusive bounds; false when
 * it is not a version. Suffixes count for nothing (`go1.21.0 X:boringcrypto`
 * is `go1.21.0`); a devel build sorts just before the first pre-release of its
 * line.
 */
export function versionWithinBounds(version: string, bounds: VersionBounds): boolean {
  const v = tryParseTaggedVersion(version);
  if (!v) return false;
  if (bounds.minVersion && compareTableVersions(v, parseTaggedVersion(bounds.minVersion)) < 0) return false;
  if (bounds.maxVersion && compareTableVersions(v, parseTaggedVersion(bounds.maxVersion)) > 0) return false;
  return true;
}
