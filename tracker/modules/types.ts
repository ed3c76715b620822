/** Contract between the tracker core and the module version sources. */

export interface ModuleVersion {
  /** Module path, e.g. `google.golang.org/grpc`. */
  module: string;
  /** Semver with the leading v: `v1.60.0`. */
  version: string;
  /** `proxy` (a GOPROXY entry) or `git` (GOPROXY `direct`, read from tags). */
  source: string;
  /** For `proxy`: the proxy URL that listed it (set GOPROXY to it for `go build`). For `git`: the repository URL or path. */
  origin?: string;
}

export interface ListModuleVersionsOptions {
  /** GOPROXY list syntax (`URL,URL|URL,direct`, `off`); default: env GOPROXY, else the public default. */
  goproxy?: string;
  /** module -> git URL or local path, used for `direct`. */
  gitRepos?: Record<string, string>;
  /** Lowest version to keep (inclusive), e.g. `v1.40.0`. */
  minVersion?: string;
  /** Keep prerelease versions (default: no). */
  includePrereleases?: boolean;
}

export { ModuleSourceError } from './errors.js';
