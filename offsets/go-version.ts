import { TableError } from './errors.js';

/**
 * A Go version as a binary reports it (`runtime.Version()` / buildinfo), or as
 * a person or the config writes it. The one parser of Go versions in the
 * project; the grammar is Go's own (`go/version`, `internal/gover`):
 *
 *   go1.21.13   go1.20   go1.21rc2   go1.9beta1   go1.21alpha1
 *   go1.21.0 X:boringcrypto            (GOEXPERIMENTs after a space)
 *   go1.22.1 X:nocoverageredesign,boringcrypto
 *   go1.21.9 (Red Hat 1.21.9-1.el9)    (a vendor's note after a space)
 *   devel go1.23-abcdef Tue Mar 5 …     (a development build, before Go 1.24)
 *   go1.24-devel_abcdef Tue Mar 5 …     (a development build, Go 1.24 on)
 *   devel +b7a85e0003 Tue Oct 4 2022    (an old development build: no line)
 *
 * Numbers are decimal without leading zeros; a pre-release is a run of
 * lowercase letters and an optional number. The `go` prefix is optional
 * (`1.21.5` on the command line).
 *
 * Where this grammar departs from `go/version`, on purpose:
 * - `go1.21` names the first release, like `go1.21.0`. Go reads it as the
 *   language version that sorts before `go1.21rc1`; a binary never reports
 *   it, and the table and the config mean the release.
 * - `go1` alone, and pre-releases of patch releases (`go1.21.0rc1`, only in
 *   Go's development tree), are refused: no binary the table covers reports them.
 * - A `-suffix` is refused except `-devel_…`: released `go/version` reads
 *   `go1.21.0-bigcorp` as `go1.21.0`, later ones refuse it, and a vendor
 *   build reports its note after a space instead.
 *
 * Anything after the version proper (GOEXPERIMENTs, vendor notes, the devel
 * commit) is kept in `suffix` and ignored for ordering and lookup: vendor
 * builds carry the upstream layout. A devel build has no release layout
 * guarantee; it sorts just before the first pre-release of its line (or after
 * everything when the line is not named) and is never scanned or
 * range-inferred.
 */
export interface GoVersion {
  raw: string;
  kind: 'release' | 'devel';
  major: number;
  minor: number;
  /** 0 for pre-releases and devel builds. */
  patch: number;
  /** `rc2` → {kind: 'rc', n: 2}; `n` is absent for a bare `rc` (which sorts before `rc0`). */
  pre?: { kind: string; n?: number };
  /** Text after the version (` X:boringcrypto`, ` (Red Hat …)`, the devel commit), '' if none. */
  suffix: string;
  /** The GOEXPERIMENTs of an ` X:a,b` suffix, in order; [] if none. */
  experiments: string[];
}

const NUM = '(0|[1-9]\\d*)';
const RELEASE = new RegExp(`^(?:go)?${NUM}\\.${NUM}(?:\\.${NUM}|([a-z]+)${NUM}?)?(\\s.*)?$`);
const DEVEL_OLD = new RegExp(`^devel(?:\\s+go${NUM}\\.${NUM}(?=[-\\s]|$))?((?:\\s.*|-.*)?)$`);
const DEVEL_NEW = new RegExp(`^go${NUM}\\.${NUM}(-devel_.*)$`);
const EXPERIMENTS = /(?:^|\s)X:([\w,]+)/;

function experimentsOf(suffix: string): string[] {
  const m = EXPERIMENTS.exec(suffix);
  return m ? m[1].split(',').filter((x) => x !== '') : [];
}

function devel(raw: string, major: string | undefined, minor: string | undefined, suffix: string): GoVersion {
  const named = major !== undefined;
  return {
    raw,
    kind: 'devel',
    major: named ? Number(major) : Number.POSITIVE_INFINITY,
    minor: named ? Number(minor) : 0,
    patch: 0,
    suffix,
    experiments: experimentsOf(suffix),
  };
}

/** Parses a Go version; throws ERR_BAD_GO_VERSION, quoting the input, when it is not one. */
export function parseGoVersion(input: string): GoVersion {
  const raw = input.trim();
  const old = DEVEL_OLD.exec(raw);
  if (old) return devel(raw, old[1], old[2], old[3]);
  const dev = DEVEL_NEW.exec(raw);
  if (dev) return devel(raw, dev[1], dev[2], dev[3]);
  const m = RELEASE.exec(raw);
  if (!m) {
    throw new TableError('ERR_BAD_GO_VERSION', `not a Go version: ${JSON.stringify(input)} (expected e.g. go1.21.13, go1.22rc1, go1.21.0 X:boringcrypto, 1.21.5)`);
  }
  const suffix = m[6] ?? '';
  return {
    raw,
    kind: 'release',
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: m[3] === undefined ? 0 : Number(m[3]),
    pre: m[4] === undefined ? undefined : m[5] === undefined ? { kind: m[4] } : { kind: m[4], n: Number(m[5]) },
    suffix,
    experiments: experimentsOf(suffix),
  };
}

/** True when `input` is a Go version (parseGoVersion would not throw). */
export function isGoVersion(input: string): boolean {
  const raw = input.trim();
  return DEVEL_OLD.test(raw) || DEVEL_NEW.test(raw) || RELEASE.test(raw);
}

/** devel < pre-release < release within a minor line. */
function phase(v: GoVersion): number {
  if (v.kind === 'devel') return 0;
  return v.pre ? 1 : 2;
}

/** Pre-releases as Go orders them: by kind (alpha < beta < rc, as strings), then number (none < 0). */
function comparePre(a: GoVersion['pre'], b: GoVersion['pre']): number {
  if (!a || !b) return 0;
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  return Math.sign((a.n ?? -1) - (b.n ?? -1));
}

/** Release order (-1, 0 or 1): go1.21rc2 < go1.21.0 < go1.21.1 < go1.22rc1; `go1.20` equals `go1.20.0`. */
export function compareGoVersions(a: GoVersion, b: GoVersion): number {
  if (a.major !== b.major) return a.major < b.major ? -1 : 1; // Infinity - Infinity would be NaN
  return Math.sign(a.minor - b.minor) || Math.sign(phase(a) - phase(b)) || comparePre(a.pre, b.pre) || Math.sign(a.patch - b.patch);
}

/**
 * The release's official name: first releases before 1.21 have no `.0`
 * (`go1.20`), from 1.21 on they do (`go1.21.0`). Suffixes are dropped.
 */
export function canonicalGoVersion(v: GoVersion): string {
  if (v.kind === 'devel') return v.raw;
  const line = `go${v.major}.${v.minor}`;
  if (v.pre) return `${line}${v.pre.kind}${v.pre.n ?? ''}`;
  if (v.patch === 0 && v.major === 1 && v.minor < 21) return line;
  return `${line}.${v.patch}`;
}

/** The minor line: `1.21` for go1.21.13, go1.21rc2 and devel go1.21-…. */
export function goMinorLine(v: GoVersion): string {
  return `${v.major}.${v.minor}`;
}
