import { GoOffsetsError } from '../../common/errors.js';

export type SourceErrorCode =
  | 'ERR_SOURCE_UNAVAILABLE' // the source could not be reached or answered with an error
  | 'ERR_SOURCE_SPEC' // an unknown or malformed source spec (`--source`)
  | 'ERR_INDEX_MALFORMED' // the release index is not the documented JSON layout
  | 'ERR_NO_HOST_ARCHIVE' // a release has no archive for this host
  | 'ERR_NOT_GOROOT'; // a dir: path holds no GOROOT (no VERSION file)

export class SourceError extends GoOffsetsError {
  declare readonly code: SourceErrorCode;
  constructor(code: SourceErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A source that cannot be listed right now; the tracker reports it in one line and goes on with the others. */
export class SourceUnavailableError extends SourceError {
  readonly source: string;
  constructor(source: string, message: string, options?: { cause?: unknown }) {
    super('ERR_SOURCE_UNAVAILABLE', `${source}: ${message}`, options);
    this.source = source;
  }
}
