import { Worker } from 'node:worker_threads';
import type { GoBinary, GoFunction } from '../gobin/binary.js';
import { GobinError, type GobinErrorCode } from '../gobin/errors.js';

export interface DecodeRequest {
  id: number;
  functions: { machine: number; code: Uint8Array; fileOffset: number; vaddr: number }[];
}
export type DecodeReply = { id: number; returns: number[][] } | { id: number; error: { code: string; message: string } };

/**
 * Finds return sites on a worker thread. Loading the amd64 decoder (iced-x86:
 * 900 kB of JavaScript glue and a wasm module) takes 35-50 ms; started early,
 * the thread loads it on the other core while the caller goes on reading the
 * binary, so a start that has to decode does not wait for it. The answers are
 * those of GoBinary.returnSites.
 *
 * The thread keeps the process alive only while a request is pending; close()
 * ends it.
 */
export class ReturnDecoder {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (r: number[][]) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failure?: Error;

  constructor() {
    this.worker = new Worker(new URL('./return-decoder-worker.js', import.meta.url));
    this.worker.unref();
    this.worker.on('message', (reply: DecodeReply) => this.settle(reply));
    this.worker.on('error', (err) => this.fail(new GobinError('ERR_DECODE', `the decoder thread failed: ${err.message}`, undefined, { cause: err })));
    this.worker.on('exit', (code) => this.fail(new GobinError('ERR_DECODE', `the decoder thread exited (code ${code})`)));
  }

  /** File offsets of the return instructions of each of `fns` in `bin`, in order. */
  returnSites(bin: GoBinary, fns: GoFunction[]): Promise<number[][]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    // Copies of the code, transferred: posting a view of the file would clone the whole file.
    const functions = fns.map((fn) => ({ machine: bin.elf.machineCode, code: new Uint8Array(bin.code(fn)), fileOffset: fn.fileOffset, vaddr: fn.entry }));
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ id, functions } satisfies DecodeRequest, functions.map((f) => f.code.buffer as ArrayBuffer));
    });
  }

  /** Ends the thread; requests still pending are rejected. */
  async close(): Promise<void> {
    this.fail(new GobinError('ERR_DECODE', 'the decoder was closed'));
    await this.worker.terminate();
  }

  private settle(reply: DecodeReply): void {
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if ('error' in reply) waiter.reject(new GobinError(reply.error.code as GobinErrorCode, reply.error.message));
    else waiter.resolve(reply.returns);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
    this.worker.unref();
  }
}
