import { writeSync } from 'node:fs';

// What the CLIs print: written to the file descriptor at once, synchronously,
// not through process.stdout and process.stderr. Node creates those streams on
// first use, and for a pipe that loads node:net and node:stream: 5-10 ms of a
// start that prints one line. A synchronous write also leaves nothing queued
// when the CLI exits, however large the output (`offsets dwarf --all --json`
// prints about a megabyte) and however slow the reader.

/** What a test that runs a CLI's main in-process takes the output with, instead of the descriptors. */
type Capture = (fd: 1 | 2, text: string) => void;
let capture: Capture | undefined;

/** Sends what printOut and printErr write to `to` until the returned function is called. */
export function captureStdio(to: Capture): () => void {
  capture = to;
  return () => {
    if (capture === to) capture = undefined;
  };
}

/** Writes `text` to standard output. */
export function printOut(text: string): void {
  if (capture) capture(1, text);
  else writeAll(1, text);
}

/** Writes `text` to standard error. */
export function printErr(text: string): void {
  if (capture) capture(2, text);
  else writeAll(2, text);
}

/** Rows per piece of a JSON array: pieces of tens of kilobytes. */
const ROWS_PER_PIECE = 512;

/**
 * Writes `JSON.stringify(rows)` and a newline to standard output, the same
 * bytes, in pieces of a few hundred rows: no string of the whole output is
 * made (a megabyte for `offsets dwarf --all --json`, and fresh memory is slow
 * to come by on this project's virtual machines).
 */
export function printJsonArray(rows: readonly unknown[]): void {
  const out = jsonArrayWriter();
  for (let i = 0; i < rows.length; i++) out.push(rows[i]);
  out.end();
}

/** printJsonArray for rows that come one at a time: each piece is written once it is full, and its rows let go. */
export function jsonArrayWriter(): { push(row: unknown): void; end(): void } {
  let piece: unknown[] = [];
  let written = 0;
  const flush = (last: boolean): void => {
    // Each piece is `[a,b]`: its brackets become the array's own, or commas between pieces.
    const inner = piece.length === 0 ? '' : JSON.stringify(piece).slice(1, -1);
    printOut(`${written === 0 ? '[' : inner ? ',' : ''}${inner}${last ? ']\n' : ''}`);
    written += piece.length;
    piece = [];
  };
  return {
    push(row) {
      piece.push(row);
      if (piece.length === ROWS_PER_PIECE) flush(false);
    },
    end() {
      flush(true);
    },
  };
}

/** How long to wait before writing again to a descriptor that is full (EAGAIN). */
const RETRY_MS = 1;

function writeAll(fd: number, text: string): void {
  // Written as a string first: Node encodes it straight into the write, with no
  // Buffer of a megabyte to make. A write cut short (a signal, a non-blocking
  // reader) goes on from the bytes that were written.
  let done = 0;
  try {
    done = writeSync(fd, text);
  } catch (err) {
    afterFailedWrite(err);
  }
  if (done >= Buffer.byteLength(text, 'utf8')) return;
  const bytes = Buffer.from(text, 'utf8');
  while (done < bytes.length) {
    try {
      done += writeSync(fd, bytes, done, bytes.length - done);
    } catch (err) {
      afterFailedWrite(err);
    }
  }
}

function afterFailedWrite(err: unknown): void {
  const code = (err as NodeJS.ErrnoException).code;
  // A descriptor shared with a process that made it non-blocking: wait for the reader.
  if (code === 'EAGAIN') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, RETRY_MS);
  // The reader has gone (`offsets dwarf BIN --all | head`): that ends the output, it is not a crash.
  else if (code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  else throw err;
}
