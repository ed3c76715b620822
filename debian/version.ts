import { canonicalGoVersion, parseGoVersion } from '../offsets/go-version.js';
import { parseModuleVersion } from '../offsets/module-version.js';
import { DebianError } from './errors.js';

/**
 * Debian version comparison per Debian Policy 5.6.12: [epoch:]upstream[-revision],
 * compared part by part; within a part, alternating non-digit and digit runs,
 * where `~` sorts before everything (even the end of the string) and letters
 * sort before non-letters.
 */
export function splitDebianVersion(v: string): { epoch: number; upstream: string; revision: string } {
  const colon = v.indexOf(':');
  const epoch = colon >= 0 ? Number(v.slice(0, colon)) : 0;
  const rest = colon >= 0 ? v.slice(colon + 1) : v;
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) } : { epoch, upstream: rest, revision: '0' };
}

function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

function comparePart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // Non-digit run, character by character.
    while ((i < a.length && !/\d/.test(a[i])) || (j < b.length && !/\d/.test(b[j]))) {
      const ca = i < a.length && !/\d/.test(a[i]) ? a[i] : undefined;
      const cb = j < b.length && !/\d/.test(b[j]) ? b[j] : undefined;
      const d = order(ca) - order(cb);
      if (d !== 0) return d;
      i++;
      j++;
    }
    // Digit run, numerically.
    let na = '';
    let nb = '';
    while (i < a.length && /\d/.test(a[i])) na += a[i++];
    while (j < b.length && /\d/.test(b[j])) nb += b[j++];
    const d = Number(na || '0') - Number(nb || '0');
    if (d !== 0) return d;
  }
  return 0;
}

/** Negative, zero or positive as Debian version a sorts before, equal to or after b. */
export function compareDebianVersions(a: string, b: string): number {
  const x = splitDebianVersion(a);
  const y = splitDebianVersion(b);
  if (x.epoch !== y.epoch) return x.epoch - y.epoch;
  return comparePart(x.upstream, y.upstream) || comparePart(x.revision, y.revision);
}

/** What a Debian package version says about the Go or module version it packages. */
export type VersionFromDebian =
  | { kind: 'release'; version: string }
  /** A git snapshot (`0.0~git20210119.5f4716e`): no version can be derived (see docs/debian-modules.md). */
  | { kind: 'snapshot'; date: string; commit: string; why: string };

const SNAPSHOT = /(?:~|\+|^)git(\d{8})\.([0-9a-f]{7,40})/;
const REPACK = /[+~](dfsg|ds|repack)\d*(\.\d+)?$/i;
const UPSTREAM_RELEASE = /^(\d+)\.(\d+)(?:\.(\d+))?(?:~(rc|beta|alpha)\.?(\d+))?$/;

/**
 * The one mapping from a Debian package version to the version it packages,
 * in the scheme of what it packages: a Go toolchain (`scheme: 'go'`, the
 * golang-1.N-go packages) or a Go module (`'module'`, the golang-*-dev
 * packages). The upstream part is kept (no epoch, no Debian revision), without
 * repacking suffixes (+dfsg, +ds, +ds1, +repack); a `~rc1` is a pre-release:
 *
 *   go:     2:1.21.13-1~bpo12+1 -> go1.21.13    1.22~rc1-1 -> go1.22rc1
 *   module: 1:0.62.0-1 -> v0.62.0   0.4.51+ds1-1 -> v0.4.51   1.2~rc1-1 -> v1.2.0-rc.1
 *
 * The result is checked by offsets/'s parsers, so it is a version every
 * consumer reads alike. A git snapshot is never turned into a release, nor
 * into an invented pseudo-version: Go's pseudo-version needs the commit time
 * to the second and a 12-hex hash, and Debian keeps only the date and 7 hex
 * digits. A made-up one would match no binary's buildinfo, so it is reported
 * as a snapshot and the caller skips it with a note. Anything else throws
 * ERR_DEBIAN_GO_VERSION / ERR_DEBIAN_MODULE_VERSION.
 */
export function versionFromDebian(debVersion: string, scheme: 'go' | 'module'): VersionFromDebian {
  const { upstream } = splitDebianVersion(debVersion);
  const snap = SNAPSHOT.exec(upstream);
  if (snap) {
    return { kind: 'snapshot', date: snap[1], commit: snap[2], why: `Debian version ${debVersion} is a git snapshot (${snap[1]}, commit ${snap[2]}): Go's pseudo-version needs the full commit time and a 12-hex hash, which it lacks` };
  }
  const base = upstream.replace(REPACK, '');
  const m = UPSTREAM_RELEASE.exec(base);
  const code = scheme === 'go' ? 'ERR_DEBIAN_GO_VERSION' : 'ERR_DEBIAN_MODULE_VERSION';
  if (!m) throw new DebianError(code, `Debian version ${JSON.stringify(debVersion)}: upstream part ${JSON.stringify(base)} is not a release version`);
  const [major, minor, patch, preKind, preN] = [Number(m[1]), Number(m[2]), m[3] === undefined ? undefined : Number(m[3]), m[4], m[5]];
  if (scheme === 'go') {
    const text = `go${major}.${minor}${preKind ? `${preKind}${Number(preN)}` : patch === undefined ? '' : `.${patch}`}`;
    return { kind: 'release', version: canonicalGoVersion(parseGoVersion(text)) };
  }
  const pre = preKind ? `-${preKind}.${Number(preN)}` : '';
  const mv = parseModuleVersion(`v${major}.${minor}.${patch ?? 0}${pre}`);
  return { kind: 'release', version: mv.kind === 'semver' ? mv.canonical : mv.raw };
}
