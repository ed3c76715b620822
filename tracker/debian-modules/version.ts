import { versionFromDebian, type VersionFromDebian } from '../../debian/version.js';

/** What a Debian package version says about the Go module version it packages (see debian/version.ts). */
export type GoVersionFromDebian = VersionFromDebian;

/** The module version a Debian package version names: debian/'s one mapping, in the module scheme. */
export function goVersionFromDebian(debVersion: string): GoVersionFromDebian {
  return versionFromDebian(debVersion, 'module');
}
