// API stub: the table engineer replaces this with the real table; keep these names.
export type LookupPolicy = 'exact' | 'range' | 'stable' | 'nearest';
export type LookupStatus = 'scanned' | 'inferred' | 'absent' | 'unknown';

export interface LookupQuery {
  /** `net/http.Request.ctx` or a module field. */
  field: string;
  /** The Go version string as a binary reports it (for std fields). */
  go?: string;
  /** The owning module's version (for module fields), as the binary's buildinfo reports it. */
  moduleVersion?: string;
  arch: 'amd64' | 'arm64';
  policy?: LookupPolicy;
}

export interface LookupResult {
  field: string;
  offset: number | null;
  status: LookupStatus;
  policy: LookupPolicy;
  /** Set under `nearest`, and when status is unknown: why. */
  message?: string;
}
