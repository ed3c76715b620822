/**
 * The one error reporter of the three CLIs (offsets, offsets-tracker,
 * offsets-agent), and their one table of exit codes (README, "Exit codes"):
 * an error prints one line, `PROGRAM: CODE: message`, on stderr, and the
 * command exits with the code of its kind.
 */
import { GoOffsetsError } from './errors.js';
import { printErr, printOut } from './stdio.js';

export const EXIT = {
  /** Done; the answer is on stdout. */
  ok: 0,
  /**
   * Bad input, the command line included: a corrupt binary, a malformed table,
   * config or index, a truncated download, an unknown version, a file that
   * cannot be read, an unknown option or a missing argument.
   */
  badInput: 1,
  /** Some jobs failed; what succeeded is written (`offsets-tracker run`). */
  partial: 2,
  /** The answer is unknown or refused (`lookup` under its policy), or two tables disagree (`compare`). */
  unknown: 3,
  /** A bug: an error that is none of the above. */
  internal: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Where the line goes; tests replace it. */
let write = printErr;

export function setErrorWriter(w: (line: string) => void): void {
  write = w;
}

/** Prints `PROGRAM: CODE: message` (one line: later lines of the message are joined). */
export function printError(program: string, code: string, message: string): void {
  write(`${program}: ${code}: ${message.replace(/\s*\n\s*/g, ' ').trim()}\n`);
}

/** A system error from Node (ENOENT, EACCES, EISDIR…): about a file the user named, not a bug. */
function isSystemError(err: unknown): err is NodeJS.ErrnoException & { code: string } {
  const e = err as NodeJS.ErrnoException;
  return e instanceof Error && typeof e.code === 'string' && (typeof e.syscall === 'string' || typeof e.errno === 'number');
}

/** Prints `err` as one line and returns its exit code: bad input for typed and system errors, internal for anything else. */
export function reportError(program: string, err: unknown): ExitCode {
  if (err instanceof GoOffsetsError) {
    printError(program, err.code, err.message);
    return EXIT.badInput;
  }
  if (isSystemError(err)) {
    printError(program, err.code, err.message);
    return EXIT.badInput;
  }
  printError(program, 'ERR_INTERNAL', `${err instanceof Error ? err.message : String(err)} (a bug; the stack follows)`);
  if (err instanceof Error && err.stack) write(`${err.stack}\n`);
  return EXIT.internal;
}

/**
 * commander's options for a CLI built on it: its own usage errors (unknown
 * option or command, missing argument) as one `PROGRAM: ERR_USAGE: …` line,
 * no help dump; the help printed as every other output (common/stdio.ts).
 */
export function commanderErrorOutput(program: string): {
  writeOut: (text: string) => void;
  writeErr: (text: string) => void;
  outputError: (text: string, w: (s: string) => void) => void;
} {
  return {
    writeOut: printOut,
    writeErr: printErr,
    outputError: (text) => printError(program, 'ERR_USAGE', `${text.replace(/^error: /, '').trim()} (see --help)`),
  };
}
