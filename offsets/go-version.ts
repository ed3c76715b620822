import { TableError } from './errors.js';

/**
 * A Go version as a binary reports it (`runtime.Version()` / buildinfo):
 * `go1.21.13`, `go1.22rc1`, `go1.9beta1`, `go1.20.7 X:boringcrypto`,
 * `go1.21.9 (Red Hat 1.21.9-1.el9)`, `devel go1.23-abc123 Tue Mar 5 …`.
 * The `go` prefix is optional (`1.21.5` on the command line).
 *
 * Anything after the version proper (GOEXPERIMENTs, vendor strings) is kept
 * in `suffix` and ignored for ordering and lookup: vendor builds carry the
 * upstream layout. A `devel` build has no release layout guarantee; it sorts
 * just before the first beta of its line (or after everything when the line
 * is not named) and is never scanned or range-inferred.
 */
export interface GoVersion {
  raw: string;
  kind: 'release' | 'devel';
  major: number;
  minor: number;
  /** 0 for pre-releases and devel builds. */
  patch: number;
  pre?: { kind: 'beta' | 'rc'; n: number };
  /** Text after the version (` X:boringcrypto`, ` (Red Hat …)`, the devel commit), '' if none. */
  suffix: string;
}

const RELEASE = /^(?:go)?(\d+)\.(\d+)(?:\.(\d+))?(?:(beta|rc)(\d+))?(\s.*)?$/;
const DEVEL = /^devel(?:\s+go(\d+)\.(\d+)(?=[-\s]|$))?(.*)$/;

export function parseGoVersion(input: string): GoVersion {
  const raw = input.trim();
  const devel = DEVEL.exec(raw);
  if (devel) {
    const named = devel[1] !== undefined;
    return {
      raw,
      kind: 'devel',
      major: named ? Number(devel[1]) : Number.POSITIVE_INFINITY,
      minor: named ? Number(devel[2]) : 0,
      patch: 0,
      suffix: devel[3] ?? '',
    };
  }
  const m = RELEASE.exec(raw);
  if (!m || (m[3] !== undefined && m[4] !== undefined)) {
    throw new TableError('ERR_BAD_GO_VERSION', `not a Go version: ${JSON.stringify(input)} (expected e.g. go1.21.13, go1.22rc1, 1.21.5)`);
  }
  return {
    raw,
    kind: 'release',
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: m[3] === undefined ? 0 : Number(m[3]),
    pre: m[4] === undefined ? undefined : { kind: m[4] as 'beta' | 'rc', n: Number(m[5]) },
    suffix: m[6] ?? '',
  };
}

/** devel < beta < rc < release within a minor line. */
function phase(v: GoVersion): number {
  if (v.kind === 'devel') return 0;
  if (v.pre?.kind === 'beta') return 1;
  if (v.pre?.kind === 'rc') return 2;
  return 3;
}

/** Release order (-1, 0 or 1): go1.21rc2 < go1.21.0 < go1.21.1 < go1.22rc1; `go1.20` equals `go1.20.0`. */
export function compareGoVersions(a: GoVersion, b: GoVersion): number {
  return (
    Math.sign(a.major - b.major) ||
    Math.sign(a.minor - b.minor) ||
    Math.sign(phase(a) - phase(b)) ||
    Math.sign((a.pre?.n ?? a.patch) - (b.pre?.n ?? b.patch))
  );
}

/**
 * The release's official name: first releases before 1.21 have no `.0`
 * (`go1.20`), from 1.21 on they do (`go1.21.0`). Suffixes are dropped.
 */
export function canonicalGoVersion(v: GoVersion): string {
  if (v.kind === 'devel') return v.raw;
  const line = `go${v.major}.${v.minor}`;
  if (v.pre) return `${line}${v.pre.kind}${v.pre.n}`;
  if (v.patch === 0 && v.major === 1 && v.minor < 21) return line;
  return `${line}.${v.patch}`;
}

export function goMinorLine(v: GoVersion): string {
  return `${v.major}.${v.minor}`;
}
