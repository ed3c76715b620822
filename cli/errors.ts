import { GoOffsetsError } from '../common/errors.js';

/** Stable codes of the `offsets` commands' own checks (the readers and the table have theirs). */
export type CliErrorCode =
  | 'ERR_USAGE' // a command given too little to do (no selector and no --all)
  | 'ERR_OPEN' // a binary that cannot be read (ENOENT, EISDIR, EACCES)
  | 'ERR_BAD_PATTERN'; // an --funcs pattern that is not a regular expression

export class CliError extends GoOffsetsError {
  declare readonly code: CliErrorCode;
  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
