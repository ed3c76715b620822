/**
 * What the tracker learns from one probe build, and what the table is built
 * from. This is the contract between tracker/ (producer) and offsets/ (table).
 */
export type Arch = 'amd64' | 'arm64';

/** `std` for the standard library (versions are Go versions), otherwise a module path. */
export type ModuleKey = 'std' | string;

export type ObservationResult =
  | { status: 'ok'; offset: number }
  /** The version was built and read, and the field (or its struct) does not exist in it. */
  | { status: 'absent' }
  /** The build or the read failed: nothing is known. Never stored as absent or with a value. */
  | { status: 'failed'; error: string };

export interface Observation {
  module: ModuleKey;
  /** Go version as `go1.21.13` for std, module semver as `v1.60.0` otherwise. */
  version: string;
  /** Where the version came from: `go.dev`, `debian:trixie`, `dir`, `proxy`, `git`, `debian:sid`… */
  source: string;
  arch: Arch;
  /** `pkgpath.Type.field`, e.g. `net/http.Request.ctx` or `google.golang.org/grpc/internal/transport.Stream.id`. */
  field: string;
  result: ObservationResult;
}

/** Splits `net/http.Request.ctx` into package path, type name and field name. */
export function splitFieldSelector(selector: string): { pkg: string; type: string; field: string } | undefined {
  const slash = selector.lastIndexOf('/');
  const parts = selector.slice(slash + 1).split('.');
  if (parts.length !== 3 || parts.some((p) => p === '')) return undefined;
  return { pkg: selector.slice(0, slash + 1) + parts[0], type: parts[1], field: parts[2] };
}
