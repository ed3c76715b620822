import { writeSync } from 'node:fs';

// What the CLIs print: written to the file descriptor at once, synchronously,
// not through process.stdout and process.stderr. Node creates those streams on
// first use, and for a pipe that loads node:net and node:stream: 5-10 ms of a
// start that prints one line. A synchronous write also leaves nothing queued
// when the CLI exits, however large the output (`offsets dwarf --all --json`
// prints about a megabyte) and however slow the reader.

/** Writes `text` to standard output. */
export function printOut(text: string): void {
  writeAll(1, text);
}

/** Writes `text` to standard error. */
export function printErr(text: string): void {
  writeAll(2, text);
}

/** How long to wait before writing again to a descriptor that is full (EAGAIN). */
const RETRY_MS = 1;

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(fd, bytes, done, bytes.length - done);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A descriptor shared with a process that made it non-blocking: wait for the reader.
      if (code === 'EAGAIN') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, RETRY_MS);
      // The reader has gone (`offsets dwarf BIN --all | head`): that ends the output, it is not a crash.
      else if (code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      else throw err;
    }
  }
}
