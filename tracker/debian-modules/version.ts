import { DebianModuleError } from './errors.js';

/** What a Debian package version says about the Go module version it packages. */
export type GoVersionFromDebian =
  | { kind: 'release'; version: string }
  /** A git snapshot (`0.0~git20210119.5f4716e`): no Go version can be derived (see docs/debian-modules.md). */
  | { kind: 'snapshot'; date: string; commit: string; why: string };

/**
 * Maps a Debian version to the module version: the upstream part (no epoch,
 * no Debian revision), without repacking suffixes (+dfsg, +ds, +ds1, +repack),
 * with a leading v: `1:0.62.0-1` -> `v0.62.0`, `0.4.51+ds1-1` -> `v0.4.51`.
 *
 * A git snapshot is never turned into a release, nor into an invented
 * pseudo-version: Go's pseudo-version needs the commit time to the second and
 * a 12-hex hash, and Debian keeps only the date and 7 hex digits. A made-up
 * one would match no binary's buildinfo, so it is reported as a snapshot and
 * the caller skips it with a note.
 */
export function goVersionFromDebian(debVersion: string): GoVersionFromDebian {
  const noEpoch = debVersion.replace(/^\d+:/, '');
  const dash = noEpoch.lastIndexOf('-');
  const upstream = dash >= 0 ? noEpoch.slice(0, dash) : noEpoch;
  const snap = /(?:~|\+|^)git(\d{8})\.([0-9a-f]{7,40})/.exec(upstream);
  if (snap) {
    return { kind: 'snapshot', date: snap[1], commit: snap[2], why: `Debian version ${debVersion} is a git snapshot (${snap[1]}, commit ${snap[2]}): Go's pseudo-version needs the full commit time and a 12-hex hash, which it lacks` };
  }
  const base = upstream.replace(/[+~](dfsg|ds|repack)\d*(\.\d+)?$/i, '');
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:~(rc|beta|alpha)\.?(\d+))?$/.exec(base);
  if (!m) throw new DebianModuleError('ERR_DEBIAN_MODULE_VERSION', `Debian version ${JSON.stringify(debVersion)}: upstream part ${JSON.stringify(base)} is not a release version`);
  const pre = m[4] ? `-${m[4]}.${m[5]}` : '';
  return { kind: 'release', version: `v${Number(m[1])}.${Number(m[2])}.${Number(m[3] ?? 0)}${pre}` };
}
