import { GoOffsetsError } from '../common/errors.js';

export type FetchErrorCode =
  | 'ERR_HTTP_NOT_FOUND' // 404 or 410: the file is not there (not retried)
  | 'ERR_HTTP_STATUS' // any other non-2xx status, after retries for 5xx
  | 'ERR_NETWORK' // refused, reset, dropped or timed out, after all retries
  | 'ERR_TRUNCATED' // a body cut off every time, that neither resuming nor restarting could complete
  | 'ERR_CHECKSUM' // the downloaded bytes do not match the promised sha256 or size
  | 'ERR_UNSAFE_ARCHIVE' // an archive entry or link that points outside the extraction target
  | 'ERR_EXTRACT'; // an archive that does not unpack (truncated, not gzip, ...)

export class FetchError extends GoOffsetsError {
  declare readonly code: FetchErrorCode;
  /** URL or path the problem was found at. */
  readonly where: string;
  /** The message without its `(where)`, for a layer that names the place itself. */
  readonly reason: string;
  /** HTTP status, when the server answered. */
  readonly status?: number;
  constructor(code: FetchErrorCode, message: string, where: string, opts: { status?: number; cause?: unknown } = {}) {
    super(code, `${message} (${where})`, { cause: opts.cause });
    this.where = where;
    this.reason = message;
    this.status = opts.status;
  }
}
