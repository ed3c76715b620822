// The Debian archive client: mirror discovery, Release/Packages indexes, .deb
// download and extraction, and Go toolchains assembled from golang-1.N-* packages.
export { DebianError, type DebianErrorCode } from './errors.js';
export { debianMirror, debianMirrorSource, DEBIAN_ARCHIVE_KEYRING, readAptSources, parseOneLineSources, parseDeb822Sources, type AptSource } from './mirror.js';
export { fetchRelease, parseRelease, verifyInRelease, type ReleaseFile, type ReleaseEntry } from './release.js';
export { fetchPackageIndex, newIndexCache, parsePackages, type IndexCache, type PackageIndex, type PackageStanza, type IndexQuery } from './packages.js';
export { fetchDeb, extractDeb, debCacheDir, type ExtractOptions } from './deb.js';
export { readArMembers, type ArMember } from './ar.js';
export { compareDebianVersions, versionFromDebian, type VersionFromDebian } from './version.js';
export type { FetchOptions } from './http.js';
export {
  DEFAULT_SUITES,
  listDebianGoPackages,
  newestPerMinor,
  ensureDebianToolchain,
  ensureDebianMatrix,
  checkGoVersion,
  goVersionOfPackage,
  type DebianGoPackage,
  type DebianToolchain,
  type ListOptions,
} from './go-toolchains.js';
