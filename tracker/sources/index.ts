import type { ReleaseSource, ReleaseSourceOptions, ReleaseSourceSpec } from './types.js';

export type { GoRelease, ReleaseSource, ReleaseSourceOptions, ReleaseSourceSpec } from './types.js';
export { SourceUnavailableError, SourceError } from './errors.js';

/** One source per spec: `go.dev`, `debian`, `dir:PATH`. Throws SourceError ERR_SOURCE_SPEC on an unknown spec. */
export function createReleaseSources(specs: ReleaseSourceSpec[], opts: ReleaseSourceOptions = {}): ReleaseSource[] {
  void specs; void opts;
  throw new Error('not implemented yet');
}
