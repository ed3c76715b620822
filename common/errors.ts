/**
 * Every error this project raises on bad input is a GoOffsetsError with a
 * stable `code` (like undici's UND_ERR_*): callers and tests match on the
 * code, people read the message. The class is abstract: each package raises
 * its own subclass, whose `code` is a closed union of that package's codes
 * (DebianErrorCode, FetchErrorCode, TableErrorCode, …), so a code is never a
 * free string.
 */
export abstract class GoOffsetsError extends Error {
  readonly code: string;
  protected constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export function isGoOffsetsError(err: unknown, code?: string): err is GoOffsetsError {
  return err instanceof GoOffsetsError && (code === undefined || err.code === code);
}
