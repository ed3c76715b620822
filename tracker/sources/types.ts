import type { IndexCache } from '../../debian/packages.js';
/**
 * Contract between the tracker core and its Go release sources.
 * A source lists releases cheaply; a release's toolchain is fetched only when
 * `obtain()` is called, and is cached under cacheRoot() by its content.
 */
import type { HttpOptions } from '../../fetch/http.js';
import type { Progress } from '../progress.js';

export interface GoRelease {
  /** Go version as in GOROOT/VERSION: `go1.21.13`, `go1.22rc1`. */
  version: string;
  /** Where it comes from: `go.dev`, `debian:<suite>` or `dir`. */
  source: string;
  /** Downloads, verifies and extracts the toolchain on first call; later calls reuse the cache. */
  obtain(signal?: AbortSignal): Promise<{ goroot: string }>;
}

export interface ReleaseSource {
  readonly name: string;
  /** Every release the source offers. Throws SourceUnavailableError (code ERR_SOURCE_UNAVAILABLE) when unreachable. */
  list(): Promise<GoRelease[]>;
}

/** `go.dev` | `debian` | `dir:PATH` */
export type ReleaseSourceSpec = string;

export interface ReleaseSourceOptions {
  /** Base URL with the go.dev/dl layout: index at URL/?mode=json&include=all, files at URL/<filename>. */
  goMirror?: string;
  /** Debian mirror URL; default: read from the apt configuration. */
  debianMirror?: string;
  /** Keyring for the Debian mirror's InRelease (default: apt's, see debian/ debianMirrorSource; none with an explicit mirror). */
  debianKeyring?: string;
  /** Debian suites to read (default: debian/ DEFAULT_SUITES). */
  debianSuites?: string[];
  /** Debian indexes shared with the Debian module source in one run (debian/ newIndexCache). */
  debianIndexes?: IndexCache;
  /** Include rc/beta releases (default: stable only). */
  includePrereleases?: boolean;
  progress?: Progress;
  /** HTTP options for listing go.dev's index (short timeouts: an unreachable source must not hold the run). */
  listHttp?: HttpOptions;
}

export { SourceUnavailableError } from './errors.js';
